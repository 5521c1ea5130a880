# Environment failures: exit 1, the file and the error named, nothing committed.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

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
