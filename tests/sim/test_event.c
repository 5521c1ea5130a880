/* Tests for the event queue (sim/event.c) and the event loop that drives it. */
#include <stdlib.h>
#include <string.h>
#include "tests/testutil.h"
#include "sim/event.h"
#include "sim/sim.h"

/* A fixed-seed generator of our own, so these tests do not depend on sim/rng.c. */
static uint64_t mix_state;

static void mix_seed(uint64_t seed)
{
    mix_state = seed;
}

static uint64_t mix_next(void)
{
    uint64_t z = (mix_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix_below(uint64_t n)
{
    return mix_next() % n;
}

/* A delay that lands on every level: often 0 (equal times), often tiny, sometimes
 * huge. */
static sim_time_t mixed_delay(void)
{
    switch (mix_below(6)) {
    case 0:  return 0;
    case 1:  return (sim_time_t)mix_below(64);
    case 2:  return (sim_time_t)mix_below(5000);
    case 3:  return (sim_time_t)mix_below(1000000);
    case 4:  return (sim_time_t)mix_below((uint64_t)1 << 40);
    default: return (sim_time_t)mix_below(8);
    }
}

static void dummy_fn(struct sim *s, void *obj, uint64_t arg)
{
    (void)s; (void)obj; (void)arg;
}

static sim_event_id push(struct evq *q, sim_time_t t, uint64_t arg)
{
    return evq_push(q, t, dummy_fn, NULL, arg);
}

/* Pop without a limit; the test fails (and returns UINT64_MAX) when empty. */
static uint64_t pop_arg(struct evq *q, sim_time_t *t)
{
    struct evq_item it;
    if (!evq_pop(q, SIM_TIME_MAX, &it)) {
        CU_FAIL("queue unexpectedly empty");
        return UINT64_MAX;
    }
    if (t)
        *t = it.time;
    return it.arg;
}

/* ---- ordering ------------------------------------------------------------------- */

struct ref_ev {
    sim_time_t time;
    uint64_t seq;
};

static int cmp_ref(const void *a, const void *b)
{
    const struct ref_ev *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static void test_random_order(void)
{
    enum { N = 20000 };
    struct ref_ev *ref = malloc(N * sizeof *ref);
    struct evq q;
    evq_init(&q);
    mix_seed(1);
    for (uint64_t i = 0; i < N; i++) {
        /* Narrow ranges give many ties, wide ones spread over the levels. */
        sim_time_t t = (i % 3 == 0) ? (sim_time_t)mix_below(100)
                                    : (sim_time_t)mix_below((uint64_t)1 << (i % 48 + 1));
        ref[i] = (struct ref_ev){ t, i };
        CU_ASSERT_NOT_EQUAL(push(&q, t, i), 0);
    }
    qsort(ref, N, sizeof *ref, cmp_ref);
    CU_ASSERT_EQUAL(evq_count(&q), N);
    for (uint64_t i = 0; i < N; i++) {
        sim_time_t t;
        CU_ASSERT_EQUAL(evq_peek_time(&q), ref[i].time);
        uint64_t arg = pop_arg(&q, &t);
        CU_ASSERT_EQUAL(t, ref[i].time);
        CU_ASSERT_EQUAL(arg, ref[i].seq);
        if (arg != ref[i].seq)
            break;
    }
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    CU_ASSERT_EQUAL(evq_peek_time(&q), SIM_TIME_MAX);
    evq_destroy(&q);
    free(ref);
}

static void test_extreme_times(void)
{
    struct evq q;
    evq_init(&q);
    /* Before the first pop any time is allowed, negative ones included. */
    push(&q, SIM_TIME_MAX, 0);
    push(&q, 3, 1);
    push(&q, -5, 2);
    push(&q, INT64_MIN, 3);
    push(&q, 0, 4);
    push(&q, SIM_TIME_MAX, 5);
    uint64_t want[] = { 3, 2, 4, 1, 0, 5 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), want[i]);
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    evq_destroy(&q);
}

/* Events of one time pushed at different moments are filed relative to different
 * `last` values, some far away (high level) and some near; they must still run in
 * insertion order. */
static void test_fifo_across_levels(void)
{
    const sim_time_t T = 5 * 262144 + 3 * 4096 + 7 * 64 + 9;   /* digits 5,3,7,9 */
    struct evq q;
    evq_init(&q);
    push(&q, 0, 100);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 100);                    /* last = 0 */
    push(&q, T, 0);                                             /* level 3 */
    push(&q, T + 1, 50);
    push(&q, T, 1);
    /* Step last towards T one digit at a time, pushing more at T after each step,
     * so that later copies are filed while the earlier ones sit at other levels. */
    sim_time_t steps[] = { 5 * 262144, 5 * 262144 + 3 * 4096, T - 2, T - 1 };
    uint64_t arg = 2;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        push(&q, steps[i], 200 + i);
        push(&q, T, arg++);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 200 + i);
        push(&q, T, arg++);
    }
    for (uint64_t a = 0; a < arg; a++) {
        sim_time_t t;
        CU_ASSERT_EQUAL(pop_arg(&q, &t), a);
        CU_ASSERT_EQUAL(t, T);
    }
    /* T + 1 was filed far away at the start; a copy pushed now lands behind it. */
    push(&q, T + 1, 999);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 50);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 999);
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    evq_destroy(&q);
}

