/* The ephemeral ports in use, per (protocol, local address): app_port_alloc's walk as
 * a connect() with an unbound socket takes a port (__inet_hash_connect,
 * net/ipv4/inet_hashtables.c: an offset in the range, then upwards, wrapping).
 *
 * Why a map starts as a short list and not as a bitmap of the range: a client of 4096
 * addresses would zero 14 MB (3.5 KB per address) as its maps fill, and every
 * allocation would touch a random line of its address's map, a cache miss per
 * connection. Most addresses hold a few ports at a time, so a map is a list of the
 * ports in use, inside its slot's cache line while PORT_LIST_MAX fit, then apart in
 * a list of a line, then of two (PORT_EXT_MAX), and a bitmap from then on. 10^5
 * connections from 4096 addresses, each holding its port in TIME_WAIT, leave about 24
 * ports an address in use: lists of a line, 256 KB in all, not 14 MB of bitmaps. The
 * walk asks "in use?" of the same ports in the same order whatever the form, so the
 * port drawn does not depend on it. */
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "sim/rng.h"

#define NPORTS        (EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1)
#define PORT_WORDS    ((NPORTS + 63) / 64)
#define PORT_LIST_MAX 21             /* fills the slot's cache line */
#define PORT_EXT_MIN  32             /* the first list apart: one cache line */
#define PORT_EXT_MAX  64             /* the longest: two lines (scanned at each step) */
#define PORT_TAB_MIN  16

/* A map lives in its slot of the stack's table: finding it and reading it is one
 * cache line, not two (a client picks an address per connection, so its maps are
 * rarely in cache). Maps move when the table grows: nobody keeps a pointer to one. */
struct port_map {
    uint64_t key;                    /* protocol << 32 | laddr; 0: an empty slot (a
                                        protocol is never 0) */
    uint32_t used;                   /* ports in use */
    uint16_t ext_cap;                /* the capacity of ext; 0 when there is none */
    uint16_t list[PORT_LIST_MAX];    /* while out is NULL: the first `used` are the ports
                                        in use, as offsets from EPHEMERAL_PORT_LOW */
    union {
        void *out;                   /* NULL: the list above is the map */
        uint16_t *ext;               /* ext_cap > 0: the list, apart */
        uint64_t *bits;              /* ext_cap == 0: one bit per port of the range */
    };
};

_Static_assert(sizeof(struct port_map) == 64, "a port map fills one cache line");

/* ---- one map ----------------------------------------------------------------------- */

static bool list_has(const uint16_t *list, uint32_t n, uint32_t i)
{
    for (uint32_t k = 0; k < n; k++)
        if (list[k] == i)
            return true;
    return false;
}

static bool map_has(const struct port_map *m, uint32_t i)
{
    if (!m->out)
        return list_has(m->list, m->used, i);
    if (m->ext_cap)
        return list_has(m->ext, m->used, i);
    return m->bits[i / 64] >> (i % 64) & 1;
}

/* Room for one more port: the next form up when the current one is full. */
static void map_grow(struct port_map *m)
{
    bool bitmap = m->out && !m->ext_cap;
    uint32_t cap = m->out ? m->ext_cap : PORT_LIST_MAX;
    if (bitmap || m->used < cap)
        return;
    const uint16_t *from = m->out ? m->ext : m->list;
    void *old = m->out;
    if (cap < PORT_EXT_MAX) {
        uint32_t ncap = m->out ? cap * 2 : PORT_EXT_MIN;
        uint16_t *ext = g_aligned_alloc(ncap, sizeof *ext, 64);
        memcpy(ext, from, m->used * sizeof *ext);
        m->ext = ext;
        m->ext_cap = (uint16_t)ncap;
    } else {
        uint64_t *bits = g_new0(uint64_t, PORT_WORDS);
        for (uint32_t k = 0; k < m->used; k++)
            bits[from[k] / 64] |= 1ull << (from[k] % 64);
        m->bits = bits;
        m->ext_cap = 0;
    }
    g_aligned_free(old);                     /* a list apart, or NULL */
}

static void map_add(struct port_map *m, uint32_t i)
{
    map_grow(m);
    if (!m->out)
        m->list[m->used] = (uint16_t)i;
    else if (m->ext_cap)
        m->ext[m->used] = (uint16_t)i;
    else
        m->bits[i / 64] |= 1ull << (i % 64);
    m->used++;
}

/* Out of a list (its order means nothing: the last entry takes the hole). */
static void list_del(uint16_t *list, uint32_t *used, uint32_t i)
{
    for (uint32_t k = 0; k < *used; k++)
        if (list[k] == i) {
            list[k] = list[--*used];
            return;
        }
}

static void map_del(struct port_map *m, uint32_t i)
{
    if (!m->out) {
        list_del(m->list, &m->used, i);
    } else if (m->ext_cap) {
        list_del(m->ext, &m->used, i);
    } else if (m->bits[i / 64] >> (i % 64) & 1) {
        m->bits[i / 64] &= ~(1ull << (i % 64));
        m->used--;
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
    for (uint32_t i = 0; i <= t->mask; i++) {
        if (t->slots[i].ext_cap)
            g_aligned_free(t->slots[i].ext);
        else
            g_free(t->slots[i].bits);
    }
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
    if (m && m->out)      /* a list apart: its first line; a bitmap: the start's word */
        __builtin_prefetch(m->ext_cap ? (const void *)m->ext : (const void *)&m->bits[start / 64]);
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
