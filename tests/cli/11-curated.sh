# Every curated scenario (scenarios/*.json): check, run, figures, pcap files.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)

# Frames whose checksums are not all good: status 1 = good; 2 (unverified) is accepted
# only where the frame was cut (cap_len < len). In an ICMP error the transport checksum
# of the quoted datagram is not judged: when the director translates the error for a NAT
# connection it rewrites the quoted addresses and ports and fixes the IP and ICMP
# checksums, not that one, as the kernel's ip_vs_nat_icmp does (the outer IP, quoted IP
# and ICMP checksums must still be good).
pcap_bad() {
  tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
         -T fields -e frame.number -e frame.len -e frame.cap_len -e ip.checksum.status \
         -e tcp.checksum.status -e udp.checksum.status -e icmp.checksum.status -e _ws.malformed \
         -e icmp.type -e gre.checksum.status 2>/dev/null | awk -F'\t' '
    { cut = $3 + 0 < $2 + 0; quoted = $9 == 3 || $9 == 11 || $9 == 12; bad = $8 != ""
      if ($10 != "" && $10 != "1") bad = 1
      for (f = 4; f <= 7; f++) { if (quoted && (f == 5 || f == 6)) continue
        n = split($f, v, ","); for (i = 1; i <= n; i++) if (v[i] != "1" && !(v[i] == "2" && cut)) bad = 1 }
      if (bad) print }' | head -3
}
ncur=0
for f in scenarios/*.json; do
  n=$(basename "$f" .json)
  ncur=$((ncur + 1))
  "$IPVSIM" check "$f" >"$tmp/check-$n.out" 2>&1; rc=$?
  check "$n: ipvsim check passes" test $rc -eq 0
  [ $rc -eq 0 ] || grep -E 'FAIL|:[0-9]+:[0-9]+:' "$tmp/check-$n.out" | head -3 | sed 's/^/      /'
  "$IPVSIM" run -q "$f" -o "$tmp/cur/$n" >/dev/null 2>"$tmp/run-$n.err"
  check "$n: runs" test $? -eq 0
  if command -v gnuplot >/dev/null; then
    check "$n: the four figures (png, svg, gp, dat)" figs_ok "$tmp/cur/$n"
  fi
  if command -v tshark >/dev/null; then
    for p in "$tmp/cur/$n"/pcap/*.pcap; do
      [ -e "$p" ] || continue
      b=$(pcap_bad "$p")
      check "$n: $(basename "$p") opens in tshark, nothing malformed, checksums good" test -z "$b"
      [ -z "$b" ] || printf '      %s\n' "$b"
    done
  fi
done
check "curated scenarios: at least ten ($ncur)" test "$ncur" -ge 10
# The tour's first command: every file of scenarios/ is a scenario, and the last line sums up.
"$IPVSIM" check scenarios/*.json >"$tmp/check-all.out" 2>&1
check "check scenarios/*.json: exit status 0" test $? -eq 0
check "check scenarios/*.json: ends with the total" \
  grep -Eq "^check: $ncur files, ([0-9]+) expectations: \1 passed, 0 failed\$" <(tail -1 "$tmp/check-all.out")
"$IPVSIM" check scenarios/minimal.json tests/bad-scenarios/capture-snaplen.json >"$tmp/check-bad.out" 2>/dev/null
check "check with a bad file: exit 2, the total counts it" \
  grep -Eq "^check: 2 files, [0-9]+ expectations: [0-9]+ passed, 0 failed; 1 file not checked \(bad input\)\$" <(tail -1 "$tmp/check-bad.out")
# The same one-arm NAT under 6.x: redirects go to the socket of the quoted packet,
# mostly a SYN-ACK whose request socket ignores them: every connection is served.
all_ok() { # every conversation of a run ended OK
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; sys.exit(0 if c["total"]>0 and c["OK"]==c["total"] else 1)' "$1"
}
"$IPVSIM" run -q scenarios/nat-redirects.json --set kernel=6.x -o "$tmp/nr6" >/dev/null 2>&1
check "nat-redirects under 6.x: the redirects change nothing" all_ok "$tmp/nr6/summary.json"
# The tunnel types on the wire: GUE to rs1 (UDP to 6080, a 4-byte GUE header whose
# protocol is IPIP, UDP checksum good), plain GRE to rs2, GRE with a good checksum to rs3.
if command -v tshark >/dev/null; then
  g="$tmp/cur/tun-gue-gre/pcap"
  gue=$(tshark -r "$g/rs1-eth0.pcap" -o udp.check_checksum:TRUE -Y 'udp.dstport == 6080 && udp.checksum.status == 1 && data.data[0:2] == 00:04' 2>/dev/null | grep -c .)
  check "tun-gue-gre: rs1 receives GUE with good UDP checksums ($gue)" test "$gue" -gt 0
  # tools/gue.lua (Wireshark 4.0 has no GUE dissector) shows every one of them as GUE
  # carrying the client's packet to the VIP, nothing malformed
  if tshark -v 2>/dev/null | grep -q 'with Lua'; then
    n_udp=$(tshark -r "$g/rs1-eth0.pcap" -Y 'udp.dstport == 6080' 2>/dev/null | grep -c .)
    n_gue=$(tshark -X lua_script:tools/gue.lua -d udp.port==6080,gue -r "$g/rs1-eth0.pcap" \
            -Y 'gue.version == 0 && gue.proto == 4 && ip.dst == 203.0.113.10 && tcp.dstport == 80 && !_ws.malformed' 2>/dev/null | grep -c .)
    check "tun-gue-gre: tools/gue.lua decodes every GUE frame, the inner TCP to the VIP ($n_gue of $n_udp)" \
      test "$n_gue" -gt 0 -a "$n_gue" -eq "$n_udp"
  else
    echo "  skip  tun-gue-gre: tools/gue.lua (this tshark has no Lua)"
  fi
  gre=$(tshark -r "$g/rs2-eth0.pcap" -Y 'gre.flags.checksum == 0 && gre.proto == 0x0800' 2>/dev/null | grep -c .)
  check "tun-gue-gre: rs2 receives plain GRE ($gre)" test "$gre" -gt 0
  gre=$(tshark -r "$g/rs3-eth0.pcap" -Y 'gre.flags.checksum == 1 && gre.checksum.status == 1 && gre.proto == 0x0800' 2>/dev/null | grep -c .)
  check "tun-gue-gre: rs3 receives GRE with good checksums ($gre), which its gre0 drops" test "$gre" -gt 0
fi
