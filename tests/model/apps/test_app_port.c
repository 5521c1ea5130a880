/* Ephemeral ports (model/apps/app_port.c): the walk from a drawn offset upwards, maps
 * per (protocol, address), the forms of a map (a list in its slot, a list apart of one
 * line, of two, a bitmap) and the switches between them, exhaustion, and the reuse
 * offer. The client stack of topo3 (10.0.1.2). */
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "model/net.h"
#include "sim/rng.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define LOW    EPHEMERAL_PORT_LOW
#define HIGH   EPHEMERAL_PORT_HIGH
#define NPORTS (HIGH - LOW + 1)

struct port_world {
    struct topo3 t;
    struct app_stack *st;
    be32 a, b;
};

static void pw_init(struct port_world *w)
{
    memset(w, 0, sizeof *w);
    topo3_init(&w->t);
    w->st = app_stack_get(host_net(w->t.client));
    w->a = topo_ip("10.0.1.2");
    w->b = topo_ip("10.0.1.3");
}

static void pw_free(struct port_world *w)
{
    app_stack_put(w->st);
    world_destroy(&w->t.w);
}

/* The ports of the whole range that proto on addr holds, each asked in turn. */
static int ports_counted(const struct port_world *w, uint8_t proto, be32 addr)
{
    int n = 0;
    for (uint32_t p = LOW; p <= HIGH; p++)
        n += app_port_in_use(w->st, proto, addr, htons((uint16_t)p));
    return n;
}

/* The same draw twice: the second call finds the first port taken and moves one up,
 * whatever the map's form: a list in its slot (up to 21 ports), apart (up to 32, then
 * 64), a bitmap (more). */
static void test_walk_moves_up(void)
{
    static const int fills[] = { 0, 20, 30, 60, 100 };
    for (unsigned f = 0; f < sizeof fills / sizeof fills[0]; f++) {
        int before = fills[f];
        struct port_world w;
        pw_init(&w);
        struct rng fill;
        rng_init(&fill, 99, "fill");
        for (int i = 0; i < before; i++)
            CU_ASSERT(app_port_alloc(w.st, IPPROTO_TCP, w.a, &fill) != 0);
        struct rng r1, r2;
        rng_init(&r1, 5, "walk");
        r2 = r1;
        be16 p1 = app_port_alloc(w.st, IPPROTO_TCP, w.a, &r1);
        CU_ASSERT(ntohs(p1) >= LOW && ntohs(p1) <= HIGH);
        /* The first port above p1 (wrapping) not in use yet. */
        uint16_t want = ntohs(p1);
        do
            want = want == HIGH ? LOW : want + 1;
        while (app_port_in_use(w.st, IPPROTO_TCP, w.a, htons(want)));
        if (before == 0)
            CU_ASSERT_EQUAL(want, ntohs(p1) == HIGH ? LOW : ntohs(p1) + 1);
        be16 p2 = app_port_alloc(w.st, IPPROTO_TCP, w.a, &r2);
        CU_ASSERT_EQUAL(ntohs(p2), want);
        pw_free(&w);
    }
}

