# ipvsim run: determinism, a missing file, the format of events.txt.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_run.c app/run/run_events.c app/report/run_output.c

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
