# ipvsim import keepalived: keepalived.conf into a scenario that validates and runs; its
# checkers at work (HTTP_GET, MISC_CHECK, retries, inhibit, sorry server, quorum with
# hysteresis); malformed files (FILE:LINE:COL, exit 2, nothing written).
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_import.c
# Covers: app/import/import_keepalived.c
# Covers: model/user/keepalived/keepalived_conf.c

kc=scenarios/keepalived/keepalived.conf
"$IPVSIM" import keepalived "$kc" -o "$tmp/ka.json" 2> "$tmp/ka.err"
check "keepalived: the example imports (exit 0)" test $? -eq 0
golden "keepalived: the scenario written is scenarios/keepalived/keepalived.json" \
  scenarios/keepalived/keepalived.json "$tmp/ka.json"
grep -v ": written (" "$tmp/ka.err" > "$tmp/ka.warn"
golden "keepalived: every statement not carried over is a warning with its FILE:LINE:COL" \
  tests/golden/keepalived_import.txt "$tmp/ka.warn"
check "keepalived: the last line says where it went and how many warnings" \
  test "$(tail -1 "$tmp/ka.err")" = "$tmp/ka.json: written (8 warnings)"
"$IPVSIM" import keepalived "$kc" > "$tmp/ka-stdout.json" 2>/dev/null
check "keepalived: without -o the scenario goes to standard output, the same" \
  cmp -s "$tmp/ka-stdout.json" "$tmp/ka.json"
"$IPVSIM" validate "$tmp/ka.json" > "$tmp/ka-val.out" 2>&1
check "keepalived: the imported scenario validates" test $? -eq 0
"$IPVSIM" run -q "$tmp/ka.json" -o "$tmp/ka-run" > /dev/null 2>&1
check "keepalived: the imported scenario runs as it is" test $? -eq 0
check "keepalived: both services served (HTTP on rs1, rs2; DNS over UDP on rs3, rs4)" \
  python3 -c "
import json, sys
s = {x['name']: x for x in json.load(open('$tmp/ka-run/summary.json'))['servers']}
sys.exit(0 if all(s[n]['completed'] > 100 for n in ('rs1', 'rs2', 'rs3', 'rs4')) else 1)"
check "keepalived: the VRRP pair is there (lvs2 in the run's directors)" \
  grep -q lvs2 "$tmp/ka-run/directors.csv"

# the same configuration with failures scripted: the checkers' transitions, in time order
f=scenarios/keepalived/keepalived-failures.json
"$IPVSIM" run -q "$f" -o "$tmp/kaf" > /dev/null 2>&1
check "keepalived failures: run exit 0" test $? -eq 0
golden "keepalived failures: events.txt (HTTP_GET 503 after 3 retries, inhibit, quorum lost with the sorry server in, hysteresis holding it until both are back)" \
  tests/golden/keepalived_failures_events.txt "$tmp/kaf/events.txt"
check "keepalived failures: the sorry server served the DNS while the quorum was lost" \
  python3 -c "
import json, sys
s = {x['name']: x for x in json.load(open('$tmp/kaf/summary.json'))['servers']}
sys.exit(0 if s['sorry2']['completed'] > 500 and s['sorry1']['completed'] == 0 else 1)"
"$IPVSIM" run -q "$f" -o "$tmp/kaf2" > /dev/null 2>&1
check "keepalived failures: same scenario, same events (deterministic)" \
  cmp -s "$tmp/kaf/events.txt" "$tmp/kaf2/events.txt"

# malformed files: the first line of stderr, exit 2, nothing written
for b in tests/bad-keepalived/*.conf; do
  n=$(basename "$b" .conf)
  rm -f "$tmp/bad.json"
  "$IPVSIM" import keepalived "$b" -o "$tmp/bad.json" 2> "$tmp/bad.err"
  rc=$?
  check "keepalived bad $n: exit 2, nothing written" test $rc -eq 2 -a ! -e "$tmp/bad.json"
  head -1 "$tmp/bad.err" > "$tmp/bad.first"
  golden "keepalived bad $n: the message" "${b%.conf}.expected" "$tmp/bad.first"
done

# usage and environment
"$IPVSIM" import > "$tmp/imp.out" 2>&1
check "import without arguments: usage, exit 2" test $? -eq 2 -a -n "$(grep 'usage: ipvsim import keepalived FILE' "$tmp/imp.out")"
"$IPVSIM" import nginx "$kc" > "$tmp/imp.out" 2>&1
check "import nginx: unknown format, exit 2" \
  test $? -eq 2 -a "$(head -1 "$tmp/imp.out")" = "ipvsim import: unknown format 'nginx' (expected keepalived)"
"$IPVSIM" import keepalived "$tmp/no-such.conf" > "$tmp/imp.out" 2>&1
check "import of a file that is not there: exit 2, the file named" \
  test $? -eq 2 -a -n "$(grep "no-such.conf: cannot read" "$tmp/imp.out")"
"$IPVSIM" import keepalived "$kc" -o "$tmp/no-such-dir/x.json" > "$tmp/imp.out" 2>&1
check "import to a directory that is not there: exit 1 (environment), nothing written" \
  test $? -eq 1 -a ! -e "$tmp/no-such-dir"

# the imported scenarios hold to the schema (when Python's jsonschema is there)
if python3 -c 'import jsonschema' 2>/dev/null; then
  check "keepalived: the import and its failures copy validate against docs/scenario.schema.json" \
    python3 -c "
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open('docs/scenario.schema.json')))
errs = [e.message for f in ('$tmp/ka.json', 'scenarios/keepalived/keepalived-failures.json')
        for e in v.iter_errors(json.load(open(f)))]
print('\n'.join(errs)); sys.exit(1 if errs else 0)"
else
  echo "  skip  keepalived: schema validation (python3 jsonschema not installed)"
fi
