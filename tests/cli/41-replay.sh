# Replay your own traffic: a client group's "replay" of a pcap or CSV file of conversations.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/scenario/replay.c

mkdir -p "$tmp/rp"
# The pair: replay-record.json's client captures are the committed pcaps, byte for byte.
"$IPVSIM" run -q scenarios/replay-record.json -o "$tmp/rp/rec" >/dev/null 2>"$tmp/rp/rec.err"
check "replay-record: runs (exit 0)" test $? -eq 0
for g in web dns; do
  check "replay-record: its $g capture is scenarios/replay-record-$g.pcap" \
    cmp -s "$tmp/rp/rec/pcap/$g-eth0.pcap" "scenarios/replay-record-$g.pcap"
done
"$IPVSIM" run -q scenarios/replay-sh.json -o "$tmp/rp/rep" >/dev/null 2>"$tmp/rp/rep.err"
check "replay-sh: runs (exit 0)" test $? -eq 0
# every conversation again: time, client address:port, destination, protocol, real server, outcome, sizes
cut -d, -f2,4-7,9-11 "$tmp/rp/rec/connections.csv" >"$tmp/rp/rec.cols"
cut -d, -f2,4-7,9-11 "$tmp/rp/rep/connections.csv" >"$tmp/rp/rep.cols"
check "replay-sh: each recorded conversation again, at its time from its address:port, with its sizes, to the same server ($(($(wc -l <"$tmp/rp/rec.cols") - 1)))" \
  cmp -s "$tmp/rp/rec.cols" "$tmp/rp/rep.cols"
check "replay-sh: web connections of two requests each (requests per connection from the pcap)" \
  test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connections"]["total"])' "$tmp/rp/rep/summary.json")" -eq 61
check "replay-sh: warns that each recording ends before the run" \
  test "$(grep -c "warning: clients\[[01]\].replay: .*none after that (\"loop\": true repeats them" "$tmp/rp/rep.err")" -eq 2

# The same conversations as a CSV (the documented columns, no header): the same servers under sh.
awk -F, 'NR > 1 { split($4, c, ":"); printf "%d.%09d,%s,%s,%s,%d,%d,%s\n", $2 / 1e9, $2 % 1000000000, c[1], c[2], $6, $11, $10, $5 }' \
  "$tmp/rp/rec/connections.csv" >"$tmp/rp/conv.csv"
python3 - "$tmp/rp" <<'EOF'
import json, sys
s = json.load(open("scenarios/replay-sh.json"))
s["clients"] = [{"name": "recorded", "replay": "conv.csv", "start": "6880177ns"}]
s.pop("expect")
json.dump(s, open(sys.argv[1] + "/csv.json", "w"), indent=1)
EOF
"$IPVSIM" run -q "$tmp/rp/csv.json" -o "$tmp/rp/csv" >/dev/null 2>&1
check "CSV replay: runs (exit 0)" test $? -eq 0
cut -d, -f2,4-7,9-11 "$tmp/rp/csv/connections.csv" | tail -n +2 | sort >"$tmp/rp/csv.cols"
tail -n +2 "$tmp/rp/rec.cols" | sort >"$tmp/rp/rec.sorted"
check "CSV replay: the recorded conversations, servers and sizes again (one group for TCP and UDP)" \
  cmp -s "$tmp/rp/rec.sorted" "$tmp/rp/csv.cols"

