/* The IPv6 side of a run's world (see run_world6.h). */
#include "app/run/run_world6.h"

#include <stdio.h>
#include <string.h>
#include "model/ipv6/ipv6.h"
#include "model/ipv6/route.h"
#include "model/ipvs/ip_vs.h"
#include "model/net.h"
#include "sim/in6.h"
#include "sim/in6_key.h"

#define LAN6_LEN 64

static struct in6_addr addr6(const char *text)
{
    struct in6_addr a;
    bool ok = in6_pton(text, &a, NULL, NULL);
    g_assert(ok);
    return a;
}

/* prefix (a /64) with host as its last 32 bits: the world's own addresses */
static be32 host6(const struct in6_addr *prefix, uint32_t host)
{
    struct in6_addr a = *prefix;
    for (int b = 0; b < 4; b++)
        a.s6_addr[15 - b] = (uint8_t)(host >> (8 * b));
    return in6_key_get(&a);
}

/* The server's IPv6 address: its ip when that is IPv6, else its ip6 (0: none). */
static be32 server_ip6(const struct scn_server *sv)
{
    return in6_is_key(sv->ip) ? sv->ip : sv->ip6;
}

/* The director's IPv6 VIPs: vip when IPv6, vip6. */
static void vips6(const struct scenario *s, be32 v[2])
{
    v[0] = in6_is_key(s->director.vip) ? s->director.vip : 0;
    v[1] = s->director.vip6;
}

bool run_world6_wanted(const struct scenario *s)
{
    be32 v[2];
    vips6(s, v);
    if (v[0] || v[1] || s->director.dip6)
        return true;
    for (guint i = 0; i < s->servers->len; i++)
        if (server_ip6(&g_array_index(s->servers, struct scn_server, i)))
            return true;
    for (guint i = 0; i < s->clients->len; i++) {
        const struct scn_client *c = &g_array_index(s->clients, struct scn_client, i);
        if (in6_is_key(c->net) || in6_is_key(c->target_ip))
            return true;
    }
    return false;
}

/* Is a an address the scenario gives to someone on the servers' /64? */
static bool lan6_taken(const struct run_world *rw, be32 a)
{
    const struct scenario *s = rw->s;
    for (guint i = 0; i < s->servers->len; i++)
        if (server_ip6(&g_array_index(s->servers, struct scn_server, i)) == a)
            return true;
    be32 v[2];
    vips6(s, v);
    return a == v[0] || a == v[1] || a == s->director.dip6;
}

bool run_world6_plan(struct run_world *rw, struct scn_error *err)
{
    const struct scenario *s = rw->s;
    rw->ipv6 = run_world6_wanted(s);
    if (!rw->ipv6)
        return true;
    if (s->backup.enabled) {
        scn_error_at(err, s, scn_pos_of(s, cJSON_GetObjectItemCaseSensitive(s->root, "director")),
                     "director.backup: a backup director in a scenario with IPv6 addresses is "
                     "not modelled (VRRP and the sync daemon are IPv4 here)");
        return false;
    }
    /* the /64 of the first server with an IPv6 address, else of director.dip6 */
    be32 first = s->director.dip6;
    for (guint i = s->servers->len; i-- > 0;) {
        be32 a = server_ip6(&g_array_index(s->servers, struct scn_server, i));
        first = a ? a : first;
    }
    struct in6_addr lan = first ? *in6_key_addr(first) : addr6(LAN6_DEFAULT);
    ipv6_addr_prefix(&rw->lan6, &lan, LAN6_LEN);
    const cJSON *servers = cJSON_GetObjectItemCaseSensitive(s->root, "servers");
    for (guint i = 0; i < s->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, i);
        be32 a = server_ip6(sv);
        if (!a || ipv6_prefix_equal(in6_key_addr(a), &rw->lan6, LAN6_LEN))
            continue;
        const char *key = in6_is_key(sv->ip) ? "ip" : "ip6";
        char t[INET_KEY_STRLEN], net[IN6_ADDRSTRLEN];
        scn_error_at(err, s, scn_pos_of_key(s, cJSON_GetArrayItem(servers, (int)i), key),
                     "servers[%u].%s: %s is not on the LAN %s/64 of the first server's IPv6 "
                     "address: every real server shares the /64 of the director and the router",
                     i, key, inet_key_ntop(a, t), in6_ntop(&rw->lan6, net));
        return false;
    }
    if (s->director.dip6 && !ipv6_prefix_equal(in6_key_addr(s->director.dip6), &rw->lan6, LAN6_LEN)) {
        char t[INET_KEY_STRLEN], net[IN6_ADDRSTRLEN];
        scn_error_at(err, s, scn_pos_of_key(s, cJSON_GetObjectItemCaseSensitive(s->root, "director"),
                                            "dip6"),
                     "director.dip6: %s is not on the servers' LAN %s/64",
                     inet_key_ntop(s->director.dip6, t), in6_ntop(&rw->lan6, net));
        return false;
    }
    /* as IPv4's: the DIP the lowest free host address, the router's the highest */
    rw->dip6 = s->director.dip6;
    for (uint32_t h = 1; !rw->dip6; h++)
        if (!lan6_taken(rw, host6(&rw->lan6, h)))
            rw->dip6 = host6(&rw->lan6, h);
    for (uint32_t h = 0xfffffffe; !rw->gw_lan6; h--)
        if (!lan6_taken(rw, host6(&rw->lan6, h)) && host6(&rw->lan6, h) != rw->dip6)
            rw->gw_lan6 = host6(&rw->lan6, h);
    return true;
}

