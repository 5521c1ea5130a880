/* The radix-wheel event queue (see event.h for the design).
 *
 * Placement rule. Times are compared as unsigned keys (the sign bit flipped, so the
 * order of keys is the order of times). An event whose key differs from the key of
 * `last` first (from the top) in base-64 digit k is filed at level k, in the slot
 * named by its own digit k; an event equal to `last` goes to level 0.
 *
 * Why a filed event never has to move when `last` advances, so that cancel can
 * recompute its slot from (time, last): an event e at level k shares all digits
 * above k with `last` and has a larger digit k. `last` only ever becomes the time
 * of the earliest pending event, so the new last L' lies between the old last and
 * e; it therefore keeps the digits above k, and its digit k is at most e's. If it
 * is equal, L' came from e's own slot (a lower level shares digit k with the old
 * last; a higher level cannot hold the minimum while level k is non-empty), and
 * that slot is re-filed as a whole. Otherwise e still differs first in digit k,
 * with the same digit: it is already where the rule puts it.
 *
 * Consequences used below: two events of equal time are always in the same slot;
 * every event of a level-0 slot has the same time (all its digits are fixed); and a
 * slot at the lowest non-empty level holds the minimum. */
#include "sim/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct evq_node {
    sim_time_t time;           /* hot: read by every scan and re-file */
    uint32_t next, prev;       /* slot list links, or free list (next), index + 1 */
    uint32_t gen;              /* odd while pending, even while free */
    sim_event_fn fn;
    void *obj;
    uint64_t arg;
};

#define DIGIT_BITS 6
#define KEY_BIAS   ((uint64_t)1 << 63)

static inline uint64_t key_of(sim_time_t t)
{
    return (uint64_t)t ^ KEY_BIAS;
}

static inline struct evq_node *node_at(const struct evq *q, uint32_t ref)
{
    return &q->nodes[ref - 1];
}

/* The level an event of time t belongs to, relative to q->last. */
static inline unsigned level_of(const struct evq *q, sim_time_t t)
{
    uint64_t diff = (uint64_t)t ^ (uint64_t)q->last;   /* the bias cancels out */
    return diff ? (unsigned)(63 - __builtin_clzll(diff)) / DIGIT_BITS : 0;
}

static inline unsigned slot_of(sim_time_t t, unsigned level)
{
    return (unsigned)(key_of(t) >> (level * DIGIT_BITS)) & (EVQ_SLOTS - 1);
}

void evq_init(struct evq *q)
{
    memset(q, 0, sizeof *q);
    /* Nothing has been popped yet: every time is allowed. */
    q->last = INT64_MIN;
}

void evq_destroy(struct evq *q)
{
    free(q->nodes);
    memset(q, 0, sizeof *q);
}

/* ---- node storage --------------------------------------------------------------- */

static void grow(struct evq *q)
{
    uint32_t cap = q->cap ? q->cap * 2 : 64;
    if (cap <= q->cap || cap > UINT32_MAX - 1) {
        fprintf(stderr, "evq: too many pending events\n");
        abort();
    }
    struct evq_node *nodes = realloc(q->nodes, (size_t)cap * sizeof *nodes);
    if (!nodes) {
        /* Dropping an event would silently change the simulation: stop instead. */
        fprintf(stderr, "evq: out of memory for %u events\n", cap);
        abort();
    }
    q->nodes = nodes;
    q->cap = cap;
}

static uint32_t node_alloc(struct evq *q)
{
    uint32_t ref = q->free_head;
    if (ref) {
        q->free_head = node_at(q, ref)->next;
    } else {
        if (q->used == q->cap)
            grow(q);
        ref = ++q->used;
        node_at(q, ref)->gen = 0;
    }
    node_at(q, ref)->gen++;    /* now odd: pending */
    return ref;
}

static void node_free(struct evq *q, uint32_t ref)
{
    struct evq_node *n = node_at(q, ref);
    n->gen++;                  /* now even: every id of this scheduling goes stale */
    n->next = q->free_head;
    q->free_head = ref;
}

/* ---- slot lists ----------------------------------------------------------------- */

static inline void slot_append(struct evq *q, unsigned level, unsigned s, uint32_t ref)
{
    struct evq_slot *sl = &q->slot[level][s];
    struct evq_node *n = node_at(q, ref);
    n->next = 0;
    n->prev = sl->tail;
    if (sl->tail)
        node_at(q, sl->tail)->next = ref;
    else
        sl->head = ref;
    sl->tail = ref;
    q->bitmap[level] |= (uint64_t)1 << s;
}

