/* ipvsadm's listings and the kernel's /proc files (ipvsadm_print.c). The formats
 * are ipvsadm 1.31's print_title / print_service_entry / list_conn and the
 * kernel's seq_show functions (ip_vs_ctl.c, ip_vs_conn.c). */
#include "model/user/ipvsadm/ipvsadm_print.h"

#include <stdio.h>
#include <string.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_est.h"
#include "model/ipvs/ip_vs_proto.h"
#include "sim/in6.h"
#include "sim/in6_key.h"

/* ---- names --------------------------------------------------------------------------- */

static const char *fwd_name(unsigned conn_flags)
{
    switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_MASQ: return "Masq";
    case IP_VS_CONN_F_LOCALNODE: return "Local";
    case IP_VS_CONN_F_TUNNEL: return "Tunnel";
    case IP_VS_CONN_F_DROUTE: return "Route";
    case IP_VS_CONN_F_FULLNAT: return "FullNat";        /* ipvsim extra */
    default: return "(null)";                           /* what printf makes of NULL */
    }
}

static const char *fwd_switch(unsigned conn_flags)
{
    switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_MASQ: return "-m";
    case IP_VS_CONN_F_TUNNEL: return "-i";
    case IP_VS_CONN_F_LOCALNODE: case IP_VS_CONN_F_DROUTE: return "-g";
    case IP_VS_CONN_F_FULLNAT: return "--fullnat";      /* ipvsim extra */
    default: return "(null)";
    }
}

/* ipvsadm's protocol_name */
static const char *protocol_name(uint16_t proto)
{
    switch (proto) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_SCTP: return "SCTP";
    default: return "?";
    }
}

/* the kernel's ip_vs_proto_name (/proc) */
static const char *proc_proto_name(uint16_t proto, char *buf, size_t len)
{
    switch (proto) {
    case 0: return "IP";
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_SCTP: return "SCTP";
    case IPPROTO_ICMP: return "ICMP";
    default: snprintf(buf, len, "%d", proto); return buf;
    }
}

static const char *sched_name(const struct ip_vs_service *svc)
{
    return svc->scheduler ? svc->scheduler->name : "none";
}

/* The u32 differences are taken to int, as ipvsadm's "int r = a - b" does. */
static int u32_diff(uint32_t a, uint32_t b)
{
    return (int)(a - b);
}

static void addr_str(be32 addr, char buf[INET_ADDRSTRLEN])
{
    inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
}

/* addrport_to_anyname with -n: "a.b.c.d:port", or "[ADDR6]:port" for an IPv6
 * address key, printed by libc's inet_ntop as ipvsadm prints it (which, unlike the
 * kernel's %pI6c, writes ::a.b.c.d for an IPv4-compatible address). */
static void addrport(char *buf, size_t len, be32 addr, be16 port)
{
    if (in6_is_key(addr)) {
        char a[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, in6_key_addr(addr), a, sizeof a);
        snprintf(buf, len, "[%s]:%u", a, ntohs(port));
        return;
    }
    char a[INET_ADDRSTRLEN];
    addr_str(addr, a);
    snprintf(buf, len, "%s:%u", a, ntohs(port));
}

/* The kernel's %pI6: eight groups of four lower-case hexadecimal digits. */
static void pi6_str(be32 key, char buf[40])
{
    const uint8_t *b = in6_key_addr(key)->s6_addr;
    for (int i = 0; i < 8; i++)
        snprintf(buf + 5 * i, 6, "%02x%02x%s", b[2 * i], b[2 * i + 1], i < 7 ? ":" : "");
}

/* The 32-bit word i (host order) of an address as libipvs's union nf_inet_addr
 * holds it: an IPv4 address is word 0, the other words zero. */