static void test_fifo_many_equal(void)
{
    struct evq q;
    evq_init(&q);
    for (uint64_t i = 0; i < 1000; i++)
        push(&q, (sim_time_t)(i % 4) * 1000000, i);
    for (uint64_t r = 0; r < 4; r++)
        for (uint64_t i = r; i < 1000; i += 4)
            CU_ASSERT_EQUAL(pop_arg(&q, NULL), i);
    evq_destroy(&q);
}

/* ---- cancel --------------------------------------------------------------------- */

static void test_cancel_positions(void)
{
    struct evq q;
    evq_init(&q);
    sim_event_id id[6];
    /* Equal times share a slot: 0..5 form one list. */
    for (uint64_t i = 0; i < 6; i++)
        id[i] = push(&q, 1000, i);
    CU_ASSERT_TRUE(evq_cancel(&q, id[0]));      /* head */
    CU_ASSERT_TRUE(evq_cancel(&q, id[3]));      /* middle */
    CU_ASSERT_TRUE(evq_cancel(&q, id[5]));      /* tail */
    CU_ASSERT_FALSE(evq_cancel(&q, id[3]));     /* double cancel */
    CU_ASSERT_EQUAL(evq_count(&q), 3);
    push(&q, 1000, 6);                           /* appends after the new tail */
    uint64_t want[] = { 1, 2, 4, 6 };
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), want[i]);
    CU_ASSERT_FALSE(evq_cancel(&q, id[1]));     /* already ran */
    CU_ASSERT_FALSE(evq_cancel(&q, 0));
    CU_ASSERT_FALSE(evq_cancel(&q, ((uint64_t)1 << 32) | 12345));  /* never issued */
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    evq_destroy(&q);
}

static void test_cancel_only_event_of_slot(void)
{
    struct evq q;
    evq_init(&q);
    sim_event_id a = push(&q, 10, 0);
    sim_event_id b = push(&q, 5000000, 1);
    push(&q, 20, 2);
    CU_ASSERT_TRUE(evq_cancel(&q, b));
    CU_ASSERT_EQUAL(evq_peek_time(&q), 10);
    CU_ASSERT_TRUE(evq_cancel(&q, a));
    CU_ASSERT_EQUAL(evq_peek_time(&q), 20);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 2);
    CU_ASSERT_EQUAL(evq_peek_time(&q), SIM_TIME_MAX);
    struct evq_item it;
    CU_ASSERT_FALSE(evq_pop(&q, SIM_TIME_MAX, &it));
    evq_destroy(&q);
}

static void test_cancel_cascaded(void)
{
    struct evq q;
    evq_init(&q);
    push(&q, 0, 100);
    pop_arg(&q, NULL);                           /* last = 0 */
    sim_event_id far1 = push(&q, 3000000, 1);    /* same high slot as the next two */
    sim_event_id far2 = push(&q, 3000050, 2);
    sim_event_id far3 = push(&q, 3000100, 3);
    push(&q, 2990000, 0);
    /* Popping 2990000 re-files the whole slot relative to the new last. */
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 0);
    CU_ASSERT_TRUE(evq_cancel(&q, far2));
    CU_ASSERT_FALSE(evq_cancel(&q, far2));
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 1);
    /* far3 sits at a level above 0 now; cancelling it must find it there. */
    CU_ASSERT_TRUE(evq_cancel(&q, far3));
    CU_ASSERT_FALSE(evq_cancel(&q, far1));
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    CU_ASSERT_EQUAL(evq_peek_time(&q), SIM_TIME_MAX);
    evq_destroy(&q);
}

/* A long list whose newest nodes are all cancelled, then grown again: covers the
 * prefetch-hint bookkeeping when every remaining node already has its hint. */
static void test_cancel_tail_run(void)
{
    enum { N = 40, CUT = 20, MORE = 30 };
    sim_event_id id[N];
    struct evq q;
    evq_init(&q);
    for (uint64_t i = 0; i < N; i++)
        id[i] = push(&q, 1000000 + (sim_time_t)(i % 3), i);
    for (int i = N - 1; i >= N - CUT; i--)
        CU_ASSERT_TRUE(evq_cancel(&q, id[i]));
    for (uint64_t i = N; i < N + MORE; i++)
        push(&q, 1000000 + (sim_time_t)(i % 3), i);
    /* Expected: by time (i % 3), then by i, skipping the cancelled ones. */
    for (uint64_t r = 0; r < 3; r++)
        for (uint64_t i = r; i < N + MORE; i += 3)
            if (i < N - CUT || i >= N)
                CU_ASSERT_EQUAL(pop_arg(&q, NULL), i);
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    evq_destroy(&q);
}

