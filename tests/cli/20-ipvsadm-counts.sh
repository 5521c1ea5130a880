# ipvsadm listings: ActiveConn/InActConn by era, the ipvsadm -L event.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

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
  grep -Eq '^  TCP  203\.0\.113\.10:80 +9 +54 +36 ' "$tmp/stats-2.6.34/events.txt"
check "ipvsadm -Ln --stats event (6.x): none yet" \
  grep -Eq '^  TCP  203\.0\.113\.10:80 +0 +0 +0 +0 +0$' "$tmp/stats-6.x/events.txt"
"$IPVSIM" run -q scenarios/era-stats-6.x.json --set duration=2s -o "$tmp/stats-6.x-2s" >/dev/null 2>&1
check "ipvsadm.txt --stats (6.x) after the pass at 1.96 s: nine" \
  grep -Eq '^TCP  203\.0\.113\.10:80 +9 +54 +36 ' "$tmp/stats-6.x-2s/ipvsadm.txt"
