/* FULLNAT, an ipvsim extra that is NOT mainline Linux (DPVS and Alibaba's LVS have
 * it): the director translates both ends, so the real servers see the director's
 * local address as the source and answer it directly; they need no route back
 * through the director. Checked on the bytes each end receives, on a LAN whose
 * real servers route through the router, not the director. */
#include <stdio.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "model/ipv4/sock.h"
#include "sim/csum.h"
#include "sim/pkt.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/*   client 10.0.1.2 -- gw -- LAN 192.0.2.0/24: lvs 192.0.2.1 (+ .2, .3 and the VIP),
 *                              rs1 192.0.2.11, rs2 192.0.2.12 (default route: gw)  */
#define VIP "203.0.113.10"
#define DIP "192.0.2.1"
#define GW_LAN "192.0.2.254"

struct seen {
    int got, csum_ok;
    be32 saddr, daddr;
    be16 sport, dport;
    uint8_t ttl, tcp_flags, sctp_chunk;
};

struct fnat {
    struct world w;
    struct host *client, *gw, *lvs, *rs[2];
    struct seen rs_seen[2], client_seen;
    struct netns_ipvs *ipvs;
};

/* Record what arrived (the socket layer has checked the L4 checksum already; it
 * is checked here again from the bytes). */
static void record(struct seen *s, struct sk_buff *skb)
{
    const struct iphdr *iph = ip_hdr(skb);
    uint32_t l4len = ntohs(iph->tot_len) - ip_hdrlen(iph);
    s->got++;
    s->saddr = iph->saddr;
    s->daddr = iph->daddr;
    s->ttl = iph->ttl;
    memcpy(&s->sport, skb->data, 2);
    memcpy(&s->dport, skb->data + 2, 2);
    bool ok;
    if (iph->protocol == IPPROTO_SCTP) {
        ok = sctp_crc32c(skb->data, skb->len, l4len) == sctp_get_checksum(skb->data);
        s->sctp_chunk = skb->data[SCTP_HLEN];
    } else {
        wsum sum = csum_partial(skb->data, skb->len, 0);
        ok = csum_tcpudp_magic(iph->saddr, iph->daddr, l4len, iph->protocol, sum) == 0;
        if (iph->protocol == IPPROTO_TCP)
            s->tcp_flags = ((const struct tcphdr *)skb->data)->flags;
    }
    s->csum_ok += ok;
}

static void send_l4(struct net *net, uint8_t proto, be32 saddr, be32 daddr, be16 sport, be16 dport,
                    uint8_t what)
{
    struct rtable *rt = ip_route_output(net, daddr);
    struct ip4_spec ip = { .saddr = saddr ? saddr : rt->prefsrc, .daddr = daddr, .ttl = 64 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (proto == IPPROTO_UDP) {
        pkt_build_udp(skb, &ip, sport, dport, 30);
    } else if (proto == IPPROTO_TCP) {
        struct tcp_spec th = { .sport = sport, .dport = dport, .seq = 1, .ack = 1, .flags = what,
                               .window = 1000 };
        pkt_build_tcp(skb, &ip, &th, 0);
    } else {
        struct sctp_chunk_spec ch = { .type = what, .body_len = 16 };
        struct sctp_spec sp = { .sport = sport, .dport = dport, .vtag = 1, .chunks = &ch,
                                .nchunks = 1 };
        pkt_build_sctp(skb, &ip, &sp, 100);
    }
    skb->dst = rt;
    ip_local_out(net, skb);
}

/* The real servers answer to wherever the packet came from: UDP echo, TCP
 * SYN -> SYN|ACK and FIN -> FIN|ACK, SCTP INIT -> INIT-ACK. */
static void rs_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct seen *s = ctx;
    record(s, skb);
    const struct iphdr *iph = ip_hdr(skb);
    uint8_t proto = iph->protocol, answer = 0;
    be32 to = iph->saddr, from = iph->daddr;
    be16 ports[2];
    memcpy(ports, skb->data, 4);
    if (proto == IPPROTO_TCP)
        answer = s->tcp_flags & TCPH_SYN ? TCPH_SYN | TCPH_ACK
               : s->tcp_flags & TCPH_FIN ? TCPH_FIN | TCPH_ACK : 0;
    else if (proto == IPPROTO_SCTP)
        answer = s->sctp_chunk == SCTP_CID_INIT ? SCTP_CID_INIT_ACK : 0;
    consume_skb(net, skb);
    if (proto == IPPROTO_UDP || answer)
        send_l4(net, proto, from, to, ports[1], ports[0], answer);
}

