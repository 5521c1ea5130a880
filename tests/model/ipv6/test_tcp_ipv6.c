/* The endpoints over IPv6 on client -- router -- server (tests/topo.c's topo3 with
 * 2001:db8:1::/64 and 2001:db8:2::/64, built by hand with ipv6_add_addr and
 * ip6_route_add): a client group whose addresses and target are IPv6 keys runs
 * unchanged. TCP end to end (handshake with MSS 1440 both ways, data, the server's
 * FIN first, TIME_WAIT on the server), UDP request and response with checksums, a
 * reset and a port unreachable for closed ports (with and without an application
 * on the host), and the TSval offset hashing the real addresses (the same whatever
 * keys the addresses got). Frames are read back from a capture of the server's
 * eth0 and every TCP/UDP checksum is verified; with IPVSIM_PCAP6_DIR set the
 * captures are written there for tests/cli/45-apps6.sh to decode with tshark.
 * Files under test: model/ipv6/tcp_ipv6.c, udp.c, ip6_input.c's delivery, and the
 * IPv6 paths of model/apps/. */
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "model/apps/tcp_conn_internal.h"
#include "model/apps/workload.h"
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/csum.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/pcap_tap.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define DCONST(v) ((struct dist){ .kind = DIST_CONST, .a = (double)(v) })
#define MAX_FRAMES 512

static struct in6_addr A(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return a;
}

static be32 K(const char *s)
{
    struct in6_addr a = A(s);
    return in6_key_get(&a);
}

/* A frame of a capture, decoded. */
struct frame6 {
    bool to_server;
    uint8_t nexthdr, hop_limit;
    uint16_t plen;
    bool csum_ok;
    uint16_t sport, dport, l4_check;
    uint8_t flags;                  /* TCP */
    uint32_t seq, ack, payload;
    uint16_t mss;                   /* MSS option, 0 none */
    uint32_t tsval;                 /* timestamp option, 0 none */
    uint8_t icmp_type, icmp_code;
};

struct w6 {
    struct topo3 t;
    struct conv_log log;
    struct server_app *srv;
    struct client_group *cg;
    struct pcap_tap *tap;
    char *dir, *path;
    struct frame6 f[MAX_FRAMES];
    int n;
};

static void w6_init(struct w6 *w, const char *pcap_name)
{
    memset(w, 0, sizeof *w);
    struct topo3 *t = &w->t;
    topo3_init6(t, "6.x");
    conv_log_init(&w->log);
    const char *keep = getenv("IPVSIM_PCAP6_DIR");
    w->dir = keep ? g_strdup(keep) : g_dir_make_tmp("ipvsim-tcp6-XXXXXX", NULL);
    w->path = g_build_filename(w->dir, pcap_name, NULL);
    char err[256];
    w->tap = pcap_tap_open(w->path, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->tap);
    host_dev(t->server, "eth0")->tap = w->tap;
}

static void w6_server(struct w6 *w, bool close_after_response)
{
    struct server_app_cfg s = { .name = "rs1", .index = 0, .port = 80, .workers = 4,
                                .service_time = DCONST(1 * MSEC), .queue_limit = 16,
                                .close_after_response = close_after_response };
    w->srv = server_app_start(host_net(w->t.server), &s, &w->log);
}

/* nconn conversations of proto from caddr to [2001:db8:2::2]:port, 50 ms apart from 0. */
static void w6_client_from(struct w6 *w, const char *caddr_text, uint8_t proto, uint16_t port,
                           uint32_t nconn, uint32_t req, uint32_t resp)
{
    static be32 caddr;
    caddr = K(caddr_text);
    struct client_group_cfg c = {
        .name = "web", .index = 0, .addrs = &caddr, .naddrs = 1,
        .target = K("2001:db8:2::2"), .target_port = htons(port), .proto = proto,
        .arrival = DCONST(50 * MSEC), .request = DCONST(req), .response = DCONST(resp),
        .requests_per_conn = 1, .start = 0, .stop = (sim_time_t)nconn * 50 * MSEC + 10 * MSEC,
    };
    w->cg = client_group_start(host_net(w->t.client), &c, &w->log);
}

