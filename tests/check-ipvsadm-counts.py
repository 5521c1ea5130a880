#!/usr/bin/env python3
"""ActiveConn/InActConn in an ipvsadm.txt agree with its connection listing: a dest's
ActiveConn is the number of its active entries in -Lnc, InActConn the number of its
other (non-template) entries; UDP entries are never active. Active TCP states depend
on the kernel of the run (summary.json beside ipvsadm.txt): ESTABLISHED in 2.6.34;
since 4.8 (tcp_state_active_table) also SYN_SENT, SYN_RECV and SYNACK.
usage: check-ipvsadm-counts.py results/NAME/ipvsadm.txt"""
import json, os, re, sys, collections

text = open(sys.argv[1]).read()
kernel = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "summary.json")))["kernel"]
tcp_active = {"ESTABLISHED"} if kernel == "2.6.34" else {"ESTABLISHED", "SYN_SENT", "SYN_RECV", "SYNACK"}
ln = text.split("# ipvsadm -Ln\n", 1)[1].split("\n\n", 1)[0]
conns = text.split("# ipvsadm -Lnc\n", 1)[1]
table = {}
for m in re.finditer(r"^  -> (\S+)\s+\S+\s+\d+\s+(\d+)\s+(\d+)", ln, re.M):
    a = table.setdefault(m.group(1), [0, 0])
    a[0] += int(m.group(2)); a[1] += int(m.group(3))
seen = collections.defaultdict(lambda: [0, 0])
for line in conns.splitlines()[2:]:
    f = line.split()
    if len(f) < 6 or f[2] in ("NONE", "ASSURED"):      # templates count as PersistConn
        continue
    active = f[0] == "TCP" and f[2] in tcp_active or f[0] == "SCTP" and f[2] == "ESTABLISHED"
    seen[f[5]][0 if active else 1] += 1
bad = [(d, table[d], seen[d]) for d in table if table[d] != seen[d]]
for d, want, got in bad:
    print(f"{d}: -Ln says active/inactive {want}, -Lnc lists {got}")
sys.exit(1 if bad or not table else 0)
