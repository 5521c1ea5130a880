# ipvsim sweep: parameter values x schedulers x seeds, locally (--jobs) and through Slurm
# (a stand-in sbatch, tests/slurm-shim/, that runs the job array's tasks here): the same
# bytes either way, resumable, bad sweep files refused with FILE:LINE:COL.
# Covers: app/cli/cmd_sweep.c
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

sw_scn=$PWD/scenarios/unequal-servers.json
mk_sweep() { # mk_sweep FILE [EXTRA JSON MEMBERS]: two loads x rr, wlc x seeds 1-3, 2 s runs
  cat >"$1" <<JSON
{ "scenario": "$sw_scn",
  "parameters": { "clients.0.arrival": ["poisson(420/s)", "poisson(980/s)"], "duration": ["2s"] },
  "schedulers": ["rr", "wlc"],
  "seeds": "1-3",
  "metrics": ["p99_ms", "mean_ms", "failed", "remapped_share"]${2:-}
}
JSON
}
mk_sweep "$tmp/sw.json"

# The plan: 2 points x 2 schedulers x 3 seeds, and nothing written
"$IPVSIM" sweep "$tmp/sw.json" -o "$tmp/sw-plan" --dry-run >"$tmp/sw-plan.out" 2>&1
check "sweep: --dry-run exits 0" test $? -eq 0
check "sweep: --dry-run says the runs" grep -q "^2 points x 2 schedulers x 3 seeds = 12 runs" "$tmp/sw-plan.out"
check "sweep: --dry-run lists each point's --set values" \
  grep -q "point 001: --set clients.0.arrival=poisson(980/s) --set duration=2s" "$tmp/sw-plan.out"
check "sweep: --dry-run names the schedulers and seeds" \
  test "$(grep -E '^  (schedulers|seeds):' "$tmp/sw-plan.out")" = "$(printf '  schedulers: rr, wlc\n  seeds: 1 ... 3 (3)')"
check "sweep: --dry-run writes nothing" test ! -e "$tmp/sw-plan"

# The local engine one run at a time and two at a time: the same bytes
"$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw1" --jobs 1 >"$tmp/sw1.out" 2>"$tmp/sw1.err"
check "sweep: --jobs 1 runs (exit 0)" test $? -eq 0
"$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw2" --jobs 2 >"$tmp/sw2.out" 2>&1
check "sweep: --jobs 2 prints what --jobs 1 prints" cmp "$tmp/sw1.out" "$tmp/sw2.out"
check "sweep: --jobs 2 writes what --jobs 1 writes, byte for byte (runs/ included)" diff -r "$tmp/sw1" "$tmp/sw2"
check "sweep: runs.csv's header: point, the parameters, scheduler, seed, the metrics" \
  test "$(head -1 "$tmp/sw1/runs.csv")" = "point,clients.0.arrival,duration,scheduler,seed,p99_ms,mean_ms,failed,remapped_share"
check "sweep: runs.csv, a row per run in plan order (point, scheduler, seed)" \
  test "$(tail -n +2 "$tmp/sw1/runs.csv" | cut -d, -f1,4,5 | tr '\n' ' ')" = \
       "000,rr,1 000,rr,2 000,rr,3 000,wlc,1 000,wlc,2 000,wlc,3 001,rr,1 001,rr,2 001,rr,3 001,wlc,1 001,wlc,2 001,wlc,3 "
check "sweep: summary.csv, a row per point and scheduler" test "$(grep -c . "$tmp/sw1/summary.csv")" -eq 5
check "sweep: summary.csv's intervals" \
  grep -q "^point,clients.0.arrival,duration,scheduler,runs,p99_ms_mean,p99_ms_ci_low,p99_ms_ci_high," "$tmp/sw1/summary.csv"
check "sweep: a run's usual results, no capture, its marker" \
  test -s "$tmp/sw1/runs/001-wlc/2/summary.json" -a -s "$tmp/sw1/runs/001-wlc/2/connections.csv" \
       -a ! -e "$tmp/sw1/runs/001-wlc/2/pcap" -a -e "$tmp/sw1/runs/001-wlc/2/.ipvsim-result"
