/* The first end-to-end example: client -> router -> server, TCP and UDP, pcap on
 * every interface. No netfilter rule and no IPVS yet: the router is a plain
 * IPv4 forwarder, which is what the kernel model does with empty hook lists. */
#include "app/run/demo.h"

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "app/report/outdir.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/sock.h"
#include "sim/pcap_tap.h"
#include "sim/pkt.h"
#include "sim/rng.h"
#include "sim/world.h"

#define DEMO_SERVER_TCP_PORT 80
#define DEMO_SERVER_UDP_PORT 7        /* echo */
#define DEMO_EPHEMERAL_LOW 32768     /* Linux's ip_local_port_range */
#define DEMO_EPHEMERAL_HIGH 60999

struct demo {
    struct world w;
    struct host *client, *router, *server;
    struct rng arrivals;            /* stream "client:demo" */
    int conversations;              /* how many to start */
    int started;
    sim_time_t mean_gap;
    uint64_t udp_echoed, udp_replies_seen;
};

static be32 ip4(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

static struct host *add_host(struct demo *d, const char *name, const char *const *ifaces)
{
    struct host *h = host_new(&d->w, name);
    for (int i = 0; ifaces[i]; i++) {
        char **kv = g_strsplit(ifaces[i], "=", 2);   /* "eth0=10.0.1.2/24" */
        char **ap = g_strsplit(kv[1], "/", 2);
        struct net_device *dev = host_add_dev(h, kv[0], 1500);
        netdev_add_addr(dev, ip4(ap[0]), (uint8_t)atoi(ap[1]));
        g_strfreev(ap);
        g_strfreev(kv);
    }
    net_new(h, NULL);
    return h;
}

/* Send one locally generated IPv4 packet that the builder has written. */
static void send_ip(struct net *net, struct sk_buff *skb, struct rtable *rt)
{
    skb->dst = rt;
    ip_local_out(net, skb);
}

static struct ip4_spec spec_to(struct net *net, be32 daddr, struct rtable **rt)
{
    *rt = ip_route_output(net, daddr);
    struct ip4_spec ip = { .daddr = daddr, .ttl = (uint8_t)net->ipv4.default_ttl, .df = true };
    ip.saddr = (*rt)->type == RTN_LOCAL ? daddr : (*rt)->prefsrc;
    ip.id = htons(net->ip_id++);
    return ip;
}

static void send_tcp(struct net *net, be32 daddr, struct tcp_spec *t, uint32_t payload)
{
    struct rtable *rt;
    struct ip4_spec ip = spec_to(net, daddr, &rt);
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!rt || !skb || !pkt_build_tcp(skb, &ip, t, payload)) {
        skb_free(net_pool(net), skb);
        return;
    }
    send_ip(net, skb, rt);
}

static void send_udp(struct net *net, be32 saddr_hint, be32 daddr, be16 sport, be16 dport,
                     uint32_t payload)
{
    struct rtable *rt;
    struct ip4_spec ip = spec_to(net, daddr, &rt);
    if (saddr_hint)
        ip.saddr = saddr_hint;
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!rt || !skb || !pkt_build_udp(skb, &ip, sport, dport, payload)) {
        skb_free(net_pool(net), skb);
        return;
    }
    send_ip(net, skb, rt);
}

/* One conversation: the client's TCP segments (SYN, data, FIN, one millisecond
 * apart; a packet sequence, not a TCP stack) and one UDP query. arg packs the
 * conversation number and the step. */
static void demo_step(struct sim *s, void *obj, uint64_t arg)
{
    struct demo *d = obj;
    struct net *net = host_net(d->client);
    uint32_t conv = (uint32_t)(arg >> 8), step = (uint32_t)(arg & 0xff);
    be16 sport = htons((uint16_t)(DEMO_EPHEMERAL_LOW + conv % (DEMO_EPHEMERAL_HIGH - DEMO_EPHEMERAL_LOW + 1)));
    be32 server = ip4("10.0.2.2");
    uint32_t isn = 1000u * conv;
    struct tcp_spec t = { .sport = sport, .dport = htons(DEMO_SERVER_TCP_PORT), .window = 64240 };
    switch (step) {
    case 0:
        t.seq = isn; t.flags = TCPH_SYN; t.mss = 1460;
        send_tcp(net, server, &t, 0);
        break;
    case 1:
        t.seq = isn + 1; t.ack = 1; t.flags = TCPH_ACK | TCPH_PSH;
        send_tcp(net, server, &t, 300);
        break;
    case 2:
        t.seq = isn + 301; t.ack = 1; t.flags = TCPH_FIN | TCPH_ACK;
        send_tcp(net, server, &t, 0);
        send_udp(net, 0, server, sport, htons(DEMO_SERVER_UDP_PORT), 64);
        return;
    }
    sim_after(s, 1 * MSEC, demo_step, d, (uint64_t)conv << 8 | (step + 1));
}

