# Mixed-family LVS-TUN (3.18+): scenarios/tun-mixed.json on the wire and in the trace, the
# world's tunnel ends, and the refusals (mixed NAT/DR, before 3.18, a server without the
# other family's address, FULLNAT for an IPv6 service) with FILE:LINE:COL, exit 2.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: model/ipv6/sit.c

"$IPVSIM" run -q --trace scenarios/tun-mixed.json -o "$tmp/tm" >/dev/null 2>&1
check "tun-mixed: runs" test $? -eq 0
check "tun-mixed: every conversation OK, in both families" \
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); c=s["connections"]; g={x["name"]: x["conversations"] for x in s["clients"]}; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] and g["web4"]>0 and g["web6"]>0 else 1)' "$tmp/tm/summary.json"
# summary.json counts a dual-stack server's dests at either address: rs1 is a dest only
# by its IPv6 address, rs2 only by its IPv4 one.
check "tun-mixed: summary.json credits each server's dest whatever its family (TUN, weight 1, every connection)" \
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["servers"]; sys.exit(0 if all(x["fwd"]=="TUN" and x["weight"]==1 and x["ipvs_conns"]==x["scheduled"]>0 for x in v) else 1)' "$tmp/tm/summary.json"
if ! command -v tshark >/dev/null; then
  bad "tun-mixed: tshark is not installed (tools/install-deps installs it)"
else
  p="$tmp/tm/pcap"
  # IPv4 VIP -> IPv6 real server: an outer IPv6 header, next header 4, the client's
  # IPv4 SYN to the VIP inside; rs1 answers over IPv4 straight to the client.
  check "tun-mixed: rs1 receives IPv4-in-IPv6 (ipv6.nxt == 4) with the IPv4 SYN to the VIP inside" \
    test "$(count "$p/rs1-eth0.pcap" 'ipv6.nxt == 4 && ipv6.dst == 2001:db8:2::11 && ip.dst == 203.0.113.10 && tcp.flags == 0x002')" -gt 0
  check "tun-mixed: rs1's SYN-ACKs leave over IPv4 from the VIP, unwrapped" \
    test "$(count "$p/rs1-eth0.pcap" 'tcp.flags == 0x012 && ip.src == 203.0.113.10 && !ipv6')" -gt 0
  # IPv6 VIP -> IPv4 real server: an outer IPv4 header, protocol 41, good header checksum,
  # no DF; rs2 answers over IPv6.
  check "tun-mixed: rs2 receives IPv6-in-IPv4 (ip.proto == 41) with the IPv6 SYN to the VIP inside" \
    test "$(count "$p/rs2-eth0.pcap" 'ip.proto == 41 && ip.dst == 192.0.2.12 && ipv6.dst == 2001:db8:10::10 && tcp.flags == 0x002')" -gt 0
  check "tun-mixed: the outer IPv4 headers have good checksums and no DF" \
    test "$(tshark -r "$p/rs2-eth0.pcap" -o ip.check_checksum:TRUE -Y 'ip.proto == 41 && (ip.checksum.status != 1 || ip.flags.df == 1)' 2>/dev/null | grep -c .)" -eq 0
  check "tun-mixed: rs2's SYN-ACKs leave over IPv6 from the VIP, unwrapped" \
    test "$(count "$p/rs2-eth0.pcap" 'tcp.flags == 0x012 && ipv6.src == 2001:db8:10::10 && !ip')" -gt 0
  check "tun-mixed: the director never sees a reply" \
    test "$(count "$p/lvs1-eth0.pcap" 'tcp.flags == 0x012')" -eq 0