static uint32_t addr_word(be32 addr, int i)
{
    if (!in6_is_key(addr))
        return i == 0 ? ntohl(addr) : 0;
    const uint8_t *b = in6_key_addr(addr)->s6_addr + 4 * i;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* ipvsadm's address comparison (libipvs ipvs_cmp_services / ipvs_cmp_dests): the
 * first address's family decides, word by word for IPv6, each an int difference. */
static int addr_diff(be32 a1, be32 a2)
{
    int r = 0;
    for (int i = 0; !r && i < (in6_is_key(a1) ? 4 : 1); i++)
        r = u32_diff(addr_word(a1, i), addr_word(a2, i));
    return r;
}

/* ---- sorting: ipvsadm's comparators under glibc's merge sort -------------------------- */

typedef int (*cmp_fn)(const void *a, const void *b);

/* Top-down merge sort as glibc's qsort runs it (msort_with_tmp): halves of n/2
 * and n - n/2, and the left element wins unless the comparison is > 0. */
static void msort(const void **b, size_t n, const void **tmp, cmp_fn cmp)
{
    if (n <= 1)
        return;
    size_t n1 = n / 2, n2 = n - n1;
    const void **b1 = b, **b2 = b + n1;
    msort(b1, n1, tmp, cmp);
    msort(b2, n2, tmp, cmp);
    size_t k = 0;
    while (n1 > 0 && n2 > 0) {
        if (cmp(*b1, *b2) <= 0) {
            tmp[k++] = *b1++;
            n1--;
        } else {
            tmp[k++] = *b2++;
            n2--;
        }
    }
    while (n1 > 0) {
        tmp[k++] = *b1++;
        n1--;
    }
    memcpy(b, tmp, k * sizeof *b);
}

static void sort_ptrs(GPtrArray *a, cmp_fn cmp)
{
    const void **tmp = g_new(const void *, a->len ? a->len : 1);
    msort((const void **)a->pdata, a->len, tmp, cmp);
    g_free(tmp);
}

static int cmp_services(const void *a, const void *b)
{
    const struct ip_vs_service *s1 = a, *s2 = b;
    int r = u32_diff(s1->fwmark, s2->fwmark);
    if (r)
        return r;
    r = (int)s1->af - (int)s2->af;
    if (r)
        return r;
    r = (int)s1->protocol - (int)s2->protocol;
    if (r)
        return r;
    r = addr_diff(s1->addr, s2->addr);
    if (r)
        return r;
    return (int)ntohs(s1->port) - (int)ntohs(s2->port);
}

static int cmp_dests(const void *a, const void *b)
{
    const struct ip_vs_dest *d1 = a, *d2 = b;
    int r = addr_diff(d1->addr, d2->addr);
    if (r)
        return r;
    return (int)ntohs(d1->port) - (int)ntohs(d2->port);
}

/* The services in the order ipvsadm gets them from the kernel (its table order)
 * and then sorts them. Unsorted (--nosort), the kernel's order shows. */
static GPtrArray *services_of(const struct netns_ipvs *ipvs, unsigned fmt);

static GPtrArray *dests_of(const struct ip_vs_service *svc, unsigned fmt)
{
    GPtrArray *a = g_ptr_array_new();
    struct ip_vs_dest *d;
    list_for_each_entry(d, &svc->destinations, n_list)
        g_ptr_array_add(a, d);
    if (!(fmt & IPVSADM_FMT_NOSORT))
        sort_ptrs(a, cmp_dests);
    return a;
}

/* ---- numbers ----------------------------------------------------------------------------- */

void ipvsadm_print_largenum(GString *out, uint64_t n, unsigned fmt)
{
    if (fmt & IPVSADM_FMT_EXACT) {
        char tmp[32];
        int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
        g_string_append_printf(out, "%*llu", len <= 8 ? 9 : len + 1, (unsigned long long)n);
        return;
    }
    static const struct { uint64_t below, div; char suffix; } steps[] = {
        { 1000000000ull, 1000ull, 'K' },
        { 100000000000ull, 1000000ull, 'M' },
        { 100000000000000ull, 1000000000ull, 'G' },
        { UINT64_MAX, 1000000000000ull, 'T' },
    };
    if (n < 100000000ull) {
        g_string_append_printf(out, "%9llu", (unsigned long long)n);
        return;
    }
    size_t i = 0;
    while (i + 1 < G_N_ELEMENTS(steps) && n >= steps[i].below)
        i++;
    g_string_append_printf(out, "%8llu%c", (unsigned long long)(n / steps[i].div), steps[i].suffix);
}

/* ---- ipvsadm -L / -S ------------------------------------------------------------------- */

static void print_title(GString *out, unsigned fmt)
{
    static const char *const cols[][5] = {
        { "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes" },
        { "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" },
    };
    if (fmt & (IPVSADM_FMT_STATS | IPVSADM_FMT_RATE)) {
        const char *const *c = cols[(fmt & IPVSADM_FMT_STATS) ? 0 : 1];
        g_string_append_printf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
                               "Prot LocalAddress:Port", c[0], c[1], c[2], c[3], c[4]);
    } else if (fmt & IPVSADM_FMT_THRESHOLDS) {
        g_string_append_printf(out, "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
                               "Prot LocalAddress:Port", "Uthreshold", "Lthreshold",
                               "ActiveConn", "InActConn");
    } else if (fmt & IPVSADM_FMT_PERSISTENTCONN) {
        g_string_append_printf(out, "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
                               "Prot LocalAddress:Port", "Weight", "PersistConn",
                               "ActiveConn", "InActConn");
    } else if (fmt & IPVSADM_FMT_TUN_INFO) {
        g_string_append(out, "Prot LocalAddress:Port Scheduler Flags\n"
                             "  -> RemoteAddress:Port           Forward TunnelInfo    Weight "
                             "ActiveConn InActConn\n");
    } else {
        g_string_append(out, "Prot LocalAddress:Port Scheduler Flags\n"
                             "  -> RemoteAddress:Port           Forward Weight ActiveConn "
                             "InActConn\n");
    }
}

