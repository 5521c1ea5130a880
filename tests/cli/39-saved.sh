# Saved rule sets (ipvsadm-save, iptables-save) in "ipvs" and "netfilter", and the warnings
# of validate and run about scenarios that cannot work.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/run/run_lint.c

# A real director's files referenced from the scenario: tests/scenarios/saved/ holds an
# `iptables-save -c` of iptables 1.8.9 and an `ipvsadm-save -n`
sv=tests/scenarios/saved-files.json
"$IPVSIM" validate "$sv" > "$tmp/sv-val.out" 2>&1
check "saved files: validate says ok, no warning" test "$(cat "$tmp/sv-val.out")" = "$sv: ok"
"$IPVSIM" run -q "$sv" -o "$tmp/sv" > /dev/null 2>&1
check "saved files: run exit 0" test $? -eq 0
check "saved files: the four services of ipvsadm-save are listed" \
  test "$(grep -cE '^(TCP|UDP|FWM) ' "$tmp/sv/ipvsadm.txt")" -ge 4
check "saved files: -m multiport, -m comment and the user chain WEB take the SYNs, -m mark ! --mark sends them to LOG and DROP" \
  test "$(field "$tmp/sv/summary.json" 'drops.lvs1: LOCAL_IN ipt_do_table: filter WEB: -j DROP')" -gt 0
check "saved files: the saved rules decide (INPUT DROP, the SYNs marked by mangle dropped in WEB): no OK connection" \
  test "$(field "$tmp/sv/summary.json" connections.OK)" = 0

# The same texts pasted as strings: the same run
python3 - "$sv" "$tmp/sv-pasted.json" <<'EOF2'
import json, sys
s = json.load(open(sys.argv[1]))
s["ipvs"] = open("tests/scenarios/saved/ipvsadm.rules").read()
s["netfilter"] = [open("tests/scenarios/saved/iptables-c.v4").read()]
json.dump(s, open(sys.argv[2], "w"), indent=1)
EOF2
"$IPVSIM" run -q "$tmp/sv-pasted.json" -o "$tmp/sv2" > /dev/null 2>&1
check "pasted saved texts: run exit 0" test $? -eq 0
check "pasted saved texts: the same connections as the files" cmp "$tmp/sv/connections.csv" "$tmp/sv2/connections.csv"
check "pasted saved texts: the same listings as the files" cmp "$tmp/sv/ipvsadm.txt" "$tmp/sv2/ipvsadm.txt"

# Faults: FILE:LINE:COL of the referenced file, or the scenario's place of the character
# in the pasted string with its line in the saved text; exit 2, nothing written
mkdir -p "$tmp/svbad"
cp tests/scenarios/saved/ipvsadm.rules "$tmp/svbad/"
sed 's/-m comment --comment "web ports in"/-m set --match-set web dst -m comment --comment "web ports in"/' \
  tests/scenarios/saved/iptables-c.v4 > "$tmp/svbad/rules.v4"
python3 - "$sv" "$tmp/svbad/s.json" <<'EOF2'
import json, sys
s = json.load(open(sys.argv[1]))
s["ipvs"] = {"file": "ipvsadm.rules"}
s["netfilter"] = {"file": "rules.v4"}
json.dump(s, open(sys.argv[2], "w"), indent=1)
EOF2
"$IPVSIM" run "$tmp/svbad/s.json" -o "$tmp/svbad/out" > "$tmp/svbad.out" 2> "$tmp/svbad.err"
check "-m set in a saved file: exit 2" test $? -eq 2
check "-m set in a saved file: FILE:LINE:COL of the file, named out of scope" \
  test "$(cat "$tmp/svbad.err")" = "$tmp/svbad/rules.v4:27:65: iptables: match \`set' (ipset) is out of scope: ipvsim models no ipset sets (write the addresses as -s/-d lists or rules)"
