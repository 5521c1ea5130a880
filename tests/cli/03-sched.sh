# The scheduler playground (ipvsim sched).
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

out=$("$IPVSIM" sched wrr --dests A:4,B:3,C:2 --picks 9 --init 2>&1)
check "sched wrr --init gives the canonical cycle" test "$out" = "A B A C B A C B A"
"$IPVSIM" sched nosuch --dests A:1 --picks 1 >/dev/null 2>&1; check "sched: unknown scheduler exits 2" test $? -eq 2
out=$("$IPVSIM" sched rr --dests A:1,B:1,C:1 --script "pick 2; add D:1; pick 2; del C; pick 3" 2>&1)
check "sched --script: a line per pick step, as the README shows" \
  test "$out" = "$(printf 'step 1, pick 2: C B\nstep 3, pick 2: A D\nstep 5, pick 3: B A D')"
