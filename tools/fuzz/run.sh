#!/usr/bin/env bash
# Run libFuzzer targets built by `make fuzz-bin`, each for SECONDS, and print a table
# of executions per second and corpus sizes. Exits 1 if any target found a crash, a
# leak or a timeout (its input is in build/fuzz/crash-<target>-*).
#   tools/fuzz/run.sh SECONDS TARGET...
# FUZZ_JOBS=2 runs two targets at a time; FUZZ_ARGS adds libFuzzer options.
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: run.sh SECONDS TARGET...}
shift
jobs=${FUZZ_JOBS:-1}
mkdir -p build/fuzz/logs

run_one() {
  local t=$1
  local bin=build/fuzz/fuzz-$t
  mkdir -p "build/fuzz/corpus/$t"
  local dict=()
  [ -f "tools/fuzz/$t.dict" ] && dict=(-dict="tools/fuzz/$t.dict")
  # stdin from /dev/null: nothing a scenario names can wait on the terminal
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
         -artifact_prefix="build/fuzz/crash-$t-" "${dict[@]}" ${FUZZ_ARGS:-} \
         "build/fuzz/corpus/$t" "tools/fuzz/corpus/$t" </dev/null >"build/fuzz/logs/$t.log" 2>&1
  echo $? >"build/fuzz/logs/$t.rc"
}

running=0
for t in "$@"; do
  echo "fuzz $t: ${secs}s (log build/fuzz/logs/$t.log)"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

status=0
printf '%-10s %8s %10s %8s %10s  %s\n' target seconds execs exec/s corpus result
for t in "$@"; do
  log=build/fuzz/logs/$t.log
  rc=$(cat "build/fuzz/logs/$t.rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  time=$(sed -n 's/^stat::.*//; s/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  # the last status line: "#N DONE cov: .. ft: .. corp: FILES/SIZE lim: .. exec/s: E rss: .."
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  eps=$(printf '%s\n' "$last" | sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p')
  corp=$(printf '%s\n' "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
  result=ok
  if [ "$rc" != 0 ]; then
    result="FAILED (rc $rc): $(grep -m1 -E 'ERROR: |SUMMARY: ' "$log")"
    status=1
  fi
  printf '%-10s %8s %10s %8s %10s  %s\n' "$t" "${time:-?}" "${execs:-?}" "${eps:-?}" "${corp:-?}" "$result"
done
exit $status
