-- A dissector for Generic UDP Encapsulation (GUE, draft-ietf-intarea-gue), which
-- Wireshark 4.0 lacks: it shows the 4-byte GUE header, then hands the inner packet to
-- the dissector of its IP protocol (4: IPv4, as IPVS's GUE tunnels send it,
-- ipvs_gue_encap in net/netfilter/ipvs/ip_vs_xmit.c, Linux 5.3+). Variant 1 (an IP
-- packet straight after the UDP header) goes to the IP dissector. Use:
--   tshark -X lua_script:tools/gue.lua -d udp.port==6080,gue -r results/tun-gue-gre/pcap/rs1-eth0.pcap
local gue = Proto("gue", "Generic UDP Encapsulation")
local f_version = ProtoField.uint8("gue.version", "Version", base.DEC, nil, 0xc0)
local f_control = ProtoField.bool("gue.control", "Control message", 8, nil, 0x20)
local f_hlen = ProtoField.uint8("gue.hlen", "Extension length (32-bit words)", base.DEC, nil, 0x1f)
local f_proto = ProtoField.uint8("gue.proto", "Protocol", base.DEC)
local f_flags = ProtoField.uint16("gue.flags", "Flags", base.HEX)
gue.fields = { f_version, f_control, f_hlen, f_proto, f_flags }

local ip_proto = DissectorTable.get("ip.proto")
local ip = Dissector.get("ip")

function gue.dissector(tvb, pinfo, tree)
  if tvb:len() < 1 then return 0 end
  local first = tvb(0, 1):uint()
  local version = math.floor(first / 64)
  if version == 1 then                  -- variant 1: the IP header itself
    ip:call(tvb, pinfo, tree)
    return tvb:len()
  end
  local hlen = 4 + 4 * (first % 32)
  if version ~= 0 or tvb:len() < hlen then return 0 end
  local t = tree:add(gue, tvb(0, hlen))
  t:add(f_version, tvb(0, 1))
  t:add(f_control, tvb(0, 1))
  t:add(f_hlen, tvb(0, 1))
  t:add(f_proto, tvb(1, 1))
  t:add(f_flags, tvb(2, 2))
  pinfo.cols.protocol = "GUE"
  local control = math.floor(first / 32) % 2 == 1
  if not control and tvb:len() > hlen then
    ip_proto:try(tvb(1, 1):uint(), tvb(hlen):tvb(), pinfo, tree)
  end
  return tvb:len()
end

DissectorTable.get("udp.port"):add_for_decode_as(gue)