/* The scheduler flags by the names the scheduler knows them by: "sh-port,...". */
static void print_sched_flags(GString *out, const struct ip_vs_service *svc)
{
    static const char *const names[][3] = {
        { "sh-fallback", "sh-port", NULL },
        { "mh-fallback", "mh-port", NULL },
        { "flag-1", "flag-2", "flag-3" },
    };
    const char *s = sched_name(svc);
    int row = strcmp(s, "sh") == 0 ? 0 : strcmp(s, "mh") == 0 ? 1 : 2;
    static const unsigned bits[3] = { IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2, IP_VS_SVC_F_SCHED3 };
    bool first = true;
    for (int i = 0; i < 3; i++) {
        if (!names[row][i] || !(svc->flags & bits[i]))
            continue;
        g_string_append_printf(out, "%s%s", first ? "" : ",", names[row][i]);
        first = false;
    }
}

static bool has_sched_flags(const struct ip_vs_service *svc)
{
    return (svc->flags & (IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 | IP_VS_SVC_F_SCHED3)) != 0;
}

static void svc_name(char *buf, size_t len, const struct ip_vs_service *svc, bool rule)
{
    if (svc->fwmark) {
        /* %d of the mark, as ipvsadm prints it */
        if (svc->af == AF_INET6)
            snprintf(buf, len, rule ? "-f %d -6" : "FWM  %d IPv6", (int)svc->fwmark);
        else
            snprintf(buf, len, rule ? "-f %d" : "FWM  %d", (int)svc->fwmark);
        return;
    }
    char v[64];
    addrport(v, sizeof v, svc->addr, svc->port);
    if (rule) {
        const char *opt = svc->protocol == IPPROTO_TCP ? "-t"
                          : svc->protocol == IPPROTO_UDP ? "-u"
                          : svc->protocol == IPPROTO_SCTP ? "--sctp-service" : "--xxx-service";
        snprintf(buf, len, "%s %s", opt, v);
    } else {
        snprintf(buf, len, "%-4s %s", protocol_name(svc->protocol), v);
        if (svc->af != AF_INET6 && strlen(buf) > 33)
            buf[33] = '\0';    /* IPv6 names are never cut */
    }
}

