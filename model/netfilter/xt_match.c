/* The matches the model has: tcp, udp, icmp (xt_tcpudp.c, ip_tables.c's icmp),
 * mark (xt_mark.c), state and conntrack (xt_state.c, xt_conntrack.c: --ctstate),
 * comment (xt_comment.c). Each carries its iptables half (libxt_*: options, parse,
 * save) and its kernel half (match). */
#include "model/netfilter/x_tables.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/nf_conntrack.h"

/* ---- ports (tcp, udp) ----------------------------------------------------------- */

/* "port", "a:b", ":b" or "a:" (libxt_tcp's parse_tcp_ports). */
static int parse_ports(struct xt_parse *p, const char *arg, uint16_t *ports)
{
    const char *colon = strchr(arg, ':');
    if (!colon) {
        if (!xt_parse_port(arg, &ports[0]))
            return xt_parse_error(p, "invalid port/service `%s' specified", arg);
        ports[1] = ports[0];
        return 0;
    }
    char lo[32];
    size_t len = (size_t)(colon - arg);
    if (len >= sizeof lo)
        return xt_parse_error(p, "invalid port/service `%s' specified", arg);
    memcpy(lo, arg, len);
    lo[len] = '\0';
    ports[0] = 0;
    ports[1] = 0xffff;
    if (lo[0] && !xt_parse_port(lo, &ports[0]))
        return xt_parse_error(p, "invalid port/service `%s' specified", lo);
    if (colon[1] && !xt_parse_port(colon + 1, &ports[1]))
        return xt_parse_error(p, "invalid port/service `%s' specified", colon + 1);
    if (ports[0] > ports[1])
        return xt_parse_error(p, "invalid portrange (min > max)");
    return 0;
}

static bool port_match(uint16_t min, uint16_t max, uint16_t port, bool invert)
{
    return (port >= min && port <= max) ^ invert;
}

static void save_ports(GString *out, const char *name, const uint16_t *pts, bool invert)
{
    if (pts[0] == 0 && pts[1] == 0xffff)
        return;
    if (invert)
        g_string_append(out, " !");
    if (pts[0] != pts[1])
        g_string_append_printf(out, " --%s %u:%u", name, pts[0], pts[1]);
    else
        g_string_append_printf(out, " --%s %u", name, pts[0]);
}

/* ---- tcp ------------------------------------------------------------------------ */

enum { O_SPORT, O_DPORT, O_TCPFLAGS };

static const struct xt_option tcp_opts[] = {
    { "source-port", O_SPORT, true, true, "Only one `--source-port' allowed" },
    { "sport", O_SPORT, true, true, "Only one `--source-port' allowed" },
    { "destination-port", O_DPORT, true, true, "Only one `--destination-port' allowed" },
    { "dport", O_DPORT, true, true, "Only one `--destination-port' allowed" },
    { "syn", O_TCPFLAGS, false, true, "Only one of `--syn' or `--tcp-flags'  allowed" },
    { "tcp-flags", O_TCPFLAGS, true, true, "Only one of `--syn' or `--tcp-flags'  allowed" },
    { NULL, 0, false, false, NULL },
};

