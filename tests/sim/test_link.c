/* Tests for hosts, interfaces, links and the world (sim/host.c, sim/link.c,
 * sim/netdev.c, sim/world.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tests/testutil.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/pcap_tap.h"
#include "sim/pkt.h"
#include "sim/world.h"

/* ---- a recording model ---------------------------------------------------------- */

struct rec {
    sim_time_t t;
    struct host *host;
    struct net_device *dev;
    uint64_t id;
    uint8_t pkt_type;
    uint32_t wire;
    uint32_t mark;
    void *nfct, *dst;
    uint16_t protocol;
    uint16_t network_header;
    bool mac_at_data;
};

#define MAX_RECS 20000
static struct rec recs[MAX_RECS];
static int nrecs;

static void rec_rx(struct host *h, struct net_device *dev, struct sk_buff *skb)
{
    if (nrecs < MAX_RECS) {
        struct rec *r = &recs[nrecs++];
        r->t = host_now(h);
        r->host = h;
        r->dev = dev;
        r->id = skb->id;
        r->pkt_type = skb->pkt_type;
        r->wire = skb_wire_len(skb);
        r->mark = skb->mark;
        r->nfct = skb->nfct;
        r->dst = skb->dst;
        r->protocol = skb->protocol;
        r->network_header = skb->network_header;
        r->mac_at_data = skb_mac_header(skb) == skb->data;
    }
    CU_ASSERT_PTR_EQUAL(skb->dev, dev);
    skb_free(host_pool(h), skb);
}

static const struct host_ops rec_ops = { "recorder", rec_rx, NULL };

/* ---- fixture: hosts h0..h(n-1), each with eth0 10.0.0.(i+1)/24 on link "l0" ---- */

#define MAXH 4
static struct world W;
static struct host *H[MAXH];
static struct net_device *D[MAXH];
static struct link *L;

