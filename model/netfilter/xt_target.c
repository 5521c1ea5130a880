/* The targets the model has: the standard verdicts and jumps, REJECT (ipt_REJECT.c),
 * MARK (xt_mark.c), LOG (xt_LOG.c, as a trace note and a counter), DNAT and SNAT
 * (xt_nat.c), MASQUERADE (xt_MASQUERADE.c), CT --notrack and its alias NOTRACK
 * (xt_CT.c). Each carries its iptables half (libxt_*) and its kernel half. */
#include "model/netfilter/x_tables.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"
#include "model/netfilter/nf_reject.h"
#include "model/trace.h"

#define HOOK(h) (1u << (h))

/* ACCEPT, DROP, QUEUE, RETURN and jumps: ipt_do_table itself acts on them. */
const struct xt_target_ops xt_standard_target = {
    .name = "standard",
};

/* ---- REJECT ------------------------------------------------------------------------ */

static const struct {
    const char *name, *alias;
    enum ipt_reject_with with;
} reject_table[] = {
    { "icmp-net-unreachable", "net-unreach", IPT_ICMP_NET_UNREACHABLE },
    { "icmp-host-unreachable", "host-unreach", IPT_ICMP_HOST_UNREACHABLE },
    { "icmp-proto-unreachable", "proto-unreach", IPT_ICMP_PROT_UNREACHABLE },
    { "icmp-port-unreachable", "port-unreach", IPT_ICMP_PORT_UNREACHABLE },
    { "icmp-net-prohibited", "net-prohib", IPT_ICMP_NET_PROHIBITED },
    { "icmp-host-prohibited", "host-prohib", IPT_ICMP_HOST_PROHIBITED },
    { "tcp-reset", "tcp-rst", IPT_TCP_RESET },
    { "icmp-admin-prohibited", "admin-prohib", IPT_ICMP_ADMIN_PROHIBITED },
};

static const struct xt_option reject_opts[] = {
    { "reject-with", 0, true, false, NULL },
    { NULL, 0, false, false, NULL },
};

static void reject_init(struct xt_entry_target *t)
{
    t->u.reject.with = IPT_ICMP_PORT_UNREACHABLE;
}

/* libipt_REJECT takes any start of a name or of its alias, the first that fits. */
static int reject_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option *o,
                        const char *arg, bool invert)
{
    size_t len = strlen(arg);
    for (size_t i = 0; len && i < G_N_ELEMENTS(reject_table); i++)
        if (strncasecmp(reject_table[i].name, arg, len) == 0 ||
            strncasecmp(reject_table[i].alias, arg, len) == 0) {
            t->u.reject.with = reject_table[i].with;
            return 0;
        }
    return xt_parse_error(p, "unknown reject type \"%s\"", arg);
}

static const char *reject_name(enum ipt_reject_with with)
{
    for (size_t i = 0; i < G_N_ELEMENTS(reject_table); i++)
        if (reject_table[i].with == with)
            return reject_table[i].name;
    return "?";
}

static void reject_save(const struct xt_entry_target *t, GString *out)
{
    g_string_append_printf(out, " --reject-with %s", reject_name(t->u.reject.with));
}

/* A reset answers TCP only: the kernel refuses the rule unless it says -p tcp. */
static const char *reject_check(const struct ipt_entry *e)
{
    if (e->target.u.reject.with == IPT_TCP_RESET &&
        (e->ip.proto != IPPROTO_TCP || (e->ip.invflags & XT_INV_PROTO)))
        return "ipt_REJECT: TCP_RESET invalid for non-tcp";
    return NULL;
}

static unsigned reject_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    static const uint8_t codes[] = {
        [IPT_ICMP_NET_UNREACHABLE] = 0, [IPT_ICMP_HOST_UNREACHABLE] = 1,
        [IPT_ICMP_PROT_UNREACHABLE] = 2, [IPT_ICMP_PORT_UNREACHABLE] = 3,
        [IPT_ICMP_NET_PROHIBITED] = 9, [IPT_ICMP_HOST_PROHIBITED] = 10,
        [IPT_ICMP_ADMIN_PROHIBITED] = ICMP_PKT_FILTERED,
    };
    struct net *net = par->state->net;
    enum ipt_reject_with with = t->u.reject.with;
    if (with == IPT_TCP_RESET)
        nf_send_reset(net, par->skb, par->state->hook);
    else if (with != IPT_ICMP_ECHOREPLY)
        nf_send_unreach(net, par->skb, codes[with], par->state->hook);
    return NF_DROP;
}