static inline void slot_unlink(struct evq *q, unsigned level, unsigned s, uint32_t ref)
{
    struct evq_slot *sl = &q->slot[level][s];
    struct evq_node *n = node_at(q, ref);
    if (n->prev)
        node_at(q, n->prev)->next = n->next;
    else
        sl->head = n->next;
    if (n->next)
        node_at(q, n->next)->prev = n->prev;
    else
        sl->tail = n->prev;
    if (!sl->head)
        q->bitmap[level] &= ~((uint64_t)1 << s);
}

static inline void file_node(struct evq *q, uint32_t ref)
{
    sim_time_t t = node_at(q, ref)->time;
    unsigned level = level_of(q, t);
    slot_append(q, level, slot_of(t, level), ref);
}

/* The lowest non-empty level; the caller knows the queue is not empty. */
static inline unsigned lowest_level(const struct evq *q)
{
    unsigned k = 0;
    while (!q->bitmap[k])
        k++;
    return k;
}

static inline unsigned lowest_slot(const struct evq *q, unsigned level)
{
    return (unsigned)__builtin_ctzll(q->bitmap[level]);
}

/* Slots above level 0 mix times, so their minimum takes a scan. */
static sim_time_t slot_min(const struct evq *q, unsigned level, unsigned s)
{
    uint32_t ref = q->slot[level][s].head;
    sim_time_t min = node_at(q, ref)->time;
    for (ref = node_at(q, ref)->next; ref; ref = node_at(q, ref)->next) {
        sim_time_t t = node_at(q, ref)->time;
        if (t < min)
            min = t;
    }
    return min;
}

/* Re-file a whole slot after `last` moved into it. The lower levels are empty (this
 * was the lowest non-empty level), and appending in list order keeps equal times in
 * insertion order. */
static void refile_slot(struct evq *q, unsigned level, unsigned s)
{
    uint32_t ref = q->slot[level][s].head;
    q->slot[level][s].head = q->slot[level][s].tail = 0;
    q->bitmap[level] &= ~((uint64_t)1 << s);
    while (ref) {
        uint32_t next = node_at(q, ref)->next;
        file_node(q, ref);
        ref = next;
    }
}

/* ---- public operations ---------------------------------------------------------- */

sim_event_id evq_push(struct evq *q, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg)
{
    if (q->limit && q->count >= q->limit)
        return 0;
    uint32_t ref = node_alloc(q);
    struct evq_node *n = node_at(q, ref);
    n->time = t;
    n->fn = fn;
    n->obj = obj;
    n->arg = arg;
    file_node(q, ref);
    q->count++;
    return ((uint64_t)n->gen << 32) | ref;
}

bool evq_cancel(struct evq *q, sim_event_id id)
{
    uint32_t ref = (uint32_t)id;
    uint32_t gen = (uint32_t)(id >> 32);
    if (ref == 0 || ref > q->used || !(gen & 1))
        return false;
    struct evq_node *n = node_at(q, ref);
    if (n->gen != gen)
        return false;
    unsigned level = level_of(q, n->time);
    slot_unlink(q, level, slot_of(n->time, level), ref);
    node_free(q, ref);
    q->count--;
    return true;
}

bool evq_pop(struct evq *q, sim_time_t limit, struct evq_item *out)
{
    if (q->count == 0)
        return false;
    unsigned level = lowest_level(q);
    if (level > 0) {
        unsigned s = lowest_slot(q, level);
        sim_time_t min = slot_min(q, level, s);
        /* Refuse before touching anything: moving `last` to min would forbid a later
         * push of a time between the caller's limit and min. */
        if (min > limit)
            return false;
        q->last = min;
        refile_slot(q, level, s);   /* min now heads a level-0 slot */
    }
    unsigned s = lowest_slot(q, 0);
    uint32_t ref = q->slot[0][s].head;
    struct evq_node *n = node_at(q, ref);
    if (n->time > limit)
        return false;
    slot_unlink(q, 0, s, ref);
    q->last = n->time;
    out->time = n->time;
    out->fn = n->fn;
    out->obj = n->obj;
    out->arg = n->arg;
    node_free(q, ref);
    q->count--;
    return true;
}

sim_time_t evq_peek_time(const struct evq *q)
{
    if (q->count == 0)
        return SIM_TIME_MAX;
    unsigned level = lowest_level(q);
    unsigned s = lowest_slot(q, level);
    if (level == 0)
        return node_at(q, q->slot[0][s].head)->time;
    return slot_min(q, level, s);
}
