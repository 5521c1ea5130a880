# The curated IPv6 scenarios (nat6, dr6, tun6, dual-stack) on the wire: what each method
# does to an IPv6 packet, read back by tshark. (Section 11 already runs every curated
# scenario's check and judges its pcaps' TCP checksums; this adds ICMPv6 and the methods.)
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

if ! command -v tshark >/dev/null; then
  bad "ipv6 curated: tshark is not installed (tools/install-deps installs it)"
else
  for n in nat6 dr6 tun6 dual-stack; do
    "$IPVSIM" run -q "scenarios/$n.json" -o "$tmp/c6/$n" >/dev/null 2>&1
    check "$n: runs" test $? -eq 0
  done
  p="$tmp/c6"
  bad6() { # frames with an ICMPv6 or TCP checksum that is not good, or malformed
    tshark -r "$1" -o tcp.check_checksum:TRUE -T fields -e frame.number -e icmpv6.checksum.status \
           -e tcp.checksum.status -e _ws.malformed 2>/dev/null |
      awk -F'\t' '($2 != "" && $2 !~ /^1(,1)*$/) || ($3 != "" && $3 != "1") || $4 != ""' | head -3
  }
  for f in "$p"/*/pcap/*.pcap; do
    b=$(bad6 "$f")
    check "ipv6 curated: $(basename "$(dirname "$(dirname "$f")")")/$(basename "$f"): ICMPv6 and TCP checksums good, nothing malformed" test -z "$b"
  done
  # NAT: the director sends the SYN on to a real server's address and port 8080; its
  # reply leaves the director from the VIP's port 80, with the hop limit one less.
  check "nat6: SYNs leave the director for [2001:db8:2::1x]:8080" \
    test "$(count "$p/nat6/pcap/lvs1-eth0.pcap" 'tcp.flags == 0x002 && ipv6.dst == 2001:db8:2::11 && tcp.dstport == 8080')" -gt 0
  check "nat6: SYN-ACKs reach the client from [2001:db8:10::10]:80" \
    test "$(count "$p/nat6/pcap/web-eth0.pcap" 'tcp.flags == 0x012 && ipv6.src == 2001:db8:10::10 && tcp.srcport == 80')" -gt 0
  check "nat6: neighbour discovery, no ARP" \
    test "$(count "$p/nat6/pcap/lvs1-eth0.pcap" 'icmpv6.type == 135')" -gt 0 -a "$(count "$p/nat6/pcap/lvs1-eth0.pcap" 'arp')" -eq 0
  # DR: the SYN reaches rs1 still addressed to the VIP, rs1's MAC as destination.
  check "dr6: rs1 receives SYNs to the VIP unchanged" \
    test "$(count "$p/dr6/pcap/rs1-eth0.pcap" 'tcp.flags == 0x002 && ipv6.dst == 2001:db8:10::10 && tcp.dstport == 80')" -gt 0
  # TUN: ip6ip6 (next header 41) from the director to rs1, the client's SYN inside.
  check "tun6: rs1 receives ip6ip6 with the client's SYN to the VIP inside" \
    test "$(count "$p/tun6/pcap/rs1-eth0.pcap" 'ipv6.nxt == 41 && ipv6.dst == 2001:db8:2::11 && tcp.flags == 0x002 && ipv6.dst == 2001:db8:10::10')" -gt 0
  # Dual stack: both families on the director's wire.
  check "dual-stack: IPv4 and IPv6 SYNs to their VIPs on the director" \
    test "$(count "$p/dual-stack/pcap/lvs1-eth0.pcap" 'tcp.flags == 0x002 && ip.dst == 203.0.113.10')" -gt 0 -a \
         "$(count "$p/dual-stack/pcap/lvs1-eth0.pcap" 'tcp.flags == 0x002 && ipv6.dst == 2001:db8:10::10')" -gt 0
  "$IPVSIM" trace scenarios/tun6.json --conn 1 > "$tmp/tun6.trace" 2>&1
  check "tun6: the trace names the IPv6 functions and the tunnel" \
    sh -c "grep -q 'ip_vs_tunnel_xmit_v6' '$tmp/tun6.trace' && grep -q 'ip6ip6(2001:db8:2::1 > 2001:db8:2::12)' '$tmp/tun6.trace' && grep -q 'ip6ip6_rcv: decapsulated on ip6tnl0' '$tmp/tun6.trace'"
fi

# An IPv6 fwmark service (ipvsadm -A -f 7 -6): ip6tables' mangle table marks the packets
# to the IPv6 VIP, and IPVS finds the service of the packet's family by its mark.
python3 - "$tmp/fwm6.json" <<'PY'
import json, sys
s = json.load(open("scenarios/dr6.json"))
s["name"] = "fwm6"
del s["expect"]
s["netfilter"] = ["ip6tables -t mangle -A PREROUTING -d 2001:db8:10::10 -p tcp --dport 80 -j MARK --set-mark 7"]
s["ipvs"] = ["-A -f 7 -6 -s rr", "-a -f 7 -6 -r [2001:db8:2::11]:80 -g -w 1",
             "-a -f 7 -6 -r [2001:db8:2::12]:80 -g -w 1"]
json.dump(s, open(sys.argv[1], "w"), indent=1)
PY
"$IPVSIM" run -q "$tmp/fwm6.json" -o "$tmp/fwm6" >/dev/null 2>&1
check "fwmark -6: every conversation served through the IPv6 fwmark service" \
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] else 1)' "$tmp/fwm6/summary.json"
check "fwmark -6: listed as ipvsadm lists it (FWM  7 IPv6 rr)" grep -q '^FWM  7 IPv6 rr$' "$tmp/fwm6/ipvsadm.txt"
