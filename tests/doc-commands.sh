#!/usr/bin/env bash
# Run the commands the docs tell a reader to type, as written, so that none drifts from
# the tool: every line of every ```sh block of README.md and docs/tour.md (a line ending
# in a backslash goes on with the next), with `ipvsim` on the PATH, in a scratch
# directory that sees the tree's scenarios/, tools/ and docs/ (so results/ stays there).
# Lines of one file run in order in one directory: a command may read what an earlier one
# wrote. A command fails when its exit status is not 0 or it takes longer than
# DOC_TIMEOUT seconds (60). The outputs pasted in the docs are checked apart, by
# `tools/gen-tutorial --check` (tests/run-cli-tests.sh).
#   tests/doc-commands.sh path/to/ipvsim [FILE...]
set -u
IPVSIM=${1:?usage: doc-commands.sh path/to/ipvsim [FILE...]}
shift
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/tour.md)
timeout_s=${DOC_TIMEOUT:-60}

# Commands not run, each with its reason (matched on the command without its comment).
declare -A skip=(
  ["make run"]="builds (make test has just built) and runs the quickstart (the CLI tests run it)"
  ["make test"]="it is what runs this test"
  ["make install PREFIX=~/.local"]="writes into the home directory; tests/run-cli-tests.sh installs into a scratch PREFIX"
)

top=$(pwd)
bin=$(cd "$(dirname "$IPVSIM")" && pwd)/$(basename "$IPVSIM")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
ln -s "$bin" "$tmp/bin/ipvsim"
have_tshark=0
command -v tshark >/dev/null && have_tshark=1

pass=0 fail=0 skipped=0
echo "doc commands ($IPVSIM)"
for f in "${files[@]}"; do
  work="$tmp/work-$(basename "$f" .md)"
  mkdir "$work"
  for d in scenarios tools docs; do ln -s "$top/$d" "$work/$d"; done
  # the commands of the sh blocks, one a line: LINENO<TAB>COMMAND
  awk '
    /^```/ { if (!inside) { inside = ($0 ~ /^```(sh|shell|bash)[[:space:]]*$/) ? 1 : 2; next }
             inside = 0; next }
    inside == 1 {
      if (cont != "") { cmd = cont " " $0; start = startl } else { cmd = $0; start = NR }
      if (cmd ~ /\\$/) { sub(/\\$/, "", cmd); cont = cmd; startl = start; next }
      cont = ""
      if (cmd ~ /^[[:space:]]*(#|$)/) next
      printf "%d\t%s\n", start, cmd
    }' "$f" > "$tmp/cmds"
  while IFS=$'\t' read -r line cmd; do
    bare=$(sed -E 's/[[:space:]]+#.*$//; s/[[:space:]]+$//' <<<"$cmd")
    if [ -n "${skip[$bare]+x}" ]; then
      skipped=$((skipped + 1))
      echo "  skip  $f:$line: $bare ($(printf '%s' "${skip[$bare]}"))"
      continue
    fi
    if [[ "$bare" == tshark* ]] && [ $have_tshark -eq 0 ]; then
      skipped=$((skipped + 1))
      echo "  skip  $f:$line: $bare (tshark is not installed)"
      continue
    fi
    t0=$(date +%s.%N)
    (cd "$work" && PATH="$tmp/bin:$PATH" NO_COLOR=1 timeout "$timeout_s" bash -c "$cmd") \
      > "$tmp/out" 2>&1 < /dev/null
    rc=$?
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
      pass=$((pass + 1))
      echo "  ok    $f:$line: $bare (${secs} s)"
    else
      fail=$((fail + 1))
      why="exit status $rc"
      [ $rc -eq 124 ] && why="longer than $timeout_s s"
      echo "  FAIL  $f:$line: $bare ($why)"
      tail -5 "$tmp/out" | sed 's/^/      /'
    fi
  done < "$tmp/cmds"
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
