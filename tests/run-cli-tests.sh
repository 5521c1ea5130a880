#!/usr/bin/env bash
# End-to-end tests of the ipvsim binary: exit codes, outputs, determinism, and the
# pcap files read back by tshark with every checksum verified.
#   tests/run-cli-tests.sh path/to/ipvsim [-k PATTERN] [-l]
# The checks live in sections, tests/cli/NN-TOPIC.sh, run in the order of their numbers
# with the helpers of tests/cli/lib.sh (check, golden, the scratch directory $tmp).
#   -k PATTERN  (grep -E, any case) run the sections whose name (NN-TOPIC) matches, every
#               check of them; and, of the other sections, those where a check's name as
#               written matches, reporting only the checks whose name matches (the
#               commands between them still run; the others' tests do not)
#   -l          list the sections
# IPVSIM_UPDATE_GOLDEN=1 rewrites each golden file a check compares with (see golden in
# tests/cli/lib.sh) instead of failing on it.
set -u
usage() { echo "usage: tests/run-cli-tests.sh path/to/ipvsim [-k PATTERN] [-l]" >&2; exit 2; }
IPVSIM="" pattern="" list=0
while [ $# -gt 0 ]; do
  case $1 in
    -k) [ $# -ge 2 ] || usage; pattern=$2; shift 2 ;;
    -l) list=1; shift ;;
    -*) usage ;;
    *) [ -z "$IPVSIM" ] || usage; IPVSIM=$1; shift ;;
  esac
done
sections=(tests/cli/[0-9]*.sh)
if [ "$list" = 1 ]; then
  for f in "${sections[@]}"; do printf '%-22s %s\n' "$(basename "$f" .sh)" "$(sed -n '1s/^# //p' "$f")"; done
  exit 0
fi
[ -n "$IPVSIM" ] || usage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/cli/lib.sh

# The sections, in order. A new check goes into the section of its topic (or a new
# tests/cli/NN-TOPIC.sh), not into this file.
echo "CLI tests ($IPVSIM)${pattern:+, -k '$pattern'}"
ran=0
for sec_file in "${sections[@]}"; do
  sec_name=$(basename "$sec_file" .sh)
  k_pattern=$pattern k_all=1
  if [ -n "$pattern" ] && ! grep -Eqi -- "$pattern" <<< "$sec_name"; then
    grep -E '(check|golden|ok|bad|upd) "' "$sec_file" | grep -Eqi -- "$pattern" || continue
    k_all=0
  fi
  echo "$sec_name"
  ran=$((ran + 1))
  . "$sec_file"
done

k_all=1
if [ -n "$pattern" ] && [ $((pass + fail + updated)) -eq 0 ]; then
  echo "no check matches -k '$pattern' (tests/run-cli-tests.sh -l lists the sections)" >&2
  exit 2
fi
echo "$pass passed, $fail failed$([ "$updated" -eq 0 ] || echo ", $updated updated") ($ran of ${#sections[@]} sections)"
[ "$fail" -eq 0 ]
