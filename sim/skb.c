/* The packet pool and the sk_buff byte helpers. */
#include "sim/skb.h"

#include <glib.h>
#include <stddef.h>
#include <stdlib.h>

#define SKB_CHUNK 256               /* buffers allocated at a time */
#define SKB_BIG_CHUNK 16            /* of the larger class */

/* Bytes of one buffer of the larger class: the metadata, then SKB_BIG_BUF_SIZE bytes
 * of head[] (past the declared array: head is the struct's last member), rounded up so
 * that the next one in a chunk stays aligned. */
static size_t skb_big_stride(void)
{
    size_t n = offsetof(struct sk_buff, head) + SKB_BIG_BUF_SIZE;
    size_t a = _Alignof(struct sk_buff);
    return (n + a - 1) / a * a;
}

void skb_pool_init(struct skb_pool *p)
{
    memset(p, 0, sizeof *p);
    p->next_id = 1;
}

void skb_pool_destroy(struct skb_pool *p)
{
    for (uint32_t i = 0; i < p->nchunks; i++)
        g_free(p->chunks[i]);
    g_free(p->chunks);
    memset(p, 0, sizeof *p);
}

/* Grow by one chunk of buffers onto the free list (only during warm-up). */
static void skb_pool_grow(struct skb_pool *p)
{
    if (p->nchunks == p->chunk_cap) {
        p->chunk_cap = p->chunk_cap ? p->chunk_cap * 2 : 16;
        p->chunks = g_renew(struct sk_buff *, p->chunks, p->chunk_cap);
    }
    struct sk_buff *chunk = g_new(struct sk_buff, SKB_CHUNK);
    p->chunks[p->nchunks++] = chunk;
    for (int i = SKB_CHUNK - 1; i >= 0; i--) {
        chunk[i].big = false;       /* skb_reset keeps the class: it must be set */
        chunk[i].next = p->free;
        p->free = &chunk[i];
    }
    p->allocated += SKB_CHUNK;
}

/* The same for the larger class. */
static void skb_pool_grow_big(struct skb_pool *p)
{
    if (p->nchunks == p->chunk_cap) {
        p->chunk_cap = p->chunk_cap ? p->chunk_cap * 2 : 16;
        p->chunks = g_renew(struct sk_buff *, p->chunks, p->chunk_cap);
    }
    size_t stride = skb_big_stride();
    uint8_t *chunk = g_malloc(stride * SKB_BIG_CHUNK);
    p->chunks[p->nchunks++] = (struct sk_buff *)(void *)chunk;
    for (int i = SKB_BIG_CHUNK - 1; i >= 0; i--) {
        struct sk_buff *skb = (struct sk_buff *)(void *)(chunk + (size_t)i * stride);
        skb->big = true;
        skb->next = p->free_big;
        p->free_big = skb;
    }
    p->allocated += SKB_BIG_CHUNK;
}

#define SKB_META_BYTES offsetof(struct sk_buff, head)
_Static_assert(SKB_META_BYTES % 8 == 0 && SKB_META_BYTES <= 192,
               "skb_zero_meta clears up to twelve 16-byte blocks");

/* Zero the metadata (every field before head) in straight 16-byte stores. Why not
 * memset: at this size GCC emits `rep stosq`, whose start-up cost was 1.5 % of a NAT
 * run's event loop (one per packet); the unrolled form is a dozen stores. The
 * conditions are constants and fold away. */
static inline void skb_zero_meta(struct sk_buff *skb)
{
    typedef uint8_t block __attribute__((vector_size(16)));
    const block z = { 0 };
    uint8_t *p = (uint8_t *)skb;
#define SKB_ZERO_BLOCK(k)                                   \
    do {                                                    \
        if (16 * ((k) + 1) <= SKB_META_BYTES)               \
            memcpy(p + 16 * (k), &z, 16);                   \
        else if (16 * (k) < SKB_META_BYTES)                 \
            memcpy(p + 16 * (k), &z, 8);                    \
    } while (0)
    SKB_ZERO_BLOCK(0); SKB_ZERO_BLOCK(1); SKB_ZERO_BLOCK(2);  SKB_ZERO_BLOCK(3);
    SKB_ZERO_BLOCK(4); SKB_ZERO_BLOCK(5); SKB_ZERO_BLOCK(6);  SKB_ZERO_BLOCK(7);
    SKB_ZERO_BLOCK(8); SKB_ZERO_BLOCK(9); SKB_ZERO_BLOCK(10); SKB_ZERO_BLOCK(11);
#undef SKB_ZERO_BLOCK
}

