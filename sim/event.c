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

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A node is split in two so that the walks, which dominate with many pending
 * events, touch one cache line per node: the 32-byte head (aligned, so it never
 * straddles two lines) holds what they need; the payload is read only when the
 * event runs, and is prefetched when it reaches level 0. Both live in the one block
 * q->nodes points to: q->cap heads, then q->cap payloads. */
struct evq_node {
    sim_time_t time;
    uint32_t next, prev;       /* slot list links, or free list (next), index + 1 */
    uint32_t ahead;            /* prefetch hint: the node HINT_DIST further on, or 0 */
    uint32_t gen;              /* odd while pending, even while free */
    sim_event_fn fn;
};

struct evq_payload {
    void *obj;
    uint64_t arg;
    uint64_t seq;              /* its place among events of equal time (evq.h) */
};

_Static_assert(sizeof(struct evq_node) == 32, "a node head must fill half a cache line");

#define DIGIT_BITS  6
#define KEY_BIAS    ((uint64_t)1 << 63)
#define MIN_UNKNOWN INT64_MIN  /* never a real time above level 0 (those exceed last) */

/* Walking a long slot list is a chain of dependent cache misses. Each node carries
 * a hint to the node HINT_DIST places further on, so a walk can keep that many
 * loads in flight. Hints only steer prefetches: a stale one costs a wasted load,
 * never a wrong result. */
#define HINT_DIST 16

static inline uint64_t key_of(sim_time_t t)
{
    return (uint64_t)t ^ KEY_BIAS;
}

static inline struct evq_node *node_at(const struct evq *q, uint32_t ref)
{
    return &q->nodes[ref - 1];
}

static inline struct evq_payload *payload_at(const struct evq *q, uint32_t ref)
{
    return (struct evq_payload *)(q->nodes + q->cap) + (ref - 1);
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
    q->wmin = SIM_TIME_MAX;
    q->wmin_ok = true;
    /* Nothing has been popped yet: every time is allowed. */
    q->last = INT64_MIN;
}

void evq_destroy(struct evq *q)
{
    free(q->nodes);
    free(q->lanes);
    memset(q, 0, sizeof *q);
}

/* ---- node storage --------------------------------------------------------------- */

#define NODE_BYTES (sizeof(struct evq_node) + sizeof(struct evq_payload))

