# slurm: a single-node Slurm started by tools/slurm-local, a job array through sbatch, and a sweep through it
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
#
# tools/slurm-local runs here in a directory of its own ($tmp/slurm, SLURM_LOCAL_DIR), so
# that a Slurm started by hand in build/slurm is left alone; its daemons are stopped when
# the section ends, and by the trap below if the tests are interrupted. Skipped, saying
# why, when Slurm's packages are missing (tools/install-deps installs them) or its
# daemons cannot start on this machine.

sl_dir=$tmp/slurm
sl_top=$(pwd)
sl() { SLURM_LOCAL_DIR=$sl_dir "$sl_top/tools/slurm-local" "$@"; }
# pids of the three daemons, as status prints them ("munged runs (pid N)")
sl_pids() { sl status 2>/dev/null | sed -n 's/.* runs (pid \([0-9]*\))$/\1/p' | tr '\n' ' '; }
# none_alive PID...: none of these processes is left
none_alive() { local p; for p in "$@"; do [ ! -d "/proc/$p" ] || return 1; done; }

check "slurm-local without a command: usage, exit 2" \
  test "$("$sl_top/tools/slurm-local" 2>&1 >/dev/null)" = "usage: tools/slurm-local start|stop|status"

sl_missing=""
for sl_cmd in munged mungekey slurmctld slurmd sbatch squeue sinfo; do
  command -v "$sl_cmd" >/dev/null || sl_missing="$sl_missing $sl_cmd"
done
if [ -n "$sl_missing" ]; then
  echo "  skip  slurm: no$sl_missing (tools/install-deps installs munge, slurmctld, slurmd and slurm-client)"