static void setup(int n, const struct link_params *p)
{
    world_init(&W, 1);
    nrecs = 0;
    L = link_new(&W, "l0", p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(L);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        H[i] = host_new(&W, name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(H[i]);
        H[i]->ops = &rec_ops;
        D[i] = host_add_dev(H[i], "eth0", 1500);
        CU_ASSERT_PTR_NOT_NULL_FATAL(D[i]);
        CU_ASSERT_TRUE(netdev_add_addr(D[i], htonl(0x0a000001 + (uint32_t)i), 24));
        CU_ASSERT_TRUE(link_attach(L, D[i]));
    }
}

/* Run everything pending, check that no packet leaked, destroy the world. */
static void teardown(void)
{
    sim_run_until(&W.sim, SIM_TIME_MAX - 1);
    CU_ASSERT_EQUAL(W.pool.in_use, 0);
    world_destroy(&W);
}

static void run_to(sim_time_t t)
{
    sim_run_until(&W.sim, t);
}

/* A UDP frame of wire length 42 + payload from dev to dst. */
static struct sk_buff *frame_to(struct net_device *from, const uint8_t dst[ETH_ALEN],
                                uint32_t payload)
{
    struct sk_buff *skb = skb_alloc(&W.pool, W.sim.now);
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    struct ip4_spec ip = { .saddr = from->naddrs ? from->addrs[0].addr : 0,
                           .daddr = htonl(0x0a0000ff) };
    CU_ASSERT_TRUE_FATAL(pkt_build_udp(skb, &ip, htons(1000), htons(2000), payload));
    CU_ASSERT_TRUE_FATAL(eth_push(skb, from->dev_addr, dst, ETH_P_IP));
    CU_ASSERT_EQUAL(skb_wire_len(skb), 42 + payload);
    return skb;
}

static uint64_t send_to(int from, int to, uint32_t payload)
{
    struct sk_buff *skb = frame_to(D[from], D[to]->dev_addr, payload);
    uint64_t id = skb->id;
    host_xmit(H[from], D[from], skb);
    return id;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_tx_time(void)
{
    CU_ASSERT_EQUAL(link_tx_time(1514, 1000000000ULL), 12304);  /* (1514+24)*8 */
    CU_ASSERT_EQUAL(link_tx_time(60, 1000000000ULL), 672);      /* 84 bytes */
    CU_ASSERT_EQUAL(link_tx_time(10, 1000000000ULL), 672);      /* padded to 60 */
    CU_ASSERT_EQUAL(link_tx_time(1514, 10000000000ULL), 1231);  /* 1230.4 rounded up */
    CU_ASSERT_EQUAL(link_tx_time(1514, 100000000ULL), 123040);
    CU_ASSERT_EQUAL(link_tx_time(100, 3), 330666666667LL);      /* ceil(992e9 / 3) */
    CU_ASSERT_EQUAL(link_tx_time(1514, 0), 0);                  /* infinite */
    CU_ASSERT_EQUAL(link_tx_time(UINT32_MAX, 1000000000ULL), 34359738552LL);
    CU_ASSERT_EQUAL(link_tx_time(UINT32_MAX, 1), SIM_TIME_MAX);   /* saturates */
}

static void test_world_hosts(void)
{
    world_init(&W, 5);
    struct host *a = host_new(&W, "alpha");
    struct host *b = host_new(&W, "beta");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NULL(host_new(&W, "alpha"));
    CU_ASSERT_PTR_NULL(host_new(&W, ""));
    CU_ASSERT_PTR_NULL(host_new(&W, "a-name-that-is-much-too-long-for-a-host"));
    CU_ASSERT_PTR_EQUAL(world_host(&W, "beta"), b);
    CU_ASSERT_PTR_NULL(world_host(&W, "gamma"));
    CU_ASSERT_EQUAL(W.hosts->len, 2);
    CU_ASSERT_PTR_EQUAL(g_ptr_array_index(W.hosts, 0), a);
    CU_ASSERT_EQUAL(b->index, 1);

    /* lo: ifindex 1, 127.0.0.1/8, loopback, MTU 65536, zero MAC. */
    struct net_device *lo = host_dev(b, "lo");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lo);
    CU_ASSERT_EQUAL(lo->ifindex, 1);
    CU_ASSERT_TRUE(lo->loopback);
    CU_ASSERT_EQUAL(lo->mtu, 65536);
    CU_ASSERT_TRUE(netdev_has_addr(lo, htonl(0x7f000001)));
    CU_ASSERT_TRUE(netdev_on_subnet(lo, htonl(0x7f123456)));
    static const uint8_t zero[ETH_ALEN];
    CU_ASSERT_EQUAL(memcmp(lo->dev_addr, zero, ETH_ALEN), 0);

    /* Devices: deterministic MACs 02:00:00:HH:HH:II. */
    struct net_device *e0 = host_add_dev(b, "eth0", 1500);
    struct net_device *e1 = host_add_dev(b, "eth1", 9000);
    CU_ASSERT_PTR_NULL(host_add_dev(b, "eth0", 1500));
    CU_ASSERT_EQUAL(e0->ifindex, 2);
    CU_ASSERT_EQUAL(e1->ifindex, 3);
    static const uint8_t mac1[ETH_ALEN] = { 0x02, 0, 0, 0x00, 0x01, 0x03 };
    CU_ASSERT_EQUAL(memcmp(e1->dev_addr, mac1, ETH_ALEN), 0);
    CU_ASSERT_PTR_EQUAL(host_dev(b, "eth1"), e1);
    for (int i = 2; i < HOST_MAX_DEVS - 1; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        CU_ASSERT_PTR_NOT_NULL(host_add_dev(b, name, 1500));
    }
    CU_ASSERT_PTR_NULL(host_add_dev(b, "one-too-many", 1500));

    /* Addresses. */
    CU_ASSERT_TRUE(netdev_add_addr(e0, htonl(0xc0a80101), 24));
    CU_ASSERT_TRUE(netdev_add_addr(e0, htonl(0xc0a80101), 24));   /* again: no dup */
    CU_ASSERT_FALSE(netdev_add_addr(e0, htonl(0xc0a80101), 16));
    CU_ASSERT_FALSE(netdev_add_addr(e0, htonl(0xc0a80102), 33));
    CU_ASSERT_EQUAL(e0->naddrs, 1);
    CU_ASSERT_TRUE(netdev_on_subnet(e0, htonl(0xc0a801fe)));
    CU_ASSERT_FALSE(netdev_on_subnet(e0, htonl(0xc0a802fe)));
    CU_ASSERT_PTR_EQUAL(host_dev_by_addr(b, htonl(0xc0a80101)), e0);
    CU_ASSERT_PTR_EQUAL(host_dev_by_addr(b, htonl(0x7f000001)), lo);
    CU_ASSERT_PTR_NULL(host_dev_by_addr(a, htonl(0xc0a80101)));

    /* Links: unique names, lo and double attachment refused. */
    struct link *l = link_new(&W, "wire", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_PTR_NULL(link_new(&W, "wire", NULL));
    CU_ASSERT_PTR_EQUAL(world_link(&W, "wire"), l);
    CU_ASSERT_EQUAL(l->qcap, LINK_DEFAULT_QUEUE);
    CU_ASSERT_FALSE(link_attach(l, lo));
    CU_ASSERT_TRUE(link_attach(l, e0));
    CU_ASSERT_FALSE(link_attach(l, e0));
    CU_ASSERT_PTR_EQUAL(e0->link, l);

    /* A host freed on its own leaves the world consistent. */
    host_free(a);
    CU_ASSERT_EQUAL(W.hosts->len, 1);
    CU_ASSERT_PTR_NULL(world_host(&W, "alpha"));
    CU_ASSERT_PTR_EQUAL(g_ptr_array_index(W.hosts, 0), b);
    world_destroy(&W);
}

static int destroyed;
static void count_destroy(struct host *h)
{
    destroyed++;
    CU_ASSERT_PTR_NOT_NULL(h->world);   /* the world is still whole */
}

static void test_world_destroy_calls_model(void)
{
    static const struct host_ops ops = { "counting", rec_rx, count_destroy };
    destroyed = 0;
    world_init(&W, 1);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        host_new(&W, name)->ops = &ops;
    }
    /* Frames still in flight at teardown are reclaimed with the pool. */
    struct link *l = link_new(&W, "l", &(struct link_params){ .latency = SEC });
    struct host *h0 = g_ptr_array_index(W.hosts, 0), *h1 = g_ptr_array_index(W.hosts, 1);
    struct net_device *a = host_add_dev(h0, "eth0", 1500);
    struct net_device *b = host_add_dev(h1, "eth0", 1500);
    link_attach(l, a);
    link_attach(l, b);
    host_xmit(h0, a, frame_to(a, b->dev_addr, 10));
    CU_ASSERT_EQUAL(W.pool.in_use, 1);
    world_destroy(&W);
    CU_ASSERT_EQUAL(destroyed, 3);
}

/* One frame: arrival = serialisation + latency, to the right host, scrubbed. */
static void test_one_frame_timing(void)
{
    setup(2, &(struct link_params){ .latency = 10 * USEC, .bandwidth_bps = 1000000000ULL });
    struct sk_buff *skb = frame_to(D[0], D[1]->dev_addr, 1472);     /* 1514 on the wire */
    skb->mark = 7;
    skb->nfct = (void *)0x1;
    skb->dst = (void *)0x2;
    uint64_t id = skb->id;
    host_xmit(H[0], D[0], skb);
    CU_ASSERT_EQUAL(nrecs, 0);
    CU_ASSERT_EQUAL(evq_count(&W.sim.q), 1);        /* one event per frame */
    run_to(SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 1);
    CU_ASSERT_EQUAL(recs[0].t, 10000 + 12304);
    CU_ASSERT_PTR_EQUAL(recs[0].host, H[1]);
    CU_ASSERT_PTR_EQUAL(recs[0].dev, D[1]);
    CU_ASSERT_EQUAL(recs[0].id, id);
    CU_ASSERT_EQUAL(recs[0].pkt_type, PACKET_HOST);
    CU_ASSERT_EQUAL(recs[0].wire, 1514);
    CU_ASSERT_EQUAL(recs[0].mark, 0);
    CU_ASSERT_PTR_NULL(recs[0].nfct);
    CU_ASSERT_PTR_NULL(recs[0].dst);
    CU_ASSERT_EQUAL(recs[0].protocol, ETH_P_IP);
    CU_ASSERT_EQUAL(recs[0].network_header, SKB_NO_HDR);
    CU_ASSERT_TRUE(recs[0].mac_at_data);
    /* Counters on both ends and on the link. */
    CU_ASSERT_EQUAL(D[0]->stats.tx_packets, 1);
    CU_ASSERT_EQUAL(D[0]->stats.tx_bytes, 1514);
    CU_ASSERT_EQUAL(D[1]->stats.rx_packets, 1);
    CU_ASSERT_EQUAL(D[1]->stats.rx_bytes, 1514);
    CU_ASSERT_EQUAL(L->stats.tx_frames, 1);
    CU_ASSERT_EQUAL(L->stats.delivered, 1);
    CU_ASSERT_EQUAL(L->ports[0].stats.delivered, 1);
    CU_ASSERT_EQUAL(L->ports[1].stats.tx_frames, 0);
    teardown();
}

/* Back-to-back frames queue behind each other: one tx time apart; a small frame is
 * padded to the minimum. */
static void test_back_to_back(void)
{
    const sim_time_t lat = 3 * USEC, T = 12304;
    setup(2, &(struct link_params){ .latency = lat, .bandwidth_bps = 1000000000ULL });
    uint64_t id[3];
    for (int i = 0; i < 3; i++)
        id[i] = send_to(0, 1, 1472);
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 2);    /* the first is on the wire */
    CU_ASSERT_EQUAL(link_queue_len(L, D[1]), 0);
    run_to(T);                                      /* the second starts */
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 1);
    send_to(0, 1, 0);                               /* 42 bytes: a 672 ns slot */
    run_to(SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 4);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(recs[i].t, (i + 1) * T + lat);
        CU_ASSERT_EQUAL(recs[i].id, id[i]);
    }
    CU_ASSERT_EQUAL(recs[3].t, 3 * T + 672 + lat);
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 0);
    /* The other direction has its own transmitter: no wait behind port 0. */
    run_to(2 * SEC);
    send_to(0, 1, 1472);
    send_to(1, 0, 1472);
    run_to(3 * SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 6);
    CU_ASSERT_EQUAL(recs[4].t, 2 * SEC + T + lat);
    CU_ASSERT_EQUAL(recs[5].t, 2 * SEC + T + lat);
    teardown();
}