/* Poisson arrivals of conversations on the client's own stream. */
static void demo_arrival(struct sim *s, void *obj, uint64_t arg)
{
    struct demo *d = obj;
    sim_after(s, 0, demo_step, d, (uint64_t)d->started << 8);
    if (++d->started < d->conversations)
        sim_after(s, (sim_time_t)rng_exp(&d->arrivals, (double)d->mean_gap), demo_arrival, d, 0);
}

static void server_tcp(struct net *net, struct sk_buff *skb, void *ctx)
{
    consume_skb(net, skb);          /* counted by the socket layer */
}

static void server_udp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct demo *d = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    be32 from = iph->saddr, to = iph->daddr;
    be16 sport = uh->source, dport = uh->dest;
    uint32_t len = ntohs(uh->len) - sizeof *uh;
    consume_skb(net, skb);
    d->udp_echoed++;
    send_udp(net, to, from, dport, sport, len);
}

static void client_udp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct demo *d = ctx;
    d->udp_replies_seen++;
    consume_skb(net, skb);
}

static bool demo_build(struct demo *d)
{
    world_init(&d->w, 1);
    rng_init(&d->arrivals, d->w.sim.seed, "client:demo");
    static const char *const c_if[] = { "eth0=10.0.1.2/24", NULL };
    static const char *const r_if[] = { "eth0=10.0.1.1/24", "eth1=10.0.2.1/24", NULL };
    static const char *const s_if[] = { "eth0=10.0.2.2/24", NULL };
    d->client = add_host(d, "client", c_if);
    d->router = add_host(d, "router", r_if);
    d->server = add_host(d, "server", s_if);
    host_net(d->router)->ipv4.ip_forward = 1;
    fib_add(host_net(d->client), 0, 0, ip4("10.0.1.1"), NULL);
    fib_add(host_net(d->server), 0, 0, ip4("10.0.2.1"), NULL);
    struct link_params lc = { .latency = 5 * MSEC, .bandwidth_bps = 1000000000ull };
    struct link_params ls = { .latency = 50 * USEC, .bandwidth_bps = 10000000000ull };
    struct link *l1 = link_new(&d->w, "clients", &lc);
    struct link *l2 = link_new(&d->w, "servers", &ls);
    link_attach(l1, host_dev(d->client, "eth0"));
    link_attach(l1, host_dev(d->router, "eth0"));
    link_attach(l2, host_dev(d->router, "eth1"));
    link_attach(l2, host_dev(d->server, "eth0"));
    sock_bind(host_net(d->server), IPPROTO_TCP, htons(DEMO_SERVER_TCP_PORT), server_tcp, d);
    sock_bind(host_net(d->server), IPPROTO_UDP, htons(DEMO_SERVER_UDP_PORT), server_udp, d);
    sock_bind(host_net(d->client), IPPROTO_UDP, 0, client_udp, d);
    return true;
}

static bool demo_open_taps(struct demo *d, const struct outdir *o, char *err, size_t errlen)
{
    for (guint i = 0; i < d->w.hosts->len; i++) {
        struct host *h = g_ptr_array_index(d->w.hosts, i);
        for (unsigned k = 0; k < h->ndevs; k++) {
            struct net_device *dev = h->devs[k];
            if (dev->loopback)
                continue;
            char *name = g_strdup_printf("pcap/%s-%s.pcap", h->name, dev->name);
            char *path = outdir_path(o, name);
            dev->tap = pcap_tap_open(path, PCAP_TAP_DEFAULT_SNAPLEN, err, errlen);
            g_free(path);
            g_free(name);
            if (!dev->tap)
                return false;
        }
    }
    return true;
}

static cJSON *mib_json(const struct net *net)
{
    cJSON *o = cJSON_CreateObject();
    const struct ipstats_mib *m = &net->mib;
    cJSON_AddNumberToObject(o, "InReceives", (double)m->in_receives);
    cJSON_AddNumberToObject(o, "InHdrErrors", (double)m->in_hdr_errors);
    cJSON_AddNumberToObject(o, "InAddrErrors", (double)m->in_addr_errors);
    cJSON_AddNumberToObject(o, "InDiscards", (double)m->in_discards);
    cJSON_AddNumberToObject(o, "InDelivers", (double)m->in_delivers);
    cJSON_AddNumberToObject(o, "ForwDatagrams", (double)m->forw_datagrams);
    cJSON_AddNumberToObject(o, "OutRequests", (double)m->out_requests);
    cJSON_AddNumberToObject(o, "OutDiscards", (double)m->out_discards);
    return o;
}

