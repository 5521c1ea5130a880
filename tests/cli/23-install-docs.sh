# The docs' outputs and commands; ipvsim on the PATH once installed.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# (the outputs pasted in the docs are goldens too: IPVSIM_UPDATE_GOLDEN=1 regenerates them
# as `make docs` does)
docs_golden() { # docs_golden NAME DOC
  if golden_update && selected "$1" && ! tools/gen-tutorial --check "$IPVSIM" "$2" >/dev/null 2>&1; then
    if tools/gen-tutorial "$IPVSIM" "$2" >/dev/null; then upd "$1"; else bad "$1"; fi
  else
    check "$1" tools/gen-tutorial --check "$IPVSIM" "$2"
  fi
}
docs_golden "docs/tutorial.md is up to date with ipvsim trace (make docs)" docs/tutorial.md
for doc in docs/tour.md README.md; do
  docs_golden "$doc: the outputs pasted from ipvsim are up to date (make docs)" "$doc"
done

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