static const struct xt_target_ops reject_target = {
    .name = "REJECT", .table = "filter",
    .hooks = HOOK(NF_INET_LOCAL_IN) | HOOK(NF_INET_FORWARD) | HOOK(NF_INET_LOCAL_OUT),
    .opts = reject_opts, .init = reject_init, .parse = reject_parse, .checkentry = reject_check,
    .save = reject_save, .target = reject_tg,
};

/* ---- MARK ---------------------------------------------------------------------------- */

enum { O_SET_XMARK, O_SET_MARK, O_AND_MARK, O_OR_MARK, O_XOR_MARK, O_MARK_MAX };

static const struct xt_option mark_opts[] = {
    { "set-xmark", O_SET_XMARK, true, false, NULL },
    { "set-mark", O_SET_MARK, true, false, NULL },
    { "and-mark", O_AND_MARK, true, false, NULL },
    { "or-mark", O_OR_MARK, true, false, NULL },
    { "xor-mark", O_XOR_MARK, true, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int mark_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option *o,
                      const char *arg, bool invert)
{
    struct xt_mark_tginfo2 *info = &t->u.mark;
    uint32_t v, m;
    if (o->id == O_SET_XMARK || o->id == O_SET_MARK) {
        if (!xt_parse_val_mask(arg, &v, &m))
            return xt_parse_error(p, "MARK: Bad value for \"%s\" option: \"%s\"", o->name, arg);
        info->mark = v;
        info->mask = o->id == O_SET_MARK ? (m | v) : m;
        return 0;
    }
    if (!xt_strtoui(arg, 0, UINT32_MAX, &v))
        return xt_parse_error(p, "MARK: bad value for option \"--%s\", or out of range "
                              "(0-4294967295).", o->name);
    info->mark = o->id == O_AND_MARK ? 0 : v;
    info->mask = o->id == O_AND_MARK ? ~v : o->id == O_OR_MARK ? v : 0;
    return 0;
}

static int mark_check(struct xt_parse *p, struct xt_entry_target *t, const struct ipt_entry *e,
                      unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "MARK: One of the --set-xmark, --{and,or,xor,set}-mark "
                              "options is required");
    int first = -1;
    for (int id = 0; id < O_MARK_MAX; id++) {
        if (!(xflags & (1u << id)))
            continue;
        if (first >= 0)
            return xt_parse_error(p, "MARK: option \"--%s\" cannot be used together with \"--%s\".",
                                  mark_opts[first].name, mark_opts[id].name);
        first = id;
    }
    return 0;
}

static void mark_save(const struct xt_entry_target *t, GString *out)
{
    g_string_append_printf(out, " --set-xmark 0x%x/0x%x", t->u.mark.mark, t->u.mark.mask);
}

static unsigned mark_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    struct sk_buff *skb = par->skb;
    skb->mark = (skb->mark & ~t->u.mark.mask) ^ t->u.mark.mark;
    return XT_CONTINUE;
}

static const struct xt_target_ops mark_target = {
    .name = "MARK", .opts = mark_opts, .parse = mark_parse, .final_check = mark_check,
    .save = mark_save, .target = mark_tg,
};

/* ---- LOG ------------------------------------------------------------------------------ */

enum { O_LOG_LEVEL, O_LOG_PREFIX, O_LOG_TCPSEQ, O_LOG_TCPOPT, O_LOG_IPOPT, O_LOG_UID, O_LOG_MAC };

