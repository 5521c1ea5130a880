/* -m tcp (iptables' extensions/libxt_tcp.c): --sport, --dport, --syn, --tcp-flags,
 * filling xt_tcpudp.c's struct xt_tcp. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include <strings.h>
#include "model/user/iptables/iptables_parse.h"

enum { O_SPORT, O_DPORT, O_TCPFLAGS };

static const struct xt_option_entry tcp_opts[] = {
    { "source-port", O_SPORT, true, true, "Only one `--source-port' allowed" },
    { "sport", O_SPORT, true, true, "Only one `--source-port' allowed" },
    { "destination-port", O_DPORT, true, true, "Only one `--destination-port' allowed" },
    { "dport", O_DPORT, true, true, "Only one `--destination-port' allowed" },
    { "syn", O_TCPFLAGS, false, true, "Only one of `--syn' or `--tcp-flags'  allowed" },
    { "tcp-flags", O_TCPFLAGS, true, true, "Only one of `--syn' or `--tcp-flags'  allowed" },
    { NULL, 0, false, false, NULL },
};

/* "port", "a:b", ":b" or "a:" (parse_tcp_ports). */
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
    m->data.tcp.spts[1] = m->data.tcp.dpts[1] = 0xffff;
}

static int tcp_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option_entry *o,
                     const char *arg, bool invert)
{
    struct xt_tcp *tcp = &m->data.tcp;
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
    const struct xt_tcp *tcp = &m->data.tcp;
    xtables_save_ports(out, "sport", tcp->spts, tcp->invflags & XT_TCP_INV_SRCPT);
    xtables_save_ports(out, "dport", tcp->dpts, tcp->invflags & XT_TCP_INV_DSTPT);
    if (tcp->flg_mask || (tcp->invflags & XT_TCP_INV_FLAGS)) {
        bool inv = tcp->invflags & XT_TCP_INV_FLAGS;
        g_string_append(out, inv ? " ! --tcp-flags " : " --tcp-flags ");
        save_tcp_flags(out, tcp->flg_mask);
        g_string_append_c(out, ' ');
        save_tcp_flags(out, tcp->flg_cmp);
    }
}

const struct xtables_match libxt_tcp_match = {
    .name = "tcp", .opts = tcp_opts, .init = tcp_init, .parse = tcp_parse, .save = tcp_save,
};