static void test_infinite_bandwidth(void)
{
    setup(2, &(struct link_params){ .latency = 5 * USEC });
    uint64_t id[5];
    for (int i = 0; i < 5; i++)
        id[i] = send_to(0, 1, 1000);
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 0);
    run_to(SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 5);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(recs[i].t, 5 * USEC);
        CU_ASSERT_EQUAL(recs[i].id, id[i]);         /* same time: sending order */
    }
    teardown();
}

static void test_drop_tail(void)
{
    const sim_time_t T = 12304;
    setup(2, &(struct link_params){ .latency = 0, .bandwidth_bps = 1000000000ULL,
                                    .queue_limit = 4 });
    char path[] = "/tmp/ipvsim-test-droptail-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    char err[256];
    D[0]->tap = pcap_tap_open(path, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(D[0]->tap);

    for (int i = 0; i < 10; i++)
        send_to(0, 1, 1472);
    /* One on the wire, four waiting, five dropped. */
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 4);
    CU_ASSERT_EQUAL(L->stats.queue_drops, 5);
    CU_ASSERT_EQUAL(L->ports[0].stats.queue_drops, 5);
    CU_ASSERT_EQUAL(D[0]->stats.tx_dropped, 5);
    CU_ASSERT_EQUAL(D[0]->stats.tx_packets, 5);
    CU_ASSERT_EQUAL(L->stats.tx_frames, 5);
    CU_ASSERT_EQUAL(pcap_tap_frames(D[0]->tap), 5);  /* drops are not captured */
    CU_ASSERT_EQUAL(W.pool.in_use, 5);               /* dropped frames were freed */

    /* Once the second frame starts, there is room for exactly one more. */
    run_to(T);
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 3);
    send_to(0, 1, 1472);
    send_to(0, 1, 1472);
    CU_ASSERT_EQUAL(L->stats.queue_drops, 6);
    CU_ASSERT_EQUAL(link_queue_len(L, D[0]), 4);
    run_to(SEC);
    CU_ASSERT_EQUAL(nrecs, 6);
    for (int i = 0; i < nrecs; i++)
        CU_ASSERT_EQUAL(recs[i].t, (i + 1) * T);
    CU_ASSERT_EQUAL(L->stats.delivered, 6);
    CU_ASSERT_EQUAL(world_close_taps(&W, err, sizeof err), 0);
    CU_ASSERT_PTR_NULL(D[0]->tap);
    unlink(path);
    teardown();
}