static void grow(struct evq *q)
{
    uint32_t cap = q->cap ? q->cap * 2 : 64;
    if (cap <= q->cap) {
        fprintf(stderr, "evq: too many pending events\n");
        abort();
    }
    /* cap is a power of two >= 64, so the size is a multiple of the alignment. */
    struct evq_node *nodes = aligned_alloc(64, (size_t)cap * NODE_BYTES);
    if (!nodes) {
        /* Dropping an event would silently change the simulation: stop instead. */
        fprintf(stderr, "evq: out of memory for %u events\n", cap);
        abort();
    }
    if (q->nodes) {
        memcpy(nodes, q->nodes, (size_t)q->used * sizeof *nodes);
        memcpy(nodes + cap, payload_at(q, 1), (size_t)q->used * sizeof(struct evq_payload));
        free(q->nodes);
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

/* ---- occupancy: a bit per non-empty slot, and one per non-empty level ---------- */

static inline void slot_mark(struct evq *q, unsigned level, unsigned s)
{
    q->bitmap[level] |= (uint64_t)1 << s;
    q->levels |= 1u << level;
}

static inline void slot_unmark(struct evq *q, unsigned level, unsigned s)
{
    if (!(q->bitmap[level] &= ~((uint64_t)1 << s)))
        q->levels &= ~(1u << level);
}

/* ---- slot lists ----------------------------------------------------------------- */

/* Prefetch hints. A slot's anchor is its oldest node still without a hint (every
 * node after it has none either; every node before it has one), and gap counts the
 * nodes after it. Once HINT_DIST nodes follow the anchor, the newest of them is its
 * hint, and the anchor moves on. The anchor is 0 only when no node lacks a hint. */
static inline void hint_appended(struct evq *q, struct evq_slot *sl, uint32_t ref)
{
    if (!sl->anchor) {
        sl->anchor = ref;
        sl->gap = 0;
    } else if (++sl->gap == HINT_DIST) {
        struct evq_node *a = node_at(q, sl->anchor);
        a->ahead = ref;
        sl->anchor = a->next;
        sl->gap--;
    }
}

static inline void hint_unlinked(struct evq_slot *sl, uint32_t ref, const struct evq_node *n)
{
    if (ref == sl->anchor) {
        sl->anchor = n->next;
        if (sl->gap)
            sl->gap--;
    } else if (sl->anchor && n->ahead == 0) {
        sl->gap--;             /* it was one of the nodes after the anchor */
    }
}

/* Every event of a level-0 slot has the same time: they leave in seq order, so one
 * pushed with an older seq than the tail's (a held event, evq_hold) goes before it.
 * Scheduling order equals seq order for the others, so the walk is rare and short. */
static void slot_insert_seq(struct evq *q, struct evq_slot *sl, uint32_t ref)
{
    struct evq_node *n = node_at(q, ref);
    uint64_t seq = payload_at(q, ref)->seq;
    uint32_t after = sl->tail;
    while (after && payload_at(q, after)->seq > seq)
        after = node_at(q, after)->prev;
    n->prev = after;
    n->ahead = 0;
    if (after) {
        n->next = node_at(q, after)->next;
        node_at(q, after)->next = ref;
    } else {
        n->next = sl->head;
        sl->head = ref;
    }
    node_at(q, n->next)->prev = ref;   /* n->next != 0: a node of the slot went after it */
}

static inline void slot_append(struct evq *q, unsigned level, unsigned s, uint32_t ref)
{
    struct evq_slot *sl = &q->slot[level][s];
    struct evq_node *n = node_at(q, ref);
    if (level == 0 && sl->tail && payload_at(q, sl->tail)->seq > payload_at(q, ref)->seq) {
        slot_insert_seq(q, sl, ref);
        return;
    }
    n->next = 0;
    n->prev = sl->tail;
    n->ahead = 0;
    if (sl->tail) {
        node_at(q, sl->tail)->next = ref;
        if (sl->min != MIN_UNKNOWN && n->time < sl->min)
            sl->min = n->time;
    } else {
        sl->head = ref;
        sl->min = n->time;
        slot_mark(q, level, s);
    }
    sl->tail = ref;
    /* A level-0 slot is never walked (its events all share one time and leave from
     * the head), so it needs no prefetch hints. */
    if (level)
        hint_appended(q, sl, ref);
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
    hint_unlinked(sl, ref, n);
    /* The minimum is gone, or shared by another node: only a scan can tell. */
    if (n->time == sl->min)
        sl->min = MIN_UNKNOWN;
    if (!sl->head)
        slot_unmark(q, level, s);
}

/* Inlined by force into its two callers (a push, a re-filing loop): a call per
 * filing was 7 of its ~60 instructions. */
static inline __attribute__((always_inline)) void file_node(struct evq *q, uint32_t ref)
{
    struct evq_node *n = node_at(q, ref);
    unsigned level = level_of(q, n->time);
    /* Walks read only node heads; fetch the payload of an event about to run. */
    if (level == 0)
        __builtin_prefetch(payload_at(q, ref));
    slot_append(q, level, slot_of(n->time, level), ref);
}

static inline void prefetch_ahead(const struct evq *q, const struct evq_node *n)
{
    if (n->ahead)
        __builtin_prefetch(node_at(q, n->ahead), 1);
}

/* The lowest non-empty level; the caller knows the queue is not empty. */
static inline unsigned lowest_level(const struct evq *q)
{
    return (unsigned)__builtin_ctz(q->levels);
}

static inline unsigned lowest_slot(const struct evq *q, unsigned level)
{
    return (unsigned)__builtin_ctzll(q->bitmap[level]);
}

/* Slots above level 0 mix times, so their minimum takes a scan unless the slot
 * still knows it (it forgets when its minimum is cancelled). */
static sim_time_t slot_min(const struct evq *q, unsigned level, unsigned s)
{
    if (q->slot[level][s].min != MIN_UNKNOWN)
        return q->slot[level][s].min;
    uint32_t ref = q->slot[level][s].head;
    sim_time_t min = node_at(q, ref)->time;
    for (ref = node_at(q, ref)->next; ref; ref = node_at(q, ref)->next) {
        const struct evq_node *n = node_at(q, ref);
        prefetch_ahead(q, n);
        if (n->time < min)
            min = n->time;
    }
    return min;
}

/* Re-file a whole slot after `last` moved into it. The lower levels are empty (this
 * was the lowest non-empty level), and appending in list order keeps equal times in
 * insertion order. */
static void refile_slot(struct evq *q, unsigned level, unsigned s)
{
    uint32_t ref = q->slot[level][s].head;
    q->slot[level][s] = (struct evq_slot){ 0 };
    slot_unmark(q, level, s);
    while (ref) {
        struct evq_node *n = node_at(q, ref);
        uint32_t next = n->next;
        prefetch_ahead(q, n);
        file_node(q, ref);
        ref = next;
    }
}

/* ---- public operations ---------------------------------------------------------- */

static sim_event_id push_seq(struct evq *q, sim_time_t t, sim_event_fn fn, void *obj,
                             uint64_t arg, uint64_t seq)
{
    uint32_t ref = node_alloc(q);
    struct evq_node *n = node_at(q, ref);
    n->time = t;
    n->fn = fn;
    payload_at(q, ref)->obj = obj;
    payload_at(q, ref)->arg = arg;
    payload_at(q, ref)->seq = seq;
    file_node(q, ref);
    if (t < q->wmin)            /* kept only while known (wmin_ok) */
        q->wmin = t;
    return ((uint64_t)n->gen << 32) | ref;
}

sim_event_id evq_push(struct evq *q, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg)
{
    if (q->limit && q->count >= q->limit) {
        q->refused++;
        return 0;
    }
    q->count++;
    return push_seq(q, t, fn, obj, arg, ++q->seq);
}

uint64_t evq_hold(struct evq *q)
{
    if (q->limit && q->count >= q->limit) {
        q->refused++;
        return 0;
    }
    q->count++;
    return ++q->seq;
}

sim_event_id evq_push_held(struct evq *q, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg,
                           uint64_t seq)
{
    return push_seq(q, t, fn, obj, arg, seq);
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
    if (n->time == q->wmin)
        q->wmin_ok = false;
    node_free(q, ref);
    q->count--;
    return true;
}

/* ---- lanes (event.h): a binary heap ordered by (time, seq) ---------------------- */

static inline bool lane_before(const struct evq_lane_ent *a, const struct evq_lane_ent *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Put e at the root of the heap (whose root entry is gone) and let it sink. */
static void lane_sift_down(struct evq *q, struct evq_lane_ent e)
{
    uint32_t n = q->nlanes, i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && lane_before(&q->lanes[c + 1], &q->lanes[c]))
            c++;
        if (!lane_before(&q->lanes[c], &e))
            break;
        q->lanes[i] = q->lanes[c];
        i = c;
    }
    q->lanes[i] = e;
}

/* A lane whose event has just run stays at the root until it pushes its next event,
 * which then takes its place and sinks (one sift instead of a removal and an
 * insertion: the usual case, a port's next frame), or until the queue is used
 * otherwise (lane_settle removes it). */
static void lane_settle(struct evq *q)
{
    if (q->lane_ran) {
        q->lane_ran = false;
        struct evq_lane_ent last = q->lanes[--q->nlanes];
        if (q->nlanes)
            lane_sift_down(q, last);
    }
}

/* The first pending lane entry, or NULL (the root is not pending while lane_ran). */
static const struct evq_lane_ent *lane_first(const struct evq *q)
{
    if (!q->lane_ran)
        return q->nlanes ? &q->lanes[0] : NULL;
    const struct evq_lane_ent *a = q->nlanes > 1 ? &q->lanes[1] : NULL;
    if (q->nlanes > 2 && lane_before(&q->lanes[2], a))
        a = &q->lanes[2];
    return a;
}

void evq_lane_push(struct evq *q, struct evq_lane *lane, sim_time_t t, uint64_t seq)
{
    assert(!lane->pending);
    lane->pending = true;
    const struct evq_lane_ent e = { t, seq, lane };
    if (q->lane_ran && q->lanes[0].lane == lane) {
        q->lane_ran = false;
        lane_sift_down(q, e);
        return;
    }
    lane_settle(q);
    if (q->nlanes == q->lane_cap) {
        uint32_t cap = q->lane_cap ? q->lane_cap * 2 : 16;
        struct evq_lane_ent *l = realloc(q->lanes, (size_t)cap * sizeof *l);
        if (!l) {
            fprintf(stderr, "evq: out of memory for %u lanes\n", cap);
            abort();
        }
        q->lanes = l;
        q->lane_cap = cap;
    }
    uint32_t i = q->nlanes++;
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (!lane_before(&e, &q->lanes[up]))
            break;
        q->lanes[i] = q->lanes[up];
        i = up;
    }
    q->lanes[i] = e;
}