static void client_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    record(ctx, skb);
    consume_skb(net, skb);
}

static void fnat_init(struct fnat *f, const char *era, const char *const *cfg)
{
    memset(f, 0, sizeof *f);
    world_init(&f->w, 5);
    const struct kernel_profile *prof = kernel_profile_find(era);
    static const char *const c[] = { "eth0=10.0.1.2/24", NULL };
    static const char *const g[] = { "eth0=10.0.1.1/24", "eth1=192.0.2.254/24", NULL };
    static const char *const r1[] = { "eth0=192.0.2.11/24", NULL };
    static const char *const r2[] = { "eth0=192.0.2.12/24", NULL };
    f->client = topo_host(&f->w, "client", c);
    f->gw = topo_host(&f->w, "gw", g);
    f->lvs = host_new(&f->w, "lvs");
    struct net_device *eth0 = host_add_dev(f->lvs, "eth0", 1500);
    netdev_add_addr(eth0, topo_ip(DIP), 24);
    netdev_add_addr(eth0, topo_ip("192.0.2.2"), 24);
    netdev_add_addr(eth0, topo_ip("192.0.2.3"), 24);
    netdev_add_addr(eth0, topo_ip(VIP), 32);
    net_new(f->lvs, prof);
    f->rs[0] = topo_host(&f->w, "rs1", r1);
    f->rs[1] = topo_host(&f->w, "rs2", r2);
    host_net(f->gw)->ipv4.ip_forward = 1;
    host_net(f->lvs)->ipv4.ip_forward = 1;
    fib_add(host_net(f->client), 0, 0, topo_ip("10.0.1.1"), NULL);
    fib_add(host_net(f->gw), topo_ip(VIP), 32, topo_ip(DIP), NULL);
    fib_add(host_net(f->lvs), 0, 0, topo_ip(GW_LAN), NULL);
    for (int i = 0; i < 2; i++) {
        /* the real servers' way out is the router: no route through the director,
         * no VIP anywhere on them */
        fib_add(host_net(f->rs[i]), 0, 0, topo_ip(GW_LAN), NULL);
        static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };
        for (size_t k = 0; k < sizeof protos; k++)
            sock_bind(host_net(f->rs[i]), protos[k], 0, rs_rx, &f->rs_seen[i]);
    }
    sock_bind(host_net(f->client), IPPROTO_UDP, 0, client_rx, &f->client_seen);
    sock_bind(host_net(f->client), IPPROTO_TCP, 0, client_rx, &f->client_seen);
    sock_bind(host_net(f->client), IPPROTO_SCTP, 0, client_rx, &f->client_seen);
    struct link_params lp = { .latency = 100 * USEC, .bandwidth_bps = 1000000000ull };
    struct link *lan = link_new(&f->w, "lan", &lp);
    link_attach(lan, host_dev(f->gw, "eth1"));
    link_attach(lan, eth0);
    link_attach(lan, host_dev(f->rs[0], "eth0"));
    link_attach(lan, host_dev(f->rs[1], "eth0"));
    topo_link(&f->w, "clients", "client:eth0", "gw:eth0", 1 * MSEC, 1000000000ull);
    for (int i = 0; cfg[i]; i++) {
        struct ipvsadm_error err = {0};
        int rc = ipvsadm_apply(host_net(f->lvs), cfg[i], &err);
        if (rc)
            fprintf(stderr, "\nipvsadm '%s': col %d: %s\n", cfg[i], err.column, err.message);
        CU_ASSERT_EQUAL(rc, 0);
    }
    f->ipvs = ip_vs_net(host_net(f->lvs));
}