static const struct {
    const char *name;
    uint8_t flag;
} tcp_flag_names[] = {
    { "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
    { "ACK", 0x10 }, { "URG", 0x20 }, { "ALL", 0x3f }, { "NONE", 0 },
};

static int parse_tcp_flag(struct xt_parse *p, const char *list, uint8_t *out)
{
    gchar **names = g_strsplit(list, ",", -1);
    *out = 0;
    int r = 0;
    for (gchar **n = names; *n && r == 0; n++) {
        if (!**n)
            continue;
        size_t i = 0;
        while (i < G_N_ELEMENTS(tcp_flag_names) && strcasecmp(tcp_flag_names[i].name, *n) != 0)
            i++;
        if (i == G_N_ELEMENTS(tcp_flag_names))
            r = xt_parse_error(p, "Unknown TCP flag `%s'", *n);
        else
            *out |= tcp_flag_names[i].flag;
    }
    g_strfreev(names);
    return r;
}

static void tcp_init(struct xt_entry_match *m)
{
    m->u.tcp.spts[1] = m->u.tcp.dpts[1] = 0xffff;
}

static int tcp_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                     const char *arg, bool invert)
{
    struct xt_tcp *tcp = &m->u.tcp;
    switch (o->id) {
    case O_SPORT:
        tcp->invflags |= invert ? XT_TCP_INV_SRCPT : 0;
        return parse_ports(p, arg, tcp->spts);
    case O_DPORT:
        tcp->invflags |= invert ? XT_TCP_INV_DSTPT : 0;
        return parse_ports(p, arg, tcp->dpts);
    default:
        break;
    }
    tcp->invflags |= invert ? XT_TCP_INV_FLAGS : 0;
    if (!arg) {                         /* --syn */
        tcp->flg_mask = 0x17;           /* SYN,RST,ACK,FIN */
        tcp->flg_cmp = 0x02;
        return 0;
    }
    if (parse_tcp_flag(p, arg, &tcp->flg_mask) < 0)
        return -1;
    const char *cmp = xt_parse_next_arg(p);
    if (!cmp)
        return xt_parse_error(p, "--tcp-flags requires two args.");
    return parse_tcp_flag(p, cmp, &tcp->flg_cmp);
}

static void save_tcp_flags(GString *out, uint8_t flags)
{
    if (!flags) {
        g_string_append(out, "NONE");
        return;
    }
    bool first = true;
    for (size_t i = 0; i < 6; i++)
        if (flags & tcp_flag_names[i].flag) {
            g_string_append_printf(out, "%s%s", first ? "" : ",", tcp_flag_names[i].name);
            first = false;
        }
}

static void tcp_save(const struct xt_entry_match *m, GString *out)
{
    const struct xt_tcp *tcp = &m->u.tcp;
    save_ports(out, "sport", tcp->spts, tcp->invflags & XT_TCP_INV_SRCPT);
    save_ports(out, "dport", tcp->dpts, tcp->invflags & XT_TCP_INV_DSTPT);
    if (tcp->flg_mask || (tcp->invflags & XT_TCP_INV_FLAGS)) {
        bool inv = tcp->invflags & XT_TCP_INV_FLAGS;
        g_string_append(out, inv ? " ! --tcp-flags " : " --tcp-flags ");
        save_tcp_flags(out, tcp->flg_mask);
        g_string_append_c(out, ' ');
        save_tcp_flags(out, tcp->flg_cmp);
    }
}

static bool tcp_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    const struct xt_tcp *tcp = &m->u.tcp;
    if (par->fragoff != 0) {
        /* A TCP fragment at offset 8 bytes could rewrite the flags: the kernel
         * drops it outright. Other fragments simply do not match. */
        if (par->fragoff == 1)
            par->hotdrop = true;
        return false;
    }
    if (par->l4_len < sizeof(struct tcphdr)) {
        par->hotdrop = true;            /* asked to look and cannot: drop */
        return false;
    }
    const struct tcphdr *th = (const struct tcphdr *)par->l4;
    uint8_t inv = tcp->invflags;
    if (!port_match(tcp->spts[0], tcp->spts[1], ntohs(th->source), inv & XT_TCP_INV_SRCPT) ||
        !port_match(tcp->dpts[0], tcp->dpts[1], ntohs(th->dest), inv & XT_TCP_INV_DSTPT))
        return false;
    return ((th->flags & tcp->flg_mask) == tcp->flg_cmp) ^ !!(inv & XT_TCP_INV_FLAGS);
}

static const struct xt_match_ops tcp_match = {
    .name = "tcp", .proto = IPPROTO_TCP, .opts = tcp_opts, .init = tcp_init,
    .parse = tcp_parse, .save = tcp_save, .match = tcp_mt,
};

