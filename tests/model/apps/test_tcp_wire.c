/* The endpoints' TCP on the wire, as a 6.1 kernel sends it: the options of SYN,
 * SYN-ACK and later segments (bytes, order, sizes), the sysctls that turn them off,
 * quick and delayed ACKs, who sends the first FIN, and the packet and byte counts
 * of nine short connections. Frames are read back from a capture of the server's
 * interface on topo3 (client 10.0.1.2 -- router -- server 10.0.2.2). */
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "model/apps/workload.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/netdev.h"
#include "sim/pcap_tap.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define DCONST(v) ((struct dist){ .kind = DIST_CONST, .a = (double)(v) })
#define MAX_FRAMES 512

/* A frame of the capture, its TCP part decoded. */
struct frame {
    bool to_server;
    uint16_t ip_len;                /* IP total length: what IPVS counts */
    uint8_t flags;
    uint16_t window;
    uint8_t opt_len;
    uint8_t opt[40];
    uint32_t seq, ack, payload;
};

struct tw {
    struct topo3 t;
    struct conv_log log;
    struct server_app *srv;
    struct client_group *cg;
    struct pcap_tap *tap;
    char *dir, *path;
    struct frame f[MAX_FRAMES];
    int n;
};

static void tw_init(struct tw *w)
{
    memset(w, 0, sizeof *w);
    topo3_init(&w->t);
    conv_log_init(&w->log);
    w->dir = g_dir_make_tmp("ipvsim-tcpwire-XXXXXX", NULL);
    w->path = g_build_filename(w->dir, "server.pcap", NULL);
    char err[256];
    w->tap = pcap_tap_open(w->path, 0, err, sizeof err);
    host_dev(w->t.server, "eth0")->tap = w->tap;
}

/* A server answering resp bytes after 1 ms; nconn connections of req bytes from one
 * client, 50 ms apart from t = 50 ms. */