static uint64_t loss_run(double p, uint64_t seed, const char *link_name)
{
    world_init(&W, seed);
    nrecs = 0;
    L = link_new(&W, link_name, &(struct link_params){ .latency = USEC, .loss = p });
    for (int i = 0; i < 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        H[i] = host_new(&W, name);
        H[i]->ops = &rec_ops;
        D[i] = host_add_dev(H[i], "eth0", 1500);
        link_attach(L, D[i]);
    }
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        send_to(0, 1, 100);
        if (i % 1000 == 999)
            run_to(W.sim.now + MSEC);               /* keep the pool small */
    }
    run_to(SEC);
    uint64_t lost = L->stats.lost;
    CU_ASSERT_EQUAL(lost + L->stats.delivered, (uint64_t)n);
    CU_ASSERT_EQUAL((uint64_t)nrecs, L->stats.delivered);
    CU_ASSERT_EQUAL(D[0]->stats.tx_packets, (uint64_t)n);   /* lost frames were sent */
    CU_ASSERT_EQUAL(L->ports[0].stats.lost, lost);
    teardown();
    return lost;
}

static void test_loss(void)
{
    CU_ASSERT_EQUAL(loss_run(0.0, 1, "l0"), 0);
    CU_ASSERT_EQUAL(loss_run(1.0, 1, "l0"), 10000);
    uint64_t a = loss_run(0.1, 1, "l0");
    /* Binomial(10^4, 0.1): mean 1000, sd 30; the bound is 5 sd. */
    CU_ASSERT(a > 850 && a < 1150);
    /* Deterministic for (seed, link name); another seed or name draws differently. */
    CU_ASSERT_EQUAL(loss_run(0.1, 1, "l0"), a);
    uint64_t b = loss_run(0.1, 2, "l0");
    uint64_t c = loss_run(0.1, 1, "other");
    CU_ASSERT(b > 850 && b < 1150);
    CU_ASSERT(c > 850 && c < 1150);
    CU_ASSERT(a != b || a != c);
}

