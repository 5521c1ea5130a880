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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