# loop: off by default (the replay ends, and every command says so), on: it repeats
cat >"$tmp/rp/l.csv" <<'EOF'
time,client,port,protocol,request,response
0,198.51.100.7,0,tcp,300,4000
0.5,198.51.100.8,0,tcp,300,4000
1,198.51.100.9,0,udp,40,200
EOF
cat >"$tmp/rp/l.json" <<'EOF'
{ "duration": "5s", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "replay": "l.csv" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
            "-A -u 203.0.113.10:80 -s rr", "-a -u 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" validate "$tmp/rp/l.json" >/dev/null 2>"$tmp/rp/l.err"
check "a short replay: validate warns that it ends before the run" \
  grep -q "^$tmp/rp/l.json:2:72: warning: clients\[0\].replay: $tmp/rp/l.csv: its 3 conversations start by 1.000 s, and the group stops at 5.000 s: none after that" "$tmp/rp/l.err"
line=$("$IPVSIM" run "$tmp/rp/l.json" -o "$tmp/rp/l" 2>/dev/null)
check "a short replay: replayed once (3 conversations), the end-of-run line points at the warning" \
  test "$(($(grep -c . "$tmp/rp/l/connections.csv") - 1))" -eq 3 -a -n "$(echo "$line" | grep '(1 warning on stderr)$')"
"$IPVSIM" run -q "$tmp/rp/l.json" --set clients.0.loop=true -o "$tmp/rp/l" >/dev/null 2>"$tmp/rp/l.err"
n=$(($(grep -c . "$tmp/rp/l/connections.csv") - 1))
check "a short replay with loop: repeated every 1.5 s (its span and its mean gap) until the run ends: 10 ($n), no warning" \
  test "$n" -eq 10 -a ! -s "$tmp/rp/l.err"
check "a short replay with loop: the 4th conversation at 1.5 s" \
  test "$(sed -n 5p "$tmp/rp/l/connections.csv" | cut -d, -f2)" = 1500000000

# bad input: FILE:LINE:COL (a pcap: its packet and offset), exit 2, nothing written
bad_replay() { # bad_replay NAME FILE PATTERN
  sed "s|\"l.csv\"|\"$2\"|" "$tmp/rp/l.json" >"$tmp/rp/b.json"
  rm -rf "$tmp/rp/b"
  "$IPVSIM" run -q "$tmp/rp/b.json" -o "$tmp/rp/b" >/dev/null 2>"$tmp/rp/b.err"
  local rc=$?
  check "$1: exit 2 ($rc)" test $rc -eq 2
  check "$1: names the place" grep -q "$3" "$tmp/rp/b.err"
  check "$1: nothing written" test ! -e "$tmp/rp/b"
}
printf 'time,client,port,protocol,request,response\n0,198.51.100.7,0,tcp,300,4000\n1,198.51.100.7,0,tcp,3OO,4000\n' >"$tmp/rp/bad.csv"
bad_replay "a malformed CSV line" bad.csv "^$tmp/rp/b.json:2:72: clients\[0\].replay: $tmp/rp/bad.csv:3:22: expected a size"
head -c 1000 scenarios/replay-record-web.pcap >"$tmp/rp/cut.pcap"
bad_replay "a truncated pcap" cut.pcap "$tmp/rp/cut.pcap: packet 11 (offset 966): truncated dump file"
python3 - "$tmp/rp" <<'EOF'
import struct, sys
d = sys.argv[1]
hdr = lambda link: struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, link)
open(d + "/wifi.pcap", "wb").write(hdr(105))
# Ethernet: an IPv6 frame and an ARP frame, no IPv4
v6 = b"\0" * 12 + b"\x86\xdd" + b"\x60" + b"\0" * 39
arp = b"\0" * 12 + b"\x08\x06" + b"\0" * 28
rec = lambda f: struct.pack("<IIII", 1, 0, len(f), len(f)) + f
open(d + "/v6.pcap", "wb").write(hdr(1) + rec(v6) + rec(arp))
# a TCP SYN whose IPv4 header says 60 bytes of options and the capture holds 34
syn = b"\0" * 12 + b"\x08\x00" + b"\x4f" + b"\0" * 19
open(d + "/short.pcap", "wb").write(hdr(1) + rec(syn))
EOF
bad_replay "a pcap of another link type" wifi.pcap "$tmp/rp/wifi.pcap: link type 105 (IEEE802_11) is not read"
bad_replay "a pcap without IPv4" v6.pcap "$tmp/rp/v6.pcap: holds no TCP connection with its SYN and no UDP flow over IPv4 (2 packets: 2 not IPv4"
bad_replay "a pcap whose IPv4 header is cut" short.pcap "$tmp/rp/short.pcap: packet 1 (offset 24): "
bad_replay "a replay file that is not there" none.pcap "cannot read the replay file '$tmp/rp/none.pcap'"

# kernel-check does not mirror a replay (yet), and says so
"$IPVSIM" kernel-check --dry-run -o "$tmp/rp/kc" scenarios/replay-sh.json >/dev/null 2>"$tmp/rp/kc.err"
rc=$?
check "kernel-check refuses a replay (exit 2: $rc), naming it" \
  test $rc -eq 2 -a -n "$(grep 'clients\[0\].replay (not mirrored yet' "$tmp/rp/kc.err")"

# the same capture as pcapng (editcap), raw IP and Linux cooked (its Ethernet headers rewritten):
# the same conversations
python3 - scenarios/replay-record-web.pcap "$tmp/rp" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
head, body = data[:24], data[24:]
for name, link, wrap in (("raw", 101, lambda f: f[14:]),
                         ("sll", 113, lambda f: b"\0\0\0\1\0\6" + f[6:12] + b"\0\0" + f[12:])):
    out = [head[:20] + struct.pack("<I", link)]
    i = 0
    while i < len(body):
        s, us, cap, ln = struct.unpack("<IIII", body[i:i + 16])
        f = wrap(body[i + 16:i + 16 + cap])
        out.append(struct.pack("<IIII", s, us, len(f), ln - cap + len(f)) + f)
        i += 16 + cap
    open(f"{sys.argv[2]}/web-{name}.pcap", "wb").write(b"".join(out))
PY
links="raw sll"
if command -v editcap >/dev/null; then
  editcap -F pcapng scenarios/replay-record-web.pcap "$tmp/rp/web-ng.pcap" && links="$links ng"
fi
python3 - "$tmp/rp" <<'PY'
import json, sys
s = json.load(open("scenarios/replay-sh.json"))
s["clients"] = [s["clients"][0]]
s.pop("expect")
json.dump(s, open(sys.argv[1] + "/web.json", "w"), indent=1)
PY
for l in pcap $links; do
  sed "s|\"replay-record-web.pcap\"|\"$tmp/rp/web-$l.pcap\"|" "$tmp/rp/web.json" >"$tmp/rp/web-$l.json"
  [ "$l" = pcap ] && sed -i "s|\"$tmp/rp/web-pcap.pcap\"|\"$PWD/scenarios/replay-record-web.pcap\"|" "$tmp/rp/web-pcap.json"
  "$IPVSIM" run -q "$tmp/rp/web-$l.json" -o "$tmp/rp/web-$l" >/dev/null 2>&1
  [ "$l" = pcap ] && continue
  check "the web capture as $l: the same conversations" \
    cmp -s "$tmp/rp/web-pcap/connections.csv" "$tmp/rp/web-$l/connections.csv"
done