/* A lost frame still occupies the transmitter. */
static void test_lost_frame_uses_wire(void)
{
    setup(2, &(struct link_params){ .bandwidth_bps = 1000000000ULL, .loss = 1.0 });
    send_to(0, 1, 1472);
    CU_ASSERT_EQUAL(L->stats.lost, 1);
    CU_ASSERT_EQUAL(W.pool.in_use, 0);              /* freed at send time */
    CU_ASSERT_EQUAL(evq_count(&W.sim.q), 0);        /* and no event */
    link_set_params(L, &(struct link_params){ .bandwidth_bps = 1000000000ULL });
    send_to(0, 1, 1472);
    run_to(SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 1);
    CU_ASSERT_EQUAL(recs[0].t, 2 * 12304);
    teardown();
}

static void test_broadcast(void)
{
    setup(4, &(struct link_params){ .latency = USEC, .bandwidth_bps = 1000000000ULL });
    static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t mcast[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    host_xmit(H[1], D[1], frame_to(D[1], bcast, 0));
    run_to(SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 3);
    struct host *want[3] = { H[0], H[2], H[3] };    /* every other port, port order */
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_PTR_EQUAL(recs[i].host, want[i]);
        CU_ASSERT_EQUAL(recs[i].pkt_type, PACKET_BROADCAST);
        CU_ASSERT_EQUAL(recs[i].t, 672 + USEC);
    }
    CU_ASSERT_EQUAL(L->stats.tx_frames, 1);
    CU_ASSERT_EQUAL(L->stats.delivered, 3);
    CU_ASSERT_EQUAL(D[1]->stats.rx_packets, 0);

    nrecs = 0;
    host_xmit(H[0], D[0], frame_to(D[0], mcast, 0));
    run_to(2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 3);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_PTR_NOT_EQUAL(recs[i].host, H[0]);
        CU_ASSERT_EQUAL(recs[i].pkt_type, PACKET_MULTICAST);
    }
    /* The copies are distinct packets. */
    CU_ASSERT(recs[0].id != recs[1].id && recs[1].id != recs[2].id);
    teardown();
}

static void test_unknown_dst(void)
{
    setup(2, &(struct link_params){ .latency = USEC });
    static const uint8_t nobody[ETH_ALEN] = { 0x02, 0, 0, 0x99, 0x99, 0x01 };
    host_xmit(H[0], D[0], frame_to(D[0], nobody, 0));
    host_xmit(H[0], D[0], frame_to(D[0], D[0]->dev_addr, 0));  /* to itself */
    CU_ASSERT_EQUAL(L->stats.unknown_dst, 2);
    CU_ASSERT_EQUAL(L->ports[0].stats.unknown_dst, 2);
    CU_ASSERT_EQUAL(W.pool.in_use, 0);
    run_to(SEC);
    CU_ASSERT_EQUAL(nrecs, 0);
    CU_ASSERT_EQUAL(L->stats.delivered, 0);
    teardown();
}

