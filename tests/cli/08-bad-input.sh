# Bad input: the bad-scenario corpus, a bad --pcap, trace(...) files.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_validate.c

# --- bad scenarios: exit status 2, FILE:LINE:COL, nothing written -----------------------
# Every tests/bad-scenarios/*.json without a .set sidecar, through `run` and `validate`:
# status 2, nothing on stdout, one message on stderr that starts with FILE:LINE:COL (FILE
# is the scenario; a trace file it names follows as TRACE:LINE) and is exactly the .expected text, and no
# result directory (nor a temporary one) left behind. With IPVSIM_UPDATE_GOLDEN=1 the
# message of `run` is written over a .expected that differs.
nbad=0; b_rc=""; b_pos=""; b_msg=""; b_out=""; b_dir=""; b_upd=""
for f in tests/bad-scenarios/*.json; do
  base=${f%.json}
  [ -e "$base.set" ] && continue
  nbad=$((nbad + 1))
  rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"
  "$IPVSIM" run "$f" -o "$tmp/bad/x" >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
  "$IPVSIM" validate "$f" >"$tmp/badv.out" 2>"$tmp/badv.err"; vrc=$?
  [ "$rc" -eq 2 ] && [ "$vrc" -eq 2 ] || b_rc="$b_rc $f(run $rc, validate $vrc)"
  if golden_update && ! cmp -s "$tmp/bad.err" "$base.expected"; then
    cp "$tmp/bad.err" "$base.expected" && b_upd="$b_upd $f"
  fi
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
if [ -n "$b_upd" ] && [ -z "$b_msg" ]; then
  upd "bad scenarios: the message is the .expected one — updated:$b_upd"
else
  check "bad scenarios: the message is the .expected one${b_msg:+ — not:$b_msg}" test -z "$b_msg"
fi
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

# an arrival trace shorter than its group ends with its last arrival unless "loop" repeats it,
# and every command says so
printf 'time\n0.1\n0.2\n0.5\n1\n' >"$tmp/tr/arr.csv"
cat >"$tmp/tr/arr.json" <<'EOF'
{ "duration": "5s", "servers": [ { "name": "rs1", "ip": "192.0.2.11" } ],
  "clients": [ { "name": "web", "target": "203.0.113.10:80", "arrival": "trace(arr.csv)" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m" ] }
EOF
"$IPVSIM" validate "$tmp/tr/arr.json" >/dev/null 2>"$tmp/tr/err"
check "a short arrival trace: validate warns that it ends" grep -q "^$tmp/tr/arr.json:2:73: warning: clients\[0\].arrival: the trace's 4 arrivals span 1 s, less than the group's 5 s .*: no arrival after its last one (\"loop\": true repeats it, 5 times in all" "$tmp/tr/err"
"$IPVSIM" run -q "$tmp/tr/arr.json" -o "$tmp/tr/arr" >/dev/null 2>"$tmp/tr/err"
check "a short arrival trace: run warns too, and runs (exit 0)" test $? -eq 0 -a -n "$(grep 'warning: .*no arrival after' "$tmp/tr/err")"
n=$(($(grep -c . "$tmp/tr/arr/connections.csv") - 1))
check "a short arrival trace: replayed once, no loop (4 arrivals: $n)" test "$n" -eq 4
"$IPVSIM" run -q "$tmp/tr/arr.json" --set clients.0.loop=true -o "$tmp/tr/arr" >/dev/null 2>"$tmp/tr/err"
n=$(($(grep -c . "$tmp/tr/arr/connections.csv") - 1))
check "a short arrival trace with loop: repeated (5 x 4 arrivals less the last at 5 s: $n), no warning" test "$n" -eq 19 -a ! -s "$tmp/tr/err"
"$IPVSIM" validate "$tmp/tr/arr.json" --set duration=1s >/dev/null 2>"$tmp/tr/err"
check "an arrival trace as long as its group: no warning" test ! -s "$tmp/tr/err"
