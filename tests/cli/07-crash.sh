# A crash with the health checker on; drops by reason; hung conversations, the closing line.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# --- a crash with the health checker on, seen in connections.csv and timeseries.csv ----
# scenarios/quickstart.json: rs2 crashes at 20 s (server_down: silent), the health checker
# (interval 2 s, timeout 1 s, 3 retries) takes it out, and it is back at 40 s. The script
# prints one "1|0 <TAB> what" line per check. A conversation whose SYN went to the crashed
# rs2 has rs2 as its server in connections.csv (IPVS scheduled it there) and ends in
# TIMEOUT; summary.json counts it in rs2's "scheduled", not in its "completed"; a
# timeseries row at T covers (T-1 s, T].
"$IPVSIM" run -q scenarios/quickstart.json -o "$tmp/hc" >/dev/null 2>&1
check "crash: quickstart runs" test $? -eq 0
python3 - "$tmp/hc" scenarios/quickstart.json > "$tmp/hc.checks" 2>"$tmp/hc.err" <<'EOF'
import csv, json, math, re, sys
d, scn = sys.argv[1], sys.argv[2]
s = json.load(open(scn))
def secs(v):
    m = re.fullmatch(r"([\d.]+)(ms|s)", v)
    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
hcfg = s["healthcheck"]
interval, timeout, retries = secs(hcfg["interval"]), secs(hcfg["timeout"]), hcfg["retries"]
ip = next(x["ip"] for x in s["servers"] if x["name"] == "rs2")
ev = open(d + "/events.txt").read().splitlines()
crash = next(float(m.group(1)) for l in ev for m in [re.match(r"at ([\d.]+)s server_down rs2: ok$", l)] if m)
back = next(float(m.group(1)) for l in ev for m in [re.match(r"at ([\d.]+)s server_up rs2: ok$", l)] if m)
hc = [(float(m.group(1)), m.group(2)) for l in ev
      for m in [re.match(r"at ([\d.]+)s healthcheck lvs1 TCP [\d.:]+ %s:\d+: (down|up), dest (removed|added back)$" % re.escape(ip), l)] if m]
down = next(t for t, w in hc if w == "down")
up = next(t for t, w in hc if w == "up" and t > down)
conns = list(csv.DictReader(open(d + "/connections.csv")))
def started(a, b): return [c for c in conns if a <= int(c["start_ns"]) / 1e9 < b]
ts = [r for r in csv.DictReader(open(d + "/timeseries.csv")) if r["server"] == "rs2"]
def rows(a, b): return [r for r in ts if a <= float(r["time_s"]) - 1 and float(r["time_s"]) <= b]
def new(rs): return [int(r["new_conns"]) for r in rs]
def out(ok, what): print("%d\t%s" % (bool(ok), what))

out(crash < down <= crash + retries * interval + timeout,
    "events.txt: rs2 detected down %.3f s after the crash at %.3f s (at most %g s)"
    % (down - crash, crash, retries * interval + timeout))
out(back <= up <= back + interval + timeout,
    "events.txt: rs2 detected up %.3f s after server_up at %.3f s" % (up - back, back))
out(all(re.match(r"at \d+\.\d{3}s \S", l) for l in ev), "events.txt: every line is \"at TIME WHAT...\"")

# crash -> detection: IPVS still schedules to rs2, which answers nothing
w1 = started(crash, down)
t1 = [c for c in w1 if c["outcome"] == "TIMEOUT" and c["server"] == "rs2" and c["fwd"] == "NAT"]
out(len(t1) > 0, "crash..detection: %d of %d conversations time out, server rs2, fwd NAT (IPVS sent their SYNs there)" % (len(t1), len(w1)))
out(not any(c["server"] == "" and c["outcome"] != "UNFINISHED" for c in conns),
    "connections.csv: every finished conversation names the server IPVS chose")
summ = json.load(open(d + "/summary.json"))
for sv in summ["servers"]:
    mine = [c for c in conns if c["server"] == sv["name"]]
    out(sv["scheduled"] == len(mine) and sv["completed"] == sum(c["outcome"] == "OK" for c in mine),
        "summary.json: %s scheduled %d, completed %d, as connections.csv counts them"
        % (sv["name"], sv["scheduled"], sv["completed"]))
rs2 = next(sv for sv in summ["servers"] if sv["name"] == "rs2")
out(rs2["scheduled"] - rs2["completed"] >= len(t1),
    "summary.json: rs2's failed conversations count as scheduled (%d) but not completed (%d)"
    % (rs2["scheduled"], rs2["completed"]))
out(all(c in t1 or (c["outcome"] == "OK" and c["server"] in ("rs1", "rs3")) for c in w1),
    "crash..detection: the others are served OK by rs1/rs3, none by rs2, no other failure")
r1 = rows(crash, down - 1e-9)      # whole seconds after the crash, before the detection
n1 = sum(1 for c in started(float(r1[0]["time_s"]) - 1, float(r1[-1]["time_s"])) if c["outcome"] == "TIMEOUT") if r1 else -1
# wlc gives the dead rs2 new connections until their half-open entries (active since
# 4.8: 256 each) outweigh the others' load; not necessarily every second
out(r1 and new(r1)[0] > 0 and sum(new(r1)) > 0,
    "timeseries: rs2 gets new connections after the crash, before the detection (%s)" % new(r1))