static void test_resolve(void)
{
    setup(2, &(struct link_params){ 0 });
    const be32 vip = htonl(0x0a000064);
    /* The VIP on h1's lo (as on an LVS-DR real server) must not answer... */
    CU_ASSERT_TRUE(netdev_add_addr(host_dev(H[1], "lo"), vip, 32));
    /* ...nor an address on a device not plugged into this link. */
    struct net_device *eth1 = host_add_dev(H[1], "eth1", 1500);
    CU_ASSERT_TRUE(netdev_add_addr(eth1, htonl(0x0a000102), 24));

    uint8_t mac[ETH_ALEN];
    CU_ASSERT_TRUE(link_resolve(L, htonl(0x0a000002), mac));
    CU_ASSERT_EQUAL(memcmp(mac, D[1]->dev_addr, ETH_ALEN), 0);
    CU_ASSERT_TRUE(link_resolve(L, htonl(0x0a000001), mac));
    CU_ASSERT_EQUAL(memcmp(mac, D[0]->dev_addr, ETH_ALEN), 0);
    CU_ASSERT_FALSE(link_resolve(L, vip, mac));
    CU_ASSERT_FALSE(link_resolve(L, htonl(0x7f000001), mac));
    CU_ASSERT_FALSE(link_resolve(L, htonl(0x0a000102), mac));
    CU_ASSERT_FALSE(link_resolve(L, htonl(0x0a000003), mac));
    /* The VIP added to h0's eth0 (as on a director) answers. */
    CU_ASSERT_TRUE(netdev_add_addr(D[0], vip, 32));
    CU_ASSERT_TRUE(link_resolve(L, vip, mac));
    CU_ASSERT_EQUAL(memcmp(mac, D[0]->dev_addr, ETH_ALEN), 0);
    teardown();
}

/* A remembered answer goes when the address moves (a VRRP failover: ip addr del on
 * one director, add on the other) or its device leaves the link. */
static void test_resolve_cache_follows_changes(void)
{
    setup(3, &(struct link_params){ 0 });
    const be32 vip = htonl(0x0a000064);
    uint8_t mac[ETH_ALEN];
    CU_ASSERT_TRUE(netdev_add_addr(D[0], vip, 32));
    CU_ASSERT_TRUE(link_resolve(L, vip, mac));
    CU_ASSERT_TRUE(link_resolve(L, vip, mac));     /* from the cache */
    CU_ASSERT_EQUAL(memcmp(mac, D[0]->dev_addr, ETH_ALEN), 0);
    CU_ASSERT_TRUE(netdev_del_addr(D[0], vip));
    CU_ASSERT_FALSE(netdev_del_addr(D[0], vip));
    CU_ASSERT_FALSE(link_resolve(L, vip, mac));
    CU_ASSERT_TRUE(netdev_add_addr(D[1], vip, 32));
    CU_ASSERT_TRUE(link_resolve(L, vip, mac));
    CU_ASSERT_EQUAL(memcmp(mac, D[1]->dev_addr, ETH_ALEN), 0);
    /* The same address on two ports: the first in port order answers, cached or not. */
    CU_ASSERT_TRUE(netdev_add_addr(D[0], vip, 32));
    CU_ASSERT_TRUE(link_resolve(L, vip, mac));
    CU_ASSERT_EQUAL(memcmp(mac, D[0]->dev_addr, ETH_ALEN), 0);
    link_detach(L, D[0]);
    CU_ASSERT_TRUE(link_resolve(L, vip, mac));
    CU_ASSERT_EQUAL(memcmp(mac, D[1]->dev_addr, ETH_ALEN), 0);
    teardown();
}

