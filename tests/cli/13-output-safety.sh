# Output safety: names cannot leave the result directory; -o and the result directory.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/report/outdir.c

# output safety: names cannot leave the result directory, nothing unrelated is replaced
abs_ipvsim="$(cd "$(dirname "$IPVSIM")" && pwd)/$(basename "$IPVSIM")"
mkdir -p "$tmp/safe/a/b/work"
sed 's/"name": "minimal"/"name": "..\/..\/x"/' scenarios/minimal.json > "$tmp/safe/a/b/esc.json"
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