/* Reset the metadata and the header area a builder will write into. The buffer
 * bytes beyond are left as they are: len says what is valid. */
static void skb_reset(struct sk_buff *skb)
{
    bool big = skb->big;            /* the buffer's class stays */
    skb_zero_meta(skb);
    skb->big = big;
    skb->data = skb->head + SKB_HEADROOM;
    skb->mac_header = SKB_NO_HDR;
    skb->network_header = SKB_NO_HDR;
    skb->transport_header = SKB_NO_HDR;
}

struct sk_buff *skb_alloc(struct skb_pool *p, sim_time_t now)
{
    if (p->limit && p->in_use >= p->limit) {
        p->refused++;
        if (p->stop)
            *p->stop = true;
        return NULL;
    }
    if (!p->free)
        skb_pool_grow(p);
    struct sk_buff *skb = p->free;
    p->free = skb->next;
    skb_reset(skb);
    skb->id = p->next_id++;
    skb->born = now;
    p->in_use++;
    return skb;
}

struct sk_buff *skb_alloc_big(struct skb_pool *p, sim_time_t now)
{
    if (p->limit && p->in_use >= p->limit) {
        p->refused++;
        if (p->stop)
            *p->stop = true;
        return NULL;
    }
    if (!p->free_big)
        skb_pool_grow_big(p);
    struct sk_buff *skb = p->free_big;
    p->free_big = skb->next;
    skb_reset(skb);
    skb->id = p->next_id++;
    skb->born = now;
    p->in_use++;
    return skb;
}

void skb_free(struct skb_pool *p, struct sk_buff *skb)
{
    if (!skb)
        return;
    if (skb->big) {
        skb->next = p->free_big;
        p->free_big = skb;
    } else {
        skb->next = p->free;
        p->free = skb;
    }
    p->in_use--;
}

struct sk_buff *skb_clone(struct skb_pool *p, const struct sk_buff *skb, sim_time_t now)
{
    struct sk_buff *n = skb->big ? skb_alloc_big(p, now) : skb_alloc(p, now);
    if (!n)
        return NULL;
    uint64_t id = n->id;
    memcpy((void *)n, (const void *)skb, offsetof(struct sk_buff, head) + skb_buf_size(skb));
    n->data = n->head + (skb->data - skb->head);
    n->next = NULL;
    n->id = id;
    n->born = now;
    return n;
}

uint8_t *skb_push(struct sk_buff *skb, uint32_t n)
{
    if (skb_headroom(skb) < n)
        return NULL;
    skb->data -= n;
    skb->len += n;
    return skb->data;
}

uint8_t *skb_pull(struct sk_buff *skb, uint32_t n)
{
    if (skb->len < n)
        return NULL;
    skb->data += n;
    skb->len -= n;
    return skb->data;
}

uint8_t *skb_put(struct sk_buff *skb, uint32_t n)
{
    if (skb_tailroom(skb) < n)
        return NULL;
    uint8_t *tail = skb->data + skb->len;
    skb->len += n;
    return tail;
}

uint32_t skb_copy_wire(const struct sk_buff *skb, uint8_t *out, uint32_t cap)
{
    uint32_t real = skb->len < cap ? skb->len : cap;
    memcpy(out, skb->data, real);
    uint32_t total = skb_wire_len(skb) < cap ? skb_wire_len(skb) : cap;
    memset(out + real, 0, total - real);
    return total;
}

void skb_scrub(struct sk_buff *skb)
{
    skb->mark = 0;
    skb->priority = 0;
    skb->flags = 0;
    skb->dst = NULL;
    skb->nfct = NULL;
    skb->in_dev = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
}
