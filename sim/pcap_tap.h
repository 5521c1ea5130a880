/* Capture taps: a classic pcap file (Ethernet link type, nanosecond timestamps)
 * written through libpcap's dump API. A tap on an interface records frames it sends
 * (when they are handed to the link, after a drop-tail check) and frames it receives
 * (on arrival). Virtual payload is written as zeros up to the snaplen, so checksums
 * verify in Wireshark when the snaplen covers the whole frame.
 *
 * Timestamps are the simulated time since the start of the run (0 = the epoch),
 * exact to the nanosecond. Each record holds caplen = min(snaplen, wire length)
 * bytes and len = the wire length (without FCS). A tap belongs to one device
 * (dev->tap); freeing the host or the world closes it. Writing allocates nothing. */
#ifndef IPVSIM_SIM_PCAP_TAP_H
#define IPVSIM_SIM_PCAP_TAP_H

#include <stddef.h>
#include <stdint.h>
#include "sim/skb.h"
#include "sim/time.h"

#define PCAP_TAP_DEFAULT_SNAPLEN 65535

struct pcap_tap;

/* Open path for writing (snaplen 0 = the default); on failure returns NULL and a
 * message in err. */
struct pcap_tap *pcap_tap_open(const char *path, uint32_t snaplen, char *err, size_t errlen);
void pcap_tap_write(struct pcap_tap *t, sim_time_t when, const struct sk_buff *skb);
/* Flush and close; returns 0, or -1 if a write failed at any point. */
int pcap_tap_close(struct pcap_tap *t);
/* The same, with a message ("<path>: <what failed>: <strerror>") in err on failure. */
int pcap_tap_close_err(struct pcap_tap *t, char *err, size_t errlen);
uint64_t pcap_tap_frames(const struct pcap_tap *t);
/* At most bytes in the file, headers included (0 = no limit): the first frame that
 * does not fit ends the capture (the file stays valid: whole records only), and it
 * and every later frame are counted in pcap_tap_skipped. */
void pcap_tap_set_limit(struct pcap_tap *t, uint64_t bytes);
/* Bytes that every tap sharing *left may still write together (NULL = no budget): a
 * frame that does not fit in it ends this capture as its own limit does, and each
 * frame written is taken from it. */
void pcap_tap_set_budget(struct pcap_tap *t, uint64_t *left);
uint64_t pcap_tap_bytes(const struct pcap_tap *t);
uint64_t pcap_tap_skipped(const struct pcap_tap *t);
const char *pcap_tap_path(const struct pcap_tap *t);

#endif
