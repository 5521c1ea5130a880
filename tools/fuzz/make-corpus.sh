#!/usr/bin/env bash
# Regenerate the seed corpora of tools/fuzz/corpus/ (small files only):
#   scenario   scenarios/*.json, tests/scenarios/*.json, tests/bad-scenarios/*.json
#              (with their .set overrides after a NUL byte)
#   ipvsadm    ipvsadm lines of the tests, and a few sequences
#   iptables   iptables lines of the tests, and a few sequences
#   saved      saved rule sets: tests/scenarios/saved/, the bad ones of tests/bad-scenarios/
#   units      values of tests/app/scenario/test_units.c, distributions, trace files
#   pkt        frames built with the packet builders (tools/fuzz/mkseeds.c)
#   replay_csv, replay_pcap   conversations as CSV and pcap files (tools/fuzz/make-replay-corpus.py)
# Inputs libFuzzer finds stay in build/fuzz/corpus/; copy the interesting ones here
# by hand (and every crash, once fixed, also becomes a test).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tools/fuzz/corpus
mkdir -p "$out"/{scenario,ipvsadm,iptables,saved,units,pkt}
python3 tools/fuzz/make-corpus.py "$out"
python3 tools/fuzz/make-replay-corpus.py "$out"
# frames: mkseeds is compiled from the sources (sim/ and model/ are all it needs)
bin=$(mktemp -d)/mkseeds
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -I. $(pkg-config --cflags glib-2.0 libpcap) \
  -o "$bin" tools/fuzz/mkseeds.c tools/fuzz/common.c sim/*.c $(find model -name '*.c') \
  $(pkg-config --libs glib-2.0 libpcap) -lm
"$bin" "$out/pkt"
rm -rf "$(dirname "$bin")"
for d in "$out"/*; do echo "$d: $(ls "$d" | wc -l) files, $(cat "$d"/* | wc -c) bytes"; done