/* The persistence mask: dotted for IPv4 unless /32, the prefix length for IPv6
 * unless 128. */
static void print_mask(GString *out, const char *word, const struct ip_vs_service *svc)
{
    char m[INET_ADDRSTRLEN];
    be32 netmask = svc->netmask;
    if (svc->af == AF_INET6) {
        if (netmask != 128)
            g_string_append_printf(out, " %s %i", word, (int)netmask);
        return;
    }
    if (netmask == 0xffffffffu)
        return;
    addr_str(netmask, m);
    g_string_append_printf(out, " %s %s", word, m);
}

static void print_service_rule(GString *out, const char *name, const struct ip_vs_service *svc)
{
    g_string_append_printf(out, "-A %s -s %s", name, sched_name(svc));
    if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
        g_string_append_printf(out, " -p %u", svc->timeout);
        print_mask(out, "-M", svc);
    }
    if (svc->flags & IP_VS_SVC_F_ONEPACKET)
        g_string_append(out, " -o");
    if (has_sched_flags(svc)) {
        g_string_append(out, " -b ");
        print_sched_flags(out, svc);
    }
}

static void print_service_plain(GString *out, const char *name, const struct ip_vs_service *svc)
{
    g_string_append_printf(out, "%s %s", name, sched_name(svc));
    if (has_sched_flags(svc)) {
        g_string_append(out, " (");
        print_sched_flags(out, svc);
        g_string_append(out, ")");
    }
    if (svc->flags & IP_VS_SVC_F_PERSISTENT) {
        g_string_append_printf(out, " persistent %u", svc->timeout);
        print_mask(out, "mask", svc);
    }
    if (svc->flags & IP_VS_SVC_F_ONEPACKET)
        g_string_append(out, " ops");
}

static void print_five(GString *out, const uint64_t v[5], unsigned fmt)
{
    for (int i = 0; i < 5; i++)
        ipvsadm_print_largenum(out, v[i], fmt);
}

static void print_service_line(GString *out, const char *name, const struct ip_vs_service *svc,
                               unsigned fmt)
{
    struct ip_vs_kstats k;
    ip_vs_copy_stats(svc->ipvs, &k, &svc->stats);
    if (fmt & IPVSADM_FMT_STATS) {
        g_string_append_printf(out, "%-33s", name);
        print_five(out, (const uint64_t[5]){ k.conns, k.inpkts, k.outpkts, k.inbytes, k.outbytes }, fmt);
    } else if (fmt & IPVSADM_FMT_RATE) {
        g_string_append_printf(out, "%-33s", name);
        print_five(out, (const uint64_t[5]){ k.cps, k.inpps, k.outpps, k.inbps, k.outbps }, fmt);
    } else {
        print_service_plain(out, name, svc);
    }
    g_string_append_c(out, '\n');
}

static const char *const tunnames[] = { "ipip", "gue", "gre" };
static const char *const tunflags[] = { "-c", "+c", "r+c" };
static const char *const tun_flags_opts[] = { "--tun-nocsum", "--tun-csum", "--tun-remcsum" };

static const char *tun_flag(const char *const names[3], const struct ip_vs_dest *d)
{
    return d->tun_flags < 3 ? names[d->tun_flags] : "(null)";
}

