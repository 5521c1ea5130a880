/* The defense strategies against connection floods (update_defense_level,
 * ip_vs_todrop, ip_vs_random_dropentry in ip_vs_ctl.c / ip_vs_conn.c): once a
 * second the director compares its available memory with amemthresh and switches
 * drop_entry, drop_packet and secure_tcp on or off as their modes say.
 *
 * Memory is modelled as what the scenario gives the director (director.memory)
 * less IP_VS_CONN_MEM bytes per connection entry: a flood of half-open connections
 * is what exhausts it. With no memory given, memory never runs short, and only the
 * "always on" mode (3) of each strategy acts. Kernel: ip_vs_ctl.c update_defense_level,
 * ip_vs_conn.c ip_vs_random_dropentry, ip_vs_core.c ip_vs_todrop. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_DEFENSE_H
#define IPVSIM_MODEL_IPVS_IP_VS_DEFENSE_H

#include <stdbool.h>
#include <stdint.h>
#include "model/ipvs/ip_vs.h"

#define IP_VS_CONN_MEM 320              /* bytes one connection entry takes */
#define IP_VS_PAGE_SIZE 4096
#define IP_VS_DEFENSE_PERIOD SEC

struct ip_vs_defense {
    uint64_t mem_bytes;                 /* 0 = unlimited */
    int drop_rate, drop_counter;        /* drop_packet: 1 of every drop_rate new conns */
    uint64_t packets_dropped, entries_dropped;
    int todrop_counter[9];              /* todrop_entry's countdowns per in_pkts */
    struct rng rng;                     /* which buckets drop_entry scans */
    uint32_t hash_rnd;                  /* the connection table's hash seed */
};

void ip_vs_defense_init(struct netns_ipvs *ipvs);
void ip_vs_defense_exit(struct netns_ipvs *ipvs);
void ip_vs_defense_set_memory(struct netns_ipvs *ipvs, uint64_t bytes);
/* Available memory in pages as update_defense_level sees it. */
int64_t ip_vs_defense_availmem(const struct netns_ipvs *ipvs);
/* drop_packet: should this new-connection packet be dropped? */
bool ip_vs_todrop(struct netns_ipvs *ipvs);
/* One run of update_defense_level (the timer calls it every second). */
void ip_vs_update_defense_level(struct netns_ipvs *ipvs);

#endif
