# --kernel: every command that loads a scenario, any version, hooks --diff, sched --kernel.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# --- --kernel ERA: every command that loads a scenario, as --set kernel=ERA ----------
for c in run check trace compare validate hooks; do
  "$IPVSIM" "$c" scenarios/era-nat.json --kernel 2.6.32 >/dev/null 2>"$tmp/kern.err"
  check "$c --kernel 2.6.32: exit 2" test $? -eq 2
  check "$c --kernel 2.6.32: names the option, the range and the eras" \
    test "$(cat "$tmp/kern.err")" = "ipvsim $c: --kernel: '2.6.32' is older than the oldest kernel ipvsim models, 2.6.34 (versions 2.6.34 to 6.6, or an era: 2.6.34, 4.9, 5.10, 6.x)"
done
"$IPVSIM" run scenarios/era-nat.json -q --kernel 2.6.34 -o "$tmp/kern-opt" >/dev/null 2>&1
"$IPVSIM" run scenarios/era-nat.json -q --set kernel=2.6.34 -o "$tmp/kern-set" >/dev/null 2>&1
check "run --kernel 2.6.34: summary.json says 2.6.34" grep -q '"kernel":.*"2.6.34"' "$tmp/kern-opt/summary.json"
check "run --kernel 2.6.34: the same results as --set kernel=2.6.34" diff -r "$tmp/kern-opt" "$tmp/kern-set"
"$IPVSIM" run scenarios/era-nat.json -q --set kernel=4.9 --kernel 2.6.34 -o "$tmp/kern-both" >/dev/null 2>&1
check "run: --kernel comes after --set kernel=" grep -q '"kernel":.*"2.6.34"' "$tmp/kern-both/summary.json"
check "check --kernel 4.9: runs under 4.9" sh -c "'$IPVSIM' check scenarios/era-nat.json --kernel 4.9 | head -1 | grep -q 'kernel 4.9,'"
check "trace --kernel 2.6.34: traces under 2.6.34" sh -c "'$IPVSIM' trace scenarios/era-nat.json --kernel 2.6.34 --conn 1 | head -1 | grep -q 'kernel 2.6.34,'"
check "compare --kernel 2.6.34: compares under 2.6.34" sh -c "'$IPVSIM' compare scenarios/era-nat.json --schedulers rr,wlc -q --kernel 2.6.34 -o '$tmp/kern-cmp' | head -1 | grep -q 'kernel 2.6.34;'"
check "validate --kernel 4.9: ok" sh -c "'$IPVSIM' validate scenarios/era-nat.json --kernel 4.9 | grep -q ': ok$'"
# --- any version, not only the eras -----------------------------------------------
"$IPVSIM" run scenarios/era-nat.json -q --kernel 5.15 -o "$tmp/kern-515" >/dev/null 2>&1
check "run --kernel 5.15: runs" test $? -eq 0
check "run --kernel 5.15: summary.json has the name and the version" \
  sh -c "grep -q '\"kernel\":.*\"5.15\"' '$tmp/kern-515/summary.json' && grep -q '\"kernel_version\":.*\"5.15.0\"' '$tmp/kern-515/summary.json'"
