# The build prints one short line per step, the whole command with V=1.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# (a scratch source under build/, so no object of the tree is rebuilt)
mkdir -p build/quiet-test
printf 'int quiet_test(void);\nint quiet_test(void) { return 0; }\n' > build/quiet-test/q.c
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u V make --no-print-directory build/release/build/quiet-test/q.o > "$tmp/make-q.out" 2>&1
check "make: '  CC      FILE' instead of the compiler's command line" \
  test "$(cat "$tmp/make-q.out")" = "  CC      build/release/build/quiet-test/q.o"
rm -f build/release/build/quiet-test/q.o
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory V=1 build/release/build/quiet-test/q.o > "$tmp/make-q.out" 2>&1
check "make V=1: the whole command" grep -q -- "-c -o build/release/build/quiet-test/q.o build/quiet-test/q.c\$" "$tmp/make-q.out"
rm -rf build/quiet-test build/release/build