static void test_stale_id_after_reuse(void)
{
    struct evq q;
    evq_init(&q);
    sim_event_id old = push(&q, 7, 1);
    CU_ASSERT_TRUE(evq_cancel(&q, old));
    sim_event_id fresh = push(&q, 8, 2);        /* recycles the same node */
    CU_ASSERT_EQUAL((uint32_t)fresh, (uint32_t)old);
    CU_ASSERT_NOT_EQUAL(fresh, old);
    CU_ASSERT_FALSE(evq_cancel(&q, old));
    CU_ASSERT_EQUAL(evq_count(&q), 1);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 2);
    CU_ASSERT_FALSE(evq_cancel(&q, fresh));
    evq_destroy(&q);
}

/* ---- limits --------------------------------------------------------------------- */

static void test_pop_limit_boundary(void)
{
    struct evq q;
    struct evq_item it;
    evq_init(&q);
    push(&q, 0, 100);
    pop_arg(&q, NULL);                           /* last = 0 */
    push(&q, 1000000, 1);                        /* a high level */
    push(&q, 1000000, 2);
    CU_ASSERT_FALSE(evq_pop(&q, 999999, &it));
    CU_ASSERT_EQUAL(evq_count(&q), 2);
    CU_ASSERT_EQUAL(evq_peek_time(&q), 1000000);
    /* The refused pop must not have moved `last`: earlier times still work. */
    push(&q, 700, 3);
    push(&q, 999999, 4);
    CU_ASSERT_EQUAL(evq_peek_time(&q), 700);
    CU_ASSERT_TRUE(evq_pop(&q, 700, &it));
    CU_ASSERT_EQUAL(it.arg, 3);
    CU_ASSERT_EQUAL(it.time, 700);
    CU_ASSERT_FALSE(evq_pop(&q, 999998, &it));
    CU_ASSERT_TRUE(evq_pop(&q, 999999, &it));
    CU_ASSERT_EQUAL(it.arg, 4);
    /* A limit equal to the time is inclusive. */
    CU_ASSERT_TRUE(evq_pop(&q, 1000000, &it));
    CU_ASSERT_EQUAL(it.arg, 1);
    push(&q, 1000000, 5);
    CU_ASSERT_FALSE(evq_pop(&q, 999999, &it));
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 2);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 5);
    evq_destroy(&q);
}

static void test_count_limit(void)
{
    struct evq q;
    evq_init(&q);
    q.limit = 3;
    CU_ASSERT_NOT_EQUAL(push(&q, 1, 0), 0);
    CU_ASSERT_NOT_EQUAL(push(&q, 2, 1), 0);
    sim_event_id c = push(&q, 3, 2);
    CU_ASSERT_NOT_EQUAL(c, 0);
    CU_ASSERT_EQUAL(push(&q, 4, 3), 0);
    CU_ASSERT_EQUAL(evq_count(&q), 3);
    CU_ASSERT_TRUE(evq_cancel(&q, c));
    CU_ASSERT_NOT_EQUAL(push(&q, 5, 4), 0);
    CU_ASSERT_EQUAL(push(&q, 6, 5), 0);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 0);
    CU_ASSERT_NOT_EQUAL(push(&q, 7, 6), 0);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 1);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 4);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 6);
    evq_destroy(&q);
}

/* After warm-up the hold pattern recycles nodes: the node array stops growing. */
static void test_no_growth_in_steady_state(void)
{
    struct evq q;
    evq_init(&q);
    mix_seed(5);
    for (uint64_t i = 0; i < 1000; i++)
        push(&q, (sim_time_t)mix_below(100000), i);
    uint32_t cap = q.cap;
    for (uint64_t i = 0; i < 100000; i++) {
        sim_time_t t;
        uint64_t a = pop_arg(&q, &t);
        push(&q, t + (sim_time_t)mix_below(100000), a);
    }
    CU_ASSERT_EQUAL(q.cap, cap);
    CU_ASSERT_EQUAL(evq_count(&q), 1000);
    evq_destroy(&q);
}

/* ---- randomized cross-check against a reference model --------------------------- */

struct model_ev {
    sim_time_t time;
    uint64_t seq;
    sim_event_id id;
};

/* The reference: pending events kept sorted by (time, seq), latest first, so the
 * earliest is at the end. */
struct model {
    struct model_ev *ev;
    size_t n, cap;
};

