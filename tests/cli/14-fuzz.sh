# Fuzz smoke: every libFuzzer target over its seed corpus.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# fuzz smoke: every libFuzzer target over its seed corpus (only where clang has libFuzzer)
if [ -z "${IPVSIM_SKIP_FUZZ_SMOKE:-}" ] && command -v clang >/dev/null &&
   echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
     clang -x c - -fsanitize=fuzzer -o "$tmp/fz" >/dev/null 2>&1; then
  if make -s fuzz-bin >"$tmp/fuzz-build.log" 2>&1; then
    for t in scenario ipvsadm iptables saved units pkt replay_csv replay_pcap keepalived; do
      build/fuzz/fuzz-$t -runs=0 tools/fuzz/corpus/$t </dev/null >"$tmp/fuzz-$t.log" 2>&1
      check "fuzz smoke: $t over its $(ls tools/fuzz/corpus/$t | wc -l) seeds" test $? -eq 0
    done
  else
    bad "fuzz smoke: make fuzz-bin failed (see its output: $(tail -1 "$tmp/fuzz-build.log"))"
  fi
else
  echo "  skip  fuzz smoke (no clang with libFuzzer)"
fi
