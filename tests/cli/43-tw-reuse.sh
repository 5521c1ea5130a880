# A client group's sysctl, and net.ipv4.tcp_tw_reuse: connect() taking over TIME_WAIT ports.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

tw=scenarios/tw-reuse.json
"$IPVSIM" run -q "$tw" -o "$tmp/twr" >/dev/null 2>&1
check "tw-reuse: run exit 0" test $? -eq 0
check "tw-reuse: with tcp_tw_reuse 1 no connect() fails" test "$(field "$tmp/twr/summary.json" connections.ADDRNOTAVAIL)" = 0
# The same without the client's sysctl: the 28,232 ports run out, the rest fail.
python3 - "$tw" "$tmp/tw-default.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
del s["clients"][0]["sysctl"]
json.dump(s, open(sys.argv[2], "w"))
PY
"$IPVSIM" run -q "$tmp/tw-default.json" -o "$tmp/twd" >/dev/null 2>&1
check "tw-reuse: the default (2, loopback only) keeps every port until its TIME_WAIT ends" \
  test "$(field "$tmp/twd/summary.json" connections.OK)" = 28232
check "tw-reuse: the rest fail with EADDRNOTAVAIL" test "$(field "$tmp/twd/summary.json" connections.ADDRNOTAVAIL)" -gt 10000
# 4.9 (default 0) behaves as the default; its hooks --diff names the change.
"$IPVSIM" hooks --kernel 6.x --diff 4.9 > "$tmp/tw-diff.txt" 2>&1
check "tw-reuse: hooks --diff names the default's change in 4.18" \
  grep -q 'tcp_tw_reuse_default: 0 (never) -> 2 (loopback only)' "$tmp/tw-diff.txt"

# Bad input: an IPVS sysctl in a client group, a group on the director with a sysctl.
python3 - "$tw" "$tmp" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["clients"][0]["sysctl"] = {"expire_nodest_conn": 1}
json.dump(s, open(sys.argv[2] + "/tw-bad1.json", "w"))
s["clients"][0]["sysctl"] = {"net.ipv4.tcp_tw_reuse": 1}
s["clients"][0]["host"] = "director"
del s["clients"][0]["net"], s["clients"][0]["count"]
json.dump(s, open(sys.argv[2] + "/tw-bad2.json", "w"))
PY
"$IPVSIM" validate "$tmp/tw-bad1.json" > "$tmp/tw-bad1.out" 2>&1; rc=$?
check "tw-reuse: an IPVS sysctl in a client group: exit 2" test $rc -eq 2
check "tw-reuse: ... named with its position" grep -q "tw-bad1.json:1:[0-9]*: .*sysctl 'expire_nodest_conn' is the director's (IPVS): a client group takes only net.ipv4 ones" "$tmp/tw-bad1.out"
"$IPVSIM" validate "$tmp/tw-bad2.json" > "$tmp/tw-bad2.out" 2>&1; rc=$?
check "tw-reuse: a sysctl for a group on the director: exit 2" test $rc -eq 2
check "tw-reuse: ... pointing at the top-level sysctl" grep -q "a group on the director uses the director's sysctls" "$tmp/tw-bad2.out"
