/* The IPVS SCTP protocol: every cell of the state table checked against the
 * kernel's table (ip_vs_proto_sctp.c) transcribed as text, timeouts and
 * names, the event of a packet, and associations through the LVS topology: a NAT
 * handshake, data and shutdown with states, counters and the CRC32c at both ends;
 * the conn_schedule rules; DR's input-only row; conn_reuse_mode on CLOSED. */
#include <stdio.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "model/ipv4/sock.h"
#include "sim/pkt.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

/* ---- the table, as net/netfilter/ipvs/ip_vs_proto_sctp.c sctp_states lays it out -- */

/* "dir ev | next state for NO I1 IN CS CR CW CO CE ES SS SR SA RJ CL" */
static const char *const sctp_rows[] = {
    "IN d ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
    "IN i I1 IN IN CS CR CW CO CE ES SS SR SA IN IN",
    "IN i_a CW CW CW CS CR CO CO CE ES SS SR SA RJ CL",
    "IN c_e CR IN IN CR CR CW CO CE ES SS SR SA RJ CL",
    "IN c_a ES I1 IN CS CR CW CO ES ES SS SR SA RJ CL",
    "IN s SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL",
    "IN s_a CL IN IN CS CR CW CO CE ES CL SR CL RJ CL",
    "IN s_c CL CL CL CS CR CW CO CE ES SS SR CL RJ CL",
    "IN err CL I1 IN CS CR CW CO CL ES SS SR SA RJ CL",
    "IN ab CL CL CL CL CL RJ CL CL CL CL CL CL CL CL",
    "OUT d ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
    "OUT i CW CW CW CW CW CW CW CW ES CW CW CW CW CW",
    "OUT i_a CS CS CS CS CR CW CO CE ES SS SR SA RJ CL",
    "OUT c_e CE CE CE CE CE CE CE CE ES SS SR SA RJ CL",
    "OUT c_a ES ES ES ES ES ES ES ES ES SS SR SA RJ CL",
    "OUT s SS SS SS SS SS SS SS SS SS SS SR SA RJ CL",
    "OUT s_a SA SA SA SA SA CW CO CE ES SA SA SA RJ CL",
    "OUT s_c CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
    "OUT err CL CL CL CL CL CW CO CE ES SS SR SA RJ CL",
    "OUT ab CL RJ CL CL CL CL CL CL CL CL CL CL CL CL",
    "IN_ONLY d ES I1 IN CS CR ES CO CE ES SS SR SA RJ CL",
    "IN_ONLY i I1 IN IN IN IN IN CO CE ES SS SR SA IN IN",
    "IN_ONLY i_a CE CE CE CE CE CE CO CE ES SS SR SA RJ CL",
    "IN_ONLY c_e ES ES ES ES ES ES CO CE ES SS SR SA RJ CL",
    "IN_ONLY c_a ES I1 IN ES ES CW ES ES ES SS SR SA RJ CL",
    "IN_ONLY s SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL",
    "IN_ONLY s_a CL IN IN CS CR CW CO CE CL CL SR CL RJ CL",
    "IN_ONLY s_c CL CL CL CL CL CW CO CE ES SS CL CL RJ CL",
    "IN_ONLY err CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
    "IN_ONLY ab CL CL CL CL CL RJ CL CL CL CL CL CL CL CL",
};

static const char *const abbrev[IP_VS_SCTP_S_LAST] = {
    "NO", "I1", "IN", "CS", "CR", "CW", "CO", "CE", "ES", "SS", "SR", "SA", "RJ", "CL",
};

/* sctp_states' row labels (d, i, i_a, ... for IP_VS_SCTP_DATA, _INIT, _INIT_ACK, ...)
 * and the chunk that stands for each. */
static const struct { const char *name; uint8_t chunk; } events[] = {
    { "d", SCTP_CID_DATA }, { "i", SCTP_CID_INIT }, { "i_a", SCTP_CID_INIT_ACK },
    { "c_e", SCTP_CID_COOKIE_ECHO }, { "c_a", SCTP_CID_COOKIE_ACK }, { "s", SCTP_CID_SHUTDOWN },
    { "s_a", SCTP_CID_SHUTDOWN_ACK }, { "s_c", SCTP_CID_SHUTDOWN_COMPLETE },
    { "err", SCTP_CID_ERROR }, { "ab", SCTP_CID_ABORT },
};