/* The smallest seq among the events of time t in a slot above level 0 (they may be
 * in any order there; t is the slot's minimum). A scan: only for equal times. */
static uint64_t slot_seq_at(const struct evq *q, unsigned level, unsigned s, sim_time_t t)
{
    uint64_t seq = UINT64_MAX;
    for (uint32_t ref = q->slot[level][s].head; ref; ref = node_at(q, ref)->next)
        if (node_at(q, ref)->time == t && payload_at(q, ref)->seq < seq)
            seq = payload_at(q, ref)->seq;
    return seq;
}

/* The earliest time filed in the wheel, SIM_TIME_MAX when it is empty: kept in
 * q->wmin (a push lowers it; the wheel's pop or the cancel of its minimum forgets it),
 * so that most pops compare the first lane with one number. */
static sim_time_t wheel_min_scan(const struct evq *q)
{
    if (q->levels == 0)
        return SIM_TIME_MAX;
    unsigned level = lowest_level(q);
    unsigned s = lowest_slot(q, level);
    return level ? slot_min(q, level, s) : node_at(q, q->slot[0][s].head)->time;
}

static inline sim_time_t wheel_min(struct evq *q)
{
    if (!q->wmin_ok) {
        q->wmin = wheel_min_scan(q);
        q->wmin_ok = true;
    }
    return q->wmin;
}