/* host_dev_by_addr's filter follows every address added or taken off. */
static void test_host_addr_filter(void)
{
    setup(1, &(struct link_params){ 0 });
    struct net_device *eth1 = host_add_dev(H[0], "eth1", 1500);
    unsigned found = 0, wrong = 0;
    for (uint32_t i = 0; i < 8; i++)
        CU_ASSERT_TRUE(netdev_add_addr(i < 7 ? eth1 : D[0], htonl(0xc0a80001 + 977 * i), 32));
    for (uint32_t i = 0; i < 8; i++)
        found += host_dev_by_addr(H[0], htonl(0xc0a80001 + 977 * i)) == (i < 7 ? eth1 : D[0]);
    for (uint32_t a = 0xc0a90000; a < 0xc0a90000 + 4096; a++)
        wrong += host_dev_by_addr(H[0], htonl(a)) != NULL;
    CU_ASSERT_EQUAL(found, 8);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_PTR_EQUAL(host_dev_by_addr(H[0], htonl(0x0a000001)), D[0]);
    CU_ASSERT_PTR_EQUAL(host_dev_by_addr(H[0], htonl(0x7f000001)), host_dev(H[0], "lo"));
    CU_ASSERT_TRUE(netdev_del_addr(eth1, htonl(0xc0a80001)));
    CU_ASSERT_PTR_NULL(host_dev_by_addr(H[0], htonl(0xc0a80001)));
    CU_ASSERT_TRUE(netdev_add_addr(D[0], htonl(0xc0a80001), 32));
    CU_ASSERT_PTR_EQUAL(host_dev_by_addr(H[0], htonl(0xc0a80001)), D[0]);
    teardown();
}

static void test_loopback(void)
{
    setup(1, &(struct link_params){ 0 });
    run_to(5 * USEC);
    struct net_device *lo = host_dev(H[0], "lo");
    struct sk_buff *skb = frame_to(lo, lo->dev_addr, 20);
    skb->mark = 9;
    uint64_t id = skb->id;
    host_xmit(H[0], lo, skb);
    CU_ASSERT_EQUAL(nrecs, 0);                      /* not re-entrant */
    CU_ASSERT_EQUAL(lo->stats.tx_packets, 1);
    run_to(5 * USEC);                               /* same time: the event runs */
    CU_ASSERT_EQUAL_FATAL(nrecs, 1);
    CU_ASSERT_EQUAL(recs[0].t, 5 * USEC);
    CU_ASSERT_PTR_EQUAL(recs[0].dev, lo);
    CU_ASSERT_EQUAL(recs[0].id, id);
    CU_ASSERT_EQUAL(recs[0].pkt_type, PACKET_HOST);
    CU_ASSERT_EQUAL(recs[0].mark, 9);               /* same host: metadata kept */
    CU_ASSERT_EQUAL(lo->stats.rx_packets, 1);
    CU_ASSERT_EQUAL(lo->stats.rx_bytes, 62);
    teardown();
}

static void test_unattached_and_down(void)
{
    setup(2, &(struct link_params){ 0 });
    struct net_device *eth1 = host_add_dev(H[0], "eth1", 1500);
    host_xmit(H[0], eth1, frame_to(eth1, D[1]->dev_addr, 0));
    CU_ASSERT_EQUAL(eth1->stats.tx_dropped, 1);
    CU_ASSERT_EQUAL(eth1->stats.tx_packets, 0);
    CU_ASSERT_EQUAL(W.pool.in_use, 0);
    /* A device that is down sends nothing; a receiver that is down drops. */
    D[0]->up = false;
    send_to(0, 1, 0);
    CU_ASSERT_EQUAL(D[0]->stats.tx_dropped, 1);
    D[0]->up = true;
    D[1]->up = false;
    send_to(0, 1, 0);
    run_to(SEC);
    CU_ASSERT_EQUAL(nrecs, 0);
    CU_ASSERT_EQUAL(D[1]->stats.rx_dropped, 1);
    /* A host without a model. */
    D[1]->up = true;
    H[1]->ops = NULL;
    send_to(0, 1, 0);
    run_to(2 * SEC);
    CU_ASSERT_EQUAL(H[1]->rx_no_model, 1);
    CU_ASSERT_EQUAL(nrecs, 0);
    teardown();
}