static void print_dest_rule(GString *out, const char *svc, const char *dname,
                            const struct ip_vs_dest *d)
{
    g_string_append_printf(out, "-a %s -r %s %s -w %d", svc, dname, fwd_switch(d->conn_flags),
                           d->weight);
    if ((d->conn_flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_TUNNEL) {
        if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
            g_string_append(out, " --tun-type ipip");
        else if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
            g_string_append_printf(out, " --tun-type gue --tun-port %u %s", ntohs(d->tun_port),
                                   tun_flag(tun_flags_opts, d));
        else if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE)
            g_string_append_printf(out, " --tun-type gre %s", tun_flag(tun_flags_opts, d));
    }
    g_string_append_c(out, '\n');
}

/* --tun-info's column: "ipip", "gue:6080:-c", "gre:+c", or n/a. */
static void tun_info(char *buf, size_t len, const struct ip_vs_dest *d)
{
    snprintf(buf, len, "n/a");
    if ((d->conn_flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL)
        return;
    if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
        snprintf(buf, len, "%s", tunnames[0]);
    else if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
        snprintf(buf, len, "%s:%u:%s", tunnames[1], ntohs(d->tun_port), tun_flag(tunflags, d));
    else if (d->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE)
        snprintf(buf, len, "%s:%s", tunnames[2], tun_flag(tunflags, d));
}

static void print_dest_counts(GString *out, const char *dname, const struct ip_vs_dest *d,
                              unsigned fmt)
{
    if (fmt & IPVSADM_FMT_THRESHOLDS) {
        g_string_append_printf(out, "  -> %-28s %-10u %-10u %-10u %-10u\n", dname,
                               d->u_threshold, d->l_threshold, (unsigned)d->activeconns,
                               (unsigned)d->inactconns);
    } else if (fmt & IPVSADM_FMT_PERSISTENTCONN) {
        g_string_append_printf(out, "  -> %-28s %-9u %-11u %-10u %-10u\n", dname,
                               (unsigned)d->weight, (unsigned)d->persistconns,
                               (unsigned)d->activeconns, (unsigned)d->inactconns);
    } else if (fmt & IPVSADM_FMT_TUN_INFO) {
        char ti[32];
        tun_info(ti, sizeof ti, d);
        g_string_append_printf(out, "  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", dname,
                               fwd_name(d->conn_flags), ti, d->weight,
                               (unsigned)d->activeconns, (unsigned)d->inactconns);
    } else {
        g_string_append_printf(out, "  -> %-28s %-7s %-6d %-10u %-10u\n", dname,
                               fwd_name(d->conn_flags), d->weight, (unsigned)d->activeconns,
                               (unsigned)d->inactconns);
    }
}

static void print_dest_line(GString *out, const char *dname, const struct ip_vs_dest *d,
                            unsigned fmt)
{
    struct ip_vs_kstats k;
    ip_vs_copy_stats(d->svc->ipvs, &k, &d->stats);
    if (fmt & IPVSADM_FMT_STATS) {
        g_string_append_printf(out, "  -> %-28s", dname);
        print_five(out, (const uint64_t[5]){ k.conns, k.inpkts, k.outpkts, k.inbytes, k.outbytes }, fmt);
        g_string_append_c(out, '\n');
    } else if (fmt & IPVSADM_FMT_RATE) {
        g_string_append_printf(out, "  -> %-28s %8llu %8llu %8llu", dname,
                               (unsigned long long)k.cps, (unsigned long long)k.inpps,
                               (unsigned long long)k.outpps);
        ipvsadm_print_largenum(out, k.inbps, fmt);
        ipvsadm_print_largenum(out, k.outbps, fmt);
        g_string_append_c(out, '\n');
    } else {
        print_dest_counts(out, dname, d, fmt);
    }
}

/* print_service_entry; rule: -S */
static void print_service_entry(GString *out, const struct ip_vs_service *svc, unsigned fmt,
                                bool rule)
{
    char name[96];
    svc_name(name, sizeof name, svc, rule);
    if (rule) {
        print_service_rule(out, name, svc);
        g_string_append_c(out, '\n');
    } else {
        print_service_line(out, name, svc, fmt);
    }
    GPtrArray *dests = dests_of(svc, fmt);
    for (guint i = 0; i < dests->len; i++) {
        const struct ip_vs_dest *d = g_ptr_array_index(dests, i);
        char dname[64];
        addrport(dname, sizeof dname, d->addr, d->port);
        if (rule) {
            print_dest_rule(out, name, dname, d);
        } else {
            if (!in6_is_key(d->addr))
                dname[28] = '\0';     /* IPv6 names are never cut */
            print_dest_line(out, dname, d, fmt);
        }
    }
    g_ptr_array_free(dests, TRUE);
}

static void print_header(GString *out)
{
    g_string_append_printf(out, "IP Virtual Server version %s (size=%d)\n",
                           IP_VS_VERSION_STRING, IP_VS_CONN_TAB_SIZE);
}

void ipvsadm_list(GString *out, const struct netns_ipvs *ipvs, unsigned fmt)
{
    print_header(out);
    print_title(out, fmt);
    GPtrArray *svcs = services_of(ipvs, fmt);
    for (guint i = 0; i < svcs->len; i++)
        print_service_entry(out, g_ptr_array_index(svcs, i), fmt, false);
    g_ptr_array_free(svcs, TRUE);
}

bool ipvsadm_list_service(GString *out, const struct ip_vs_service *svc, unsigned fmt)
{
    if (!svc)
        return false;
    print_title(out, fmt);
    print_service_entry(out, svc, fmt, false);
    return true;
}

void ipvsadm_save(GString *out, const struct netns_ipvs *ipvs, unsigned fmt)
{
    GPtrArray *svcs = services_of(ipvs, fmt);
    for (guint i = 0; i < svcs->len; i++)
        print_service_entry(out, g_ptr_array_index(svcs, i), fmt & IPVSADM_FMT_NOSORT, true);
    g_ptr_array_free(svcs, TRUE);
}

void ipvsadm_list_timeout(GString *out, const struct netns_ipvs *ipvs)
{
    unsigned tcp = ip_vs_tcp_default_timeouts[IP_VS_TCP_S_ESTABLISHED];
    unsigned fin = ip_vs_tcp_default_timeouts[IP_VS_TCP_S_FIN_WAIT];
    unsigned udp = IP_VS_UDP_DEFAULT_TIMEOUT;
    if (ipvs) {
        tcp = ipvs->tcp_timeouts[IP_VS_TCP_S_ESTABLISHED];
        fin = ipvs->tcp_timeouts[IP_VS_TCP_S_FIN_WAIT];
        udp = ipvs->udp_timeout;
    }
    g_string_append_printf(out, "Timeout (tcp tcpfin udp): %d %d %d\n", (int)tcp, (int)fin,
                           (int)udp);
}

/* ---- the kernel's table order (/proc, --nosort) -------------------------------------------- */

#define IP_VS_SVC_TAB_BITS 8
#define IP_VS_SVC_TAB_SIZE (1 << IP_VS_SVC_TAB_BITS)

/* ip_vs_svc_hashkey with the netns pointer term taken as 0 */
static unsigned svc_hashkey(const struct ip_vs_service *svc)
{
    if (svc->fwmark)
        return svc->fwmark & (IP_VS_SVC_TAB_SIZE - 1);
    unsigned porth = ntohs(svc->port);
    uint32_t ahash = ntohl(svc->addr);
    if (in6_is_key(svc->addr))          /* addr->ip6[0] ^ .. ^ ip6[3], then ntohl */
        ahash = addr_word(svc->addr, 0) ^ addr_word(svc->addr, 1) ^ addr_word(svc->addr, 2) ^
                addr_word(svc->addr, 3);
    return (svc->protocol ^ ahash ^ (porth >> IP_VS_SVC_TAB_BITS) ^ porth) &
           (IP_VS_SVC_TAB_SIZE - 1);
}

/* Bucket by bucket, the protocol table then the fwmark table; in a bucket the
 * newest first (hlist_add_head). */
static GPtrArray *services_in_table_order(const struct netns_ipvs *ipvs)
{
    GPtrArray *a = g_ptr_array_new();
    if (!ipvs)
        return a;
    for (int fwm = 0; fwm < 2; fwm++)
        for (unsigned b = 0; b < IP_VS_SVC_TAB_SIZE; b++)
            for (struct list_head *p = ipvs->services.prev; p != &ipvs->services; p = p->prev) {
                struct ip_vs_service *svc = list_entry(p, struct ip_vs_service, s_list);
                if ((svc->fwmark != 0) == (fwm != 0) && svc_hashkey(svc) == b)
                    g_ptr_array_add(a, svc);
            }
    return a;
}

static GPtrArray *services_of(const struct netns_ipvs *ipvs, unsigned fmt)
{
    GPtrArray *a = services_in_table_order(ipvs);
    if (!(fmt & IPVSADM_FMT_NOSORT))
        sort_ptrs(a, cmp_services);
    return a;
}

void ip_vs_proc_info(GString *out, const struct netns_ipvs *ipvs)
{
    print_header(out);
    g_string_append(out, "Prot LocalAddress:Port Scheduler Flags\n"
                         "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n");
    GPtrArray *svcs = services_in_table_order(ipvs);
    for (guint i = 0; i < svcs->len; i++) {
        const struct ip_vs_service *svc = g_ptr_array_index(svcs, i);
        const char *ops = (svc->flags & IP_VS_SVC_F_ONEPACKET) ? "ops " : "";
        char pb[16];
        char a6[40];
        if (svc->fwmark) {
            g_string_append_printf(out, "FWM  %08X %s %s", svc->fwmark, sched_name(svc), ops);
        } else if (svc->af == AF_INET6) {
            pi6_str(svc->addr, a6);    /* the kernel's IPv6 line has no "ops " */
            g_string_append_printf(out, "%s  [%s]:%04X %s ",
                                   proc_proto_name(svc->protocol, pb, sizeof pb), a6,
                                   ntohs(svc->port), sched_name(svc));
        } else
            g_string_append_printf(out, "%s  %08X:%04X %s %s ",
                                   proc_proto_name(svc->protocol, pb, sizeof pb),
                                   ntohl(svc->addr), ntohs(svc->port), sched_name(svc), ops);
        if (svc->flags & IP_VS_SVC_F_PERSISTENT)
            g_string_append_printf(out, "persistent %d %08X\n", (int)(svc->timeout * IP_VS_HZ),
                                   ntohl(svc->netmask));
        else
            g_string_append_c(out, '\n');
        struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list) {
            if (in6_is_key(d->addr)) {
                pi6_str(d->addr, a6);
                g_string_append_printf(out, "  -> [%s]:%04X", a6, ntohs(d->port));
            } else {
                g_string_append_printf(out, "  -> %08X:%04X", ntohl(d->addr), ntohs(d->port));
            }
            g_string_append_printf(out, "      %-7s %-6d %-10d %-10d\n",
                                   fwd_name(d->conn_flags), d->weight, d->activeconns,
                                   d->inactconns);
        }
    }
    g_ptr_array_free(svcs, TRUE);
}

