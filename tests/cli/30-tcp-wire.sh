# The endpoints' TCP on the wire: Linux's options as Wireshark decodes them, the sysctls
# that turn them off, and nine short connections counted as a 6.1 kernel counts them.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: model/apps/tcp_output.c model/apps/tcp_input.c model/apps/tcp_listener.c

# Nine sequential connections, a 4-byte request and a 4-byte answer, the server closing
# after answering, the client reading to EOF; captured at the client.
cat > "$tmp/tcp-nine.json" <<'JSON'
{
  "name": "tcp-nine", "seed": 1, "duration": "3s",
  "director": {"name": "lvs1", "vip": "203.0.113.10"},
  "servers": [
    {"name": "rs1", "ip": "192.0.2.11", "port": 8080, "service_time": "const(1ms)",
     "close_after_response": true}
  ],
  "clients": [
    {"name": "web", "count": 1, "net": "198.51.100.0/24", "target": "203.0.113.10:80",
     "protocol": "tcp", "arrival": "const(50ms)", "stop": "500ms", "request": "4B", "response": "4B"}
  ],
  "ipvs": ["-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 1"],
  "capture": {"points": ["web:eth0"]}
}
JSON
"$IPVSIM" run -q "$tmp/tcp-nine.json" -o "$tmp/tcp-nine" >/dev/null 2>&1
check "tcp: nine connections, server FIN first: --stats 9 45 45 2448 2448 (a 6.1 kernel's counts)" \
  grep -Eq '^TCP  203\.0\.113\.10:80 +9 +45 +45 +2448 +2448$' "$tmp/tcp-nine/ipvsadm.txt"
check "tcp: ... every conversation ok" \
  test "$(grep -c ',OK,' "$tmp/tcp-nine/connections.csv")" -eq 9

if command -v tshark >/dev/null; then
  p="$tmp/tcp-nine/pcap/web-eth0.pcap"
  tf() { tshark -r "$p" -Y "$1" -T fields -e "$2" 2>/dev/null | sort -u | tr '\n' ' '; }
  check "tcp tshark: SYN options in Linux's order: mss, sackOK, TS, nop, wscale" \
    test "$(tf 'tcp.flags == 0x002' tcp.option_kind)" = "2,4,8,1,3 "
  check "tcp tshark: SYN-ACK options in the same order" \
    test "$(tf 'tcp.flags == 0x012' tcp.option_kind)" = "2,4,8,1,3 "
  check "tcp tshark: a SYN is 60 bytes of IP: mss 1460, SACK permitted, wscale shift 7" \
    test "$(tf 'tcp.flags == 0x002' 'ip.len')$(tf 'tcp.flags == 0x002' tcp.options.mss_val)$(tf 'tcp.flags == 0x002 && tcp.options.sack_perm' tcp.options.wscale.shift)" = "60 1460 7 "
  check "tcp tshark: the SYN-ACK echoes the SYN's TSval, window scale 7" \
    test "$(count "$p" 'tcp.flags == 0x012 && tcp.options.wscale.shift == 7 && tcp.options.timestamp.tsecr != 0')" -eq 9
  check "tcp tshark: a timestamp on every segment" \
    test "$(count "$p" 'tcp && !tcp.options.timestamp.tsval')" -eq 0
  check "tcp tshark: bare ACKs are 52 bytes" \
    test "$(tf 'tcp.flags == 0x010 && tcp.len == 0' ip.len)" = "52 "
  check "tcp tshark: the server's FIN goes first" \
    test "$(tshark -r "$p" -Y 'tcp.flags.fin == 1' -T fields -e ip.src 2>/dev/null | head -1)" = "203.0.113.10"
  check "tcp tshark: nothing malformed" test "$(count "$p" '_ws.malformed || _ws.expert.severity >= "error"')" -eq 0

  # Timestamps off on the server (its own sysctl): its SYN-ACK declines them, and no
  # segment carries one after the handshake; SACK and window scale stay.
  "$IPVSIM" run -q "$tmp/tcp-nine.json" --set 'servers.0.sysctl={"net.ipv4.tcp_timestamps": 0}' \
    -o "$tmp/tcp-nots" >/dev/null 2>&1
  q="$tmp/tcp-nots/pcap/web-eth0.pcap"
  check "tcp sysctl: tcp_timestamps 0 on the server: its SYN-ACK is mss, nop, wscale, sackOK" \
    test "$(tshark -r "$q" -Y 'tcp.flags == 0x012' -T fields -e tcp.option_kind 2>/dev/null | sort -u)" = "2,1,3,1,1,4"
  check "tcp sysctl: ... no timestamps after the handshake, 40-byte ACKs" \
    test "$(count "$q" 'tcp.flags.syn == 0 && tcp.options.timestamp.tsval')" -eq 0 -a \
         "$(tshark -r "$q" -Y 'tcp.flags == 0x010 && tcp.len == 0' -T fields -e ip.len 2>/dev/null | sort -u)" = "40"
fi

# The sysctls are checked like the others.
"$IPVSIM" run -q "$tmp/tcp-nine.json" --set 'sysctl={"net.ipv4.tcp_timestamps": 3}' \
  -o "$tmp/tcp-bad" >"$tmp/tcp-bad.out" 2>&1
check "tcp sysctl: tcp_timestamps 3 exits 2" test $? -eq 2
check "tcp sysctl: ... says what is expected" grep -q "tcp_timestamps.*0.*2" "$tmp/tcp-bad.out"
check "tcp sysctl: ... nothing written" test ! -e "$tmp/tcp-bad"
