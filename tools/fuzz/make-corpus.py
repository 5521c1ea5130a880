#!/usr/bin/env python3
"""Seed corpora from the tests' own inputs (tools/fuzz/make-corpus.sh runs it)."""
import glob
import hashlib
import os
import re
import sys

out = sys.argv[1]


def literals(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
        try:
            yield bytes(m.group(1), "utf-8").decode("unicode_escape")
        except UnicodeDecodeError:
            continue


def save(target, content, tag):
    b = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
    name = "%s-%s" % (tag, hashlib.sha1(b).hexdigest()[:12])
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(b)


# ---- ipvsadm ---------------------------------------------------------------------
for f in sorted(glob.glob("tests/test_ipvs*.c") + glob.glob("tests/test_workload*.c")):
    for t in sorted(set(literals(f))):
        if len(t) < 200 and re.match(r"^(ipvsadm |/sbin/ipvsadm )?-{1,2}[A-Za-z]", t) and \
                (re.search(r" -[tuf] |--set|--tcp-service|--udp-service|--fwmark-service", t)
                 or re.match(r"^(ipvsadm )?-[CZ]\b", t)):
            save("ipvsadm", t, "line")
for s in [
    "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 10.0.0.2:80 -m -w 3\n"
    "-a -t 10.0.0.100:80 -r 10.0.0.3 -g\n-e -t 10.0.0.100:80 -r 10.0.0.3 -g -w 0\n"
    "-E -t 10.0.0.100:80 -s wlc -p 30\n-d -t 10.0.0.100:80 -r 10.0.0.2:80\n-Z\n",
    "-A -u 10.0.0.100:53 -s sh -b sh-port -o\n"
    "-a -u 10.0.0.100:53 -r 10.0.0.5 -i --tun-type gue --tun-port 6080\n"
    "-a -u 10.0.0.100:53 -r 10.0.0.6 -i --tun-type gre --tun-nocsum\n--set 10 20 30\n"
    "-D -u 10.0.0.100:53\n",
    "-A -f 7 -s mh -b mh-fallback,mh-port\n-a -f 7 -r 10.0.0.9 -x 100 -y 50\n-C\n"
    "-A -t 10.0.0.1:0 -p 600 -M 255.255.255.0 -s lblcr\n-a -t 10.0.0.1:0 -r 10.0.0.2\n",
    "-A -t [2001:db8::10]:80 -s rr\n-a -t [2001:db8::10]:80 -r [2001:db8::2]:80 -m -w 3\n-a -t [2001:db8::10]:80 -r 2001:db8::3 -g\n-e -t [2001:db8::10]:80 -r [2001:db8::3]:80 -g -w 0\n-E -t [2001:db8::10]:80 -s wlc -p 30 -M 64\n-d -t [2001:db8::10]:80 -r [2001:db8::2]:80\n-Z\n",
    "-A -f 7 -6 -s mh -b mh-fallback -p -M 48\n-a -f 7 -6 -r [2001:db8::9]:0 -x 100 -y 50\n-A -f 7 -s rr\n-a -f 7 -r 10.0.0.9\n-D -f 7 -6\n",
    "-A -u [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:53 -s sh -b sh-port -o\n-a -u [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:53 -r 10.0.0.5 -i\n-a -u [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:53 -r [::ffff:10.0.0.6]:53 -m\n",
    "-A -t [2001:db8::g]:80\n-A -t [2001:db8::1:80 -s rr\n-A -t [2001:db8::1]80\n-A -t 2001:db8::12345:80\n-A -t [2001:db8::1]:80 -p -M 129\n-A -6 -f 7\n-A -t [1.2.3.4]:80 -p\n",
    "-A -t 10.0.0.100:80 -s rr\n-A -t [::]:0 -p\n-a -t [::]:0 -r [fe80::1]:80 -m\n-a -t [::]:0 -r [2001:db8::1]:8080 -m\n-A -t 240.0.0.1:80\n",
]:
    save("ipvsadm", s, "seq")

# ---- iptables --------------------------------------------------------------------
for f in sorted(glob.glob("tests/test_iptables*.c") + ["tests/model/netfilter/test_nat.c", "tests/model/netfilter/test_conntrack.c",
                                                        "tests/model/user/test_ip6tables.c",
                                                        "tests/model/netfilter/test_conntrack6.c"]):
    if not os.path.exists(f):
        continue
    for t in sorted(set(literals(f))):
        if len(t) < 300 and " " in t and re.match(r"^(ip6?tables )?-{1,2}[A-Za-z]", t) \
                and not re.search(r"requires|unknown option|Bad argument|iptables:", t):
            save("iptables", t, "line")
for s in [
    "-N web\n-A INPUT -p tcp --dport 80 -j web\n-A web -s 10.0.0.0/8 -j ACCEPT\n-A web -j DROP\n"
    "-I INPUT 1 -m state --state ESTABLISHED,RELATED -j ACCEPT\n"
    "-R INPUT 2 -p tcp -m tcp --dport 81 -j web\n-D INPUT 1\n-E web www\n-F\n-X\n",
    "#era 2.6.34\n-t nat -A PREROUTING -p tcp -d 192.0.2.1 --dport 80 -j DNAT "
    "--to-destination 192.0.2.11:8080\n-t nat -A POSTROUTING -o eth0 -j MASQUERADE\n"
    "-t mangle -A PREROUTING -p udp -j MARK --set-xmark 0x5/0xff\n-t raw -A OUTPUT -j NOTRACK\n"
    "-P FORWARD DROP\n",
    "ip6tables -t nat -A PREROUTING -d 2001:db8::10 -p tcp --dport 80 -j DNAT "
    "--to-destination [2001:db8:2::11]:8080\nip6tables -t nat -A POSTROUTING -o eth0 -j MASQUERADE\n"
    "ip6tables -t nat -A POSTROUTING -p udp -j SNAT --to-source [2001:db8::1-2001:db8::9]:1000-2000\n"
    "ip6tables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
    "ip6tables -t raw -A PREROUTING -p udp -j CT --notrack\nip6tables -t nat -F\n",
    "#era 2.6.34\nip6tables -t nat -A POSTROUTING -j MASQUERADE\n"
    "ip6tables -A INPUT -m state --state NEW,UNTRACKED -j ACCEPT\n",
    "#era 4.9\n-A INPUT -p icmp --icmp-type 8 -j REJECT --reject-with icmp-host-prohibited\n"
    "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"new one\" -j LOG "
    "--log-prefix \"fw: \" --log-level 4\n-t security -A INPUT -j ACCEPT\n-Z INPUT\n",
]:
    save("iptables", s, "seq")

# ---- scenarios -------------------------------------------------------------------
for f in sorted(glob.glob("scenarios/*.json") + glob.glob("tests/scenarios/*.json") +
                glob.glob("tests/bad-scenarios/*.json")):
    b = open(f, "rb").read()
    if len(b) > 8192:
        continue
    sets = f[:-5] + ".set"
    if os.path.exists(sets):
        b += b"\0" + open(sets, "rb").read()
    save("scenario", b, os.path.basename(f)[:-5])

# ---- units: byte 0 picks the parser (fuzz_units.c) ----------------------------------


def kind(t):
    rules = [
        (r"^[0-9.]+(ns|us|ms|s|m|h)$", 0), (r"^[0-9.]+(B|KB|MB|GB|KiB|MiB|GiB)$", 1),
        (r"^[0-9.]+/(ns|us|ms|s|m|h)$", 2), (r"^[0-9.]+[KMG]?bps$", 3), (r"%$", 4),
        (r"^[0-9.]+/[0-9]+$", 6), (r"^[0-9.]+:[0-9]+$", 7), (r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$", 5),
        (r"^(poisson|burst)", 10), (r"\((.*)(ns|us|ms|s)\b", 8), (r"\(", 9),
    ]
    for pattern, k in rules:
        if re.search(pattern, t):
            return k
    return 13


for t in sorted(set(literals("tests/app/scenario/test_units.c"))):
    if 0 < len(t) < 80 and not t.startswith("expected"):
        save("units", bytes([kind(t)]) + t.encode(), "v")
for t in ["exp(10ms)", "uniform(1ms, 5ms)", "lognormal(20ms,0.5)", "pareto(1ms,1.5)", "const(100/s)",
          "poisson(400/s)", "burst(10,1s)", "trace(x.csv)", "trace(x.csv,ms)", "300B", "10KB", "1.5MB",
          "4KiB"]:
    for k in (8, 9, 10, 13):
        save("units", bytes([k]) + t.encode(), "d")
for k, text in [(0xf0, "time_s\n0.1\n0.2\n# c\n\n1.5,x\n"), (0xf4, "t\n0\n0.5\n1\n2.5\n"),
                (0xf1, "bytes\n300\n1KB\n20KiB\n"), (0xf2, "5\n10\n20ms\n"), (0xf4, "1\n0.5\n")]:
    save("units", bytes([k]) + text.encode(), "trace")

# ---- saved rule sets: the real files of the tests, the bad ones, a few small texts -------
for f in sorted(glob.glob("tests/scenarios/saved/*") + glob.glob("tests/bad-scenarios/*.v4") +
                glob.glob("tests/bad-scenarios/*.rules")):
    save("saved", open(f, "rb").read(), "file")
for t in ["*filter\n:INPUT DROP [0:0]\n:WEB - [0:0]\n[1:60] -A INPUT -p tcp -m multiport --dports 80,443 -j WEB\n"
          "-A WEB -m comment --comment \"a b\" -j ACCEPT\nCOMMIT\n",
          "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n*raw\nCOMMIT\n",
          "-A -t 10.0.0.100:80 -s wlc\n-a -t 10.0.0.100:80 -r 10.0.0.2:80 -m -w 3 -x 100 -y 50\n"
          "-A -f 1 -s mh -b mh-port\n-a -f 1 -r 10.0.0.3:0 -g -w 1\n"]:
    save("saved", t, "text")