void ip_vs_proc_stats(GString *out, const struct netns_ipvs *ipvs)
{
    struct ip_vs_kstats k = { 0 };
    if (ipvs)
        ip_vs_copy_stats(ipvs, &k, &ipvs->tot_stats);
    g_string_append(out, "   Total Incoming Outgoing         Incoming         Outgoing\n"
                         "   Conns  Packets  Packets            Bytes            Bytes\n");
    g_string_append_printf(out, "%8llX %8llX %8llX %16llX %16llX\n\n",
                           (unsigned long long)k.conns, (unsigned long long)k.inpkts,
                           (unsigned long long)k.outpkts, (unsigned long long)k.inbytes,
                           (unsigned long long)k.outbytes);
    g_string_append(out, " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n");
    g_string_append_printf(out, "%8llX %8llX %8llX %16llX %16llX\n",
                           (unsigned long long)k.cps, (unsigned long long)k.inpps,
                           (unsigned long long)k.outpps, (unsigned long long)k.inbps,
                           (unsigned long long)k.outbps);
}

/* ---- connections -------------------------------------------------------------------------- */

static void proc_conn_row(struct ip_vs_conn *cp, void *ctx)
{
    GString *out = ctx;
    char pb[16];
    if (in6_is_key(cp->caddr) || in6_is_key(cp->daddr)) {
        /* ip_vs_conn_seq_show: %pI6 for IPv6 addresses (the dest by its own family,
         * cp->daf), %08X for IPv4 ones */
        char c[40], v[40], d[40];
        be32 a[3] = { cp->caddr, cp->vaddr, cp->daddr };
        char *t[3] = { c, v, d };
        for (int i = 0; i < 3; i++) {
            if (in6_is_key(a[i]))
                pi6_str(a[i], t[i]);
            else
                snprintf(t[i], 40, "%08X", ntohl(a[i]));
        }
        g_string_append_printf(out, "%-3s %s %04X %s %04X %s %04X %-11s %7u\n",
                               proc_proto_name(cp->protocol, pb, sizeof pb), c,
                               ntohs(cp->cport), v, ntohs(cp->vport), d, ntohs(cp->dport),
                               ip_vs_state_name(cp), ip_vs_conn_expires_in(cp));
        return;
    }
    g_string_append_printf(out, "%-3s %08X %04X %08X %04X %08X %04X %-11s %7u\n",
                           proc_proto_name(cp->protocol, pb, sizeof pb), ntohl(cp->caddr),
                           ntohs(cp->cport), ntohl(cp->vaddr), ntohs(cp->vport), ntohl(cp->daddr),
                           ntohs(cp->dport), ip_vs_state_name(cp), ip_vs_conn_expires_in(cp));
}