/* ---- udp ------------------------------------------------------------------------ */

static const struct xt_option udp_opts[] = {
    { "source-port", O_SPORT, true, true, NULL },
    { "sport", O_SPORT, true, true, NULL },
    { "destination-port", O_DPORT, true, true, NULL },
    { "dport", O_DPORT, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static void udp_init(struct xt_entry_match *m)
{
    m->u.udp.spts[1] = m->u.udp.dpts[1] = 0xffff;
}

/* libxt_udp parses with xtopt's port ranges: its own message for a bad port. */
static int udp_ports(struct xt_parse *p, const char *opt, const char *arg, uint16_t *ports)
{
    gchar **parts = g_strsplit(arg, ":", -1);
    unsigned n = g_strv_length(parts);
    int r = 0;
    ports[0] = 0;
    ports[1] = 0xffff;
    if (n > 2)
        r = xt_parse_error(p, "udp: Too many components for option \"--%s\" (max: 2)", opt);
    for (unsigned i = 0; i < n && r == 0; i++)
        if (parts[i][0] && !xt_parse_port(parts[i], &ports[i]))
            r = xt_parse_error(p, "Port \"%s\" does not resolve to anything.", parts[i]);
    if (r == 0 && n == 1)
        ports[1] = ports[0];
    g_strfreev(parts);
    return r;
}

static int udp_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                     const char *arg, bool invert)
{
    struct xt_udp *udp = &m->u.udp;
    if (o->id == O_SPORT) {
        udp->invflags |= invert ? XT_UDP_INV_SRCPT : 0;
        return udp_ports(p, o->name, arg, udp->spts);
    }
    udp->invflags |= invert ? XT_UDP_INV_DSTPT : 0;
    return udp_ports(p, o->name, arg, udp->dpts);
}

static void udp_save(const struct xt_entry_match *m, GString *out)
{
    save_ports(out, "sport", m->u.udp.spts, m->u.udp.invflags & XT_UDP_INV_SRCPT);
    save_ports(out, "dport", m->u.udp.dpts, m->u.udp.invflags & XT_UDP_INV_DSTPT);
}

static bool udp_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    const struct xt_udp *udp = &m->u.udp;
    if (par->fragoff != 0)
        return false;
    if (par->l4_len < sizeof(struct udphdr)) {
        par->hotdrop = true;
        return false;
    }
    const struct udphdr *uh = (const struct udphdr *)par->l4;
    uint8_t inv = udp->invflags;
    return port_match(udp->spts[0], udp->spts[1], ntohs(uh->source), inv & XT_UDP_INV_SRCPT) &&
           port_match(udp->dpts[0], udp->dpts[1], ntohs(uh->dest), inv & XT_UDP_INV_DSTPT);
}

static const struct xt_match_ops udp_match = {
    .name = "udp", .proto = IPPROTO_UDP, .opts = udp_opts, .init = udp_init,
    .parse = udp_parse, .save = udp_save, .match = udp_mt,
};

/* ---- icmp ----------------------------------------------------------------------- */