static cJSON *demo_summary(const struct demo *d)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "example", "demo");
    cJSON_AddNumberToObject(root, "seed", (double)d->w.sim.seed);
    cJSON_AddNumberToObject(root, "end_ns", (double)d->w.sim.now);
    cJSON_AddNumberToObject(root, "events", (double)d->w.sim.events_run);
    cJSON_AddNumberToObject(root, "conversations", d->conversations);
    cJSON_AddNumberToObject(root, "udp_echoed", (double)d->udp_echoed);
    cJSON_AddNumberToObject(root, "udp_replies_seen", (double)d->udp_replies_seen);
    cJSON *hosts = cJSON_AddObjectToObject(root, "hosts");
    for (guint i = 0; i < d->w.hosts->len; i++) {
        struct host *h = g_ptr_array_index(d->w.hosts, i);
        cJSON *ho = cJSON_AddObjectToObject(hosts, h->name);
        cJSON_AddItemToObject(ho, "ip", mib_json(host_net(h)));
        const struct sock_stats *ss = &host_net(h)->socks->stats;
        cJSON *so = cJSON_AddObjectToObject(ho, "sockets");
        cJSON_AddNumberToObject(so, "tcp_in", (double)ss->tcp_in);
        cJSON_AddNumberToObject(so, "udp_in", (double)ss->udp_in);
        cJSON_AddNumberToObject(so, "csum_errors", (double)ss->csum_errors);
        cJSON_AddNumberToObject(so, "no_socket", (double)ss->no_socket);
    }
    cJSON *links = cJSON_AddObjectToObject(root, "links");
    for (guint i = 0; i < d->w.links->len; i++) {
        struct link *l = g_ptr_array_index(d->w.links, i);
        cJSON *lo = cJSON_AddObjectToObject(links, l->name);
        cJSON_AddNumberToObject(lo, "tx_frames", (double)l->stats.tx_frames);
        cJSON_AddNumberToObject(lo, "delivered", (double)l->stats.delivered);
        cJSON_AddNumberToObject(lo, "lost", (double)l->stats.lost);
        cJSON_AddNumberToObject(lo, "queue_drops", (double)l->stats.queue_drops);
    }
    return root;
}

static bool write_json(const struct outdir *o, const char *name, cJSON *j, char *err, size_t errlen)
{
    char *text = cJSON_Print(j);
    GString *s = g_string_new(text);
    g_string_append_c(s, '\n');
    bool ok = outdir_write(o, name, s->str, s->len, err, errlen);
    g_string_free(s, TRUE);
    cJSON_free(text);
    return ok;
}

int cmd_demo(int argc, char **argv)
{
    const char *out = "results/demo";
    gint conversations = 50;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "result directory (default results/demo)", "DIR" },
        { "conversations", 'n', 0, G_OPTION_ARG_INT, &conversations, "conversations to run (default 50)", "N" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- client -> router -> server, TCP and UDP, pcap everywhere");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *gerr = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr) || argc > 1 || conversations < 1
        || conversations > 1000000) {
        fprintf(stderr, "ipvsim demo: %s\n", gerr ? gerr->message
                        : argc > 1 ? "unexpected argument" : "--conversations takes 1 to 1000000");
        g_clear_error(&gerr);
        g_option_context_free(ctx);
        return 2;
    }
    g_option_context_free(ctx);

    char err[512];
    struct outdir o;
    int orc = outdir_begin(&o, out, err, sizeof err);
    if (orc != 0) {
        fprintf(stderr, "ipvsim demo: %s\n", err);
        return orc;
    }
    struct demo d = { .conversations = conversations, .mean_gap = 2 * MSEC };
    demo_build(&d);
    int rc = 0;
    if (!demo_open_taps(&d, &o, err, sizeof err)) {
        /* a pcap file that cannot be created is the environment's failure, as in run */
        outdir_show_final(&o, err);
        fprintf(stderr, "ipvsim demo: %s\n", err);
        rc = 1;
    } else {
        sim_after(&d.w.sim, 0, demo_arrival, &d, 0);
        sim_run_until(&d.w.sim, (sim_time_t)conversations * 2 * MSEC * 4 + 1 * SEC);
        bool taps_ok = world_close_taps(&d.w, err, sizeof err) == 0;
        cJSON *sum = demo_summary(&d);
        if (!taps_ok || !write_json(&o, "summary.json", sum, err, sizeof err) || !outdir_commit(&o, err, sizeof err)) {
            outdir_show_final(&o, err);
            fprintf(stderr, "ipvsim demo: writing the results failed: %s\n", err);
            rc = 1;
        } else {
            printf("demo: %d conversations, %llu UDP echoes back at the client, %llu events; results in %s/\n",
                   d.conversations, (unsigned long long)d.udp_replies_seen,
                   (unsigned long long)d.w.sim.events_run, out);
        }
        cJSON_Delete(sum);
    }
    world_destroy(&d.w);                    /* closes the taps still open (error paths) */
    outdir_abort(&o);
    return rc;
}
