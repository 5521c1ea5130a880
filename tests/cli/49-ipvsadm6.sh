# ipvsadm lines with IPv6 in a scenario: services and dests in brackets, -f N -6, -M as a
# prefix length, listed in ipvsadm.txt as ipvsadm lists them; a bad IPv6 address gets
# ipvsadm's message with FILE:LINE:COL, exit 2, nothing written.
# (a section of tests/run-cli-tests.sh; its helpers are in tests/cli/lib.sh)
# The scenario's hosts are IPv4 only: the IPv6 service has no traffic (scenarios/nat6.json has).

python3 - scenarios/dr.json "$tmp" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["duration"] = "1s"
s["clients"][0]["stop"] = "0.5s"
s.pop("capture", None)
s.pop("expect", None)
s["ipvs"] += ["-A -t [2001:db8::10]:80 -s sh",
              "-a -t [2001:db8::10]:80 -r [2001:db8::2]:80 -m",
              "-A -f 7 -6 -p -M 64"]
json.dump(s, open(sys.argv[2] + "/adm6.json", "w"), indent=1)
s["ipvs"].append("-a -t [2001:db8::10]:80 -r [2001:db8::zz]:80 -m")
json.dump(s, open(sys.argv[2] + "/adm6-bad.json", "w"), indent=1)
PY

"$IPVSIM" validate "$tmp/adm6.json" > "$tmp/adm6-validate.out" 2>&1; rc=$?
check "ipvsadm6: IPv6 services validate (exit 0)" test $rc -eq 0
check "ipvsadm6: the lint names the IPv6 dest by its address" \
  grep -q "warning: ipvs: dest \[2001:db8::2\] is no server of the scenario" "$tmp/adm6-validate.out"
"$IPVSIM" run -q "$tmp/adm6.json" -o "$tmp/adm6" >/dev/null 2>&1
check "ipvsadm6: run exit 0" test $? -eq 0
adm="$tmp/adm6/ipvsadm.txt"
check "ipvsadm6: -Ln lists the IPv6 service in brackets" grep -qx 'TCP  \[2001:db8::10\]:80 sh' "$adm"
check "ipvsadm6: -Ln lists its dest in brackets" \
  grep -qx '  -> \[2001:db8::2\]:80             Masq    1      0          0         ' "$adm"
check "ipvsadm6: -Ln: FWM 7 IPv6 with the prefix length" \
  grep -qx 'FWM  7 IPv6 wlc persistent 360 mask 64' "$adm"
check "ipvsadm6: -Sn writes -f 7 -6 and -M 64" grep -qx -- '-A -f 7 -6 -s wlc -p 360 -M 64' "$adm"
check "ipvsadm6: /proc/net/ip_vs prints %pI6" \
  grep -qx 'TCP  \[2001:0db8:0000:0000:0000:0000:0000:0010\]:0050 sh ' "$adm"
check "ipvsadm6: no address key (240.0.0.0/4) reaches the output" \
  sh -c "! grep -Eq '(^|[^0-9])2(4[0-9]|5[0-5])\.[0-9]+\.[0-9]+\.[0-9]+' '$adm'"

"$IPVSIM" run -q "$tmp/adm6-bad.json" -o "$tmp/adm6-bad" > "$tmp/adm6-bad.out" 2>&1; rc=$?
check "ipvsadm6: a bad IPv6 dest: exit 2" test $rc -eq 2
check "ipvsadm6: ... ipvsadm's message at the faulty character" grep -q \
  "adm6-bad.json:[0-9]*:42: ipvsadm: illegal real server address\[:port\] specified (IPv6 address: expected a hexadecimal group (1 to 4 digits))" \
  "$tmp/adm6-bad.out"
check "ipvsadm6: ... nothing written" test ! -e "$tmp/adm6-bad"
