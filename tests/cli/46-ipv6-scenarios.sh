# IPv6 in scenarios: a dual-stack scenario validates and builds its world; bad IPv6 input
# and IPv4 addresses in 240.0.0.0/4 (reserved: the space of the IPv6 address keys) get
# FILE:LINE:COL, exit 2 and nothing written. (The corpus tests/bad-scenarios/ipv6-*.json
# goes through 08-bad-input; the world's addresses and routes are the CUnit suite world6's.)
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# Covers: app/run/run_world6.c

ds="$tmp/dual-stack.json"
cat > "$ds" <<'JSON'
{
  "name": "dual-stack",
  "duration": "2s",
  "director": { "vip": "203.0.113.10", "vip6": "2001:db8::10" },
  "servers": [ { "name": "rs1", "ip": "192.0.2.11", "ip6": "2001:db8:1::11" },
               { "name": "rs2", "ip": "192.0.2.12", "ip6": "2001:db8:1::12" } ],
  "clients": [ { "name": "web", "count": 10, "net": "198.51.100.0/24", "target": "203.0.113.10:80",
                 "arrival": "poisson(20/s)" },
               { "name": "web6", "count": 10, "net": "2001:db8:c::/64", "target": "[2001:db8::10]:80",
                 "arrival": "poisson(20/s)" } ],
  "ipvs": [ "-A -t 203.0.113.10:80 -s rr",
            "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
            "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m" ]
}
JSON
"$IPVSIM" validate "$ds" > "$tmp/ds-validate.out" 2>&1
check "ipv6 scenarios: validate of a dual-stack scenario exits 0" test $? -eq 0
check "ipv6 scenarios: validate says ok" grep -q "dual-stack.json: ok" "$tmp/ds-validate.out"
"$IPVSIM" run -q "$ds" -o "$tmp/ds" > /dev/null 2>&1
check "ipv6 scenarios: a dual-stack world builds and runs" test $? -eq 0 -a -s "$tmp/ds/summary.json"
check "ipv6 scenarios: its IPv4 conversations all end OK" \
  test "$(awk -F, 'NR > 1 && $4 ~ /^198\.51\.100\./ && $9 != "OK"' "$tmp/ds/connections.csv" | wc -l)/$(grep -c '^[0-9]*,[0-9]*,[0-9]*,198\.51\.100\.' "$tmp/ds/connections.csv")" != "0/0" \
  -a "$(awk -F, 'NR > 1 && $4 ~ /^198\.51\.100\./ && $9 != "OK"' "$tmp/ds/connections.csv" | wc -l)" -eq 0
check "ipv6 scenarios: connections.csv writes IPv6 endpoints in brackets" \
  grep -qE '^[0-9]+,[0-9]+,[0-9]+,\[2001:db8:c::[0-9a-f]+\]:[0-9]+,\[2001:db8::10\]:80,' "$tmp/ds/connections.csv"
check "ipv6 scenarios: summary.json gives a dual-stack server's ip6" \
  test "$(field "$tmp/ds/summary.json" servers.0.ip)/$(field "$tmp/ds/summary.json" servers.0.ip6)" = "192.0.2.11/2001:db8:1::11"
check "ipv6 scenarios: no 240.0.0.0/4 key reaches an output" \
  test -z "$(grep -rlE '(^|[^0-9.])2(4[0-9]|5[0-5])\.[0-9]+\.[0-9]+\.[0-9]+' "$tmp/ds" --include='*.csv' --include='*.json' --include='*.txt')"

# Bad input: each a one-word change of the dual-stack scenario, through validate and run.
# bad_case NAME SED-EXPRESSION EXPECTED-POSITION EXPECTED-TEXT
nbad6=0
bad_case() {
  nbad6=$((nbad6 + 1))
  local name=$1 f="$tmp/bad6-$nbad6.json"
  sed "$2" "$ds" > "$f"
  rm -rf "$tmp/bad6-out"
  "$IPVSIM" validate "$f" > "$tmp/bad6.out" 2> "$tmp/bad6.err"; local vrc=$?
  "$IPVSIM" run "$f" -o "$tmp/bad6-out" > /dev/null 2> "$tmp/bad6-run.err"; local rc=$?
  check "ipv6 scenarios: $name: exit 2 from validate and run ($vrc, $rc)" test "$vrc/$rc" = 2/2
  check "ipv6 scenarios: $name: FILE:LINE:COL and the message" \
    grep -qF "$f:$3: $4" "$tmp/bad6.err"
  check "ipv6 scenarios: $name: run writes nothing" test ! -e "$tmp/bad6-out"
}
bad_case "bad hexadecimal group" 's|"vip6": "2001:db8::10"|"vip6": "2001:db8::1g"|' 4:60 \
  "director.vip6: bad IPv6 address \"2001:db8::1g\": expected ':' or the end of the address"
bad_case "two ::" 's|"ip6": "2001:db8:1::11"|"ip6": "2001::db8::11"|' 5:70 \
  "servers[0].ip6: bad IPv6 address \"2001::db8::11\": expected a hexadecimal group (\"::\" may appear once)"
bad_case "prefix length 129" 's|"2001:db8:c::/64"|"2001:db8:c::/129"|' 9:68 \
  "clients[1].net: bad IPv6 network \"2001:db8:c::/129\": expected a prefix length 0 to 128"
bad_case "host bits in a prefix" 's|"2001:db8:c::/64"|"2001:db8:c::1/64"|' 9:54 \
  "clients[1].net: \"2001:db8:c::1/64\" has host bits set (the network is 2001:db8:c::/64)"
bad_case "target without brackets" 's|"\[2001:db8::10\]:80"|"2001:db8::10:80"|' 9:83 \
  "clients[1].target: expected an IPv6 address in brackets and a port like \"[2001:db8::10]:80\""
bad_case "target without its ]" 's|"\[2001:db8::10\]:80"|"[2001:db8::10:80"|' 9:100 \
  "clients[1].target: missing ']' after the IPv6 address"
bad_case "vip6 of the other family" 's|"vip6": "2001:db8::10"|"vip6": "192.0.2.99"|' 4:48 \
  "director.vip6: expected an IPv6 address, not an IPv4 one"
bad_case "IPv4 VIP in 240.0.0.0/4" 's|"vip": "203.0.113.10"|"vip": "240.0.113.10"|' 4:24 \
  "director.vip: \"240.0.113.10\" is in 240.0.0.0/4, which is reserved (class E)"
bad_case "IPv4 client net in 240.0.0.0/4" 's|"198.51.100.0/24"|"250.0.0.0/24"|' 7:53 \
  "clients[0].net: \"250.0.0.0/24\" is in 240.0.0.0/4, which is reserved (class E)"
bad_case "server off the servers' /64" 's|"ip6": "2001:db8:1::12"|"ip6": "2001:db8:2::12"|' 6:60 \
  "servers[1].ip6: 2001:db8:2::12 is not on the LAN 2001:db8:1::/64"
"$IPVSIM" validate "$ds" --set 'director.vip6=2001:db8::zz' > /dev/null 2> "$tmp/bad6-set.err"
check "ipv6 scenarios: --set with a bad IPv6 address exits 2 and says why" \
  test $? -eq 2 -a -n "$(grep -F 'bad IPv6 address "2001:db8::zz"' "$tmp/bad6-set.err")"