/* Does the first lane's event, of the wheel's earliest time, go first? */
static bool lane_wins_tie(const struct evq *q)
{
    if (q->levels == 0)
        return true;
    uint64_t seq = q->lanes[0].seq;
    unsigned level = lowest_level(q);
    unsigned s = lowest_slot(q, level);
    if (level == 0)
        return seq < payload_at(q, q->slot[0][s].head)->seq;   /* level 0: seq order */
    return seq < slot_seq_at(q, level, s, q->wmin);
}

/* Does the first lane's event go before every event filed in the wheel? */
static inline bool lane_goes_first(struct evq *q)
{
    sim_time_t t = q->lanes[0].time, wmin = wheel_min(q);
    return t < wmin || (t == wmin && lane_wins_tie(q));
}

/* The event of a lane entry. */
static inline void lane_item(const struct evq_lane_ent *e, struct evq_item *out)
{
    out->time = e->time;
    out->fn = e->lane->fn;
    out->obj = e->lane->obj;
    out->arg = e->lane->arg;
}

/* Hand out the lanes' first event. */
static void lane_take(struct evq *q, struct evq_item *out)
{
    lane_item(&q->lanes[0], out);
    q->lanes[0].lane->pending = false;
    q->lane_ran = true;
    q->count--;
}

/* Hand out a node that has left its slot, and recycle it. */
static inline void take(struct evq *q, uint32_t ref, struct evq_item *out)
{
    const struct evq_node *n = node_at(q, ref);
    q->wmin_ok = false;
    q->last = n->time;
    out->time = n->time;
    out->fn = n->fn;
    out->obj = payload_at(q, ref)->obj;
    out->arg = payload_at(q, ref)->arg;
    node_free(q, ref);
    q->count--;
}

bool evq_pop(struct evq *q, sim_time_t limit, struct evq_item *out)
{
    /* A lane's event leaves `last` where it is: `last` only anchors the wheel's
     * placement, and a lane's time is never later than the wheel's minimum. */
    lane_settle(q);
    if (q->nlanes && lane_goes_first(q)) {
        if (q->lanes[0].time > limit)
            return false;
        lane_take(q, out);
        return true;
    }
    if (q->levels == 0)      /* no event filed (held ones may be pending) */
        return false;
    unsigned level = lowest_level(q);
    unsigned s = lowest_slot(q, level);
    if (level > 0) {
        struct evq_slot *sl = &q->slot[level][s];
        sim_time_t min = slot_min(q, level, s);
        /* Remembering the minimum spares run_until's next call the scan. */
        sl->min = min;
        /* Refuse before moving `last`: moving it to min would forbid a later push
         * of a time between the caller's limit and min. */
        if (min > limit)
            return false;
        /* A lone node would only be re-filed to level 0 to be popped at once: take
         * it, and the slot is empty (the most frequent pop by far: a slot of level 1
         * spans 64 ns). */
        if (sl->head == sl->tail) {
            uint32_t ref = sl->head;
            *sl = (struct evq_slot){ 0 };
            slot_unmark(q, level, s);
            take(q, ref, out);
            return true;
        }
        q->last = min;
        refile_slot(q, level, s);   /* min now heads a level-0 slot */
        level = 0;
        s = lowest_slot(q, 0);
    }
    uint32_t ref = q->slot[level][s].head;
    if (node_at(q, ref)->time > limit)
        return false;
    slot_unlink(q, level, s, ref);
    take(q, ref, out);
    return true;
}

bool evq_peek(const struct evq *q, struct evq_item *out)
{
    const struct evq_lane_ent *first = lane_first(q);
    if (first) {
        /* Known at once when the wheel is empty, or its minimum is known and later. */
        if (q->levels == 0 || (q->wmin_ok && first->time < q->wmin)) {
            lane_item(first, out);
            return true;
        }
        if (!q->wmin_ok || first->time == q->wmin)
            return false;
    }
    if (q->levels == 0)      /* no event filed (held ones may be pending) */
        return false;
    unsigned level = lowest_level(q);
    const struct evq_slot *sl = &q->slot[level][lowest_slot(q, level)];
    if (level > 0 && sl->head != sl->tail)
        return false;
    const struct evq_node *n = node_at(q, sl->head);
    out->time = n->time;
    out->fn = n->fn;
    out->obj = payload_at(q, sl->head)->obj;
    out->arg = payload_at(q, sl->head)->arg;
    return true;
}

sim_time_t evq_peek_time(const struct evq *q)
{
    sim_time_t wheel = wheel_min_scan(q);
    const struct evq_lane_ent *first = lane_first(q);
    return first && first->time < wheel ? first->time : wheel;
}
