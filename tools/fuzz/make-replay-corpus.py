#!/usr/bin/env python3
"""Seeds of the replay fuzz targets (tools/fuzz/make-corpus.sh calls it):
replay_csv: CSV files of conversations, with and without a header;
replay_pcap: small pcaps of every link type the reader takes, cut captures of
scenarios/replay-record-*.pcap."""
import os, struct, sys

out = sys.argv[1]
csv = {
    "header": "time,client,port,protocol,request,response,destination,requests\n"
              "1700000000.5,198.51.100.7,40001,tcp,300,4KB,203.0.113.10:80,2\n"
              "1700000000.750000001,198.51.100.8,0,udp,40,200,,1\n",
    "plain": "0,198.51.100.7,0,tcp,300,4000\n0.5,198.51.100.8,0,udp,40,200\n",
    "units": "# a comment\n\ntime,client,request,response\n10ms,198.51.100.7,1KiB,2MB\r\n1s,198.51.100.9,0,0\n",
    "bad": "time,client,request,response\n1,198.51.100.7,300,x\n",
}
os.makedirs(out + "/replay_csv", exist_ok=True)
for name, text in csv.items():
    open(f"{out}/replay_csv/{name}.csv", "w").write(text)

def hdr(link, magic=0xa1b2c3d4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, link)

def rec(t_us, frame):
    return struct.pack("<IIII", t_us // 1000000, t_us % 1000000, len(frame), len(frame)) + frame

def ip(src, dst, proto, l4, payload):
    tot = 20 + len(l4) + payload
    return (struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0, 0, 64, proto, 0, bytes(src), bytes(dst))
            + l4)

def tcp(sport, dport, seq, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)

def udp(sport, dport, n):
    return struct.pack("!HHHH", sport, dport, 8 + n, 0)

C, V = [198, 51, 100, 7], [203, 0, 113, 10]
conv = [
    ip(C, V, 6, tcp(40001, 80, 1000, 0x02), 0),
    ip(V, C, 6, tcp(80, 40001, 5000, 0x12), 0),
    ip(C, V, 6, tcp(40001, 80, 1001, 0x18), 300),
    ip(V, C, 6, tcp(80, 40001, 5001, 0x18), 1448),
    ip(C, V, 6, tcp(40001, 80, 1301, 0x11), 0),
    ip(C, V, 17, udp(5353, 53, 40), 40),
    ip(V, C, 17, udp(53, 5353, 200), 200),
]
eth = lambda p, t=b"\x08\x00": b"\0" * 12 + t + p
vlan = lambda p: b"\0" * 12 + b"\x81\x00\x00\x05\x08\x00" + p
sll = lambda p: b"\0" * 14 + b"\x08\x00" + p
sll2 = lambda p: b"\x08\x00" + b"\0" * 18 + p
os.makedirs(out + "/replay_pcap", exist_ok=True)
for name, link, wrap in (("eth", 1, eth), ("vlan", 1, vlan), ("raw", 101, lambda p: p),
                         ("sll", 113, sll), ("sll2", 276, sll2)):
    body = b"".join(rec(1000000 + 1000 * i, wrap(p)) for i, p in enumerate(conv))
    open(f"{out}/replay_pcap/{name}.pcap", "wb").write(hdr(link) + body)
# nanosecond and big-endian headers, and the curated captures cut short
open(f"{out}/replay_pcap/nsec.pcap", "wb").write(
    hdr(1, 0xa1b23c4d) + b"".join(rec(i, eth(p)) for i, p in enumerate(conv)))
open(f"{out}/replay_pcap/big.pcap", "wb").write(
    struct.pack(">IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) +
    b"".join(struct.pack(">IIII", 1, i, len(eth(p)), len(eth(p))) + eth(p) for i, p in enumerate(conv)))
for g in ("web", "dns"):
    data = open(f"scenarios/replay-record-{g}.pcap", "rb").read()
    open(f"{out}/replay_pcap/record-{g}.pcap", "wb").write(data[:3000])
