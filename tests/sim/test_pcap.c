/* Tests for capture taps (sim/pcap_tap.c): what a tap writes, libpcap reads back. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/testutil.h"
#include "sim/pcap_tap.h"
#include "sim/pkt.h"
#include "sim/skb.h"
#include "sim/world.h"

static char tmp_path[64];

static const char *tmp_file(void)
{
    strcpy(tmp_path, "/tmp/ipvsim-test-pcap-XXXXXX");
    int fd = mkstemp(tmp_path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    return tmp_path;
}

static const uint8_t MAC_A[ETH_ALEN] = { 0x02, 0, 0, 0, 1, 2 };
static const uint8_t MAC_B[ETH_ALEN] = { 0x02, 0, 0, 0, 2, 2 };

/* A UDP frame with real payload bytes (pattern) and virtual payload after them. */
static struct sk_buff *make_frame(struct skb_pool *pool, uint32_t real, uint32_t virt)
{
    struct sk_buff *skb = skb_alloc(pool, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    struct ip4_spec ip = { .saddr = htonl(0x0a000001), .daddr = htonl(0x0a000002) };
    uint8_t payload[128];
    for (uint32_t i = 0; i < real && i < sizeof payload; i++)
        payload[i] = (uint8_t)(0xa0 + i);
    CU_ASSERT_TRUE_FATAL(pkt_build_udp_data(skb, &ip, htons(1), htons(2), payload, real));
    CU_ASSERT_TRUE_FATAL(eth_push(skb, MAC_A, MAC_B, ETH_P_IP));
    skb->data_len += virt;      /* virtual tail (lengths in headers do not matter here) */
    return skb;
}

static pcap_t *open_back(const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
                                                        errbuf);
    if (!p)
        fprintf(stderr, "pcap_open_offline: %s\n", errbuf);
    return p;
}

static void test_roundtrip(void)
{
    struct skb_pool pool;
    skb_pool_init(&pool);
    const char *path = tmp_file();
    char err[256];
    struct pcap_tap *t = pcap_tap_open(path, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(pcap_tap_path(t), path);

    struct sk_buff *f1 = make_frame(&pool, 16, 0);
    struct sk_buff *f2 = make_frame(&pool, 8, 1000);            /* virtual payload */
    const sim_time_t t1 = 0, t2 = 3 * SEC + 123456789, t3 = 7 * SEC + 1;
    pcap_tap_write(t, t1, f1);
    pcap_tap_write(t, t2, f2);
    pcap_tap_write(t, t3, f1);
    CU_ASSERT_EQUAL(pcap_tap_frames(t), 3);
    CU_ASSERT_EQUAL(pcap_tap_close(t), 0);

    pcap_t *p = open_back(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(pcap_datalink(p), DLT_EN10MB);
    CU_ASSERT_EQUAL(pcap_get_tstamp_precision(p), PCAP_TSTAMP_PRECISION_NANO);
    CU_ASSERT_EQUAL(pcap_snapshot(p), PCAP_TAP_DEFAULT_SNAPLEN);

    struct pcap_pkthdr *h;
    const u_char *data;
    static uint8_t want[2048];

    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 0);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 0);
    CU_ASSERT_EQUAL(h->len, 42 + 16);
    CU_ASSERT_EQUAL(h->caplen, 42 + 16);
    CU_ASSERT_EQUAL(memcmp(data, f1->data, f1->len), 0);

    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 3);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 123456789);      /* nanoseconds, exact */
    CU_ASSERT_EQUAL(h->len, 42 + 8 + 1000);
    CU_ASSERT_EQUAL(h->caplen, 42 + 8 + 1000);
    memset(want, 0, sizeof want);
    memcpy(want, f2->data, f2->len);                /* then zeros */
    CU_ASSERT_EQUAL(memcmp(data, want, h->caplen), 0);

    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 7);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 1);

    CU_ASSERT_EQUAL(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);   /* end of file */
    pcap_close(p);
    unlink(path);
    skb_free(&pool, f1);
    skb_free(&pool, f2);
    skb_pool_destroy(&pool);
}

/* A snaplen shorter than the frame: caplen is cut, len is the wire length; a snaplen
 * reaching into the virtual payload writes zeros there. */
static void test_snaplen(void)
{
    struct skb_pool pool;
    skb_pool_init(&pool);
    const char *path = tmp_file();
    char err[256];
    struct pcap_tap *t = pcap_tap_open(path, 64, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    struct sk_buff *big = make_frame(&pool, 10, 1400);          /* 52 real + 1400 zeros */
    struct sk_buff *small = make_frame(&pool, 4, 0);            /* 46 */
    pcap_tap_write(t, 5, big);
    pcap_tap_write(t, 6, small);
    CU_ASSERT_EQUAL(pcap_tap_close(t), 0);

    pcap_t *p = open_back(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(pcap_snapshot(p), 64);
    struct pcap_pkthdr *h;
    const u_char *data;
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->caplen, 64);
    CU_ASSERT_EQUAL(h->len, 1452);
    CU_ASSERT_EQUAL(h->ts.tv_usec, 5);
    CU_ASSERT_EQUAL(memcmp(data, big->data, 52), 0);
    static const uint8_t zeros[12];
    CU_ASSERT_EQUAL(memcmp(data + 52, zeros, 12), 0);
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->caplen, 46);
    CU_ASSERT_EQUAL(h->len, 46);
    CU_ASSERT_EQUAL(memcmp(data, small->data, 46), 0);
    pcap_close(p);
    unlink(path);
    skb_free(&pool, big);
    skb_free(&pool, small);
    skb_pool_destroy(&pool);
}