static void test_set_params(void)
{
    const sim_time_t T = 12304;
    setup(2, &(struct link_params){ .latency = 100 * USEC, .bandwidth_bps = 1000000000ULL });
    uint64_t a = send_to(0, 1, 1472);
    run_to(20 * USEC);
    link_set_params(L, &(struct link_params){ .latency = 10 * USEC,
                                              .bandwidth_bps = 1000000000ULL,
                                              .queue_limit = 1 /* ignored */ });
    CU_ASSERT_EQUAL(L->qcap, LINK_DEFAULT_QUEUE);
    CU_ASSERT_EQUAL(L->p.queue_limit, LINK_DEFAULT_QUEUE);
    uint64_t b = send_to(0, 1, 1472);
    run_to(SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 2);
    /* b was sent after the change: the new latency; a keeps the old one. */
    CU_ASSERT_EQUAL(recs[0].id, b);
    CU_ASSERT_EQUAL(recs[0].t, 20 * USEC + T + 10 * USEC);
    CU_ASSERT_EQUAL(recs[1].id, a);
    CU_ASSERT_EQUAL(recs[1].t, T + 100 * USEC);
    /* A bandwidth change applies to the next frame's serialisation. */
    nrecs = 0;
    link_set_params(L, &(struct link_params){ .latency = 10 * USEC,
                                              .bandwidth_bps = 100000000ULL });
    send_to(0, 1, 1472);
    run_to(2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nrecs, 1);
    CU_ASSERT_EQUAL(recs[0].t, SEC + 10 * T + 10 * USEC);
    teardown();
}

static int timer_saw[3];                 /* frames arrived when timer 1, 2 ran */
static sim_time_t timer_at;
static void timer_fn(struct sim *sim, void *obj, uint64_t arg)
{
    (void)obj;
    timer_saw[arg] = nrecs;
    timer_at = sim->now;
}

/* Frames in flight wait in their port's list, yet equal arrival times keep the order
 * of transmission, across ports and against other events: h0 and h1 send to h2 at
 * the same instant, so both arrive at the same time; a timer set for that time after
 * both were sent runs after both, one set before them before both. */
static void test_flight_keeps_send_order(void)
{
    const sim_time_t T = 12304;         /* 1472 bytes of payload at 1 Gb/s */
    for (int order = 0; order < 2; order++) {
        setup(3, &(struct link_params){ .latency = 100 * USEC, .bandwidth_bps = 1000000000ULL });
        sim_at(&W.sim, T + 100 * USEC, timer_fn, NULL, 1);
        uint64_t first = send_to(order, 2, 1472);
        uint64_t second = send_to(1 - order, 2, 1472);
        uint64_t third = send_to(order, 2, 1472);      /* behind first on its port */
        sim_at(&W.sim, T + 100 * USEC, timer_fn, NULL, 2);
        timer_saw[1] = timer_saw[2] = -1;
        run_to(SEC);
        CU_ASSERT_EQUAL_FATAL(nrecs, 3);
        CU_ASSERT_EQUAL(recs[0].id, first);
        CU_ASSERT_EQUAL(recs[1].id, second);
        CU_ASSERT_EQUAL(recs[0].t, T + 100 * USEC);
        CU_ASSERT_EQUAL(recs[1].t, T + 100 * USEC);
        CU_ASSERT_EQUAL(recs[2].id, third);
        CU_ASSERT_EQUAL(recs[2].t, 2 * T + 100 * USEC);
        /* The first timer ran before both arrivals of its time, the second after. */
        CU_ASSERT_EQUAL(timer_saw[1], 0);
        CU_ASSERT_EQUAL(timer_saw[2], 2);
        CU_ASSERT_EQUAL(timer_at, T + 100 * USEC);
        teardown();
    }
}

IPVSIM_SUITE(link)
{
    CU_pSuite s = CU_add_suite("link", NULL, NULL);
    ADD_TEST(s, test_tx_time);
    ADD_TEST(s, test_flight_keeps_send_order);
    ADD_TEST(s, test_world_hosts);
    ADD_TEST(s, test_world_destroy_calls_model);
    ADD_TEST(s, test_one_frame_timing);
    ADD_TEST(s, test_back_to_back);
    ADD_TEST(s, test_infinite_bandwidth);
    ADD_TEST(s, test_drop_tail);
    ADD_TEST(s, test_loss);
    ADD_TEST(s, test_lost_frame_uses_wire);
    ADD_TEST(s, test_broadcast);
    ADD_TEST(s, test_unknown_dst);
    ADD_TEST(s, test_resolve);
    ADD_TEST(s, test_resolve_cache_follows_changes);
    ADD_TEST(s, test_host_addr_filter);
    ADD_TEST(s, test_loopback);
    ADD_TEST(s, test_unattached_and_down);
    ADD_TEST(s, test_set_params);
}
