# One option group and one run session: run, check, trace, compare take the same options,
# and limits and signals stop each of them the same way (README, "Command line").
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# the same four options, with the same help line, in every command that runs a scenario
for opt in seed set limit kernel; do
  "$IPVSIM" run --help | grep -- "--$opt[= ]" > "$tmp/grp-run.txt"
  for c in check trace compare; do
    "$IPVSIM" $c --help | grep -- "--$opt[= ]" > "$tmp/grp-$c.txt"
    check "$c --help: --$opt with run's help line" \
      test -s "$tmp/grp-run.txt" -a "$(cat "$tmp/grp-$c.txt")" = "$(cat "$tmp/grp-run.txt")"
  done
done
check "validate --help: --set and --kernel, no --seed or --limit" \
  test "$("$IPVSIM" validate --help | grep -c -- '--\(set\|kernel\)=')" -eq 2 -a \
       "$("$IPVSIM" validate --help | grep -c -- '--\(seed\|limit\)=')" -eq 0
# the same stop in check, trace and compare: the same words, at the same simulated time
for c in check trace compare; do
  case $c in
    compare) extra="--schedulers wlc,rr -q -o $tmp/grp-cmp" ;;   # wlc: the scenario's own
    *) extra= ;;
  esac
  "$IPVSIM" $c scenarios/quickstart.json --limit events=100 $extra >"$tmp/grp-$c.out" 2>&1
  check "$c --limit events=100: exit status 1" test $? -eq 1
  grep -o "the pending-event limit (limits.events = 100) was reached at [0-9.]* s of 60 s simulated: the run stopped" \
    "$tmp/grp-$c.out" > "$tmp/grp-$c.stop"
done
check "check --limit events=100: says where the run stopped" test -s "$tmp/grp-check.stop"
check "trace --limit events=100: the same stop, in the same words, as check" diff "$tmp/grp-check.stop" "$tmp/grp-trace.stop"
check "compare --limit events=100: the same stop, in the same words, as check" diff "$tmp/grp-check.stop" "$tmp/grp-compare.stop"
"$IPVSIM" run -q scenarios/quickstart.json --limit events=100 -o "$tmp/grp-run" >/dev/null 2>"$tmp/grp-run.err"
check "run --limit events=100: the same words" \
  grep -q "^ipvsim run: the pending-event limit (limits.events = 100) was reached at [0-9.]* s of 60 s simulated: the run stopped; partial results" "$tmp/grp-run.err"
# --kernel in check and compare: the limit and the kernel together
"$IPVSIM" check scenarios/era-nat.json --kernel 2.6.34 --limit events=5 >"$tmp/grp-k.out" 2>&1
check "check --kernel 2.6.34 --limit events=5: exit 1, under 2.6.34, incomplete" \
  test $? -eq 1 -a -n "$(grep 'kernel 2.6.34,' "$tmp/grp-k.out")" -a -n "$(grep 'run incomplete: the pending-event limit (limits.events = 5)' "$tmp/grp-k.out")"
# SIGINT during check's first scenario: that run stops cleanly, the others are not run
"$IPVSIM" check scenarios/quickstart.json scenarios/era-nat.json --set duration=1h >"$tmp/grp-sig.out" 2>"$tmp/grp-sig.err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
check "check A B: SIGINT during A: exit status 1" test $? -eq 1
check "check A B: SIGINT during A: A stopped where it was, B not checked" \
  test -n "$(grep 'quickstart.json: run incomplete: SIGINT: stopped at' "$tmp/grp-sig.out")" -a \
       -n "$(grep '^ipvsim check: SIGINT: 1 scenario not checked$' "$tmp/grp-sig.err")" -a \
       -z "$(grep 'era-nat' "$tmp/grp-sig.out")"
# SIGINT during compare's second run: that run stops, nothing is written
"$IPVSIM" compare scenarios/quickstart.json --schedulers rr,wlc --set duration=1h -q -o "$tmp/grp-sig-cmp" >/dev/null 2>"$tmp/grp-sig-cmp.err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
check "compare: SIGINT: exit 1, says which run stopped, writes nothing" \
  test $? -eq 1 -a -n "$(grep '^ipvsim compare: the run under rr (1 of 2) did not complete: SIGINT: stopped at' "$tmp/grp-sig-cmp.err")" -a ! -e "$tmp/grp-sig-cmp"
# compare's scheduler is a value on the parsed -A/-E lines: an error points at the
# scenario's own line, and -b flags are checked against the scheduler as ipvsadm does
"$IPVSIM" compare scenarios/kernel-check-sh-fallback.json --schedulers sh,rr -q -o "$tmp/grp-flags" >/dev/null 2>"$tmp/grp-flags.err"
check "compare --schedulers sh,rr with -b sh-fallback: exit 2, the -b flag at its position, nothing written" \
  test $? -eq 2 -a ! -e "$tmp/grp-flags" -a \
       -n "$(grep "^scenarios/kernel-check-sh-fallback.json:43:37: ipvsadm: incompatible scheduler flag \`sh-fallback'$" "$tmp/grp-flags.err")" -a \
       -n "$(grep '^ipvsim compare: the run under rr (every -A and -E line with -s rr) does not build' "$tmp/grp-flags.err")"
"$IPVSIM" compare scenarios/quickstart.json --schedulers rr,mh --kernel 2.6.34 -q -o "$tmp/grp-era" >/dev/null 2>"$tmp/grp-era.err"
check "compare --schedulers mh --kernel 2.6.34: exit 2, at the -A line's -s, the era's schedulers" \
  test $? -eq 2 -a -n "$(grep '^scenarios/quickstart.json:20:39: ipvsadm: Scheduler or persistence engine not found (kernel 2.6.34 has: rr' "$tmp/grp-era.err")"
"$IPVSIM" compare scenarios/quickstart.json --schedulers rr --set 'ipvs=["-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m"]' -q -o "$tmp/grp-none" >/dev/null 2>"$tmp/grp-none.err"
check "compare: a scenario without -A: exit 2, says there is no scheduler to change" \
  test $? -eq 2 -a -n "$(grep 'adds no virtual service' "$tmp/grp-none.err")"