static void w6_client(struct w6 *w, uint8_t proto, uint16_t port, uint32_t nconn, uint32_t req,
                      uint32_t resp)
{
    w6_client_from(w, "2001:db8:1::2", proto, port, nconn, req, resp);
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void decode(struct frame6 *f, const uint8_t *d, uint32_t caplen, const struct in6_addr *server)
{
    const uint8_t *ip = d + 14, *l4 = ip + 40;
    struct in6_addr s, dst;
    memcpy(&s, ip + 8, 16);
    memcpy(&dst, ip + 24, 16);
    f->to_server = ipv6_addr_equal(&dst, server);
    f->nexthdr = ip[6];
    f->hop_limit = ip[7];
    f->plen = be16_at(ip + 4);
    f->csum_ok = 54u + f->plen <= caplen &&
                 csum_ipv6_magic(&s, &dst, f->plen, f->nexthdr, csum_partial(l4, f->plen, 0)) == 0;
    if (f->nexthdr == NEXTHDR_ICMP) {
        f->icmp_type = l4[0];
        f->icmp_code = l4[1];
        return;
    }
    f->sport = be16_at(l4);
    f->dport = be16_at(l4 + 2);
    if (f->nexthdr == NEXTHDR_UDP) {
        f->l4_check = be16_at(l4 + 6);
        f->payload = f->plen - 8u;
        return;
    }
    f->seq = be32_at(l4 + 4);
    f->ack = be32_at(l4 + 8);
    unsigned hl = (l4[12] >> 4) * 4u;
    f->flags = l4[13];
    f->payload = f->plen - hl;
    for (const uint8_t *o = l4 + 20; o < l4 + hl;) {
        if (*o == TCPOPT_NOP) {
            o++;
            continue;
        }
        if (*o == 0 || o[1] < 2)
            break;
        if (o[0] == TCPOPT_MSS)
            f->mss = be16_at(o + 2);
        if (o[0] == TCPOPT_TIMESTAMP)
            f->tsval = be32_at(o + 2);
        o += o[1];
    }
}

/* Run, close the capture and decode its IPv6 frames (ND's are kept too). */
static void w6_run(struct w6 *w, sim_time_t until)
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
    struct in6_addr server = A("2001:db8:2::2");
    while (pcap_next_ex(p, &h, &d) == 1 && w->n < MAX_FRAMES) {
        if (h->caplen < 14 + 40 + 8 || be16_at(d + 12) != ETH_P_IPV6)
            continue;
        decode(&w->f[w->n++], d, h->caplen, &server);
    }
    pcap_close(p);
}

static void w6_free(struct w6 *w)
{
    client_group_free(w->cg);
    server_app_free(w->srv);
    world_destroy(&w->t.w);
    conv_log_free(&w->log);
    if (!getenv("IPVSIM_PCAP6_DIR")) {
        g_unlink(w->path);
        g_rmdir(w->dir);
    }
    g_free(w->path);
    g_free(w->dir);
}

/* The k-th frame of nexthdr one way. */
static const struct frame6 *nth(const struct w6 *w, uint8_t nexthdr, bool to_server, int k)
{
    for (int i = 0; i < w->n; i++)
        if (w->f[i].nexthdr == nexthdr && w->f[i].to_server == to_server && k-- == 0)
            return &w->f[i];
    CU_FAIL_FATAL("frame missing");
    return NULL;
}

static int count(const struct w6 *w, uint8_t nexthdr)
{
    int n = 0;
    for (int i = 0; i < w->n; i++)
        n += w->f[i].nexthdr == nexthdr;
    return n;
}

static void assert_conv_outcomes(const struct w6 *w, guint n, enum conv_outcome o)
{
    CU_ASSERT_EQUAL(w->log.convs->len, n);
    for (guint i = 0; i < w->log.convs->len; i++)
        CU_ASSERT_EQUAL(g_array_index(w->log.convs, struct conv, i).outcome, o);
}

/* ---- TCP ---------------------------------------------------------------------------- */

