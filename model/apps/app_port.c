/* The ephemeral ports in use, per (protocol, local address): app_port_alloc's walk as
 * a connect() with an unbound socket takes a port (__inet_hash_connect,
 * net/ipv4/inet_hashtables.c: an offset in the range, then upwards, wrapping).
 *
 * Why a map starts as a short list and not as a bitmap of the range: a client of 4096
 * addresses would zero 14 MB (3.5 KB per address) at its first connections, and every
 * allocation would touch a random line of its address's map, a cache miss per
 * connection. Most addresses hold a few ports at a time, so a map is a list of the
 * ports in use (one cache line, scanned) until more than PORT_LIST_MAX are, and a
 * bitmap from then on. The walk asks "in use?" of the same ports in the same order
 * either way, so the port drawn does not depend on the form. */
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "sim/rng.h"

#define NPORTS        (EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1)
#define PORT_WORDS    ((NPORTS + 63) / 64)
#define PORT_LIST_MAX 22             /* fills the slot's cache line */
#define PORT_TAB_MIN  16

/* A map lives in its slot of the stack's table: finding it and reading it is one
 * cache line, not two (a client picks an address per connection, so its maps are
 * rarely in cache). Maps move when the table grows: nobody keeps a pointer to one. */
struct port_map {
    uint64_t key;                    /* protocol << 32 | laddr; 0: an empty slot (a
                                        protocol is never 0) */
    uint32_t used;                   /* ports in use */
    uint16_t list[PORT_LIST_MAX];    /* while bits is NULL: the first `used` are the ports
                                        in use, as offsets from EPHEMERAL_PORT_LOW */
    uint64_t *bits;                  /* once more than PORT_LIST_MAX were in use */
};

_Static_assert(sizeof(struct port_map) == 64, "a port map fills one cache line");

/* ---- one map ----------------------------------------------------------------------- */

static bool map_has(const struct port_map *m, uint32_t i)
{
    if (m->bits)
        return m->bits[i / 64] >> (i % 64) & 1;
    for (uint32_t k = 0; k < m->used; k++)
        if (m->list[k] == i)
            return true;
    return false;
}

static void map_add(struct port_map *m, uint32_t i)
{
    if (!m->bits && m->used == PORT_LIST_MAX) {
        m->bits = g_new0(uint64_t, PORT_WORDS);
        for (uint32_t k = 0; k < m->used; k++)
            m->bits[m->list[k] / 64] |= 1ull << (m->list[k] % 64);
    }
    if (m->bits)
        m->bits[i / 64] |= 1ull << (i % 64);
    else
        m->list[m->used] = (uint16_t)i;
    m->used++;
}

static void map_del(struct port_map *m, uint32_t i)
{
    if (m->bits) {
        if (m->bits[i / 64] >> (i % 64) & 1) {
            m->bits[i / 64] &= ~(1ull << (i % 64));
            m->used--;
        }
        return;
    }
    for (uint32_t k = 0; k < m->used; k++)
        if (m->list[k] == i) {
            m->list[k] = m->list[--m->used];   /* the list's order means nothing */
            return;
        }
}

/* ---- the maps of a stack, by key: open addressing, linear probing, at most half full,
 * never iterated but to free them ------------------------------------------------------ */

static inline uint32_t key_home(uint64_t key, uint32_t mask)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32) & mask;
}

static struct port_map *tab_find(const struct port_tab *t, uint64_t key)
{
    for (uint32_t i = key_home(key, t->mask);; i = (i + 1) & t->mask)
        if (t->slots[i].key == key || t->slots[i].key == 0)
            return &t->slots[i];
}

static void tab_grow(struct port_tab *t)
{
    struct port_map *old = t->slots;
    uint32_t n = t->mask + 1;
    t->slots = g_aligned_alloc0((gsize)n * 2, sizeof *old, 64);
    t->mask = n * 2 - 1;
    for (uint32_t i = 0; i < n; i++)
        if (old[i].key)
            *tab_find(t, old[i].key) = old[i];
    g_aligned_free(old);
}

