/* What the harnesses share: hosts, the LVS topology, frame delivery. */
#include "tools/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/ipv4/ipip.h"
#include "model/ipv6/ipv6.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/user_hook.h"

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fuzz_sorted_lines(const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    qsort(lines, g_strv_length(lines), sizeof *lines, cmp_line);
    char *joined = g_strjoinv("\n", lines);
    g_strfreev(lines);
    return joined;
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = g_malloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* An IPv6 address on h's dev, /64. */
static void fuzz_addr6(struct host *h, const char *dev, const char *addr)
{
    struct in6_addr a;
    if (!in6_pton(addr, &a, NULL, NULL) || !ipv6_add_addr(host_net(h), host_dev(h, dev), &a, 64))
        abort();
}

static void fuzz_route6_default(struct host *h, const char *gw)
{
    struct in6_addr any = {0}, g;
    if (!in6_pton(gw, &g, NULL, NULL) || !ip6_route_add(host_net(h), &any, 0, &g, NULL))
        abort();
}

be32 fuzz_ip(const char *dotted)
{
    struct in_addr a;
    if (inet_pton(AF_INET, dotted, &a) != 1)
        abort();
    return a.s_addr;
}

struct host *fuzz_host(struct world *w, const char *name, const char *const *ifaces)
{
    struct host *h = host_new(w, name);
    for (int i = 0; ifaces && ifaces[i]; i++) {
        char **kv = g_strsplit(ifaces[i], "=", 2);
        char **ap = g_strsplit(kv[1], "/", 2);
        struct net_device *dev = host_add_dev(h, kv[0], 1500);
        netdev_add_addr(dev, fuzz_ip(ap[0]), (uint8_t)atoi(ap[1]));
        g_strfreev(ap);
        g_strfreev(kv);
    }
    return h;
}

/* The configuration must apply: a failure here is a bug in the harness or the model. */
static void must(int rc, const char *what, const char *line)
{
    if (rc != 0) {
        fprintf(stderr, "fuzz setup: %s '%s' failed\n", what, line);
        abort();
    }
}

static const char *const lvs_ipvsadm[] = {
    "-A -t " FUZZ_VIP ":80 -s rr",
    "-a -t " FUZZ_VIP ":80 -r 192.0.2.11:8080 -m -w 2",
    "-a -t " FUZZ_VIP ":80 -r 192.0.2.12 -g",
    "-a -t " FUZZ_VIP ":80 -r 192.0.2.13 -i",
    "-A -u " FUZZ_VIP ":53 -s sh -p 60",
    "-a -u " FUZZ_VIP ":53 -r 192.0.2.11 -m",
    "-a -u " FUZZ_VIP ":53 -r 192.0.2.12 -g",
    "-A -f 5 -s wlc",
    "-a -f 5 -r 192.0.2.11 -m",
    "-a -f 5 -r 192.0.2.13 -i -x 10 -y 2",
    "-A -t " FUZZ_VIP ":21 -s lc -p",
    "-a -t " FUZZ_VIP ":21 -r 192.0.2.11 -m",
    NULL,
};

static const char *const lvs_iptables[] = {
    "-t raw -A PREROUTING -p udp --dport 9 -j NOTRACK",
    "-t mangle -A PREROUTING -d " FUZZ_VIP " -p tcp --dport 8000:8100 -j MARK --set-mark 5",
    "-t mangle -A PREROUTING -d " FUZZ_VIP " -p icmp --icmp-type echo-request -j MARK --set-mark 5",
    "-A INPUT -m state --state INVALID -j DROP",
    "-A INPUT -p tcp --tcp-flags SYN,RST SYN,RST -j LOG --log-prefix bad",
    "-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset",
    "-A INPUT -p udp --dport 69 -j REJECT",
    "-A FORWARD -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT",
    "-t nat -A PREROUTING -d 192.0.2.1 -p tcp --dport 2222 -j DNAT --to-destination 192.0.2.11:22",
    "-t nat -A POSTROUTING -s 192.0.2.0/24 -d 10.0.0.0/8 -j MASQUERADE",
    NULL,
};

static void lvs_config(struct fuzz_lvs *t)
{
    struct net *net = host_net(t->lvs);
    for (int i = 0; lvs_iptables[i]; i++) {
        struct xt_error err;
        must(iptables_apply(net, lvs_iptables[i], &err), "iptables", lvs_iptables[i]);
    }
    for (int i = 0; lvs_ipvsadm[i]; i++) {
        struct ipvsadm_error err;
        must(ipvsadm_apply(net, lvs_ipvsadm[i], &err), "ipvsadm", lvs_ipvsadm[i]);
    }
    unsigned v;
    int e;
    if (!nf_user_verdict_parse("queue:7:bypass", &v) ||
        !nf_user_hook_add(net, "observer", NF_INET_PRE_ROUTING, -250, NF_ACCEPT, &e) ||
        !nf_user_hook_add(net, "q7", NF_INET_LOCAL_IN, 50, v, &e))
        must(-1, "user hooks", "");
}

void fuzz_lvs_init(struct fuzz_lvs *t, const char *era, bool with_config)
{
    memset(t, 0, sizeof *t);
    world_init(&t->w, 11);
    const struct kernel_profile *prof = era ? kernel_profile_find(era) : NULL;
    static const char *const c[] = { "eth0=10.0.1.2/24", NULL };
    static const char *const g[] = { "eth0=10.0.1.1/24", "eth1=192.0.2.254/24", NULL };
    static const char *const l[] = { "eth0=192.0.2.1/24", NULL };
    static const char *const r[3][2] = { { "eth0=192.0.2.11/24", NULL }, { "eth0=192.0.2.12/24", NULL },
                                         { "eth0=192.0.2.13/24", NULL } };
    t->client = fuzz_host(&t->w, "client", c);
    t->gw = fuzz_host(&t->w, "gw", g);
    t->lvs = fuzz_host(&t->w, "lvs", l);
    netdev_add_addr(host_dev(t->lvs, "eth0"), fuzz_ip(FUZZ_VIP), 32);
    for (int i = 0; i < 3; i++) {
        char name[8];
        snprintf(name, sizeof name, "rs%d", i + 1);
        t->rs[i] = fuzz_host(&t->w, name, r[i]);
    }
    netdev_add_addr(host_dev(t->rs[1], "lo"), fuzz_ip(FUZZ_VIP), 32);
    netdev_add_addr(host_add_dev(t->rs[2], IPIP_DEVICE, 1480), fuzz_ip(FUZZ_VIP), 32);
    netdev_add_addr(host_add_dev(t->rs[2], GRE_DEVICE, 1476), fuzz_ip(FUZZ_VIP), 32);
    struct host *all[] = { t->client, t->gw, t->lvs, t->rs[0], t->rs[1], t->rs[2] };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        net_new(all[i], prof);
    /* rs3 unwraps GUE too (fou port 6080), and rs1 follows redirects: the paths of
     * tunnels and redirects get fuzzed frames as well. */
    host_net(t->rs[2])->fou_gue_port = htons(6080);
    host_net(t->rs[0])->ipv4.secure_redirects = 0;
    host_net(t->gw)->ipv4.ip_forward = 1;
    host_net(t->lvs)->ipv4.ip_forward = 1;
    fib_add(host_net(t->client), 0, 0, fuzz_ip("10.0.1.1"), NULL);
    fib_add(host_net(t->gw), fuzz_ip(FUZZ_VIP), 32, fuzz_ip("192.0.2.1"), NULL);
    fib_add(host_net(t->lvs), 0, 0, fuzz_ip("192.0.2.254"), NULL);
    fib_add(host_net(t->rs[0]), 0, 0, fuzz_ip("192.0.2.1"), NULL);
    fib_add(host_net(t->rs[1]), 0, 0, fuzz_ip("192.0.2.254"), NULL);
    fib_add(host_net(t->rs[2]), 0, 0, fuzz_ip("192.0.2.254"), NULL);
    /* IPv6 beside IPv4 (2001:db8:1::/64 on the clients' link, 2001:db8:2::/64 on the
     * LAN), so that hostile IPv6 frames walk model/ipv6/ as well; nothing sends IPv6
     * of its own, so the IPv4 world is the same. */
    fuzz_addr6(t->client, "eth0", "2001:db8:1::2");
    fuzz_addr6(t->gw, "eth0", "2001:db8:1::1");
    fuzz_addr6(t->gw, "eth1", "2001:db8:2::fe");
    fuzz_addr6(t->lvs, "eth0", "2001:db8:2::1");
    fuzz_addr6(t->rs[0], "eth0", "2001:db8:2::11");
    ipv6_set_forwarding(host_net(t->gw), 1);
    fuzz_route6_default(t->client, "2001:db8:1::1");
    fuzz_route6_default(t->lvs, "2001:db8:2::fe");
    fuzz_route6_default(t->rs[0], "2001:db8:2::fe");
    struct link_params lan_p = { .latency = 100 * USEC, .bandwidth_bps = 1000000000ull };
    struct link *lan = link_new(&t->w, "lan", &lan_p);
    link_attach(lan, host_dev(t->gw, "eth1"));
    link_attach(lan, host_dev(t->lvs, "eth0"));
    for (int i = 0; i < 3; i++)
        link_attach(lan, host_dev(t->rs[i], "eth0"));
    struct link_params cl_p = { .latency = 1 * MSEC, .bandwidth_bps = 100000000ull };
    struct link *cl = link_new(&t->w, "clients", &cl_p);
    link_attach(cl, host_dev(t->client, "eth0"));
    link_attach(cl, host_dev(t->gw, "eth0"));
    if (with_config)
        lvs_config(t);
    struct net_device *devs[] = {
        host_dev(t->lvs, "eth0"), host_dev(t->rs[0], "eth0"), host_dev(t->rs[1], "eth0"),
        host_dev(t->rs[2], "eth0"), host_dev(t->gw, "eth1"), host_dev(t->gw, "eth0"),
        host_dev(t->client, "eth0"), host_dev(t->lvs, "lo"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++)
        t->devs[t->ndevs++] = devs[i];
}

void fuzz_lvs_free(struct fuzz_lvs *t)
{
    world_destroy(&t->w);
}

void fuzz_deliver(struct world *w, struct net_device *dev, const uint8_t *frame, uint32_t len,
                  uint32_t vlen)
{
    struct sk_buff *skb = skb_alloc(&w->pool, w->sim.now);
    if (!skb)
        return;
    uint32_t room = skb_tailroom(skb);
    if (len > room)
        len = room;
    uint8_t *p = skb_put(skb, len);
    if (len)
        memcpy(p, frame, len);
    skb->data_len = vlen;
    host_deliver(dev, skb);
}
