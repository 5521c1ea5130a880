#!/usr/bin/env bash
# End-to-end tests of the ipvsim binary: exit codes, outputs, determinism, and the
# pcap files read back by tshark with every checksum verified.
#   tests/run-cli-tests.sh path/to/ipvsim
set -u
IPVSIM=${1:?usage: run-cli-tests.sh path/to/ipvsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok()   { pass=$((pass + 1)); echo "  ok    $1"; }
bad()  { fail=$((fail + 1)); echo "  FAIL  $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

echo "CLI tests ($IPVSIM)"

# --- usage and exit codes -------------------------------------------------------
"$IPVSIM" >/dev/null 2>&1; check "no command exits 2" test $? -eq 2
"$IPVSIM" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? -eq 2
"$IPVSIM" --help >/dev/null 2>&1; check "--help exits 0" test $? -eq 0
"$IPVSIM" demo --conversations=0 -o "$tmp/x" >/dev/null 2>&1; check "bad option value exits 2" test $? -eq 2
check "bad option value writes nothing" test ! -e "$tmp/x"

# --- hook tables per kernel era (the reference's tables) ------------------------
for era in 2.6.34 4.9 5.10 6.x; do
  "$IPVSIM" hooks --kernel "$era" > "$tmp/hooks.txt" 2>&1
  check "hooks --kernel $era matches tests/golden/hooks_$era.txt" diff -u tests/golden/hooks_$era.txt "$tmp/hooks.txt"
done
"$IPVSIM" hooks --kernel 3.1 >/dev/null 2>&1; check "hooks: unknown era exits 2" test $? -eq 2
for era in 6.x 2.6.34; do
  "$IPVSIM" hooks --kernel "$era" tests/scenarios/hook-order.json > "$tmp/hooks.txt" 2>&1
  check "hooks of a scenario under $era (user hooks tie LIFO/FIFO)" diff -u tests/golden/hooks_scenario_$era.txt "$tmp/hooks.txt"
done

# --- scheduler playground -------------------------------------------------------
out=$("$IPVSIM" sched wrr --dests A:4,B:3,C:2 --picks 9 --init 2>&1)
check "sched wrr --init gives the canonical cycle" test "$out" = "A B A C B A C B A"
"$IPVSIM" sched nosuch --dests A:1 --picks 1 >/dev/null 2>&1; check "sched: unknown scheduler exits 2" test $? -eq 2

# --- the demo end to end --------------------------------------------------------
"$IPVSIM" demo -o "$tmp/a" >/dev/null 2>&1; check "demo runs" test $? -eq 0
for f in summary.json pcap/client-eth0.pcap pcap/router-eth0.pcap pcap/router-eth1.pcap pcap/server-eth0.pcap; do
  check "demo wrote $f" test -s "$tmp/a/$f"
done
check "no temporary directory left" test -z "$(ls -d "$tmp"/a.tmp-* 2>/dev/null)"
"$IPVSIM" demo -o "$tmp/b" >/dev/null 2>&1
check "same seed, byte-identical results" diff -r "$tmp/a" "$tmp/b"
"$IPVSIM" demo -o "$tmp/a" >/dev/null 2>&1; check "an earlier result is replaced" test $? -eq 0
mkdir -p "$tmp/mine" && echo keep > "$tmp/mine/notes.txt"
"$IPVSIM" demo -o "$tmp/mine" >/dev/null 2>&1; check "an unrelated directory is refused (exit 2)" test $? -eq 2
check "the unrelated file is untouched" grep -q keep "$tmp/mine/notes.txt"

# --- pcap files open in tshark, nothing malformed, every checksum good ------------
if command -v tshark >/dev/null; then
  for p in "$tmp"/a/pcap/*.pcap; do
    n=$(basename "$p")
    out=$(tshark -r "$p" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
                 -o udp.check_checksum:TRUE -T fields -e frame.number \
                 -e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status \
                 -e _ws.malformed -e _ws.expert.severity 2>"$tmp/tshark.err")
    check "$n: tshark reads it" test $? -eq 0
    frames=$(printf '%s\n' "$out" | grep -c .)
    check "$n: has frames ($frames)" test "$frames" -gt 0
    # Checksum status 1 = good (0 bad, 2 unverified). A malformed mark, or expert
    # info at error level (0x00800000), fails; chat/note/warn are protocol remarks.
    badrows=$(printf '%s\n' "$out" | awk -F'\t' '
      { err = 0; n = split($6, sev, ","); for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) err = 1 }
      $2 != "1" || ($3 != "" && $3 != "1") || ($4 != "" && $4 != "1") || $5 != "" || err' | head -3)
    check "$n: all checksums good, nothing malformed" test -z "$badrows"
    [ -z "$badrows" ] || printf '      %s\n' "$badrows"
  done
  tcp=$(tshark -r "$tmp/a/pcap/server-eth0.pcap" -Y 'tcp.flags.syn==1' 2>/dev/null | grep -c .)
  check "server saw the 50 SYNs" test "$tcp" -eq 50
  ttl=$(tshark -r "$tmp/a/pcap/server-eth0.pcap" -Y 'ip.src==10.0.1.2' -T fields -e ip.ttl 2>/dev/null | sort -u)
  check "forwarded packets arrive with TTL 63" test "$ttl" = "63"
else
  bad "tshark is not installed (tools/install-deps installs it)"
fi

# --- IPVS forwarding methods, read back from the pcap files -------------------------
count() { tshark -r "$1" -Y "$2" 2>/dev/null | grep -c .; }
all_ok() { # every conversation of a run ended OK
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] else 1)' "$1"
}
if command -v tshark >/dev/null; then
  for m in nat dr tun; do
    "$IPVSIM" run -q "scenarios/$m.json" -o "$tmp/$m" >/dev/null 2>&1
    check "$m: runs" test $? -eq 0
    check "$m: every conversation completes" all_ok "$tmp/$m/summary.json"
    for p in "$tmp/$m"/pcap/*.pcap; do
      bad=$(count "$p" "ip.checksum.status==0 || tcp.checksum.status==0 || _ws.malformed")
      check "$m: $(basename "$p") checksums good, nothing malformed" test "$bad" -eq 0
    done
  done
  d="$tmp/nat/pcap/lvs1-eth0.pcap"
  n_dnat=$(count "$d" "ip.dst==192.0.2.11 && tcp.dstport==8080")
  n_rs=$(count "$d" "ip.src==192.0.2.11 && tcp.srcport==8080")
  n_snat=$(count "$d" "ip.src==203.0.113.10 && tcp.srcport==80")
  check "nat: requests rewritten to RS:8080 ($n_dnat)" test "$n_dnat" -gt 0
  check "nat: every RS reply leaves as VIP:80 ($n_rs in, $n_snat out)" test "$n_snat" -eq "$((n_rs + $(count "$d" "ip.src==192.0.2.12 && tcp.srcport==8080")))"
  r="$tmp/dr/pcap/rs1-eth0.pcap"
  check "dr: the real server receives frames for the VIP" test "$(count "$r" "ip.dst==203.0.113.10 && tcp.dstport==80")" -gt 0
  check "dr: IP header untouched (nothing to the RS address)" test "$(count "$r" "ip.dst==192.0.2.11")" -eq 0
  check "dr: replies from the VIP go around the director" test "$(count "$tmp/dr/pcap/lvs1-eth0.pcap" "ip.src==203.0.113.10")" -eq 0
  r="$tmp/tun/pcap/rs1-eth0.pcap"
  n_ipip=$(count "$r" "ip.proto==4 && ip.dst==192.0.2.11")
  check "tun: IPIP (protocol 4) to the real server ($n_ipip)" test "$n_ipip" -gt 0
  check "tun: inner packet intact (to the VIP)" test "$(tshark -r "$r" -Y "ip.proto==4" -T fields -e ip.dst 2>/dev/null | grep -vc '^192.0.2.11,203.0.113.10$')" -eq 0
  "$IPVSIM" run -q tests/scenarios/nodest.json -o "$tmp/nodest" >/dev/null 2>&1
  check "no dest: the client gets ICMP port unreachable in its pcap" \
    test "$(count "$tmp/nodest/pcap/dns-eth0.pcap" "icmp.type==3 && icmp.code==3 && ip.src==203.0.113.10")" -gt 0
fi

# --- runs: determinism and bad input ---------------------------------------------------
"$IPVSIM" run -q scenarios/quickstart.json -o "$tmp/q1" >/dev/null 2>&1; check "quickstart runs" test $? -eq 0
"$IPVSIM" run -q scenarios/quickstart.json -o "$tmp/q2" >/dev/null 2>&1
check "quickstart: same seed, byte-identical results" diff -r "$tmp/q1" "$tmp/q2"
"$IPVSIM" run -q scenarios/quickstart.json --seed 43 -o "$tmp/q3" >/dev/null 2>&1
check "quickstart: another seed, other results" test -n "$(diff -rq "$tmp/q1" "$tmp/q3")"
for f in summary.json connections.csv timeseries.csv ipvsadm.txt events.txt; do
  check "quickstart wrote $f" test -s "$tmp/q1/$f"
done
"$IPVSIM" run -q no-such-file.json -o "$tmp/none" >/dev/null 2>&1; check "run: missing file exits 2" test $? -eq 2
check "run: missing file writes nothing" test ! -e "$tmp/none"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