static void test_tcp_conversation(void)
{
    struct w6 w;
    w6_init(&w, "tcp6-server-eth0.pcap");
    w6_server(&w, true);
    w6_client(&w, IPPROTO_TCP, 80, 3, 100, 3000);
    w6_run(&w, 2 * SEC);
    assert_conv_outcomes(&w, 3, CONV_OK);
    const struct conv *cv = &g_array_index(w.log.convs, struct conv, 0);
    CU_ASSERT_EQUAL(cv->bytes_in, 3000);
    CU_ASSERT_EQUAL(cv->bytes_out, 100);
    CU_ASSERT(in6_is_key(cv->caddr) && in6_is_key(cv->vaddr));
    /* The handshake: MSS 1440 (1500 - 40 - 20) both ways. */
    const struct frame6 *syn = nth(&w, NEXTHDR_TCP, true, 0);
    const struct frame6 *synack = nth(&w, NEXTHDR_TCP, false, 0);
    CU_ASSERT_EQUAL(syn->flags, TCPH_SYN);
    CU_ASSERT_EQUAL(syn->mss, 1440);
    CU_ASSERT_EQUAL(synack->flags, TCPH_SYN | TCPH_ACK);
    CU_ASSERT_EQUAL(synack->mss, 1440);
    CU_ASSERT_EQUAL(synack->ack, syn->seq + 1);
    CU_ASSERT_EQUAL(syn->hop_limit, 63);            /* one router on the way */
    CU_ASSERT_EQUAL(synack->hop_limit, 64);
    /* Data: full segments of 1440 less the timestamps (1428), then the rest. */
    uint32_t biggest = 0, data = 0;
    int fins[2] = { 0, 0 }, bad = 0;
    for (int i = 0; i < w.n; i++) {
        const struct frame6 *f = &w.f[i];
        if (f->nexthdr != NEXTHDR_TCP)
            continue;
        bad += !f->csum_ok;
        if (!f->to_server) {
            biggest = MAX(biggest, f->payload);
            data += f->payload;
        }
        fins[f->to_server] += (f->flags & TCPH_FIN) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(biggest, 1428);
    CU_ASSERT_EQUAL(data, 3 * 3000);
    CU_ASSERT_EQUAL(fins[0], 3);
    CU_ASSERT_EQUAL(fins[1], 3);
    /* The server closed first: its three sockets are TIME_WAIT records. */
    struct app_stack *st = app_stack_get(host_net(w.t.server));
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_tw, 3);
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_conns, 0);
    app_stack_put(st);
    CU_ASSERT_EQUAL(sizeof(struct tcp_tw), 56);
    /* Nothing went through IPv4. */
    CU_ASSERT_EQUAL(host_net(w.t.server)->socks->stats.tcp_in, (uint64_t)count(&w, NEXTHDR_TCP) / 2);
    w6_free(&w);
}

/* The TIME_WAIT socket answers a retransmitted FIN with an ACK over IPv6, and its
 * record expires after 60 s. */
static void test_time_wait_expires(void)
{
    struct w6 w;
    w6_init(&w, "tcp6-tw.pcap");
    w6_server(&w, true);
    w6_client(&w, IPPROTO_TCP, 80, 1, 10, 10);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    struct app_stack *st = app_stack_get(host_net(w.t.server));
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_tw, 1);
    sim_run_until(&w.t.w.sim, 62 * SEC);
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_tw, 0);
    app_stack_put(st);
    w6_run(&w, 62 * SEC);
    assert_conv_outcomes(&w, 1, CONV_OK);
    w6_free(&w);
}

/* ---- UDP ---------------------------------------------------------------------------- */

static void test_udp_request_response(void)
{
    struct w6 w;
    w6_init(&w, "udp6-server-eth0.pcap");
    w6_server(&w, false);
    w6_client(&w, IPPROTO_UDP, 80, 2, 200, 700);
    w6_run(&w, 2 * SEC);
    assert_conv_outcomes(&w, 2, CONV_OK);
    const struct frame6 *q = nth(&w, NEXTHDR_UDP, true, 0), *r = nth(&w, NEXTHDR_UDP, false, 0);
    CU_ASSERT_EQUAL(q->payload, 200);
    CU_ASSERT_EQUAL(r->payload, 700);
    CU_ASSERT_EQUAL(r->dport, q->sport);
    int bad = 0, zero = 0;
    for (int i = 0; i < w.n; i++)
        if (w.f[i].nexthdr == NEXTHDR_UDP) {
            bad += !w.f[i].csum_ok;
            zero += w.f[i].l4_check == 0;       /* mandatory over IPv6 */
        }
    CU_ASSERT_EQUAL(count(&w, NEXTHDR_UDP), 4);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(zero, 0);
    w6_free(&w);
}

/* A server refusing (REFUSE mode) answers its UDP listener's datagrams with an ICMPv6
 * port unreachable, which ends the client's conversation as refused. */
static void test_udp_server_refuses(void)
{
    struct w6 w;
    w6_init(&w, "udp6-refuse.pcap");
    w6_server(&w, false);
    server_app_set_mode(w.srv, SERVER_REFUSE);
    w6_client(&w, IPPROTO_UDP, 80, 1, 20, 20);
    w6_run(&w, 1 * SEC);
    assert_conv_outcomes(&w, 1, CONV_REFUSED);
    int unreach = 0;
    for (int i = 0; i < w.n; i++)
        unreach += w.f[i].nexthdr == NEXTHDR_ICMP && !w.f[i].to_server &&
                   w.f[i].icmp_type == ICMPV6_DEST_UNREACH && w.f[i].icmp_code == ICMPV6_PORT_UNREACH &&
                   w.f[i].csum_ok;
    CU_ASSERT_EQUAL(unreach, 1);
    CU_ASSERT_EQUAL(count(&w, NEXTHDR_UDP), 1);     /* the request, no answer */
    w6_free(&w);
}

