/* -j MASQUERADE (iptables' extensions/libxt_MASQUERADE.c, libipt_MASQUERADE.c before
 * 1.8): --to-ports, --random, --random-fully, filling xt_MASQUERADE.c's struct
 * xt_nat_info (ports only). */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry masq_opts[] = {
    { "to-ports", XT_NAT_O_TO, true, false, NULL },
    { "random", XT_NAT_O_RANDOM, false, false, NULL },
    { "random-fully", XT_NAT_O_RANDOM_FULLY, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int masq_parse(struct xt_parse *p, struct xt_entry_target *t,
                      const struct xt_option_entry *o, const char *arg, bool invert)
{
    if (o->id != XT_NAT_O_TO)
        return xtables_nat_parse(p, t, o, arg, invert);
    if (!xtables_nat_ports_ok(xt_parse_entry(p)))
        return xt_parse_error(p, "Need TCP, UDP, SCTP or DCCP with port specification");
    return xtables_parse_nat_ports(p, arg, &t->data.nat.range);
}

static void masq_save(const struct xt_entry_target *t, GString *out)
{
    const struct nf_nat_range *r = &t->data.nat.range;
    if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        g_string_append_printf(out, " --to-ports %u", r->min_proto);
        if (r->max_proto != r->min_proto)
            g_string_append_printf(out, "-%u", r->max_proto);
    }
    xtables_save_nat_flags(out, t->data.nat.flags);
}

const struct xtables_target libxt_masquerade_target = {
    .name = "MASQUERADE", .opts = masq_opts, .parse = masq_parse, .save = masq_save,
};