static void client_send(struct fnat *f, uint8_t proto, uint16_t sport, uint16_t vport, uint8_t what)
{
    send_l4(host_net(f->client), proto, 0, topo_ip(VIP), htons(sport), htons(vport), what);
    sim_run_until(&f->w.sim, f->w.sim.now + 100 * MSEC);
}

static struct ip_vs_conn *conn_of(struct fnat *f, uint8_t proto, uint16_t sport, uint16_t vport)
{
    return ip_vs_conn_in_get(f->ipvs, proto, topo_ip("10.0.1.2"), htons(sport), topo_ip(VIP),
                             htons(vport));
}

static void test_udp_round_trip(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 --fullnat",
        NULL,
    };
    struct fnat f;
    fnat_init(&f, "6.x", cfg);
    /* The real server's way to the client is the router, not the director. */
    struct rtable *back = ip_route_output(host_net(f.rs[0]), topo_ip("10.0.1.2"));
    CU_ASSERT_EQUAL(back->gateway, topo_ip(GW_LAN));
    client_send(&f, IPPROTO_UDP, 40000, 53, 0);
    /* At the server: from the director's DIP (the default local address) and the
     * first local port, to the server's own address and port. */
    struct seen *rs = &f.rs_seen[0];
    CU_ASSERT_EQUAL(rs->got, 1);
    CU_ASSERT_EQUAL(rs->saddr, topo_ip(DIP));
    CU_ASSERT_EQUAL(rs->sport, htons(1024));
    CU_ASSERT_EQUAL(rs->daddr, topo_ip("192.0.2.11"));
    CU_ASSERT_EQUAL(rs->dport, htons(5353));
    CU_ASSERT_EQUAL(rs->csum_ok, 1);
    CU_ASSERT_EQUAL(rs->ttl, 62);                           /* gw, director */
    /* The reply went to the local address and came back translated: VIP:53 to the
     * client's own port. */
    CU_ASSERT_EQUAL(f.client_seen.got, 1);
    CU_ASSERT_EQUAL(f.client_seen.saddr, topo_ip(VIP));
    CU_ASSERT_EQUAL(f.client_seen.sport, htons(53));
    CU_ASSERT_EQUAL(f.client_seen.daddr, topo_ip("10.0.1.2"));
    CU_ASSERT_EQUAL(f.client_seen.dport, htons(40000));
    CU_ASSERT_EQUAL(f.client_seen.csum_ok, 1);
    CU_ASSERT_EQUAL(f.client_seen.ttl, 62);                 /* director, gw */
    CU_ASSERT_EQUAL(host_net(f.client)->socks->stats.csum_errors, 0);
    CU_ASSERT_EQUAL(host_net(f.rs[0])->socks->stats.csum_errors, 0);
    /* The director kept both ways on the connection, and nothing was delivered
     * to its own sockets. */
    struct ip_vs_conn *cp = conn_of(&f, IPPROTO_UDP, 40000, 53);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->flags & IP_VS_CONN_F_FWD_MASK, IP_VS_CONN_F_FULLNAT);
    CU_ASSERT_FALSE(cp->flags & IP_VS_CONN_F_NOOUTPUT);
    CU_ASSERT_EQUAL(cp->laddr, topo_ip(DIP));
    CU_ASSERT_EQUAL(cp->lport, htons(1024));
    CU_ASSERT_PTR_EQUAL(ip_vs_conn_out_get(f.ipvs, IPPROTO_UDP, topo_ip("192.0.2.11"), htons(5353),
                                           topo_ip(DIP), htons(1024)), cp);
    CU_ASSERT_EQUAL(f.ipvs->tot_stats.c.inpkts, 1);
    CU_ASSERT_EQUAL(f.ipvs->tot_stats.c.outpkts, 1);
    CU_ASSERT_EQUAL(host_net(f.lvs)->socks->stats.udp_in, 0);
    /* The listing calls the method FullNat. */
    GString *s = g_string_new(NULL);
    ipvsadm_list(s, f.ipvs, 0);
    const char *row = strstr(s->str, "  -> 192.0.2.11:5353 ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    CU_ASSERT_EQUAL(strncmp(row + 34, "FullNat 1", 9), 0);
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

static void test_tcp_states_and_ports(void)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:8080 --fullnat",
        NULL,
    };
    struct fnat f;
    fnat_init(&f, "4.9", cfg);
    struct ip_vs_service *svc = ip_vs_service_get(f.ipvs, IPPROTO_TCP, topo_ip(VIP), htons(80), 0);
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, topo_ip("192.0.2.11"), htons(8080));
    /* Replies pass the director, so the state machine runs as for NAT. */
    client_send(&f, IPPROTO_TCP, 41000, 80, TCPH_SYN);
    struct ip_vs_conn *cp = conn_of(&f, IPPROTO_TCP, 41000, 80);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_SYN_RECV);
    CU_ASSERT_EQUAL(f.client_seen.tcp_flags, TCPH_SYN | TCPH_ACK);
    CU_ASSERT_EQUAL(f.client_seen.saddr, topo_ip(VIP));
    CU_ASSERT_EQUAL(f.client_seen.sport, htons(80));
    client_send(&f, IPPROTO_TCP, 41000, 80, TCPH_ACK);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(d->activeconns, 1);
    client_send(&f, IPPROTO_TCP, 41000, 80, TCPH_FIN | TCPH_ACK);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_TIME_WAIT);
    CU_ASSERT_EQUAL(d->activeconns, 0);
    CU_ASSERT_EQUAL(d->inactconns, 1);
    CU_ASSERT_EQUAL(f.rs_seen[0].got, 3);
    CU_ASSERT_EQUAL(f.rs_seen[0].csum_ok, 3);
    CU_ASSERT_EQUAL(f.client_seen.got, 2);
    CU_ASSERT_EQUAL(f.client_seen.csum_ok, 2);
    /* A second client port takes the next local port; after a wrap of the cursor
     * the taken one is skipped. */
    client_send(&f, IPPROTO_TCP, 41001, 80, TCPH_SYN);
    CU_ASSERT_EQUAL(conn_of(&f, IPPROTO_TCP, 41001, 80)->lport, htons(1025));
    CU_ASSERT_EQUAL(f.rs_seen[0].sport, htons(1025));
    svc->lport_next = 0;
    client_send(&f, IPPROTO_TCP, 41002, 80, TCPH_SYN);
    CU_ASSERT_EQUAL(conn_of(&f, IPPROTO_TCP, 41002, 80)->lport, htons(1026));
    CU_ASSERT_EQUAL(f.client_seen.got, 4);
    world_destroy(&f.w);
}