static const struct xt_option icmp_opts[] = {
    { "icmp-type", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static const struct {
    const char *name;
    uint8_t type, code_min, code_max;
} icmp_codes[] = {
    { "any", 0xff, 0, 0xff },
    { "echo-reply", 0, 0, 0xff },
    { "destination-unreachable", 3, 0, 0xff },
    { "network-unreachable", 3, 0, 0 },
    { "host-unreachable", 3, 1, 1 },
    { "protocol-unreachable", 3, 2, 2 },
    { "port-unreachable", 3, 3, 3 },
    { "fragmentation-needed", 3, 4, 4 },
    { "source-route-failed", 3, 5, 5 },
    { "network-unknown", 3, 6, 6 },
    { "host-unknown", 3, 7, 7 },
    { "network-prohibited", 3, 9, 9 },
    { "host-prohibited", 3, 10, 10 },
    { "TOS-network-unreachable", 3, 11, 11 },
    { "TOS-host-unreachable", 3, 12, 12 },
    { "communication-prohibited", 3, 13, 13 },
    { "host-precedence-violation", 3, 14, 14 },
    { "precedence-cutoff", 3, 15, 15 },
    { "source-quench", 4, 0, 0xff },
    { "redirect", 5, 0, 0xff },
    { "network-redirect", 5, 0, 0 },
    { "host-redirect", 5, 1, 1 },
    { "TOS-network-redirect", 5, 2, 2 },
    { "TOS-host-redirect", 5, 3, 3 },
    { "echo-request", 8, 0, 0xff },
    { "router-advertisement", 9, 0, 0xff },
    { "router-solicitation", 10, 0, 0xff },
    { "time-exceeded", 11, 0, 0xff },
    { "ttl-zero-during-transit", 11, 0, 0 },
    { "ttl-zero-during-reassembly", 11, 1, 1 },
    { "parameter-problem", 12, 0, 0xff },
    { "ip-header-bad", 12, 0, 0 },
    { "required-option-missing", 12, 1, 1 },
    { "timestamp-request", 13, 0, 0xff },
    { "timestamp-reply", 14, 0, 0xff },
    { "address-mask-request", 17, 0, 0xff },
    { "address-mask-reply", 18, 0, 0xff },
};

static void icmp_init(struct xt_entry_match *m)
{
    m->u.icmp.code[1] = 0xff;
}

/* A name (or an unambiguous start of one), or "type[/code]". */
static int icmp_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                      const char *arg, bool invert)
{
    struct ipt_icmp *icmp = &m->u.icmp;
    icmp->invflags = invert ? IPT_ICMP_INV : 0;
    int found = -1;
    size_t len = strlen(arg);
    for (size_t i = 0; i < G_N_ELEMENTS(icmp_codes); i++)
        if (strncasecmp(icmp_codes[i].name, arg, len) == 0) {
            if (found >= 0)
                return xt_parse_error(p, "Ambiguous ICMP type `%s': `%s' or `%s'?", arg,
                                      icmp_codes[found].name, icmp_codes[i].name);
            found = (int)i;
        }
    if (found >= 0) {
        icmp->type = icmp_codes[found].type;
        icmp->code[0] = icmp_codes[found].code_min;
        icmp->code[1] = icmp_codes[found].code_max;
        return 0;
    }
    char buf[32];
    g_strlcpy(buf, arg, sizeof buf);
    char *slash = strchr(buf, '/');
    uint32_t v;
    if (slash)
        *slash = '\0';
    if (!xt_strtoui(buf, 0, 255, &v))
        return xt_parse_error(p, "Invalid ICMP type `%s'", buf);
    icmp->type = (uint8_t)v;
    if (slash) {
        if (!xt_strtoui(slash + 1, 0, 255, &v))
            return xt_parse_error(p, "Invalid ICMP code `%s'", slash + 1);
        icmp->code[0] = icmp->code[1] = (uint8_t)v;
    }
    return 0;
}

static int icmp_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "icmp: option \"--icmp-type\" must be specified");
    return 0;
}

static void icmp_save(const struct xt_entry_match *m, GString *out)
{
    const struct ipt_icmp *icmp = &m->u.icmp;
    if (icmp->invflags & IPT_ICMP_INV)
        g_string_append(out, " !");
    if (icmp->type == 0xff) {
        g_string_append(out, " --icmp-type any");
        return;
    }
    g_string_append_printf(out, " --icmp-type %u", icmp->type);
    if (icmp->code[0] != 0 || icmp->code[1] != 0xff)
        g_string_append_printf(out, "/%u", icmp->code[0]);
}

