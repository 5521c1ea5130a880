/* IP id generators per era (net/ipv4/route.c __ip_select_ident, ip_idents_reserve;
 * 2.6.34: net/ipv4/inetpeer.c's per-peer counter). See ip_ident.h. */
#include "model/ipv4/ip_ident.h"

#include <glib.h>
#include <stdio.h>
#include "model/ipvs/siphash.h"
#include "model/net.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define IP_IDENTS_SZ 2048u

struct ip_ident_state {
    struct rng rng;
    siphash_key_t key;              /* secure_ip_id's / __ip_select_ident's secret */
    GHashTable *peers;              /* 2.6.34: daddr -> next id (inet_peer) */
    uint32_t idents[IP_IDENTS_SZ];  /* 3.16+: ip_idents, random at boot */
    uint32_t tstamps[IP_IDENTS_SZ]; /* ip_tstamps, zero at boot */
};

static struct ip_ident_state *ident_state(struct net *net)
{
    if (net->ident)
        return net->ident;
    struct ip_ident_state *s = g_new0(struct ip_ident_state, 1);
    char name[64];
    snprintf(name, sizeof name, "ip_ident/%s", net->host->name);
    rng_init(&s->rng, host_sim(net->host)->seed, name);
    s->key.key[0] = rng_u64(&s->rng);
    s->key.key[1] = rng_u64(&s->rng);
    for (unsigned i = 0; i < IP_IDENTS_SZ; i++)
        s->idents[i] = (uint32_t)rng_u64(&s->rng);
    s->peers = g_hash_table_new(g_direct_hash, g_direct_equal);
    net->ident = s;
    return s;
}

/* inet_getid: the destination's counter, created at its secure_ip_id. */
static uint16_t inet_peer_id(struct ip_ident_state *s, be32 daddr)
{
    gpointer key = GUINT_TO_POINTER(daddr), val;
    uint32_t id;
    if (g_hash_table_lookup_extended(s->peers, key, NULL, &val))
        id = GPOINTER_TO_UINT(val);
    else
        id = hsiphash_u32(daddr, &s->key);
    g_hash_table_insert(s->peers, key, GUINT_TO_POINTER((id + 1) & 0xffff));
    return (uint16_t)id;
}

/* ip_idents_reserve for one segment. */
static uint16_t ip_idents_id(struct net *net, struct ip_ident_state *s, be32 saddr, be32 daddr,
                             uint8_t protocol)
{
    uint32_t words[3] = { daddr, saddr, protocol };
    uint32_t bucket = hsiphash(words, sizeof words, &s->key) % IP_IDENTS_SZ;
    uint32_t now = (uint32_t)net_jiffies(net);
    uint32_t old = s->tstamps[bucket], delta = 0;
    if (old != now) {
        s->tstamps[bucket] = now;
        delta = (uint32_t)rng_below(&s->rng, now - old);
    }
    uint32_t id = s->idents[bucket] + delta;
    s->idents[bucket] = id + 1;
    return (uint16_t)id;
}

be16 ip_select_ident(struct net *net, be32 saddr, be32 daddr, uint8_t protocol, bool df)
{
    if (df)
        return 0;
    struct ip_ident_state *s = ident_state(net);
    if (net->prof->ip_ident == IP_IDENT_INETPEER)
        return htons(inet_peer_id(s, daddr));
    return htons(ip_idents_id(net, s, saddr, daddr, protocol));
}

void ip_ident_exit(struct net *net)
{
    if (!net->ident)
        return;
    g_hash_table_destroy(net->ident->peers);
    g_free(net->ident);
    net->ident = NULL;
}