static void test_sctp_crc(void)
{
    static const char *const cfg[] = {
        "-A --sctp-service 203.0.113.10:5060 -s rr",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.12:5060 --fullnat",
        NULL,
    };
    struct fnat f;
    fnat_init(&f, "6.x", cfg);
    client_send(&f, IPPROTO_SCTP, 42000, 5060, SCTP_CID_INIT);
    struct seen *rs = &f.rs_seen[1];
    CU_ASSERT_EQUAL(rs->got, 1);
    CU_ASSERT_EQUAL(rs->saddr, topo_ip(DIP));
    CU_ASSERT_EQUAL(rs->sport, htons(1024));
    CU_ASSERT_EQUAL(rs->csum_ok, 1);                        /* CRC32c made again */
    CU_ASSERT_EQUAL(f.client_seen.got, 1);
    CU_ASSERT_EQUAL(f.client_seen.sctp_chunk, SCTP_CID_INIT_ACK);
    CU_ASSERT_EQUAL(f.client_seen.saddr, topo_ip(VIP));
    CU_ASSERT_EQUAL(f.client_seen.dport, htons(42000));
    CU_ASSERT_EQUAL(f.client_seen.csum_ok, 1);
    CU_ASSERT_EQUAL(conn_of(&f, IPPROTO_SCTP, 42000, 5060)->state, IP_VS_SCTP_S_COOKIE_SENT);
    world_destroy(&f.w);
}

