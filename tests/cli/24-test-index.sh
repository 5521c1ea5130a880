# The test index (tests/check-index.py, run by make test): every source file named by a test.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

top_ix=$(pwd)
# a scratch tree: one file its folder's CUnit file calls, one named by tests/INDEX
mkdir -p "$tmp/ix/sim" "$tmp/ix/model" "$tmp/ix/app" "$tmp/ix/tests/sim" "$tmp/ix/tests/cli"
printf 'int a_run(void)\n{\n    return 0;\n}\n' > "$tmp/ix/sim/a.c"
printf 'static void t(void) { a_run(); }\n' > "$tmp/ix/tests/sim/test_a.c"
printf 'int b_run(void)\n{\n    return 1;\n}\n' > "$tmp/ix/sim/b.c"
printf 'sim/b.c tests/sim/test_a.c -- through a\n' > "$tmp/ix/tests/INDEX"
(cd "$tmp/ix" && "$top_ix/tests/check-index.py") >"$tmp/ix.out" 2>&1
check "test index: a file its folder's test calls, one in tests/INDEX: passes" \
  grep -q '^test index: 2 source files, each named by a test: 1 by a CUnit file of its folder, 0 by a CLI section, 1 by tests/INDEX$' "$tmp/ix.out"
printf 'int c_run(void)\n{\n    return 2;\n}\n' > "$tmp/ix/model/c.c"
(cd "$tmp/ix" && "$top_ix/tests/check-index.py") >"$tmp/ix.out" 2>&1
check "test index: a new source file with no test fails, named, with what to do" \
  test $? -eq 1 -a "$(grep -c '^  model/c.c$\|^Give each a test: a CUnit file in tests/model/' "$tmp/ix.out")" -eq 2
rm "$tmp/ix/model/c.c" "$tmp/ix/sim/b.c"
(cd "$tmp/ix" && "$top_ix/tests/check-index.py") >"$tmp/ix.out" 2>&1
check "test index: an entry of tests/INDEX for a file that is gone fails" \
  test $? -eq 1 -a -n "$(grep '^check-index: tests/INDEX:1: sim/b.c: no such source file' "$tmp/ix.out")"