void ip_vs_proc_conn(GString *out, const struct netns_ipvs *ipvs)
{
    g_string_append(out, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires "
                         "PEName PEData\n");
    if (ipvs && ipvs->conn_tab)
        ip_vs_conn_for_each((struct netns_ipvs *)ipvs, proc_conn_row, out);
}

/* ipvsadm's print_conn, from what /proc/net/ip_vs_conn shows. */
static void list_conn_row(struct ip_vs_conn *cp, void *ctx)
{
    GString *out = ctx;
    char pb[16], c[64], v[64], d[64], expire[16];
    unsigned secs = ip_vs_conn_expires_in(cp);
    addrport(c, sizeof c, cp->caddr, cp->cport);
    addrport(v, sizeof v, cp->vaddr, cp->vport);
    addrport(d, sizeof d, cp->daddr, cp->dport);
    snprintf(expire, sizeof expire, "%02u:%02u", secs / 60, secs % 60);
    g_string_append_printf(out, "%-3s %-6s %-11s %-18s %-18s %s\n",
                           proc_proto_name(cp->protocol, pb, sizeof pb), expire,
                           ip_vs_state_name(cp), c, v, d);
}

void ipvsadm_list_conns(GString *out, const struct netns_ipvs *ipvs, unsigned fmt)
{
    g_string_append(out, "IPVS connection entries\n");
    if (fmt & IPVSADM_FMT_PERSISTENTCONN)
        g_string_append_printf(out, "pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state",
                               "source", "virtual", "destination", "pe name", "pe_data");
    else
        g_string_append_printf(out, "pro expire %-11s %-18s %-18s %s\n", "state", "source",
                               "virtual", "destination");
    if (ipvs && ipvs->conn_tab)
        ip_vs_conn_for_each((struct netns_ipvs *)ipvs, list_conn_row, out);
}
