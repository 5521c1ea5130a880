# Real servers with several listeners (servers[].listen) and brownouts (server_slow, server_set).
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

mp=scenarios/multi-port.json
"$IPVSIM" run -q "$mp" -o "$tmp/mp" >/dev/null 2>&1
check "multi-port: NAT run exit 0" test $? -eq 0
svc_counts() { # the conns of each service, in order
  python3 -c 'import json,sys; print(" ".join(str(s["conns"]) for s in json.load(open(sys.argv[1]))["services"]))' "$1"
}
all_ok() { # every conversation of a run ended OK
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] else 1)' "$1"
}
check "multi-port: three services on the same servers, each with its conversations" \
  test "$(svc_counts "$tmp/mp/summary.json")" = "519 248 897"
check "multi-port: each server lists its four listeners" \
  test "$(field "$tmp/mp/summary.json" servers.2.listeners.3.name)" = "tcp:53"
# The same services forwarded by DR (-g) and TUN (-i): the servers answer every port
# from the VIP; the same conversations, all of them OK.
for m in g:DR i:TUN; do
  sed "s/ -m\"/ -${m%%:*}\"/" "$mp" > "$tmp/mp-${m##*:}.json"
  "$IPVSIM" run -q "$tmp/mp-${m##*:}.json" -o "$tmp/mp-${m##*:}" >/dev/null 2>&1
  check "multi-port by ${m##*:}: exit 0, every conversation OK" all_ok "$tmp/mp-${m##*:}/summary.json"
  check "multi-port by ${m##*:}: the servers are ${m##*:} dests" \
    test "$(field "$tmp/mp-${m##*:}/summary.json" servers.0.fwd)" = "${m##*:}"
  check "multi-port by ${m##*:}: the same count per service as NAT" \
    test "$(svc_counts "$tmp/mp-${m##*:}/summary.json")" = "519 248 897"
  check "multi-port by ${m##*:}: the DNS listener of rs1 served its third" \
    test "$(field "$tmp/mp-${m##*:}/summary.json" servers.0.listeners.2.requests_served)" = 299
done

# A service whose port no listener has: refused as by a host without the socket, a
# reset for TCP (8443), ICMP port unreachable for UDP (5353); the others unharmed.
python3 - "$mp" "$tmp/mp-stray.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s.pop("expect")
s.pop("healthcheck")     # it would take those dests out, and the director answer instead
s["name"] = "mp-stray"
s["ipvs"] += ["-A -t 203.0.113.10:8443 -s rr", "-a -t 203.0.113.10:8443 -r 192.0.2.11:8443 -m",
              "-A -u 203.0.113.10:5353 -s rr", "-a -u 203.0.113.10:5353 -r 192.0.2.12:5353 -m"]
s["clients"] += [{"name": "alt", "count": 5, "net": "198.51.103.0/24", "target": "203.0.113.10:8443",
                  "arrival": "const(2/s)", "stop": "5s"},
                 {"name": "mdns", "count": 5, "net": "198.51.104.0/24", "target": "203.0.113.10:5353",
                  "protocol": "udp", "arrival": "const(2/s)", "stop": "5s"}]
json.dump(s, open(sys.argv[2], "w"), indent=1)
EOF
"$IPVSIM" run -q "$tmp/mp-stray.json" -o "$tmp/mps" >/dev/null 2>&1
check "a port no listener has: run exit 0" test $? -eq 0
check "a port no listener has: TCP and UDP both REFUSED, nothing else fails" \
  test "$(field "$tmp/mps/summary.json" connections.REFUSED)/$(field "$tmp/mps/summary.json" connections.OK)" = "18/1664"
check "a port no listener has: TCP to 8443 got rs1's reset" \
  test "$(awk -F, '$9 == "REFUSED" && $5 == "203.0.113.10:8443" { print $7 }' "$tmp/mps/connections.csv" | sort -u)" = rs1
check "a port no listener has: UDP to 5353 got rs2's port unreachable" \
  test "$(awk -F, '$9 == "REFUSED" && $5 == "203.0.113.10:5353" { print $7 }' "$tmp/mps/connections.csv" | sort -u)" = rs2

# A server given "port" keeps its one listener (TCP and UDP): no listeners in summary.json.
"$IPVSIM" run -q scenarios/minimal.json -o "$tmp/mp-min" >/dev/null 2>&1
check "a server given port: no listeners array" \
  python3 -c 'import json,sys; sys.exit(any("listeners" in s for s in json.load(open(sys.argv[1]))["servers"]))' "$tmp/mp-min/summary.json"
# --set reaches a listener's keys
"$IPVSIM" run -q "$mp" --set servers.0.listen.2.workers=1 --set 'servers.0.listen.2.service_time="const(40ms)"' -o "$tmp/mp-set" >/dev/null 2>&1
check "--set servers.0.listen.2.workers: rs1's resolver slower, the others not" \
  python3 -c 'import json,sys
a=[l for l in json.load(open(sys.argv[1]))["servers"][0]["listeners"]]
b=[l for l in json.load(open(sys.argv[2]))["servers"][0]["listeners"]]
sys.exit(0 if a[2]["queue_drops"] > b[2]["queue_drops"] or a[2]["requests_served"] < b[2]["requests_served"] else 1)' "$tmp/mp-set/summary.json" "$tmp/mp/summary.json"

# --- brownouts -------------------------------------------------------------------------------
bo=scenarios/brownout.json
"$IPVSIM" run -q "$bo" -o "$tmp/bo-wlc" >/dev/null 2>&1
"$IPVSIM" run -q "$bo" --set 'ipvs.0=-A -t 203.0.113.10:80 -s rr' -o "$tmp/bo-rr" >/dev/null 2>&1
check "brownout: the event's line in events.txt" \
  grep -qx "at 10.000s server_slow rs2 x3: ok" "$tmp/bo-wlc/events.txt"
check "brownout: the TCP checker never acts, under wlc nor rr" \
  test "$(cat "$tmp/bo-wlc/events.txt" "$tmp/bo-rr/events.txt" | grep -c healthcheck)" = 0
p99() { field "$1/summary.json" response_time.p99_ms; }
check "brownout: rr's p99 more than twice wlc's ($(p99 "$tmp/bo-rr") against $(p99 "$tmp/bo-wlc") ms)" \
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 2 * float(sys.argv[2]) else 1)' "$(p99 "$tmp/bo-rr")" "$(p99 "$tmp/bo-wlc")"
check "brownout: rr gives the slow rs2 its quarter, wlc less" \
  python3 -c 'import json,sys
def share(f):
    d=json.load(open(f)); return d["servers"][1]["scheduled"]/d["services"][0]["conns"]
sys.exit(0 if share(sys.argv[1]) > 0.245 and share(sys.argv[2]) < 0.23 else 1)' "$tmp/bo-rr/summary.json" "$tmp/bo-wlc/summary.json"
# server_up ends the slowdown: rr's tail comes back down
"$IPVSIM" run -q "$bo" --set 'ipvs.0=-A -t 203.0.113.10:80 -s rr' \
  --set 'events.1={"at": "15s", "do": "server_up", "server": "rs2"}' -o "$tmp/bo-up" >/dev/null 2>&1
check "brownout: server_up at 15 s lowers rr's p99 ($(p99 "$tmp/bo-up") ms)" \
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$(p99 "$tmp/bo-up")" "$(p99 "$tmp/bo-rr")"
# server_set: the same brownout written as a new service time, and fewer workers
"$IPVSIM" run -q "$bo" --set 'ipvs.0=-A -t 203.0.113.10:80 -s rr' \
  --set 'events.0={"at": "10s", "do": "server_set", "server": "rs2", "service_time": "exp(30ms)"}' -o "$tmp/bo-set" >/dev/null 2>&1
check "server_set: its line in events.txt" \
  grep -qx "at 10.000s server_set rs2 service_time mean 30.000 ms: ok" "$tmp/bo-set/events.txt"
check "server_set service_time exp(30ms): the tail of server_slow x3, to the rounding of each draw ($(p99 "$tmp/bo-set") ms)" \
  python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) < 0.001 else 1)' "$(p99 "$tmp/bo-set")" "$(p99 "$tmp/bo-rr")"