static const struct xt_option log_opts[] = {
    { "log-level", O_LOG_LEVEL, true, false, NULL },
    { "log-prefix", O_LOG_PREFIX, true, false, NULL },
    { "log-tcp-sequence", O_LOG_TCPSEQ, false, false, NULL },
    { "log-tcp-options", O_LOG_TCPOPT, false, false, NULL },
    { "log-ip-options", O_LOG_IPOPT, false, false, NULL },
    { "log-uid", O_LOG_UID, false, false, NULL },
    { "log-macdecode", O_LOG_MAC, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static const uint8_t log_flag_of[] = {
    [O_LOG_TCPSEQ] = XT_LOG_TCPSEQ, [O_LOG_TCPOPT] = XT_LOG_TCPOPT, [O_LOG_IPOPT] = XT_LOG_IPOPT,
    [O_LOG_UID] = XT_LOG_UID, [O_LOG_MAC] = XT_LOG_MACDECODE,
};

static const struct {
    const char *name;
    uint8_t level;
} log_levels[] = {
    { "alert", 1 }, { "crit", 2 }, { "debug", 7 }, { "emerg", 0 }, { "error", 3 },
    { "info", 6 }, { "notice", 5 }, { "panic", 0 }, { "warning", 4 },
};

static void log_init(struct xt_entry_target *t)
{
    t->u.log.level = 4;                 /* LOG_WARNING */
}

static int log_level(struct xt_parse *p, const char *arg, uint8_t *level)
{
    uint32_t v;
    if (xt_strtoui(arg, 0, 7, &v)) {
        *level = (uint8_t)v;
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(log_levels); i++)
        if (strcmp(log_levels[i].name, arg) == 0) {
            *level = log_levels[i].level;
            return 0;
        }
    return xt_parse_error(p, "log level \"%s\" unknown", arg);
}

static int log_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option *o,
                     const char *arg, bool invert)
{
    struct xt_log_info *info = &t->u.log;
    switch (o->id) {
    case O_LOG_LEVEL:
        return log_level(p, arg, &info->level);
    case O_LOG_PREFIX:
        if (!*arg)
            return xt_parse_error(p, "Argument must have a minimum length of 1 characters");
        if (strchr(arg, '\n'))
            return xt_parse_error(p, "Newlines not allowed in --log-prefix");
        if (strlen(arg) > XT_LOG_PREFIX_LEN - 1)
            return xt_parse_error(p, "Maximum prefix length %u for --log-prefix",
                                  XT_LOG_PREFIX_LEN - 1);
        g_strlcpy(info->prefix, arg, sizeof info->prefix);
        return 0;
    default:
        info->logflags |= log_flag_of[o->id];
        return 0;
    }
}

static void log_save(const struct xt_entry_target *t, GString *out)
{
    const struct xt_log_info *info = &t->u.log;
    if (info->prefix[0]) {
        g_string_append(out, " --log-prefix");
        xt_save_string(out, info->prefix);
    }
    if (info->level != 4)
        g_string_append_printf(out, " --log-level %u", info->level);
    for (int id = O_LOG_TCPSEQ; id <= O_LOG_MAC; id++)
        if (info->logflags & log_flag_of[id])
            g_string_append_printf(out, " --%s", log_opts[id].name);
}

/* The line nf_log_ip would write (without MAC and options), as a trace note. */
static void log_line(const struct xt_log_info *info, const struct xt_action_param *par,
                     char *buf, size_t size)
{
    const struct iphdr *iph = par->iph;
    const struct nf_hook_state *st = par->state;
    char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &iph->saddr, src, sizeof src);
    inet_ntop(AF_INET, &iph->daddr, dst, sizeof dst);
    int n = snprintf(buf, size, "<%u>%sIN=%s OUT=%s SRC=%s DST=%s LEN=%u TOS=0x%02X TTL=%u ID=%u ",
                     info->level, info->prefix, st->in ? st->in->name : "",
                     st->out ? st->out->name : "", src, dst, ntohs(iph->tot_len), iph->tos,
                     iph->ttl, ntohs(iph->id));
    if (n < 0 || (size_t)n >= size)
        return;
    const uint8_t *l4 = par->l4;
    bool ports = par->fragoff == 0 && par->l4_len >= 4;
    if (iph->protocol == IPPROTO_TCP && ports)
        snprintf(buf + n, size - (size_t)n, "PROTO=TCP SPT=%u DPT=%u", (l4[0] << 8) | l4[1],
                 (l4[2] << 8) | l4[3]);
    else if (iph->protocol == IPPROTO_UDP && ports)
        snprintf(buf + n, size - (size_t)n, "PROTO=UDP SPT=%u DPT=%u", (l4[0] << 8) | l4[1],
                 (l4[2] << 8) | l4[3]);
    else if (iph->protocol == IPPROTO_ICMP && par->l4_len >= 2)
        snprintf(buf + n, size - (size_t)n, "PROTO=ICMP TYPE=%u CODE=%u", l4[0], l4[1]);
    else
        snprintf(buf + n, size - (size_t)n, "PROTO=%u", iph->protocol);
}

