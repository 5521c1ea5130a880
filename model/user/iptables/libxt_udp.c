/* -m udp (iptables' extensions/libxt_udp.c): --sport and --dport, filling
 * xt_tcpudp.c's struct xt_udp. */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

enum { O_SPORT, O_DPORT };

static const struct xt_option_entry udp_opts[] = {
    { "source-port", O_SPORT, true, true, NULL },
    { "sport", O_SPORT, true, true, NULL },
    { "destination-port", O_DPORT, true, true, NULL },
    { "dport", O_DPORT, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static void udp_init(struct xt_entry_match *m)
{
    m->data.udp.spts[1] = m->data.udp.dpts[1] = 0xffff;
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

static int udp_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option_entry *o,
                     const char *arg, bool invert)
{
    struct xt_udp *udp = &m->data.udp;
    if (o->id == O_SPORT) {
        udp->invflags |= invert ? XT_UDP_INV_SRCPT : 0;
        return udp_ports(p, o->name, arg, udp->spts);
    }
    udp->invflags |= invert ? XT_UDP_INV_DSTPT : 0;
    return udp_ports(p, o->name, arg, udp->dpts);
}

static void udp_save(const struct xt_entry_match *m, GString *out)
{
    xtables_save_ports(out, "sport", m->data.udp.spts, m->data.udp.invflags & XT_UDP_INV_SRCPT);
    xtables_save_ports(out, "dport", m->data.udp.dpts, m->data.udp.invflags & XT_UDP_INV_DSTPT);
}

const struct xtables_match libxt_udp_match = {
    .name = "udp", .opts = udp_opts, .init = udp_init, .parse = udp_parse, .save = udp_save,
};
