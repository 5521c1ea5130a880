/* -j SNAT (iptables' extensions/libxt_SNAT.c, libipt_SNAT.c before 1.8): --to-source
 * [ip[-ip]][:port[-port]], --random, --random-fully, --persistent, filling xt_nat.c's
 * struct xt_nat_info with libxt_DNAT.c's range parser. */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry snat_opts[] = {
    { "to-source", XT_NAT_O_TO, true, false, NULL },
    { "random", XT_NAT_O_RANDOM, false, false, NULL },
    { "random-fully", XT_NAT_O_RANDOM_FULLY, false, false, NULL },
    { "persistent", XT_NAT_O_PERSISTENT, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int snat_check(struct xt_parse *p, struct xt_entry_target *t, const struct ipt_entry *e,
                      unsigned xflags)
{
    if (!(xflags & (1u << XT_NAT_O_TO)))
        return xt_parse_error(p, "SNAT: option \"--to-source\" must be specified");
    return 0;
}

static void snat_save(const struct xt_entry_target *t, GString *out)
{
    g_string_append(out, " --to-source ");
    xtables_save_nat_range(out, &t->data.nat.range);
    xtables_save_nat_flags(out, t->data.nat.flags);
}

const struct xtables_target libxt_snat_target = {
    .name = "SNAT", .opts = snat_opts, .parse = xtables_nat_parse, .final_check = snat_check,
    .save = snat_save,
};
