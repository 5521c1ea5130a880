# ipvsim trace --format html: the page of a conversation, checked as HTML and in a
# headless browser (tests/check-trace-page.py), for every era scenario; bad options.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/report/trace_html.c

# helper_checks FILE: the "ok NAME" / "FAIL NAME: why" lines of check-trace-page.py as checks
helper_checks() {
  local line
  while IFS= read -r line; do
    case $line in
      "ok "*) ok "trace html: ${line#ok }" ;;
      "FAIL "*) bad "trace html: ${line#FAIL }" ;;
    esac
  done < "$1"
}

pages=$tmp/pages
mkdir -p "$pages"
pairs=()
for s in scenarios/era-*.json; do
  n=$(basename "$s" .json)
  "$IPVSIM" trace "$s" --conn 1 --format html -o "$pages/$n.html" > "$tmp/page.out" 2>&1
  check "trace html: $n: the page is written, nothing else printed" \
    test $? -eq 0 -a -s "$pages/$n.html" -a ! -s "$tmp/page.out"
  pairs+=("$pages/$n.html=$s")
done
# the era lessons: two eras side by side
for m in nat dr tun; do
  "$IPVSIM" trace "scenarios/era-$m.json" --conn 1 --kernel 2.6.34,6.x --format html \
    -o "$pages/era-$m-2.6.34+6.x.html" > "$tmp/page.out" 2>&1
  check "trace html: era-$m under 2.6.34 and 6.x side by side: the page is written" \
    test $? -eq 0 -a -s "$pages/era-$m-2.6.34+6.x.html"
  pairs+=("$pages/era-$m-2.6.34+6.x.html=scenarios/era-$m.json")
done

"$IPVSIM" trace scenarios/era-nat.json --conn 1 --kernel 2.6.34,6.x --format html -o "$tmp/again.html" 2>&1
check "trace html: same scenario, byte-identical page" cmp -s "$tmp/again.html" "$pages/era-nat-2.6.34+6.x.html"
"$IPVSIM" trace scenarios/era-nat.json --conn 1 --format html -o - > "$tmp/stdout.html" 2>&1
check "trace html: -o - writes the page on stdout" cmp -s "$tmp/stdout.html" "$pages/era-nat.html"

# the page's data is the trace: each era's events are the jsonl trace of that era
"$IPVSIM" trace scenarios/era-tun.json --conn 1 --kernel 2.6.34 --format jsonl > "$tmp/a.jsonl" 2>&1
"$IPVSIM" trace scenarios/era-tun.json --conn 1 --kernel 6.x --format jsonl > "$tmp/b.jsonl" 2>&1
python3 - "$pages/era-tun-2.6.34+6.x.html" "$tmp/a.jsonl" "$tmp/b.jsonl" > "$tmp/same.out" 2>&1 <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
data = json.loads(re.search(r'<script type="application/json" id="ipvsim-data">\n(.*?)</script>', text, re.S).group(1))
for walk, era, path in zip(data["walks"], ["2.6.34", "6.x"], sys.argv[2:]):
    want = [json.loads(l) for l in open(path)]
    assert walk["kernel"] == era, walk["kernel"]
    assert walk["events"] == want, "kernel %s: %d events in the page, %d in the jsonl trace" % (era, len(walk["events"]), len(want))
    assert walk["summary"].startswith("conversation 1: 198.51.100.1:"), walk["summary"]
PY
check "trace html: the page's events are the jsonl trace of each era" test $? -eq 0 -a ! -s "$tmp/same.out"

python3 tests/check-trace-page.py static "$pages"/*.html > "$tmp/static.out" 2>&1
check "trace html: the static checks ran" test $? -le 1 -a -s "$tmp/static.out"
helper_checks "$tmp/static.out"

chromium=${CHROMIUM:-chromium}
if command -v "$chromium" >/dev/null; then
  CHROMIUM=$chromium python3 tests/check-trace-page.py browser "${pairs[@]}" > "$tmp/browser.out" 2>&1
  rc=$?
  check "trace html: headless $chromium starts and the pages are checked" test $rc -le 1
  [ $rc -le 1 ] || cat "$tmp/browser.out"
  helper_checks "$tmp/browser.out"
else
  echo "  skip  trace html in a browser: no $chromium (tools/install-deps installs it)"
fi

# the docs' pages are current (make docs regenerates them)
tools/gen-pages --check "$IPVSIM" > "$tmp/gen-pages.out" 2>&1
check "trace html: docs/pages are current (tools/gen-pages --check)" test $? -eq 0

# a selection too large to draw is refused, nothing written
"$IPVSIM" trace scenarios/quickstart.json --format html -o "$tmp/big.html" > "$tmp/big.out" 2>&1
check "trace html: a whole busy run is refused (exit 2), --conn suggested, no file" \
  test $? -eq 2 -a ! -e "$tmp/big.html" -a "$(grep -c 'too large to draw: kernel 6.x: [0-9]* trace events (a page shows at most 60000); choose one conversation with --conn N$' "$tmp/big.out")" -eq 1
"$IPVSIM" trace scenarios/quickstart.json --conn 1 --format html -o "$tmp/one.html" > /dev/null 2>&1
check "trace html: one conversation of that run is drawn" test $? -eq 0 -a -s "$tmp/one.html"

# bad options: exit 2, nothing written
bad_opt() { # bad_opt NAME PATTERN ARGS...: exit 2, PATTERN on stderr, no $tmp/bad.html
  local name=$1 pat=$2
  shift 2
  rm -f "$tmp/bad.html"
  "$IPVSIM" trace "$@" > "$tmp/bad.out" 2>&1
  check "trace html: $name" test $? -eq 2 -a ! -e "$tmp/bad.html" -a "$(grep -c -- "$pat" "$tmp/bad.out")" -ge 1
}
bad_opt "--format html without -o is refused" 'expected -o FILE' scenarios/era-nat.json --format html
bad_opt "-o without --format html is refused" '-o: only with --format html' scenarios/era-nat.json -o "$tmp/bad.html"
bad_opt "two eras without --format html are refused" 'two, A,B, only with --format html' \
  scenarios/era-nat.json --kernel 2.6.34,6.x
bad_opt "three eras are refused" 'at most two versions side by side, not 3' \
  scenarios/era-nat.json --kernel 2.6.34,4.9,6.x --format html -o "$tmp/bad.html"
bad_opt "a bad era in the list is named" "--kernel: .*'2.5'" \
  scenarios/era-nat.json --kernel 6.x,2.5 --format html -o "$tmp/bad.html"
bad_opt "a conversation the run did not have is refused" 'no conversation 7' \
  scenarios/era-nat.json --conn 7 --format html -o "$tmp/bad.html"
"$IPVSIM" trace scenarios/era-nat.json --conn 1 --format html -o "$tmp/no/such/dir/p.html" > "$tmp/bad.out" 2>&1
check "trace html: a page that cannot be written: exit 1, said so" test $? -eq 1 -a "$(grep -c '^ipvsim trace: -o: ' "$tmp/bad.out")" -eq 1
