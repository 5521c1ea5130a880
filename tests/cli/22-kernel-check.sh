# kernel-check: what it refuses, and the guest it would boot (no virtual machine here).
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/cli/cmd_kernel_check.c

kc=scenarios/kernel-check-nat-rr.json
top_kc=$(pwd)
"$IPVSIM" kernel-check --kernel 4.9 -o "$tmp/kc-era" "$kc" >/dev/null 2>"$tmp/kc.err"
check "kernel-check --kernel 4.9: exit 2" test $? -eq 2
check "kernel-check --kernel 4.9: only 6.x, the kernel Debian ships" \
  test "$(cat "$tmp/kc.err")" = "ipvsim kernel-check: --kernel 4.9: only the 6.x era (or 6.1) can be checked, on the kernel Debian ships (linux-image-amd64, 6.1)"
check "kernel-check refused: writes nothing" test ! -e "$tmp/kc-era"
"$IPVSIM" kernel-check -o "$tmp/kc-x" scenarios/era-tie-4.9.json >/dev/null 2>"$tmp/kc.err"
check "kernel-check of a 4.9 scenario with hooks: exit 2" test $? -eq 2
check "kernel-check of a 4.9 scenario with hooks: names the era and the hooks" \
  grep -q 'era-tie-4.9.json: cannot be mirrored on the kernel: kernel "4.9": only the 6.x era .*; "hooks" (not mirrored yet)$' "$tmp/kc.err"
"$IPVSIM" kernel-check -o "$tmp/kc-x" scenarios/synflood.json >/dev/null 2>"$tmp/kc.err"
check "kernel-check of a scenario with events: exit 2, names them" \
  test $? -eq 2 -a "$(grep -c 'synflood.json: cannot be mirrored on the kernel: "events" (not mirrored yet)$' "$tmp/kc.err")" -eq 1