static int state_of(const char *ab)
{
    for (int i = 0; i < IP_VS_SCTP_S_LAST; i++)
        if (strcmp(abbrev[i], ab) == 0)
            return i;
    return -1;
}

static void test_every_cell(void)
{
    int cells = 0;
    for (size_t r = 0; r < G_N_ELEMENTS(sctp_rows); r++) {
        gchar **f = g_strsplit(sctp_rows[r], " ", -1);
        CU_ASSERT_EQUAL_FATAL(g_strv_length(f), 2u + IP_VS_SCTP_S_LAST);
        enum ip_vs_dir d = strcmp(f[0], "IN") == 0 ? IP_VS_DIR_INPUT
                         : strcmp(f[0], "OUT") == 0 ? IP_VS_DIR_OUTPUT : IP_VS_DIR_INPUT_ONLY;
        int ev = -1;
        for (size_t e = 0; e < G_N_ELEMENTS(events); e++)
            if (strcmp(f[1], events[e].name) == 0)
                ev = (int)ip_vs_sctp_chunk_event(events[e].chunk);
        CU_ASSERT_FATAL(ev >= 0);
        for (int s = 0; s < IP_VS_SCTP_S_LAST; s++) {
            int expect = state_of(f[2 + s]);
            CU_ASSERT_NOT_EQUAL(expect, -1);
            int have = ip_vs_sctp_next_state(s, d, (enum ip_vs_sctp_event)ev);
            if (have != expect)
                fprintf(stderr, "\n%s %s from %s: want %s got %s\n", f[0], f[1], abbrev[s],
                        f[2 + s], have >= 0 && have < IP_VS_SCTP_S_LAST ? abbrev[have] : "?");
            CU_ASSERT_EQUAL(have, expect);
            cells++;
        }
        g_strfreev(f);
    }
    CU_ASSERT_EQUAL(cells, 3 * IP_VS_SCTP_EVENT_LAST * IP_VS_SCTP_S_LAST);
}

/* "idx abbrev name timeout": ip_vs_proto_sctp.c sctp_state_name_table and
 * sctp_timeouts. */
static const char *const state_rows[] = {
    "0 NO NONE 2", "1 I1 INIT1 4", "2 IN INIT 61", "3 CS C-SENT 61", "4 CR C-REPLIED 61",
    "5 CW C-WAIT 61", "6 CO COOKIE 61", "7 CE C-ECHOED 61", "8 ES ESTABLISHED 900",
    "9 SS S-SENT 61", "10 SR S-RECEIVED 61", "11 SA S-ACK-SENT 61", "12 RJ REJECTED 4",
    "13 CL CLOSED 61",
};

static void test_names_timeouts_active(void)
{
    CU_ASSERT_EQUAL(G_N_ELEMENTS(state_rows), (size_t)IP_VS_SCTP_S_LAST);
    for (size_t i = 0; i < G_N_ELEMENTS(state_rows); i++) {
        int idx;
        unsigned timeout;
        char ab[4], name[16];
        CU_ASSERT_EQUAL_FATAL(sscanf(state_rows[i], "%d %3s %15s %u", &idx, ab, name, &timeout), 4);
        CU_ASSERT_EQUAL(idx, (int)i);
        CU_ASSERT_EQUAL(state_of(ab), idx);
        CU_ASSERT_STRING_EQUAL(ip_vs_sctp_state_name(idx), name);
        CU_ASSERT_EQUAL(ip_vs_sctp_default_timeouts[idx], timeout);
        CU_ASSERT_EQUAL(ip_vs_sctp_state_active(idx), idx == IP_VS_SCTP_S_ESTABLISHED);
    }
    CU_ASSERT_STRING_EQUAL(ip_vs_sctp_state_name(IP_VS_SCTP_S_LAST), "BUG!");
    CU_ASSERT_STRING_EQUAL(ip_vs_sctp_state_name(-1), "BUG!");
}

