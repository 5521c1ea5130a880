# Scripted client groups: a "script" of connections (address:port, time, sizes) instead of arrivals.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/scenario/scenario_script.c

sc=scenarios/scripted-clients.json
"$IPVSIM" check "$sc" > "$tmp/scr-check.out" 2>&1
check "scripted-clients: every expectation passes" test $? -eq 0
"$IPVSIM" run -q "$sc" -o "$tmp/scr" >/dev/null 2>&1
check "scripted-clients: run exit 0" test $? -eq 0
# connections.csv: the script's order, address:port, time and sizes
python3 - "$sc" "$tmp/scr/connections.csv" > "$tmp/scr-want.txt" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["clients"][0]
for e in c["script"]:
    at = e["at"]
    num = at.rstrip("ms")
    ns = int(num) * (10**6 if at.endswith("ms") else 10**9)
    print(f'{ns},{e["src"]},{e.get("protocol", "tcp")}')
EOF
tail -n +2 "$tmp/scr/connections.csv" | cut -d, -f2,4,6 > "$tmp/scr-got.txt"
check "scripted-clients: each connection at its time from its address:port, in its protocol" \
  diff -u "$tmp/scr-want.txt" "$tmp/scr-got.txt"
check "scripted-clients: the OK ones sent and got the script's sizes (4KB = 4000 bytes)" \
  test "$(awk -F, '$9 == "OK" { print $10 "/" $11 }' "$tmp/scr/connections.csv" | sort | uniq -c | tr -s ' ')" = " 3 200/40
 4 4000/300"
check "scripted-clients: the address:port reused within the client's TIME_WAIT connects, rescheduled to the other server" \
  test "$(sed -n '2p;5p' "$tmp/scr/connections.csv" | cut -d, -f4,7,9 | tr '\n' ' ')" = "198.51.100.7:40001,rs2,OK 198.51.100.7:40001,rs1,OK "
"$IPVSIM" trace "$sc" --conn 4 --host lvs1 > "$tmp/scr-trace.txt" 2>&1
check "scripted-clients: the trace shows conn_reuse_mode expiring the old entry" \
  grep -q "ip_vs_in: conn_reuse_mode: old connection expired, rescheduling" "$tmp/scr-trace.txt"

# The same script as a CSV file next to the scenario: the same run, byte for byte
python3 - "$sc" "$tmp/scr-csv" <<'EOF'
import json, os, sys
s = json.load(open(sys.argv[1]))
os.makedirs(sys.argv[2], exist_ok=True)
c = s["clients"][0]
with open(os.path.join(sys.argv[2], "web.csv"), "w") as f:
    f.write("# the script of scripted-clients.json\nat,src,request,response,protocol\n")
    for e in c["script"]:
        f.write(f'{e["at"]},{e["src"]},{e["request"]},{e["response"]},{e.get("protocol", "tcp")}\n')
c["script"] = "web.csv"
json.dump(s, open(os.path.join(sys.argv[2], "scripted-clients.json"), "w"), indent=1)
EOF
"$IPVSIM" run -q "$tmp/scr-csv/scripted-clients.json" -o "$tmp/scr2" >/dev/null 2>&1
check "a CSV script: exit 0" test $? -eq 0
check "a CSV script: the same connections as the array" cmp "$tmp/scr/connections.csv" "$tmp/scr2/connections.csv"
check "a CSV script: the same listings" cmp "$tmp/scr/ipvsadm.txt" "$tmp/scr2/ipvsadm.txt"
"$IPVSIM" run -q "$sc" --set clients.0.script="$tmp/scr-csv/web.csv" -o "$tmp/scr3" >/dev/null 2>&1
check "--set clients.0.script=FILE.csv: the same connections" cmp "$tmp/scr/connections.csv" "$tmp/scr3/connections.csv"
# A script leaves nothing to chance that connections.csv shows: another seed, the same file
"$IPVSIM" run -q "$sc" --seed 99 -o "$tmp/scr4" >/dev/null 2>&1
check "a script: another seed, the same connections.csv" cmp "$tmp/scr/connections.csv" "$tmp/scr4/connections.csv"

# A fault in the file: exit 2, the scenario's place then the file's LINE:COL, nothing written
printf 'at,src,request,response\n10ms,198.51.100.7:40001,300B,4KB\n20ms,198.51.100.7:99999,300B,4KB\n' > "$tmp/scr-csv/web.csv"
"$IPVSIM" run "$tmp/scr-csv/scripted-clients.json" -o "$tmp/scr5" >"$tmp/scr5.out" 2>"$tmp/scr5.err"
check "a bad CSV script: exit 2" test $? -eq 2
check "a bad CSV script: SCENARIO:LINE:COL: clients[0].script: FILE:LINE:COL: why" \
  grep -qE "^$tmp/scr-csv/scripted-clients.json:[0-9]+:[0-9]+: clients\[0\]\.script: $tmp/scr-csv/web.csv:3:6: port 99999 of \"198.51.100.7:99999\" is out of range \(expected 1 to 65535\)$" "$tmp/scr5.err"
check "a bad CSV script: nothing written" test ! -e "$tmp/scr5" -a ! -s "$tmp/scr5.out"

# kernel-check uses the script as it is (no virtual machine here: --dry-run)
"$IPVSIM" kernel-check --dry-run --connections 5 -o "$tmp/scr-kc" "$sc" >/dev/null 2>&1
check "kernel-check --dry-run of a scripted group: exit 0" test $? -eq 0
check "kernel-check --dry-run: the guest's script is the group's first 5 connections" \
  test "$(cut -d' ' -f1 "$tmp/scr-kc/scripted-clients/script.txt" | tr '\n' ' ')" = "198.51.100.7:40001 198.51.100.8:40001 198.51.100.7:40002 198.51.100.7:40001 198.51.100.9:5353 "
check "kernel-check --dry-run: each connection waits for its time from the first" \
  test "$(grep '^at ' "$tmp/scr-kc/scripted-clients/run.sh" | tr '\n' ' ')" = "at 0.000000 at 0.010000 at 0.020000 at 0.990000 at 1.990000 "
