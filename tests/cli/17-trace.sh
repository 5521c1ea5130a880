# ipvsim trace: goldens per era, colours, jsonl, bad options.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_trace.c app/report/trace_text.c app/report/trace_json.c

for m in nat dr tun; do
  for era in 6.x 2.6.34; do
    "$IPVSIM" trace "scenarios/era-$m.json" --conn 1 --kernel "$era" > "$tmp/trace.txt" 2>&1
    golden "trace: $m connection under $era matches tests/golden/trace_${m}_$era.txt" \
      "tests/golden/trace_${m}_$era.txt" "$tmp/trace.txt"
  done
done
"$IPVSIM" trace scenarios/era-nat.json > "$tmp/trace1.txt" 2>&1
"$IPVSIM" trace scenarios/era-nat.json > "$tmp/trace2.txt" 2>&1
check "trace: same scenario, byte-identical trace" cmp -s "$tmp/trace1.txt" "$tmp/trace2.txt"
check "trace: no colour when stdout is not a terminal" test -z "$(grep -l $'\033' "$tmp/trace1.txt")"
if command -v script >/dev/null; then
  script -qec "env -u NO_COLOR $IPVSIM trace scenarios/era-nat.json --conn 1 --packet 1 --host lvs1" /dev/null > "$tmp/tty.txt" 2>&1
  check "trace: colours on a terminal" grep -q $'\033\\[' "$tmp/tty.txt"
  script -qec "NO_COLOR=1 $IPVSIM trace scenarios/era-nat.json --conn 1 --packet 1 --host lvs1" /dev/null > "$tmp/tty.txt" 2>&1
  check "trace: none on a terminal with NO_COLOR set" test -z "$(grep -l $'\033\\[' "$tmp/tty.txt")"
fi
"$IPVSIM" trace scenarios/era-dr.json --conn 1 --format jsonl > "$tmp/trace.jsonl" 2>&1
check "trace --format jsonl: exits 0" test $? -eq 0
python3 - "$tmp/trace.jsonl" > "$tmp/jsonl.err" 2>&1 <<'PY'
import json, sys
kinds = {"func", "hook", "hook_enter", "hook_empty", "note", "drop"}
empty = set()
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert list(o)[:7] == ["t", "host", "conn", "pkt", "depth", "kind", "func"], o
    assert o["kind"] in kinds and o["conn"] == 1, o
    if o["kind"] == "hook":
        assert {"hook", "priority", "owner", "verdict", "verdict_raw"} <= set(o), o
    if o["kind"] in ("note", "drop"):
        assert "detail" in o, o
    if o["kind"] == "hook_empty":
        assert o["func"] == "nf_hook" and "priority" not in o, o
        empty.add(o["hook"])
    n += 1
assert n > 100, n
assert {"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING"} <= empty, empty
PY
check "trace --format jsonl: one valid JSON object per line" test $? -eq 0
"$IPVSIM" trace scenarios/era-nat.json --format xml >/dev/null 2>&1; check "trace: bad --format exits 2" test $? -eq 2
"$IPVSIM" trace scenarios/era-nat.json --packet 1 >/dev/null 2>&1; check "trace: --packet without --conn exits 2" test $? -eq 2
"$IPVSIM" trace scenarios/era-nat.json --host nosuch >/dev/null 2>&1; check "trace: unknown --host exits 2" test $? -eq 2
"$IPVSIM" trace scenarios/era-nat.json --kernel 3.1.x >/dev/null 2>&1; check "trace: a malformed --kernel exits 2" test $? -eq 2
"$IPVSIM" trace no-such-file.json >/dev/null 2>&1; check "trace: missing file exits 2" test $? -eq 2
