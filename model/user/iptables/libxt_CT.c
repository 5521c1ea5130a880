/* -j CT --notrack and -j NOTRACK (iptables' extensions/libxt_CT.c, which holds the
 * NOTRACK alias: it fills xt_CT.c's target with --notrack set, and the rule lists as
 * CT --notrack). */
#include "model/user/iptables/xtables.h"

static const struct xt_option_entry ct_opts[] = {
    { "notrack", 0, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int ct_parse(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option_entry *o,
                    const char *arg, bool invert)
{
    t->data.ct.flags |= XT_CT_NOTRACK;
    return 0;
}

static void ct_save(const struct xt_entry_target *t, GString *out)
{
    if (t->data.ct.flags & XT_CT_NOTRACK)
        g_string_append(out, " --notrack");
}

static void notrack_init(struct xt_entry_target *t)
{
    t->data.ct.flags |= XT_CT_NOTRACK;
}

const struct xtables_target libxt_ct_target = {
    .name = "CT", .opts = ct_opts, .parse = ct_parse, .save = ct_save,
};

/* Takes CT's options as before: -j NOTRACK --notrack is accepted and lists the same. */
const struct xtables_target libxt_notrack_target = {
    .name = "NOTRACK", .real_name = "CT", .opts = ct_opts, .init = notrack_init,
    .parse = ct_parse, .save = ct_save,
};
