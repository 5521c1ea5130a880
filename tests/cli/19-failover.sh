# Director failover: VRRP and the IPVS sync daemon (scenarios/failover-*.json).
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/run/run_ha.c model/apps/vrrp.c

# lvs1 crashes at 20 s; lvs2 takes the VIP after its master down timer. connections.csv:
# the conversations running at 20 s finish through lvs2 (to the same real server) with
# the sync daemon, and do not without it; the sync link's pcap holds the messages. What
# summary.json says alone (the share that survives, none without sync, the failover at
# 20 s, the VIP dark 2.609475 s) is the scenarios' own `expect`, checked by 11-curated;
# here connections.csv, the pcap files, events.txt and directors.csv are read.
fo=scenarios/failover
"$IPVSIM" run $fo-sync.json -o "$tmp/fo-sync" --quiet >/dev/null 2>&1; check "failover-sync runs" test $? -eq 0
"$IPVSIM" run $fo-nosync.json -o "$tmp/fo-nosync" --quiet >/dev/null 2>&1; check "failover-nosync runs" test $? -eq 0
"$IPVSIM" run $fo-sync.json -o "$tmp/fo-sync2" --quiet >/dev/null 2>&1
check "failover-sync: same seed, byte-identical results" diff -r "$tmp/fo-sync" "$tmp/fo-sync2"
at_crash() {  # running at 20 s: how many, how many OK, how many neither OK nor still running
  awk -F, -v t=20000000000 'NR > 1 && $2 < t && ($3 == 0 || $3 > t) { n++; if ($9 == "OK") ok++ }
    END { printf "%d %d\n", n, ok }' "$1/connections.csv"
}
read -r fo_n fo_ok < <(at_crash "$tmp/fo-sync")
read -r fo_n0 _ < <(at_crash "$tmp/fo-nosync")
check "failover: the same conversations were running at the crash (>= 40)" test "$fo_n" -eq "$fo_n0" -a "$fo_n" -ge 40
check "failover-nosync: ... each one is reset, timed out or left hanging" \
  test -z "$(awk -F, -v t=20000000000 'NR > 1 && $2 < t && ($3 == 0 || $3 > t) && $9 != "RESET" && $9 != "TIMEOUT" && $9 != "UNFINISHED"' "$tmp/fo-nosync/connections.csv")"
check "failover: summary.json agrees with connections.csv (failover.connections: $fo_ok of $fo_n survive)" python3 - "$tmp/fo-sync" "$tmp/fo-nosync" "$fo_n" "$fo_n0" "$fo_ok" <<'PY'
import json, sys
on, off = (json.load(open(d + "/summary.json"))["failover"]["connections"] for d in sys.argv[1:3])
n, n0, ok = (int(a) for a in sys.argv[3:6])
assert on["running"] == n and on["survived"] == ok, on
assert off["running"] == n0, off
PY
if command -v tshark >/dev/null; then
  # the same real server: after the takeover, lvs2 sends each surviving conversation's
  # packets to the server connections.csv names (rs1 192.0.2.11, rs2 192.0.2.12)
  tshark -r "$tmp/fo-sync/pcap/lvs2-eth0.pcap" -Y 'frame.time_relative > 22 && ip.dst == 192.0.2.0/24 && tcp.dstport == 8080' \
    -T fields -e ip.src -e tcp.srcport -e ip.dst 2>/dev/null | sort -u > "$tmp/fo-fwd.txt"
  check "failover-sync: every survivor's packets reach its own real server through lvs2" python3 - "$tmp/fo-sync/connections.csv" "$tmp/fo-fwd.txt" <<'PY'
import csv, sys
ip = {"rs1": "192.0.2.11", "rs2": "192.0.2.12"}
seen = {}
for line in open(sys.argv[2]):
    src, port, dst = line.split()
    seen.setdefault((src, port), set()).add(dst)
n = 0
for r in csv.DictReader(open(sys.argv[1])):
    start, end = int(r["start_ns"]), int(r["end_ns"])
    if not (start < 20e9 and end > 23e9 and r["outcome"] == "OK"):
        continue
    c, p = r["client"].split(":")
    assert seen.get((c, p)) == {ip[r["server"]]}, (r["client"], r["server"], seen.get((c, p)))
    n += 1
