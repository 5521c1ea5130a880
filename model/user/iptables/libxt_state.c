/* -m state (iptables' extensions/libxt_state.c): --state, filling xt_state.c's
 * struct xt_state_info; the state names are libxt_conntrack.c's. */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry state_opts[] = {
    { "state", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static int state_parse(struct xt_parse *p, struct xt_entry_match *m,
                       const struct xt_option_entry *o, const char *arg, bool invert)
{
    m->data.state.invert = invert;
    return xtables_parse_states(p, arg, &m->data.state.statemask, false);
}

static int state_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "state: option \"--state\" must be specified");
    return 0;
}

static void state_save(const struct xt_entry_match *m, GString *out)
{
    g_string_append(out, m->data.state.invert ? " ! --state" : " --state");
    xtables_save_states(out, m->data.state.statemask);
}

const struct xtables_match libxt_state_match = {
    .name = "state", .opts = state_opts, .parse = state_parse, .final_check = state_check,
    .save = state_save,
};
