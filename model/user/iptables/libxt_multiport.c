/* -m multiport (iptables' extensions/libxt_multiport.c, revision 1): --sports,
 * --dports or --ports, a list of up to 15 ports where a range a:b takes two,
 * filling xt_multiport.c's struct xt_multiport_v1. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include "model/user/iptables/iptables_parse.h"

enum { O_SOURCE_PORTS = XT_MULTIPORT_SOURCE, O_DEST_PORTS = XT_MULTIPORT_DESTINATION,
       O_SD_PORTS = XT_MULTIPORT_EITHER };

#define ONE_OPTION "multiport can only have one option"

/* One id for the three: only one of them may be given. */
static const struct xt_option_entry multiport_opts[] = {
    { "source-ports", 0, true, true, ONE_OPTION },
    { "sports", 0, true, true, ONE_OPTION },
    { "destination-ports", 0, true, true, ONE_OPTION },
    { "dports", 0, true, true, ONE_OPTION },
    { "ports", 0, true, true, ONE_OPTION },
    { NULL, 0, false, false, NULL },
};

/* check_proto: the ports must have a protocol that has them. */
static int check_proto(struct xt_parse *p)
{
    const struct ipt_entry *e = xt_parse_entry(p);
    uint16_t proto = e->ip.proto;
    if (e->ip.invflags & XT_INV_PROTO)
        return xt_parse_error(p, "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
    if (proto == 0)
        return xt_parse_error(p, "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' "
                              "or `-p dccp'");
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_UDPLITE &&
        proto != IPPROTO_SCTP && proto != IPPROTO_DCCP)
        return xt_parse_error(p, "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
    return 0;
}

/* parse_multi_ports_v1: "p1,p2,a:b,..." (a range must rise: a < b). */
static int parse_multi_ports_v1(struct xt_parse *p, const char *arg, struct xt_multiport_v1 *info)
{
    gchar **items = g_strsplit(arg, ",", -1);
    unsigned i = 0;
    int r = 0;
    memset(info->pflags, 0, sizeof info->pflags);
    gchar **it = items;
    for (; *it && i < XT_MULTI_PORTS && r == 0; it++, i++) {
        char *range = strchr(*it, ':');
        if (range) {
            if (i == XT_MULTI_PORTS - 1) {
                r = xt_parse_error(p, "too many ports specified");
                break;
            }
            *range++ = '\0';
        }
        if (!xt_parse_port(*it, &info->ports[i])) {
            r = xt_parse_error(p, "invalid port/service `%s' specified", *it);
        } else if (range) {
            info->pflags[i] = 1;
            if (!xt_parse_port(range, &info->ports[++i]))
                r = xt_parse_error(p, "invalid port/service `%s' specified", range);
            else if (info->ports[i - 1] >= info->ports[i])
                r = xt_parse_error(p, "invalid portrange specified");
        }
    }
    if (r == 0 && *it)
        r = xt_parse_error(p, "too many ports specified");
    info->count = (uint8_t)i;
    g_strfreev(items);
    return r;
}

static int multiport_parse(struct xt_parse *p, struct xt_entry_match *m,
                           const struct xt_option_entry *o, const char *arg, bool invert)
{
    struct xt_multiport_v1 *info = &m->data.multiport;
    if (check_proto(p) < 0 || parse_multi_ports_v1(p, arg, info) < 0)
        return -1;
    info->flags = strcmp(o->name, "ports") == 0 ? XT_MULTIPORT_EITHER
                  : strstr(o->name, "source") || strcmp(o->name, "sports") == 0
                      ? XT_MULTIPORT_SOURCE
                      : XT_MULTIPORT_DESTINATION;
    info->invert = invert;
    return 0;
}

static int multiport_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "multiport expects an option");
    return 0;
}

/* multiport_save_v1: numbers, as iptables-save prints them. */
static void multiport_save(const struct xt_entry_match *m, GString *out)
{
    const struct xt_multiport_v1 *info = &m->data.multiport;
    static const char *const opt[] = { " --sports ", " --dports ", " --ports " };
    if (info->invert)
        g_string_append(out, " !");
    g_string_append(out, opt[info->flags <= XT_MULTIPORT_EITHER ? info->flags : 2]);
    for (unsigned i = 0; i < info->count; i++) {
        g_string_append_printf(out, "%s%u", i ? "," : "", info->ports[i]);
        if (info->pflags[i] && i + 1 < info->count)
            g_string_append_printf(out, ":%u", info->ports[++i]);
    }
}

const struct xtables_match libxt_multiport_match = {
    .name = "multiport", .opts = multiport_opts, .parse = multiport_parse,
    .final_check = multiport_check, .save = multiport_save,
};