static bool icmp_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    const struct ipt_icmp *icmp = &m->u.icmp;
    if (par->fragoff != 0)
        return false;
    if (par->l4_len < 2) {
        par->hotdrop = true;
        return false;
    }
    uint8_t type = par->l4[0], code = par->l4[1];
    bool hit = icmp->type == 0xff ||
               (type == icmp->type && code >= icmp->code[0] && code <= icmp->code[1]);
    return hit ^ !!(icmp->invflags & IPT_ICMP_INV);
}

static const struct xt_match_ops icmp_match = {
    .name = "icmp", .proto = IPPROTO_ICMP, .opts = icmp_opts, .init = icmp_init,
    .parse = icmp_parse, .final_check = icmp_check, .save = icmp_save, .match = icmp_mt,
};

/* ---- mark ----------------------------------------------------------------------- */

static const struct xt_option mark_opts[] = {
    { "mark", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static int mark_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                      const char *arg, bool invert)
{
    if (!xt_parse_val_mask(arg, &m->u.mark.mark, &m->u.mark.mask))
        return xt_parse_error(p, "mark: Bad value for \"%s\" option: \"%s\"", o->name, arg);
    m->u.mark.invert = invert;
    return 0;
}

static int mark_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "mark: option \"--mark\" must be specified");
    return 0;
}

static void mark_save(const struct xt_entry_match *m, GString *out)
{
    const struct xt_mark_mtinfo1 *info = &m->u.mark;
    g_string_append(out, info->invert ? " ! --mark" : " --mark");
    if (info->mask != 0xffffffffu)
        g_string_append_printf(out, " 0x%x/0x%x", info->mark, info->mask);
    else
        g_string_append_printf(out, " 0x%x", info->mark);
}

static bool mark_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    const struct xt_mark_mtinfo1 *info = &m->u.mark;
    return ((par->skb->mark & info->mask) == info->mark) ^ info->invert;
}

static const struct xt_match_ops mark_match = {
    .name = "mark", .opts = mark_opts, .parse = mark_parse, .final_check = mark_check,
    .save = mark_save, .match = mark_mt,
};

/* ---- state and conntrack --ctstate ------------------------------------------------ */

static const struct {
    const char *name;
    unsigned bit;
} ct_states[] = {
    { "INVALID", XT_STATE_INVALID },
    { "NEW", XT_STATE_BIT(IP_CT_NEW) },
    { "ESTABLISHED", XT_STATE_BIT(IP_CT_ESTABLISHED) },
    { "RELATED", XT_STATE_BIT(IP_CT_RELATED) },
    { "UNTRACKED", XT_STATE_UNTRACKED },
    { "SNAT", XT_CONNTRACK_STATE_SNAT },
    { "DNAT", XT_CONNTRACK_STATE_DNAT },
};

/* A comma list; each word may be cut short ("EST") and any case, as iptables'
 * strncasecmp takes it. -m state knows the first five. */
