# ipvsim compare, and the figures (gnuplot).
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/report/plots.c

# --- compare, plots, and every curated scenario (scenarios/*.json) ------------------
# `ipvsim compare` runs the same arrivals under each scheduler; every run and comparison
# draws its figures with gnuplot (plots/*.png, *.svg, *.gp, *.dat); every curated
# scenario passes `ipvsim check`, and every pcap it writes reads back in tshark with
# nothing malformed and every checksum good (unverified only where the frame was cut
# by the snaplen; see pcap_bad for ICMP errors).
csvcol() { # csvcol FILE ROW-KEY COLUMN-NAME
  awk -F, -v k="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next } $1 == k { print $n }' "$1"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 < b + 0) }'; }
"$IPVSIM" compare scenarios/unequal-servers.json --schedulers rr,wrr,lc,wlc,sed,nq -o "$tmp/cmp" >"$tmp/cmp.out" 2>"$tmp/cmp.err"
check "compare: unequal-servers under rr,wrr,lc,wlc,sed,nq runs" test $? -eq 0
check "compare: the table has a row per scheduler" test "$(grep -cE '^(rr|wrr|lc|wlc|sed|nq) ' "$tmp/cmp.out")" -eq 6
check "compare: comparison.csv has a header and six rows" test "$(grep -c . "$tmp/cmp/comparison.csv")" -eq 7
rr99=$(csvcol "$tmp/cmp/comparison.csv" rr p99_ms); wlc99=$(csvcol "$tmp/cmp/comparison.csv" wlc p99_ms)
check "compare: wlc's p99 ($wlc99 ms) beats rr's ($rr99 ms) on unequal servers" lt "$wlc99" "$rr99"
rri=$(csvcol "$tmp/cmp/comparison.csv" rr imbalance); wlci=$(csvcol "$tmp/cmp/comparison.csv" wlc imbalance)
check "compare: wlc's imbalance ($wlci) is lower than rr's ($rri)" lt "$wlci" "$rri"
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wrr,lc,wlc,sed,nq -o "$tmp/cmp2" >/dev/null 2>&1
check "compare: same seed, byte-identical results, figures included" diff -r "$tmp/cmp" "$tmp/cmp2"
"$IPVSIM" compare -q scenarios/consistent-hashing.json --schedulers sh,mh,rr -o "$tmp/hash" >/dev/null 2>&1
check "compare: consistent-hashing under sh,mh,rr runs" test $? -eq 0
shr=$(csvcol "$tmp/hash/comparison.csv" sh remapped_share); mhr=$(csvcol "$tmp/hash/comparison.csv" mh remapped_share)
check "compare: mh remaps fewer clients than sh when rs4 is lost (mh $mhr, sh $shr)" lt "$mhr" "$shr"
check "compare: mh remaps about a quarter of the clients ($mhr)" lt "$mhr" 0.4
check "compare: sh remaps most of them ($shr)" lt 0.6 "$shr"
check "compare: no remapped share for rr" test -z "$(csvcol "$tmp/hash/comparison.csv" rr remapped_share)"
# More schedulers than gnuplot has line colours (8): each run keeps a look of its own
# (colour and dash, or colour and hatch), and each active-connections panel its own scale.
"$IPVSIM" compare -q scenarios/crash-recovery.json --schedulers rr,wrr,lc,wlc,sed,nq,fo,ovf,twos,mh,sh,dh \
  --set duration=13s -o "$tmp/cmp12" >/dev/null 2>&1
check "compare: twelve schedulers run" test $? -eq 0
styles() { grep -o "$2" "$tmp/cmp12/plots/$1.gp" | sort | uniq | wc -l; }
check "compare: 12 CDF curves, 12 distinct colour+dash pairs" test "$(styles response_cdf "lc rgb '#[0-9A-F]*' dt [0-9]* title '[a-z]* (")" -eq 12
check "compare: 12 share bars, 12 distinct fills" test "$(styles share "fs [a-z]* [0-9.]* *\(border \)\?lc rgb '#[0-9A-F]*' title '[a-z]*'")" -eq 12
check "compare: 12 active panels, each with its own y range (fo's is not wlc's)" \
  test "$(grep -c '^set yrange' "$tmp/cmp12/plots/active.gp")" -eq 13 -a \
       "$(grep '^set yrange' "$tmp/cmp12/plots/active.gp" | sort -u | wc -l)" -gt 2
"$IPVSIM" compare scenarios/unequal-servers.json --schedulers rr,nosuch -o "$tmp/cmpbad" >/dev/null 2>&1
check "compare: an unknown scheduler exits 2" test $? -eq 2
check "compare: ... and writes nothing" test ! -e "$tmp/cmpbad"
"$IPVSIM" compare scenarios/unequal-servers.json -o "$tmp/cmpbad" >/dev/null 2>&1
check "compare: no --schedulers exits 2" test $? -eq 2
"$IPVSIM" compare scenarios/hook-order.json --schedulers rr,rr -o "$tmp/cmpbad" >/dev/null 2>&1
check "compare: a scheduler listed twice exits 2" test $? -eq 2

if command -v gnuplot >/dev/null; then
  check "compare: the four figures (png, svg, gp, dat)" figs_ok "$tmp/cmp"
else
  bad "gnuplot is not installed (tools/install-deps installs it)"
fi
PATH=/nonexistent "$IPVSIM" run scenarios/nat.json -o "$tmp/nogp" >/dev/null 2>"$tmp/nogp.err"
check "run without gnuplot: still succeeds" test $? -eq 0
check "run without gnuplot: says the plots were skipped" grep -q "plots skipped" "$tmp/nogp.err"
check "run without gnuplot: scripts and data written, no figure" \
  test -s "$tmp/nogp/plots/active.gp" -a -s "$tmp/nogp/plots/active.dat" -a ! -e "$tmp/nogp/plots/active.png"
# gnuplot runs for a bounded time per figure: past it, it is stopped, the run says so
# and plots/notes.txt names each figure not drawn (the run still succeeds)
mkdir -p "$tmp/slowgp" && printf '#!/bin/sh\nexec sleep 60\n' >"$tmp/slowgp/gnuplot" && chmod +x "$tmp/slowgp/gnuplot"
PATH="$tmp/slowgp:$PATH" IPVSIM_PLOT_TIMEOUT=1 timeout 30 "$IPVSIM" run -q scenarios/nat.json -o "$tmp/slowgp/r" >/dev/null 2>"$tmp/slowgp.err"
check "a gnuplot that never ends: stopped, the run succeeds (exit 0)" test $? -eq 0
check "a gnuplot that never ends: the run says so" grep -q "gnuplot did not finish active.gp in 1 s and was stopped.*plots/notes.txt" "$tmp/slowgp.err"
check "a gnuplot that never ends: plots/notes.txt names the four figures" test "$(grep -c 'not drawn: gnuplot did not finish' "$tmp/slowgp/r/plots/notes.txt")" -eq 4
# a figure receives bounded data: 5000 scenario events become at most 40 marks
python3 -c 'import json,sys
s=json.load(open("scenarios/minimal.json"))
s["events"]=[{"at":"%dus"%(1000*i+500),"do":"server_down" if i%2==0 else "server_up","server":"rs1"} for i in range(5000)]
json.dump(s,open(sys.argv[1],"w"))' "$tmp/manyev.json"
"$IPVSIM" run -q "$tmp/manyev.json" -o "$tmp/manyev" >/dev/null 2>&1
check "5000 events: the run succeeds" test $? -eq 0
check "5000 events: at most 40 marks in active.gp" test "$(grep -c '^set arrow' "$tmp/manyev/plots/active.gp")" -le 40
check "5000 events: a merged mark says how many it holds" grep -q "rs1 down (+249 more)" "$tmp/manyev/plots/active.gp"