static int apply(struct fnat *f, const char *line, struct ipvsadm_error *err)
{
    memset(err, 0, sizeof *err);
    return ipvsadm_apply(host_net(f->lvs), line, err);
}

static void test_local_address_pool(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11:53 --fullnat",
        "-P -u 203.0.113.10:53 -z 192.0.2.2",
        "--add-laddr -u 203.0.113.10:53 --laddr=192.0.2.3",
        NULL,
    };
    struct fnat f;
    fnat_init(&f, "6.x", cfg);
    struct ipvsadm_error err;
    /* What ipvsadm refuses: a duplicate, an address not on the director, a missing
     * -z, a service that does not exist, removing what is not there. */
    CU_ASSERT_EQUAL(apply(&f, "-P -u 203.0.113.10:53 -z 192.0.2.2", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "Local address already exists");
    CU_ASSERT_EQUAL(err.column, 26);
    CU_ASSERT_EQUAL(apply(&f, "-P -u 203.0.113.10:53 -z 192.0.2.99", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "Not a local address of this host");
    CU_ASSERT_EQUAL(apply(&f, "-P -u 203.0.113.10:53", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "You need to supply the 'laddr' option for the "
                                        "'add-laddr' command");
    CU_ASSERT_EQUAL(apply(&f, "-P -u 203.0.113.10:54 -z 192.0.2.2", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "Service not defined");
    CU_ASSERT_EQUAL(apply(&f, "-Q -u 203.0.113.10:53 -z 192.0.2.1", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "No such local address");
    CU_ASSERT_EQUAL(apply(&f, "-A -u 203.0.113.10:54 -z 192.0.2.1", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "Illegal 'laddr' option with the 'add-service' command");
    CU_ASSERT_EQUAL(apply(&f, "-P -u 203.0.113.10:53 -z 192.0.2.x", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "illegal local address specified");

    /* Connections take the local addresses round robin; replies to each come back. */
    for (int i = 0; i < 4; i++)
        client_send(&f, IPPROTO_UDP, (uint16_t)(43000 + i), 53, 0);
    CU_ASSERT_EQUAL(conn_of(&f, IPPROTO_UDP, 43000, 53)->laddr, topo_ip("192.0.2.2"));
    CU_ASSERT_EQUAL(conn_of(&f, IPPROTO_UDP, 43001, 53)->laddr, topo_ip("192.0.2.3"));
    CU_ASSERT_EQUAL(conn_of(&f, IPPROTO_UDP, 43002, 53)->laddr, topo_ip("192.0.2.2"));
    CU_ASSERT_EQUAL(f.rs_seen[0].saddr, topo_ip("192.0.2.3"));
    CU_ASSERT_EQUAL(f.client_seen.got, 4);
    CU_ASSERT_EQUAL(f.client_seen.csum_ok, 4);
    /* Without any, the DIP again. */
    CU_ASSERT_EQUAL(apply(&f, "-Q -u 203.0.113.10:53 -z 192.0.2.2", &err), 0);
    CU_ASSERT_EQUAL(apply(&f, "--del-laddr -u 203.0.113.10:53 -z 192.0.2.3", &err), 0);
    client_send(&f, IPPROTO_UDP, 43010, 53, 0);
    CU_ASSERT_EQUAL(f.rs_seen[0].saddr, topo_ip(DIP));
    CU_ASSERT_EQUAL(f.client_seen.got, 5);
    world_destroy(&f.w);
}

IPVSIM_SUITE(ipvs_fullnat)
{
    CU_pSuite s = CU_add_suite("ipvs_fullnat", NULL, NULL);
    ADD_TEST(s, test_udp_round_trip);
    ADD_TEST(s, test_tcp_states_and_ports);
    ADD_TEST(s, test_sctp_crc);
    ADD_TEST(s, test_local_address_pool);
}
