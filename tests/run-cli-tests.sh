#!/usr/bin/env bash
# End-to-end tests of the ipvsim binary: exit codes, outputs, determinism, and the
# pcap files read back by tshark with every checksum verified.
#   tests/run-cli-tests.sh path/to/ipvsim
set -u
IPVSIM=${1:?usage: run-cli-tests.sh path/to/ipvsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok()   { pass=$((pass + 1)); echo "  ok    $1"; }
bad()  { fail=$((fail + 1)); echo "  FAIL  $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

echo "CLI tests ($IPVSIM)"

# --- usage and exit codes -------------------------------------------------------
"$IPVSIM" >/dev/null 2>&1; check "no command exits 2" test $? -eq 2
"$IPVSIM" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? -eq 2
"$IPVSIM" --help >/dev/null 2>&1; check "--help exits 0" test $? -eq 0
"$IPVSIM" demo --conversations=0 -o "$tmp/x" >/dev/null 2>&1; check "bad option value exits 2" test $? -eq 2
check "bad option value writes nothing" test ! -e "$tmp/x"

# --- hook tables per kernel era (the reference's tables) ------------------------
for era in 2.6.34 4.9 5.10 6.x; do
  "$IPVSIM" hooks --kernel "$era" > "$tmp/hooks.txt" 2>&1
  check "hooks --kernel $era matches tests/golden/hooks_$era.txt" diff -u tests/golden/hooks_$era.txt "$tmp/hooks.txt"
done
"$IPVSIM" hooks --kernel 3.25 >/dev/null 2>&1; check "hooks: a kernel that never was exits 2" test $? -eq 2
for era in 6.x 2.6.34; do
  "$IPVSIM" hooks --kernel "$era" tests/scenarios/hook-order.json > "$tmp/hooks.txt" 2>&1
  check "hooks of a scenario under $era (user hooks tie LIFO/FIFO)" diff -u tests/golden/hooks_scenario_$era.txt "$tmp/hooks.txt"
done

# --- scheduler playground -------------------------------------------------------
out=$("$IPVSIM" sched wrr --dests A:4,B:3,C:2 --picks 9 --init 2>&1)
check "sched wrr --init gives the canonical cycle" test "$out" = "A B A C B A C B A"
"$IPVSIM" sched nosuch --dests A:1 --picks 1 >/dev/null 2>&1; check "sched: unknown scheduler exits 2" test $? -eq 2
out=$("$IPVSIM" sched rr --dests A:1,B:1,C:1 --script "pick 2; add D:1; pick 2; del C; pick 3" 2>&1)
check "sched --script: a line per pick step, as the README shows" \
  test "$out" = "$(printf 'step 1, pick 2: C B\nstep 3, pick 2: A D\nstep 5, pick 3: B A D')"

# --- the demo end to end --------------------------------------------------------
"$IPVSIM" demo -o "$tmp/a" >/dev/null 2>&1; check "demo runs" test $? -eq 0
for f in summary.json pcap/client-eth0.pcap pcap/router-eth0.pcap pcap/router-eth1.pcap pcap/server-eth0.pcap; do
  check "demo wrote $f" test -s "$tmp/a/$f"
done
check "no temporary directory left" test -z "$(ls -d "$tmp"/a.tmp-* 2>/dev/null)"
"$IPVSIM" demo -o "$tmp/b" >/dev/null 2>&1
check "same seed, byte-identical results" diff -r "$tmp/a" "$tmp/b"
"$IPVSIM" demo -o "$tmp/a" >/dev/null 2>&1; check "an earlier result is replaced" test $? -eq 0
mkdir -p "$tmp/mine" && echo keep > "$tmp/mine/notes.txt"
"$IPVSIM" demo -o "$tmp/mine" >/dev/null 2>&1; check "an unrelated directory is refused (exit 2)" test $? -eq 2
check "the unrelated file is untouched" grep -q keep "$tmp/mine/notes.txt"

# --- pcap files open in tshark, nothing malformed, every checksum good ------------
if command -v tshark >/dev/null; then
  for p in "$tmp"/a/pcap/*.pcap; do
    n=$(basename "$p")
    out=$(tshark -r "$p" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
                 -o udp.check_checksum:TRUE -T fields -e frame.number \
                 -e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status \
                 -e _ws.malformed -e _ws.expert.severity 2>"$tmp/tshark.err")
    check "$n: tshark reads it" test $? -eq 0
    frames=$(printf '%s\n' "$out" | grep -c .)
    check "$n: has frames ($frames)" test "$frames" -gt 0
    # Checksum status 1 = good (0 bad, 2 unverified). A malformed mark, or expert
    # info at error level (0x00800000), fails; chat/note/warn are protocol remarks.
    badrows=$(printf '%s\n' "$out" | awk -F'\t' '
      { err = 0; n = split($6, sev, ","); for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) err = 1 }
      $2 != "1" || ($3 != "" && $3 != "1") || ($4 != "" && $4 != "1") || $5 != "" || err' | head -3)
    check "$n: all checksums good, nothing malformed" test -z "$badrows"
    [ -z "$badrows" ] || printf '      %s\n' "$badrows"
  done
  tcp=$(tshark -r "$tmp/a/pcap/server-eth0.pcap" -Y 'tcp.flags.syn==1' 2>/dev/null | grep -c .)
  check "server saw the 50 SYNs" test "$tcp" -eq 50
  ttl=$(tshark -r "$tmp/a/pcap/server-eth0.pcap" -Y 'ip.src==10.0.1.2' -T fields -e ip.ttl 2>/dev/null | sort -u)
  check "forwarded packets arrive with TTL 63" test "$ttl" = "63"
else
  bad "tshark is not installed (tools/install-deps installs it)"
fi

# --- IPVS forwarding methods, read back from the pcap files -------------------------
count() { tshark -r "$1" -Y "$2" 2>/dev/null | grep -c .; }
all_ok() { # every conversation of a run ended OK
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] else 1)' "$1"
}
if command -v tshark >/dev/null; then
  for m in nat dr tun; do
    "$IPVSIM" run -q "scenarios/$m.json" -o "$tmp/$m" >/dev/null 2>&1
    check "$m: runs" test $? -eq 0
    check "$m: every conversation completes" all_ok "$tmp/$m/summary.json"
    for p in "$tmp/$m"/pcap/*.pcap; do
      bad=$(count "$p" "ip.checksum.status==0 || tcp.checksum.status==0 || _ws.malformed")
      check "$m: $(basename "$p") checksums good, nothing malformed" test "$bad" -eq 0
    done
  done
  d="$tmp/nat/pcap/lvs1-eth0.pcap"
  n_dnat=$(count "$d" "ip.dst==192.0.2.11 && tcp.dstport==8080")
  n_rs=$(count "$d" "ip.src==192.0.2.11 && tcp.srcport==8080")
  n_snat=$(count "$d" "ip.src==203.0.113.10 && tcp.srcport==80")
  check "nat: requests rewritten to RS:8080 ($n_dnat)" test "$n_dnat" -gt 0
  check "nat: every RS reply leaves as VIP:80 ($n_rs in, $n_snat out)" test "$n_snat" -eq "$((n_rs + $(count "$d" "ip.src==192.0.2.12 && tcp.srcport==8080")))"
  r="$tmp/dr/pcap/rs1-eth0.pcap"
  check "dr: the real server receives frames for the VIP" test "$(count "$r" "ip.dst==203.0.113.10 && tcp.dstport==80")" -gt 0
  check "dr: IP header untouched (nothing to the RS address)" test "$(count "$r" "ip.dst==192.0.2.11")" -eq 0
  check "dr: replies from the VIP go around the director" test "$(count "$tmp/dr/pcap/lvs1-eth0.pcap" "ip.src==203.0.113.10")" -eq 0
  r="$tmp/tun/pcap/rs1-eth0.pcap"
  n_ipip=$(count "$r" "ip.proto==4 && ip.dst==192.0.2.11")
  check "tun: IPIP (protocol 4) to the real server ($n_ipip)" test "$n_ipip" -gt 0
  check "tun: inner packet intact (to the VIP)" test "$(tshark -r "$r" -Y "ip.proto==4" -T fields -e ip.dst 2>/dev/null | grep -vc '^192.0.2.11,203.0.113.10$')" -eq 0
  "$IPVSIM" run -q tests/scenarios/nodest.json -o "$tmp/nodest" >/dev/null 2>&1
  check "no dest: the client gets ICMP port unreachable in its pcap" \
    test "$(count "$tmp/nodest/pcap/dns-eth0.pcap" "icmp.type==3 && icmp.code==3 && ip.src==203.0.113.10")" -gt 0
fi

# --- runs: determinism and bad input ---------------------------------------------------
"$IPVSIM" run -q scenarios/quickstart.json -o "$tmp/q1" >/dev/null 2>&1; check "quickstart runs" test $? -eq 0
"$IPVSIM" run -q scenarios/quickstart.json -o "$tmp/q2" >/dev/null 2>&1
check "quickstart: same seed, byte-identical results" diff -r "$tmp/q1" "$tmp/q2"
"$IPVSIM" run -q scenarios/quickstart.json --seed 43 -o "$tmp/q3" >/dev/null 2>&1
check "quickstart: another seed, other results" test -n "$(diff -rq "$tmp/q1" "$tmp/q3")"
for f in summary.json connections.csv timeseries.csv ipvsadm.txt events.txt; do
  check "quickstart wrote $f" test -s "$tmp/q1/$f"
done
"$IPVSIM" run -q no-such-file.json -o "$tmp/none" >/dev/null 2>&1; check "run: missing file exits 2" test $? -eq 2
check "run: missing file writes nothing" test ! -e "$tmp/none"

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

# --- events.txt: one format, the command echoed --------------------------------------------
"$IPVSIM" run -q scenarios/crash-recovery.json -o "$tmp/evfmt" --set duration=8s --set 'events=[
  {"at": "2s", "do": "ipvsadm", "args": "-e -t 203.0.113.10:80 -r 192.0.2.12:80 -m -w 0"},
  {"at": "3s", "do": "ipvsadm", "args": "-d -t 203.0.113.10:80 -r 192.0.2.99:80"},
  {"at": "4s", "do": "server_down", "server": "rs3"},
  {"at": "5s", "do": "sysctl", "key": "expire_nodest_conn", "value": 0}]' >/dev/null 2>&1
cat > "$tmp/evfmt.want" <<'EOF'
at 2.000s ipvsadm -e -t 203.0.113.10:80 -r 192.0.2.12:80 -m -w 0: ok
at 3.000s ipvsadm -d -t 203.0.113.10:80 -r 192.0.2.99:80: failed: No such destination
at 4.000s server_down rs3: ok
at 5.000s sysctl expire_nodest_conn=0: ok
at 6.000s healthcheck lvs1 TCP 203.0.113.10:80 192.0.2.13:80: down, dest removed
EOF
check "events.txt: every line 'at TIME WHAT: RESULT', commands echoed, health checks in time order" \
  diff -u "$tmp/evfmt.want" "$tmp/evfmt/events.txt"

# --- bad scenarios: exit status 2, FILE:LINE:COL, nothing written -----------------------
# Every tests/bad-scenarios/*.json without a .set sidecar, through `run` and `validate`:
# status 2, nothing on stdout, one message on stderr that starts with FILE:LINE:COL (FILE
# is the scenario; a trace file it names follows as TRACE:LINE) and is exactly the .expected text, and no
# result directory (nor a temporary one) left behind.
nbad=0; b_rc=""; b_pos=""; b_msg=""; b_out=""; b_dir=""
for f in tests/bad-scenarios/*.json; do
  base=${f%.json}
  [ -e "$base.set" ] && continue
  nbad=$((nbad + 1))
  rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"
  "$IPVSIM" run "$f" -o "$tmp/bad/x" >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
  "$IPVSIM" validate "$f" >"$tmp/badv.out" 2>"$tmp/badv.err"; vrc=$?
  [ "$rc" -eq 2 ] && [ "$vrc" -eq 2 ] || b_rc="$b_rc $f(run $rc, validate $vrc)"
  for e in "$tmp/bad.err" "$tmp/badv.err"; do
    [ "$(grep -c . "$e")" -eq 1 ] && grep -qE '^[^: ]+:[0-9]+:[0-9]+: ' "$e" || b_pos="$b_pos $f"
    cmp -s "$e" "$base.expected" || b_msg="$b_msg $f"
  done
  [ -s "$tmp/bad.out" ] || [ -s "$tmp/badv.out" ] && b_out="$b_out $f"
  [ -z "$(ls -A "$tmp/bad")" ] || b_dir="$b_dir $f"
done
check "bad scenarios: found some ($nbad)" test "$nbad" -gt 100
check "bad scenarios: run and validate exit 2${b_rc:+ — not:$b_rc}" test -z "$b_rc"
check "bad scenarios: one FILE:LINE:COL: message${b_pos:+ — not:$b_pos}" test -z "$b_pos"
check "bad scenarios: the message is the .expected one${b_msg:+ — not:$b_msg}" test -z "$b_msg"
check "bad scenarios: nothing on stdout${b_out:+ — not:$b_out}" test -z "$b_out"
check "bad scenarios: run writes nothing, not even a temporary directory${b_dir:+ — not:$b_dir}" test -z "$b_dir"

# --- a bad --pcap is the command line's error, with the world's real names ----------
"$IPVSIM" run scenarios/nat.json --pcap nosuch:eth0 -o "$tmp/pcapbad" >/dev/null 2>"$tmp/pcapbad.err"
check "run --pcap nosuch:eth0: exit 2" test $? -eq 2
check "run --pcap nosuch:eth0: names the option and the hosts" \
  test "$(cat "$tmp/pcapbad.err")" = "ipvsim run: --pcap: no host 'nosuch' (expected one of: gw, lvs1, rs1, rs2, web)"
"$IPVSIM" run scenarios/nat.json --pcap rs1:eth9 -o "$tmp/pcapbad" >/dev/null 2>"$tmp/pcapbad.err"
check "run --pcap rs1:eth9: lists that host's interfaces" \
  test "$(cat "$tmp/pcapbad.err")" = "ipvsim run: --pcap: host 'rs1' has no wired interface 'eth9' (expected one of: eth0)"
check "run with a bad --pcap writes nothing" test ! -e "$tmp/pcapbad"
"$IPVSIM" run scenarios/era-nat.json -q --pcap director:eth0 -o "$tmp/pcapdir" >/dev/null 2>&1
check "run --pcap director:eth0: the director's capture" test -s "$tmp/pcapdir/pcap/lvs1-eth0.pcap"

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
check "hooks --kernel 5.4 --diff 4.9 matches tests/golden/hooks_diff_4.9_5.4.txt" diff -u tests/golden/hooks_diff_4.9_5.4.txt "$tmp/hdiff.txt"
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
# trace(...) files: only regular files are read (a FIFO would block for ever), an error
# never shows a line of the file, and names both the scenario's place and the file's line
mkdir -p "$tmp/tr"
printf 'root:x:0:0:root:/root:/bin/bash\nSECRET-SECOND-LINE\n' >"$tmp/tr/secret"
ln -s secret "$tmp/tr/link.csv"
mkfifo "$tmp/tr/fifo.csv"
for t in link.csv fifo.csv /dev/zero; do
  cat >"$tmp/tr/s.json" <<EOF
{ "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80",
      "response": "trace($t)" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr" ] }
EOF
  for cmd in validate run; do
    timeout 20 "$IPVSIM" $cmd "$tmp/tr/s.json" >/dev/null 2>"$tmp/tr/err"; rc=$?
    check "trace($t): $cmd refuses it at once (exit 2, not blocked)" test $rc -eq 2
    check "trace($t): $cmd names the scenario's place" grep -q "^$tmp/tr/s.json:3:19: clients\[0\].response: " "$tmp/tr/err"
    check "trace($t): $cmd shows no line of the file" test -z "$(grep -e SECRET -e root: "$tmp/tr/err")"
    case $t in
      link.csv) check "trace($t): $cmd names the trace file's line" grep -q "response: $tmp/tr/link.csv:2: the first column is not a number or a size" "$tmp/tr/err" ;;
      *) check "trace($t): $cmd says it is not a regular file" grep -q "not a regular file" "$tmp/tr/err" ;;
    esac
  done
done

# an arrival trace shorter than its group repeats, and every command says so
printf 'time\n0.1\n0.2\n0.5\n1\n' >"$tmp/tr/arr.csv"
cat >"$tmp/tr/arr.json" <<'EOF'
{ "duration": "5s", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "arrival": "trace(arr.csv)" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" validate "$tmp/tr/arr.json" >/dev/null 2>"$tmp/tr/err"
check "a short arrival trace: validate warns that it repeats" grep -q "^$tmp/tr/arr.json:2:73: warning: clients\[0\].arrival: the trace's 4 arrivals span 1 s, less than the group's 5 s .*: it repeats from its first arrival, 5 times in all" "$tmp/tr/err"
"$IPVSIM" run -q "$tmp/tr/arr.json" -o "$tmp/tr/arr" >/dev/null 2>"$tmp/tr/err"
check "a short arrival trace: run warns too, and runs (exit 0)" test $? -eq 0 -a -n "$(grep 'warning: .*repeats' "$tmp/tr/err")"
n=$(($(grep -c . "$tmp/tr/arr/connections.csv") - 1))
check "a short arrival trace: replayed (5 x 4 arrivals less the last at 5 s: $n)" test "$n" -eq 19
"$IPVSIM" validate "$tmp/tr/arr.json" --set duration=1s >/dev/null 2>"$tmp/tr/err"
check "an arrival trace as long as its group: no warning" test ! -s "$tmp/tr/err"

# --- compare, plots, and every curated scenario (scenarios/*.json) ------------------
# `ipvsim compare` runs the same arrivals under each scheduler; every run and comparison
# draws its figures with gnuplot (plots/*.png, *.svg, *.gp, *.dat); every curated
# scenario passes `ipvsim check`, and every pcap it writes reads back in tshark with
# nothing malformed and every checksum good (unverified only where the frame was cut
# by the snaplen; see pcap_bad for ICMP errors).
csvcol() { # csvcol FILE ROW-KEY COLUMN-NAME
  awk -F, -v k="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next } $1 == k { print $n }' "$1"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 < b + 0) }'; }
"$IPVSIM" compare scenarios/unequal-servers.json --schedulers rr,wrr,lc,wlc,sed,nq -o "$tmp/cmp" >"$tmp/cmp.out" 2>"$tmp/cmp.err"
check "compare: unequal-servers under rr,wrr,lc,wlc,sed,nq runs" test $? -eq 0
check "compare: the table has a row per scheduler" test "$(grep -cE '^(rr|wrr|lc|wlc|sed|nq) ' "$tmp/cmp.out")" -eq 6
check "compare: comparison.csv has a header and six rows" test "$(grep -c . "$tmp/cmp/comparison.csv")" -eq 7
rr99=$(csvcol "$tmp/cmp/comparison.csv" rr p99_ms); wlc99=$(csvcol "$tmp/cmp/comparison.csv" wlc p99_ms)
check "compare: wlc's p99 ($wlc99 ms) beats rr's ($rr99 ms) on unequal servers" lt "$wlc99" "$rr99"
rri=$(csvcol "$tmp/cmp/comparison.csv" rr imbalance); wlci=$(csvcol "$tmp/cmp/comparison.csv" wlc imbalance)
check "compare: wlc's imbalance ($wlci) is lower than rr's ($rri)" lt "$wlci" "$rri"
"$IPVSIM" compare -q scenarios/unequal-servers.json --schedulers rr,wrr,lc,wlc,sed,nq -o "$tmp/cmp2" >/dev/null 2>&1
check "compare: same seed, byte-identical results, figures included" diff -r "$tmp/cmp" "$tmp/cmp2"
"$IPVSIM" compare -q scenarios/consistent-hashing.json --schedulers sh,mh,rr -o "$tmp/hash" >/dev/null 2>&1
check "compare: consistent-hashing under sh,mh,rr runs" test $? -eq 0
shr=$(csvcol "$tmp/hash/comparison.csv" sh remapped_share); mhr=$(csvcol "$tmp/hash/comparison.csv" mh remapped_share)
check "compare: mh remaps fewer clients than sh when rs4 is lost (mh $mhr, sh $shr)" lt "$mhr" "$shr"
check "compare: mh remaps about a quarter of the clients ($mhr)" lt "$mhr" 0.4
check "compare: sh remaps most of them ($shr)" lt 0.6 "$shr"
check "compare: no remapped share for rr" test -z "$(csvcol "$tmp/hash/comparison.csv" rr remapped_share)"
# More schedulers than gnuplot has line colours (8): each run keeps a look of its own
# (colour and dash, or colour and hatch), and each active-connections panel its own scale.
"$IPVSIM" compare -q scenarios/crash-recovery.json --schedulers rr,wrr,lc,wlc,sed,nq,fo,ovf,twos,mh,sh,dh \
  --set duration=13s -o "$tmp/cmp12" >/dev/null 2>&1
check "compare: twelve schedulers run" test $? -eq 0
styles() { grep -o "$2" "$tmp/cmp12/plots/$1.gp" | sort | uniq | wc -l; }
check "compare: 12 CDF curves, 12 distinct colour+dash pairs" test "$(styles response_cdf "lc rgb '#[0-9A-F]*' dt [0-9]* title '[a-z]* (")" -eq 12
check "compare: 12 share bars, 12 distinct fills" test "$(styles share "fs [a-z]* [0-9.]* *\(border \)\?lc rgb '#[0-9A-F]*' title '[a-z]*'")" -eq 12
check "compare: 12 active panels, each with its own y range (fo's is not wlc's)" \
  test "$(grep -c '^set yrange' "$tmp/cmp12/plots/active.gp")" -eq 13 -a \
       "$(grep '^set yrange' "$tmp/cmp12/plots/active.gp" | sort -u | wc -l)" -gt 2
"$IPVSIM" compare scenarios/unequal-servers.json --schedulers rr,nosuch -o "$tmp/cmpbad" >/dev/null 2>&1
check "compare: an unknown scheduler exits 2" test $? -eq 2
check "compare: ... and writes nothing" test ! -e "$tmp/cmpbad"
"$IPVSIM" compare scenarios/unequal-servers.json -o "$tmp/cmpbad" >/dev/null 2>&1
check "compare: no --schedulers exits 2" test $? -eq 2
"$IPVSIM" compare scenarios/hook-order.json --schedulers rr,rr -o "$tmp/cmpbad" >/dev/null 2>&1
check "compare: a scheduler listed twice exits 2" test $? -eq 2

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
figs_ok() { # figs_ok DIR: the four figures, each as png, svg, gp and dat
  local d=$1 f
  for f in active response_cdf share hooks; do
    is_png "$d/plots/$f.png" && grep -q '<svg' "$d/plots/$f.svg" && test -s "$d/plots/$f.gp" && test -s "$d/plots/$f.dat" || return 1
  done
}
if command -v gnuplot >/dev/null; then
  check "compare: the four figures (png, svg, gp, dat)" figs_ok "$tmp/cmp"
else
  bad "gnuplot is not installed (tools/install-deps installs it)"
fi
PATH=/nonexistent "$IPVSIM" run scenarios/nat.json -o "$tmp/nogp" >/dev/null 2>"$tmp/nogp.err"
check "run without gnuplot: still succeeds" test $? -eq 0
check "run without gnuplot: says the plots were skipped" grep -q "plots skipped" "$tmp/nogp.err"
check "run without gnuplot: scripts and data written, no figure" \
  test -s "$tmp/nogp/plots/active.gp" -a -s "$tmp/nogp/plots/active.dat" -a ! -e "$tmp/nogp/plots/active.png"
# gnuplot runs for a bounded time per figure: past it, it is stopped, the run says so
# and plots/notes.txt names each figure not drawn (the run still succeeds)
mkdir -p "$tmp/slowgp" && printf '#!/bin/sh\nexec sleep 60\n' >"$tmp/slowgp/gnuplot" && chmod +x "$tmp/slowgp/gnuplot"
PATH="$tmp/slowgp:$PATH" IPVSIM_PLOT_TIMEOUT=1 timeout 30 "$IPVSIM" run -q scenarios/nat.json -o "$tmp/slowgp/r" >/dev/null 2>"$tmp/slowgp.err"
check "a gnuplot that never ends: stopped, the run succeeds (exit 0)" test $? -eq 0
check "a gnuplot that never ends: the run says so" grep -q "gnuplot did not finish active.gp in 1 s and was stopped.*plots/notes.txt" "$tmp/slowgp.err"
check "a gnuplot that never ends: plots/notes.txt names the four figures" test "$(grep -c 'not drawn: gnuplot did not finish' "$tmp/slowgp/r/plots/notes.txt")" -eq 4
# a figure receives bounded data: 5000 scenario events become at most 40 marks
python3 -c 'import json,sys
s=json.load(open("scenarios/minimal.json"))
s["events"]=[{"at":"%dus"%(1000*i+500),"do":"server_down" if i%2==0 else "server_up","server":"rs1"} for i in range(5000)]
json.dump(s,open(sys.argv[1],"w"))' "$tmp/manyev.json"
"$IPVSIM" run -q "$tmp/manyev.json" -o "$tmp/manyev" >/dev/null 2>&1
check "5000 events: the run succeeds" test $? -eq 0
check "5000 events: at most 40 marks in active.gp" test "$(grep -c '^set arrow' "$tmp/manyev/plots/active.gp")" -le 40
check "5000 events: a merged mark says how many it holds" grep -q "rs1 down (+249 more)" "$tmp/manyev/plots/active.gp"

# Frames whose checksums are not all good: status 1 = good; 2 (unverified) is accepted
# only where the frame was cut (cap_len < len). In an ICMP error the transport checksum
# of the quoted datagram is not judged: when the director translates the error for a NAT
# connection it rewrites the quoted addresses and ports and fixes the IP and ICMP
# checksums, not that one, as the kernel's ip_vs_nat_icmp does (the outer IP, quoted IP
# and ICMP checksums must still be good).
pcap_bad() {
  tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
         -T fields -e frame.number -e frame.len -e frame.cap_len -e ip.checksum.status \
         -e tcp.checksum.status -e udp.checksum.status -e icmp.checksum.status -e _ws.malformed \
         -e icmp.type -e gre.checksum.status 2>/dev/null | awk -F'\t' '
    { cut = $3 + 0 < $2 + 0; quoted = $9 == 3 || $9 == 11 || $9 == 12; bad = $8 != ""
      if ($10 != "" && $10 != "1") bad = 1
      for (f = 4; f <= 7; f++) { if (quoted && (f == 5 || f == 6)) continue
        n = split($f, v, ","); for (i = 1; i <= n; i++) if (v[i] != "1" && !(v[i] == "2" && cut)) bad = 1 }
      if (bad) print }' | head -3
}
ncur=0
for f in scenarios/*.json; do
  n=$(basename "$f" .json)
  ncur=$((ncur + 1))
  "$IPVSIM" check "$f" >"$tmp/check-$n.out" 2>&1; rc=$?
  check "$n: ipvsim check passes" test $rc -eq 0
  [ $rc -eq 0 ] || grep -E 'FAIL|:[0-9]+:[0-9]+:' "$tmp/check-$n.out" | head -3 | sed 's/^/      /'
  "$IPVSIM" run -q "$f" -o "$tmp/cur/$n" >/dev/null 2>"$tmp/run-$n.err"
  check "$n: runs" test $? -eq 0
  if command -v gnuplot >/dev/null; then
    check "$n: the four figures (png, svg, gp, dat)" figs_ok "$tmp/cur/$n"
  fi
  if command -v tshark >/dev/null; then
    for p in "$tmp/cur/$n"/pcap/*.pcap; do
      [ -e "$p" ] || continue
      b=$(pcap_bad "$p")
      check "$n: $(basename "$p") opens in tshark, nothing malformed, checksums good" test -z "$b"
      [ -z "$b" ] || printf '      %s\n' "$b"
    done
  fi
done
check "curated scenarios: at least ten ($ncur)" test "$ncur" -ge 10
# The tour's first command: every file of scenarios/ is a scenario, and the last line sums up.
"$IPVSIM" check scenarios/*.json >"$tmp/check-all.out" 2>&1
check "check scenarios/*.json: exit status 0" test $? -eq 0
check "check scenarios/*.json: ends with the total" \
  grep -Eq "^check: $ncur files, ([0-9]+) expectations: \1 passed, 0 failed\$" <(tail -1 "$tmp/check-all.out")
"$IPVSIM" check scenarios/minimal.json tests/bad-scenarios/capture-snaplen.json >"$tmp/check-bad.out" 2>/dev/null
check "check with a bad file: exit 2, the total counts it" \
  grep -Eq "^check: 2 files, [0-9]+ expectations: [0-9]+ passed, 0 failed; 1 file not checked \(bad input\)\$" <(tail -1 "$tmp/check-bad.out")
# The same one-arm NAT under 6.x: redirects go to the socket of the quoted packet,
# mostly a SYN-ACK whose request socket ignores them: every connection is served.
"$IPVSIM" run -q scenarios/nat-redirects.json --set kernel=6.x -o "$tmp/nr6" >/dev/null 2>&1
check "nat-redirects under 6.x: the redirects change nothing" all_ok "$tmp/nr6/summary.json"
# The tunnel types on the wire: GUE to rs1 (UDP to 6080, a 4-byte GUE header whose
# protocol is IPIP, UDP checksum good), plain GRE to rs2, GRE with a good checksum to rs3.
if command -v tshark >/dev/null; then
  g="$tmp/cur/tun-gue-gre/pcap"
  gue=$(tshark -r "$g/rs1-eth0.pcap" -o udp.check_checksum:TRUE -Y 'udp.dstport == 6080 && udp.checksum.status == 1 && data.data[0:2] == 00:04' 2>/dev/null | grep -c .)
  check "tun-gue-gre: rs1 receives GUE with good UDP checksums ($gue)" test "$gue" -gt 0
  # tools/gue.lua (Wireshark 4.0 has no GUE dissector) shows every one of them as GUE
  # carrying the client's packet to the VIP, nothing malformed
  if tshark -v 2>/dev/null | grep -q 'with Lua'; then
    n_udp=$(tshark -r "$g/rs1-eth0.pcap" -Y 'udp.dstport == 6080' 2>/dev/null | grep -c .)
    n_gue=$(tshark -X lua_script:tools/gue.lua -d udp.port==6080,gue -r "$g/rs1-eth0.pcap" \
            -Y 'gue.version == 0 && gue.proto == 4 && ip.dst == 203.0.113.10 && tcp.dstport == 80 && !_ws.malformed' 2>/dev/null | grep -c .)
    check "tun-gue-gre: tools/gue.lua decodes every GUE frame, the inner TCP to the VIP ($n_gue of $n_udp)" \
      test "$n_gue" -gt 0 -a "$n_gue" -eq "$n_udp"
  else
    echo "  skip  tun-gue-gre: tools/gue.lua (this tshark has no Lua)"
  fi
  gre=$(tshark -r "$g/rs2-eth0.pcap" -Y 'gre.flags.checksum == 0 && gre.proto == 0x0800' 2>/dev/null | grep -c .)
  check "tun-gue-gre: rs2 receives plain GRE ($gre)" test "$gre" -gt 0
  gre=$(tshark -r "$g/rs3-eth0.pcap" -Y 'gre.flags.checksum == 1 && gre.checksum.status == 1 && gre.proto == 0x0800' 2>/dev/null | grep -c .)
  check "tun-gue-gre: rs3 receives GRE with good checksums ($gre), which its gre0 drops" test "$gre" -gt 0
fi

# --- robustness: limits, signals, output safety, fuzz smoke (README, "Robustness") ---------
field() { # field SUMMARY KEY.PATH: a value of summary.json (strings bare, the rest as JSON)
  python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2" 2>/dev/null
}
pcap_ok() { # every pcap file of a result reads to its end (tshark, else python's own reader)
  local f
  for f in "$1"/pcap/*.pcap; do
    [ -e "$f" ] || return 1
    if command -v tshark >/dev/null; then
      tshark -r "$f" >/dev/null 2>&1 || return 1
    else
      python3 - "$f" <<'PY' || return 1
import struct, sys
b = open(sys.argv[1], 'rb').read(); o = 24
assert struct.unpack('<I', b[:4])[0] == 0xa1b23c4d
while o < len(b):
    n = struct.unpack('<I', b[o+8:o+12])[0]; o += 16 + n
assert o == len(b)
PY
    fi
  done
}
Q="$IPVSIM run -q scenarios/quickstart.json --set duration=5s --set events=[]"

# limits that stop the run: partial results, "complete": false, "stopped_by", exit 1
for l in events:300 packets:20 event_rate:2000 conversations:20; do
  k=${l%%:*} v=${l##*:}
  $Q --limit "$k=$v" -o "$tmp/lim-$k" >/dev/null 2>"$tmp/lim-$k.err"
  check "limit $k: exit status 1" test $? -eq 1
  check "limit $k: complete false" test "$(field "$tmp/lim-$k/summary.json" complete)" = false
  check "limit $k: stopped_by limits.$k" test "$(field "$tmp/lim-$k/summary.json" stopped_by)" = "limits.$k"
  check "limit $k: says which limit, and how to raise it" grep -q "(limits.$k = $v) was reached.*--limit $k=N" "$tmp/lim-$k.err"
  check "limit $k: pcap files valid" pcap_ok "$tmp/lim-$k"
done
# the default limits stop runaway runs (README, "Limits"): a 1 ns health-check
# interval runs 10^7 events in 10 ms of simulated time and stops there
cat >"$tmp/hc-1ns.json" <<'EOF'
{ "duration": "1s", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "arrival": "poisson(10/s)" } ],
  "healthcheck": { "interval": "1ns" },
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" run -q "$tmp/hc-1ns.json" -o "$tmp/hc-1ns" >/dev/null 2>"$tmp/hc-1ns.err"
check "healthcheck interval 1ns: stopped by the default event_rate limit (exit 1)" test $? -eq 1
check "healthcheck interval 1ns: stopped_by limits.event_rate" test "$(field "$tmp/hc-1ns/summary.json" stopped_by)" = limits.event_rate
check "healthcheck interval 1ns: says which limit, and how to raise it" grep -q "events-per-simulated-second limit (limits.event_rate = 10000000) was reached.*--limit event_rate=N" "$tmp/hc-1ns.err"
for k in conversations event_rate output_bytes; do
  check "summary.json holds the default limits.$k" test "$(field "$tmp/hc-1ns/summary.json" limits.$k)" -gt 0
done
# more users than ports, with a think time: those without a port end ADDRNOTAVAIL,
# and the outcome counts add up to the total
cat >"$tmp/noport.json" <<'EOF'
{ "duration": "100ms", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "users": 30000, "think": "const(50ms)" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" run -q "$tmp/noport.json" -o "$tmp/noport" >/dev/null 2>&1
n=$(field "$tmp/noport/summary.json" connections.ADDRNOTAVAIL)
check "ADDRNOTAVAIL is an outcome of summary.json ($n)" test "${n:-0}" -gt 0
sum=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; print(sum(v for k,v in c.items() if k!="total")==c["total"])' "$tmp/noport/summary.json" 2>/dev/null)
check "the outcome counts add up to the total" test "$sum" = True
# the trace and the captures share limits.output_bytes: a trace stops the run at it,
# captures stop capturing
$Q --trace --limit output_bytes=100KB -o "$tmp/lim-out" >/dev/null 2>"$tmp/lim-out.err"
check "limit output_bytes with --trace: exit status 1" test $? -eq 1
check "limit output_bytes with --trace: stopped_by limits.output_bytes" test "$(field "$tmp/lim-out/summary.json" stopped_by)" = limits.output_bytes
check "limit output_bytes with --trace: trace.txt within the limit" test "$(stat -c %s "$tmp/lim-out/trace.txt")" -le 100000
check "limit output_bytes with --trace: says which limit, and how to raise it" grep -q "(limits.output_bytes = 100000) was reached.*--limit output_bytes=SIZE" "$tmp/lim-out.err"
"$IPVSIM" trace scenarios/quickstart.json --limit output_bytes=20KB >"$tmp/tr-out.txt" 2>"$tmp/tr-out.err"
check "trace --limit output_bytes=20KB: exit status 1" test $? -eq 1
check "trace --limit output_bytes=20KB: no more written" test "$(stat -c %s "$tmp/tr-out.txt")" -le 20000
check "trace --limit output_bytes=20KB: says the trace is partial" grep -q "limits.output_bytes = 20000.*the trace is partial; raise it with --limit output_bytes=SIZE" "$tmp/tr-out.err"
$Q --pcap all --limit output_bytes=50KB -o "$tmp/lim-pcap" >/dev/null 2>&1
check "limit output_bytes with --pcap all: run completes (exit 0)" test $? -eq 0
total=$(cat "$tmp"/lim-pcap/pcap/*.pcap | wc -c)
check "limit output_bytes with --pcap all: the captures together within it ($total)" test "$total" -le 50000
check "limit output_bytes with --pcap all: pcap files valid" pcap_ok "$tmp/lim-pcap"
# limits with the kernel's behaviour: the run completes and counts
$Q --limit connections=10 -o "$tmp/lim-conn" >/dev/null 2>&1
check "limit connections: run completes (exit 0)" test $? -eq 0
check "limit connections: complete true" test "$(field "$tmp/lim-conn/summary.json" complete)" = true
n=$(field "$tmp/lim-conn/summary.json" limits.connections_refused)
check "limit connections: refused connections counted ($n)" test "${n:-0}" -gt 0
$Q --limit capture_bytes=5KB --pcap all -o "$tmp/lim-cap" >/dev/null 2>&1
check "limit capture_bytes: run completes (exit 0)" test $? -eq 0
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["limits"]["captures_cut"]))' "$tmp/lim-cap/summary.json" 2>/dev/null)
check "limit capture_bytes: summary.json names the cut captures ($n)" test "${n:-0}" -gt 0
big=$(find "$tmp/lim-cap/pcap" -name '*.pcap' -size +5000c | head -1)
check "limit capture_bytes: no pcap file over 5KB${big:+ — $big}" test -z "$big"
check "limit capture_bytes: pcap files valid" pcap_ok "$tmp/lim-cap"
$Q --limit frobs=1 -o "$tmp/lim-bad" >/dev/null 2>"$tmp/lim-bad.err"
check "--limit with an unknown key exits 2" test $? -eq 2
check "--limit with an unknown key names the keys" grep -q "connections, events, packets, capture_bytes" "$tmp/lim-bad.err"
$Q --limit events=lots -o "$tmp/lim-bad" >/dev/null 2>"$tmp/lim-bad.err"
check "--limit with a bad value exits 2" test $? -eq 2
check "--limit: a bad value writes nothing" test ! -e "$tmp/lim-bad"

# SIGINT / SIGTERM mid-run: a clean stop, valid pcap files, partial results, exit 1
L="$IPVSIM run -q scenarios/quickstart.json --set duration=1h --pcap all"
for sig in INT TERM; do
  $L -o "$tmp/sig-$sig" >/dev/null 2>"$tmp/sig-$sig.err" &
  pid=$!
  sleep 1
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  check "SIG$sig mid-run: exit status 1" test "$rc" -eq 1
  check "SIG$sig mid-run: complete false" test "$(field "$tmp/sig-$sig/summary.json" complete)" = false
  check "SIG$sig mid-run: stopped_by SIG$sig" test "$(field "$tmp/sig-$sig/summary.json" stopped_by)" = "SIG$sig"
  end=$(field "$tmp/sig-$sig/summary.json" end_s)
  check "SIG$sig mid-run: stopped early (at ${end:-?} s of 3600)" python3 -c "import sys; sys.exit(0 if 0 < float('${end:-0}') < 3600 else 1)"
  check "SIG$sig mid-run: pcap files valid" pcap_ok "$tmp/sig-$sig"
  check "SIG$sig mid-run: says so" grep -q "SIG$sig: stopped at" "$tmp/sig-$sig.err"
done
if command -v tshark >/dev/null; then
  n=$(tshark -r "$tmp/sig-INT/pcap/lvs1-eth0.pcap" 2>/dev/null | grep -c .)
  check "SIGINT mid-run: tshark reads the director's frames ($n)" test "$n" -gt 0
fi
# a second signal exits at once (130); nothing is committed
$L -o "$tmp/sig-twice" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"; kill -INT "$pid"
wait "$pid"
check "second signal: exit status 130" test $? -eq 130
check "second signal: no result committed" test ! -e "$tmp/sig-twice/summary.json"
rm -rf "$tmp"/sig-twice.tmp-*

# the same limits and signals in check, trace and compare, and on both directors
"$IPVSIM" check scenarios/quickstart.json --limit events=1000 >"$tmp/chk-lim.out" 2>&1
check "check --limit events=1000: exit status 1" test $? -eq 1
check "check --limit events=1000: reports the run incomplete, and how to raise the limit" \
  grep -q "quickstart.json: run incomplete: the pending-event limit (limits.events = 1000) was reached.*5 expectations not checked; raise it with --limit events=N" "$tmp/chk-lim.out"
check "check --limit events=1000: never a pass" test -z "$(grep -E 'PASS|[1-9][0-9]* passed' "$tmp/chk-lim.out")"
check "check --limit events=1000: the total says so" \
  grep -q "^check: 1 file, 5 expectations: 0 passed, 0 failed; 5 not checked (a run did not complete)\$" "$tmp/chk-lim.out"
"$IPVSIM" check scenarios/quickstart.json --limit events=1000 --print-fingerprint >"$tmp/chk-lim.out" 2>"$tmp/chk-lim.err"
check "check --print-fingerprint on an incomplete run: exit 1, no fingerprint" test $? -eq 1 -a ! -s "$tmp/chk-lim.out"
"$IPVSIM" check scenarios/quickstart.json --limit frobs=1 >/dev/null 2>"$tmp/chk-bad.err"
check "check --limit with an unknown key: exit 2, names the option and the keys" test $? -eq 2
check "check --limit with an unknown key: says so" grep -q "^ipvsim check: --limit 'frobs=1': .*connections, events, packets, capture_bytes" "$tmp/chk-bad.err"
"$IPVSIM" check scenarios/quickstart.json --limit events=lots >/dev/null 2>"$tmp/chk-bad.err"
check "check --limit with a bad value: exit 2" test $? -eq 2
check "check --limit with a bad value: names it" grep -q "limits.events: expected an integer" "$tmp/chk-bad.err"
"$IPVSIM" trace scenarios/quickstart.json --limit events=300 >"$tmp/tr-lim.txt" 2>"$tmp/tr-lim.err"
check "trace --limit events=300: exit status 1" test $? -eq 1
check "trace --limit events=300: says the trace is partial" grep -q "^ipvsim trace: the pending-event limit (limits.events = 300) was reached.*the trace is partial; raise it with --limit events=N" "$tmp/tr-lim.err"
check "trace --limit events=300: the trace up to the stop is written" grep -q "ip_rcv" "$tmp/tr-lim.txt"
"$IPVSIM" trace scenarios/quickstart.json --limit frobs=1 >/dev/null 2>&1
check "trace --limit with an unknown key: exit 2" test $? -eq 2
C="$IPVSIM compare scenarios/quickstart.json --schedulers rr,wlc -q --set duration=5s --set events=[]"
$C --limit packets=20 -o "$tmp/cmp-lim" >/dev/null 2>"$tmp/cmp-lim.err"
check "compare --limit packets=20: exit status 1" test $? -eq 1
check "compare --limit packets=20: says which scheduler's run was cut short" grep -q "^ipvsim compare: the run under rr (1 of 2) did not complete: the packet-buffer limit (limits.packets = 20) was reached.*nothing written.*--limit packets=N" "$tmp/cmp-lim.err"
check "compare --limit packets=20: no output directory, no temporary one" test ! -e "$tmp/cmp-lim" -a -z "$(ls -d "$tmp"/cmp-lim.tmp-* 2>/dev/null)"
$C -o "$tmp/cmp-keep" >/dev/null 2>&1 && cp -r "$tmp/cmp-keep" "$tmp/cmp-keep.orig"
$C --limit events=300 -o "$tmp/cmp-keep" >/dev/null 2>"$tmp/cmp-lim.err"
check "compare --limit events=300: exit status 1" test $? -eq 1
check "compare --limit events=300: an earlier result is left as it was" diff -r "$tmp/cmp-keep.orig" "$tmp/cmp-keep"
$C --limit frobs=1 -o "$tmp/cmp-bad" >/dev/null 2>&1
check "compare --limit with an unknown key: exit 2, nothing written" test $? -eq 2 -a ! -e "$tmp/cmp-bad"
for cmd in check trace compare; do
  case $cmd in
    compare) args="--schedulers rr,wlc -q -o $tmp/sig-cmp" ;;
    trace) args="--conn 1" ;;
    *) args= ;;
  esac
  "$IPVSIM" $cmd scenarios/quickstart.json --set duration=1h $args >"$tmp/sig-$cmd.out" 2>"$tmp/sig-$cmd.err" &
  pid=$!
  sleep 1
  kill -INT "$pid"
  wait "$pid"
  check "$cmd: SIGINT mid-run: exit status 1" test $? -eq 1
  check "$cmd: SIGINT mid-run: says where the run stopped" grep -q "SIGINT: stopped at" "$tmp/sig-$cmd.out" "$tmp/sig-$cmd.err"
done
check "compare: SIGINT mid-run: no output directory, no temporary one" test ! -e "$tmp/sig-cmp" -a -z "$(ls -d "$tmp"/sig-cmp.tmp-* 2>/dev/null)"
max_conns() { # max_conns DIRECTORS.CSV: "lvs1=N lvs2=M", each director's largest table
  python3 -c 'import csv,sys
m={}
for r in csv.DictReader(open(sys.argv[1])): m[r["director"]]=max(m.get(r["director"],0),int(r["conns"]))
print(" ".join("%s=%d" % kv for kv in sorted(m.items())))' "$1" 2>/dev/null
}
"$IPVSIM" run -q scenarios/failover-sync.json --set duration=30s --limit connections=20 -o "$tmp/lim-ha" >/dev/null 2>&1
check "limit connections with director.backup: run completes (exit 0)" test $? -eq 0
m=$(max_conns "$tmp/lim-ha/directors.csv")
check "limit connections: both directors' tables hold at most 20 ($m)" test "$m" = "lvs1=20 lvs2=20"

# output safety: names cannot leave the result directory, nothing unrelated is replaced
mkdir -p "$tmp/safe/a/b/work"
sed 's/"name": "minimal"/"name": "..\/..\/x"/' scenarios/minimal.json > "$tmp/safe/a/b/esc.json"
abs_ipvsim="$(cd "$(dirname "$IPVSIM")" && pwd)/$(basename "$IPVSIM")"
(cd "$tmp/safe/a/b/work" && "$abs_ipvsim" run -q ../esc.json >/dev/null 2>"$tmp/safe/esc.err")
check "scenario named ../../x: refused (exit 2)" test $? -eq 2
check "scenario named ../../x: says why" grep -q "is not a safe name" "$tmp/safe/esc.err"
check "scenario named ../../x: nothing written anywhere" test -z "$(find "$tmp/safe" -mindepth 1 ! -path "$tmp/safe/a" ! -path "$tmp/safe/a/b" ! -path "$tmp/safe/a/b/work" ! -name esc.json ! -name esc.err)"
"$IPVSIM" validate "$tmp/safe/a/b/esc.json" >/dev/null 2>&1; check "validate: ../../x refused" test $? -eq 2
sed 's/"name": "minimal",/"capture": { "points": ["lvs1:..\/..\/x"] },/' scenarios/minimal.json > "$tmp/safe/cap.json"
"$IPVSIM" validate "$tmp/safe/cap.json" >/dev/null 2>&1; check "capture point lvs1:../../x refused" test $? -eq 2
for p in "lvs1:../../x" "../x:eth0" "lvs1/eth0" "lvs1:eth0/../../x"; do
  "$IPVSIM" run -q scenarios/minimal.json --pcap "$p" -o "$tmp/safe/pc" >/dev/null 2>&1
  check "--pcap '$p' refused (exit 2), nothing written" test $? -eq 2 -a ! -e "$tmp/safe/pc" -a ! -e "$tmp/x"
done
echo keep > "$tmp/safe/afile"
"$IPVSIM" run -q scenarios/minimal.json -o "$tmp/safe/afile" >/dev/null 2>&1
check "-o onto an unrelated file: refused (exit 2), file untouched" test $? -eq 2 -a "$(cat "$tmp/safe/afile")" = keep
mkdir -p "$tmp/safe/res.tmp-123456" && echo keep > "$tmp/safe/res.tmp-123456/notes"
"$IPVSIM" run -q scenarios/minimal.json -o "$tmp/safe/res" >/dev/null 2>&1
check "-o beside an unrelated FINAL.tmp-*: runs, leaves it alone" test $? -eq 0 -a "$(cat "$tmp/safe/res.tmp-123456/notes")" = keep
"$IPVSIM" run -q scenarios/minimal.json -o "" >/dev/null 2>&1; check "-o '': refused (exit 2)" test $? -eq 2

# fuzz smoke: every libFuzzer target over its seed corpus (only where clang has libFuzzer)
if [ -z "${IPVSIM_SKIP_FUZZ_SMOKE:-}" ] && command -v clang >/dev/null &&
   echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
     clang -x c - -fsanitize=fuzzer -o "$tmp/fz" >/dev/null 2>&1; then
  if make -s fuzz-bin >"$tmp/fuzz-build.log" 2>&1; then
    for t in scenario ipvsadm iptables units pkt; do
      build/fuzz/fuzz-$t -runs=0 tools/fuzz/corpus/$t </dev/null >"$tmp/fuzz-$t.log" 2>&1
      check "fuzz smoke: $t over its $(ls tools/fuzz/corpus/$t | wc -l) seeds" test $? -eq 0
    done
  else
    bad "fuzz smoke: make fuzz-bin failed (see its output: $(tail -1 "$tmp/fuzz-build.log"))"
  fi
else
  echo "  skip  fuzz smoke (no clang with libFuzzer)"
fi

# --- environment failures: exit 1, the file and the error named, nothing committed ---------
E="$IPVSIM run -q scenarios/quickstart.json --set duration=2s --set events=[]"
# a file size limit (ulimit -f, in KiB) cuts the pcap files: SIGXFSZ is ignored by ipvsim
# itself (no trap here), the failed write fails the run
(ulimit -f 64; $E --pcap all -o "$tmp/env-fsz" >/dev/null 2>"$tmp/env-fsz.err"); rc=$?
check "pcap cut by a file size limit: exit 1 (was 0 with \"complete\": true)" test "$rc" -eq 1
check "pcap cut by a file size limit: names the file and the error" \
  grep -q "^ipvsim run: writing the results failed: capture on [a-z0-9]*/eth[0-9]: $tmp/env-fsz/pcap/.*\.pcap: write failed: File too large$" "$tmp/env-fsz.err"
check "pcap cut by a file size limit: nothing committed, no temporary directory" \
  test ! -e "$tmp/env-fsz" -a -z "$(ls -d "$tmp"/env-fsz.tmp-* 2>/dev/null)"
(ulimit -f 4; $E --set 'capture.points=[]' -o "$tmp/env-fsz2" >/dev/null 2>"$tmp/env-fsz2.err"); rc=$?
check "a result file cut by a file size limit: exit 1, names the file and the error" \
  test "$rc" -eq 1 -a -n "$(grep 'connections.csv.*File too large' "$tmp/env-fsz2.err")"
(ulimit -f 4; "$IPVSIM" demo -o "$tmp/env-demo" >/dev/null 2>"$tmp/env-demo.err"); rc=$?
check "demo: a pcap cut by a file size limit: exit 1, names the file and the error" test "$rc" -eq 1 -a \
  -n "$(grep "^ipvsim demo: writing the results failed: capture on .*: $tmp/env-demo/pcap/.*\.pcap: write failed: File too large$" "$tmp/env-demo.err")"
(ulimit -f 64; $E --set 'capture.points=[]' --trace -o "$tmp/env-tr" >/dev/null 2>"$tmp/env-tr.err"); rc=$?
check "trace.txt cut by a file size limit: exit 1, names it and the error" \
  grep -q "^ipvsim run: writing the results failed: $tmp/env-tr/trace.txt: write failed: File too large$" "$tmp/env-tr.err"
# trace.txt cannot be created (no file descriptor left once the captures are open): the
# number of descriptors that makes exactly that open fail depends on the libraries, so try
# a few; none may crash, one must say so
tr_seen=0 tr_crash=""
for n in 4 5 6 7 8 9 10; do
  (ulimit -n $n; $E --trace -o "$tmp/env-nofd$n" >/dev/null 2>"$tmp/env-nofd.err"); rc=$?
  [ "$rc" -le 2 ] || tr_crash="$tr_crash $n($rc)"
  grep -q "^ipvsim run: $tmp/env-nofd$n/trace.txt: cannot create: Too many open files$" "$tmp/env-nofd.err" &&
    [ "$rc" -eq 1 ] && [ ! -e "$tmp/env-nofd$n" ] && tr_seen=1
done
check "--trace when trace.txt cannot be created: no crash${tr_crash:+ — crashed at ulimit -n:$tr_crash}" test -z "$tr_crash"
check "--trace when trace.txt cannot be created: exit 1, names it" test "$tr_seen" -eq 1
# a pcap file that cannot be created (no descriptor left) is the environment's failure too
cap_bad=""
for n in 5 7 9; do
  (ulimit -n $n; $E --pcap all -o "$tmp/env-cap$n" >/dev/null 2>"$tmp/env-cap.err"); rc=$?
  { [ "$rc" -eq 1 ] && grep -q "^ipvsim run: capture: $tmp/env-cap$n/pcap/.*\.pcap: Too many open files$" "$tmp/env-cap.err" &&
    [ -z "$(ls -d "$tmp"/env-cap$n* 2>/dev/null)" ]; } || cap_bad="$cap_bad $n($rc)"
done
check "a pcap file that cannot be created: exit 1 (was 2), names it, nothing left${cap_bad:+ — not at ulimit -n:$cap_bad}" test -z "$cap_bad"
(ulimit -n 5; "$IPVSIM" demo -o "$tmp/env-demo-fd" >/dev/null 2>"$tmp/env-demo-fd.err"); rc=$?
check "demo: a pcap file that cannot be created: exit 1 (was 2), names it under -o, nothing left" \
  test "$rc" -eq 1 -a -n "$(grep "^ipvsim demo: $tmp/env-demo-fd/pcap/.*\.pcap: Too many open files$" "$tmp/env-demo-fd.err")" \
  -a -z "$(ls -d "$tmp"/env-demo-fd.tmp-* 2>/dev/null)" -a ! -e "$tmp/env-demo-fd"
if command -v valgrind >/dev/null; then
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=3 \
    "$IPVSIM" hooks --kernel 99 >/dev/null 2>"$tmp/vg-hooks.err"
  check "hooks --kernel 99: exit 2, nothing leaked (valgrind)" test $? -eq 2
fi

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

# the result directory is checked before the run: "-o DIR/" (shell completion) is DIR, an
# empty directory is taken, a dangling symbolic link is refused at once, and a directory
# that cannot be created is an environment failure (exit 1)
M="$IPVSIM run -q scenarios/minimal.json --set duration=1s"
$M -o "$tmp/od-slash/" >/dev/null 2>"$tmp/od.err"
check "-o DIR/: runs into DIR (exit 0; was \"Invalid argument\" after the run)" test $? -eq 0 -a -s "$tmp/od-slash/summary.json"
$M -o "$tmp/od-slash//" >/dev/null 2>"$tmp/od.err"
check "-o DIR//: replaces the earlier result, nothing else left" \
  test $? -eq 0 -a -z "$(ls -d "$tmp"/od-slash.* "$tmp"/od-slash/.tmp-* 2>/dev/null)"
mkdir "$tmp/od-empty"
$M -o "$tmp/od-empty" >/dev/null 2>"$tmp/od.err"
check "-o an empty directory: taken (exit 0)" test $? -eq 0 -a -s "$tmp/od-empty/summary.json"
ln -s "$tmp/od-nowhere" "$tmp/od-dangling"
$M --set duration=1h -o "$tmp/od-dangling" >/dev/null 2>"$tmp/od.err"
check "-o a dangling symbolic link: refused before the run (exit 2)" \
  test $? -eq 2 -a -n "$(grep "od-dangling: exists and is not an ipvsim result" "$tmp/od.err")"
check "-o a dangling symbolic link: left as it was, nothing written" \
  test -L "$tmp/od-dangling" -a ! -e "$tmp/od-nowhere" -a -z "$(ls -d "$tmp"/od-dangling.* 2>/dev/null)"
mkdir -p "$tmp/od-ro" && chmod 555 "$tmp/od-ro" && chmod 755 "$tmp"
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
abs_ipvsim="$(cd "$(dirname "$IPVSIM")" && pwd)/$(basename "$IPVSIM")"
if as_user "$abs_ipvsim" --version >/dev/null 2>&1; then
  as_user "$abs_ipvsim" run -q "$PWD/scenarios/minimal.json" --set duration=1h -o "$tmp/od-ro/x" >/dev/null 2>"$tmp/od.err"
  check "-o in a read-only directory: exit 1 before the run, names it and the error" \
    test $? -eq 1 -a -n "$(grep "^ipvsim run: $tmp/od-ro/x: cannot create: Permission denied$" "$tmp/od.err")"
else
  echo "  skip  -o in a read-only directory (no unprivileged user to run as)"
fi
chmod 700 "$tmp"
# two scenario files of one name share results/<name>: replacing the other's result says so
cp scenarios/minimal.json "$tmp/minimal-copy.json"
$M -o "$tmp/od-name" >/dev/null 2>&1
$M -o "$tmp/od-name" >/dev/null 2>"$tmp/od.err"
check "rerunning the same scenario file: no warning" test ! -s "$tmp/od.err"
"$IPVSIM" run -q "$tmp/minimal-copy.json" --set duration=1s -o "$tmp/od-name" >/dev/null 2>"$tmp/od.err"
check "another scenario file's result is replaced with a warning (exit 0)" test $? -eq 0 -a \
  -n "$(grep "^ipvsim run: warning: $tmp/od-name holds the results of scenarios/minimal.json (scenario 'minimal'); replacing them with those of $tmp/minimal-copy.json" "$tmp/od.err")"

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

# --- trace, check, expectations and fingerprints (issue 8) -------------------------------
for m in nat dr tun; do
  for era in 6.x 2.6.34; do
    "$IPVSIM" trace "scenarios/era-$m.json" --conn 1 --kernel "$era" > "$tmp/trace.txt" 2>&1
    check "trace: $m connection under $era matches tests/golden/trace_${m}_$era.txt" \
      diff -u "tests/golden/trace_${m}_$era.txt" "$tmp/trace.txt"
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
  grep -q "^        the pinned run made 28 hook calls; the runs share the first 28 hook calls .*, then part after call 28; this run's call 29 is at .*(ipvsim trace scenarios/era-nat.json --host lvs1 --conn 2)$" "$tmp/fp-part.out"
fp100=$("$IPVSIM" check --print-fingerprint scenarios/era-post-routing-6.x.json)
fp101=$("$IPVSIM" check --print-fingerprint --set hooks.0.priority=101 scenarios/era-post-routing-6.x.json)
check "check: a user hook's priority moved by one changes the fingerprint" \
  test -n "$fp100" -a -n "$fp101" -a "$fp100" != "$fp101"
check "docs/tutorial.md is up to date with ipvsim trace (make docs)" tools/gen-tutorial --check "$IPVSIM"
for doc in docs/tour.md README.md; do
  check "$doc: the outputs pasted from ipvsim are up to date (make docs)" tools/gen-tutorial --check "$IPVSIM" "$doc"
done

# --- director failover: VRRP and the IPVS sync daemon (scenarios/failover-*.json) ------
# lvs1 crashes at 20 s; lvs2 takes the VIP after its master down timer. connections.csv:
# the conversations running at 20 s finish through lvs2 (to the same real server) with
# the sync daemon, and do not without it; the sync link's pcap holds the messages.
fo=scenarios/failover
"$IPVSIM" run $fo-sync.json -o "$tmp/fo-sync" --quiet >/dev/null 2>&1; check "failover-sync runs" test $? -eq 0
"$IPVSIM" run $fo-nosync.json -o "$tmp/fo-nosync" --quiet >/dev/null 2>&1; check "failover-nosync runs" test $? -eq 0
"$IPVSIM" run $fo-sync.json -o "$tmp/fo-sync2" --quiet >/dev/null 2>&1
check "failover-sync: same seed, byte-identical results" diff -r "$tmp/fo-sync" "$tmp/fo-sync2"
at_crash() {  # running at 20 s: how many, how many OK, how many neither OK nor still running
  awk -F, -v t=20000000000 'NR > 1 && $2 < t && ($3 == 0 || $3 > t) { n++; if ($9 == "OK") ok++ }
    END { printf "%d %d\n", n, ok }' "$1/connections.csv"
}
read -r fo_n fo_ok < <(at_crash "$tmp/fo-sync")
read -r fo_n0 fo_ok0 < <(at_crash "$tmp/fo-nosync")
check "failover: the same conversations were running at the crash (>= 40)" test "$fo_n" -eq "$fo_n0" -a "$fo_n" -ge 40
check "failover-sync: at least 3/4 of them finish OK through lvs2 ($fo_ok of $fo_n)" test $((fo_ok * 4)) -ge $((fo_n * 3))
check "failover-nosync: none of them finishes OK" test "$fo_ok0" -eq 0
check "failover-nosync: ... each one is reset, timed out or left hanging" \
  test -z "$(awk -F, -v t=20000000000 'NR > 1 && $2 < t && ($3 == 0 || $3 > t) && $9 != "RESET" && $9 != "TIMEOUT" && $9 != "UNFINISHED"' "$tmp/fo-nosync/connections.csv")"
check "failover: summary.json agrees (failover.connections)" python3 - "$tmp/fo-sync" "$tmp/fo-nosync" "$fo_n" "$fo_ok" <<'PY'
import json, sys
on, off = (json.load(open(d + "/summary.json"))["failover"] for d in sys.argv[1:3])
n, ok = int(sys.argv[3]), int(sys.argv[4])
c = on["connections"]
assert c["running"] == n and c["survived"] == ok, c
assert off["connections"]["survived"] == 0, off["connections"]
for f in (on, off):   # dark: lvs1's last advert at 19 s + 100 us + 3 s + 156/256 s
    assert abs(f["vip_dark_s"] - 2.609475) < 1e-5, f["vip_dark_s"]
    assert f["failovers"][0]["director"] == "lvs1" and f["failovers"][0]["at_s"] == 20
PY
if command -v tshark >/dev/null; then
  # the same real server: after the takeover, lvs2 sends each surviving conversation's
  # packets to the server connections.csv names (rs1 192.0.2.11, rs2 192.0.2.12)
  tshark -r "$tmp/fo-sync/pcap/lvs2-eth0.pcap" -Y 'frame.time_relative > 22 && ip.dst == 192.0.2.0/24 && tcp.dstport == 8080' \
    -T fields -e ip.src -e tcp.srcport -e ip.dst 2>/dev/null | sort -u > "$tmp/fo-fwd.txt"
  check "failover-sync: every survivor's packets reach its own real server through lvs2" python3 - "$tmp/fo-sync/connections.csv" "$tmp/fo-fwd.txt" <<'PY'
import csv, sys
ip = {"rs1": "192.0.2.11", "rs2": "192.0.2.12"}
seen = {}
for line in open(sys.argv[2]):
    src, port, dst = line.split()
    seen.setdefault((src, port), set()).add(dst)
n = 0
for r in csv.DictReader(open(sys.argv[1])):
    start, end = int(r["start_ns"]), int(r["end_ns"])
    if not (start < 20e9 and end > 23e9 and r["outcome"] == "OK"):
        continue
    c, p = r["client"].split(":")
    assert seen.get((c, p)) == {ip[r["server"]]}, (r["client"], r["server"], seen.get((c, p)))
    n += 1
assert n >= 20, n
PY
  # the sync link: every message the master sent is a UDP datagram to 224.0.0.81:8848
  # with a good checksum that tshark's IPVS dissector decodes, version 1
  p1="$tmp/fo-sync/pcap/lvs1-eth1.pcap"
  tshark -r "$p1" -o udp.check_checksum:TRUE -Y 'ip.src == 169.254.81.1 && udp.dstport == 8848' \
    -T fields -e ip.dst -e ip.ttl -e udp.checksum.status -e ipvs.version -e ipvs.conncount -e ipvs.size -e udp.length \
    -e _ws.malformed 2>/dev/null > "$tmp/fo-ipvs.txt"
  check "failover-sync: sync messages in lvs1-eth1.pcap decode as IPVS over UDP to 224.0.0.81:8848" python3 - "$tmp/fo-ipvs.txt" "$tmp/fo-sync/summary.json" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
st = json.load(open(sys.argv[2]))["failover"]["directors"][0]["sync"]
assert len(rows) == st["msgs_sent"] > 0, (len(rows), st["msgs_sent"])
conns = 0
for dst, ttl, status, ver, count, size, ulen, malformed in rows:
    assert dst == "224.0.0.81" and ttl == "1" and status == "1" and ver == "1" and not malformed, rows[0]
    assert int(size) == 8 + 36 * int(count) and int(ulen) == 8 + int(size)
    conns += int(count)
assert conns == st["conns_sent"], (conns, st["conns_sent"])
PY
  check "failover-sync: ... and VRRP adverts (priority 150, vrid 51) until the crash" \
    test "$(tshark -r "$p1" -Y 'vrrp.prio == 150 && vrrp.virt_rtr_id == 51 && ip.dst == 224.0.0.18 && ip.ttl == 255' 2>/dev/null | wc -l)" -eq 20
  check "failover-sync: lvs2 announces the VIP with gratuitous ARPs at 22.609 s (5, and 5 more at 27.609 s)" \
    test "$(tshark -r "$tmp/fo-sync/pcap/lvs2-eth0.pcap" -Y 'arp.isannouncement && arp.src.proto_ipv4 == 203.0.113.10' -T fields -e frame.time_relative 2>/dev/null | cut -c1-6 | uniq -c | tr -s ' ' | tr '\n' ';')" = " 5 22.609; 5 27.609;"
  check "failover-nosync: no sync message on the sync link" \
    test "$(tshark -r "$tmp/fo-nosync/pcap/lvs1-eth1.pcap" -Y 'udp.dstport == 8848' 2>/dev/null | wc -l)" -eq 0
fi
check "failover-sync: events.txt shows the takeover" \
  grep -q '^at 22.609s vrrp lvs2: BACKUP -> MASTER (master down timer)' "$tmp/fo-sync/events.txt"
check "failover-sync: directors.csv has lvs2 MASTER with the VIP, active connections included" \
  test -n "$(awk -F, '$1 == "25.000" && $2 == "lvs2" && $3 == "MASTER" && $4 == 1 && $6 > 0' "$tmp/fo-sync/directors.csv")"
# sync_threshold: a shorter period sends more entries, as pkts % period == threshold says
"$IPVSIM" run $fo-sync.json -o "$tmp/fo-p10" --quiet --set 'director.backup.sync_threshold=[3,10]' >/dev/null 2>&1
check "failover-sync: sync_threshold 3 10 sends more than 3 50 (and still decodes)" python3 - "$tmp/fo-sync" "$tmp/fo-p10" <<'PY'
import json, sys
a, b = (json.load(open(d + "/summary.json"))["failover"]["sync"] for d in sys.argv[1:3])
assert b["threshold"] == [3, 10] and a["threshold"] == [3, 50]
assert b["conns"] > 2 * a["conns"] and b["bytes"] > 2 * a["bytes"], (a, b)
PY
"$IPVSIM" validate --set 'director.backup.sync_threshold=[10,3]' $fo-sync.json >/dev/null 2>&1
check "failover: a threshold not below the period exits 2" test $? -eq 2

# --- ActiveConn/InActConn follow the state machine (ipvsadm.txt -Ln against -Lnc) -----------
# (the active TCP states are the era's: ESTABLISHED in 2.6.34, the handshake too since 4.8)
for m in quickstart nat dr tun synflood; do
  for k in 2.6.34 6.x; do
    d="$tmp/counts-$m-$k"
    "$IPVSIM" run -q "scenarios/$m.json" --set "kernel=$k" -o "$d" >/dev/null 2>&1
    check "$m ($k): ActiveConn = the era's active entries, InActConn = the others" python3 tests/check-ipvsadm-counts.py "$d/ipvsadm.txt"
  done
done
# a SYN flood's half-open entries: InActConn in 2.6.34, ActiveConn since 4.8
check "synflood (2.6.34): the flood is in InActConn" grep -Eq '^  -> 192\.0\.2\.11:80 +Masq +1 +[0-9]{1,3} +1[0-9]{4} ' "$tmp/counts-synflood-2.6.34/ipvsadm.txt"
check "synflood (6.x): the flood is in ActiveConn" grep -Eq '^  -> 192\.0\.2\.11:80 +Masq +1 +1[0-9]{4} +[0-9]{1,4} ' "$tmp/counts-synflood-6.x/ipvsadm.txt"

# --- an `ipvsadm -L` event prints its listing into events.txt, as the era's kernel reads it ---
# (nine connections, listed 0.3 s after the last: live counters in 2.6.34, the estimator's
# last pass since 2.6.38, none yet before 1.96 s on 6.2+)
for k in 2.6.34 6.x; do
  "$IPVSIM" run -q "scenarios/era-stats-$k.json" -o "$tmp/stats-$k" >/dev/null 2>&1
done
check "ipvsadm -Ln --stats event: its line, then the listing indented" \
  grep -Fxq -e 'at 0.750s ipvsadm -Ln --stats: ok' "$tmp/stats-6.x/events.txt"
check "ipvsadm -Ln --stats event (2.6.34): nine connections" \
  grep -Eq '^  TCP  203\.0\.113\.10:80 +9 +45 ' "$tmp/stats-2.6.34/events.txt"
check "ipvsadm -Ln --stats event (6.x): none yet" \
  grep -Eq '^  TCP  203\.0\.113\.10:80 +0 +0 +0 +0 +0$' "$tmp/stats-6.x/events.txt"
"$IPVSIM" run -q scenarios/era-stats-6.x.json --set duration=2s -o "$tmp/stats-6.x-2s" >/dev/null 2>&1
check "ipvsadm.txt --stats (6.x) after the pass at 1.96 s: nine" \
  grep -Eq '^TCP  203\.0\.113\.10:80 +9 +45 ' "$tmp/stats-6.x-2s/ipvsadm.txt"

# --- the build prints one short line per step, the whole command with V=1 -----------------
# (a scratch source under build/, so no object of the tree is rebuilt)
mkdir -p build/quiet-test
printf 'int quiet_test(void);\nint quiet_test(void) { return 0; }\n' > build/quiet-test/q.c
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u V make --no-print-directory build/release/build/quiet-test/q.o > "$tmp/make-q.out" 2>&1
check "make: '  CC      FILE' instead of the compiler's command line" \
  test "$(cat "$tmp/make-q.out")" = "  CC      build/release/build/quiet-test/q.o"
rm -f build/release/build/quiet-test/q.o
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory V=1 build/release/build/quiet-test/q.o > "$tmp/make-q.out" 2>&1
check "make V=1: the whole command" grep -q -- "-c -o build/release/build/quiet-test/q.o build/quiet-test/q.c\$" "$tmp/make-q.out"
rm -rf build/quiet-test build/release/build

# --- kernel-check: what it refuses, and the guest it would boot (no virtual machine here) ---
kc=scenarios/kernel-check-nat-rr.json
top_kc=$(pwd)
"$IPVSIM" kernel-check --kernel 4.9 -o "$tmp/kc-era" "$kc" >/dev/null 2>"$tmp/kc.err"
check "kernel-check --kernel 4.9: exit 2" test $? -eq 2
check "kernel-check --kernel 4.9: only 6.x, the kernel Debian ships" \
  test "$(cat "$tmp/kc.err")" = "ipvsim kernel-check: --kernel 4.9: only the 6.x era (or 6.1) can be checked, on the kernel Debian ships (linux-image-amd64, 6.1)"
check "kernel-check refused: writes nothing" test ! -e "$tmp/kc-era"
"$IPVSIM" kernel-check -o "$tmp/kc-x" scenarios/era-tie-4.9.json >/dev/null 2>"$tmp/kc.err"
check "kernel-check of a 4.9 scenario with hooks: exit 2" test $? -eq 2
check "kernel-check of a 4.9 scenario with hooks: names the era and the hooks" \
  grep -q 'era-tie-4.9.json: cannot be mirrored on the kernel: kernel "4.9": only the 6.x era .*; "hooks" (not mirrored yet)$' "$tmp/kc.err"
"$IPVSIM" kernel-check -o "$tmp/kc-x" scenarios/synflood.json >/dev/null 2>"$tmp/kc.err"
check "kernel-check of a scenario with events: exit 2, names them" \
  test $? -eq 2 -a "$(grep -c 'synflood.json: cannot be mirrored on the kernel: "events" (not mirrored yet)$' "$tmp/kc.err")" -eq 1
bad_scenarios=(tests/bad-scenarios/*.json)
"$IPVSIM" kernel-check -o "$tmp/kc-x" "${bad_scenarios[0]}" >/dev/null 2>"$tmp/kc.err"
check "kernel-check of a bad scenario: exit 2 with FILE:LINE:COL" \
  test $? -eq 2 -a "$(grep -c '^ipvsim kernel-check: tests/bad-scenarios/.*:[0-9]*:[0-9]*: ' "$tmp/kc.err")" -eq 1
"$IPVSIM" kernel-check --connections 0 -o "$tmp/kc-x" "$kc" >/dev/null 2>&1
check "kernel-check --connections 0: exit 2" test $? -eq 2
check "kernel-check refusals write nothing" test ! -e "$tmp/kc-x"
"$IPVSIM" kernel-check --dry-run --connections 4 -o "$tmp/kc-dry" scenarios/kernel-check-dr-wrr.json "$kc" >/dev/null 2>&1
check "kernel-check --dry-run: exit 0" test $? -eq 0
g="$tmp/kc-dry/kernel-check-nat-rr"
check "kernel-check --dry-run: the script is ipvsim's first 4 connections, address:port and sizes" \
  test "$(cut -d' ' -f1 "$g/script.txt" | tr '\n' ' ')" = "$(sed -n '2,5p' "$g/ipvsim/connections.csv" | cut -d, -f4 | tr '\n' ' ')"
check "kernel-check --dry-run: DIP and VIP on the director's eth0" \
  test "$(grep -c '^ip -n lvs1 addr add \(192.0.2.1/24\|203.0.113.10/32\) dev eth0$' "$g/run.sh")" -eq 2
check "kernel-check --dry-run: NAT real servers route through the DIP, gw routes the VIP to it" \
  test "$(grep -c '^ip -n rs[123] route add default via 192.0.2.1$\|^ip -n gw route add 203.0.113.10/32 via 192.0.2.1$' "$g/run.sh")" -eq 4
check "kernel-check --dry-run: DR real servers hold the VIP on lo and route through gw" \
  test "$(grep -c '^ip -n rs[123] addr add 203.0.113.10/32 dev lo$\|^ip -n rs[123] route add default via 192.0.2.254$' "$tmp/kc-dry/kernel-check-dr-wrr/run.sh")" -eq 6
"$IPVSIM" kernel-check --dry-run --connections 2 -o "$tmp/kc-dry" scenarios/kernel-check-tun-gue-gre.json >/dev/null 2>&1
t="$tmp/kc-dry/kernel-check-tun-gue-gre/run.sh"
check "kernel-check --dry-run: TUN real servers hold the VIP on their tunnel (GUE: fou port; GRE: gre0)" \
  test "$(grep -c '^ip -n rs[13] addr add 203.0.113.10/32 dev tunl0$\|^n rs1 ip fou add port 6080 gue$\|^ip -n rs2 addr add 203.0.113.10/32 dev gre0$' "$t")" -eq 4
"$IPVSIM" kernel-check --dry-run --connections 2 -o "$tmp/kc-dry" scenarios/kernel-check-local-client.json >/dev/null 2>&1
check "kernel-check --dry-run: a client on the director connects from the DIP in the director's namespace" \
  test "$(grep -c '^n lvs1 kc-traffic client 192.0.2.1:[0-9]* 203.0.113.10:80 ' "$tmp/kc-dry/kernel-check-local-client/run.sh")" -eq 2
"$IPVSIM" kernel-check --dry-run --connections 2 -o "$tmp/kc-dry" scenarios/kernel-check-fwmark.json >/dev/null 2>&1
check "kernel-check --dry-run: the director's iptables lines, by iptables-nft, failures reported" \
  grep -q "^n lvs1 iptables -t mangle -A PREROUTING -d 203.0.113.10/32 -p tcp --dport 80 -j MARK --set-mark 1 || echo 'iptables failed: " "$tmp/kc-dry/kernel-check-fwmark/run.sh"
check "kernel-check --dry-run: each case's veths are its own (k0v*, k1v*)" \
  test "$(grep -c ' k0v' "$tmp/kc-dry/kernel-check-dr-wrr/run.sh")" -gt 0 -a "$(grep -c ' k0v' "$g/run.sh")" -eq 0
python3 tests/test-kernel-check.py "$IPVSIM" > "$tmp/kc-unit.out" 2>&1
check "kernel-check's world, archive, comparison and reports (tests/test-kernel-check.py)" test $? -eq 0 \
  || tail -20 "$tmp/kc-unit.out"
if tools/install-deps --kernel-check --check >/dev/null 2>&1; then
  tools/kernel-check/build-initramfs "$tmp/kc-cache" >/dev/null 2>&1
  (cd "$tmp" && "$top_kc/tools/kernel-check/build-initramfs" "$tmp/kc-cache") >/dev/null 2>"$tmp/kc-cache.err"
  check "kernel-check's initramfs: built once, then taken from the cache by any path" \
    test $? -eq 0 -a ! -s "$tmp/kc-cache.err" -a -s "$(ls "$tmp"/kc-cache/initramfs-*.cpio.gz)"
  rm -rf "$tmp/kc-cache"
else
  echo "  skip  kernel-check's initramfs cache (the kernel check's packages are not installed)"
fi
cp -r "$tmp/kc-dry" "$tmp/kc-dry1"
"$IPVSIM" kernel-check --dry-run --connections 4 -o "$tmp/kc-dry" scenarios/kernel-check-dr-wrr.json "$kc" >/dev/null 2>&1
check "kernel-check --dry-run: the same guest scripts twice" \
  diff -r -x ipvsim -x pass1 "$tmp/kc-dry1" "$tmp/kc-dry"

# --- the docs' commands work as written: `ipvsim` on the PATH once installed ---------------
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory install PREFIX="$tmp/prefix" >"$tmp/install.out" 2>&1
"$tmp/prefix/bin/ipvsim" hooks --kernel 6.x >/dev/null 2>&1
check "make install PREFIX=DIR: DIR/bin/ipvsim runs" test $? -eq 0
for f in scenario.schema.json gue.lua scenarios/quickstart.json; do
  check "make install PREFIX=DIR: DIR/share/ipvsim/$f" test -s "$tmp/prefix/share/ipvsim/$f"
done
check "make install: no schema among the scenarios" test ! -e "$tmp/prefix/share/ipvsim/scenarios/schema.json"
"$tmp/prefix/bin/ipvsim" kernel-check --kernel 4.9 scenarios/kernel-check-nat-rr.json >/dev/null 2>"$tmp/kc-inst.err"
check "make install PREFIX=DIR: ipvsim kernel-check finds its tool in DIR/share" \
  test $? -eq 2 -a "$(grep -c 'only the 6.x era' "$tmp/kc-inst.err")" -eq 1
# tests/doc-commands.sh (make test runs it after these) fails on a command that fails
printf '# t\n\n```sh\nipvsim sched rr --dests A:1 --picks 1\nipvsim run no-such.json   # fails\n```\n' > "$tmp/doc.md"
tests/doc-commands.sh "$IPVSIM" "$tmp/doc.md" > "$tmp/doc.out" 2>&1
check "doc-commands: a failing command fails the test, and is named with its line" \
  test $? -ne 0 -a "$(grep -c '^  FAIL  .*doc.md:5: ipvsim run no-such.json (exit status 2)$' "$tmp/doc.out")" -eq 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
