# compare --replications / --seeds: each scheduler on several seeds, in child processes
# (--jobs), means with 95 % confidence intervals, paired differences and a verdict.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# The same replicated comparison one run at a time and three at a time: the same bytes
# (the runs are gathered by scheduler and seed, never by finishing order), figures included
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc,sed --seeds 1-4 --jobs 1 \
  -o "$tmp/rep1" >"$tmp/rep1.out" 2>"$tmp/rep1.err"
check "replications: --seeds 1-4 --jobs 1 runs (exit 0)" test $? -eq 0
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc,sed --seeds 1-4 --jobs 3 \
  -o "$tmp/rep3" >"$tmp/rep3.out" 2>&1
check "replications: --jobs 3 prints what --jobs 1 prints" cmp "$tmp/rep1.out" "$tmp/rep3.out"
check "replications: --jobs 3 writes what --jobs 1 writes, byte for byte" diff -r "$tmp/rep1" "$tmp/rep3"
check "replications: the table says the seeds" grep -q "^compare unequal-servers: 4 seeds (1 to 4)" "$tmp/rep1.out"
check "replications: means with a ± half-width per scheduler" \
  test "$(grep -cE '^(rr|wlc|sed) +[0-9.]+ ±[0-9.]+' "$tmp/rep1.out")" -eq 3
check "replications: the verdict column" grep -q "^sched   metric .*95 % CI  verdict$" "$tmp/rep1.out"
check "replications: rr is the baseline (the first), wlc's p99 is better" \
  grep -qE "^wlc +p99 ms .* better$" "$tmp/rep1.out"
check "replications: a verdict on every difference row (2 schedulers x 6 metrics)" \
  test "$(grep -cE '^(wlc|sed) .*(better|worse|no significant difference)$' "$tmp/rep1.out")" -eq 12
hdr=$(head -1 "$tmp/rep1/comparison.csv")
for col in replications p99_ms_mean p99_ms_ci_low p99_ms_ci_high failed_ci_low imbalance_ci_high \
           share_small_mean share_small_ci_low p99_ms_diff p99_ms_diff_ci_low p99_ms_diff_ci_high \
           p99_ms_verdict share_big_verdict; do
  check "replications: comparison.csv has $col" grep -q ",$col\(,\|$\)" <<<"$hdr"
done
check "replications: comparison.csv, a row per scheduler" test "$(grep -c . "$tmp/rep1/comparison.csv")" -eq 4
check "replications: runs.csv, a row per run (3 schedulers x 4 seeds), ordered by scheduler then seed" \
  test "$(cut -d, -f1,2 "$tmp/rep1/runs.csv" | tr '\n' ' ')" = \
       "scheduler,seed rr,1 rr,2 rr,3 rr,4 wlc,1 wlc,2 wlc,3 wlc,4 sed,1 sed,2 sed,3 sed,4 "
# each run is the single-seed run: runs.csv's row for wlc, seed 3 is compare --seed 3's row
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers wlc --seed 3 -o "$tmp/rep-one" >/dev/null 2>&1
check "replications: a run's row equals the single-seed compare of its seed" \
  test "$(grep '^wlc,3,' "$tmp/rep1/runs.csv" | cut -d, -f1,3-)" = "$(grep '^wlc,' "$tmp/rep-one/comparison.csv")"
# the interval: mean -+ t(0.975, 3) sd / 2 over runs.csv's p99s (rounded to 1 us there),
# recomputed here
rr99=$(awk -F, '$1 == "rr" { print $15 }' "$tmp/rep1/runs.csv" | tr '\n' ' ')
ci=$(awk -v v="$rr99" 'BEGIN { n = split(v, x, " "); for (i = 1; i <= n; i++) m += x[i] / n
  for (i = 1; i <= n; i++) ss += (x[i] - m) ^ 2; h = 3.1824463052837096 * sqrt(ss / (n - 1)) / sqrt(n)
  printf "%.4f %.4f %.4f", m, m - h, m + h }')
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p99_ms_mean") c = i } $1 == "rr" { print $c, $(c + 1), $(c + 2) }' "$tmp/rep1/comparison.csv")
close3() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
  for (i = 1; i <= 3; i++) if (x[i] == "" || (x[i] - y[i]) ^ 2 > 1e-5) exit 1 }'; }
check "replications: rr's p99 interval ($got) is mean -+ t(0.975, 3) s / sqrt(4) of its runs ($ci)" \
  close3 "$got" "$ci"
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc,sed --seeds 1-4 --baseline wlc \
  -o "$tmp/rep-b" >"$tmp/rep-b.out" 2>&1
check "replications: --baseline wlc: differences against wlc, rr's p99 worse" \
  grep -qE "^rr +p99 ms .* worse$" "$tmp/rep-b.out"
