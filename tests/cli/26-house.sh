# The house: include directions (tests/check-includes.sh) and model/README.md's map of model files.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

tests/check-includes.sh > "$tmp/inc.out" 2>&1
check "check-includes: the tree keeps its include directions" test $? -eq 0
# A scratch tree with one break of each rule: each is named with FILE:LINE and its rule.
inc=$tmp/inc-tree
mkdir -p "$inc/sim" "$inc/model/ipv4" "$inc/model/user/ipvsadm" "$inc/app/run"
printf '#include "sim/skb.h"\n#include "model/net.h"\n' > "$inc/sim/x.c"
printf '#include "app/run/run_world.h"\n' > "$inc/model/user/ipvsadm/x.c"
printf '#include "model/net.h"\n#include "model/user/ipvsadm/ipvsadm.h"\n' > "$inc/model/ipv4/x.c"
printf '#include "model/net.h"\n#include "model/ipv4/sock.h"\n' > "$inc/model/net.c"
printf '#include "model/user/ipvsadm/ipvsadm.h"\n#include "sim/skb.h"\n' > "$inc/app/run/x.c"
tests/check-includes.sh "$inc" > "$tmp/inc-bad.out" 2>&1
check "check-includes: a broken direction fails" test $? -eq 1
for want in \
  'sim/x.c:2: includes "model/net.h": sim/ includes nothing from model/ or app/' \
  'model/user/ipvsadm/x.c:1: includes "app/run/run_world.h": model/user/ includes nothing from app/' \
  'model/ipv4/x.c:2: includes "model/user/ipvsadm/ipvsadm.h": model/ (but model/user/) includes nothing from model/user/' \
  'model/net.c:2: includes "model/ipv4/sock.h": model/net.c names no subsystem'; do
  check "check-includes names ${want%%: includes*} and its rule" grep -qF "$want" "$tmp/inc-bad.out"
done
check "check-includes: exactly the four breaks (app/ may include anything)" \
  test "$(grep -c ': includes "' "$tmp/inc-bad.out")" -eq 4

# model/README.md's map names files that exist
missing=$(sed -n '/^## Files that are not one kernel file/,$p' model/README.md | grep '^| `' |
  cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
  while read -r f; do compgen -G "model/$f" >/dev/null || echo "$f"; done)
check "model/README.md's map names only files that exist${missing:+ (missing: $missing)}" test -z "$missing"

