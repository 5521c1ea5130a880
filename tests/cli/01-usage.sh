# Usage and exit codes.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/main.c app/cli/cli_args.c

"$IPVSIM" >/dev/null 2>&1; check "no command exits 2" test $? -eq 2
"$IPVSIM" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? -eq 2
"$IPVSIM" --help >/dev/null 2>&1; check "--help exits 0" test $? -eq 0
"$IPVSIM" demo --conversations=0 -o "$tmp/x" >/dev/null 2>&1; check "bad option value exits 2" test $? -eq 2
check "bad option value writes nothing" test ! -e "$tmp/x"