static void model_insert(struct model *m, struct model_ev e)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->ev = realloc(m->ev, m->cap * sizeof *m->ev);
    }
    size_t lo = 0, hi = m->n;     /* first position whose entry is earlier than e */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct model_ev *x = &m->ev[mid];
        bool later = x->time > e.time || (x->time == e.time && x->seq > e.seq);
        if (later)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&m->ev[lo + 1], &m->ev[lo], (m->n - lo) * sizeof *m->ev);
    m->ev[lo] = e;
    m->n++;
}

static void model_remove(struct model *m, size_t i)
{
    memmove(&m->ev[i], &m->ev[i + 1], (m->n - i - 1) * sizeof *m->ev);
    m->n--;
}

/* Delays that pile events into a few long lists high up, which exercises the
 * prefetch-hint bookkeeping under cancels. */
static sim_time_t clustered_delay(void)
{
    return mix_below(4) == 0 ? 0 : 300000 + (sim_time_t)mix_below(300);
}

static void run_against_model(uint64_t seed, sim_time_t (*delay)(void))
{
    enum { OPS = 100000, MAX_IDS = 4096 };
    struct evq q;
    struct model m = { 0 };
    sim_event_id *ids = calloc(MAX_IDS, sizeof *ids);   /* recent ids, some stale */
    sim_time_t last = 0;
    uint64_t seq = 0, mismatches = 0;
    evq_init(&q);
    mix_seed(seed);
    for (int op = 0; op < OPS && mismatches == 0; op++) {
        uint64_t r = mix_below(100);
        /* Drift the pending count up and down so both small and large sizes occur. */
        bool grow = (op / 20000) % 2 == 0;
        if (r < (grow ? 50u : 35u)) {
            struct model_ev e = { last + delay(), seq, 0 };
            e.id = push(&q, e.time, seq++);
            model_insert(&m, e);
            ids[mix_below(MAX_IDS)] = e.id;
        } else if (r < 85) {
            /* A limit sometimes before, at, or after the earliest time. */
            sim_time_t limit = m.n ? m.ev[m.n - 1].time : last;
            switch (mix_below(4)) {
            case 0:  limit -= (sim_time_t)mix_below(2000); break;
            case 1:  limit += (sim_time_t)mix_below(2000); break;
            case 2:  limit = SIM_TIME_MAX; break;
            default: break;
            }
            struct evq_item it;
            bool want = m.n && m.ev[m.n - 1].time <= limit;
            bool got = evq_pop(&q, limit, &it);
            if (got != want) {
                mismatches++;
            } else if (got) {
                struct model_ev *e = &m.ev[m.n - 1];
                if (it.time != e->time || it.arg != e->seq)
                    mismatches++;
                last = it.time;
                m.n--;
            }
        } else {
            sim_event_id id = ids[mix_below(MAX_IDS)];
            size_t at = m.n;
            for (size_t i = 0; i < m.n; i++)
                if (m.ev[i].id == id && id != 0)
                    at = i;
            bool got = evq_cancel(&q, id);
            if (got != (at < m.n))
                mismatches++;
            if (at < m.n)
                model_remove(&m, at);
        }
        if (evq_count(&q) != m.n ||
            evq_peek_time(&q) != (m.n ? m.ev[m.n - 1].time : SIM_TIME_MAX))
            mismatches++;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    /* Drain: the rest must come out in reference order too. */
    while (m.n && mismatches == 0) {
        sim_time_t t;
        uint64_t a = pop_arg(&q, &t);
        if (t != m.ev[m.n - 1].time || a != m.ev[m.n - 1].seq)
            mismatches++;
        m.n--;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    evq_destroy(&q);
    free(m.ev);
    free(ids);
}

static void test_random_against_model(void)
{
    run_against_model(42, mixed_delay);
}

static void test_clustered_against_model(void)
{
    run_against_model(43, clustered_delay);
}

/* ---- held places (evq_hold, evq_push_held) ----------------------------------------- */

/* A place taken before other events are pushed: at equal times the held event goes
 * first, whenever it is pushed, and wherever its slot is filed from. */
static void test_held_goes_first(void)
{
    static const sim_time_t at[] = { 0, 7, 5000, 300000, (sim_time_t)1 << 33 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        struct evq q;
        evq_init(&q);
        uint64_t h1 = evq_hold(&q);
        push(&q, at[k], 10);
        uint64_t h2 = evq_hold(&q);
        push(&q, at[k], 11);
        CU_ASSERT_EQUAL(evq_count(&q), 4);
        evq_push_held(&q, at[k], dummy_fn, NULL, 2, h2);   /* the later hold first */
        evq_push_held(&q, at[k], dummy_fn, NULL, 1, h1);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 1);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 10);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 2);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 11);
        CU_ASSERT_EQUAL(evq_count(&q), 0);
        evq_destroy(&q);
    }
}

