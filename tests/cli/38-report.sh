# ipvsim report and run/compare --report: the results page, byte for byte the same
# however it is written, checked as HTML and in a headless browser
# (tests/check-report-page.py); what it escapes; what it refuses.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_report.c

# report_checks FILE: the "ok NAME" / "FAIL NAME: why" lines of check-report-page.py as checks
report_checks() {
  local line
  while IFS= read -r line; do
    case $line in
      "ok "*) ok "report: ${line#ok }" ;;
      "FAIL "*) bad "report: ${line#FAIL }" ;;
    esac
  done < "$1"
}

rep=$tmp/report
mkdir -p "$rep"
# the quickstart run, its page written by run --report
"$IPVSIM" run scenarios/quickstart.json -o "$rep/quickstart" --report > "$rep/run.out" 2>&1
check "report: run --report: exit 0, index.html written, the closing line names it" \
  test $? -eq 0 -a -s "$rep/quickstart/index.html" -a "$(grep -c '; results in .*/quickstart/ (index.html)$' "$rep/run.out")" -eq 1
cp "$rep/quickstart/index.html" "$rep/quickstart.html"
"$IPVSIM" report "$rep/quickstart" > "$rep/report.out" 2>&1
check "report: ipvsim report on that run: exit 0, nothing printed" test $? -eq 0 -a ! -s "$rep/report.out"
check "report: the page written afterwards equals run --report's, byte for byte" \
  cmp -s "$rep/quickstart/index.html" "$rep/quickstart.html"
"$IPVSIM" run scenarios/quickstart.json -o "$rep/elsewhere/again" --report > /dev/null 2>&1
check "report: the same run in another directory: the same page (it never names where it is)" \
  cmp -s "$rep/elsewhere/again/index.html" "$rep/quickstart.html"
check "report: the page is not listed among the directory's files, the pcaps and CSVs are" \
  test "$(grep -c 'href="index.html"' "$rep/quickstart.html")" -eq 0 -a \
       "$(grep -c 'href="pcap/lvs1-eth0.pcap"\|href="connections.csv"\|href="timeseries.csv"' "$rep/quickstart.html")" -eq 3
# comparisons: one seed, and replicated
"$IPVSIM" compare scenarios/unequal-servers.json --schedulers rr,wlc -o "$rep/compare" --report \
  > "$rep/compare.out" 2>&1
check "report: compare --report (one seed): exit 0, index.html written and named" \
  test $? -eq 0 -a -s "$rep/compare/index.html" -a "$(grep -c '(index.html, comparison.csv, plots/)$' "$rep/compare.out")" -eq 1
"$IPVSIM" compare scenarios/unequal-servers.json --schedulers wlc,wrr,sed --replications 3 --jobs 2 \
  -o "$rep/replicated" --report > "$rep/replicated.out" 2>&1
check "report: compare --replications 3 --report: exit 0, index.html written" \
  test $? -eq 0 -a -s "$rep/replicated/index.html"
cp "$rep/replicated/index.html" "$rep/replicated.html"
"$IPVSIM" report "$rep/replicated" > /dev/null 2>&1
check "report: the replicated comparison's page written afterwards is the same" \
  cmp -s "$rep/replicated/index.html" "$rep/replicated.html"

# HTML injection: a scenario's own text (an iptables comment, its description) stays text
cat > "$rep/hostile.json" <<'EOF'
{
  "name": "hostile",
  "description": "<script>alert(1)</script>",
  "seed": 1, "duration": "1s",
  "director": {"name": "lvs1", "vip": "203.0.113.10"},
  "servers": [{"name": "rs1", "ip": "192.0.2.11", "port": 8080}],
  "clients": [{"name": "web", "count": 1, "net": "198.51.100.0/24", "target": "203.0.113.10:80",
               "protocol": "tcp", "arrival": "const(100ms)", "stop": "150ms"}],
  "ipvs": ["-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 1"],
  "events": [{"at": "50ms", "do": "iptables",
              "args": "-A INPUT -p udp --dport 7 -m comment --comment \"<script>alert(2)</script><img src=x onerror=alert(3)>\" -j DROP"}]
}
EOF
"$IPVSIM" run "$rep/hostile.json" -o "$rep/hostile" --report > /dev/null 2>&1
check "report: a scenario's <script> and <img onerror> in an event stay text (escaped), no element made" \
  test -s "$rep/hostile/index.html" -a "$(grep -ci '<script\|<img' "$rep/hostile/index.html")" -eq 0 -a \
       "$(grep -c -- '--comment &quot;&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt;&quot; -j DROP' "$rep/hostile/index.html")" -ge 1

# a sweep (two loads x rr, wlc x two seeds) with --report, and ipvsim report on it afterwards
cat > "$rep/sweep.json" <<EOF
{ "scenario": "$PWD/scenarios/unequal-servers.json",
  "parameters": { "clients.0.arrival": ["poisson(300/s)", "poisson(900/s)"], "duration": ["2s"] },
  "schedulers": ["rr", "wlc"], "replications": 2, "metrics": ["mean_ms", "p99_ms"] }
EOF
"$IPVSIM" sweep "$rep/sweep.json" -o "$rep/sweep" --report --jobs 2 > "$rep/sweep.out" 2>&1
check "report: sweep --report: exit 0, index.html written, the closing line names it" \
  test $? -eq 0 -a -s "$rep/sweep/index.html" -a "$(grep -c 'summary.csv, plots/, runs/, index.html)$' "$rep/sweep.out")" -eq 1