static unsigned log_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    struct net *net = par->state->net;
    net->xt->log_packets++;
    if (net->trace) {
        char line[256];
        log_line(&t->u.log, par, line, sizeof line);
        trace_note(net, par->skb, "nf_log_ip_packet", line);
    }
    return XT_CONTINUE;
}

static const struct xt_target_ops log_target = {
    .name = "LOG", .opts = log_opts, .init = log_init, .parse = log_parse, .save = log_save,
    .target = log_tg,
};

/* ---- DNAT, SNAT, MASQUERADE ----------------------------------------------------------- */

enum { O_TO, O_RANDOM, O_PERSISTENT, O_RANDOM_FULLY };

static const struct xt_option dnat_opts[] = {
    { "to-destination", O_TO, true, false, NULL },
    { "random", O_RANDOM, false, false, NULL },
    { "persistent", O_PERSISTENT, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static const struct xt_option snat_opts[] = {
    { "to-source", O_TO, true, false, NULL },
    { "random", O_RANDOM, false, false, NULL },
    { "random-fully", O_RANDOM_FULLY, false, false, NULL },
    { "persistent", O_PERSISTENT, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static const struct xt_option masq_opts[] = {
    { "to-ports", O_TO, true, false, NULL },
    { "random", O_RANDOM, false, false, NULL },
    { "random-fully", O_RANDOM_FULLY, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

/* Ports in a NAT range need a protocol that has them. */
static bool ports_ok(const struct ipt_entry *e)
{
    uint16_t p = e->ip.proto;
    return !(e->ip.invflags & XT_INV_PROTO) &&
           (p == IPPROTO_TCP || p == IPPROTO_UDP || p == 132 /* sctp */ || p == 33 /* dccp */);
}

/* "port[-port]" into range's proto fields. */
static int parse_nat_ports(struct xt_parse *p, const char *s, struct nf_nat_range *range)
{
    char buf[32];
    g_strlcpy(buf, s, sizeof buf);
    if (strchr(buf, ':'))
        return xt_parse_error(p, "Invalid port:port syntax - use dash");
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    uint32_t lo, hi;
    if (!xt_strtoui(buf, 1, 65535, &lo))
        return xt_parse_error(p, "Port `%s' not valid", s);
    hi = lo;
    if (dash && !xt_strtoui(dash + 1, 1, 65535, &hi))
        return xt_parse_error(p, "Port `%s' not valid", dash + 1);
    if (hi < lo)
        return xt_parse_error(p, "Port range `%s' funky", s);
    range->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    range->min_proto = (be16)lo;
    range->max_proto = (be16)hi;
    return 0;
}

/* "[ip[-ip]][:port[-port]]" (libipt_DNAT's parse_to). */
static int parse_to(struct xt_parse *p, const char *arg, struct nf_nat_range *range)
{
    char buf[64];
    g_strlcpy(buf, arg, sizeof buf);
    char *colon = strchr(buf, ':');
    if (colon) {
        if (!ports_ok(xt_parse_entry(p)))
            return xt_parse_error(p, "Need TCP, UDP, SCTP or DCCP with port specification");
        if (parse_nat_ports(p, colon + 1, range) < 0)
            return -1;
        if (colon == buf)
            return 0;                   /* ports only */
        *colon = '\0';
    }
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    if (!xt_numeric_to_ipaddr(buf, &range->min_addr))
        return xt_parse_error(p, "Bad IP address \"%s\"", buf);
    range->max_addr = range->min_addr;
    if (dash && !xt_numeric_to_ipaddr(dash + 1, &range->max_addr))
        return xt_parse_error(p, "Bad IP address \"%s\"", dash + 1);
    range->flags |= NF_NAT_RANGE_MAP_IPS;
    return 0;
}

static int nat_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option *o,
                     const char *arg, bool invert)
{
    struct xt_nat_info *info = &t->u.nat;
    switch (o->id) {
    case O_TO:
        return parse_to(p, arg, &info->range);
    case O_RANDOM:
        info->flags |= XT_NAT_RANDOM;
        return 0;
    case O_PERSISTENT:
        info->flags |= XT_NAT_PERSISTENT;
        return 0;
    default:
        info->flags |= XT_NAT_RANDOM_FULLY;
        return 0;
    }
}

static int masq_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option *o,
                      const char *arg, bool invert)
{
    if (o->id != O_TO)
        return nat_parse(p, t, o, arg, invert);
    if (!ports_ok(xt_parse_entry(p)))
        return xt_parse_error(p, "Need TCP, UDP, SCTP or DCCP with port specification");
    return parse_nat_ports(p, arg, &t->u.nat.range);
}

static int dnat_check(struct xt_parse *p, struct xt_entry_target *t, const struct ipt_entry *e,
                      unsigned xflags)
{
    if (!(xflags & (1u << O_TO)))
        return xt_parse_error(p, "%s: option \"--%s\" must be specified", t->ops->name,
                              t->ops->opts[0].name);
    return 0;
}

static void save_range(GString *out, const struct nf_nat_range *r)
{
    char a[INET_ADDRSTRLEN];
    if (r->flags & NF_NAT_RANGE_MAP_IPS) {
        g_string_append(out, inet_ntop(AF_INET, &r->min_addr, a, sizeof a));
        if (r->max_addr != r->min_addr)
            g_string_append_printf(out, "-%s", inet_ntop(AF_INET, &r->max_addr, a, sizeof a));
    }
    if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        g_string_append_printf(out, ":%u", r->min_proto);
        if (r->max_proto != r->min_proto)
            g_string_append_printf(out, "-%u", r->max_proto);
    }
}

static void save_nat_flags(GString *out, uint8_t flags)
{
    if (flags & XT_NAT_RANDOM)
        g_string_append(out, " --random");
    if (flags & XT_NAT_RANDOM_FULLY)
        g_string_append(out, " --random-fully");
    if (flags & XT_NAT_PERSISTENT)
        g_string_append(out, " --persistent");
}

static void nat_save(const struct xt_entry_target *t, GString *out)
{
    g_string_append_printf(out, " --%s ", t->ops->opts[0].name);
    save_range(out, &t->u.nat.range);
    save_nat_flags(out, t->u.nat.flags);
}

static void masq_save(const struct xt_entry_target *t, GString *out)
{
    const struct nf_nat_range *r = &t->u.nat.range;
    if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        g_string_append_printf(out, " --to-ports %u", r->min_proto);
        if (r->max_proto != r->min_proto)
            g_string_append_printf(out, "-%u", r->max_proto);
    }
    save_nat_flags(out, t->u.nat.flags);
}

/* The nat table sees only tracked packets; without a conntrack there is nothing
 * to bind (the kernel would warn). */
static unsigned nat_tg(const struct xt_entry_target *t, struct xt_action_param *par,
                       enum nf_nat_manip_type manip)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(par->skb, &ctinfo);
    if (!ct)
        return NF_ACCEPT;
    return nf_nat_setup_info(ct, &t->u.nat.range, manip);
}

static unsigned dnat_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    return nat_tg(t, par, NF_NAT_MANIP_DST);
}