check "sweep: the table printed is summary.txt" cmp "$tmp/sw1.out" "$tmp/sw1/summary.txt"
# each run is compare's run of its point, scheduler and seed: the same row
"$IPVSIM" compare -q "$sw_scn" --schedulers wlc --seed 2 --set 'clients.0.arrival=poisson(980/s)' \
  --set duration=2s -o "$tmp/sw-cmp" >/dev/null 2>&1
check "sweep: a run's row (runs/001-wlc/2/metrics.csv) is compare --seed 2's at that point" \
  test "$(sed -n 2p "$tmp/sw1/runs/001-wlc/2/metrics.csv" | cut -d, -f1,3-)" = "$(grep '^wlc,' "$tmp/sw-cmp/comparison.csv")"
check "sweep: runs.csv takes the metrics from the run's row" \
  test "$(grep '^001,.*,wlc,2,' "$tmp/sw1/runs.csv" | cut -d, -f6)" = \
       "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p99_ms") c = i } NR == 2 { print $c }' "$tmp/sw1/runs/001-wlc/2/metrics.csv")"
# the interval: mean -+ t(0.975, 2) sd / sqrt(3) over the point's p99s, recomputed here
p99s=$(awk -F, '$1 == "001" && $4 == "rr" { print $6 }' "$tmp/sw1/runs.csv" | tr '\n' ' ')
want=$(awk -v v="$p99s" 'BEGIN { n = split(v, x, " "); for (i = 1; i <= n; i++) m += x[i] / n
  for (i = 1; i <= n; i++) ss += (x[i] - m) ^ 2; h = 4.302652729749464 * sqrt(ss / (n - 1)) / sqrt(n)
  printf "%.4f %.4f %.4f", m, m - h, m + h }')
got=$(awk -F, '$1 == "001" && $4 == "rr" { print $6, $7, $8 }' "$tmp/sw1/summary.csv")
check "sweep: point 001 rr's p99 interval ($got) is mean -+ t(0.975, 2) s / sqrt(3) of its runs ($want)" \
  awk -v a="$got" -v b="$want" 'BEGIN { split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= 3; i++) if (x[i] == "" || (x[i] - y[i]) ^ 2 > 1e-6) exit 1 }'
check "sweep: a metric without values (remapped_share: no failure) leaves its interval empty" \
  grep -q ",,,$" "$tmp/sw1/summary.csv"
if command -v gnuplot >/dev/null; then
  check "sweep: a figure per metric, drawn" is_png "$tmp/sw1/plots/p99_ms.png"
  check "sweep: lines with bands, one per scheduler" \
    grep -q "linespoints.*title 'rr'" "$tmp/sw1/plots/p99_ms.gp"
fi

# Resumable: started again, a sweep runs only what is not finished (a removed run, and
# the temporary directory of a run killed mid-way is cleared), and writes the same bytes
touch "$tmp/sw2/runs/000-rr/1/untouched"
rm -rf "$tmp/sw2/runs/001-wlc/3" "$tmp/sw2/runs.csv" "$tmp/sw2/summary.csv" "$tmp/sw2/plots"
mkdir "$tmp/sw2/runs/001-wlc/3.tmp-Abc123"
echo 0000 >"$tmp/sw2/runs/000-wlc/2/.ipvsim-build" && touch "$tmp/sw2/runs/000-wlc/2/stale"
"$IPVSIM" sweep "$tmp/sw.json" -o "$tmp/sw2" --dry-run >"$tmp/sw-resume.plan" 2>&1
check "sweep: --dry-run counts the finished runs" grep -q "= 12 runs into .* (10 finished)" "$tmp/sw-resume.plan"
"$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw2" --jobs 2 >"$tmp/sw-resume.out" 2>&1
check "sweep: resumed (exit 0)" test $? -eq 0
check "sweep: a finished run is not run again" test -e "$tmp/sw2/runs/000-rr/1/untouched"
rm -f "$tmp/sw2/runs/000-rr/1/untouched"
check "sweep: a run made by another ipvsim build is run again" test ! -e "$tmp/sw2/runs/000-wlc/2/stale"
check "sweep: the interrupted run's leftover is gone" test ! -e "$tmp/sw2/runs/001-wlc/3.tmp-Abc123"
check "sweep: resumed, the same bytes" diff -r "$tmp/sw1" "$tmp/sw2"
mk_sweep "$tmp/sw-other.json" ', "pcap": false'
"$IPVSIM" sweep -q "$tmp/sw-other.json" -o "$tmp/sw2" >/dev/null 2>"$tmp/sw-other.err"
check "sweep: a directory of another sweep is refused (exit 2)" test $? -eq 2
check "sweep: ... saying so" grep -q "holds the runs of another sweep" "$tmp/sw-other.err"