/* A datagram with checksum 0 is dropped over IPv6 (udpv6_rcv), never delivered. */
static void test_udp_zero_checksum_dropped(void)
{
    struct w6 w;
    w6_init(&w, "udp6-zero.pcap");
    w6_server(&w, false);
    sim_run_until(&w.t.w.sim, 1 * MSEC);
    struct net *c = host_net(w.t.client), *s = host_net(w.t.server);
    struct ip6_spec ip = { .saddr = A("2001:db8:1::2"), .daddr = A("2001:db8:2::2") };
    struct sk_buff *skb = skb_alloc(net_pool(c), net_now(c));
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(40000), htons(80), 10));
    struct udphdr *uh = (struct udphdr *)skb_transport_header(skb);
    uh->check = 0;
    skb->dst = ip6_route_output(c, &ip.daddr);
    ip6_local_out(c, skb);
    uint64_t before = s->socks->stats.csum_errors;
    w6_run(&w, 1 * SEC);
    CU_ASSERT_EQUAL(s->socks->stats.csum_errors, before + 1);
    CU_ASSERT_EQUAL(s->socks->stats.udp_in, 0);
    CU_ASSERT_EQUAL(count(&w, NEXTHDR_ICMP) - 2, 0);    /* the NS and NA only: no answer */
    w6_free(&w);
}

/* ---- closed ports ------------------------------------------------------------------- */

/* A server listening on 80 only: TCP to 81 is refused with a RST, UDP to 81 gets a
 * port unreachable. */
static void test_closed_port_with_a_server(void)
{
    struct w6 w;
    w6_init(&w, "closed6-server-eth0.pcap");
    w6_server(&w, false);
    w6_client(&w, IPPROTO_TCP, 81, 2, 10, 10);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    assert_conv_outcomes(&w, 2, CONV_REFUSED);
    struct app_stack *st = app_stack_get(host_net(w.t.server));
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_rst_sent, 2);
    client_group_free(w.cg);
    w.cg = NULL;
    conv_log_free(&w.log);
    conv_log_init(&w.log);
    /* UDP now, the log afresh. */
    static be32 caddr;
    caddr = K("2001:db8:1::2");
    struct client_group_cfg c = {
        .name = "dns", .index = 1, .addrs = &caddr, .naddrs = 1,
        .target = K("2001:db8:2::2"), .target_port = htons(81), .proto = IPPROTO_UDP,
        .arrival = DCONST(50 * MSEC), .request = DCONST(20), .response = DCONST(20),
        .requests_per_conn = 1, .start = 1 * SEC, .stop = 1 * SEC + 60 * MSEC,
    };
    w.cg = client_group_start(host_net(w.t.client), &c, &w.log);
    w6_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL(app_stack_stats(st)->udp_unreach_sent, 1);
    app_stack_put(st);
    assert_conv_outcomes(&w, 1, CONV_REFUSED);     /* ECONNREFUSED, told by icmpv6_notify */
    const struct frame6 *syn = nth(&w, NEXTHDR_TCP, true, 0), *rst = nth(&w, NEXTHDR_TCP, false, 0);
    CU_ASSERT_EQUAL(rst->flags, TCPH_RST | TCPH_ACK);
    CU_ASSERT_EQUAL(rst->ack, syn->seq + 1);
    CU_ASSERT_EQUAL(rst->seq, 0);
    CU_ASSERT(rst->csum_ok);
    int unreach = 0;
    for (int i = 0; i < w.n; i++)
        unreach += w.f[i].nexthdr == NEXTHDR_ICMP && !w.f[i].to_server &&
                   w.f[i].icmp_type == ICMPV6_DEST_UNREACH && w.f[i].icmp_code == ICMPV6_PORT_UNREACH &&
                   w.f[i].csum_ok;
    CU_ASSERT_EQUAL(unreach, 1);
    w6_free(&w);
}