/* A common header plus chunk headers, as bytes. */
static uint32_t put_chunks(uint8_t *buf, const uint8_t *types, const uint16_t *lens, int n)
{
    memset(buf, 0, 64);
    uint32_t off = SCTP_HLEN;
    for (int i = 0; i < n; i++) {
        buf[off] = types[i];
        buf[off + 2] = (uint8_t)(lens[i] >> 8);
        buf[off + 3] = (uint8_t)lens[i];
        off += (lens[i] + 3u) & ~3u;
    }
    return off;
}

static void test_packet_event(void)
{
    /* DATA, SACK, HEARTBEAT(-ACK), ECNE, CWR and unknown types are DATA. */
    static const uint8_t data_like[] = { SCTP_CID_DATA, SCTP_CID_SACK, SCTP_CID_HEARTBEAT,
                                         SCTP_CID_HEARTBEAT_ACK, SCTP_CID_ECN_ECNE,
                                         SCTP_CID_ECN_CWR, 15, 0x80, 0xc1, 0xff };
    for (size_t i = 0; i < sizeof data_like; i++)
        CU_ASSERT_EQUAL(ip_vs_sctp_chunk_event(data_like[i]), IP_VS_SCTP_DATA);
    CU_ASSERT_EQUAL(ip_vs_sctp_chunk_event(SCTP_CID_INIT), IP_VS_SCTP_INIT);
    CU_ASSERT_EQUAL(ip_vs_sctp_chunk_event(SCTP_CID_SHUTDOWN_COMPLETE), IP_VS_SCTP_SHUTDOWN_COMPLETE);
    CU_ASSERT_EQUAL(ip_vs_sctp_chunk_event(SCTP_CID_ERROR), IP_VS_SCTP_ERROR);

    uint8_t buf[64];
    uint8_t t[2];
    uint16_t l[2];
    /* COOKIE-ECHO or COOKIE-ACK followed by ABORT: ABORT (an odd length is padded) */
    t[0] = SCTP_CID_COOKIE_ECHO, t[1] = SCTP_CID_ABORT, l[0] = 9, l[1] = 4;
    uint32_t n = put_chunks(buf, t, l, 2);
    CU_ASSERT_EQUAL(n, SCTP_HLEN + 12 + 4);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, n), IP_VS_SCTP_ABORT);
    t[0] = SCTP_CID_COOKIE_ACK;
    l[0] = 4;
    n = put_chunks(buf, t, l, 2);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, n), IP_VS_SCTP_ABORT);
    /* ...but not after anything else, and not when the ABORT is cut off */
    t[0] = SCTP_CID_SACK;
    n = put_chunks(buf, t, l, 2);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, n), IP_VS_SCTP_DATA);
    t[0] = SCTP_CID_SHUTDOWN;
    n = put_chunks(buf, t, l, 2);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, n), IP_VS_SCTP_SHUTDOWN);
    t[0] = SCTP_CID_COOKIE_ECHO;
    n = put_chunks(buf, t, l, 2);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, n - 4), IP_VS_SCTP_COOKIE_ECHO);
    t[1] = SCTP_CID_DATA;
    n = put_chunks(buf, t, l, 2);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, n), IP_VS_SCTP_COOKIE_ECHO);
    /* a chunk length below the header's size: no look further */
    t[1] = SCTP_CID_ABORT;
    l[0] = 2;
    put_chunks(buf, t, l, 1);
    buf[SCTP_HLEN + 4] = SCTP_CID_ABORT;
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, SCTP_HLEN + 8), IP_VS_SCTP_COOKIE_ECHO);
    /* no chunk header at all */
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, SCTP_HLEN + 3), -1);
}

/* ---- associations through the LVS topology ---------------------------------------- */

#define VPORT 5060
#define RPORT 15060

/* What an endpoint saw; the real server's script answers like an SCTP stack would
 * for these chunks. */
struct sctp_end {
    int got, crc_ok;
    uint8_t last_chunk;
    uint8_t chunks[32];
    be32 saddr, daddr;
    be16 sport, dport;
    bool answer;                    /* the real server's script */
};