static int parse_states(struct xt_parse *p, const char *arg, unsigned *mask, bool ctstate)
{
    size_t nstates = ctstate ? G_N_ELEMENTS(ct_states) : 5;
    *mask = 0;
    for (const char *s = arg;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        size_t i = 0;
        while (len && i < nstates && strncasecmp(s, ct_states[i].name, len) != 0)
            i++;
        if (!len || i == nstates)
            return xt_parse_error(p, ctstate ? "Bad ctstate \"%s\"" : "Bad state \"%s\"", s);
        *mask |= ct_states[i].bit;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

static void save_states(GString *out, unsigned mask)
{
    /* iptables prints them in this order, not the parse order */
    static const unsigned order[] = { 0, 1, 3, 2, 4, 5, 6 };
    const char *sep = " ";
    for (size_t k = 0; k < G_N_ELEMENTS(order); k++)
        if (mask & ct_states[order[k]].bit) {
            g_string_append_printf(out, "%s%s", sep, ct_states[order[k]].name);
            sep = ",";
        }
}

/* The packet's state bit: no conntrack is INVALID unless it was marked untracked. */
static unsigned packet_state(const struct sk_buff *skb, bool with_nat)
{
    enum ip_conntrack_info ctinfo = IP_CT_ESTABLISHED;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return ctinfo == IP_CT_UNTRACKED ? XT_STATE_UNTRACKED : XT_STATE_INVALID;
    unsigned bit = XT_STATE_BIT(ctinfo);
    if (with_nat) {
        uint32_t status = nf_ct_status(ct);
        bit |= status & IPS_SRC_NAT ? XT_CONNTRACK_STATE_SNAT : 0;
        bit |= status & IPS_DST_NAT ? XT_CONNTRACK_STATE_DNAT : 0;
    }
    return bit;
}

static const struct xt_option state_opts[] = {
    { "state", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static int state_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                       const char *arg, bool invert)
{
    m->u.state.invert = invert;
    return parse_states(p, arg, &m->u.state.statemask, false);
}

static int state_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "state: option \"--state\" must be specified");
    return 0;
}

static void state_save(const struct xt_entry_match *m, GString *out)
{
    g_string_append(out, m->u.state.invert ? " ! --state" : " --state");
    save_states(out, m->u.state.statemask);
}

static bool state_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    return !!(m->u.state.statemask & packet_state(par->skb, false)) ^ m->u.state.invert;
}

static const struct xt_match_ops state_match = {
    .name = "state", .conntrack = true, .opts = state_opts, .parse = state_parse,
    .final_check = state_check, .save = state_save, .match = state_mt,
};

static const struct xt_option conntrack_opts[] = {
    { "ctstate", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static int conntrack_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                           const char *arg, bool invert)
{
    m->u.conntrack.has_state = 1;
    m->u.conntrack.invert = invert;
    return parse_states(p, arg, &m->u.conntrack.state_mask, true);
}

static void conntrack_save(const struct xt_entry_match *m, GString *out)
{
    if (!m->u.conntrack.has_state)
        return;
    g_string_append(out, m->u.conntrack.invert ? " ! --ctstate" : " --ctstate");
    save_states(out, m->u.conntrack.state_mask);
}

static bool conntrack_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    const struct xt_conntrack_mtinfo *info = &m->u.conntrack;
    if (!info->has_state)
        return true;
    return !!(info->state_mask & packet_state(par->skb, true)) ^ info->invert;
}

static const struct xt_match_ops conntrack_match = {
    .name = "conntrack", .conntrack = true, .opts = conntrack_opts, .parse = conntrack_parse,
    .save = conntrack_save, .match = conntrack_mt,
};

/* ---- comment ---------------------------------------------------------------------- */

static const struct xt_option comment_opts[] = {
    { "comment", 0, true, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int comment_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option *o,
                         const char *arg, bool invert)
{
    g_strlcpy(m->u.comment.comment, arg, sizeof m->u.comment.comment);
    return 0;
}

static int comment_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "comment: option \"--comment\" must be specified");
    return 0;
}

static void comment_save(const struct xt_entry_match *m, GString *out)
{
    g_string_append(out, " --comment");
    xt_save_string(out, m->u.comment.comment);
}

static bool comment_mt(const struct xt_entry_match *m, struct xt_action_param *par)
{
    return true;
}

static const struct xt_match_ops comment_match = {
    .name = "comment", .opts = comment_opts, .parse = comment_parse,
    .final_check = comment_check, .save = comment_save, .match = comment_mt,
};

/* ---- lookup ---------------------------------------------------------------------- */

static const struct xt_match_ops *const matches[] = {
    &tcp_match, &udp_match, &icmp_match, &mark_match, &state_match, &conntrack_match,
    &comment_match,
};

const struct xt_match_ops *xt_find_match(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(matches); i++)
        if (strcmp(matches[i]->name, name) == 0)
            return matches[i];
    return NULL;
}