static unsigned snat_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    return nat_tg(t, par, NF_NAT_MANIP_SRC);
}

static unsigned masq_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    return nf_nat_masquerade_ipv4(par->skb, par->state->hook, &t->u.nat.range, par->state->out);
}

static const struct xt_target_ops dnat_target = {
    .name = "DNAT", .table = "nat", .hooks = HOOK(NF_INET_PRE_ROUTING) | HOOK(NF_INET_LOCAL_OUT),
    .conntrack = true, .opts = dnat_opts, .parse = nat_parse, .final_check = dnat_check,
    .save = nat_save, .target = dnat_tg,
};

static const struct xt_target_ops snat_target = {
    .name = "SNAT", .table = "nat", .hooks = HOOK(NF_INET_POST_ROUTING) | HOOK(NF_INET_LOCAL_IN),
    .conntrack = true, .opts = snat_opts, .parse = nat_parse, .final_check = dnat_check,
    .save = nat_save, .target = snat_tg,
};

static const struct xt_target_ops masq_target = {
    .name = "MASQUERADE", .table = "nat", .hooks = HOOK(NF_INET_POST_ROUTING),
    .conntrack = true, .opts = masq_opts, .parse = masq_parse, .save = masq_save,
    .target = masq_tg,
};

/* ---- CT --notrack, NOTRACK -------------------------------------------------------------- */