static void send_sctp(struct net *net, be32 saddr, be32 daddr, be16 sport, be16 dport,
                      const uint8_t *chunks, unsigned n, uint32_t payload)
{
    struct sctp_chunk_spec cs[4];
    memset(cs, 0, sizeof cs);
    for (unsigned i = 0; i < n; i++) {
        cs[i].type = chunks[i];
        /* INIT and INIT-ACK carry their fixed 16 bytes, DATA its 12 */
        cs[i].body_len = chunks[i] == SCTP_CID_INIT || chunks[i] == SCTP_CID_INIT_ACK ? 16
                       : chunks[i] == SCTP_CID_DATA ? 12 : 0;
    }
    struct rtable *rt = ip_route_output(net, daddr);
    struct ip4_spec ip = { .saddr = saddr ? saddr : rt->prefsrc, .daddr = daddr, .ttl = 64 };
    struct sctp_spec sp = { .sport = sport, .dport = dport, .vtag = 0x1234,
                            .chunks = cs, .nchunks = n };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_FATAL(pkt_build_sctp(skb, &ip, &sp, payload));
    skb->dst = rt;
    ip_local_out(net, skb);
}

static uint8_t answer_to(uint8_t chunk)
{
    switch (chunk) {
    case SCTP_CID_INIT: return SCTP_CID_INIT_ACK;
    case SCTP_CID_COOKIE_ECHO: return SCTP_CID_COOKIE_ACK;
    case SCTP_CID_DATA: return SCTP_CID_SACK;
    case SCTP_CID_SHUTDOWN: return SCTP_CID_SHUTDOWN_ACK;
    default: return 0xff;            /* no answer */
    }
}

static void sctp_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct sctp_end *e = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct sctphdr *sh = (const struct sctphdr *)skb->data;
    uint32_t l4len = ntohs(iph->tot_len) - ip_hdrlen(iph);
    /* the CRC32c over what arrived, computed here again */
    if (sctp_crc32c(skb->data, skb->len, l4len) == sctp_get_checksum(skb->data))
        e->crc_ok++;
    uint8_t chunk = skb->data[SCTP_HLEN];
    if (e->got < (int)sizeof e->chunks)
        e->chunks[e->got] = chunk;
    e->got++;
    e->last_chunk = chunk;
    e->saddr = iph->saddr;
    e->daddr = iph->daddr;
    e->sport = sh->source;
    e->dport = sh->dest;
    be32 to = iph->saddr, from = iph->daddr;
    be16 sport = sh->dest, dport = sh->source;
    consume_skb(net, skb);
    uint8_t a = answer_to(chunk);
    if (e->answer && a != 0xff)
        send_sctp(net, from, to, sport, dport, &a, 1, 0);
}

struct sctp_case {
    struct topo_lvs t;
    struct sctp_end rs[2], client;
    struct netns_ipvs *ipvs;
};

static void sctp_case_init(struct sctp_case *c, enum topo_fwd fwd, const char *const *cfg)
{
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, fwd, "6.x");
    for (int i = 0; i < 2; i++) {
        c->rs[i].answer = true;
        CU_ASSERT(sock_bind(host_net(c->t.rs[i]), IPPROTO_SCTP, 0, sctp_rx, &c->rs[i]));
    }
    CU_ASSERT(sock_bind(host_net(c->t.client), IPPROTO_SCTP, 0, sctp_rx, &c->client));
    topo_lvs_ipvsadm(&c->t, cfg);
    c->ipvs = ip_vs_net(host_net(c->t.lvs));
}

static void client_chunks(struct sctp_case *c, uint16_t sport, const uint8_t *chunks, unsigned n,
                          uint32_t payload)
{
    send_sctp(host_net(c->t.client), 0, topo_ip(TOPO_VIP), htons(sport), htons(VPORT), chunks,
              n, payload);
    sim_run_until(&c->t.w.sim, c->t.w.sim.now + 100 * MSEC);
}

static void client_chunk(struct sctp_case *c, uint16_t sport, uint8_t chunk)
{
    client_chunks(c, sport, &chunk, 1, 0);
}

static struct ip_vs_conn *conn_of(struct sctp_case *c, uint16_t sport)
{
    return ip_vs_conn_in_get(c->ipvs, IPPROTO_SCTP, topo_ip("10.0.1.2"), htons(sport),
                             topo_ip(TOPO_VIP), htons(VPORT));
}

