# The helpers every section of the CLI tests uses (tests/run-cli-tests.sh sources this
# file, then each section tests/cli/NN-TOPIC.sh it runs). Sections share $IPVSIM, $tmp
# (one scratch directory, removed at the end) and the counters; each section makes what
# it reads, so that any one of them runs alone (-k).

pass=0 fail=0 updated=0
# -k PATTERN: k_pattern is the pattern; k_all is 1 while the section running was chosen
# by its name (every check reports) and 0 while it was chosen for its text (only the
# checks whose name matches run and report).
k_pattern="" k_all=1

# selected NAME: does the check NAME run and report here?
selected() {
  [ "$k_all" = 1 ] || printf '%s\n' "$1" | grep -Eqi -- "$k_pattern"
}
ok()   { selected "$1" || return 0; pass=$((pass + 1)); echo "  ok    $1"; }
bad()  { selected "$1" || return 0; fail=$((fail + 1)); echo "  FAIL  $1"; }
upd()  { selected "$1" || return 0; updated=$((updated + 1)); echo "  updated  $1"; }
check() { local name=$1; shift; selected "$name" || return 0; if "$@"; then ok "$name"; else bad "$name"; fi; }

# golden_update: is IPVSIM_UPDATE_GOLDEN=1 set (as tests/golden.c reads it)?
golden_update() { case ${IPVSIM_UPDATE_GOLDEN:-} in 1*) return 0 ;; esac; return 1; }

# golden NAME GOLDEN ACTUAL: the check NAME passes when the file ACTUAL equals the golden
# file GOLDEN (the diff is shown when not). With IPVSIM_UPDATE_GOLDEN=1 a differing
# ACTUAL is written over GOLDEN and the check says "updated" (review the diff, commit).
golden() {
  local name=$1 want=$2 got=$3
  selected "$name" || return 0
  if golden_update && ! cmp -s "$want" "$got"; then
    if cp "$got" "$want"; then upd "$name"; else bad "$name"; fi
  else
    check "$name" diff -u "$want" "$got"
  fi
}

# ---- helpers of several sections ----------------------------------------------------
count() { tshark -r "$1" -Y "$2" 2>/dev/null | grep -c .; }
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
figs_ok() { # figs_ok DIR: the four figures, each as png, svg, gp and dat
  local d=$1 f
  for f in active response_cdf share hooks; do
    is_png "$d/plots/$f.png" && grep -q '<svg' "$d/plots/$f.svg" && test -s "$d/plots/$f.gp" && test -s "$d/plots/$f.dat" || return 1
  done
}
field() { # field SUMMARY KEY.PATH: a value of summary.json (strings bare, the rest as JSON)
  python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2" 2>/dev/null
}
