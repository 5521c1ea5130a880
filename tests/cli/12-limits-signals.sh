# Limits and signals (README, "Robustness"): run, check, trace, compare, both directors.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

pcap_ok() { # every pcap file of a result reads to its end (tshark, else python's own reader)
  local f
  for f in "$1"/pcap/*.pcap; do
    [ -e "$f" ] || return 1
    if command -v tshark >/dev/null; then
      tshark -r "$f" >/dev/null 2>&1 || return 1
    else
      python3 - "$f" <<'PY' || return 1
import struct, sys
b = open(sys.argv[1], 'rb').read(); o = 24
assert struct.unpack('<I', b[:4])[0] == 0xa1b23c4d
while o < len(b):
    n = struct.unpack('<I', b[o+8:o+12])[0]; o += 16 + n
assert o == len(b)
PY
    fi
  done
}
Q="$IPVSIM run -q scenarios/quickstart.json --set duration=5s --set events=[]"

# limits that stop the run: partial results, "complete": false, "stopped_by", exit 1
for l in events:100 packets:20 event_rate:2000 conversations:20; do
  k=${l%%:*} v=${l##*:}
  $Q --limit "$k=$v" -o "$tmp/lim-$k" >/dev/null 2>"$tmp/lim-$k.err"
  check "limit $k: exit status 1" test $? -eq 1
  check "limit $k: complete false" test "$(field "$tmp/lim-$k/summary.json" complete)" = false
  check "limit $k: stopped_by limits.$k" test "$(field "$tmp/lim-$k/summary.json" stopped_by)" = "limits.$k"
  check "limit $k: says which limit, and how to raise it" grep -q "(limits.$k = $v) was reached.*--limit $k=N" "$tmp/lim-$k.err"
  check "limit $k: pcap files valid" pcap_ok "$tmp/lim-$k"
done
# the default limits stop runaway runs (README, "Limits"): a 1 ns health-check
# interval runs 10^7 events in 10 ms of simulated time and stops there
cat >"$tmp/hc-1ns.json" <<'EOF'
{ "duration": "1s", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "arrival": "poisson(10/s)" } ],
  "healthcheck": { "interval": "1ns" },
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" run -q "$tmp/hc-1ns.json" -o "$tmp/hc-1ns" >/dev/null 2>"$tmp/hc-1ns.err"
check "healthcheck interval 1ns: stopped by the default event_rate limit (exit 1)" test $? -eq 1
check "healthcheck interval 1ns: stopped_by limits.event_rate" test "$(field "$tmp/hc-1ns/summary.json" stopped_by)" = limits.event_rate
check "healthcheck interval 1ns: says which limit, and how to raise it" grep -q "events-per-simulated-second limit (limits.event_rate = 10000000) was reached.*--limit event_rate=N" "$tmp/hc-1ns.err"
for k in conversations event_rate output_bytes; do
  check "summary.json holds the default limits.$k" test "$(field "$tmp/hc-1ns/summary.json" limits.$k)" -gt 0
done
# more users than ports, with a think time: those without a port end ADDRNOTAVAIL,
# and the outcome counts add up to the total
cat >"$tmp/noport.json" <<'EOF'
{ "duration": "100ms", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "users": 30000, "think": "const(50ms)" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" run -q "$tmp/noport.json" -o "$tmp/noport" >/dev/null 2>&1
n=$(field "$tmp/noport/summary.json" connections.ADDRNOTAVAIL)
check "ADDRNOTAVAIL is an outcome of summary.json ($n)" test "${n:-0}" -gt 0
sum=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; print(sum(v for k,v in c.items() if k!="total")==c["total"])' "$tmp/noport/summary.json" 2>/dev/null)
check "the outcome counts add up to the total" test "$sum" = True
# the trace and the captures share limits.output_bytes: a trace stops the run at it,
# captures stop capturing
$Q --trace --limit output_bytes=100KB -o "$tmp/lim-out" >/dev/null 2>"$tmp/lim-out.err"
check "limit output_bytes with --trace: exit status 1" test $? -eq 1
check "limit output_bytes with --trace: stopped_by limits.output_bytes" test "$(field "$tmp/lim-out/summary.json" stopped_by)" = limits.output_bytes
check "limit output_bytes with --trace: trace.txt within the limit" test "$(stat -c %s "$tmp/lim-out/trace.txt")" -le 100000
check "limit output_bytes with --trace: says which limit, and how to raise it" grep -q "(limits.output_bytes = 100000) was reached.*--limit output_bytes=SIZE" "$tmp/lim-out.err"
"$IPVSIM" trace scenarios/quickstart.json --limit output_bytes=20KB >"$tmp/tr-out.txt" 2>"$tmp/tr-out.err"
check "trace --limit output_bytes=20KB: exit status 1" test $? -eq 1
check "trace --limit output_bytes=20KB: no more written" test "$(stat -c %s "$tmp/tr-out.txt")" -le 20000
check "trace --limit output_bytes=20KB: says the trace is partial" grep -q "limits.output_bytes = 20000.*the trace is partial; raise it with --limit output_bytes=SIZE" "$tmp/tr-out.err"
$Q --pcap all --limit output_bytes=50KB -o "$tmp/lim-pcap" >/dev/null 2>&1
check "limit output_bytes with --pcap all: run completes (exit 0)" test $? -eq 0
total=$(cat "$tmp"/lim-pcap/pcap/*.pcap | wc -c)
check "limit output_bytes with --pcap all: the captures together within it ($total)" test "$total" -le 50000
check "limit output_bytes with --pcap all: pcap files valid" pcap_ok "$tmp/lim-pcap"
# limits with the kernel's behaviour: the run completes and counts
$Q --limit connections=10 -o "$tmp/lim-conn" >/dev/null 2>&1
check "limit connections: run completes (exit 0)" test $? -eq 0
check "limit connections: complete true" test "$(field "$tmp/lim-conn/summary.json" complete)" = true
n=$(field "$tmp/lim-conn/summary.json" limits.connections_refused)
check "limit connections: refused connections counted ($n)" test "${n:-0}" -gt 0
$Q --limit capture_bytes=5KB --pcap all -o "$tmp/lim-cap" >/dev/null 2>&1
check "limit capture_bytes: run completes (exit 0)" test $? -eq 0
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["limits"]["captures_cut"]))' "$tmp/lim-cap/summary.json" 2>/dev/null)
check "limit capture_bytes: summary.json names the cut captures ($n)" test "${n:-0}" -gt 0
big=$(find "$tmp/lim-cap/pcap" -name '*.pcap' -size +5000c | head -1)
check "limit capture_bytes: no pcap file over 5KB${big:+ — $big}" test -z "$big"
check "limit capture_bytes: pcap files valid" pcap_ok "$tmp/lim-cap"
$Q --limit frobs=1 -o "$tmp/lim-bad" >/dev/null 2>"$tmp/lim-bad.err"
check "--limit with an unknown key exits 2" test $? -eq 2
check "--limit with an unknown key names the keys" grep -q "connections, events, packets, capture_bytes" "$tmp/lim-bad.err"
$Q --limit events=lots -o "$tmp/lim-bad" >/dev/null 2>"$tmp/lim-bad.err"
check "--limit with a bad value exits 2" test $? -eq 2
check "--limit: a bad value writes nothing" test ! -e "$tmp/lim-bad"

# SIGINT / SIGTERM mid-run: a clean stop, valid pcap files, partial results, exit 1
L="$IPVSIM run -q scenarios/quickstart.json --set duration=1h --pcap all"
for sig in INT TERM; do
  $L -o "$tmp/sig-$sig" >/dev/null 2>"$tmp/sig-$sig.err" &
  pid=$!
  sleep 1
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  check "SIG$sig mid-run: exit status 1" test "$rc" -eq 1
  check "SIG$sig mid-run: complete false" test "$(field "$tmp/sig-$sig/summary.json" complete)" = false
  check "SIG$sig mid-run: stopped_by SIG$sig" test "$(field "$tmp/sig-$sig/summary.json" stopped_by)" = "SIG$sig"
  end=$(field "$tmp/sig-$sig/summary.json" end_s)
  check "SIG$sig mid-run: stopped early (at ${end:-?} s of 3600)" python3 -c "import sys; sys.exit(0 if 0 < float('${end:-0}') < 3600 else 1)"
  check "SIG$sig mid-run: pcap files valid" pcap_ok "$tmp/sig-$sig"
  check "SIG$sig mid-run: says so" grep -q "SIG$sig: stopped at" "$tmp/sig-$sig.err"
done
if command -v tshark >/dev/null; then
  n=$(tshark -r "$tmp/sig-INT/pcap/lvs1-eth0.pcap" 2>/dev/null | grep -c .)
  check "SIGINT mid-run: tshark reads the director's frames ($n)" test "$n" -gt 0
fi
# a second signal exits at once (130); nothing is committed
$L -o "$tmp/sig-twice" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"; kill -INT "$pid"
wait "$pid"
check "second signal: exit status 130" test $? -eq 130
check "second signal: no result committed" test ! -e "$tmp/sig-twice/summary.json"
rm -rf "$tmp"/sig-twice.tmp-*

# the same limits and signals in check, trace and compare, and on both directors
"$IPVSIM" check scenarios/quickstart.json --limit events=100 >"$tmp/chk-lim.out" 2>&1
check "check --limit events=100: exit status 1" test $? -eq 1
check "check --limit events=100: reports the run incomplete, and how to raise the limit" \
  grep -q "quickstart.json: run incomplete: the pending-event limit (limits.events = 100) was reached.*5 expectations not checked; raise it with --limit events=N" "$tmp/chk-lim.out"
check "check --limit events=100: never a pass" test -z "$(grep -E 'PASS|[1-9][0-9]* passed' "$tmp/chk-lim.out")"
check "check --limit events=100: the total says so" \
  grep -q "^check: 1 file, 5 expectations: 0 passed, 0 failed; 5 not checked (a run did not complete)\$" "$tmp/chk-lim.out"
"$IPVSIM" check scenarios/quickstart.json --limit events=100 --print-fingerprint >"$tmp/chk-lim.out" 2>"$tmp/chk-lim.err"
check "check --print-fingerprint on an incomplete run: exit 1, no fingerprint" test $? -eq 1 -a ! -s "$tmp/chk-lim.out"
"$IPVSIM" check scenarios/quickstart.json --limit frobs=1 >/dev/null 2>"$tmp/chk-bad.err"
check "check --limit with an unknown key: exit 2, names the option and the keys" test $? -eq 2
check "check --limit with an unknown key: says so" grep -q "^ipvsim check: --limit 'frobs=1': .*connections, events, packets, capture_bytes" "$tmp/chk-bad.err"
"$IPVSIM" check scenarios/quickstart.json --limit events=lots >/dev/null 2>"$tmp/chk-bad.err"
check "check --limit with a bad value: exit 2" test $? -eq 2
check "check --limit with a bad value: names it" grep -q "limits.events: expected an integer" "$tmp/chk-bad.err"
"$IPVSIM" trace scenarios/quickstart.json --limit events=100 >"$tmp/tr-lim.txt" 2>"$tmp/tr-lim.err"
check "trace --limit events=100: exit status 1" test $? -eq 1
check "trace --limit events=100: says the trace is partial" grep -q "^ipvsim trace: the pending-event limit (limits.events = 100) was reached.*the trace is partial; raise it with --limit events=N" "$tmp/tr-lim.err"
check "trace --limit events=100: the trace up to the stop is written" grep -q "ip_rcv" "$tmp/tr-lim.txt"
"$IPVSIM" trace scenarios/quickstart.json --limit frobs=1 >/dev/null 2>&1
check "trace --limit with an unknown key: exit 2" test $? -eq 2
C="$IPVSIM compare scenarios/quickstart.json --schedulers rr,wlc -q --set duration=5s --set events=[]"
$C --limit packets=20 -o "$tmp/cmp-lim" >/dev/null 2>"$tmp/cmp-lim.err"
check "compare --limit packets=20: exit status 1" test $? -eq 1
check "compare --limit packets=20: says which scheduler's run was cut short" grep -q "^ipvsim compare: the run under rr (1 of 2) did not complete: the packet-buffer limit (limits.packets = 20) was reached.*nothing written.*--limit packets=N" "$tmp/cmp-lim.err"
check "compare --limit packets=20: no output directory, no temporary one" test ! -e "$tmp/cmp-lim" -a -z "$(ls -d "$tmp"/cmp-lim.tmp-* 2>/dev/null)"
$C -o "$tmp/cmp-keep" >/dev/null 2>&1 && cp -r "$tmp/cmp-keep" "$tmp/cmp-keep.orig"
$C --limit events=100 -o "$tmp/cmp-keep" >/dev/null 2>"$tmp/cmp-lim.err"
check "compare --limit events=100: exit status 1" test $? -eq 1
check "compare --limit events=100: an earlier result is left as it was" diff -r "$tmp/cmp-keep.orig" "$tmp/cmp-keep"
$C --limit frobs=1 -o "$tmp/cmp-bad" >/dev/null 2>&1
check "compare --limit with an unknown key: exit 2, nothing written" test $? -eq 2 -a ! -e "$tmp/cmp-bad"
for cmd in check trace compare; do
  case $cmd in
    compare) args="--schedulers rr,wlc -q -o $tmp/sig-cmp" ;;
    trace) args="--conn 1" ;;
    *) args= ;;
  esac
  "$IPVSIM" $cmd scenarios/quickstart.json --set duration=1h $args >"$tmp/sig-$cmd.out" 2>"$tmp/sig-$cmd.err" &
  pid=$!
  sleep 1
  kill -INT "$pid"
  wait "$pid"
  check "$cmd: SIGINT mid-run: exit status 1" test $? -eq 1
  check "$cmd: SIGINT mid-run: says where the run stopped" grep -q "SIGINT: stopped at" "$tmp/sig-$cmd.out" "$tmp/sig-$cmd.err"
done
check "compare: SIGINT mid-run: no output directory, no temporary one" test ! -e "$tmp/sig-cmp" -a -z "$(ls -d "$tmp"/sig-cmp.tmp-* 2>/dev/null)"
max_conns() { # max_conns DIRECTORS.CSV: "lvs1=N lvs2=M", each director's largest table
  python3 -c 'import csv,sys
m={}
for r in csv.DictReader(open(sys.argv[1])): m[r["director"]]=max(m.get(r["director"],0),int(r["conns"]))
print(" ".join("%s=%d" % kv for kv in sorted(m.items())))' "$1" 2>/dev/null
}
"$IPVSIM" run -q scenarios/failover-sync.json --set duration=30s --limit connections=20 -o "$tmp/lim-ha" >/dev/null 2>&1
check "limit connections with director.backup: run completes (exit 0)" test $? -eq 0
m=$(max_conns "$tmp/lim-ha/directors.csv")
check "limit connections: both directors' tables hold at most 20 ($m)" test "$m" = "lvs1=20 lvs2=20"