static bool add_addr6(struct host *h, const char *dev, be32 key, uint8_t len)
{
    return ipv6_add_addr(host_net(h), host_dev(h, dev), in6_key_addr(key), len);
}

static bool route6(struct host *h, be32 dst, uint8_t len, be32 gw)
{
    static const struct in6_addr any;
    return ip6_route_add(host_net(h), dst ? in6_key_addr(dst) : &any, len, in6_key_addr(gw), NULL);
}

bool run_world6_core(struct run_world *rw)
{
    if (!rw->ipv6)
        return true;
    const struct scenario *s = rw->s;
    struct in6_addr side = addr6(CLIENT_SIDE_NET6);
    bool ok = add_addr6(rw->gw, "eth0", host6(&side, 1), LAN6_LEN) &&
              add_addr6(rw->gw, "eth1", rw->gw_lan6, LAN6_LEN) &&
              add_addr6(rw->director, "eth0", rw->dip6, LAN6_LEN);
    ipv6_set_forwarding(host_net(rw->gw), 1);
    ipv6_set_forwarding(host_net(rw->director), s->director.ip_forward);
    be32 v[2];
    vips6(s, v);
    for (int k = 0; ok && k < 2; k++)
        ok = !v[k] || (add_addr6(rw->director, "eth0", v[k], 128) &&
                       route6(rw->gw, v[k], 128, rw->dip6));
    return ok && route6(rw->director, 0, 0, rw->gw_lan6);
}

bool run_world6_server(struct run_world *rw, struct host *h, const struct scn_server *sv,
                       int method)
{
    be32 a = server_ip6(sv);
    if (!a)
        return true;
    bool ok = add_addr6(h, "eth0", a, LAN6_LEN) &&
              route6(h, 0, 0, method == IP_VS_CONN_F_MASQ ? rw->dip6 : rw->gw_lan6);
    /* DR: the VIP on lo, never answered for on the wire (ND only answers for the
     * addresses of the device asked on). TUN needs the ip6ip6 device (ip6_tunnel). */
    be32 v[2];
    vips6(rw->s, v);
    for (int k = 0; ok && method == IP_VS_CONN_F_DROUTE && k < 2; k++)
        ok = !v[k] || add_addr6(h, "lo", v[k], 128);
    /* TUN: the VIP on the fallback ip6tnl0 (`modprobe ip6_tunnel`), which takes
     * ip6ip6 to any local address; 1452 is its MTU in 6.1 (1500 less the outer header
     * and the encapsulation limit option it would add when sending). */
    if (ok && method == IP_VS_CONN_F_TUNNEL && !host_dev(h, IP6_TNL_DEVICE))
        host_add_dev(h, IP6_TNL_DEVICE, 1452);
    for (int k = 0; ok && method == IP_VS_CONN_F_TUNNEL && k < 2; k++)
        ok = !v[k] || add_addr6(h, IP6_TNL_DEVICE, v[k], 128);
    return ok;
}

bool run_world6_client(struct run_world *rw, struct host *h, const struct scn_client *c,
                       unsigned i)
{
    if (!rw->ipv6)
        return true;
    struct in6_addr sidenet = addr6(CLIENT_SIDE_NET6);
    be32 side = host6(&sidenet, 2 + i);
    bool ok = add_addr6(h, "eth0", side, LAN6_LEN) && route6(h, 0, 0, host6(&sidenet, 1));
    if (ok && in6_is_key(c->net))
        ok = ip6_route_add_local(host_net(h), in6_key_addr(c->net), c->prefix) &&
             route6(rw->gw, c->net, c->prefix, side);
    return ok;
}

bool run_world6_mixed_tun(struct run_world *rw, struct host *h, bool sit, bool ip4ip6)
{
    bool ok = true;
    /* sit0 as `modprobe sit; ip link set sit0 up` makes it, 1480 its MTU (1500 less
     * the outer IPv4 header), the IPv6 VIPs on it */
    if (sit && !host_dev(h, SIT_DEVICE))
        host_add_dev(h, SIT_DEVICE, 1480);
    be32 v[2];
    vips6(rw->s, v);
    for (int k = 0; ok && sit && k < 2; k++)
        ok = !v[k] || add_addr6(h, SIT_DEVICE, v[k], 128);
    if (!ok || !ip4ip6)
        return ok;
    /* ip6tnl0 in mode any (`ip -6 tunnel change ip6tnl0 mode any`: ip6_tnl0_update),
     * the IPv4 VIP on it */
    struct net_device *dev = host_dev(h, IP6_TNL_DEVICE);
    if (!dev)
        dev = host_add_dev(h, IP6_TNL_DEVICE, 1452);
    host_net(h)->ip6tnl0_mode_any = true;
    be32 vip = rw->s->director.vip;
    if (vip && !in6_is_key(vip))
        netdev_add_addr(dev, vip, 32);
    return true;
}