static struct ip_vs_dest *dest_of(struct sctp_case *c, const char *rs, uint16_t port)
{
    struct ip_vs_service *svc = ip_vs_service_get(c->ipvs, IPPROTO_SCTP, topo_ip(TOPO_VIP),
                                                  htons(VPORT), 0);
    return svc ? ip_vs_lookup_dest(svc, topo_ip(rs), htons(port)) : NULL;
}

static void test_nat_association(void)
{
    static const char *const cfg[] = {
        "-A --sctp-service 203.0.113.10:5060 -s rr",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.11:15060 -m",
        NULL,
    };
    struct sctp_case c;
    sctp_case_init(&c, TOPO_NAT, cfg);
    struct ip_vs_dest *d = dest_of(&c, "192.0.2.11", RPORT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);

    /* INIT in: NONE -> INIT1; INIT-ACK out: INIT1 -> C-SENT. Inactive. */
    client_chunk(&c, 42000, SCTP_CID_INIT);
    struct ip_vs_conn *cp = conn_of(&c, 42000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(c.rs[0].got, 1);
    CU_ASSERT_EQUAL(c.rs[0].last_chunk, SCTP_CID_INIT);
    CU_ASSERT_EQUAL(c.rs[0].daddr, topo_ip("192.0.2.11"));
    CU_ASSERT_EQUAL(c.rs[0].dport, htons(RPORT));
    CU_ASSERT_EQUAL(c.client.last_chunk, SCTP_CID_INIT_ACK);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_COOKIE_SENT);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(cp), 60);          /* 61 s, 0.1 s gone */
    CU_ASSERT_EQUAL(d->activeconns, 0);
    CU_ASSERT_EQUAL(d->inactconns, 1);

    /* COOKIE-ECHO in: C-SENT -> C-REPLIED; COOKIE-ACK out: -> ESTABLISHED, active. */
    client_chunk(&c, 42000, SCTP_CID_COOKIE_ECHO);
    CU_ASSERT_EQUAL(c.client.last_chunk, SCTP_CID_COOKIE_ACK);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(d->activeconns, 1);
    CU_ASSERT_EQUAL(d->inactconns, 0);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(cp), 899);

    /* DATA (1000 virtual bytes) in and SACK out keep ESTABLISHED. */
    uint8_t data = SCTP_CID_DATA;
    client_chunks(&c, 42000, &data, 1, 1000);
    CU_ASSERT_EQUAL(c.client.last_chunk, SCTP_CID_SACK);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_ESTABLISHED);

    /* SHUTDOWN in: -> S-RECEIVED (inactive); SHUTDOWN-ACK out: -> S-ACK-SENT;
     * SHUTDOWN-COMPLETE in: -> CLOSED, 61 s. */
    client_chunk(&c, 42000, SCTP_CID_SHUTDOWN);
    CU_ASSERT_EQUAL(c.client.last_chunk, SCTP_CID_SHUTDOWN_ACK);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_SHUTDOWN_ACK_SENT);
    CU_ASSERT_EQUAL(d->activeconns, 0);
    CU_ASSERT_EQUAL(d->inactconns, 1);
    client_chunk(&c, 42000, SCTP_CID_SHUTDOWN_COMPLETE);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_CLOSED);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(cp), 60);

    /* Both ends got every packet with a valid CRC32c (the port was rewritten both
     * ways: the director computed it again), and the replies come from VIP:5060. */
    CU_ASSERT_EQUAL(c.rs[0].got, 5);
    CU_ASSERT_EQUAL(c.rs[0].crc_ok, 5);
    CU_ASSERT_EQUAL(c.client.got, 4);
    CU_ASSERT_EQUAL(c.client.crc_ok, 4);
    CU_ASSERT_EQUAL(c.client.saddr, topo_ip(TOPO_VIP));
    CU_ASSERT_EQUAL(c.client.sport, htons(VPORT));
    CU_ASSERT_EQUAL(host_net(c.t.rs[0])->socks->stats.csum_errors, 0);
    CU_ASSERT_EQUAL(host_net(c.t.rs[0])->socks->stats.sctp_in, 5);
    CU_ASSERT_EQUAL(host_net(c.t.client)->socks->stats.csum_errors, 0);
    static const uint8_t seen_rs[] = { SCTP_CID_INIT, SCTP_CID_COOKIE_ECHO, SCTP_CID_DATA,
                                       SCTP_CID_SHUTDOWN, SCTP_CID_SHUTDOWN_COMPLETE };
    CU_ASSERT_EQUAL(memcmp(c.rs[0].chunks, seen_rs, sizeof seen_rs), 0);

    /* Counters: one connection, five packets in, four out. */
    CU_ASSERT_EQUAL(c.ipvs->tot_stats.c.conns, 1);
    CU_ASSERT_EQUAL(c.ipvs->tot_stats.c.inpkts, 5);
    CU_ASSERT_EQUAL(c.ipvs->tot_stats.c.outpkts, 4);
    CU_ASSERT_EQUAL(d->stats.c.conns, 1);

    /* The listings name the protocol and the state as the kernel does. */
    GString *s = g_string_new(NULL);
    ipvsadm_list(s, c.ipvs, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "SCTP 203.0.113.10:5060 rr\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "  -> 192.0.2.11:15060"));
    g_string_truncate(s, 0);
    ipvsadm_save(s, c.ipvs, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "-A --sctp-service 203.0.113.10:5060 -s rr"));
    g_string_truncate(s, 0);
    ip_vs_proc_conn(s, c.ipvs);
    CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "SCTP 0A000102 A410 CB00710A 13C4 C000020B 3AD4 CLOSED"));
    g_string_truncate(s, 0);
    ipvsadm_list_conns(s, c.ipvs, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "CLOSED"));
    g_string_free(s, TRUE);

    /* CLOSED lasts 61 s, then the connection is gone and counted nowhere. */
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 62 * SEC);
    CU_ASSERT_PTR_NULL(conn_of(&c, 42000));
    CU_ASSERT_EQUAL(d->inactconns, 0);
    world_destroy(&c.t.w);
}

