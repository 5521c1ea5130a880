/* Hostile frames: the frame parser (pkt_parse) and the whole receive path of a
 * kernel model (host_deliver -> netif_receive_skb -> ip_rcv -> netfilter, conntrack,
 * NAT, IPVS, forwarding, local delivery, ICMP errors, resets...; ipv6_rcv ->
 * forwarding, neighbour discovery, ICMPv6) on the LVS topology of common.c.
 *
 * Input: records of
 *   byte 0      bits 0-2: where the frame arrives (the director's eth0, rs1, rs2, rs3,
 *               gw eth1, gw eth0, client, the director's lo); bits 3-7: how long the
 *               world runs before the frame (n * 100 us)
 *   byte 1      real length L (cut at the skb's tailroom, 224 bytes)
 *   bytes 2-3   virtual payload after the real bytes (big-endian; 0-65535)
 *   L bytes     the frame, Ethernet header first
 * The first record's byte 0 also picks the kernel era (bits 3-4 of it). After the
 * last frame the world runs for 10 simulated seconds; then every packet must be
 * back in the pool (a packet the model forgets is a leak the pool would hide). */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/pkt.h"
#include "tools/fuzz/fuzz.h"

static const char *const eras[] = { "6.x", "2.6.34", "4.9", "5.10" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    /* the parser alone, on the whole input as one frame and as frames */
    struct pkt_info info;
    pkt_parse(data, (uint32_t)size, (uint32_t)size, &info);
    pkt_err_str(pkt_parse(data, (uint32_t)size, (uint32_t)size + data[0] * 7u, NULL));

    struct fuzz_lvs t;
    fuzz_lvs_init(&t, eras[(data[0] >> 3) & 3], true);
    struct sim *sim = &t.w.sim;
    size_t at = 0;
    int frames = 0;
    while (at + 4 <= size && frames < 64) {
        uint8_t sel = data[at];
        uint32_t len = data[at + 1];
        uint32_t vlen = (uint32_t)data[at + 2] << 8 | data[at + 3];
        at += 4;
        if (len > size - at)
            len = (uint32_t)(size - at);
        const uint8_t *frame = data + at;
        at += len;
        pkt_parse(frame, len, len + vlen, &info);
        sim_run_until(sim, sim->now + (sim_time_t)(sel >> 3) * 100 * USEC);
        fuzz_deliver(&t.w, t.devs[sel & 7], frame, len, vlen);
        frames++;
    }
    sim_run_until(sim, sim->now + 10 * SEC);
    if (t.w.pool.in_use != 0) {
        fprintf(stderr, "fuzz_pkt: %llu packets never freed\n", (unsigned long long)t.w.pool.in_use);
        abort();
    }
    fuzz_lvs_free(&t);
    return 0;
}