static void tw_start(struct tw *w, bool close_after_response, uint32_t nconn, uint32_t req,
                     uint32_t resp)
{
    struct server_app_cfg s = { .name = "rs1", .index = 0, .port = 80, .workers = 4,
                                .service_time = DCONST(1 * MSEC), .queue_limit = 16,
                                .close_after_response = close_after_response };
    w->srv = server_app_start(host_net(w->t.server), &s, &w->log);
    static be32 caddr;
    caddr = topo_ip("10.0.1.2");
    struct client_group_cfg c = {
        .name = "web", .index = 0, .addrs = &caddr, .naddrs = 1,
        .target = topo_ip("10.0.2.2"), .target_port = htons(80), .proto = IPPROTO_TCP,
        .arrival = DCONST(50 * MSEC), .request = DCONST(req), .response = DCONST(resp),
        .requests_per_conn = 1, .start = 0, .stop = (sim_time_t)nconn * 50 * MSEC + 10 * MSEC,
    };
    w->cg = client_group_start(host_net(w->t.client), &c, &w->log);
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Run, close the capture and decode it. */
static void tw_run(struct tw *w, sim_time_t until)
{
    sim_run_until(&w->t.w.sim, until);
    conv_log_close(&w->log, w->t.w.sim.now);
    host_dev(w->t.server, "eth0")->tap = NULL;
    CU_ASSERT_EQUAL(pcap_tap_close(w->tap), 0);
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(w->path, perr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct pcap_pkthdr *h;
    const u_char *d;
    be32 server = topo_ip("10.0.2.2");
    while (pcap_next_ex(p, &h, &d) == 1 && w->n < MAX_FRAMES) {
        if (h->caplen < 14 + 20 + 20 || d[23] != IPPROTO_TCP)
            continue;
        const uint8_t *ip = d + 14, *th = ip + 20;
        struct frame *f = &w->f[w->n++];
        be32 daddr;
        memcpy(&daddr, ip + 16, 4);
        f->to_server = daddr == server;
        f->ip_len = (uint16_t)(ip[2] << 8 | ip[3]);
        f->seq = be32_at(th + 4);
        f->ack = be32_at(th + 8);
        unsigned hl = (th[12] >> 4) * 4u;
        f->flags = th[13];
        f->window = (uint16_t)(th[14] << 8 | th[15]);
        f->opt_len = (uint8_t)(hl - 20);
        memcpy(f->opt, th + 20, f->opt_len);
        f->payload = f->ip_len - 20u - hl;
    }
    pcap_close(p);
}

static void tw_free(struct tw *w)
{
    client_group_free(w->cg);
    server_app_free(w->srv);
    world_destroy(&w->t.w);
    conv_log_free(&w->log);
    g_unlink(w->path);
    g_rmdir(w->dir);
    g_free(w->path);
    g_free(w->dir);
}

static const struct frame *nth(const struct tw *w, bool to_server, int k)
{
    for (int i = 0; i < w->n; i++)
        if (w->f[i].to_server == to_server && k-- == 0)
            return &w->f[i];
    return NULL;
}

/* ---- options -------------------------------------------------------------------------- */

/* mss 1460,sackOK,TS val X ecr 0,nop,wscale 7: 20 bytes of options, a 60-byte SYN;
 * the SYN-ACK the same, echoing the SYN's TSval; then NOP, NOP, TS on every segment:
 * 52-byte ACKs, 1448 bytes of data in a full segment. */
static void test_options_linux_61(void)
{
    struct tw w;
    tw_init(&w);
    tw_start(&w, false, 1, 300, 10000);
    tw_run(&w, 2 * SEC);
    const struct frame *syn = nth(&w, true, 0), *sa = nth(&w, false, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(syn);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_EQUAL(syn->flags, TCPH_SYN);
    CU_ASSERT_EQUAL(syn->ip_len, 60);
    CU_ASSERT_EQUAL(syn->opt_len, 20);
    static const uint8_t head[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10 };
    static const uint8_t tail[] = { 1, 3, 3, 7 };
    CU_ASSERT(memcmp(syn->opt, head, sizeof head) == 0);
    CU_ASSERT_EQUAL(be32_at(syn->opt + 12), 0);                 /* TS ecr 0 */
    CU_ASSERT(memcmp(syn->opt + 16, tail, sizeof tail) == 0);
    CU_ASSERT_EQUAL(syn->window, 64240);                        /* 44 x 1460, unscaled */

    CU_ASSERT_EQUAL(sa->flags, TCPH_SYN | TCPH_ACK);
    CU_ASSERT_EQUAL(sa->ip_len, 60);
    CU_ASSERT(memcmp(sa->opt, head, sizeof head) == 0);
    CU_ASSERT(memcmp(sa->opt + 16, tail, sizeof tail) == 0);
    CU_ASSERT_EQUAL(be32_at(sa->opt + 12), be32_at(syn->opt + 8));  /* echoes the SYN */
    CU_ASSERT_EQUAL(sa->window, 65160);                         /* 45 x 1448 */

    static const uint8_t ts[] = { 1, 1, 8, 10 };
    int full = 0, acks = 0;
    for (int i = 0; i < w.n; i++) {
        const struct frame *f = &w.f[i];
        if (f->flags & TCPH_SYN)
            continue;
        CU_ASSERT_EQUAL(f->opt_len, 12);
        CU_ASSERT(memcmp(f->opt, ts, sizeof ts) == 0);
        CU_ASSERT(f->payload <= 1448);
        full += f->payload == 1448;
        if (!f->payload && f->flags == TCPH_ACK) {
            acks++;
            CU_ASSERT_EQUAL(f->ip_len, 52);
        }
        /* windows scaled by 7: 64240 >> 7, 65160 >> 7 */
        CU_ASSERT_EQUAL(f->window, f->to_server ? 501 : 509);
    }
    CU_ASSERT_EQUAL(full, 6);                                   /* 10000 = 6 x 1448 + 1312 */
    CU_ASSERT(acks >= 9);
    /* the client's third ACK echoes the SYN-ACK's TSval */
    const struct frame *a3 = nth(&w, true, 1);
    CU_ASSERT_EQUAL(be32_at(a3->opt + 8), be32_at(sa->opt + 8));
    tw_free(&w);
}

/* tcp_syn_options with each option on or off: tcp_options_write's layouts. */
static void test_syn_option_layouts(void)
{
    uint8_t o[16];
    CU_ASSERT_EQUAL(tcp_syn_options(true, true, true, 7, 1, 2, o), 16);
    CU_ASSERT_EQUAL(o[0], 4);                   /* SACK-permitted in the TS word */
    CU_ASSERT_EQUAL(tcp_syn_options(true, false, true, 7, 1, 2, o), 16);
    CU_ASSERT(o[0] == 1 && o[1] == 1 && o[2] == 8);
    CU_ASSERT_EQUAL(tcp_syn_options(false, true, true, 7, 1, 2, o), 8);
    static const uint8_t ws_sack[] = { 1, 3, 3, 7, 1, 1, 4, 2 };
    CU_ASSERT(memcmp(o, ws_sack, sizeof ws_sack) == 0);
    CU_ASSERT_EQUAL(tcp_syn_options(false, true, false, 0, 1, 2, o), 4);
    CU_ASSERT_EQUAL(tcp_syn_options(false, false, true, 7, 1, 2, o), 4);
    CU_ASSERT_EQUAL(tcp_syn_options(false, false, false, 0, 1, 2, o), 0);
}

/* The client without timestamps (tcp_timestamps = 0): "mss,nop,wscale,nop,nop,sackOK",
 * a 52-byte SYN. The server, with tcp_sack = 0 and tcp_window_scaling = 0, accepts
 * neither, and timestamps only if the SYN has them: its SYN-ACK carries the MSS alone.
 * No option after the handshake: 1460-byte segments, 40-byte ACKs, unscaled windows. */
static void test_sysctls_turn_options_off(void)
{
    struct tw w;
    tw_init(&w);
    host_net(w.t.client)->ipv4.tcp_timestamps = 0;
    host_net(w.t.server)->ipv4.tcp_sack = 0;
    host_net(w.t.server)->ipv4.tcp_window_scaling = 0;
    tw_start(&w, false, 1, 300, 10000);
    tw_run(&w, 2 * SEC);
    const struct frame *syn = nth(&w, true, 0), *sa = nth(&w, false, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_EQUAL(syn->ip_len, 52);
    static const uint8_t want[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2 };
    CU_ASSERT_EQUAL_FATAL(syn->opt_len, sizeof want);
    CU_ASSERT(memcmp(syn->opt, want, sizeof want) == 0);
    CU_ASSERT_EQUAL(sa->opt_len, 4);                            /* MSS only */
    CU_ASSERT_EQUAL(sa->ip_len, 44);
    int full = 0;
    for (int i = 0; i < w.n; i++) {
        const struct frame *f = &w.f[i];
        if (f->flags & TCPH_SYN)
            continue;
        CU_ASSERT_EQUAL(f->opt_len, 0);
        full += f->payload == 1460;
        if (!f->payload && f->flags == TCPH_ACK)
            CU_ASSERT_EQUAL(f->ip_len, 40);
        CU_ASSERT(f->window > 60000);                           /* no scaling agreed */
    }
    CU_ASSERT_EQUAL(full, 6);
    tw_free(&w);
}

/* A backlog of one and two SYNs 10 us apart: the second is answered with a cookie.
 * With timestamps the cookie's SYN-ACK keeps the SYN's options in the low 6 bits of its
 * TSval (cookie_init_timestamp: window scale 7 | SACK 0x10) and the connection the
 * cookie ACK creates gets them back (cookie_timestamp_decode): timestamps on its
 * segments, its window scaled. */
static void test_syncookie_keeps_options(void)
{
    struct tw w;
    tw_init(&w);
    struct server_app_cfg s = { .name = "rs1", .index = 0, .port = 80, .workers = 4,
                                .service_time = DCONST(1 * MSEC), .queue_limit = 16,
                                .backlog = 1 };
    w.srv = server_app_start(host_net(w.t.server), &s, &w.log);
    static be32 caddr[2];
    caddr[0] = topo_ip("10.0.1.2");
    caddr[1] = topo_ip("10.0.1.3");
    netdev_add_addr(host_dev(w.t.client, "eth0"), caddr[1], 24);
    struct client_group_cfg c = {
        .name = "web", .index = 0, .addrs = caddr, .naddrs = 2,
        .target = topo_ip("10.0.2.2"), .target_port = htons(80), .proto = IPPROTO_TCP,
        .arrival = DCONST(10 * USEC), .request = DCONST(300), .response = DCONST(3000),
        .requests_per_conn = 1, .start = 0, .stop = 25 * USEC,
    };
    w.cg = client_group_start(host_net(w.t.client), &c, &w.log);
    tw_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(w.log.convs->len, 2);
    for (guint i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(g_array_index(w.log.convs, struct conv, i).outcome, CONV_OK);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->syn_cookies, 1);
    int cookies = 0, later = 0;
    for (int i = 0; i < w.n; i++) {
        const struct frame *f = &w.f[i];
        if (f->flags == (TCPH_SYN | TCPH_ACK) && (be32_at(f->opt + 8) & 0x3f) == 0x17) {
            cookies++;
            CU_ASSERT_EQUAL(f->opt_len, 20);
        }
        if (!(f->flags & TCPH_SYN)) {
            later++;
            CU_ASSERT_EQUAL(f->opt_len, 12);
            CU_ASSERT(f->window < 1024);                    /* scaled on both connections */
        }
    }
    CU_ASSERT_EQUAL(cookies, 1);
    CU_ASSERT(later > 8);
    tw_free(&w);
}

/* ---- ACK policy ---------------------------------------------------------------------- */

/* 100 segments' worth of answer: the client ACKs each of the first 16 segments (quick
 * ACKs: TCP_MAX_QUICKACKS), then every second full segment (more than one rcv_mss
 * unacknowledged). */
static void test_quickack_then_delayed(void)
{
    struct tw w;
    tw_init(&w);
    tw_start(&w, false, 1, 300, 100 * 1448);
    tw_run(&w, 3 * SEC);
    uint32_t data_end[128], n_data = 0, acked[256], n_ack = 0;
    uint32_t iss = nth(&w, false, 0)->seq;
    for (int i = 0; i < w.n; i++) {
        const struct frame *f = &w.f[i];
        if (!f->to_server && f->payload && n_data < 128)
            data_end[n_data++] = f->seq + f->payload - iss;
        if (f->to_server && !f->payload && f->flags == TCPH_ACK && !(f->flags & TCPH_FIN) &&
            f->ack - iss > 1 && n_ack < 256)
            acked[n_ack++] = f->ack - iss;
    }
    CU_ASSERT_EQUAL_FATAL(n_data, 100);
    CU_ASSERT_FATAL(n_ack > 20);
    /* the first 16 ACKs acknowledge one segment each, in order */
    for (unsigned i = 0; i < 15; i++)
        CU_ASSERT_EQUAL(acked[i], data_end[i]);
    /* then about one ACK per two segments */
    CU_ASSERT(n_ack < 16 + (100 - 16) / 2 + 6);
    CU_ASSERT(n_ack > 16 + (100 - 16) / 2 - 6);
    tw_free(&w);
}

/* ---- the close ----------------------------------------------------------------------- */

/* A server that closes after its answer: its FIN goes first and the client, reading
 * to EOF, answers with FIN|ACK: client S, A, PA, A, FA; server SA, A (quick ACK of the
 * request), PA, FA, A. Nine such connections: 45 packets and 2448 bytes each way, what
 * a 6.1 kernel's ipvsadm -Ln --stats shows for them (9 45 45 2448 2448). */
static void test_server_fin_first_nine(void)
{
    struct tw w;
    tw_init(&w);
    tw_start(&w, true, 9, 4, 4);
    tw_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL(w.log.convs->len, 9);
    for (guint i = 0; i < w.log.convs->len; i++)
        CU_ASSERT_EQUAL(g_array_index(w.log.convs, struct conv, i).outcome, CONV_OK);
    static const uint8_t cl[] = { TCPH_SYN, TCPH_ACK, TCPH_PSH | TCPH_ACK, TCPH_ACK,
                                  TCPH_FIN | TCPH_ACK };
    static const uint8_t sv[] = { TCPH_SYN | TCPH_ACK, TCPH_ACK, TCPH_PSH | TCPH_ACK,
                                  TCPH_FIN | TCPH_ACK, TCPH_ACK };
    for (int k = 0; k < 5; k++) {
        CU_ASSERT_EQUAL(nth(&w, true, k)->flags, cl[k]);
        CU_ASSERT_EQUAL(nth(&w, false, k)->flags, sv[k]);
    }
    unsigned pk[2] = { 0, 0 }, by[2] = { 0, 0 };
    for (int i = 0; i < w.n; i++) {
        pk[w.f[i].to_server]++;
        by[w.f[i].to_server] += w.f[i].ip_len;
    }
    CU_ASSERT_EQUAL(pk[1], 45);
    CU_ASSERT_EQUAL(pk[0], 45);
    CU_ASSERT_EQUAL(by[1], 2448);
    CU_ASSERT_EQUAL(by[0], 2448);
    tw_free(&w);
}

/* The default server waits for the client's FIN: the client closes first, and the
 * server's FIN carries the ACK of it (ping-pong mode on a FIN delays the ACK). */
static void test_client_fin_first(void)
{
    struct tw w;
    tw_init(&w);
    tw_start(&w, false, 1, 4, 4);
    tw_run(&w, 2 * SEC);
    static const uint8_t cl[] = { TCPH_SYN, TCPH_ACK, TCPH_PSH | TCPH_ACK, TCPH_ACK,
                                  TCPH_FIN | TCPH_ACK, TCPH_ACK };
    static const uint8_t sv[] = { TCPH_SYN | TCPH_ACK, TCPH_ACK, TCPH_PSH | TCPH_ACK,
                                  TCPH_FIN | TCPH_ACK };
    for (int k = 0; k < 6; k++)
        CU_ASSERT_EQUAL(nth(&w, true, k)->flags, cl[k]);
    for (int k = 0; k < 4; k++)
        CU_ASSERT_EQUAL(nth(&w, false, k)->flags, sv[k]);
    CU_ASSERT_PTR_NULL(nth(&w, false, 4));
    tw_free(&w);
}

IPVSIM_SUITE(tcp_wire)
{
    CU_pSuite s = CU_add_suite("tcp_wire", NULL, NULL);
    ADD_TEST(s, test_options_linux_61);
    ADD_TEST(s, test_syn_option_layouts);
    ADD_TEST(s, test_sysctls_turn_options_off);
    ADD_TEST(s, test_syncookie_keeps_options);
    ADD_TEST(s, test_quickack_then_delayed);
    ADD_TEST(s, test_server_fin_first_nine);
    ADD_TEST(s, test_client_fin_first);
}
