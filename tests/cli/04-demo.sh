# The demo end to end, its pcap files read back by tshark.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/run/demo.c

"$IPVSIM" demo -o "$tmp/a" >/dev/null 2>&1; check "demo runs" test $? -eq 0
for f in summary.json pcap/client-eth0.pcap pcap/router-eth0.pcap pcap/router-eth1.pcap pcap/server-eth0.pcap; do
  check "demo wrote $f" test -s "$tmp/a/$f"
done
check "no temporary directory left" test -z "$(ls -d "$tmp"/a.tmp-* 2>/dev/null)"
"$IPVSIM" demo -o "$tmp/b" >/dev/null 2>&1
check "same seed, byte-identical results" diff -r "$tmp/a" "$tmp/b"
"$IPVSIM" demo -o "$tmp/a" >/dev/null 2>&1; check "an earlier result is replaced" test $? -eq 0
mkdir -p "$tmp/mine" && echo keep > "$tmp/mine/notes.txt"
"$IPVSIM" demo -o "$tmp/mine" >/dev/null 2>&1; check "an unrelated directory is refused (exit 2)" test $? -eq 2
check "the unrelated file is untouched" grep -q keep "$tmp/mine/notes.txt"

# --- pcap files open in tshark, nothing malformed, every checksum good ------------
if command -v tshark >/dev/null; then
  for p in "$tmp"/a/pcap/*.pcap; do
    n=$(basename "$p")
    out=$(tshark -r "$p" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
                 -o udp.check_checksum:TRUE -T fields -e frame.number \
                 -e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status \
                 -e _ws.malformed -e _ws.expert.severity 2>"$tmp/tshark.err")
    check "$n: tshark reads it" test $? -eq 0
    frames=$(printf '%s\n' "$out" | grep -c .)
    check "$n: has frames ($frames)" test "$frames" -gt 0
    # Checksum status 1 = good (0 bad, 2 unverified). A malformed mark, or expert
    # info at error level (0x00800000), fails; chat/note/warn are protocol remarks.
    badrows=$(printf '%s\n' "$out" | awk -F'\t' '
      { err = 0; n = split($6, sev, ","); for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) err = 1 }
      $2 != "1" || ($3 != "" && $3 != "1") || ($4 != "" && $4 != "1") || $5 != "" || err' | head -3)
    check "$n: all checksums good, nothing malformed" test -z "$badrows"
    [ -z "$badrows" ] || printf '      %s\n' "$badrows"
  done
  tcp=$(tshark -r "$tmp/a/pcap/server-eth0.pcap" -Y 'tcp.flags.syn==1' 2>/dev/null | grep -c .)
  check "server saw the 50 SYNs" test "$tcp" -eq 50
  ttl=$(tshark -r "$tmp/a/pcap/server-eth0.pcap" -Y 'ip.src==10.0.1.2' -T fields -e ip.ttl 2>/dev/null | sort -u)
  check "forwarded packets arrive with TTL 63" test "$ttl" = "63"
else
  bad "tshark is not installed (tools/install-deps installs it)"
fi