"$IPVSIM" run -q "$bo" --set 'ipvs.0=-A -t 203.0.113.10:80 -s rr' \
  --set 'events.0={"at": "10s", "do": "server_set", "server": "rs2", "workers": 1}' -o "$tmp/bo-w1" >/dev/null 2>&1
check "server_set workers 1: rs2 overflows and refuses under rr" \
  python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["servers"][1]["refused"] > 0 else 1)' "$tmp/bo-w1/summary.json"
# one listener's brownout: only HTTPS slows down
"$IPVSIM" run -q "$mp" --set 'events=[{"at": "2s", "do": "server_slow", "server": "rs1", "listener": "tcp:443", "factor": 10}]' -o "$tmp/mp-slow" >/dev/null 2>&1
check "server_slow on one listener: its line names it" \
  grep -qx "at 2.000s server_slow rs1 tcp:443 x10: ok" "$tmp/mp-slow/events.txt"
check "server_slow on one listener: HTTP and DNS of rs1 serve as before" \
  python3 -c 'import json,sys
a=json.load(open(sys.argv[1]))["servers"][0]["listeners"]; b=json.load(open(sys.argv[2]))["servers"][0]["listeners"]
sys.exit(0 if [a[0]["requests_served"], a[2]["requests_served"]] == [b[0]["requests_served"], b[2]["requests_served"]] else 1)' "$tmp/mp-slow/summary.json" "$tmp/mp/summary.json"

# kernel-check mirrors one port per server: a scenario with listen is refused, saying so
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); [s.pop(k) for k in ("healthcheck", "expect")]; json.dump(s, open(sys.argv[2], "w"))' "$mp" "$tmp/mp-kc.json"
"$IPVSIM" kernel-check --dry-run -o "$tmp/mp-kc" "$tmp/mp-kc.json" >/dev/null 2>"$tmp/mp-kc.err"
check "kernel-check of a scenario with listen: exit 2, names it, writes nothing" \
  test $? -eq 2 -a "$(grep -c 'servers\[0\].listen (not mirrored yet: the guest.s servers listen on one port)' "$tmp/mp-kc.err")" -eq 1 -a ! -e "$tmp/mp-kc"