/* The frames written are valid: they parse with every checksum right (the virtual
 * payload is zeros, as the builders' checksums assume). */
static void test_checksums_verify(void)
{
    struct skb_pool pool;
    skb_pool_init(&pool);
    const char *path = tmp_file();
    char err[256];
    struct pcap_tap *t = pcap_tap_open(path, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct ip4_spec ip = { .saddr = htonl(0x0a000001), .daddr = htonl(0x0a000002) };
    struct tcp_spec tcp = { .sport = htons(40000), .dport = htons(80), .seq = 1, .ack = 2,
                            .flags = TCPH_ACK | TCPH_PSH, .window = 1000 };
    CU_ASSERT_TRUE_FATAL(pkt_build_tcp(skb, &ip, &tcp, 1200));
    CU_ASSERT_TRUE_FATAL(eth_push(skb, MAC_A, MAC_B, ETH_P_IP));
    pcap_tap_write(t, 1, skb);
    CU_ASSERT_EQUAL(pcap_tap_close(t), 0);

    pcap_t *p = open_back(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->caplen, skb_wire_len(skb));
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse(data, h->caplen, h->len, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.proto, 6);
    CU_ASSERT_EQUAL(info.dport, htons(80));
    pcap_close(p);
    unlink(path);
    skb_free(&pool, skb);
    skb_pool_destroy(&pool);
}

static void test_open_error(void)
{
    char err[256] = "";
    struct pcap_tap *t = pcap_tap_open("/nonexistent-dir/x.pcap", 0, err, sizeof err);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT(strlen(err) > 0);
}

/* A full disk is reported at close. */
static void test_write_error(void)
{
    if (access("/dev/full", W_OK) != 0)
        return;
    struct skb_pool pool;
    skb_pool_init(&pool);
    char err[256] = "";
    struct pcap_tap *t = pcap_tap_open("/dev/full", 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    struct sk_buff *skb = make_frame(&pool, 8, 1400);
    for (int i = 0; i < 10; i++)
        pcap_tap_write(t, i, skb);
    CU_ASSERT_EQUAL(pcap_tap_close_err(t, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/full"));
    skb_free(&pool, skb);
    skb_pool_destroy(&pool);
}

/* Taps on devices: what a host sends and receives, and when. */
static void rx_free(struct host *h, struct net_device *dev, struct sk_buff *skb)
{
    skb_free(host_pool(h), skb);
}

static void test_device_taps(void)
{
    static const struct host_ops ops = { "sink", rx_free, NULL };
    struct world w;
    world_init(&w, 1);
    struct host *a = host_new(&w, "a"), *b = host_new(&w, "b");
    a->ops = b->ops = &ops;
    struct net_device *da = host_add_dev(a, "eth0", 1500);
    struct net_device *db = host_add_dev(b, "eth0", 1500);
    struct link *l = link_new(&w, "l", &(struct link_params){ .latency = 2 * USEC,
                                                              .bandwidth_bps = 1000000000ULL });
    link_attach(l, da);
    link_attach(l, db);
    char pa[64], pb[64], err[256];
    strcpy(pa, tmp_file());
    strcpy(pb, tmp_file());
    da->tap = pcap_tap_open(pa, 0, err, sizeof err);
    db->tap = pcap_tap_open(pb, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(da->tap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db->tap);

    sim_run_until(&w.sim, SEC);
    struct sk_buff *skb = skb_alloc(&w.pool, w.sim.now);
    struct ip4_spec ip = { .saddr = htonl(0x0a000001), .daddr = htonl(0x0a000002) };
    CU_ASSERT_TRUE_FATAL(pkt_build_udp(skb, &ip, htons(1), htons(2), 958));   /* 1000 */
    CU_ASSERT_TRUE_FATAL(eth_push(skb, da->dev_addr, db->dev_addr, ETH_P_IP));
    uint8_t mac_b[ETH_ALEN];
    memcpy(mac_b, db->dev_addr, ETH_ALEN);
    host_xmit(a, da, skb);
    sim_run_until(&w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(world_close_taps(&w, err, sizeof err), 0);
    world_destroy(&w);

    const sim_time_t tx = (1000 + 24) * 8, arrive = SEC + tx + 2 * USEC;
    struct pcap_pkthdr *h;
    const u_char *data;
    pcap_t *p = open_back(pa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 1);               /* sent at 1 s */
    CU_ASSERT_EQUAL(h->ts.tv_usec, 0);
    CU_ASSERT_EQUAL(h->len, 1000);
    CU_ASSERT_EQUAL(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
    pcap_close(p);
    p = open_back(pb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL_FATAL(pcap_next_ex(p, &h, &data), 1);
    CU_ASSERT_EQUAL(h->ts.tv_sec, arrive / SEC);    /* received on arrival */
    CU_ASSERT_EQUAL(h->ts.tv_usec, arrive % SEC);
    CU_ASSERT_EQUAL(memcmp(data, mac_b, ETH_ALEN), 0);
    CU_ASSERT_EQUAL(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
    pcap_close(p);
    unlink(pa);
    unlink(pb);
}

IPVSIM_SUITE(pcap)
{
    CU_pSuite s = CU_add_suite("pcap", NULL, NULL);
    ADD_TEST(s, test_roundtrip);
    ADD_TEST(s, test_snaplen);
    ADD_TEST(s, test_checksums_verify);
    ADD_TEST(s, test_open_error);
    ADD_TEST(s, test_write_error);
    ADD_TEST(s, test_device_taps);
}
