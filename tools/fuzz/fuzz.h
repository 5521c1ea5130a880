/* libFuzzer harnesses: what they share (tools/fuzz/common.c).
 *
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput and is linked with common.c and the
 * library compiled by clang with -fsanitize=fuzzer-no-link,address,undefined
 * (`make fuzz`, build/fuzz/). Every input gets a fresh world: a crash reproduces
 * from its input alone. */
#ifndef IPVSIM_TOOLS_FUZZ_FUZZ_H
#define IPVSIM_TOOLS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "model/net.h"
#include "sim/world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The lines of an ipvsadm -Sn, sorted (g_free it): ipvsadm orders services by u32
 * differences taken to int (ipvsadm_print.c, as ipvsadm does), which is not transitive
 * for addresses 2^31 apart, so a save round trip may list the same services in another
 * order; the lines must stay. */
char *fuzz_sorted_lines(const char *text);

/* A NUL-terminated copy of the input (g_free it). */
char *fuzz_cstr(const uint8_t *data, size_t size);

be32 fuzz_ip(const char *dotted);

/* A host with a kernel of the default era; ifaces like "eth0=10.0.1.2/24". */
struct host *fuzz_host(struct world *w, const char *name, const char *const *ifaces);

/* The LVS topology of the packet target (and the iptables target's director):
 *
 *   client 10.0.1.2 -- 10.0.1.1 gw 192.0.2.254 --+-- 192.0.2.1 lvs (+ VIP 203.0.113.10)
 *                                                +-- 192.0.2.11 rs1 (NAT)
 *                                                +-- 192.0.2.12 rs2 (DR, VIP on lo)
 *                                                +-- 192.0.2.13 rs3 (TUN, VIP on tunl0)
 *
 * The director has IPVS services (TCP VIP:80 rr over all three methods, UDP VIP:53
 * persistent sh, fwmark 5 wlc, TCP VIP:21 lc), iptables rules in raw, mangle, nat and
 * filter (conntrack, MARK, LOG, REJECT), and user hooks. */
#define FUZZ_VIP "203.0.113.10"

struct fuzz_lvs {
    struct world w;
    struct host *client, *gw, *lvs, *rs[3];
    struct net_device *devs[8];     /* where a fuzzed frame may arrive */
    unsigned ndevs;
};

/* era NULL: the default. with_config: the services, rules and hooks. */
void fuzz_lvs_init(struct fuzz_lvs *t, const char *era, bool with_config);
void fuzz_lvs_free(struct fuzz_lvs *t);

/* Deliver a frame (Ethernet header first) on dev as a link would: real bytes frame,
 * then vlen virtual zero bytes. Frames longer than an skb's tailroom are cut. */
void fuzz_deliver(struct world *w, struct net_device *dev, const uint8_t *frame, uint32_t len,
                  uint32_t vlen);

#endif