/* A hold counts as a pending event: the limit refuses it as it refuses a push. */
static void test_held_counts_against_limit(void)
{
    struct evq q;
    evq_init(&q);
    q.limit = 2;
    uint64_t h = evq_hold(&q);
    CU_ASSERT(h != 0);
    CU_ASSERT(push(&q, 5, 1) != 0);
    CU_ASSERT_EQUAL(evq_hold(&q), 0);
    CU_ASSERT_EQUAL(push(&q, 5, 2), 0);
    CU_ASSERT_EQUAL(q.refused, 2);
    /* Held but not pushed yet: nothing to pop before it. */
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 1);
    struct evq_item it;
    CU_ASSERT(!evq_pop(&q, SIM_TIME_MAX, &it));
    CU_ASSERT(!evq_peek(&q, &it));
    CU_ASSERT_EQUAL(evq_peek_time(&q), SIM_TIME_MAX);
    CU_ASSERT_EQUAL(evq_count(&q), 1);
    evq_push_held(&q, 9, dummy_fn, NULL, 3, h);
    CU_ASSERT(evq_peek(&q, &it) && it.arg == 3 && it.time == 9);
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 3);
    CU_ASSERT_EQUAL(evq_count(&q), 0);
    evq_destroy(&q);
}

/* Random pushes, pops and holds pushed some operations later (as a link schedules a
 * frame when the one before it arrives) against the (time, seq) reference. */
static void test_held_against_model(void)
{
    enum { OPS = 100000, HELD = 64 };
    struct evq q;
    struct model m = { 0 };
    uint64_t held_seq[HELD], held_q[HELD];
    int nheld = 0;
    sim_time_t last = 0;
    uint64_t seq = 0, mismatches = 0;
    evq_init(&q);
    mix_seed(44);
    for (int op = 0; op < OPS && mismatches == 0; op++) {
        uint64_t r = mix_below(100);
        if (r < 30) {
            struct model_ev e = { last + mixed_delay(), seq, 0 };
            e.id = push(&q, e.time, seq++);
            model_insert(&m, e);
        } else if (r < 45 && nheld < HELD) {
            held_q[nheld] = evq_hold(&q);
            held_seq[nheld++] = seq++;
        } else if (r < 60 && nheld) {
            int i = (int)mix_below((uint64_t)nheld);
            /* Often at the time of the last pop or just after: equal times with newer
             * events are what the held place decides. */
            sim_time_t t = last + (mix_below(2) ? (sim_time_t)mix_below(3) : mixed_delay());
            struct model_ev e = { t, held_seq[i], 0 };
            evq_push_held(&q, t, dummy_fn, NULL, held_seq[i], held_q[i]);
            model_insert(&m, e);
            held_seq[i] = held_seq[--nheld];
            held_q[i] = held_q[nheld];
        } else if (m.n) {
            struct evq_item it;
            if (!evq_pop(&q, SIM_TIME_MAX, &it) || it.time != m.ev[m.n - 1].time ||
                it.arg != m.ev[m.n - 1].seq)
                mismatches++;
            last = it.time;
            m.n--;
        }
        if (evq_count(&q) != m.n + (uint64_t)nheld)
            mismatches++;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    evq_destroy(&q);
    free(m.ev);
}

/* ---- lanes ---------------------------------------------------------------------- */

static void lane_fn(struct sim *s, void *obj, uint64_t arg)
{
    (void)s; (void)obj; (void)arg;
}

/* A lane event ties with wheel events of the same time: seq decides, whether the
 * wheel's events of that time head a slot of level 0 or share one higher up. */
static void test_lane_ties_with_wheel(void)
{
    static const sim_time_t at[] = { 0, 7, 5000, 300000, (sim_time_t)1 << 33 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        struct evq q;
        evq_init(&q);
        struct evq_lane lane = { .fn = lane_fn, .arg = 100 };
        push(&q, at[k], 1);
        uint64_t h = evq_hold(&q);
        push(&q, at[k], 3);
        push(&q, at[k] + 1, 4);
        evq_lane_push(&q, &lane, at[k], h);
        struct evq_item it;
        CU_ASSERT_EQUAL(evq_peek_time(&q), at[k]);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 1);
        CU_ASSERT(evq_pop(&q, SIM_TIME_MAX, &it) && it.fn == lane_fn && it.arg == 100);
        CU_ASSERT(!lane.pending);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 3);
        CU_ASSERT_EQUAL(pop_arg(&q, NULL), 4);
        CU_ASSERT(!evq_pop(&q, SIM_TIME_MAX, &it));
        CU_ASSERT_EQUAL(evq_count(&q), 0);
        evq_destroy(&q);
    }
}

/* The lane whose event has just run keeps its heap entry until it pushes again; a
 * peek in between sees the next lane, and the limit is respected. */