else
  # The daemons must not outlive the tests, whatever stops them: the runner's own EXIT
  # trap (which removes $tmp) is put back at the end of the section.
  sl_saved_trap=$(trap -p EXIT)
  trap 'sl stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT
  trap 'sl stop >/dev/null 2>&1; rm -rf "$tmp"; exit 130' INT TERM

  sl_t0=$(date +%s%N)
  sl start > "$tmp/sl-start.out" 2>&1
  sl_rc=$?
  sl_start_ms=$((($(date +%s%N) - sl_t0) / 1000000))
  if [ "$sl_rc" -ne 0 ]; then
    echo "  skip  slurm: its daemons do not start on this machine (tools/slurm-local start, exit $sl_rc):"
    sed 's/^/          /' "$tmp/sl-start.out"
  else
    echo "  info  slurm-local start: ${sl_start_ms} ms"
    check "slurm-local start: the node is idle, with this machine's CPUs and memory" \
      grep -q "^slurm-local: node $(hostname -s) idle ($(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo) MB, partition local)" "$tmp/sl-start.out"
    check "slurm-local start: env exports SLURM_CONF, the slurm.conf it wrote" \
      test "$(grep -v '^#' "$sl_dir/env")" = "export SLURM_CONF=$sl_dir/slurm.conf"
    check "slurm-local start: every path of slurm.conf is under its directory; munged's socket given as AuthInfo" \
      test "$(grep -o '=/[^ ]*' "$sl_dir/slurm.conf" | grep -v "^=$sl_dir/" | tr '\n' ' ')" = "=/bin/true " \
        -a "$(grep -c "^AuthInfo=socket=$sl_dir/munge/munge.socket$" "$sl_dir/slurm.conf")" -eq 1 \
        -a -S "$sl_dir/munge/munge.socket"
    check "slurm-local start: no cgroups (proctrack/linuxproc, task/none)" \
      test "$(grep -c '^ProctrackType=proctrack/linuxproc$\|^TaskPlugin=task/none$' "$sl_dir/slurm.conf")" -eq 2
    sl_pids1=$(sl_pids)
    cp "$sl_dir/slurm.conf" "$tmp/sl-conf1"
    sl status > "$tmp/sl-status.out" 2>&1
    check "slurm-local status: the three daemons run, exit 0" \
      test $? -eq 0 -a "$(grep -c '^slurm-local: \(munged\|slurmctld\|slurmd\) runs (pid [0-9]*)$' "$tmp/sl-status.out")" -eq 3
    sl start > "$tmp/sl-start2.out" 2>&1
    sl_rc=$?
    check "slurm-local start again: exit 0, the same daemons, the same configuration" \
      eval 'test "$sl_rc" -eq 0 -a "$(sl_pids)" = "$sl_pids1" -a -n "$sl_pids1" && cmp -s "$tmp/sl-conf1" "$sl_dir/slurm.conf"'

    # A job array of 4 tasks, each writing a file of its own; sbatch --wait returns when
    # the last task has ended. The tasks see the submitter's environment (sbatch's
    # default --export=ALL): PATH and SLURM_CONF, which the sweep engine relies on.
    mkdir -p "$tmp/sl-job"
    sl_t0=$(date +%s%N)
    (. "$sl_dir/env" && SL_MARK=ipvsim-slurm timeout 120 sbatch --parsable --wait --array=0-3 \
       -o "$tmp/sl-job/log.%a" \
       --wrap 'printf "%s %s %s %s\n" "$SLURM_ARRAY_TASK_ID" "$SLURM_ARRAY_TASK_COUNT" "$SL_MARK" "$SLURM_CONF" > '"$tmp"'/sl-job/out.$SLURM_ARRAY_TASK_ID.tmp && mv '"$tmp"'/sl-job/out.$SLURM_ARRAY_TASK_ID.tmp '"$tmp"'/sl-job/out.$SLURM_ARRAY_TASK_ID') \
      > "$tmp/sl-job/sbatch.out" 2>&1
    sl_rc=$?
    sl_array_ms=$((($(date +%s%N) - sl_t0) / 1000000))
    echo "  info  a 4-task job array through sbatch --wait: ${sl_array_ms} ms"
    check "sbatch --wait of a 4-task array: exit 0, a job id" \
      test "$sl_rc" -eq 0 -a "$(grep -c '^[0-9][0-9]*$' "$tmp/sl-job/sbatch.out")" -eq 1
    sl_want="" sl_got=""
    for k in 0 1 2 3; do
      sl_want="$sl_want$k 4 ipvsim-slurm $sl_dir/slurm.conf;"
      sl_got="$sl_got$(cat "$tmp/sl-job/out.$k" 2>/dev/null);"
    done
    check "the array's 4 tasks each wrote their file, with the submitter's environment" \
      test "$sl_got" = "$sl_want" -a "$(find "$tmp/sl-job" -name 'out.*' | wc -l)" -eq 4
    check "after sbatch --wait: no job left in the queue" \
      test -z "$(. "$sl_dir/env" && squeue -h 2>&1)"

    # The sweep engine (`ipvsim sweep --engine slurm`), when this ipvsim has it: the same
    # small sweep through the local engine and through Slurm, byte for byte.
    if "$IPVSIM" sweep --help 2>&1 | grep -q -- '--engine'; then
      cp scenarios/dr.json "$tmp/sl-dr.json"
      cat > "$tmp/sl-sweep.json" <<EOF
{ "comment": "8 runs: 2 client counts x 2 schedulers x 2 seeds",
  "scenario": "sl-dr.json",
  "parameters": { "clients.0.count": [10, 20] },
  "schedulers": ["rr", "wlc"],
  "replications": 2 }