check "-m set in a saved file: nothing written" test ! -e "$tmp/svbad/out"
printf '{ "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],\n  "clients": [ { "name": "web", "target": "203.0.113.10:80" } ],\n  "ipvs": "-A -t 203.0.113.10:80 -s wlc\\n-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m -w x\\n" }\n' > "$tmp/svp.json"
"$IPVSIM" validate "$tmp/svp.json" > /dev/null 2> "$tmp/svp.err"
check "a bad line in a pasted ipvsadm-save: exit 2" test $? -eq 2
check "a bad line in a pasted ipvsadm-save: the scenario's LINE:COL of the value, and the line in the saved text" \
  grep -qx "$tmp/svp.json:3:87: ipvsadm (line 2 of the saved text): .*" "$tmp/svp.err"
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n' > "$tmp/svbad/nocommit.v4"
python3 - "$sv" "$tmp/svbad/c.json" <<'EOF2'
import json, sys
s = json.load(open(sys.argv[1]))
s["ipvs"] = open("tests/scenarios/saved/ipvsadm.rules").read()
s["netfilter"] = ["-A INPUT -p udp -j ACCEPT", {"file": "nocommit.v4"}]
json.dump(s, open(sys.argv[2], "w"), indent=1)
EOF2
"$IPVSIM" validate "$tmp/svbad/c.json" > /dev/null 2> "$tmp/svc.err"
check "a saved table without COMMIT: exit 2, iptables-restore's words at the file's end" \
  test "$?:$(cat "$tmp/svc.err")" = "2:$tmp/svbad/nocommit.v4:4:1: netfilter[1]: iptables-restore: COMMIT expected at line 4 (table \`filter' opened at line 1 is not committed)"

# Warnings: validate and run say what cannot work, exit 0
python3 - "$tmp/svw.json" <<'EOF2'
import json, sys
s = {"name": "svw", "duration": "2s", "director": {"vip": "203.0.113.10"},
     "servers": [{"name": "rs1", "ip": "192.0.2.11", "port": 80}, {"name": "rs2", "ip": "192.0.2.12", "port": 80}],
     "clients": [{"name": "web", "target": "203.0.113.10:80", "arrival": "poisson(20/s)"},
                 {"name": "lost", "target": "198.18.0.1:80", "arrival": "poisson(1/s)"}],
     "ipvs": ["-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m",
              "-a -t 203.0.113.10:80 -r 192.0.2.13:80 -m", "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m"],
     "expect": [{"metric": "connections.OKAY", "op": ">", "value": 0}]}
json.dump(s, open(sys.argv[1], "w"), indent=1)
EOF2
"$IPVSIM" validate "$tmp/svw.json" > "$tmp/svw.out" 2> "$tmp/svw.err"
check "validate warns: exit 0, ok with the count" test "$?:$(cat "$tmp/svw.out")" = "0:$tmp/svw.json: ok, 4 warnings"
check "validate warns: a dest port no server listens on" \
  grep -qE "^$tmp/svw.json:[0-9]+:[0-9]+: warning: ipvs: dest 192.0.2.11:8080: server rs1 listens on port 80 only" "$tmp/svw.err"
check "validate warns: an ipvsadm dest that is no server" \
  grep -qE "^$tmp/svw.json:[0-9]+:[0-9]+: warning: ipvs: dest 192.0.2.13 is no server of the scenario" "$tmp/svw.err"
check "validate warns: a client target that is no VIP and no server" \
  grep -qE "^$tmp/svw.json:[0-9]+:[0-9]+: warning: clients\[1\]\.target: TCP 198.18.0.1:80 is no virtual service" "$tmp/svw.err"
check "validate warns: an expectation naming a metric summary.json will not hold" \
  grep -qE "^$tmp/svw.json:[0-9]+:[0-9]+: warning: expect\[0\]\.metric: summary.json has no 'OKAY' under 'connections'" "$tmp/svw.err"
"$IPVSIM" run "$tmp/svw.json" -o "$tmp/svw" > "$tmp/svw-run.out" 2> "$tmp/svw-run.err"
check "run warns: exit 0, the results written" test "$?" -eq 0 -a -f "$tmp/svw/summary.json"
check "run warns: the end-of-run line counts them" grep -q "; 4 warnings (above): the scenario cannot work as written$" "$tmp/svw-run.out"
check "run warns: the same four lines as validate" test "$(grep -c ': warning: ' "$tmp/svw-run.err")" -eq 4
"$IPVSIM" check "$tmp/svw.json" > /dev/null 2>&1
check "check: the expectation on an unknown metric still fails (exit 1)" test $? -eq 1