static void test_conn_schedule_rules(void)
{
    static const char *const cfg[] = {
        "-A --sctp-service 203.0.113.10:5060 -s rr",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.11:5060 -m",
        NULL,
    };
    struct sctp_case c;
    sctp_case_init(&c, TOPO_NAT, cfg);
    /* Only INIT opens an association: DATA, COOKIE-ECHO and ABORT find no
     * connection and go on to the director's own stack (no SCTP socket there). */
    client_chunk(&c, 43000, SCTP_CID_DATA);
    client_chunk(&c, 43001, SCTP_CID_COOKIE_ECHO);
    client_chunk(&c, 43002, SCTP_CID_ABORT);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 0);
    CU_ASSERT_EQUAL(c.rs[0].got, 0);
    CU_ASSERT_EQUAL(host_net(c.t.lvs)->socks->stats.sctp_in, 3);
    /* sloppy_sctp: any first chunk but ABORT. */
    c.ipvs->sysctl.sloppy_sctp = 1;
    client_chunk(&c, 43003, SCTP_CID_ABORT);
    CU_ASSERT_PTR_NULL(conn_of(&c, 43003));
    client_chunk(&c, 43004, SCTP_CID_HEARTBEAT);
    struct ip_vs_conn *cp = conn_of(&c, 43004);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    /* HEARTBEAT is a DATA event: NONE -> ESTABLISHED at once. */
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(c.rs[0].got, 1);
    /* COOKIE-ECHO bundled with ABORT on an established association: the ABORT
     * decides (INPUT ab from ESTABLISHED: CLOSED). */
    static const uint8_t bundle[] = { SCTP_CID_COOKIE_ECHO, SCTP_CID_ABORT };
    client_chunks(&c, 43004, bundle, 2, 0);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_CLOSED);
    /* With the port unchanged (5060 -> 5060) the CRC32c is left as it was, still
     * valid: the real server checked every one. */
    CU_ASSERT_EQUAL(c.rs[0].crc_ok, c.rs[0].got);
    world_destroy(&c.t.w);
}