EOF
      "$IPVSIM" sweep "$tmp/sl-sweep.json" -o "$tmp/sl-sweep-local" --engine local --quiet > "$tmp/sl-sweep-local.out" 2>&1
      check "sweep --engine local: exit 0" test $? -eq 0 || tail -5 "$tmp/sl-sweep-local.out"
      sl_t0=$(date +%s%N)
      (. "$sl_dir/env" && timeout 300 "$IPVSIM" sweep "$tmp/sl-sweep.json" -o "$tmp/sl-sweep-slurm" \
         --engine slurm --chunk 3 --quiet) > "$tmp/sl-sweep-slurm.out" 2>&1
      check "sweep --engine slurm (3 array tasks): exit 0" test $? -eq 0 || tail -5 "$tmp/sl-sweep-slurm.out"
      echo "  info  an 8-run sweep through Slurm: $((($(date +%s%N) - sl_t0) / 1000000)) ms"
      check "sweep: runs.csv of the Slurm engine is the local engine's, byte for byte" \
        cmp "$tmp/sl-sweep-local/runs.csv" "$tmp/sl-sweep-slurm/runs.csv"
      check "sweep: summary.csv of the Slurm engine is the local engine's, byte for byte" \
        cmp "$tmp/sl-sweep-local/summary.csv" "$tmp/sl-sweep-slurm/summary.csv"
    else
      echo "  skip  sweep through Slurm: this ipvsim has no 'sweep --engine'"
    fi

    # Jobs still running when Slurm stops: stop cancels them, and their processes (known by
    # a variable of their environment) end before the daemons do.
    sl_busy=$(. "$sl_dir/env" && SL_MARK=$tmp/busy sbatch --parsable --array=0-2 -o /dev/null --wrap 'sleep 300' 2>&1)
    sl_job_pids() { grep -lsz "^SL_MARK=$tmp/busy\$" /proc/[0-9]*/environ | cut -d/ -f3 | tr '\n' ' '; }
    for _ in $(seq 50); do
      [ "$(sl_job_pids | wc -w)" -lt 2 ] || break
      sleep 0.2
    done
    sleep 0.5
    sl_steps=$(sl_job_pids)
    sl_t0=$(date +%s%N)
    sl stop > "$tmp/sl-stop.out" 2>&1
    sl_rc=$?
    echo "  info  slurm-local stop: $((($(date +%s%N) - sl_t0) / 1000000)) ms"
    check "slurm-local stop: exit 0, the three daemons have exited, env is gone" \
      eval 'test "$sl_rc" -eq 0 -a ! -e "$sl_dir/env" && none_alive $sl_pids1'
    check "slurm-local stop with an array running: cancels its jobs, their processes have ended" \
      eval 'grep -q "^slurm-local: cancelling the jobs still queued or running: .*\b$sl_busy\b" "$tmp/sl-stop.out" \
        && test "$(wc -w <<< "$sl_steps")" -ge 2 && none_alive $sl_steps'
    sl status > "$tmp/sl-status.out" 2>&1
    check "slurm-local status once stopped: exit 3, nothing runs" \
      test $? -eq 3 -a "$(grep -c 'does not run$' "$tmp/sl-status.out")" -eq 3
    sl stop > "$tmp/sl-stop2.out" 2>&1
    check "slurm-local stop again: exit 0, nothing to stop" test $? -eq 0 -a ! -s "$tmp/sl-stop2.out"

    # A slurmd that never comes up (a stand-in that exits at once): start gives up after
    # SLURM_LOCAL_TIMEOUT, says why with the daemons' logs, and leaves nothing running.
    mkdir -p "$tmp/sl-fake"
    printf '#!/bin/sh\nexit 0\n' > "$tmp/sl-fake/slurmd"
    chmod +x "$tmp/sl-fake/slurmd"
    PATH="$tmp/sl-fake:$PATH" SLURM_LOCAL_TIMEOUT=2 sl start > "$tmp/sl-fail.out" 2>&1
    sl_rc=$?
    check "slurm-local start without a slurmd: exit 1, names the node and the wait, shows slurmctld's log" \
      test "$sl_rc" -eq 1 \
        -a "$(grep -c "^slurm-local: the node $(hostname -s) was not idle after 2 s (sinfo says: .*; SLURM_LOCAL_TIMEOUT gives more time)$" "$tmp/sl-fail.out")" -eq 1 \
        -a "$(grep -c "^---- last lines of $sl_dir/log/slurmctld.log$" "$tmp/sl-fail.out")" -eq 1
    sl status > "$tmp/sl-status.out" 2>&1
    check "slurm-local start that failed: leaves no daemon running" \
      test $? -eq 3 -a "$(grep -c 'does not run$' "$tmp/sl-status.out")" -eq 3
  fi
  sl stop >/dev/null 2>&1
  trap - INT TERM
  if [ -n "$sl_saved_trap" ]; then eval "$sl_saved_trap"; else trap - EXIT; fi
fi
