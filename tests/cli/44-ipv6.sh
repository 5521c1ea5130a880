# IPv6: frames and pcaps the CUnit suites write, decoded by tshark with every checksum checked.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# No scenario takes IPv6 addresses yet: the CUnit binary (build/asan/run-tests, which
# `make test` builds first) writes the pcaps into $IPVSIM_PCAP6_DIR and this section reads them.

run_tests=${IPVSIM_RUN_TESTS:-build/asan/run-tests}
# pcap6_ok NAME FILE: tshark reads FILE; every ICMPv6/TCP/UDP checksum good, nothing
# malformed, no expert info at error level.
pcap6_ok() {
  local name=$1 p=$2 out rows badrows
  out=$(tshark -r "$p" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields \
               -e frame.number -e eth.type -e icmpv6.checksum.status -e tcp.checksum.status \
               -e udp.checksum.status -e _ws.malformed -e _ws.expert.severity 2>"$tmp/tshark6.err")
  check "$name: tshark reads it" test $? -eq 0
  rows=$(printf '%s\n' "$out" | grep -c .)
  check "$name: has frames ($rows)" test "$rows" -gt 0
  badrows=$(printf '%s\n' "$out" | awk -F'\t' '
    { err = 0; n = split($7, sev, ","); for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) err = 1 }
    $2 != "0x86dd" || ($3 != "" && $3 !~ /^1(,1)*$/) || ($4 != "" && $4 != "1") || ($5 != "" && $5 !~ /^1(,1)*$/) || $6 != "" || err' | head -3)
  check "$name: IPv6 frames, all checksums good, nothing malformed" test -z "$badrows"
  [ -z "$badrows" ] || printf '      %s\n' "$badrows"
}

if ! command -v tshark >/dev/null; then
  bad "ipv6: tshark is not installed (tools/install-deps installs it)"
elif [ ! -x "$run_tests" ]; then
  bad "ipv6: $run_tests is not built (make tests-bin)"
else
  mkdir -p "$tmp/pcap6"
  IPVSIM_PCAP6_DIR="$tmp/pcap6" "$run_tests" pkt6 ipv6 > "$tmp/pkt6.out" 2>&1
  check "ipv6: the pkt6 and ipv6 suites pass and write their pcaps" \
    test $? -eq 0 -a -s "$tmp/pcap6/ipv6-frames.pcap" -a -s "$tmp/pcap6/client-eth0.pcap" -a -s "$tmp/pcap6/server-eth0.pcap"
  f="$tmp/pcap6/ipv6-frames.pcap"
  pcap6_ok "ipv6 frames" "$f"
  check "ipv6 frames: NS to the solicited-node group, then the NA" \
    test "$(tshark -r "$f" -Y 'icmpv6.type==135 && ipv6.dst==ff02::1:ff00:2 && eth.dst==33:33:ff:00:00:02' 2>/dev/null | grep -c .)/$(tshark -r "$f" -Y 'icmpv6.type==136 && icmpv6.nd.na.flag.s==1' 2>/dev/null | grep -c .)" = 1/1
  check "ipv6 frames: the Packet Too Big carries MTU 1280 and quotes the UDP datagram" \
    test "$(tshark -r "$f" -Y 'icmpv6.type==2 && icmpv6.mtu==1280 && udp.dstport==53' 2>/dev/null | grep -c .)" -eq 1

  # The world of tests/model/ipv6/test_ipv6.c (test_forward_after_nd): client -- router -- server.
  c="$tmp/pcap6/client-eth0.pcap" s="$tmp/pcap6/server-eth0.pcap"
  pcap6_ok "ipv6 world: client-eth0" "$c"
  pcap6_ok "ipv6 world: server-eth0" "$s"
  check "ipv6 world: the client solicits the router before its first datagram" \
    test "$(tshark -r "$c" -T fields -E separator=, -e icmpv6.type -e udp.dstport 2>/dev/null | head -3 | tr '\n' ' ')" = "135, 136, ,53 "
  check "ipv6 world: the NS goes to the router's solicited-node group, hop limit 255" \
    test "$(count "$c" 'icmpv6.type==135 && ipv6.dst==ff02::1:ff00:1 && eth.dst==33:33:ff:00:00:01 && ipv6.hlim==255')" -eq 1
  check "ipv6 world: the datagram leaves with hop limit 64, arrives with 63" \
    test "$(count "$c" 'udp.dstport==53 && ipv6.hlim==64 && !icmpv6')/$(count "$s" 'udp.dstport==53 && ipv6.hlim==63 && !icmpv6')" = 1/1
  check "ipv6 world: the server's port unreachable comes back through the router" \
    test "$(count "$c" 'icmpv6.type==1 && icmpv6.code==4 && ipv6.src==2001:db8:2::2')" -eq 1
fi

# hooks --kernel ERA: the IPv4 table as before (tests/golden/hooks_ERA.txt holds both),
# then the IPv6 one.
# IPVS registers its IPv6 ops there: 2.6.34's four of ip_vs_ops, 6.x's six of ip_vs_ops6.
for era_ops in 2.6.34:4 6.x:6; do
  era=${era_ops%:*} ops=${era_ops#*:}
  "$IPVSIM" hooks --kernel "$era" > "$tmp/hooks6.txt" 2>&1
  check "ipv6 hooks $era: the IPv6 table follows IPv4's, with IPVS's $ops IPv6 ops" \
    test "$(sed -n '/^IPv6 (NFPROTO_IPV6/,$p' "$tmp/hooks6.txt" | grep -c ' ip_vs$')" -eq "$ops"
  check "ipv6 hooks $era: the IPv6 table follows IPv4's, its five points" \
    test "$(sed -n '/^IPv6 (NFPROTO_IPV6/,$p' "$tmp/hooks6.txt" | grep -c '^[A-Z_]* ([0-9]*)$')" -eq 5
  check "ipv6 hooks $era: it says what is modelled and what is not yet" \
    sh -c "grep -q '^modelled: the IPv6 path' '$tmp/hooks6.txt' && grep -q '^modelled: IPv6 conntrack' '$tmp/hooks6.txt' && grep -q '^not yet: ip6t_REJECT' '$tmp/hooks6.txt'"
done