bad_scenarios=(tests/bad-scenarios/*.json)
"$IPVSIM" kernel-check -o "$tmp/kc-x" "${bad_scenarios[0]}" >/dev/null 2>"$tmp/kc.err"
check "kernel-check of a bad scenario: exit 2 with FILE:LINE:COL" \
  test $? -eq 2 -a "$(grep -c '^ipvsim kernel-check: tests/bad-scenarios/.*:[0-9]*:[0-9]*: ' "$tmp/kc.err")" -eq 1
"$IPVSIM" kernel-check --connections 0 -o "$tmp/kc-x" "$kc" >/dev/null 2>&1
check "kernel-check --connections 0: exit 2" test $? -eq 2
check "kernel-check refusals write nothing" test ! -e "$tmp/kc-x"
"$IPVSIM" kernel-check --dry-run --connections 4 -o "$tmp/kc-dry" scenarios/kernel-check-dr-wrr.json "$kc" >/dev/null 2>&1
check "kernel-check --dry-run: exit 0" test $? -eq 0
g="$tmp/kc-dry/kernel-check-nat-rr"
check "kernel-check --dry-run: the script is ipvsim's first 4 connections, address:port and sizes" \
  test "$(cut -d' ' -f1 "$g/script.txt" | tr '\n' ' ')" = "$(sed -n '2,5p' "$g/ipvsim/connections.csv" | cut -d, -f4 | tr '\n' ' ')"
check "kernel-check --dry-run: DIP and VIP on the director's eth0" \
  test "$(grep -c '^ip -n lvs1 addr add \(192.0.2.1/24\|203.0.113.10/32\) dev eth0$' "$g/run.sh")" -eq 2
check "kernel-check --dry-run: NAT real servers route through the DIP, gw routes the VIP to it" \
  test "$(grep -c '^ip -n rs[123] route add default via 192.0.2.1$\|^ip -n gw route add 203.0.113.10/32 via 192.0.2.1$' "$g/run.sh")" -eq 4
check "kernel-check --dry-run: DR real servers hold the VIP on lo and route through gw" \
  test "$(grep -c '^ip -n rs[123] addr add 203.0.113.10/32 dev lo$\|^ip -n rs[123] route add default via 192.0.2.254$' "$tmp/kc-dry/kernel-check-dr-wrr/run.sh")" -eq 6
check "kernel-check --dry-run: whole packets captured on the director's and every real server's eth0" \
  test "$(grep -c '^n \(lvs1\|rs[123]\) tcpdump -Z root -q -n -U -s 0 -i eth0 -w \$O/\(lvs1\|rs[123]\)-eth0.pcap ' "$g/run.sh")" -eq 4
check "kernel-check --dry-run: a trace chain at -300 and +300 on each of the five hooks, nftrace set on prerouting and output" \
  test "$(grep '^n lvs1 nft .add table ip kctrace' "$g/run.sh" | grep -o 'type filter hook [a-z]* priority -\?300' | sort -u | wc -l)" -eq 10 \
    -a "$(grep '^n lvs1 nft .add table ip kctrace' "$g/run.sh" | grep -o 'add rule ip kctrace [a-z]*_first meta nftrace set 1' | tr '\n' ,)" = "add rule ip kctrace prerouting_first meta nftrace set 1,add rule ip kctrace output_first meta nftrace set 1,"
check "kernel-check --dry-run: nft monitor trace on the director before the first connection" \
  test "$(grep -n -m1 'nft monitor trace > \$O/nft-trace.txt\|kc-traffic client' "$g/run.sh" | grep -c 'nft monitor')" -eq 1
check "kernel-check --dry-run: ipvsim's side captures the same interfaces and traces the director" \
  test "$(ls "$g/ipvsim/pcap" | tr '\n' ' ')" = "lvs1-eth0.pcap rs1-eth0.pcap rs2-eth0.pcap rs3-eth0.pcap " -a -s "$g/ipvsim/trace-lvs1.jsonl"
"$IPVSIM" kernel-check --dry-run --connections 2 -o "$tmp/kc-dry" scenarios/kernel-check-tun-gue-gre.json >/dev/null 2>&1
t="$tmp/kc-dry/kernel-check-tun-gue-gre/run.sh"
check "kernel-check --dry-run: TUN real servers hold the VIP on their tunnel (GUE: fou port; GRE: gre0)" \
  test "$(grep -c '^ip -n rs[13] addr add 203.0.113.10/32 dev tunl0$\|^n rs1 ip fou add port 6080 gue$\|^ip -n rs2 addr add 203.0.113.10/32 dev gre0$' "$t")" -eq 4
"$IPVSIM" kernel-check --dry-run --connections 2 -o "$tmp/kc-dry" scenarios/kernel-check-local-client.json >/dev/null 2>&1
check "kernel-check --dry-run: a client on the director connects from the DIP in the director's namespace" \
  test "$(grep -c '^n lvs1 kc-traffic client 192.0.2.1:[0-9]* 203.0.113.10:80 ' "$tmp/kc-dry/kernel-check-local-client/run.sh")" -eq 2
"$IPVSIM" kernel-check --dry-run --connections 2 -o "$tmp/kc-dry" scenarios/kernel-check-fwmark.json >/dev/null 2>&1
check "kernel-check --dry-run: the director's iptables lines, by iptables-nft, failures reported" \
  grep -q "^n lvs1 iptables -t mangle -A PREROUTING -d 203.0.113.10/32 -p tcp --dport 80 -j MARK --set-mark 1 || echo 'iptables failed: " "$tmp/kc-dry/kernel-check-fwmark/run.sh"
check "kernel-check --dry-run: each case's veths are its own (k0v*, k1v*)" \
  test "$(grep -c ' k0v' "$tmp/kc-dry/kernel-check-dr-wrr/run.sh")" -gt 0 -a "$(grep -c ' k0v' "$g/run.sh")" -eq 0
python3 tests/test-kernel-check.py "$IPVSIM" > "$tmp/kc-unit.out" 2>&1
check "kernel-check's world, archive, comparison and reports (tests/test-kernel-check.py)" test $? -eq 0 \
  || tail -20 "$tmp/kc-unit.out"
if tools/install-deps --kernel-check --check >/dev/null 2>&1; then
  tools/kernel-check/build-initramfs "$tmp/kc-cache" >/dev/null 2>&1
  (cd "$tmp" && "$top_kc/tools/kernel-check/build-initramfs" "$tmp/kc-cache") >/dev/null 2>"$tmp/kc-cache.err"
  check "kernel-check's initramfs: built once, then taken from the cache by any path" \
    test $? -eq 0 -a ! -s "$tmp/kc-cache.err" -a -s "$(ls "$tmp"/kc-cache/initramfs-*.cpio.gz)"
  rm -rf "$tmp/kc-cache"
else
  echo "  skip  kernel-check's initramfs cache (the kernel check's packages are not installed)"
fi
cp -r "$tmp/kc-dry" "$tmp/kc-dry1"
"$IPVSIM" kernel-check --dry-run --connections 4 -o "$tmp/kc-dry" scenarios/kernel-check-dr-wrr.json "$kc" >/dev/null 2>&1
check "kernel-check --dry-run: the same guest scripts twice" \
  diff -r -x ipvsim -x pass1 "$tmp/kc-dry1" "$tmp/kc-dry"
# IPv6 cases (scenarios/kernel-check-{nat6,dr6,tun6}.json):
# ipvsim against the 6.1 kernel's recorded run of them (tests/kernel-check/kernel6), no VM.
for c in scenarios/kernel-check-nat6.json scenarios/kernel-check-dr6.json scenarios/kernel-check-tun6.json; do
  n=$(basename "$c" .json)
  "$IPVSIM" kernel-check --kernel-results tests/kernel-check/kernel6 -o "$tmp/kc6-$n" "$c" >/dev/null 2>"$tmp/kc6.err"
  check "kernel-check $n against the recorded 6.1 run: exit 0, 0 mismatches" \
    sh -c "test \$? -eq 0 && grep -q '^0 mismatch(es) in [0-9]* items compared' '$tmp/kc6-$n/report.md'"
done
"$IPVSIM" kernel-check --kernel-only --dry-run -o "$tmp/kc6-x" "$kc" >/dev/null 2>"$tmp/kc.err"
check "kernel-check --kernel-only of a group without a script: exit 2, says why" \
  test $? -eq 2 -a "$(grep -c 'kernel-only replays a scripted group' "$tmp/kc.err")" -eq 1
"$IPVSIM" kernel-check --kernel-only --dry-run -o "$tmp/kc6-dry" scenarios/kernel-check-{nat6,dr6,tun6}.json >/dev/null 2>&1
check "kernel-check --kernel-only --dry-run of the IPv6 cases: exit 0" test $? -eq 0
g6="$tmp/kc6-dry/kernel-check-nat6/run.sh"
check "kernel-check IPv6: DIP and VIP on the director's eth0 without DAD, forwarding on" \
  test "$(grep -c '^ip -n lvs1 addr add \(2001:db8:2::1/64\|2001:db8:10::10/128\) dev eth0 nodad$\|^sc lvs1 net/ipv6/conf/all/forwarding 1$' "$g6")" -eq 3
check "kernel-check IPv6: the client's [address]:port and the [VIP]:80, IPv6 servers" \
  test "$(grep -c "^n web kc-traffic client '\[2001:db8:c::6\]:40001' '\[2001:db8:10::10\]:80' 300 4000 \|^n rs[123] kc-traffic u\?serve6 " "$g6")" -eq 7
check "kernel-check IPv6: TUN real servers hold the VIP on ip6tnl0" \
  test "$(grep -c '^ip -n rs[123] addr add 2001:db8:10::10/128 dev ip6tnl0 nodad$' "$tmp/kc6-dry/kernel-check-tun6/run.sh")" -eq 3