static const struct xt_option ct_opts[] = {
    { "notrack", 0, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int ct_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option *o,
                    const char *arg, bool invert)
{
    t->u.ct.flags |= XT_CT_NOTRACK;
    return 0;
}

static void ct_save(const struct xt_entry_target *t, GString *out)
{
    if (t->u.ct.flags & XT_CT_NOTRACK)
        g_string_append(out, " --notrack");
}

/* A packet that already has a conntrack keeps it. */
static unsigned ct_tg(const struct xt_entry_target *t, struct xt_action_param *par)
{
    if ((t->u.ct.flags & XT_CT_NOTRACK) && !par->skb->nfct)
        nf_ct_set(par->skb, NULL, IP_CT_UNTRACKED);
    return XT_CONTINUE;
}

static const struct xt_target_ops ct_target = {
    .name = "CT", .table = "raw", .opts = ct_opts, .parse = ct_parse, .save = ct_save,
    .target = ct_tg,
};

void xt_target_alias_init(const char *name, struct xt_entry_target *t)
{
    /* iptables turns NOTRACK into CT --notrack and lists it so */
    if (strcmp(name, "NOTRACK") == 0)
        t->u.ct.flags |= XT_CT_NOTRACK;
}

/* ---- lookup ------------------------------------------------------------------------------ */

const struct xt_target_ops *xt_find_target(const char *name)
{
    static const struct xt_target_ops *const targets[] = {
        &reject_target, &mark_target, &log_target, &dnat_target, &snat_target, &masq_target,
        &ct_target,
    };
    if (strcmp(name, "ACCEPT") == 0 || strcmp(name, "DROP") == 0 || strcmp(name, "RETURN") == 0 ||
        strcmp(name, "QUEUE") == 0)
        return &xt_standard_target;
    if (strcmp(name, "NOTRACK") == 0)
        return &ct_target;
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
        if (strcmp(targets[i]->name, name) == 0)
            return targets[i];
    return NULL;
}

/* Extensions iptables has and the model does not: a clearer message than
 * "Couldn't load". */
bool xt_known_unmodelled(const char *name, bool target)
{
    static const char *const unmodelled_targets[] = {
        "AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK", "DSCP",
        "ECN", "HMARK", "IDLETIMER", "LED", "NETMAP", "NFLOG", "NFQUEUE", "RATEEST",
        "REDIRECT", "SECMARK", "SET", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE", "TOS",
        "TPROXY", "TRACE", "TTL", "ULOG",
    };
    static const char *const unmodelled_matches[] = {
        "addrtype", "ah", "bpf", "cgroup", "cluster", "connbytes", "connlabel", "connlimit",
        "connmark", "cpu", "dccp", "devgroup", "dscp", "ecn", "esp", "hashlimit", "helper",
        "iprange", "ipvs", "length", "limit", "mac", "multiport", "nfacct", "osf", "owner",
        "physdev", "pkttype", "policy", "quota", "rateest", "realm", "recent", "rpfilter",
        "sctp", "set", "socket", "statistic", "string", "tcpmss", "time", "tos", "ttl", "u32",
    };
    const char *const *list = target ? unmodelled_targets : unmodelled_matches;
    size_t n = target ? G_N_ELEMENTS(unmodelled_targets) : G_N_ELEMENTS(unmodelled_matches);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}