static void test_dr_input_only_and_reuse(void)
{
    static const char *const cfg[] = {
        "-A --sctp-service 203.0.113.10:5060 -s rr",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.11 -g",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.12 -g",
        NULL,
    };
    struct sctp_case c;
    sctp_case_init(&c, TOPO_DR, cfg);
    /* The director sees the client's side only: INIT -> INIT1, COOKIE-ECHO -> ES. */
    client_chunk(&c, 44000, SCTP_CID_INIT);
    struct ip_vs_conn *cp = conn_of(&c, 44000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_INIT1);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(cp), 3);           /* 4 s */
    CU_ASSERT_EQUAL(c.client.last_chunk, SCTP_CID_INIT_ACK);  /* around the director */
    CU_ASSERT_EQUAL(c.client.saddr, topo_ip(TOPO_VIP));
    client_chunk(&c, 44000, SCTP_CID_COOKIE_ECHO);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_ESTABLISHED);
    CU_ASSERT_TRUE(cp->flags & IP_VS_CONN_F_NOOUTPUT);
    struct ip_vs_dest *first = cp->dest;
    CU_ASSERT_EQUAL(first->activeconns, 1);
    /* SHUTDOWN -> S-RECEIVED, SHUTDOWN-COMPLETE (IN_ONLY s_c from SR) -> CLOSED. */
    client_chunk(&c, 44000, SCTP_CID_SHUTDOWN);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_SHUTDOWN_RECEIVED);
    client_chunk(&c, 44000, SCTP_CID_SHUTDOWN_COMPLETE);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_CLOSED);
    CU_ASSERT_EQUAL(first->activeconns, 0);
    /* A new INIT on the CLOSED association's key is a new one (conn_reuse_mode 1):
     * the old connection expires and rr picks the other server. */
    int before = c.rs[0].got + c.rs[1].got;
    client_chunk(&c, 44000, SCTP_CID_INIT);
    struct ip_vs_conn *np = conn_of(&c, 44000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(np);
    CU_ASSERT_NOT_EQUAL(np->dest, first);
    CU_ASSERT_EQUAL(np->state, IP_VS_SCTP_S_INIT1);
    CU_ASSERT_EQUAL(c.rs[0].got + c.rs[1].got, before + 1);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);            /* the old one expired */
    /* An INIT on a live (INIT1) association is not a new one. */
    client_chunk(&c, 44000, SCTP_CID_INIT);
    CU_ASSERT_PTR_EQUAL(conn_of(&c, 44000), np);
    CU_ASSERT_EQUAL(np->state, IP_VS_SCTP_S_INIT);
    world_destroy(&c.t.w);
}

static void test_persistence_assured(void)
{
    static const char *const cfg[] = {
        "-A --sctp-service 203.0.113.10:5060 -s rr -p 100",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.11:5060 -m",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.12:5060 -m",
        NULL,
    };
    struct sctp_case c;
    sctp_case_init(&c, TOPO_NAT, cfg);
    client_chunk(&c, 45000, SCTP_CID_INIT);
    struct ip_vs_conn *cp = conn_of(&c, 45000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp->control);
    CU_ASSERT_EQUAL(cp->control->state, IP_VS_CTPL_S_NONE);
    client_chunk(&c, 45000, SCTP_CID_COOKIE_ECHO);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(cp->control->state, IP_VS_CTPL_S_ASSURED);
    /* The next association from the client goes to the same server. */
    client_chunk(&c, 45001, SCTP_CID_INIT);
    CU_ASSERT_PTR_EQUAL(conn_of(&c, 45001)->dest, cp->dest);
    world_destroy(&c.t.w);
}

IPVSIM_SUITE(ipvs_sctp)
{
    CU_pSuite s = CU_add_suite("ipvs_sctp", NULL, NULL);
    ADD_TEST(s, test_every_cell);
    ADD_TEST(s, test_names_timeouts_active);
    ADD_TEST(s, test_packet_event);
    ADD_TEST(s, test_nat_association);
    ADD_TEST(s, test_conn_schedule_rules);
    ADD_TEST(s, test_dr_input_only_and_reuse);
    ADD_TEST(s, test_persistence_assured);
}