/* Ports handed out are distinct, in use until released, and per (protocol, address). */
static void test_distinct_and_released(void)
{
    struct port_world w;
    pw_init(&w);
    struct rng r;
    rng_init(&r, 1, "distinct");
    static be16 got[200];
    for (int i = 0; i < 200; i++) {
        got[i] = app_port_alloc(w.st, IPPROTO_UDP, w.a, &r);
        CU_ASSERT(got[i] != 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT(got[j] != got[i]);
    }
    for (int i = 0; i < 200; i++) {
        CU_ASSERT(app_port_in_use(w.st, IPPROTO_UDP, w.a, got[i]));
        CU_ASSERT(!app_port_in_use(w.st, IPPROTO_TCP, w.a, got[i]));
        CU_ASSERT(!app_port_in_use(w.st, IPPROTO_UDP, w.b, got[i]));
    }
    for (int i = 0; i < 200; i += 2)
        app_port_release(w.st, IPPROTO_UDP, w.a, got[i]);
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL(app_port_in_use(w.st, IPPROTO_UDP, w.a, got[i]), i % 2 == 1);
    /* Outside the range, or never used: nothing happens. */
    app_port_release(w.st, IPPROTO_UDP, w.a, htons(80));
    app_port_release(w.st, IPPROTO_UDP, w.b, got[1]);
    CU_ASSERT(app_port_in_use(w.st, IPPROTO_UDP, w.a, got[1]));
    CU_ASSERT(!app_port_in_use(w.st, IPPROTO_UDP, w.a, htons(80)));
    pw_free(&w);
}

/* A few ports in use, then all released: the list shrinks back and keeps working. */
static void test_list_release_order(void)
{
    struct port_world w;
    pw_init(&w);
    struct rng r;
    rng_init(&r, 3, "list");
    be16 p[10];
    for (int i = 0; i < 10; i++)
        p[i] = app_port_alloc(w.st, IPPROTO_TCP, w.b, &r);
    int order[10] = { 4, 0, 9, 5, 1, 8, 2, 7, 3, 6 };
    for (int k = 0; k < 10; k++) {
        app_port_release(w.st, IPPROTO_TCP, w.b, p[order[k]]);
        for (int j = 0; j <= k; j++)
            CU_ASSERT(!app_port_in_use(w.st, IPPROTO_TCP, w.b, p[order[j]]));
        for (int j = k + 1; j < 10; j++)
            CU_ASSERT(app_port_in_use(w.st, IPPROTO_TCP, w.b, p[order[j]]));
    }
    pw_free(&w);
}

/* Every port of the range: the next call fails (EADDRNOTAVAIL); one released is the
 * one the next call gets, wherever the walk starts. */
static void test_exhaustion(void)
{
    struct port_world w;
    pw_init(&w);
    struct rng r;
    rng_init(&r, 11, "all");
    for (int i = 0; i < NPORTS; i++)
        CU_ASSERT_FATAL(app_port_alloc(w.st, IPPROTO_TCP, w.a, &r) != 0);
    CU_ASSERT_EQUAL(app_port_alloc(w.st, IPPROTO_TCP, w.a, &r), 0);
    app_port_release(w.st, IPPROTO_TCP, w.a, htons(40000));
    CU_ASSERT_EQUAL(ntohs(app_port_alloc(w.st, IPPROTO_TCP, w.a, &r)), 40000);
    CU_ASSERT_EQUAL(app_port_alloc(w.st, IPPROTO_TCP, w.a, &r), 0);
    pw_free(&w);
}

struct offer {
    struct app_stack *st;
    be32 addr;
    int asked;
    be16 take;                      /* the port to free and take */
};

static bool take_over(void *ctx, be16 port)
{
    struct offer *o = ctx;
    o->asked++;
    if (port != o->take)
        return false;
    app_port_release(o->st, IPPROTO_TCP, o->addr, port);
    return true;
}

/* A port in use is offered to reuse: taken when it frees it, passed over otherwise. */
static void test_reuse_offer(void)
{
    struct port_world w;
    pw_init(&w);
    struct rng r1, r2, r3;
    rng_init(&r1, 21, "reuse");
    r2 = r1;
    r3 = r1;
    be16 p = app_port_alloc(w.st, IPPROTO_TCP, w.a, &r1);
    struct offer no = { .st = w.st, .addr = w.a, .take = 0 };
    be16 q = app_port_alloc_reuse(w.st, IPPROTO_TCP, w.a, &r2, take_over, &no);
    CU_ASSERT_EQUAL(no.asked, 1);
    CU_ASSERT(q != p);
    struct offer yes = { .st = w.st, .addr = w.a, .take = p };
    be16 s = app_port_alloc_reuse(w.st, IPPROTO_TCP, w.a, &r3, take_over, &yes);
    CU_ASSERT_EQUAL(yes.asked, 1);
    CU_ASSERT_EQUAL(s, p);
    CU_ASSERT(app_port_in_use(w.st, IPPROTO_TCP, w.a, p));
    pw_free(&w);
}

/* Across every switch of form (21 -> a line apart -> two lines -> a bitmap), each
 * port handed out is new, and every port stays in use until released; releasing half
 * and taking as many again keeps the count, in whichever form the map is by then. */
static void test_every_form(void)
{
    static const int sizes[] = { 21, 22, 32, 33, 64, 65, 130 };
    for (unsigned z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        struct port_world w;
        pw_init(&w);
        struct rng r;
        rng_init(&r, 40 + z, "forms");
        int n = sizes[z];
        be16 got[130];
        for (int i = 0; i < n; i++) {
            got[i] = app_port_alloc(w.st, IPPROTO_TCP, w.a, &r);
            CU_ASSERT_FATAL(got[i] != 0);
            for (int j = 0; j < i; j++)
                CU_ASSERT(got[j] != got[i]);
            for (int j = 0; j <= i; j++)
                CU_ASSERT(app_port_in_use(w.st, IPPROTO_TCP, w.a, got[j]));
        }
        for (int i = 0; i < n; i += 2)
            app_port_release(w.st, IPPROTO_TCP, w.a, got[i]);
        for (int i = 0; i < n; i++)
            CU_ASSERT_EQUAL(app_port_in_use(w.st, IPPROTO_TCP, w.a, got[i]), i % 2 == 1);
        for (int i = 0; i < n; i += 2) {
            got[i] = app_port_alloc(w.st, IPPROTO_TCP, w.a, &r);
            CU_ASSERT(app_port_in_use(w.st, IPPROTO_TCP, w.a, got[i]));
        }
        CU_ASSERT_EQUAL(ports_counted(&w, IPPROTO_TCP, w.a), n);
        pw_free(&w);
    }
}

/* Switches that come after releases: 30 ports (a list apart), 20 released, then 60
 * more (past two lines into the bitmap): the survivors and the new ports all in use,
 * the released ones free unless taken again, and the count exact. */
static void test_forms_after_release(void)
{
    struct port_world w;
    pw_init(&w);
    struct rng r;
    rng_init(&r, 77, "after");
    be16 got[90];
    for (int i = 0; i < 30; i++)
        CU_ASSERT_FATAL((got[i] = app_port_alloc(w.st, IPPROTO_UDP, w.a, &r)) != 0);
    for (int i = 0; i < 20; i++)
        app_port_release(w.st, IPPROTO_UDP, w.a, got[i]);
    for (int i = 30; i < 90; i++)
        CU_ASSERT_FATAL((got[i] = app_port_alloc(w.st, IPPROTO_UDP, w.a, &r)) != 0);
    for (int i = 20; i < 90; i++)
        CU_ASSERT(app_port_in_use(w.st, IPPROTO_UDP, w.a, got[i]));
    CU_ASSERT_EQUAL(ports_counted(&w, IPPROTO_UDP, w.a), 70);
    for (int i = 20; i < 90; i++)
        app_port_release(w.st, IPPROTO_UDP, w.a, got[i]);
    for (int i = 0; i < 90; i++)
        CU_ASSERT(!app_port_in_use(w.st, IPPROTO_UDP, w.a, got[i]));
    pw_free(&w);
}

/* Many addresses (the table of maps grows), each with its own ports. */
static void test_many_addresses(void)
{
    struct port_world w;
    pw_init(&w);
    struct rng r;
    rng_init(&r, 8, "addrs");
    static be16 got[1000];
    for (uint32_t i = 0; i < 1000; i++)
        got[i] = app_port_alloc(w.st, IPPROTO_UDP, htonl(0x0a020000u + i), &r);
    for (uint32_t i = 0; i < 1000; i++) {
        CU_ASSERT(app_port_in_use(w.st, IPPROTO_UDP, htonl(0x0a020000u + i), got[i]));
        CU_ASSERT(!app_port_in_use(w.st, IPPROTO_UDP, htonl(0x0a030000u + i), got[i]));
    }
    pw_free(&w);
}

IPVSIM_SUITE(app_port)
{
    CU_pSuite s = CU_add_suite("app_port", NULL, NULL);
    ADD_TEST(s, test_walk_moves_up);
    ADD_TEST(s, test_distinct_and_released);
    ADD_TEST(s, test_list_release_order);
    ADD_TEST(s, test_exhaustion);
    ADD_TEST(s, test_reuse_offer);
    ADD_TEST(s, test_every_form);
    ADD_TEST(s, test_forms_after_release);
    ADD_TEST(s, test_many_addresses);
}
