# Congestion control of the endpoints' TCP: the curated bottleneck scenarios (one flow
# fills a 100 Mbps, 10 ms RTT link; four share it fairly; Reno under 1% loss lands near
# the Mathis formula), SACK blocks on the wire when segments are lost, and the sysctl.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: model/apps/tcp_cong.c

for f in one-flow four-flows reno-loss; do
  "$IPVSIM" check "scenarios/bottleneck-$f.json" > "$tmp/cc-$f.txt" 2>&1
  check "congestion: bottleneck-$f: every expectation holds" test $? -eq 0
done
check "congestion: one flow: goodput >= 90 Mbps of the 100 Mbps link" \
  grep -Eq 'PASS  metric clients.bulk.goodput_mbps: expected >= 90, saw 9[0-4]\.' "$tmp/cc-one-flow.txt"
check "congestion: four flows: Jain's fairness >= 0.95" \
  grep -Eq 'PASS  metric clients.bulk.fairness: expected >= 0.95, saw 0\.9[5-9]|saw 1$' "$tmp/cc-four-flows.txt"

# The same lossy path with the server's sysctl back at cubic: the module changes what
# gets through (at 10 ms RTT CUBIC runs in its TCP-friendly region, near Reno's rate).
"$IPVSIM" run -q "scenarios/bottleneck-reno-loss.json" --set duration=20s -o "$tmp/cc-reno" >/dev/null 2>&1
"$IPVSIM" run -q "scenarios/bottleneck-reno-loss.json" --set duration=20s \
  --set 'servers.0.sysctl={"net.ipv4.tcp_congestion_control": "cubic"}' -o "$tmp/cc-cubic" >/dev/null 2>&1
reno=$(field "$tmp/cc-reno/summary.json" clients.0.goodput_mbps 2>/dev/null)
cubic=$(field "$tmp/cc-cubic/summary.json" clients.0.goodput_mbps 2>/dev/null)
check "congestion: the sysctl selects the module: CUBIC $cubic Mbps, Reno $reno Mbps, within 1.5x" \
  awk -v r="${reno:-0}" -v c="${cubic:-0}" 'BEGIN { exit !(r > 0 && c > 0 && c != r && c < 1.5 * r && r < 1.5 * c) }'

# SACK on the wire: the receiver's duplicate ACKs carry SACK blocks (at most 3 beside
# the timestamps, the most recent first), the sender retransmits the holes.
"$IPVSIM" run -q "scenarios/bottleneck-one-flow.json" --set duration=1s --pcap rs1:eth0 \
  -o "$tmp/cc-sack" >/dev/null 2>&1
if command -v tshark >/dev/null; then
  p="$tmp/cc-sack/pcap/rs1-eth0.pcap"
  check "congestion tshark: ACKs carry SACK blocks when the queue drops" \
    test "$(count "$p" 'tcp.options.sack_le')" -gt 0
  check "congestion tshark: at most 3 blocks beside the timestamps" \
    test "$(count "$p" 'tcp.options.sack.count > 3')" -eq 0
  check "congestion tshark: the holes are retransmitted" \
    test "$(count "$p" 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission')" -gt 0
  first=$(tshark -r "$p" -Y 'tcp.options.sack.count >= 2' -T fields -e tcp.options.sack_le \
          -o tcp.relative_sequence_numbers:FALSE 2>/dev/null | head -1)
  check "congestion tshark: the newest block first ($first)" \
    awk -v s="$first" 'BEGIN { n = split(s, a, ","); exit !(n >= 2 && a[1] + 0 > a[2] + 0) }'
  check "congestion tshark: nothing malformed" \
    test "$(count "$p" '_ws.malformed || _ws.expert.severity >= "error"')" -eq 0
  # The receive window auto-tunes past its initial 65160 bytes on a bulk transfer.
  check "congestion tshark: the client's window grows beyond 64 KB" \
    test "$(tshark -r "$p" -Y 'tcp.srcport != 80' -T fields -e tcp.window_size 2>/dev/null | sort -n | tail -1)" -gt 65535
fi

# The sysctl: a name the model lacks is refused where it is written.
"$IPVSIM" validate "tests/bad-scenarios/server-sysctl-congestion-control.json" 2> "$tmp/cc-bad.txt"
check "congestion: tcp_congestion_control \"bbr\": exit 2, FILE:LINE:COL, the names it takes" \
  test $? -eq 2 -a "$(grep -c 'server-sysctl-congestion-control.json:3:65: .*expected one of cubic, reno' "$tmp/cc-bad.txt")" -eq 1
