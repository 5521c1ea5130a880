#!/usr/bin/env bash
# The include directions of the house (README.md, "A tour for contributors"), checked on every
# #include "..." of the sources under sim/, model/ and app/:
#   sim/          the engine: includes nothing from model/ or app/
#   model/        the kernel model: nothing from app/, and (but model/user/ itself)
#                 nothing from model/user/ (userspace may include the kernel model,
#                 never the reverse)
#   model/user/   userspace (ipvsadm, iptables): model/ and sim/, not app/
#   model/net.c   the ground floor of the model: no subsystem header, only model/net.h
#                 (the subsystems are listed in model/subsys.c)
#   app/          may include everything; tests/ and tools/ are not checked.
# Each violation is printed as FILE:LINE: includes "HEADER": the rule; the exit status
# is 1 when there is one, 0 otherwise.
#   tests/check-includes.sh [ROOT]        (ROOT: the top of the tree, default .)
set -u
root=${1:-.}
cd "$root" || exit 2

# rule_for FILE HEADER: the rule the include breaks, or nothing.
rule_for() {
  local f=$1 h=$2
  case $f in
    sim/*)
      case $h in
        model/*|app/*) echo "sim/ includes nothing from model/ or app/" ;;
      esac ;;
    model/net.c)
      case $h in
        model/net.h) ;;
        model/*|app/*) echo "model/net.c names no subsystem: it includes only model/net.h from model/ (subsystems go in model/subsys.c)" ;;
      esac ;;
    model/user/*)
      case $h in
        app/*) echo "model/user/ includes nothing from app/" ;;
      esac ;;
    model/*)
      case $h in
        app/*) echo "model/ includes nothing from app/" ;;
        model/user/*) echo "model/ (but model/user/) includes nothing from model/user/" ;;
      esac ;;
  esac
}

bad=0
while IFS=: read -r file line text; do
  hdr=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$text")
  [ -n "$hdr" ] || continue
  rule=$(rule_for "$file" "$hdr")
  if [ -n "$rule" ]; then
    echo "$file:$line: includes \"$hdr\": $rule"
    bad=1
  fi
done < <(find sim model app -name '*.[ch]' -print0 2>/dev/null | sort -z |
         xargs -0 grep -nH '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' /dev/null)

if [ $bad -ne 0 ]; then
  echo "check-includes: include directions broken (the rules: tests/check-includes.sh)" >&2
  exit 1
fi
echo "check-includes: $(find sim model app -name '*.[ch]' | wc -l) files, include directions kept"
