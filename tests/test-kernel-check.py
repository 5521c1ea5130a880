#!/usr/bin/env python3
"""The kernel check's host side without a virtual machine (tools/kernel-check/kernel-check):
the world it mirrors, the ipvsadm lines it reads, the archive it appends to the initramfs,
and the comparison and reports, fed with kernel outputs made from ipvsim's own.

  tests/test-kernel-check.py path/to/ipvsim
"""
import importlib.machinery
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(TOP, "tools", "kernel-check", "kernel-check")
IPVSIM = None


def load_tool():
    loader = importlib.machinery.SourceFileLoader("kernel_check", TOOL)
    spec = importlib.util.spec_from_loader("kernel_check", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


kc = load_tool()


def scenario(name="kernel-check-nat-rr"):
    with open(os.path.join(TOP, "scenarios", name + ".json")) as f:
        return json.load(f)


class World(unittest.TestCase):
    def test_lan_plan_as_run_world(self):
        # app/run/run_world.c plan_lan: the DIP is the lowest free host, gw the highest.
        self.assertEqual(kc.lan_plan(scenario()), ("192.0.2.0/24", "192.0.2.1", "192.0.2.254"))

    def test_lan_plan_skips_taken_addresses(self):
        s = scenario()
        s["servers"][0]["ip"] = "192.0.2.1"
        s["servers"][1]["ip"] = "192.0.2.254"
        self.assertEqual(kc.lan_plan(s)[1:], ("192.0.2.2", "192.0.2.253"))
        s["director"]["dip"] = "192.0.2.100"
        self.assertEqual(kc.lan_plan(s)[1], "192.0.2.100")

    def test_sysctl_paths(self):
        self.assertEqual(kc.sysctl_path("expire_nodest_conn"), "net/ipv4/vs/expire_nodest_conn")
        self.assertEqual(kc.sysctl_path("net.ipv4.vs.sloppy_tcp"), "net/ipv4/vs/sloppy_tcp")
        self.assertEqual(kc.sysctl_path("net.ipv4.conf.all.send_redirects"),
                         "net/ipv4/conf/all/send_redirects")

    def test_dest_methods(self):
        f = kc.dest_forwarding(["ipvsadm -A -t 10.0.0.1:80 -s rr",
                             "-a -t 10.0.0.1:80 -r 192.0.2.11:8080 -m -w 1",
                             "-a -t 10.0.0.1:80 -r 192.0.2.12",
                             "-a -t 10.0.0.1:80 -r 192.0.2.13:80 --ipip",
                             "-e -t 10.0.0.1:80 -r 192.0.2.11:8080 -g"])
        m = {a: v["method"] for a, v in f.items()}
        self.assertEqual(m, {"192.0.2.11": "NAT", "192.0.2.12": "DR", "192.0.2.13": "TUN"})

    def test_unmirrorable_named(self):
        s = scenario()
        s["kernel"] = "2.6.34"
        s["hooks"] = [{"name": "probe", "hook": "LOCAL_IN", "priority": 99}]
        s["clients"][0]["protocol"] = "sctp"
        out = kc.unmirrorable(s)
        self.assertEqual(len(out), 3)
        self.assertIn("only the 6.x era", out[0])
        self.assertIn('"hooks"', out[1])
        self.assertIn('"sctp"', out[2])
        s = scenario()
        s["clients"][0]["protocol"] = "udp"
        self.assertEqual(kc.unmirrorable(s), [])
        self.assertEqual(kc.unmirrorable(scenario()), [])


class Archive(unittest.TestCase):
    def test_cpio_newc_read_back(self):
        if not shutil.which("cpio"):
            self.skipTest("cpio is not installed")
        data = kc.cpio_newc({"job/cases/a/run.sh": (0o755, b"echo a\n"),
                             "job/cases/a/script.txt": (0o644, b"x" * 5)})
        self.assertEqual(len(data) % 4, 0)
        p = subprocess.run(["cpio", "-it", "--quiet"], input=data, stdout=subprocess.PIPE,
                           check=True)
        self.assertEqual(p.stdout.decode().split(),
                         ["job", "job/cases", "job/cases/a", "job/cases/a/run.sh",
                          "job/cases/a/script.txt"])


def nft_trace(paths):
    """nft monitor trace's lines for [(header, visits)] packets, as the guest prints
    them (tests/kernel-check/nft-trace-*.txt are real ones)."""
    nft = {h: n for n, h in kc.TRACE_HOOKS}
    out = []
    for i, (hdr, visits) in enumerate(paths):
        (sa, sp), (da, dp) = (e.rsplit(":", 1) for e in hdr.split(" > "))
        pkt = f"packet: iif \"eth0\" ip saddr {sa} ip daddr {da} ip ttl 63 tcp sport {sp} tcp dport {dp}"
        for h, passed in visits:
            for pos in ("first", "last") if passed else ("first",):
                out.append(f"trace id {i:08x} ip kctrace {nft[h]}_{pos} {pkt}")
                out.append(f"trace id {i:08x} ip kctrace {nft[h]}_{pos} policy accept")
    return "\n".join(out) + "\n"


class Packets(unittest.TestCase):
    """The captures' reader and the trace's reader on their own."""

    def fixture(self, name):
        with open(os.path.join(TOP, "tests", "kernel-check", name)) as f:
            return f.read().splitlines()

    def test_real_nft_trace_nat(self):
        # Linux 6.1's nft monitor trace of a SYN through LVS-NAT and its SYN-ACK: IPVS
        # steals the SYN at LOCAL_IN (input's +300 chain never runs) and re-injects it
        # at LOCAL_OUT; the reply is forwarded.
        paths = kc.kernel_paths(self.fixture("nft-trace-nat.txt"))
        got = [(h, kc.path_text(v)) for h, v in paths[:2]]
        self.assertEqual(got, [
            ("198.51.100.4:56415 > 203.0.113.10:80",
             "PRE_ROUTING, LOCAL_IN (not past), LOCAL_OUT, POST_ROUTING"),
            ("192.0.2.13:8080 > 198.51.100.4:56415", "PRE_ROUTING, FORWARD, POST_ROUTING")])
        lines = self.fixture("nft-trace-nat.txt")
        self.assertEqual(len(paths), sum(1 for ln in lines if "prerouting_first packet:" in ln))

    def test_real_nft_trace_local_client_packets_apart(self):
        # A local client's packets: IPVS steals each at LOCAL_OUT and re-injects it
        # there; the next packet from the director's socket is a packet of its own.
        paths = kc.kernel_paths(self.fixture("nft-trace-local-client.txt"))
        self.assertEqual([(h, kc.path_text(v)) for h, v in paths], [
            ("192.0.2.1:39351 > 203.0.113.10:80",
             "LOCAL_OUT (not past), LOCAL_OUT, POST_ROUTING"),
            ("192.0.2.13:8080 > 192.0.2.1:39351", "PRE_ROUTING, LOCAL_IN"),
            ("192.0.2.1:39351 > 203.0.113.10:80",
             "LOCAL_OUT (not past), LOCAL_OUT, POST_ROUTING")])

    def test_icmp_error_sent_about_a_stolen_packet_is_a_packet_of_its_own(self):
        # Linux 6.1, LVS-TUN over IPv6 (tests/kernel-check/kernel6/kernel-check-tun6): a
        # 1500-byte segment does not fit the ip6ip6 tunnel; ip_vs_tunnel_xmit_v6 sends a
        # Packet Too Big from inside LOCAL_IN and drops the segment. The error's output
        # is not the segment re-injected; a tunnelled segment's is.
        tcp = ('packet: iif "eth0" ip6 saddr 2001:db8:c::30 ip6 daddr 2001:db8:10::10 '
               'ip6 hoplimit 63 ip6 length 1460 tcp sport 40001 tcp dport 80 tcp flags == ack')
        ptb = ('packet: oif "eth0" ip6 saddr 2001:db8:10::10 ip6 daddr 2001:db8:c::30 '
               'ip6 hoplimit 64 ip6 length 1240 icmpv6 type packet-too-big icmpv6 code no-route')
        tun = ('packet: oif "eth0" ip6 saddr 2001:db8:2::1 ip6 daddr 2001:db8:2::13 '
               'ip6 hoplimit 64 ip6 length 1460')
        lines = []
        for i, out in ((1, ptb), (3, tun)):
            lines += [f"trace id {i:08x} ip6 kctrace prerouting_first {tcp}",
                      f"trace id {i:08x} ip6 kctrace prerouting_last {tcp}",
                      f"trace id {i:08x} ip6 kctrace input_first {tcp}"]
            lines += [f"trace id {i + 1:08x} ip6 kctrace {h}_{pos} {out}"
                      for h in ("output", "postrouting") for pos in ("first", "last")]
        got = [(h, kc.path_text(v)) for h, v in kc.kernel_paths(lines)]
        self.assertEqual(got, [
            ("[2001:db8:c::30]:40001 > [2001:db8:10::10]:80", "PRE_ROUTING, LOCAL_IN (not past)"),
            ("[2001:db8:10::10]:None > [2001:db8:c::30]:None", "LOCAL_OUT, POST_ROUTING"),
            ("[2001:db8:c::30]:40001 > [2001:db8:10::10]:80",
             "PRE_ROUTING, LOCAL_IN (not past), LOCAL_OUT, POST_ROUTING")])

    def test_ipvsim_paths_of_a_stolen_packet(self):
        recs = [{"conn": 1, "pkt": 1, "t": 1, "depth": 0, "kind": k, "func": fn, "hook": h,
                 "verdict": vd, "ip": {"src": "10.0.0.1", "dst": "10.0.0.2", "sport": 1,
                                       "dport": 80}}
                for k, fn, h, vd in (("func", "ip_rcv", None, None),
                                     ("hook_empty", "nf_hook", "PRE_ROUTING", None),
                                     ("func", "ip_local_deliver", None, None),
                                     ("hook", "ip_vs_out_hook", "LOCAL_IN", "ACCEPT"),
                                     ("hook_enter", "ip_vs_in_hook", "LOCAL_IN", None))]
        recs += [dict(recs[0], depth=1, kind="hook", func="ip_vs_out_hook", hook="LOCAL_OUT",
                      verdict="ACCEPT"),
                 dict(recs[0], depth=1, kind="hook_empty", func="nf_hook", hook="POST_ROUTING"),
                 dict(recs[0], depth=0, kind="hook", func="ip_vs_in_hook", hook="LOCAL_IN",
                      verdict="STOLEN")]
        (h, v), = kc.ipvsim_paths(recs)
        self.assertEqual((h, kc.path_text(v)), (
            "10.0.0.1:1 > 10.0.0.2:80",
            "PRE_ROUTING, LOCAL_IN (not past), LOCAL_OUT, POST_ROUTING"))

    def test_tunnels_parsed_and_checksums_checked(self):
        ip = bytes.fromhex("4500001c000040004011" "0000" "c0000201c000020b")  # UDP, DF
        udp = bytes.fromhex("04d2" "0035" "0008" "0000")
        inner = fix_ip_csum(bytearray(ip + udp))
        gre = bytes.fromhex("0000" "0800") + inner
        outer = fix_ip_csum(bytearray(bytes.fromhex("4500") + struct.pack("!H", 20 + len(gre))
                                      + bytes.fromhex("0000" "4000" "3e2f" "0000"
                                                      "c0000201" "c000020e") + gre))
        p = kc.parse_ip(outer, True, set())
        self.assertEqual(kc.hdr(p), "gre flags 0x0000 no csum 192.0.2.1 > 192.0.2.14 ttl 62 "
                         "id 0 DF csum ok, inner 192.0.2.1:1234 > 192.0.2.11:53 ttl 64 DF csum ok/none")
        outer[8] = 61                          # a TTL changed, the checksum not
        self.assertIn("ttl 61 id 0 DF csum BAD, inner", kc.hdr(kc.parse_ip(outer, True, set())))

    def test_pcap_in_microseconds(self):
        frame = bytes(12) + b"\x08\x00" + fix_ip_csum(bytearray(bytes.fromhex(
            "4500001c0001000040110000c0000201c000020b04d200350008ffff")))
        tmp = tempfile.mkdtemp()
        path = os.path.join(tmp, "x.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            f.write(struct.pack("<IIII", 1, 2, len(frame), len(frame)) + frame)
        (src, dst, p), = kc.read_packets(path, set())
        shutil.rmtree(tmp)
        self.assertEqual(kc.hdr(p), "192.0.2.1:1234 > 192.0.2.11:53 ttl 64 csum ok/BAD")


def fix_ip_csum(b):
    ihl = (b[0] & 15) * 4
    b[10:12] = b"\0\0"
    s = sum(struct.unpack(f"!{ihl // 2}H", bytes(b[:ihl])))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[10:12] = struct.pack("!H", ~s & 0xffff)
    return b


class Compare(unittest.TestCase):
    """ipvsim's side for real; a kernel side that says what ipvsim says, then one that
    does not."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.s = scenario()
        cls.conns, cls.listing = kc.ipvsim_side(IPVSIM, cls.s, 4, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def kernel_dir(self, server_of=None):
        k = tempfile.mkdtemp(dir=self.tmp)
        names = {sv["name"]: f"{sv['ip']}:{sv['port']}" for sv in self.s["servers"]}
        with open(os.path.join(k, "servers.log"), "w") as f:
            for c in self.conns:
                srv = (server_of or {}).get(c["client"], c["server"])
                f.write(f"{srv} {c['client']} {c['bytes_out']} {c['bytes_in']} ok\n")
        with open(os.path.join(k, "clients.log"), "w") as f:
            for c in self.conns:
                f.write(f"{c['client']} ok {c['bytes_in']}\n")
        for name, title in (("ipvsadm-Ln.txt", "ipvsadm -Ln"),
                            ("ipvsadm-stats.txt", "ipvsadm -Ln --stats"),
                            ("ipvsadm-Lnc.txt", "ipvsadm -Lnc"),
                            ("ipvsadm-timeout.txt", "ipvsadm -Ln --timeout")):
            lines = kc.section(self.listing, title)
            if name == "ipvsadm-stats.txt":     # the kernel's TCP sends more packets
                lines = [self.more_in_packets(ln) for ln in lines]
            with open(os.path.join(k, name), "w") as f:
                f.write("\n".join(lines) + "\n")
        self.assertTrue(names)
        self.canned_packets(k)
        return k

    def canned_packets(self, k):
        """The guest's captures and trace, made from ipvsim's: its pcaps (nanosecond
        ones, where tcpdump writes microseconds: the reader takes both), the director's
        ip -br link line, and nft monitor trace's lines for the hook paths of its trace."""
        v = os.path.join(self.tmp, "ipvsim")
        for f in os.listdir(os.path.join(v, "pcap")):
            shutil.copy(os.path.join(v, "pcap", f), k)
        mac = kc.director_macs(self.s, k, v)[1]
        with open(os.path.join(k, "lvs1-link.txt"), "w") as f:
            f.write(f"eth0@if18        UP             {mac} <BROADCAST,MULTICAST,UP,LOWER_UP>\n")
        with open(os.path.join(v, "trace-lvs1.jsonl")) as f:
            paths = kc.ipvsim_paths(json.loads(line) for line in f)
        with open(os.path.join(k, "nft-trace.txt"), "w") as f:
            f.write(nft_trace(paths))

    @staticmethod
    def more_in_packets(line):
        f = line.split()
        if f[0] != "TCP":
            return line
        f[3] = str(int(f[3]) + 9)      # TCP VIP:PORT Conns InPkts ...
        return " ".join(f)

    def test_script_is_ipvsims_first_connections(self):
        self.assertEqual(len(self.conns), 4)
        self.assertEqual([c["id"] for c in self.conns], ["1", "2", "3", "4"])

    def test_same_answers_match_and_endpoint_tcp_is_not_counted(self):
        items = kc.compare(self.s, self.conns, self.listing, self.kernel_dir())
        counted = [it for it in items if it["counted"]]
        self.assertTrue(all(it["match"] for it in counted))
        self.assertGreaterEqual(len(counted), 4 * 4 + 5)
        inpkts = [it for it in items if "InPkts" in it["what"] and it["what"].startswith(
            "--stats TCP 203.0.113.10:80 InPkts")]
        self.assertEqual(len(inpkts), 1)
        self.assertFalse(inpkts[0]["match"])
        self.assertFalse(inpkts[0]["counted"])
        out = tempfile.mkdtemp(dir=self.tmp)
        self.assertEqual(kc.write_reports(out, "k", [("c", items)], self.timing()), 0)

    def test_recorded_kernel_results_compare_without_a_vm(self):
        rec = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(rec, "report.json"), "w") as f:
            json.dump({"kernel": "Linux recorded", "kernel_only": True, "items": []}, f)
        k = os.path.join(rec, "kernel-check-nat-rr", "kernel")
        shutil.copytree(self.kernel_dir(), k)
        # kept compressed, as tests/kernel-check/kernel6/ keeps its traces
        subprocess.run(["gzip", os.path.join(k, "nft-trace.txt")], check=True)
        out = os.path.join(self.tmp, "rec-out")
        p = subprocess.run([TOOL, "--ipvsim", IPVSIM, "--connections", "4", "--kernel-results",
                            rec, "-o", out, os.path.join(TOP, "scenarios", "kernel-check-nat-rr.json")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "report.json")) as f:
            rep = json.load(f)
        self.assertEqual((rep["kernel"], rep["mismatches"]), ("Linux recorded", 0))
        self.assertTrue(any("hooks of" in it["what"] and it["match"] for it in rep["items"]))
        self.assertTrue(os.path.isdir(k))              # the recording is left as it was
        p = subprocess.run([TOOL, "--ipvsim", IPVSIM, "--kernel-results", self.tmp, "-o", out,
                            os.path.join(TOP, "scenarios", "kernel-check-nat-rr.json")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no recorded kernel run there", p.stderr)

    def test_a_different_server_is_one_mismatch_in_both_reports(self):
        first = self.conns[0]
        other = next(sv["name"] for sv in self.s["servers"] if sv["name"] != first["server"])
        items = kc.compare(self.s, self.conns, self.listing,
                           self.kernel_dir({first["client"]: other}))
        bad = [it for it in items if it["counted"] and not it["match"]]
        self.assertEqual([it["what"] for it in bad], [f"conn 1 {first['client']}: real server"])
        self.assertEqual((bad[0]["kernel"], bad[0]["ipvsim"]), (other, first["server"]))
        out = tempfile.mkdtemp(dir=self.tmp)
        self.assertEqual(kc.write_reports(out, "k", [("c", items)], self.timing()), 1)
        with open(os.path.join(out, "report.json")) as f:
            rep = json.load(f)
        self.assertEqual(rep["mismatches"], 1)
        self.assertEqual(rep["kernel"], "k")
        with open(os.path.join(out, "report.md")) as f:
            md = f.read()
        self.assertIn(f"| conn 1 {first['client']}: real server | {other} | {first['server']} | NO |",
                      md)

    def test_a_rewrite_or_a_hook_path_that_differs_is_counted(self):
        k = self.kernel_dir()
        first = self.conns[0]["client"]
        # the director's first sent frame (the SYN to the real server) one TTL lower
        pcap = os.path.join(k, "lvs1-eth0.pcap")
        mac = bytes.fromhex(kc.director_macs(self.s, k, os.path.join(self.tmp, "ipvsim"))[0]
                            .replace(":", ""))
        with open(pcap, "rb") as f:
            data = bytearray(f.read())
        off = 24
        while data[off + 16 + 6:off + 16 + 12] != mac:
            off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
        data[off + 16 + 14 + 8] -= 1
        with open(pcap, "wb") as f:
            f.write(data)
        # and the first packet getting past input's +300 chain: then the output after it
        # is a packet of the director's own
        trace = os.path.join(k, "nft-trace.txt")
        with open(trace) as f:
            lines = f.read().splitlines()
        lines.insert(next(i for i, ln in enumerate(lines) if " input_first " in ln) + 2,
                     lines[next(i for i, ln in enumerate(lines) if " input_first " in ln)]
                     .replace("input_first", "input_last"))
        with open(trace, "w") as f:
            f.write("\n".join(lines) + "\n")
        items = kc.compare(self.s, self.conns, self.listing, k)
        bad = [it for it in items if it["counted"] and not it["match"]]
        self.assertEqual([it["what"] for it in bad], [
            f"conn 1 {first}: lvs1 rewrites",
            f"conn 1 {first}: lvs1 hooks of {first} > 203.0.113.10:80"])
        self.assertIn("ttl -2 id kept DF kept csum BAD/ok", bad[0]["kernel"])
        self.assertNotIn("BAD", bad[0]["ipvsim"])
        self.assertEqual(bad[1]["kernel"].split(" | "), [
            "LOCAL_OUT, POST_ROUTING", "PRE_ROUTING, LOCAL_IN",
            "PRE_ROUTING, LOCAL_IN (not past), LOCAL_OUT, POST_ROUTING"])
        ep = [it for it in items if "(endpoint TCP)" in it["what"] and "packets in/out" in it["what"]]
        self.assertEqual(len(ep), 4)
        self.assertTrue(all(not it["counted"] and it["match"] for it in ep))

    def test_a_connection_that_timed_out_on_both_sides_matches(self):
        # ipvsim's connections.csv names the scheduled server of a connection that never
        # got there; the guest's servers name none, its client says connect timed out.
        conns = [dict(c) for c in self.conns]
        conns[0]["outcome"] = "TIMEOUT"
        conns[0]["bytes_out"] = "0"         # a connect that timed out sent no request
        k = self.kernel_dir()
        first = conns[0]["client"]
        for name, keep in (("servers.log", lambda ln: ln.split()[1] != first),
                           ("clients.log", lambda ln: ln.split()[0] != first)):
            with open(os.path.join(k, name)) as f:
                lines = [ln for ln in f if keep(ln)]
            if name == "clients.log":
                lines.insert(0, f"{first} fail connect: Connection timed out\n")
            with open(os.path.join(k, name), "w") as f:
                f.writelines(lines)
        items = {it["what"]: it for it in kc.compare(self.s, conns, self.listing, k)}
        for what, want in (("real server", "-"), ("outcome", "TIMEOUT")):
            it = items[f"conn 1 {first}: {what}"]
            self.assertEqual((it["kernel"], it["ipvsim"], it["match"]), (want, want, True))
        self.assertEqual(kc.client_outcome("a:1 fail recv: Connection reset by peer".split()),
                         "RESET")
        self.assertEqual(kc.client_outcome("a:1 fail recv: short".split()), "failed: recv: short")

    def test_a_guest_that_ran_nothing_mismatches_everything(self):
        items = kc.compare(self.s, self.conns, self.listing, tempfile.mkdtemp(dir=self.tmp))
        self.assertFalse(any(it["match"] for it in items if it["what"].endswith("real server")))

    @staticmethod
    def timing():
        return {"accelerator": "tcg", "wall_s": 1.0, "ipvsim_s": 0.1, "total_s": 1.1,
                "cases": {"c": {"status": 0, "guest_s": 1.0, "host_end_s": 1.0}}}


class Script(unittest.TestCase):
    """A group with a script of its own: used as it is on both sides, its CSV form read
    as its array, a reused address:port compared connection by connection, and -Lnc's
    expire column compared within the collection's span."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.s = scenario("scripted-clients")
        cls.conns, cls.listing = kc.ipvsim_side(IPVSIM, cls.s, 6, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_the_script_verbatim(self):
        script = self.s["clients"][0]["script"]
        self.assertEqual([c["client"] for c in self.conns], [e["src"] for e in script[:6]])
        self.assertEqual([int(c["start_ns"]) for c in self.conns],
                         [10_000_000, 20_000_000, 30_000_000, 1_000_000_000, 2_000_000_000,
                          2_500_000_000])
        self.assertEqual(self.conns[3]["outcome"], "OK")
        run_sh, txt = kc.guest_script(self.s, self.conns, 0)
        # each connection not before its time, from the first; UDP by the UDP client
        self.assertIn("at 0.990000\nn web kc-traffic client 198.51.100.7:40001 203.0.113.10:80 "
                      "300 4000 >> $O/clients.log\n", run_sh)
        self.assertIn("at 1.990000\nn web kc-traffic uclient 198.51.100.9:5353 ", run_sh)
        self.assertEqual(run_sh.count("kc-traffic serve "), 2)
        self.assertEqual(run_sh.count("kc-traffic userve "), 2)
        self.assertEqual(txt.splitlines()[5], "198.51.100.9:5353 40 200")

    def test_csv_reads_as_the_array(self):
        p = os.path.join(self.tmp, "s.csv")
        with open(p, "w") as f:
            f.write("# a script\nsrc, at,request,response,protocol\n\n"
                    "198.51.100.7:40001,10ms,300,4KB,tcp\n")
        self.assertEqual(kc.read_script_csv(p), [{"src": "198.51.100.7:40001", "at": "10ms",
                                                 "request": 300, "response": "4KB",
                                                 "protocol": "tcp"}])
        self.assertEqual([kc.size_bytes(v) for v in (300, "300B", "4KB", "4KiB", "1.5MB")],
                         [300, 300, 4000, 4096, 1500000])

    def test_other_sizes_for_the_same_src_are_refused(self):
        s = json.loads(json.dumps(self.s))
        s["clients"][0]["script"][3]["response"] = "5KB"
        out = kc.unmirrorable(s)
        self.assertEqual(len(out), 1)
        self.assertIn("198.51.100.7:40001 used again with other sizes", out[0])

    def kernel_dir(self, lnc=None, times=None, refused=()):
        k = tempfile.mkdtemp(dir=self.tmp)
        with open(os.path.join(k, "servers.log"), "w") as f:
            for i, c in enumerate(self.conns):
                if i not in refused:
                    f.write(f"{c['server']} {c['client']} 1 1 ok\n")
        with open(os.path.join(k, "clients.log"), "w") as f:
            for i, c in enumerate(self.conns):
                f.write(f"{c['client']} ok 1\n" if i not in refused else
                        f"{c['client']} fail connect: Cannot assign requested address\n")
        with open(os.path.join(k, "ipvsadm-Lnc.txt"), "w") as f:
            f.write("\n".join(lnc or kc.section(self.listing, "ipvsadm -Lnc")) + "\n")
        for name, t in (times or {}).items():
            with open(os.path.join(k, name), "w") as f:
                f.write(f"{t}\n")
        return k

    def per_conn(self, items, what):
        return [it for it in items if it["what"].startswith("conn ") and what in it["what"]]

    def test_a_reused_src_is_compared_connection_by_connection(self):
        items = kc.compare(self.s, self.conns, self.listing, self.kernel_dir())
        outcomes = self.per_conn(items, ": outcome")
        self.assertEqual([it["kernel"] for it in outcomes], ["OK"] * 6)
        self.assertTrue(all(it["match"] for it in outcomes))
        servers = self.per_conn(items, ": real server")
        self.assertEqual([it["kernel"] for it in servers], [c["server"] for c in self.conns])
        self.assertTrue(all(it["match"] for it in servers))
        # a kernel that refused the reuse (EADDRNOTAVAIL): that connection, and only it,
        # differs, served by no one; the later ones keep their own servers
        items = kc.compare(self.s, self.conns, self.listing, self.kernel_dir(refused=(3,)))
        # (the canned guest has no captures or trace: the packet and hook items are not
        # what this test is about)
        packets = ("rewrites", "receives", "sends", "hooks", "packets in/out", "takes in")
        bad = [it for it in items if it["what"].startswith("conn ") and not it["match"]
               and not any(w in it["what"] for w in packets)]
        self.assertEqual([(it["what"], it["kernel"]) for it in bad],
                         [("conn 4 198.51.100.7:40001: real server", "-"),
                          ("conn 4 198.51.100.7:40001: outcome", "ADDRNOTAVAIL")])

    def test_failures_read_as_connections_csv_outcomes(self):
        # kc-traffic's lines against connections.csv's words; a connect that failed was
        # served by no one on either side, whatever IPVS scheduled it to
        for line, want in (("a:1 ok 5", "OK"),
                           ("a:1 fail connect: Connection timed out", "TIMEOUT"),
                           ("a:1 fail connect: Connection refused", "REFUSED"),
                           ("a:1 fail connect: Cannot assign requested address", "ADDRNOTAVAIL"),
                           ("a:1 fail bind/connect: Address already in use", "ADDRNOTAVAIL"),
                           ("a:1 fail recv: Connection timed out", "TIMEOUT"),
                           ("a:1 fail send: Broken pipe", "failed: send: Broken pipe")):
            self.assertEqual(kc.client_outcome(line.split()), want)
        c = {"outcome": "TIMEOUT", "bytes_out": "0", "server": "rs4"}
        self.assertEqual(kc.served_by(c), "-")
        self.assertEqual(kc.served_by(dict(c, bytes_out="40")), "rs4")   # a response timeout
        self.assertEqual(kc.served_by(dict(c, outcome="OK", bytes_out="40")), "rs4")
        self.assertEqual(kc.served_by(dict(c, outcome="ADDRNOTAVAIL", server="")), "-")

    def test_expire_within_the_collection_span(self):
        lnc = kc.section(self.listing, "ipvsadm -Lnc")
        v = {ln.split()[3]: ln.split()[1] for ln in lnc if ln.startswith(("TCP", "UDP"))}
        span = kc.collection_span(self.conns, self.kernel_dir())
        # ipvsim's own side: from the first connection to its listing, 3 s after the last
        self.assertAlmostEqual(span, 2.5 - 0.01 + 3 + 0.003203572, places=6)

        def shifted(by):
            out = []
            for ln in lnc:
                f = ln.split()
                if f[0] in ("TCP", "UDP"):
                    sec = kc.mmss(f[1]) + by
                    f[1] = f"{sec // 60:02d}:{sec % 60:02d}"
                out.append(" ".join(f))
            return out
        for by, match in ((0, True), (int(span) + 1, True), (int(span) + 2, False)):
            items = kc.compare(self.s, self.conns, self.listing, self.kernel_dir(shifted(by)))
            exp = self.per_conn(items, "-Lnc expire")
            self.assertEqual(len(exp), 6)
            self.assertTrue(all(it["match"] == match for it in exp), (by, exp))
            self.assertTrue(all(it["ipvsim"] == v[it["what"].split()[2][:-1]] for it in exp))
        # the guest's own span when it is the longer one
        k = self.kernel_dir(times={"t-first": "10.00", "t-lnc": "110.50"})
        self.assertEqual(kc.collection_span(self.conns, k), 100.5)
        self.assertIsNone(kc.mmss("-"))


def scenario6(name="kernel-check-nat6"):
    """An IPv6 case: a curated one (scenarios/) or one waiting in tests/kernel-check/."""
    path = os.path.join(TOP, "scenarios", name + ".json")
    if not os.path.exists(path):
        path = os.path.join(TOP, "tests", "kernel-check", name + ".json")
    with open(path) as f:
        return json.load(f)


def l4_csum6(src, dst, proto, l4):
    """l4 with its checksum over the IPv6 pseudo-header (RFC 8200, 8.1) filled in."""
    pseudo = src + dst + struct.pack("!IxxxB", len(l4), proto)
    off = {6: 16, 17: 6, 58: 2}[proto]
    l4 = bytearray(l4)
    l4[off:off + 2] = b"\0\0"
    b = pseudo + bytes(l4) + (b"\0" if len(l4) % 2 else b"")
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    l4[off:off + 2] = struct.pack("!H", ~s & 0xffff)
    return bytes(l4)


def ip6(src, dst, nh, payload, hlim=64):
    import ipaddress
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim)
            + ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload)


class IPv6(unittest.TestCase):
    """IPv6 cases: the world, the guest's commands and the packets (the kernel side runs
    them with --kernel-only until ipvsim runs IPv6 scenarios)."""

    def test_addresses_in_ipvsadms_notation(self):
        self.assertEqual(kc.split_hostport("[2001:db8::11]:8080"), ("2001:db8::11", "8080"))
        self.assertEqual(kc.split_hostport("[2001:db8::11]"), ("2001:db8::11", None))
        self.assertEqual(kc.split_hostport("2001:db8::11"), ("2001:db8::11", None))
        self.assertEqual(kc.split_hostport("192.0.2.11:80"), ("192.0.2.11", "80"))
        self.assertEqual(kc.hostport("2001:db8::11", 80), "[2001:db8::11]:80")
        self.assertEqual(kc.hostport("192.0.2.11", 80), "192.0.2.11:80")

    def test_lan_plan_over_the_servers_64(self):
        self.assertEqual(kc.lan_plan(scenario6()),
                         ("2001:db8:2::/64", "2001:db8:2::1", "2001:db8:2::fe"))
        s = scenario6()
        s["servers"][0]["ip"] = "2001:db8:2:0::1"      # another spelling of ::1 is taken
        self.assertEqual(kc.lan_plan(s)[1], "2001:db8:2::2")

    def test_dest_methods_in_brackets(self):
        m = {a: v["method"] for a, v in kc.dest_forwarding(scenario6("kernel-check-tun6")["ipvs"]).items()}
        self.assertEqual(m, {"2001:db8:2::11": "TUN", "2001:db8:2::12": "TUN",
                             "2001:db8:2::13": "TUN"})
        self.assertEqual(kc.dest_forwarding(["-a -t [2001:db8::10]:80 -r 2001:DB8:0::11 -m"]),
                         {"2001:db8::11": {"method": "NAT", "tun_type": "ipip", "tun_port": 0}})

    def test_what_cannot_be_mirrored_yet_is_named(self):
        for name in ("kernel-check-nat6", "kernel-check-dr6", "kernel-check-tun6"):
            self.assertEqual(kc.unmirrorable(scenario6(name)), [], name)
        s = scenario6("kernel-check-tun6")
        s["ipvs"][1] += " --tun-type gue --tun-port 6080"
        s["ipvs"][2] = "-a -t [2001:db8:10::10]:80 -r 192.0.2.12:80 -i"
        out = kc.unmirrorable(s)
        self.assertEqual(len(out), 2, out)
        self.assertIn("real server 192.0.2.12 of another family than the VIP", out[0])
        self.assertIn("2001:db8:2::11: IPv6 tunnels over GUE", out[1])

    def guest(self, name):
        s = scenario6(name)
        conns = kc.script_connections(s, 12)
        return kc.guest_script(s, conns, 0), conns

    def test_the_script_is_the_groups(self):
        s = scenario6()
        conns = kc.script_connections(s, 12)
        self.assertEqual(len(conns), 12)
        self.assertEqual(conns[0]["client"], "[2001:db8:c::6]:40001")
        self.assertEqual([c["start_ns"] for c in conns[:2]], ["100000000", "300000000"])
        self.assertEqual(conns[-1]["proto"], "udp")
        self.assertEqual(kc.duration_ns("1.5s"), 1500000000)
        self.assertEqual(kc.duration_ns("200us"), 200000)
        with self.assertRaises(kc.BadInput):
            kc.duration_ns("soon")

    def test_the_guest_world_in_ipv6(self):
        (run, script), _ = self.guest("kernel-check-nat6")
        lines = run.splitlines()
        for want in ("ip -n lvs1 addr add 2001:db8:2::1/64 dev eth0 nodad",
                     "ip -n lvs1 addr add 2001:db8:10::10/128 dev eth0 nodad",
                     "ip -n lvs1 -6 route add default via 2001:db8:2::fe",
                     "sc lvs1 net/ipv6/conf/all/forwarding 1",
                     "sc gw net/ipv6/conf/all/forwarding 1",
                     "ip -n gw -6 route add 2001:db8:10::10/128 via 2001:db8:2::1",
                     "ip -n gw addr add fd00:64::1/64 dev eth0 nodad",
                     "ip -n rs2 -6 route add default via 2001:db8:2::1",
                     "ip -n web -6 route add local 2001:db8:c::/64 dev lo",
                     "sc web net/ipv6/ip_nonlocal_bind 1",
                     ):
            self.assertIn(want, lines)
        self.assertFalse([ln for ln in lines if "send_redirects" in ln or "arp_" in ln])
        self.assertIn("n lvs1 ipvsadm -A -t '[2001:db8:10::10]:80' -s wrr || ", run)
        self.assertIn("n rs1 kc-traffic serve6 rs1 8080 ", run)
        self.assertIn("n rs1 kc-traffic userve6 rs1 8080 ", run)
        self.assertIn("n web kc-traffic client '[2001:db8:c::6]:40001' '[2001:db8:10::10]:80' "
                      "300 4000 ", run)
        self.assertIn("add table ip6 kctrace; add chain ip6 kctrace prerouting_first", run)
        # the probe table after the ipvsadm lines: IPVS's hooks are registered with its
        # first service, and a probe of the same priority runs before them (LIFO)
        probe = run.index("n lvs1 nft 'add table ip6 kcprobe; ")
        self.assertLess(run.rindex("ipvsadm -a -u"), probe)
        self.assertIn("add chain ip6 kcprobe input_p99 { type filter hook input priority 99 ; }",
                      run)
        self.assertEqual(script.splitlines()[0], "[2001:db8:c::6]:40001 300 4000")

    def test_dr_and_tun_real_servers(self):
        (run, _), _ = self.guest("kernel-check-dr6")
        self.assertIn("ip -n rs3 addr add 2001:db8:10::10/128 dev lo nodad", run.splitlines())
        self.assertIn("ip -n rs3 -6 route add default via 2001:db8:2::fe", run.splitlines())
        (run, _), _ = self.guest("kernel-check-tun6")
        self.assertIn("ip -n rs1 link set ip6tnl0 up", run.splitlines())
        self.assertIn("ip -n rs1 addr add 2001:db8:10::10/128 dev ip6tnl0 nodad", run.splitlines())
        self.assertFalse([ln for ln in run.splitlines() if ln.endswith(" tunl0")])

    def test_ipv6_packets_and_ip6ip6(self):
        c, v, r = "2001:db8:c::6", "2001:db8:10::10", "2001:db8:2::11"
        import ipaddress
        tcp = bytes.fromhex("9c41" "0050" "00000001" "00000000" "5002ffff" "0000" "0000")
        inner = ip6(c, v, 6, l4_csum6(ipaddress.IPv6Address(c).packed,
                                      ipaddress.IPv6Address(v).packed, 6, tcp), hlim=63)
        p = kc.parse_ip6(inner, True, set())
        self.assertEqual(kc.hdr(p), "[2001:db8:c::6]:40001 > [2001:db8:10::10]:80 hlim 63 csum ok")
        self.assertEqual(kc.ends(p), ("[2001:db8:c::6]:40001", "[2001:db8:10::10]:80"))
        outer = ip6("2001:db8:2::1", r, 41, inner)
        q = kc.parse_ip6(outer, True, set())
        self.assertEqual(kc.hdr(q), "ip6ip6 2001:db8:2::1 > 2001:db8:2::11 hlim 64, inner "
                         "[2001:db8:c::6]:40001 > [2001:db8:10::10]:80 hlim 63 csum ok")
        self.assertEqual(kc.rewrite(p, q), "[2001:db8:c::6]:40001 > [2001:db8:10::10]:80 => "
                         "ip6ip6 2001:db8:2::1 > 2001:db8:2::11 hlim 64, inner "
                         "[2001:db8:c::6]:40001 > [2001:db8:10::10]:80 hlim +0 csum ok")
        bad = bytearray(inner)
        bad[-1] ^= 1
        self.assertIn("csum BAD", kc.hdr(kc.parse_ip6(bytes(bad), True, set())))
        frame = bytes(12) + b"\x86\xdd" + outer
        tmp = tempfile.mkdtemp()
        path = os.path.join(tmp, "x.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            f.write(struct.pack("<IIII", 1, 2, len(frame), len(frame)) + frame)
        (_, _, got), = kc.read_packets(path, set())
        shutil.rmtree(tmp)
        self.assertEqual(kc.hdr(got), kc.hdr(q))

    def test_nft_trace_of_ip6(self):
        f = ("ip6 saddr 2001:db8:c::6 ip6 daddr 2001:db8:10::10 ip6 dscp cs0 ip6 ecn not-ect "
             "ip6 hoplimit 63 ip6 flowlabel 0 ip6 nexthdr tcp ip6 length 40 tcp sport 40001 "
             "tcp dport 80 tcp flags == syn").split()
        self.assertEqual(kc.nft_packet_ends(f), "[2001:db8:c::6]:40001 > [2001:db8:10::10]:80")

    def test_probe_paths(self):
        c, v, r = "2001:db8:c::6", "2001:db8:10::10", "2001:db8:2::11"

        def line(table, chain, src, dst, sp, dp):
            return (f"trace id 1 ip6 {table} {chain} packet: iif \"eth0\" ip6 saddr {src} "
                    f"ip6 daddr {dst} ip6 nexthdr tcp tcp sport {sp} tcp dport {dp}")
        lines = [line("kctrace", "input_first", c, v, 40001, 80),
                 line("kcprobe", "input_p97", c, v, 40001, 80),
                 line("kcprobe", "input_p98", c, v, 40001, 80),
                 line("kctrace", "forward_first", r, c, 8080, 40001),
                 line("kcprobe", "forward_p99", r, c, 8080, 40001),
                 line("kcprobe", "forward_p100", v, c, 80, 40001),
                 line("kctrace", "forward_last", v, c, 80, 40001)]
        runs = kc.probe_paths(lines)
        self.assertEqual([(h, [p for p, _ in st], passed) for h, st, passed in runs],
                         [("LOCAL_IN", [97, 98], False), ("FORWARD", [99, 100], True)])
        tmp = tempfile.mkdtemp()
        with open(os.path.join(tmp, "nft-trace.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        items = kc.probe_items([{"client": "[2001:db8:c::6]:40001"}], tmp, "lvs1")
        shutil.rmtree(tmp)
        self.assertEqual(items[0]["kernel"],
                         "LOCAL_IN: 97 [2001:db8:c::6]:40001 > [2001:db8:10::10]:80, 98 (stolen) | "
                         "FORWARD: 99 [2001:db8:2::11]:8080 > [2001:db8:c::6]:40001, "
                         "100 [2001:db8:10::10]:80 > [2001:db8:c::6]:40001")

    def test_icmp6_packet_too_big_belongs_to_its_connection(self):
        import ipaddress
        c, v = "2001:db8:c::30", "2001:db8:10::10"
        tcp = bytes.fromhex("9c41" "0050" "00000001" "00000000" "5010ffff" "0000" "0000") + bytes(1388)
        quoted = ip6(c, v, 6, tcp, hlim=62)[:1232]
        icmp = bytes([2, 0, 0, 0]) + struct.pack("!I", 1460) + quoted
        icmp = l4_csum6(ipaddress.IPv6Address(v).packed, ipaddress.IPv6Address(c).packed, 58,
                        icmp[:2] + b"\0\0" + icmp[4:])
        p = kc.parse_ip6(ip6(v, c, 58, icmp), True, set())
        self.assertEqual(kc.ends(p), ("[2001:db8:c::30]:40001", "[2001:db8:10::10]:80"))
        self.assertEqual(kc.hdr(p), "2001:db8:10::10 > 2001:db8:c::30 hlim 64 icmp6 packet too "
                         "big code 0 mtu 1460 csum ok, quoting [2001:db8:c::30]:40001 > "
                         "[2001:db8:10::10]:80 hlim 62 csum ?")

    def test_the_recorded_kernel_run_reads_back(self):
        """tests/kernel-check/kernel6 (--kernel-only on Debian's 6.1) reads back as its
        report says: what --kernel-results compares ipvsim with."""
        rec = os.path.join(TOP, "tests", "kernel-check", "kernel6")
        with open(os.path.join(rec, "report.json")) as f:
            report = json.load(f)
        self.assertTrue(report["kernel"].startswith("Linux 6.1."))
        self.assertEqual(report["mismatches"], 0)
        for name in ("kernel-check-nat6", "kernel-check-dr6", "kernel-check-tun6"):
            s = scenario6(name)
            conns = kc.script_connections(s, 12)
            k = os.path.join(rec, name, "kernel")
            items = (kc.compare(s, conns, "", k, os.path.join(k, "no-ipvsim"))
                     + kc.probe_items(conns, k, "lvs1"))
            got = {f"{name}: {it['what']}": it["kernel"] for it in items}
            want = {it["what"]: it["kernel"] for it in report["items"]
                    if it["what"].startswith(name + ":")}
            self.assertEqual(got, want, name)
        served = [want for want in report["items"] if want["what"].endswith(": real server")]
        self.assertEqual([it["kernel"] for it in served[:9]],      # nat6: wrr 3, 1, 2
                         ["rs3", "rs2", "rs1", "rs1", "rs3", "rs1", "rs3", "rs2", "rs1"])

    def test_kernel_only_report(self):
        tmp = tempfile.mkdtemp()
        items = [{"what": "conn 1 [2001:db8:c::6]:40001: real server", "kernel": "rs1",
                  "ipvsim": "-"},
                 {"what": "-Ln TCP [2001:db8:10::10]:80", "kernel": "wrr", "ipvsim": "-"}]
        timing = {"accelerator": "tcg", "wall_s": 1, "total_s": 2}
        self.assertEqual(kc.write_reports(tmp, "Linux", [("nat6", items)], timing, True), 0)
        with open(os.path.join(tmp, "report.json")) as f:
            r = json.load(f)
        self.assertTrue(r["kernel_only"])
        self.assertEqual([(it["kernel"], it["ipvsim"], it["counted"]) for it in r["items"]],
                         [("rs1", "not run", False), ("wrr", "not run", False)])
        with open(os.path.join(tmp, "report.md")) as f:
            self.assertIn("| -Ln TCP [2001:db8:10::10]:80 | wrr |", f.read())
        failed = items + [{"what": "guest setup: ipvsadm failed: -A", "kernel": "failed"}]
        self.assertEqual(kc.write_reports(tmp, "Linux", [("nat6", failed)], timing, True), 1)
        shutil.rmtree(tmp)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test-kernel-check.py path/to/ipvsim")
    IPVSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=1)