"$IPVSIM" run scenarios/era-nat.json -q -o "$tmp/kern-6x" >/dev/null 2>&1
check "run: kernel 6.x's summary.json says version 6.2.0" grep -q '"kernel_version":.*"6.2.0"' "$tmp/kern-6x/summary.json"
"$IPVSIM" run scenarios/era-nat.json -q --set kernel=5.4 -o "$tmp/kern-54" >/dev/null 2>&1
check "run --set kernel=5.4: accepted" grep -q '"kernel_version":.*"5.4.0"' "$tmp/kern-54/summary.json"
check "check --kernel 4.18: runs under 4.18" sh -c "'$IPVSIM' check scenarios/era-nat.json --kernel 4.18 | head -1 | grep -q 'kernel 4.18,'"
check "trace --kernel 5.4.0: traces under 5.4" sh -c "'$IPVSIM' trace scenarios/era-nat.json --kernel 5.4.0 --conn 1 | head -1 | grep -q 'kernel 5.4,'"
check "hooks --kernel 5.15: the table of 5.15" sh -c "'$IPVSIM' hooks --kernel 5.15 | head -1 | grep -q '^kernel 5.15: hook arrays, LIFO ties'"
"$IPVSIM" hooks --kernel 5.4 --diff 4.9 > "$tmp/hdiff.txt" 2>&1
golden "hooks --kernel 5.4 --diff 4.9 matches tests/golden/hooks_diff_4.9_5.4.txt" tests/golden/hooks_diff_4.9_5.4.txt "$tmp/hdiff.txt"
check "hooks --diff: 6.6 and 6.x do not differ" sh -c "'$IPVSIM' hooks --kernel 6.6 --diff 6.x | grep -q '^profile: 0 fields, 0 schedulers'"
check "hooks --diff: 4.13 to 4.14 is the tie rule, with its version" \
  sh -c "'$IPVSIM' hooks --kernel 4.14 --diff 4.13 | grep -A1 '^tie: FIFO -> LIFO' | grep -q '4.14: hook arrays'"
check "hooks --diff: 3.10 to 3.11 lists every service flag that came, flag-1 to flag-3 too" \
  sh -c "'$IPVSIM' hooks --kernel 3.11 --diff 3.10 | grep -c '^service flag \\(flag-[123]\\|sh-port\\|sh-fallback\\): no -> yes' | grep -qx 5"
"$IPVSIM" hooks --kernel 5.4 --diff 5.15.0-91-generic >/dev/null 2>"$tmp/hdiff.err"
check "hooks --diff with a malformed version: exit 2" test $? -eq 2
check "hooks --diff with a malformed version: names the option" grep -q "^ipvsim hooks: --diff: expected a kernel version MAJOR.MINOR" "$tmp/hdiff.err"
"$IPVSIM" hooks --diff 4.9 scenarios/era-nat.json >/dev/null 2>&1
check "hooks --diff with a SCENARIO: exit 2" test $? -eq 2
for v in 2.6.33 6.7 4.21 5.15.0-91-generic; do
  "$IPVSIM" run scenarios/era-nat.json -q --kernel "$v" -o "$tmp/kern-bad" >/dev/null 2>&1
  check "run --kernel $v: exit 2, nothing written" sh -c "test $? -eq 2 && test ! -e '$tmp/kern-bad'"
done
# sched --kernel: wrr's counters changed in 3.10, mh came in 4.18, sh's flags in 3.11
check "sched wrr --kernel 3.9: cw from 0" test "$("$IPVSIM" sched wrr --dests A:4,B:3,C:2 --picks 9 --kernel 3.9)" = "A B A C B A C B A"
check "sched wrr --kernel 3.10: cw from mw after the adds" test "$("$IPVSIM" sched wrr --dests A:4,B:3,C:2 --picks 9 --kernel 3.10)" = "C B A A B A C B A"
"$IPVSIM" sched mh --dests A:1,B:1 --picks 1 --kernel 4.17 >/dev/null 2>"$tmp/sk.err"
check "sched mh --kernel 4.17: exit 2" test $? -eq 2
check "sched mh --kernel 4.17: says when mh came" test "$(cat "$tmp/sk.err")" = "ipvsim sched: kernel 4.17 has no scheduler mh (it came in 4.18)"
check "sched mh --kernel 4.18: picks" test "$("$IPVSIM" sched mh --dests A:1,B:1 --picks 2 --kernel 4.18)" = "B B"
"$IPVSIM" sched sh --dests A:1 --picks 1 --flags sh-port --kernel 3.10 >/dev/null 2>"$tmp/sk.err"
check "sched sh --flags sh-port --kernel 3.10: refused" test "$(cat "$tmp/sk.err")" = "ipvsim sched: --flags, column 1: kernel 3.10 has no flag sh-port (it came in 3.11)"
"$IPVSIM" sched rr --dests A:1 --picks 1 --kernel 7.0 >/dev/null 2>"$tmp/sk.err"
check "sched --kernel 7.0: refused" grep -q "^ipvsim sched: --kernel: '7.0' is newer than the newest kernel ipvsim models, 6.6" "$tmp/sk.err"