cp "$rep/sweep/index.html" "$rep/sweep.html"
"$IPVSIM" report "$rep/sweep" > "$rep/report-sweep.out" 2>&1
check "report: ipvsim report on a sweep: exit 0, the same page as sweep --report" \
  test $? -eq 0 -a ! -s "$rep/report-sweep.out" -a "$(cmp -s "$rep/sweep/index.html" "$rep/sweep.html" && echo same)" = same
check "report: a sweep's page has its summary table and a figure per metric" \
  test "$(grep -c 'data-kind="sweep"' "$rep/sweep/index.html")" -eq 1 -a "$(grep -c '<figure data-figure=' "$rep/sweep/index.html")" -ge 2

python3 tests/check-report-page.py static "$rep/quickstart" "$rep/compare" "$rep/replicated" "$rep/hostile" \
  "$rep/sweep" > "$rep/static.out" 2>&1

check "report: the static checks ran" test $? -le 1 -a -s "$rep/static.out"
report_checks "$rep/static.out"

# a control: a copy of the quickstart page with one number changed must fail the browser check
mkdir -p "$rep/tampered"
cp "$rep/quickstart/summary.json" "$rep/quickstart/ipvsadm.txt" "$rep/tampered/"
cp -r "$rep/quickstart/plots" "$rep/tampered/"
sed 's/\(data-json="\[&quot;connections&quot;,&quot;OK&quot;\]">\)[0-9]*/\1999999/' \
  "$rep/quickstart.html" > "$rep/tampered/index.html"
chromium=${CHROMIUM:-chromium}
if command -v "$chromium" >/dev/null; then
  CHROMIUM=$chromium python3 tests/check-report-page.py browser --screenshot "$rep/shot.png" \
    "$rep/quickstart" "$rep/compare" "$rep/replicated" "$rep/hostile" "$rep/sweep" > "$rep/browser.out" 2>&1
  rc=$?
  check "report: headless $chromium starts and the pages are checked" test $rc -le 1
  [ $rc -le 1 ] || cat "$rep/browser.out"
  report_checks "$rep/browser.out"
  CHROMIUM=$chromium python3 tests/check-report-page.py browser "$rep/tampered" > "$rep/tampered.out" 2>&1
  check "report: the browser check catches a number that is not summary.json's" \
    test $? -eq 1 -a "$(grep -c '^FAIL tampered: the .* numbers shown equal summary.json.s: \["connections","OK"\]' "$rep/tampered.out")" -eq 1
else
  echo "  skip  report pages in a browser: no $chromium (tools/install-deps installs it)"
fi

# refused: exit 2, a message, nothing written
refused() { # refused NAME PATTERN DIR...
  local name=$1 pat=$2
  shift 2
  "$IPVSIM" report "$@" > "$rep/bad.out" 2>&1
  local rc=$?
  check "report: $name" test $rc -eq 2 -a "$(grep -c -- "^ipvsim report: .*$pat" "$rep/bad.out")" -eq 1
}
refused "no such directory" 'no such directory' "$rep/none"
mkdir -p "$rep/plain"
echo x > "$rep/plain/notes.txt"
refused "a directory ipvsim did not write: exit 2" "not an ipvsim results directory (no .ipvsim-result" "$rep/plain"
check "report: ... and nothing written in it" test ! -e "$rep/plain/index.html"
refused "a file" 'not a directory' "$rep/hostile.json"
mkdir -p "$rep/unknown"
touch "$rep/unknown/.ipvsim-result"
refused "an ipvsim result of no kind it knows" 'no results the report knows (no summary.csv or summary.json or comparison.csv' "$rep/unknown"
check "report: ... and nothing written in it" test ! -e "$rep/unknown/index.html"
cp -r "$rep/hostile" "$rep/broken"
rm -f "$rep/broken/index.html"
echo '{"scenario": ' > "$rep/broken/summary.json"
refused "a summary.json that is not ipvsim's" 'summary.json: not the summary ipvsim run writes' "$rep/broken"
check "report: ... and nothing written in it" test ! -e "$rep/broken/index.html"
refused "no directory given" 'expected exactly one RESULTS_DIR'
refused "two directories given" 'expected exactly one RESULTS_DIR' "$rep/hostile" "$rep/compare"
# a page that cannot be written: exit 1, the file named, the results untouched
cp -r "$rep/hostile" "$rep/blocked"
rm -f "$rep/blocked/index.html"
mkdir -p "$rep/blocked/index.html/x"
"$IPVSIM" report "$rep/blocked" > "$rep/blocked.out" 2>&1
check "report: a page that cannot be written: exit 1, said so" \
  test $? -eq 1 -a "$(grep -c '^ipvsim report: .*index.html' "$rep/blocked.out")" -eq 1
# a run a limit stops: its partial results' page says so
"$IPVSIM" run scenarios/quickstart.json --limit conversations=20 -o "$rep/partial" --report > /dev/null 2>&1
check "report: a run a limit stopped (exit 1) still gets its page, which says the results are partial" \
  test $? -eq 1 -a "$(grep -c 'id="incomplete">This run did not complete (limits.conversations' "$rep/partial/index.html")" -eq 1