check "replications: --baseline wlc: wlc's own row says baseline in comparison.csv" \
  grep -q "^wlc,4,.*,baseline$" "$tmp/rep-b/comparison.csv"
if command -v gnuplot >/dev/null; then
  check "replications: the figures with error bars (response, share)" \
    test -s "$tmp/rep1/plots/response.png" -a -s "$tmp/rep1/plots/share.png"
  check "replications: drawn as error bars" grep -q "histogram errorbars" "$tmp/rep1/plots/response.gp"
fi
# --replications N: the scenario's seed (42) and the N - 1 after it
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc --replications 2 --set duration=3s \
  -o "$tmp/rep-n" >"$tmp/rep-n.out" 2>&1
check "replications: --replications 2 runs seeds 42 and 43" grep -q "2 seeds (42, 43)" "$tmp/rep-n.out"

# A single-seed compare says, in one line, that it is one sample
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc --set duration=3s -o "$tmp/rep-s" >"$tmp/rep-s.out" 2>&1
check "one seed: the table says it is one sample" grep -q "^one seed: each row is one sample" "$tmp/rep-s.out"
check "one seed: no interval" test "$(grep -c '±' "$tmp/rep-s.out")" -eq 0

# Refused, exit 2, nothing written: a list in --seed, --seed twice (GLib kept the last),
# a bad --seeds, --seeds with --seed or --replications, a baseline not compared, --jobs 0
refuse() { # refuse NAME PATTERN ARGS...: exit 2, the message, nothing written
  local name=$1 pat=$2; shift 2
  rm -rf "$tmp/rep-bad"
  "$IPVSIM" "$@" -o "$tmp/rep-bad" >/dev/null 2>"$tmp/rep-bad.err"
  local rc=$?
  check "refused: $name (exit 2)" test $rc -eq 2
  check "refused: $name says so" grep -q -- "$pat" "$tmp/rep-bad.err"
  check "refused: $name writes nothing" test ! -e "$tmp/rep-bad"
}
cmp_args=(compare scenarios/unequal-servers.json --schedulers rr,wlc)
refuse "--seed 1,2,3" "--seed takes one seed, got the list '1,2,3': to run several, use compare --seeds 1,2,3" "${cmp_args[@]}" --seed 1,2,3
refuse "--seed 1-3" "use compare --seeds 1-3" "${cmp_args[@]}" --seed 1-3
refuse "--seed 1 --seed 2" "--seed given 2 times ('1', then '2'): a run has one seed" "${cmp_args[@]}" --seed 1 --seed 2
refuse "run --seed 1 --seed 2" "ipvsim run: --seed given 2 times" run scenarios/minimal.json --seed 1 --seed 2
refuse "--seeds 5-1" "--seeds: expected seeds .* got '5-1'" "${cmp_args[@]}" --seeds 5-1
refuse "--seeds 1,2,1" "--seeds: seed 1 is listed twice" "${cmp_args[@]}" --seeds 1,2,1
refuse "--seeds with --seed" "--seed and --seeds" "${cmp_args[@]}" --seeds 1-3 --seed 4
refuse "--seeds with --replications" "--seeds and --replications" "${cmp_args[@]}" --seeds 1-3 --replications 3
refuse "--replications 0" "--replications: expected a number of seeds from 1" "${cmp_args[@]}" --replications 0
refuse "--jobs 0" "--jobs: expected a number of runs at once from 1" "${cmp_args[@]}" --jobs 0
refuse "--baseline lc" "--baseline: 'lc' is not one of the schedulers compared" "${cmp_args[@]}" --baseline lc

# A run a limit stops: nothing written, exit 1, the run named with its seed
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc --seeds 1-3 --limit events=100 \
  -o "$tmp/rep-lim" >/dev/null 2>"$tmp/rep-lim.err"
check "replications: a limit stops a run: exit 1" test $? -eq 1
check "replications: ... the first run in (scheduler, seed) order is named" \
  grep -q "the run under rr with seed 1 (1 of 6) did not complete: the pending-event limit" "$tmp/rep-lim.err"
check "replications: ... and nothing is written" test ! -e "$tmp/rep-lim"
# SIGTERM to compare alone: passed on to the runs under way, nothing written, exit 1
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wlc --seeds 1-40 --jobs 2 \
  -o "$tmp/rep-sig" >/dev/null 2>"$tmp/rep-sig.err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
check "replications: SIGTERM: exit 1" test $? -eq 1
check "replications: SIGTERM: a run stopped, said so" grep -q "did not complete: .*SIGTERM\|did not run" "$tmp/rep-sig.err"
check "replications: SIGTERM: nothing written" test ! -e "$tmp/rep-sig"
check "replications: SIGTERM: no run left behind" test -z "$(pgrep -f "$tmp/rep-sig" 2>/dev/null)"
