# ipvsim check: expectations and fingerprints.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_check.c

"$IPVSIM" check scenarios/era-*.json > "$tmp/check.txt" 2>&1
check "check: every era scenario passes its expectations (exit 0)" test $? -eq 0
check "check: no FAIL line" test -z "$(grep FAIL "$tmp/check.txt")"
"$IPVSIM" check scenarios/era-*.json > "$tmp/check2.txt" 2>&1
check "check: same scenarios, byte-identical report" cmp -s "$tmp/check.txt" "$tmp/check2.txt"
"$IPVSIM" check --set 'expect.3.equals="rs1"' scenarios/era-nat.json > "$tmp/wrong.txt" 2>&1
check "check: a wrong expectation exits 1" test $? -eq 1
check "check: it says what was expected and what was seen" \
  grep -q '^  FAIL  dest conn 1: expected rs1, saw rs2' "$tmp/wrong.txt"
check "check: the others still pass" test "$(grep -c '^  PASS' "$tmp/wrong.txt")" -eq 7
"$IPVSIM" check --set 'kernel="2.6.34"' scenarios/era-local-client-6.x.json > "$tmp/wrong.txt" 2>&1
check "check: 6.x's local client expectations fail under 2.6.34 (exit 1)" test $? -eq 1
check "check: ... because 2.6.34 has no IPVS hook at LOCAL_OUT" \
  grep -q 'FAIL  hook_order LOCAL_OUT on lvs1: expected ip_vs_out_hook@-99 ip_vs_in_hook@-98, saw (no hook function)' "$tmp/wrong.txt"
sed 's/"equals": "rs2"/"equals": 42/' scenarios/era-nat.json > "$tmp/bad-expect.json"
"$IPVSIM" check "$tmp/bad-expect.json" > "$tmp/bad.out" 2> "$tmp/bad.err"
check "check: a malformed expect entry exits 2" test $? -eq 2
check "check: ... reported as FILE:LINE:COL: message" \
  grep -qE "^$tmp/bad-expect.json:[0-9]+:[0-9]+: expect\[3\]\.equals: expected a real server's name" "$tmp/bad.err"
check "check: ... before anything runs" test ! -s "$tmp/bad.out"
"$IPVSIM" check >/dev/null 2>&1; check "check: no scenario exits 2" test $? -eq 2
pinned=$(python3 -c 'import json,sys; e=[e for e in json.load(open(sys.argv[1]))["expect"] if "fingerprint" in e][0]; e.pop("comment", None); print("{ " + ", ".join("%s: %s" % (json.dumps(k), json.dumps(v)) for k, v in e.items()) + " }")' scenarios/era-nat.json)
check "check --print-fingerprint: prints the entry era-nat.json pins (value, calls, marks)" \
  test "$("$IPVSIM" check --print-fingerprint scenarios/era-nat.json)" = "$pinned"
"$IPVSIM" check scenarios/era-nat.json --set duration=1s --set 'clients.0.stop="300ms"' >"$tmp/fp-part.out" 2>&1
check "check: a fingerprint FAIL says where the runs part, and how to trace it" \
  grep -q "^        the pinned run made 32 hook calls; the runs share the first 32 hook calls .*, then part after call 32; this run's call 33 is at .*(ipvsim trace scenarios/era-nat.json --host lvs1 --conn 2)$" "$tmp/fp-part.out"
fp100=$("$IPVSIM" check --print-fingerprint scenarios/era-post-routing-6.x.json)
fp101=$("$IPVSIM" check --print-fingerprint --set hooks.0.priority=101 scenarios/era-post-routing-6.x.json)
check "check: a user hook's priority moved by one changes the fingerprint" \
  test -n "$fp100" -a -n "$fp101" -a "$fp100" != "$fp101"
