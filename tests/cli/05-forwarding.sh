# IPVS forwarding methods (NAT, DR, TUN), read back from the pcap files.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# That every conversation of each completes is each scenario's own `expect` (11-curated
# runs `ipvsim check` on every curated scenario).

if command -v tshark >/dev/null; then
  for m in nat dr tun; do
    "$IPVSIM" run -q "scenarios/$m.json" -o "$tmp/$m" >/dev/null 2>&1
    check "$m: runs" test $? -eq 0
    for p in "$tmp/$m"/pcap/*.pcap; do
      bad=$(count "$p" "ip.checksum.status==0 || tcp.checksum.status==0 || _ws.malformed")
      check "$m: $(basename "$p") checksums good, nothing malformed" test "$bad" -eq 0
    done
  done
  d="$tmp/nat/pcap/lvs1-eth0.pcap"
  n_dnat=$(count "$d" "ip.dst==192.0.2.11 && tcp.dstport==8080")
  n_rs=$(count "$d" "ip.src==192.0.2.11 && tcp.srcport==8080")
  n_snat=$(count "$d" "ip.src==203.0.113.10 && tcp.srcport==80")
  check "nat: requests rewritten to RS:8080 ($n_dnat)" test "$n_dnat" -gt 0
  check "nat: every RS reply leaves as VIP:80 ($n_rs in, $n_snat out)" test "$n_snat" -eq "$((n_rs + $(count "$d" "ip.src==192.0.2.12 && tcp.srcport==8080")))"
  r="$tmp/dr/pcap/rs1-eth0.pcap"
  check "dr: the real server receives frames for the VIP" test "$(count "$r" "ip.dst==203.0.113.10 && tcp.dstport==80")" -gt 0
  check "dr: IP header untouched (nothing to the RS address)" test "$(count "$r" "ip.dst==192.0.2.11")" -eq 0
  check "dr: replies from the VIP go around the director" test "$(count "$tmp/dr/pcap/lvs1-eth0.pcap" "ip.src==203.0.113.10")" -eq 0
  r="$tmp/tun/pcap/rs1-eth0.pcap"
  n_ipip=$(count "$r" "ip.proto==4 && ip.dst==192.0.2.11")
  check "tun: IPIP (protocol 4) to the real server ($n_ipip)" test "$n_ipip" -gt 0
  check "tun: inner packet intact (to the VIP)" test "$(tshark -r "$r" -Y "ip.proto==4" -T fields -e ip.dst 2>/dev/null | grep -vc '^192.0.2.11,203.0.113.10$')" -eq 0
  "$IPVSIM" run -q tests/scenarios/nodest.json -o "$tmp/nodest" >/dev/null 2>&1
  check "no dest: the client gets ICMP port unreachable in its pcap" \
    test "$(count "$tmp/nodest/pcap/dns-eth0.pcap" "icmp.type==3 && icmp.code==3 && ip.src==203.0.113.10")" -gt 0
fi