out(r1 and abs(sum(new(r1)) - n1) <= 3,
    "timeseries: those are the timeouts (rs2 new_conns %d, TIMEOUT conversations %d)" % (sum(new(r1)), n1))

# detection -> recovery: nothing for rs2 (a SYN sent 10 ms before the recovery may reach it after)
w2 = started(down, up - 0.010)
out(len(w2) > 0 and not any(c["server"] == "rs2" for c in w2),
    "detection..recovery: none of %d conversations assigned to rs2" % len(w2))
out(all(c["outcome"] == "OK" for c in w2), "detection..recovery: every conversation OK")
r2 = rows(math.ceil(down), math.floor(up))
# its ActiveConn keeps only the half-open entries of the crash window (SYN_RECV, 60 s):
# constant, nothing new
act = [int(r["active"]) for r in r2]
out(len(r2) >= (up - down) - 2 and max(new(r2)) == 0 and act and max(act) == min(act),
    "timeseries: rs2 new_conns 0 and active constant (%s) in the %d rows from %.0f s to %.0f s"
    % (act[0] if act else "-", len(r2), math.ceil(down) + 1, math.floor(up)))

# after the recovery: rs2 serves again
w3 = [c for c in started(up, up + 10) if c["server"] == "rs2"]
out(len(w3) > 0 and all(c["outcome"] == "OK" for c in w3),
    "after recovery: rs2 serves %d new conversations in 10 s, all OK" % len(w3))
r3 = rows(math.floor(up), math.floor(up) + 6)      # events.txt has milliseconds
out(r3 and min(new(r3)) > 0, "timeseries: rs2 new_conns > 0 again after the recovery")
EOF
check "crash: the analysis of the results ran" test $? -eq 0 -a -s "$tmp/hc.checks"
[ -s "$tmp/hc.err" ] && sed 's/^/      /' "$tmp/hc.err"
while IFS=$'\t' read -r res what; do
  check "crash: $what" test "$res" = 1
done < "$tmp/hc.checks"

# Without expire_nodest_conn, the retransmitted SYNs of the connections IPVS gave the
# crashed rs2 (rr keeps feeding it until the checker acts) are dropped by IPVS once rs2
# is removed: counted by host, hook point, hook function and reason, in summary.json
# and under the hooks figure.
"$IPVSIM" run -q scenarios/crash-recovery.json --set sysctl.expire_nodest_conn=0 -o "$tmp/nodest" >/dev/null 2>&1
check "drops: crash-recovery without expire_nodest_conn runs" test $? -eq 0
nodest="lvs1: LOCAL_IN ip_vs_in_hook: ip_vs_in: dest deleted"
n=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["drops"]; print(d.get(sys.argv[2], 0) if all(k.startswith("link ") or k.count(": ") >= 2 for k in d) else -1)' "$tmp/nodest/summary.json" "$nodest")
check "drops: summary.json counts '$nodest' ($n), every key HOST: HOOK FUNCTION: REASON" test "$n" -gt 0
check "drops: plots/hooks.gp lists the drops' reasons" grep -q "ip_vs_in: dest deleted" "$tmp/nodest/plots/hooks.gp"

# --- a crash's hung conversations: the response timeout, the closing line ------------------
# Long conversations (many requests each) on rs2 when it crashes for good: a request
# sent to it is never answered. With the default response_timeout (30 s) every one of
# them ends TIMEOUT about 30 s later; with 0 they hang until the end (UNFINISHED). The
# closing line gives the outcomes.
hung=(scenarios/crash-recovery.json --set duration=45s --set clients.0.requests_per_conn=100000
      --set clients.0.stop=10s --set 'events=[{"at": "5s", "do": "server_down", "server": "rs2"}]')
line=$("$IPVSIM" run "${hung[@]}" -o "$tmp/hung30" 2>&1)
check "response timeout: the run completes" test $? -eq 0
unf() { python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["server"] == "rs2" and r["outcome"] == "UNFINISHED"))' "$1/connections.csv"; }
check "response timeout: by default no conversation on rs2 is left UNFINISHED ($(unf "$tmp/hung30"))" test "$(unf "$tmp/hung30")" -eq 0
line0=$("$IPVSIM" run "${hung[@]}" --set clients.0.response_timeout=0 -o "$tmp/hung0" 2>&1)
check "response timeout 0: conversations on rs2 hang to the end ($(unf "$tmp/hung0") UNFINISHED)" test "$(unf "$tmp/hung0")" -gt 0
n30=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connections"]["UNFINISHED"])' "$tmp/hung30/summary.json")
check "closing line: outcomes with UNFINISHED ($line)" \
  grep -Eq "^crash-recovery: [0-9]+ conversations in 45\.000 s simulated: 0\.0% OK; [0-9]+ REFUSED, [0-9]+ RESET, [0-9]+ TIMEOUT, $n30 UNFINISHED; results in " <<< "$line"
line=$("$IPVSIM" run scenarios/crash-recovery.json -o "$tmp/cr-line" 2>&1)
check "closing line: share OK, p99, failures by kind ($line)" \
  grep -Eq "^crash-recovery: 1136 conversations in 20\.000 s simulated: 98\.2% OK \(p99 [0-9.]+ ms\); 18 TIMEOUT, 2 UNFINISHED; results in " <<< "$line"