static void test_lane_just_ran(void)
{
    struct evq q;
    evq_init(&q);
    struct evq_lane a = { .fn = lane_fn, .arg = 1 }, b = { .fn = lane_fn, .arg = 2 };
    uint64_t ha = evq_hold(&q), hb = evq_hold(&q);
    evq_lane_push(&q, &a, 10, ha);
    evq_lane_push(&q, &b, 20, hb);
    struct evq_item it;
    CU_ASSERT(evq_pop(&q, SIM_TIME_MAX, &it) && it.arg == 1 && it.time == 10);
    CU_ASSERT(evq_peek(&q, &it) && it.arg == 2 && it.time == 20);
    CU_ASSERT_EQUAL(evq_peek_time(&q), 20);
    uint64_t ha2 = evq_hold(&q);
    evq_lane_push(&q, &a, 30, ha2);               /* takes the root's place, sinks */
    CU_ASSERT(!evq_pop(&q, 15, &it));
    CU_ASSERT(evq_pop(&q, 20, &it) && it.arg == 2);
    CU_ASSERT_EQUAL(evq_count(&q), 1);
    push(&q, 25, 7);                              /* b ran and did not push again */
    CU_ASSERT_EQUAL(pop_arg(&q, NULL), 7);
    CU_ASSERT(evq_pop(&q, SIM_TIME_MAX, &it) && it.arg == 1 && it.time == 30);
    CU_ASSERT(!evq_peek(&q, &it));
    CU_ASSERT_EQUAL(evq_peek_time(&q), SIM_TIME_MAX);
    evq_destroy(&q);
}

/* Random pushes, cancels and pops of the wheel, and lanes used as a link uses them:
 * a transmission takes a hold; a lane with nothing pending pushes it at once, else
 * it waits in the lane's list and is pushed when the lane's event before it runs.
 * Against the (time, seq) reference, with peeks checked on the way. */