void port_tab_init(struct port_tab *t)
{
    t->slots = g_aligned_alloc0(PORT_TAB_MIN, sizeof *t->slots, 64);
    t->mask = PORT_TAB_MIN - 1;
    t->count = 0;
}

void port_tab_free(struct port_tab *t)
{
    for (uint32_t i = 0; i <= t->mask; i++)
        g_free(t->slots[i].bits);
    g_aligned_free(t->slots);
    t->slots = NULL;
}

/* The map of (proto, laddr), or NULL when it has none. */
static struct port_map *port_map(const struct app_stack *st, uint8_t proto, be32 laddr)
{
    struct port_map *m = tab_find(&st->ports, (uint64_t)proto << 32 | laddr);
    return m->key ? m : NULL;
}

static struct port_map *port_map_make(struct app_stack *st, uint8_t proto, be32 laddr)
{
    struct port_tab *t = &st->ports;
    uint64_t key = (uint64_t)proto << 32 | laddr;
    struct port_map *m = tab_find(t, key);
    if (m->key)
        return m;
    if (2 * (t->count + 1) > t->mask + 1) {
        tab_grow(t);
        m = tab_find(t, key);
    }
    m->key = key;
    t->count++;
    return m;
}

/* ---- the stack's calls ---------------------------------------------------------------- */

void app_port_prefetch(const struct app_stack *st, uint8_t proto, be32 laddr)
{
    const struct port_tab *t = &st->ports;
    __builtin_prefetch(&t->slots[key_home((uint64_t)proto << 32 | laddr, t->mask)]);
}

void app_port_prefetch_walk(const struct app_stack *st, uint8_t proto, be32 laddr, struct rng r,
                            be32 raddr, be16 rport)
{
    const struct port_map *m = port_map(st, proto, laddr);
    uint32_t start = (uint32_t)rng_below(&r, NPORTS);     /* app_port_alloc_reuse's draw */
    if (m && m->bits)
        __builtin_prefetch(&m->bits[start / 64]);
    /* The walk mostly ends at its start: most of a range is free. */
    app_tuple_prefetch(st, proto, laddr, htons((uint16_t)(EPHEMERAL_PORT_LOW + start)), raddr,
                       rport);
}

be16 app_port_alloc(struct app_stack *st, uint8_t proto, be32 laddr, struct rng *r)
{
    return app_port_alloc_reuse(st, proto, laddr, r, NULL, NULL);
}

be16 app_port_alloc_reuse(struct app_stack *st, uint8_t proto, be32 laddr, struct rng *r,
                          bool (*reuse)(void *ctx, be16 port), void *ctx)
{
    struct port_map *m = port_map_make(st, proto, laddr);
    uint32_t start = (uint32_t)rng_below(r, NPORTS);
    if (m->used == NPORTS && !reuse)
        return 0;
    for (uint32_t k = 0; k < NPORTS; k++) {
        uint32_t i = (start + k) % NPORTS;
        be16 port = htons((uint16_t)(EPHEMERAL_PORT_LOW + i));
        bool used = map_has(m, i);
        if (used && reuse && reuse(ctx, port)) {
            m = port_map(st, proto, laddr);  /* (where it is, should the table have grown) */
            used = map_has(m, i);        /* released by the takeover */
        }
        if (!used) {
            map_add(m, i);
            return port;
        }
    }
    return 0;
}

/* The offset of port in the range, or -1 outside it. */
static int32_t port_index(be16 port)
{
    uint32_t p = ntohs(port);
    return p < EPHEMERAL_PORT_LOW || p > EPHEMERAL_PORT_HIGH ? -1
                                                             : (int32_t)(p - EPHEMERAL_PORT_LOW);
}

void app_port_release(struct app_stack *st, uint8_t proto, be32 laddr, be16 port)
{
    struct port_map *m = port_map(st, proto, laddr);
    int32_t i = port_index(port);
    if (m && i >= 0)
        map_del(m, (uint32_t)i);
}

bool app_port_in_use(const struct app_stack *st, uint8_t proto, be32 laddr, be16 port)
{
    struct port_map *m = port_map(st, proto, laddr);
    int32_t i = port_index(port);
    return m && i >= 0 && map_has(m, (uint32_t)i);
}