assert n >= 20, n
PY
  # the sync link: every message the master sent is a UDP datagram to 224.0.0.81:8848
  # with a good checksum that tshark's IPVS dissector decodes, version 1
  p1="$tmp/fo-sync/pcap/lvs1-eth1.pcap"
  tshark -r "$p1" -o udp.check_checksum:TRUE -Y 'ip.src == 169.254.81.1 && udp.dstport == 8848' \
    -T fields -e ip.dst -e ip.ttl -e udp.checksum.status -e ipvs.version -e ipvs.conncount -e ipvs.size -e udp.length \
    -e _ws.malformed 2>/dev/null > "$tmp/fo-ipvs.txt"
  check "failover-sync: sync messages in lvs1-eth1.pcap decode as IPVS over UDP to 224.0.0.81:8848" python3 - "$tmp/fo-ipvs.txt" "$tmp/fo-sync/summary.json" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
st = json.load(open(sys.argv[2]))["failover"]["directors"][0]["sync"]
assert len(rows) == st["msgs_sent"] > 0, (len(rows), st["msgs_sent"])
conns = 0
for dst, ttl, status, ver, count, size, ulen, malformed in rows:
    assert dst == "224.0.0.81" and ttl == "1" and status == "1" and ver == "1" and not malformed, rows[0]
    assert int(size) == 8 + 36 * int(count) and int(ulen) == 8 + int(size)
    conns += int(count)
assert conns == st["conns_sent"], (conns, st["conns_sent"])
PY
  check "failover-sync: ... and VRRP adverts (priority 150, vrid 51) until the crash" \
    test "$(tshark -r "$p1" -Y 'vrrp.prio == 150 && vrrp.virt_rtr_id == 51 && ip.dst == 224.0.0.18 && ip.ttl == 255' 2>/dev/null | wc -l)" -eq 20
  check "failover-sync: lvs2 announces the VIP with gratuitous ARPs at 22.609 s (5, and 5 more at 27.609 s)" \
    test "$(tshark -r "$tmp/fo-sync/pcap/lvs2-eth0.pcap" -Y 'arp.isannouncement && arp.src.proto_ipv4 == 203.0.113.10' -T fields -e frame.time_relative 2>/dev/null | cut -c1-6 | uniq -c | tr -s ' ' | tr '\n' ';')" = " 5 22.609; 5 27.609;"
  check "failover-nosync: no sync message on the sync link" \
    test "$(tshark -r "$tmp/fo-nosync/pcap/lvs1-eth1.pcap" -Y 'udp.dstport == 8848' 2>/dev/null | wc -l)" -eq 0
fi
check "failover-sync: events.txt shows the takeover" \
  grep -q '^at 22.609s vrrp lvs2: BACKUP -> MASTER (master down timer)' "$tmp/fo-sync/events.txt"
check "failover-sync: directors.csv has lvs2 MASTER with the VIP, active connections included" \
  test -n "$(awk -F, '$1 == "25.000" && $2 == "lvs2" && $3 == "MASTER" && $4 == 1 && $6 > 0' "$tmp/fo-sync/directors.csv")"
# sync_threshold: a shorter period sends more entries, as pkts % period == threshold says
"$IPVSIM" run $fo-sync.json -o "$tmp/fo-p10" --quiet --set 'director.backup.sync_threshold=[3,10]' >/dev/null 2>&1
check "failover-sync: sync_threshold 3 10 sends more than 3 50 (and still decodes)" python3 - "$tmp/fo-sync" "$tmp/fo-p10" <<'PY'
import json, sys
a, b = (json.load(open(d + "/summary.json"))["failover"]["sync"] for d in sys.argv[1:3])
assert b["threshold"] == [3, 10] and a["threshold"] == [3, 50]
assert b["conns"] > 2 * a["conns"] and b["bytes"] > 2 * a["bytes"], (a, b)
PY
"$IPVSIM" validate --set 'director.backup.sync_threshold=[10,3]' $fo-sync.json >/dev/null 2>&1
check "failover: a threshold not below the period exits 2" test $? -eq 2
