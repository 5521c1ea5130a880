# Extremes: heavy-tailed draws, the whole seed range, very large scenarios.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# heavy-tailed draws: now + a drawn duration (service, arrival gap, think time, a trace
# file's value) saturates at the end of time; it used to wrap and abort in sim_at
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
s = json.load(open("scenarios/minimal.json"))
c = s["clients"][0]; del c["arrival"]; c.update(users=5, think="pareto(1ms,0.001)", start="1s")
s["name"] = "heavy-think"; json.dump(s, open(t + "/heavy-think.json", "w"))
s = json.load(open("scenarios/minimal.json"))
s["servers"][0]["service_time"] = "trace(heavy.csv)"; s["name"] = "heavy-trace"
json.dump(s, open(t + "/heavy-trace.json", "w"))
open(t + "/heavy.csv", "w").write("1e200\n0.001\n")
PY
for h in "scenarios/minimal.json --set servers.0.service_time=pareto(1ms,0.001)" \
         "scenarios/minimal.json --set clients.0.arrival=pareto(1ms,0.001) --set clients.0.start=1s" \
         "$tmp/heavy-think.json" "$tmp/heavy-trace.json"; do
  rm -rf "$tmp/heavy"*/ "$tmp"/heavy.tmp-*
  "$IPVSIM" run -q $h -o "$tmp/heavy" >/dev/null 2>"$tmp/heavy.err"; rc=$?
  check "a heavy-tailed draw runs to the end (exit 0, complete): ${h#scenarios/minimal.json }" \
    test "$rc" -eq 0 -a "$(field "$tmp/heavy/summary.json" complete 2>/dev/null)" = true
done

# seeds: the whole range of a scenario's "seed" (0 to 2^64 - 1) on the command line too,
# refused past it (it was clamped to 2^63 - 1), and written exactly to summary.json
S="$IPVSIM run -q scenarios/minimal.json --set duration=1s"
for cmd in run check trace compare; do
  case $cmd in
    run) extra="-o $tmp/seed-bad" ;;
    compare) extra="--schedulers rr,wlc -o $tmp/seed-bad" ;;
    *) extra= ;;
  esac
  "$IPVSIM" $cmd scenarios/minimal.json $extra --seed 18446744073709551616 >/dev/null 2>"$tmp/seed.err"; rc=$?
  check "$cmd --seed 2^64: exit 2, says the range" \
    test "$rc" -eq 2 -a -n "$(grep -- "--seed: expected an integer from 0 to 18446744073709551615, got '18446744073709551616'" "$tmp/seed.err")"
  "$IPVSIM" $cmd scenarios/minimal.json --set duration=1s --seed -1 >/dev/null 2>&1
  check "$cmd --seed -1: exit 2" test $? -eq 2
done
$S --seed 18446744073709551615 -o "$tmp/seed-max" >/dev/null 2>&1
check "--seed 2^64 - 1 runs; summary.json holds it exactly" \
  grep -q '"seed":.18446744073709551615,$' "$tmp/seed-max/summary.json"
$S --seed 9223372036854775807 -o "$tmp/seed-63" >/dev/null 2>&1
check "--seed 2^64 - 1 is not clamped to 2^63 - 1 (other results)" test -n "$(diff -q "$tmp/seed-max/connections.csv" "$tmp/seed-63/connections.csv")"
$S --set "seed=$(field "$tmp/seed-max/summary.json" seed)" -o "$tmp/seed-again" >/dev/null 2>&1
check "the seed of summary.json reproduces the run (--set seed=)" diff -r "$tmp/seed-max" "$tmp/seed-again"
sed 's/"name": "minimal",/"name": "minimal", "seed": 9007199254740993,/' scenarios/minimal.json > "$tmp/seed53.json"
"$IPVSIM" run -q "$tmp/seed53.json" --set duration=1s -o "$tmp/seed53" >/dev/null 2>&1
check "a scenario's seed 2^53 + 1 is written exactly" grep -q '"seed":.9007199254740993,$' "$tmp/seed53/summary.json"
$S --seed 42 -o "$tmp/seed42" >/dev/null 2>&1
check "an ordinary seed is written as before" grep -q '"seed":.42,$' "$tmp/seed42/summary.json"

# 100000 servers: the duplicate is found and named (the loader checks names and addresses
# by lookup: 0.4 s here where the linear scans took 37 s; speed is not asserted here)
python3 - "$tmp/many-servers.json" <<'PY'
import json, sys
n = 100000
s = {"servers": [{"name": "rs%d" % i, "ip": "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)}
                 for i in range(1, n + 1)],
     "clients": [{"name": "web", "target": "203.0.113.10:80"}], "ipvs": ["-A -t 203.0.113.10:80 -s rr"]}
s["servers"].append({"name": "rs1", "ip": "10.200.0.1"})
json.dump(s, open(sys.argv[1], "w"))
PY
"$IPVSIM" validate "$tmp/many-servers.json" >/dev/null 2>"$tmp/many.err"; rc=$?
check "100000 servers and a duplicate name: refused (exit 2) with the duplicate's position" \
  test "$rc" -eq 2 -a -n "$(grep ":1:[0-9]*: servers\[100000\].name: the name 'rs1' is already taken" "$tmp/many.err")"
# 300000 servers off one /24: the LAN is chosen by counting each /24 once (under 1 s here;
# a count per server took 6 s for 100000 and would take about a minute): the timeout only
# stops a run that is quadratic again, with a margin of 20 times
python3 - "$tmp/many-lans.json" <<'PY'
import json, sys
n = 300000
s = {"servers": [{"name": "rs%d" % i, "ip": "172.%d.%d.%d" % (16 + (i // 250 >> 8), i // 250 & 255, i % 250 + 1)}
                 for i in range(n)],
     "clients": [{"name": "web", "target": "203.0.113.10:80"}], "ipvs": ["-A -t 203.0.113.10:80 -s rr"]}
json.dump(s, open(sys.argv[1], "w"))
PY
timeout 20 "$IPVSIM" validate "$tmp/many-lans.json" >/dev/null 2>"$tmp/many-lans.err"; rc=$?
check "300000 servers on 1200 /24s: the one off the LAN named at once (exit 2, not the timeout's 124)" \
  test "$rc" -eq 2 -a -n "$(grep ":1:[0-9]*: servers\[250\].ip: 172.16.1.1 is not on the LAN 172.16.0.0/24, which 250 of the 300000 LAN addresses" "$tmp/many-lans.err")"
