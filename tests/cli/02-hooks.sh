# Hook tables per kernel era (ipvsim hooks), the scenario's own hooks.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_hooks.c

for era in 2.6.34 4.9 5.10 6.x; do
  "$IPVSIM" hooks --kernel "$era" > "$tmp/hooks.txt" 2>&1
  golden "hooks --kernel $era matches tests/golden/hooks_$era.txt" tests/golden/hooks_$era.txt "$tmp/hooks.txt"
done
"$IPVSIM" hooks --kernel 3.25 >/dev/null 2>&1; check "hooks: a kernel that never was exits 2" test $? -eq 2
for era in 6.x 2.6.34; do
  "$IPVSIM" hooks --kernel "$era" tests/scenarios/hook-order.json > "$tmp/hooks.txt" 2>&1
  golden "hooks of a scenario under $era (user hooks tie LIFO/FIFO)" tests/golden/hooks_scenario_$era.txt "$tmp/hooks.txt"
done