fi
"$IPVSIM" trace scenarios/tun-mixed.json --conn 1 > "$tmp/tm1.trace" 2>&1
"$IPVSIM" trace scenarios/tun-mixed.json --conn 2 > "$tmp/tm2.trace" 2>&1
check "tun-mixed: the trace names ip_vs_tunnel_xmit_v6, ip4ip6 and ip4ip6_rcv on ip6tnl0" \
  sh -c "grep -q 'ip_vs_tunnel_xmit_v6: IPv4-in-IPv6 > 2001:db8:2::11' '$tmp/tm1.trace' && grep -q 'ip4ip6(2001:db8:2::1 > 2001:db8:2::11)' '$tmp/tm1.trace' && grep -q 'ip4ip6_rcv: decapsulated on ip6tnl0' '$tmp/tm1.trace'"
check "tun-mixed: the trace names ip_vs_tunnel_xmit (IPv6-in-IPv4), sit and ipip6_rcv on sit0" \
  sh -c "grep -q 'ip_vs_tunnel_xmit: IPv6-in-IPv4 192.0.2.1 > 192.0.2.12' '$tmp/tm2.trace' && grep -q 'sit(192.0.2.1 > 192.0.2.12)' '$tmp/tm2.trace' && grep -q 'ipip6_rcv: decapsulated on sit0' '$tmp/tm2.trace' && grep -q '^[0-9.]* rs2 #[0-9]* tcp_v6_rcv' '$tmp/tm2.trace'"
"$IPVSIM" run -q --kernel 3.18 scenarios/tun-mixed.json -o "$tmp/tm318" >/dev/null 2>&1
check "tun-mixed: 3.18, the first kernel with mixed-family dests, serves every conversation too" \
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] else 1)' "$tmp/tm318/summary.json"

# The refusals: each a line of the bad-scenario corpus (section 08 checks the whole
# message); here what each says.
for k in "mixed-tun-nat:only LVS-TUN (-i) carries it" \
         "mixed-tun-kernel-3.10:kernel 3.10 has none (LVS-TUN to one came in 3.18)" \
         "mixed-tun-server-no-ip6:needs an address of that family too" \
         "mixed-tun-server-no-ipv4:answers the client over IPv4 directly" \
         "fullnat-ipv6-service:modelled for IPv4 services only"; do
  f=tests/bad-scenarios/${k%%:*}.json
  "$IPVSIM" validate "$f" >/dev/null 2>"$tmp/tmbad.err"; rc=$?
  check "tun-mixed refusal ${k%%:*}: exit 2, FILE:LINE:COL, says '${k#*:}'" \
    sh -c "test $rc -eq 2 && grep -qE '^$f:[0-9]+:[0-9]+: ' '$tmp/tmbad.err' && grep -qF '${k#*:}' '$tmp/tmbad.err'"
done
# A mixed DR dest added by an event at run time: the control plane refuses it as it
# refuses a line of the configuration, and the events log says why (the run goes on,
# as a running director would).
python3 - "$tmp/tmev.json" <<'PY'
import json, sys
s = json.load(open("scenarios/tun-mixed.json"))
del s["expect"]
s["events"] = [{"at": "1s", "do": "ipvsadm", "args": "-a -t 203.0.113.10:80 -r [2001:db8:2::12]:80 -g"}]
json.dump(s, open(sys.argv[1], "w"), indent=1)
PY
"$IPVSIM" run -q "$tmp/tmev.json" -o "$tmp/tmev" >/dev/null 2>&1
check "tun-mixed: a mixed DR dest added by an event fails, the events log says only LVS-TUN carries it" \
  grep -q 'r \[2001:db8:2::12\]:80 -g: failed: Invalid operation.*only LVS-TUN (-i) carries it' "$tmp/tmev/events.txt"
# kernel-check does not mirror mixed-family tunnels yet: it refuses tun-mixed, naming why.
"$IPVSIM" kernel-check -o "$tmp/tm-kc" scenarios/tun-mixed.json >/dev/null 2>"$tmp/tm-kc.err"; rc=$?
check "tun-mixed: kernel-check refuses it (exit 2, mixed-family tunnels not mirrored yet), writes nothing" \
  sh -c "test $rc -eq 2 && grep -q 'mixed-family tunnels are not mirrored yet' '$tmp/tm-kc.err' && test ! -e '$tmp/tm-kc'"
