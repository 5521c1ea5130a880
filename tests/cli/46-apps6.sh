# Endpoints over IPv6: the pcaps of the tcp_ipv6 suite (tests/model/ipv6/test_tcp_ipv6.c,
# client -- router -- server with IPv6 addresses built by hand, the applications' TCP and
# UDP over them) decoded by tshark with every checksum checked.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: model/ipv6/tcp_ipv6.c
# Covers: model/ipv6/udp.c

run_tests=${IPVSIM_RUN_TESTS:-build/asan/run-tests}
# apps6_pcap_ok NAME FILE: tshark reads FILE; every frame IPv6, every ICMPv6/TCP/UDP
# checksum good, nothing malformed, no expert info at error level.
apps6_pcap_ok() {
  local name=$1 p=$2 out badrows
  out=$(tshark -r "$p" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields \
               -e eth.type -e icmpv6.checksum.status -e tcp.checksum.status \
               -e udp.checksum.status -e _ws.malformed -e _ws.expert.severity 2>/dev/null)
  check "$name: tshark reads frames" test -n "$out"
  badrows=$(printf '%s\n' "$out" | awk -F'\t' '
    { err = 0; n = split($6, sev, ","); for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) err = 1 }
    $1 != "0x86dd" || ($2 != "" && $2 !~ /^1(,1)*$/) || ($3 != "" && $3 != "1") || ($4 != "" && $4 !~ /^1(,1)*$/) || $5 != "" || err' | head -3)
  check "$name: IPv6 frames, all checksums good, nothing malformed" test -z "$badrows"
  [ -z "$badrows" ] || printf '      %s\n' "$badrows"
}

if ! command -v tshark >/dev/null; then
  bad "apps6: tshark is not installed (tools/install-deps installs it)"
elif [ ! -x "$run_tests" ]; then
  bad "apps6: $run_tests is not built (make tests-bin)"
else
  mkdir -p "$tmp/apps6"
  IPVSIM_PCAP6_DIR="$tmp/apps6" "$run_tests" tcp_ipv6 > "$tmp/apps6.out" 2>&1
  check "apps6: the tcp_ipv6 suite passes and writes its pcaps" \
    test $? -eq 0 -a -s "$tmp/apps6/tcp6-server-eth0.pcap" -a -s "$tmp/apps6/udp6-server-eth0.pcap" -a -s "$tmp/apps6/closed6-server-eth0.pcap"
  t="$tmp/apps6/tcp6-server-eth0.pcap" u="$tmp/apps6/udp6-server-eth0.pcap" c="$tmp/apps6/closed6-server-eth0.pcap"
  apps6_pcap_ok "apps6 tcp" "$t"
  apps6_pcap_ok "apps6 udp" "$u"
  apps6_pcap_ok "apps6 closed ports" "$c"
  check "apps6 tcp: SYN and SYN-ACK advertise MSS 1440 (1500 - 40 - 20)" \
    test "$(count "$t" 'tcp.flags.syn==1 && tcp.options.mss_val==1440')" -eq 6
  check "apps6 tcp: full segments carry 1428 bytes (1440 less the timestamps)" \
    test "$(count "$t" 'tcp.len==1428 && ipv6.plen==1460')" -eq 6
  check "apps6 tcp: three conversations, each closed by a FIN both ways" \
    test "$(count "$t" 'tcp.flags.fin==1')" -eq 6
  check "apps6 udp: request and response, each with a UDP checksum" \
    test "$(count "$u" 'udp && udp.checksum!=0')" -eq 4
  check "apps6 closed ports: a RST answers the SYN to port 81, a port unreachable the datagram" \
    test "$(count "$c" 'tcp.flags.reset==1 && tcp.srcport==81')/$(count "$c" 'icmpv6.type==1 && icmpv6.code==4 && udp.dstport==81')" = 2/1
fi
