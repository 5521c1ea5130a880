/* What the IPVS schedulers share: the kernel's hash_32 and fls, gcd, the port
 * a hashing scheduler may mix in, the weighted-least-connection pick that wlc, lblc
 * and lblcr all make, the "overloaded compared with the others" test of lblc and
 * lblcr, and dest references held by scheduler tables (as ip_vs_dest_hold/put).
 * The ops structs of the 14 schedulers are declared here for the registry
 * (model/ipvs/ip_vs_sched.c). */
#ifndef IPVSIM_MODEL_IPVS_SCHED_SCHED_UTIL_H
#define IPVSIM_MODEL_IPVS_SCHED_SCHED_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include "model/ipvs/ip_vs.h"
#include "model/profile.h"
#include "sim/in6_key.h"

/* include/linux/hash.h (kernels >= 4.7): multiply by the 32-bit golden ratio and
 * keep the top bits. */
#define GOLDEN_RATIO_32 0x61C88647u

static inline uint32_t hash_32(uint32_t val, unsigned bits)
{
    return (uint32_t)(val * GOLDEN_RATIO_32) >> (32 - bits);
}

/* ntohl(addr_fold) of the kernel's ip_vs_{sh,dh,mh,lblc,lblcr}_hashkey (6.1 and
 * every era since 2.6.28): the IPv4 address, or for af AF_INET6 the XOR of the
 * four words of the real IPv6 address (addr->ip6[0] ^ .. ^ ip6[3]; read back from
 * its key, which itself decides nothing). af is the service's: an IPv4 address in
 * an IPv6 hash is its union's word 0 (the others zero), an IPv6 address in an IPv4
 * hash its word 0 (addr->ip). One test of the key bit for IPv4. */
static inline uint32_t ip_vs_addr_fold_af(int af, be32 addr)
{
    if (!in6_is_key(addr))
        return ntohl(addr);
    const uint8_t *b = in6_key_addr(addr)->s6_addr;
    uint32_t fold = 0;
    for (int i = 0; i < (af == AF_INET6 ? 16 : 4); i += 4)
        fold ^= (uint32_t)b[i] << 24 | (uint32_t)b[i + 1] << 16 | (uint32_t)b[i + 2] << 8 |
                b[i + 3];
    return fold;
}

/* The same where the address is of the service's family (a packet's). */
static inline uint32_t ip_vs_addr_fold(be32 addr)
{
    return ip_vs_addr_fold_af(inet_key_family(addr), addr);
}

/* Find last set bit, 1-based; 0 for 0 (the kernel's fls). */
static inline int ip_vs_fls(uint32_t x)
{
    return x ? 32 - __builtin_clz(x) : 0;
}

/* Greatest common divisor of two positive ints (lib/math/gcd.c's result). */
int ip_vs_sched_gcd(int a, int b);

/* The dest a list_head of svc->destinations belongs to. */
static inline struct ip_vs_dest *ip_vs_dest_of(const struct list_head *p)
{
    return list_entry(p, struct ip_vs_dest, n_list);
}

static inline bool ip_vs_dest_overloaded(const struct ip_vs_dest *d)
{
    return (d->flags & IP_VS_DEST_F_OVERLOAD) != 0;
}

/* A reference a scheduler table keeps on a dest (the kernel's ip_vs_dest_hold /
 * ip_vs_dest_put): a dest deleted from the service stays in the trash, alive, while
 * a table still points at it. */
static inline void ip_vs_sched_dest_hold(struct ip_vs_dest *d)
{
    d->refcnt++;
}

static inline void ip_vs_sched_dest_put(struct ip_vs_dest *d)
{
    d->refcnt--;
}

/* The client's port for sh-port / mh-port: the first 16 bits of the TCP, UDP or
 * SCTP header at iph->len; 0 for other protocols or when the header is not in the
 * packet's bytes. (The kernel takes the destination address and port instead for an
 * "inverse" lookup, scheduling from the header quoted in an ICMP error with
 * schedule_icmp; ipvsim's ip_vs_iphdr has no such flag yet.) */
be16 ip_vs_sched_get_port(const struct sk_buff *skb, const struct ip_vs_iphdr *iph);

/* The address a source-hashing scheduler keys on: the packet's source address
 * (the destination one in the kernel's "inverse" case, not modelled yet). */
be32 ip_vs_sched_hash_addr(const struct ip_vs_iphdr *iph);

/* Weighted least-connection over the whole service (wlc, and lblc/lblcr when their
 * cache has nothing usable): the first dest that is not OVERLOADed and has weight > 0
 * starts; a later one wins only with a strictly smaller overhead/weight, compared as
 * 64-bit cross products. NULL when no dest qualifies. */
struct ip_vs_dest *ip_vs_sched_wlc_pick(const struct ip_vs_service *svc);

/* lblc/lblcr's "is overloaded": more active conns than its weight while some dest of
 * the service has active*2 < weight. */
bool ip_vs_sched_lblc_overloaded(const struct ip_vs_dest *dest, const struct ip_vs_service *svc);

/* The service's clock (0 for a service built without a netns, as some tests do). */
static inline sim_time_t ip_vs_sched_now(const struct ip_vs_service *svc)
{
    return svc->ipvs ? ip_vs_now(svc->ipvs) : 0;
}

/* The kernel era the service lives in (the default era for a service built
 * without a netns, as some tests do): schedulers whose algorithm changed read it. */
const struct kernel_profile *ip_vs_sched_profile(const struct ip_vs_service *svc);

/* Seconds (a sysctl) to simulated time. */
static inline sim_time_t ip_vs_sched_secs(int secs)
{
    return (sim_time_t)secs * SEC;
}

/* sh's bucket for a client (ip_vs_sh_hashkey) in the given era's variant. */
unsigned ip_vs_sh_hashkey(enum ip_vs_sh_variant v, be32 addr, be16 port, unsigned offset);

extern const struct ip_vs_scheduler ip_vs_rr_scheduler;
extern const struct ip_vs_scheduler ip_vs_wrr_scheduler;
extern const struct ip_vs_scheduler ip_vs_lc_scheduler;
extern const struct ip_vs_scheduler ip_vs_wlc_scheduler;
extern const struct ip_vs_scheduler ip_vs_sed_scheduler;
extern const struct ip_vs_scheduler ip_vs_nq_scheduler;
extern const struct ip_vs_scheduler ip_vs_fo_scheduler;
extern const struct ip_vs_scheduler ip_vs_ovf_scheduler;
extern const struct ip_vs_scheduler ip_vs_lblc_scheduler;
extern const struct ip_vs_scheduler ip_vs_lblcr_scheduler;
extern const struct ip_vs_scheduler ip_vs_dh_scheduler;
extern const struct ip_vs_scheduler ip_vs_sh_scheduler;
extern const struct ip_vs_scheduler ip_vs_mh_scheduler;
extern const struct ip_vs_scheduler ip_vs_twos_scheduler;

#endif