# The Slurm engine, through the stand-in sbatch: a job array, each task a chunk of runs
# (ipvsim sweep --run-chunk DIR --chunk N --task K), collected into the same bytes
shim=$PWD/tests/slurm-shim
PATH="$shim:$PATH" SLURM_CONF=/etc/test-slurm.conf SBATCH_SHIM_LOG="$tmp/sbatch.log" \
  "$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw-slurm" --engine slurm --slurm-opt=--partition=short \
  >"$tmp/sw-slurm.out" 2>&1
check "slurm: the sweep runs through sbatch (exit 0)" test $? -eq 0
check "slurm: the same runs, summary and figures as the local engine, byte for byte" \
  diff -r -x slurm "$tmp/sw1" "$tmp/sw-slurm"
check "slurm: prints what the local engine prints" cmp "$tmp/sw1.out" "$tmp/sw-slurm.out"
check "slurm: 12 runs in at most 100 tasks: one run per task (--array=0-11)" \
  grep -q "^#SBATCH --array=0-11$" "$tmp/sw-slurm/slurm/sweep.sbatch"
check "slurm: each task runs its chunk" \
  grep -q "sweep --quiet --run-chunk '$tmp/sw-slurm' --chunk 1 --jobs 1 --task \"\$SLURM_ARRAY_TASK_ID\"$" \
  "$tmp/sw-slurm/slurm/sweep.sbatch"
check "slurm: sbatch --parsable --wait, --slurm-opt before the script" \
  grep -q "^sbatch --parsable --wait --partition=short $tmp/sw-slurm/slurm/sweep.sbatch$" "$tmp/sbatch.log"
check "slurm: sbatch sees SLURM_CONF" grep -q "^SLURM_CONF=/etc/test-slurm.conf$" "$tmp/sbatch.log"
check "slurm: the job's id is kept" test "$(cat "$tmp/sw-slurm/slurm/job")" = 4242
# --chunk 5, --no-wait, then --collect (the stand-in has run the tasks by then)
PATH="$shim:$PATH" "$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw-nw" --engine slurm --chunk 5 --jobs 2 --no-wait \
  >"$tmp/sw-nw.out" 2>&1
check "slurm: --no-wait submits and returns (exit 0)" test $? -eq 0
check "slurm: --no-wait says how to collect" grep -q "ipvsim sweep --collect $tmp/sw-nw$" "$tmp/sw-nw.out"
check "slurm: --no-wait collects nothing" test ! -e "$tmp/sw-nw/runs.csv"
check "slurm: --chunk 5: 3 tasks" grep -q "^#SBATCH --array=0-2$" "$tmp/sw-nw/slurm/sweep.sbatch"
check "slurm: --jobs 2: two runs at once in each task, on two CPUs" \
  grep -q "^#SBATCH --cpus-per-task=2$" "$tmp/sw-nw/slurm/sweep.sbatch"