static void test_lanes_against_model(void)
{
    enum { OPS = 200000, LANES = 12, DEPTH = 32, MAX_IDS = 1024 };
    struct evq q;
    struct model m = { 0 };
    struct evq_lane lane[LANES];
    struct { sim_time_t t; uint64_t hold, seq; } wait[LANES][DEPTH];
    int nwait[LANES] = { 0 };
    uint64_t head_seq[LANES] = { 0 };
    sim_time_t tail_t[LANES] = { 0 };       /* the lane's latest time, pending or waiting */
    sim_event_id ids[MAX_IDS] = { 0 };
    size_t waiting = 0;
    sim_time_t last = 0;
    uint64_t seq = 0, mismatches = 0;
    evq_init(&q);
    for (int k = 0; k < LANES; k++)
        lane[k] = (struct evq_lane){ .fn = lane_fn, .arg = (uint64_t)k };
    mix_seed(45);
    for (int op = 0; op < OPS && mismatches == 0; op++) {
        uint64_t r = mix_below(100);
        if (r < 20) {
            struct model_ev e = { last + mixed_delay(), seq, 0 };
            e.id = push(&q, e.time, seq++);
            model_insert(&m, e);
            ids[mix_below(MAX_IDS)] = e.id;
        } else if (r < 27) {
            sim_event_id id = ids[mix_below(MAX_IDS)];
            size_t at = m.n;
            for (size_t i = 0; i < m.n; i++)
                if (m.ev[i].id == id && id != 0)
                    at = i;
            if (evq_cancel(&q, id) != (at < m.n))
                mismatches++;
            if (at < m.n)
                model_remove(&m, at);
        } else if (r < 55) {
            int k = (int)mix_below(LANES);
            if (nwait[k] == DEPTH)
                continue;
            /* Not before the lane's latest time (a port's frames arrive in order);
             * often equal to it or to `last`. */
            sim_time_t floor = tail_t[k] > last ? tail_t[k] : last;
            sim_time_t t = floor + (mix_below(3) ? (sim_time_t)mix_below(3) : mixed_delay());
            tail_t[k] = t;
            uint64_t h = evq_hold(&q);
            if (!lane[k].pending && nwait[k] == 0) {
                evq_lane_push(&q, &lane[k], t, h);
                model_insert(&m, (struct model_ev){ t, seq, 0 });
                head_seq[k] = seq;
            } else {
                wait[k][nwait[k]].t = t;
                wait[k][nwait[k]].hold = h;
                wait[k][nwait[k]++].seq = seq;
                waiting++;
            }
            seq++;
        } else {
            sim_time_t limit = m.n ? m.ev[m.n - 1].time : last;
            if (mix_below(4) == 0)
                limit -= (sim_time_t)mix_below(3);
            struct evq_item it;
            bool want = m.n && m.ev[m.n - 1].time <= limit;
            bool got = evq_pop(&q, limit, &it);
            if (got != want) {
                mismatches++;
                continue;
            }
            if (!got)
                continue;
            const struct model_ev *e = &m.ev[m.n - 1];
            uint64_t it_seq = it.fn == lane_fn ? head_seq[it.arg] : it.arg;
            if (it.time != e->time || it_seq != e->seq)
                mismatches++;
            last = it.time;
            m.n--;
            struct evq_item pk;
            if (evq_peek(&q, &pk)) {
                uint64_t pk_seq = pk.fn == lane_fn ? head_seq[pk.arg] : pk.arg;
                if (!m.n || pk.time != m.ev[m.n - 1].time || pk_seq != m.ev[m.n - 1].seq)
                    mismatches++;
            }
            /* The lane's handler: its next waiting event goes in now. */
            int k = it.fn == lane_fn ? (int)it.arg : -1;
            if (k >= 0 && nwait[k]) {
                evq_lane_push(&q, &lane[k], wait[k][0].t, wait[k][0].hold);
                model_insert(&m, (struct model_ev){ wait[k][0].t, wait[k][0].seq, 0 });
                head_seq[k] = wait[k][0].seq;
                memmove(&wait[k][0], &wait[k][1], (size_t)(--nwait[k]) * sizeof wait[k][0]);
                waiting--;
            }
        }
        if (evq_count(&q) != m.n + waiting ||
            evq_peek_time(&q) != (m.n ? m.ev[m.n - 1].time : SIM_TIME_MAX))
            mismatches++;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    evq_destroy(&q);
    free(m.ev);
}

/* ---- the event loop ------------------------------------------------------------- */

struct trace {
    uint64_t log[64];
    sim_time_t at[64];
    int n;
};

static struct trace tr;

static void trace_fn(struct sim *s, void *obj, uint64_t arg)
{
    (void)obj;
    if (tr.n < 64) {
        tr.at[tr.n] = s->now;
        tr.log[tr.n++] = arg;
    }
}

/* Logs itself, then schedules arg + 100 at the same time and arg + 200 a bit later. */
static void spawn_fn(struct sim *s, void *obj, uint64_t arg)
{
    trace_fn(s, obj, arg);
    sim_after(s, 0, trace_fn, NULL, arg + 100);
    sim_after(s, 5, trace_fn, NULL, arg + 200);
}

static void stop_fn(struct sim *s, void *obj, uint64_t arg)
{
    trace_fn(s, obj, arg);
    s->stop = true;
}

static void test_sim_run_until(void)
{
    struct sim s;
    memset(&tr, 0, sizeof tr);
    sim_init(&s, 1);
    sim_at(&s, 10, trace_fn, NULL, 1);
    sim_at(&s, 20, spawn_fn, NULL, 2);
    sim_at(&s, 20, trace_fn, NULL, 3);
    sim_at(&s, 30, trace_fn, NULL, 4);
    CU_ASSERT_EQUAL(sim_run_until(&s, 5), 0);
    CU_ASSERT_EQUAL(s.now, 5);
    /* The event spawned at 20 runs after 3, which was queued at 20 before it. */
    CU_ASSERT_EQUAL(sim_run_until(&s, 25), 5);
    CU_ASSERT_EQUAL(s.now, 25);
    uint64_t want[] = { 1, 2, 3, 102, 202 };
    sim_time_t want_at[] = { 10, 20, 20, 20, 25 };
    CU_ASSERT_EQUAL(tr.n, 5);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(tr.log[i], want[i]);
        CU_ASSERT_EQUAL(tr.at[i], want_at[i]);
    }
    /* An event scheduled now, after the clock was moved to end, still runs. */
    sim_after(&s, 0, trace_fn, NULL, 5);
    CU_ASSERT_EQUAL(sim_run_until(&s, 29), 1);
    CU_ASSERT_EQUAL(tr.log[5], 5);
    CU_ASSERT_EQUAL(tr.at[5], 25);
    CU_ASSERT_EQUAL(s.now, 29);
    CU_ASSERT_EQUAL(sim_run_until(&s, 1000), 1);
    CU_ASSERT_EQUAL(s.now, 1000);
    CU_ASSERT_EQUAL(s.events_run, 7);
    sim_destroy(&s);
}

static void test_sim_stop_and_cancel(void)
{
    struct sim s;
    memset(&tr, 0, sizeof tr);
    sim_init(&s, 1);
    sim_at(&s, 10, trace_fn, NULL, 1);
    sim_at(&s, 20, stop_fn, NULL, 2);
    sim_event_id c = sim_at(&s, 20, trace_fn, NULL, 3);
    sim_at(&s, 40, trace_fn, NULL, 4);
    CU_ASSERT_EQUAL(sim_run_until(&s, 100), 2);
    CU_ASSERT_EQUAL(s.now, 20);                  /* stopped: clock at the last event */
    CU_ASSERT_TRUE(sim_cancel(&s, c));
    CU_ASSERT_FALSE(sim_cancel(&s, c));
    CU_ASSERT_EQUAL(sim_run_until(&s, 100), 1);
    CU_ASSERT_EQUAL(s.now, 100);
    CU_ASSERT_EQUAL(tr.n, 3);
    CU_ASSERT_EQUAL(tr.log[2], 4);
    sim_destroy(&s);
}