/* No application on the server at all: tcp_v6_rcv itself answers with a reset. */
static void test_closed_port_no_application(void)
{
    struct w6 w;
    w6_init(&w, "closed6-bare.pcap");
    w6_client(&w, IPPROTO_TCP, 80, 1, 10, 10);
    w6_run(&w, 1 * SEC);
    assert_conv_outcomes(&w, 1, CONV_REFUSED);
    CU_ASSERT_EQUAL(host_net(w.t.server)->socks->stats.no_socket, 1);
    const struct frame6 *rst = nth(&w, NEXTHDR_TCP, false, 0);
    CU_ASSERT_EQUAL(rst->flags, TCPH_RST | TCPH_ACK);
    CU_ASSERT(rst->csum_ok);
    w6_free(&w);
}

/* ---- hashes of the real addresses ------------------------------------------------------ */

/* The first SYN's TSval of one conversation from a second client address,
 * 2001:db8:1::abcd, interned after nfirst other addresses (so that it gets another
 * key). */
static uint32_t first_tsval(int nfirst)
{
    for (int i = 0; i < nfirst; i++) {
        char b[64];
        snprintf(b, sizeof b, "2001:db8:99::%x", i + 1);
        K(b);
    }
    struct w6 w;
    w6_init(&w, "ts6.pcap");
    struct in6_addr a = A("2001:db8:1::abcd");
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(w.t.client), host_dev(w.t.client, "eth0"), &a, 64));
    w6_server(&w, true);
    w6_client_from(&w, "2001:db8:1::abcd", IPPROTO_TCP, 80, 1, 10, 10);
    w6_run(&w, 1 * SEC);
    assert_conv_outcomes(&w, 1, CONV_OK);
    uint32_t ts = nth(&w, NEXTHDR_TCP, true, 0)->tsval;
    w6_free(&w);
    return ts;
}

/* The TSval offset (secure_tcpv6_ts_off's place) hashes the addresses' bytes, not
 * their keys: a child process that gives the client's address another key (seven
 * others interned first) sees the same TSval as this process. */
static void test_ts_offset_hashes_addresses(void)
{
    struct in6_addr fresh = A("2001:db8:1::abcd");
    be32 k;
    CU_ASSERT_FATAL(!in6_key_find(&fresh, &k));    /* nobody interned it yet */
    int fd[2];
    CU_ASSERT_FATAL(pipe(fd) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        uint32_t ts = first_tsval(7);
        be32 key = 0;
        in6_key_find(&fresh, &key);
        uint32_t msg[2] = { ts, key };
        ssize_t wr = write(fd[1], msg, sizeof msg);
        _exit(wr == sizeof msg ? 0 : 1);
    }
    close(fd[1]);
    uint32_t theirs[2] = { 0, 0 };
    CU_ASSERT_EQUAL(read(fd[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
    close(fd[0]);
    int status;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    uint32_t ours = first_tsval(0);
    CU_ASSERT_FATAL(in6_key_find(&fresh, &k));
    CU_ASSERT_NOT_EQUAL(k, theirs[1]);              /* another key there */
    CU_ASSERT_NOT_EQUAL(ours, 0);
    CU_ASSERT_EQUAL(ours, theirs[0]);               /* the same offset */
    struct in6_addr a = A("2001:db8:1::2"), b = A("2001:db8:1::2"), c = A("2001:db8:2::2");
    CU_ASSERT_EQUAL(ipv6_addr_digest(&a), ipv6_addr_digest(&b));
    CU_ASSERT_NOT_EQUAL(ipv6_addr_digest(&a), ipv6_addr_digest(&c));
}

IPVSIM_SUITE(tcp_ipv6)
{
    CU_pSuite s = CU_add_suite("tcp_ipv6", NULL, NULL);
    CU_add_test(s, "TCP over IPv6: 3WHS with MSS 1440, data, FINs, TIME_WAIT, checksums",
                test_tcp_conversation);
    CU_add_test(s, "TIME_WAIT over IPv6 expires after 60 s", test_time_wait_expires);
    CU_add_test(s, "UDP over IPv6: request and response with checksums", test_udp_request_response);
    CU_add_test(s, "UDP over IPv6: a refusing server's port unreachable", test_udp_server_refuses);
    CU_add_test(s, "UDP over IPv6: a zero checksum is dropped", test_udp_zero_checksum_dropped);
    CU_add_test(s, "closed port over IPv6: RST and port unreachable", test_closed_port_with_a_server);
    CU_add_test(s, "closed port, no application: tcp_v6_rcv resets", test_closed_port_no_application);
    CU_add_test(s, "TSval offset hashes the IPv6 addresses, not their keys",
                test_ts_offset_hashes_addresses);
}