"$IPVSIM" sweep --collect "$tmp/sw-nw" >"$tmp/sw-col.out" 2>&1
check "slurm: --collect DIR (exit 0)" test $? -eq 0
check "slurm: --collect writes what the local engine writes" diff -r -x slurm "$tmp/sw1" "$tmp/sw-nw"
# a task that did not run: --collect says which run is missing, exit 1
rm -rf "$tmp/sw-nw/runs/001-rr"
"$IPVSIM" sweep --collect "$tmp/sw-nw" >/dev/null 2>"$tmp/sw-miss.err"
check "slurm: --collect with runs missing exits 1" test $? -eq 1
check "slurm: ... naming the first missing run and the job" \
  grep -q "3 of 12 runs are not finished, or were made by another ipvsim build (the first: .*/runs/001-rr/1); job 4242" "$tmp/sw-miss.err"
# the chunk again, by hand, as its array task would: then it collects
"$IPVSIM" sweep -q --run-chunk "$tmp/sw-nw" --chunk 5 --task 1 >/dev/null 2>&1
check "slurm: --run-chunk runs its chunk (exit 0)" test $? -eq 0
"$IPVSIM" sweep -q --collect "$tmp/sw-nw" >/dev/null 2>&1
check "slurm: then --collect succeeds, the same bytes" diff -r -x slurm "$tmp/sw1" "$tmp/sw-nw"
# a run's place taken by someone else's file: the run cannot be written, exit 1, said
rm -rf "$tmp/sw-nw/runs/000-rr/1" && echo mine >"$tmp/sw-nw/runs/000-rr/1"
"$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw-nw" --jobs 1 >/dev/null 2>"$tmp/sw-taken.err"
check "sweep: a run whose directory is someone else's file fails (exit 1)" test $? -eq 1
check "sweep: ... saying so, the file left as it was" \
  test "$(grep -c 'runs/000-rr/1: exists and is not an ipvsim result' "$tmp/sw-taken.err")" -eq 1 \
       -a "$(cat "$tmp/sw-nw/runs/000-rr/1")" = mine
# sbatch failing (a refused option): said, exit 1
mkdir -p "$tmp/sbatch-fails"
printf '#!/bin/sh\necho "sbatch: error: invalid partition specified: nope" >&2\nexit 1\n' >"$tmp/sbatch-fails/sbatch"
chmod +x "$tmp/sbatch-fails/sbatch"
PATH="$tmp/sbatch-fails:$PATH" "$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw-sbfail" --engine slurm \
  --slurm-opt=--partition=nope >/dev/null 2>"$tmp/sw-sbfail.err"
check "slurm: sbatch refusing the job: exit 1" test $? -eq 1
check "slurm: ... its message shown" grep -q "invalid partition specified" "$tmp/sw-sbfail.err"
check "slurm: ... that nothing was submitted" grep -q "sbatch --wait failed: .*the job was not submitted" "$tmp/sw-sbfail.err"
"$IPVSIM" sweep --run-chunk "$tmp/sw-nw" --chunk 5 --task 3 >/dev/null 2>"$tmp/sw-task.err"
check "slurm: --run-chunk past the last chunk is refused (exit 2)" test $? -eq 2
PATH=/nonexistent "$IPVSIM" sweep "$tmp/sw.json" -o "$tmp/sw-nosb" --engine slurm >/dev/null 2>"$tmp/sw-nosb.err"
check "slurm: no sbatch in PATH: exit 1" test $? -eq 1
check "slurm: ... saying so, nothing written" \
  test -z "$(ls -A "$tmp/sw-nosb" 2>/dev/null)" -a "$(grep -c 'sbatch is not in PATH' "$tmp/sw-nosb.err")" -eq 1

