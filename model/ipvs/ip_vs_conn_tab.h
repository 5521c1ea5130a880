/* The connection table's insides, shared by ip_vs_conn.c (storage, hashing,
 * lifetime) and ip_vs_conn_timer.c (expiry). Nothing else includes this. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_CONN_TAB_H
#define IPVSIM_MODEL_IPVS_IP_VS_CONN_TAB_H

#include <glib.h>
#include <stddef.h>
#include "model/ipvs/ip_vs.h"
#include "sim/event.h"

#define CONN_CHUNK_BITS 10
#define CONN_CHUNK (1u << CONN_CHUNK_BITS)  /* entries allocated at a time */
#define IP_VS_CONN_NO_TIMER UINT32_MAX

/* The connections armed with one timeout value, in deadline order. Every member
 * was appended at (its deadline - timeout), and time only moves forward, so
 * appending keeps the order: no sorting, no per-connection queue event. One queue
 * event per list stands for its head; it may be early (the head moved on), never
 * late. */
/* A list of entries linked through one struct ip_vs_conn_link member. */
struct conn_ref_list {
    uint32_t head, tail;             /* refs */
};

struct conn_timer_list {
    sim_time_t timeout;
    struct conn_ref_list l;
    sim_event_id event;              /* pending, 0 when none */
};

/* A link of a hash chain: the entry it leads to, and that entry's hash key, so that a
 * lookup passes an entry of another key without reading it. Each entry's link to the
 * next one lives apart from the entry (conn_next), in an array of 8-byte links: a
 * chain walk reads the bucket and these, and an entry only when its key hash matches
 * (a new connection's lookup, the most frequent miss, then touches no entry). */
struct conn_link {
    uint32_t ref;                    /* 0: the end of the chain */
    uint32_t hash;                   /* conn_hashkey of the entry */
};

struct ip_vs_conn_tab {
    struct netns_ipvs *ipvs;
    struct ip_vs_conn **chunks;      /* CONN_CHUNK entries each */
    struct conn_link **next_chunks;  /* the entries' next links, CONN_CHUNK each; the
                                        free list too (through ref) */
    uint32_t n_chunks, cap_chunks;
    uint32_t free;                   /* recycled entries */
    struct conn_ref_list all;        /* creation order, through c_list */
    struct conn_link *buckets;       /* hash chain heads, newest first */
    uint32_t n_buckets;              /* a power of two, grown with the entries */
    uint64_t hashed;
    GHashTable *fnat_out;            /* FULLNAT conns by their reply key (lazily) */
    struct conn_timer_list *timers;
    uint32_t n_timers;
    uint64_t count, next_id;
    uint64_t limit;                  /* 0 = unlimited */
    uint64_t refused;                /* new connections refused at the limit */
};

static inline struct ip_vs_conn *conn_at(const struct ip_vs_conn_tab *t, uint32_t ref)
{
    uint32_t i = ref - 1;
    return &t->chunks[i >> CONN_CHUNK_BITS][i & (CONN_CHUNK - 1)];
}

/* The link from the entry of ref to the next one in its chain (or free list). */
static inline struct conn_link *conn_next(const struct ip_vs_conn_tab *t, uint32_t ref)
{
    uint32_t i = ref - 1;
    return &t->next_chunks[i >> CONN_CHUNK_BITS][i & (CONN_CHUNK - 1)];
}

static inline struct ip_vs_conn_link *conn_link(struct ip_vs_conn *cp, size_t member)
{
    return (struct ip_vs_conn_link *)((char *)cp + member);
}

/* Append cp to l through its link member (offsetof(struct ip_vs_conn, ...)). */
static inline void conn_list_append(const struct ip_vs_conn_tab *t, struct conn_ref_list *l,
                                    size_t member, struct ip_vs_conn *cp)
{
    struct ip_vs_conn_link *k = conn_link(cp, member);
    k->prev = l->tail;
    k->next = 0;
    if (l->tail)
        conn_link(conn_at(t, l->tail), member)->next = cp->ref;
    else
        l->head = cp->ref;
    l->tail = cp->ref;
}

static inline void conn_list_del(const struct ip_vs_conn_tab *t, struct conn_ref_list *l,
                                 size_t member, struct ip_vs_conn *cp)
{
    struct ip_vs_conn_link *k = conn_link(cp, member);
    if (k->prev)
        conn_link(conn_at(t, k->prev), member)->next = k->next;
    else
        l->head = k->next;
    if (k->next)
        conn_link(conn_at(t, k->next), member)->prev = k->prev;
    else
        l->tail = k->prev;
}

/* ip_vs_conn_timer.c */
/* (Re)arm cp's timer for now + delay (cp->timeout, or 0 to expire at once);
 * cp->expires becomes that deadline. */
void conn_timer_arm(struct ip_vs_conn *cp, sim_time_t delay);
/* Take cp out of its timer list (no-op when it is in none). */
void conn_timer_del(struct ip_vs_conn *cp);
void conn_timers_free(struct ip_vs_conn_tab *t);

/* ip_vs_conn.c: the deadline of cp has come. */
void ip_vs_conn_expire(struct ip_vs_conn *cp);

#endif