/* now + a drawn duration saturates at the end of time instead of wrapping into the
 * past (a pareto service time of shape 0.001 draws INT64_MAX). */
static void test_sim_time_add_saturates(void)
{
    CU_ASSERT_EQUAL(sim_time_add(5, 7), 12);
    CU_ASSERT_EQUAL(sim_time_add(5, -7), 5);
    CU_ASSERT_EQUAL(sim_time_add(1, SIM_TIME_MAX), SIM_TIME_MAX);
    CU_ASSERT_EQUAL(sim_time_add(SIM_TIME_MAX - 3, 3), SIM_TIME_MAX);
    CU_ASSERT_EQUAL(sim_time_add(SIM_TIME_MAX - 3, 4), SIM_TIME_MAX);
    CU_ASSERT_EQUAL(sim_time_add(SIM_TIME_MAX, SIM_TIME_MAX), SIM_TIME_MAX);
    struct sim s;
    memset(&tr, 0, sizeof tr);
    sim_init(&s, 1);
    sim_at(&s, 10, trace_fn, NULL, 1);
    CU_ASSERT_EQUAL(sim_run_until(&s, 10), 1);
    /* sim_after with any duration: never in the past, never run before the end */
    CU_ASSERT_NOT_EQUAL(sim_after(&s, SIM_TIME_MAX, trace_fn, NULL, 2), 0);
    sim_after(&s, 5, trace_fn, NULL, 3);
    CU_ASSERT_EQUAL(sim_run_until(&s, SIM_TIME_MAX - 1), 1);
    CU_ASSERT_EQUAL(tr.log[1], 3);
    CU_ASSERT_EQUAL(sim_run_until(&s, SIM_TIME_MAX), 1);
    CU_ASSERT_EQUAL(tr.log[2], 2);
    CU_ASSERT_EQUAL(tr.at[2], SIM_TIME_MAX);
    sim_destroy(&s);
}

/* An event that schedules itself at the same instant: the clock never moves. */
static void same_instant(struct sim *s, void *obj, uint64_t arg)
{
    (void)obj;
    sim_after(s, (sim_time_t)arg, same_instant, NULL, arg);
}

/* limits.event_rate: a clock stuck at one instant stops after rate_limit + 1 events;
 * the same number of events spread over seconds runs to the end. */
static void test_sim_event_rate(void)
{
    struct sim s;
    sim_init(&s, 1);
    s.rate_limit = 1000;
    sim_at(&s, 5 * SEC, same_instant, NULL, 0);
    CU_ASSERT_EQUAL(sim_run_until(&s, 10 * SEC), 1001);
    CU_ASSERT_TRUE(s.rate_refused);
    CU_ASSERT_EQUAL(s.now, 5 * SEC);
    sim_destroy(&s);
    sim_init(&s, 1);
    s.rate_limit = 1000;
    sim_at(&s, 0, same_instant, NULL, SEC / 1000);  /* 1000 a second, exactly the limit */
    CU_ASSERT_EQUAL(sim_run_until(&s, 10 * SEC - 1), 10000);
    CU_ASSERT_FALSE(s.rate_refused);
    CU_ASSERT_EQUAL(s.rate_peak, 1000);
    sim_destroy(&s);
}

IPVSIM_SUITE(event)
{
    CU_pSuite s = CU_add_suite("event", NULL, NULL);
    ADD_TEST(s, test_random_order);
    ADD_TEST(s, test_extreme_times);
    ADD_TEST(s, test_fifo_across_levels);
    ADD_TEST(s, test_fifo_many_equal);
    ADD_TEST(s, test_cancel_positions);
    ADD_TEST(s, test_cancel_only_event_of_slot);
    ADD_TEST(s, test_cancel_cascaded);
    ADD_TEST(s, test_cancel_tail_run);
    ADD_TEST(s, test_stale_id_after_reuse);
    ADD_TEST(s, test_pop_limit_boundary);
    ADD_TEST(s, test_count_limit);
    ADD_TEST(s, test_no_growth_in_steady_state);
    ADD_TEST(s, test_random_against_model);
    ADD_TEST(s, test_clustered_against_model);
    ADD_TEST(s, test_held_goes_first);
    ADD_TEST(s, test_held_counts_against_limit);
    ADD_TEST(s, test_held_against_model);
    ADD_TEST(s, test_lane_ties_with_wheel);
    ADD_TEST(s, test_lane_just_ran);
    ADD_TEST(s, test_lanes_against_model);
    ADD_TEST(s, test_sim_run_until);
    ADD_TEST(s, test_sim_stop_and_cancel);
    ADD_TEST(s, test_sim_time_add_saturates);
    ADD_TEST(s, test_sim_event_rate);
}