# Bad sweep files and options: FILE:LINE:COL (or the option), exit 2, nothing written
sw_refuse() { # sw_refuse NAME PATTERN SWEEP-TEXT [OPTIONS...]
  local name=$1 pat=$2 text=$3; shift 3
  printf '%s\n' "$text" >"$tmp/sw-bad.json"
  rm -rf "$tmp/sw-bad"
  "$IPVSIM" sweep "$tmp/sw-bad.json" -o "$tmp/sw-bad" "$@" >/dev/null 2>"$tmp/sw-bad.err"
  local rc=$?
  check "sweep refused: $name (exit 2)" test $rc -eq 2
  check "sweep refused: $name says where and what" grep -q -- "$pat" "$tmp/sw-bad.err"
  check "sweep refused: $name writes nothing" test ! -e "$tmp/sw-bad"
}
head='{ "scenario": "'$sw_scn'", "schedulers": ["rr", "wlc"],'
sw_refuse "a syntax error" "sw-bad.json:3:1: unexpected end of the file" "$head"$'\n'
sw_refuse "an unknown key" "sw-bad.json:1:[0-9]*: unknown key 'replication'" "$head \"replication\": 3 }"
sw_refuse "an unknown scheduler" "sw-bad.json:1:[0-9]*: schedulers: unknown scheduler 'wlcc'" \
  '{ "scenario": "'$sw_scn'", "schedulers": ["rr", "wlcc"], "seeds": "1-2" }'
sw_refuse "a bad seed list" "sw-bad.json:1:[0-9]*: seeds: expected seeds" "$head \"seeds\": \"3-1\" }"
sw_refuse "an unknown metric" "sw-bad.json:2:13: metrics: 'p98_ms' is not a column" \
  "$head \"seeds\": \"1\","$'\n'"\"metrics\": [\"p98_ms\"] }"
sw_refuse "a value the scenario refuses, placed at the value" \
  "sw-bad.json:2:54: parameters: clients.0.arrival: the scenario .* refuses this value" \
  "$head \"seeds\": \"1\","$'\n'"\"parameters\": {\"clients.0.arrival\": [\"poisson(1/s)\", \"often\"]} }"
sw_refuse "seed as a parameter" "sw-bad.json:1:[0-9]*: parameters: seed:" \
  "$head \"seeds\": \"1\", \"parameters\": {\"seed\": [1, 2]} }"
sw_refuse "a missing scenario" "unequal-nope.json" \
  '{ "scenario": "unequal-nope.json", "schedulers": ["rr"], "seeds": "1" }'
mk_sweep "$tmp/sw-bad.json"
for opts in "--engine pbs" "--jobs 0" "--chunk 3" "--no-wait" "--engine slurm --chunk 0" "--task 1"; do
  rm -rf "$tmp/sw-bad"
  "$IPVSIM" sweep "$tmp/sw-bad.json" -o "$tmp/sw-bad" $opts >/dev/null 2>"$tmp/sw-bad.err"
  check "sweep refused: $opts (exit 2, nothing written)" test $? -eq 2 -a ! -e "$tmp/sw-bad"
done
mkdir -p "$tmp/sw-notours" && touch "$tmp/sw-notours/file"
"$IPVSIM" sweep -q "$tmp/sw.json" -o "$tmp/sw-notours" >/dev/null 2>"$tmp/sw-notours.err"
check "sweep refused: a directory that is not a sweep's (exit 2)" test $? -eq 2
check "sweep refused: ... left as it was" test "$(ls -A "$tmp/sw-notours")" = file
"$IPVSIM" sweep --collect "$tmp/sw-notours" >/dev/null 2>&1
check "sweep refused: --collect of a directory that is not a sweep's (exit 2)" test $? -eq 2

# The curated sweep plans and its file loads
"$IPVSIM" sweep scenarios/sweeps/load.json -o "$tmp/sw-curated" --dry-run >"$tmp/sw-curated.out" 2>&1
check "sweep: scenarios/sweeps/load.json plans its 60 runs" \
  grep -q "^4 points x 3 schedulers x 5 seeds = 60 runs" "$tmp/sw-curated.out"
# installed beside the scenarios it names, the curated sweep plans there too
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory install PREFIX="$tmp/sw-prefix" >/dev/null 2>&1
"$tmp/sw-prefix/bin/ipvsim" sweep "$tmp/sw-prefix/share/ipvsim/scenarios/sweeps/load.json" -o "$tmp/sw-inst" --dry-run \
  >"$tmp/sw-inst.out" 2>&1
check "sweep: make install puts scenarios/sweeps/ beside the scenarios (the curated sweep plans there)" \
  grep -q "= 60 runs" "$tmp/sw-inst.out"
