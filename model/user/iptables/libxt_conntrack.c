/* -m conntrack, --ctstate only (iptables' extensions/libxt_conntrack.c), filling
 * xt_conntrack.c's struct xt_conntrack_mtinfo; and the state lists -m state shares
 * (libxt_conntrack.c holds -m state too in iptables). */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include <strings.h>
#include "model/user/iptables/iptables_parse.h"

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

/* Each word may be cut short ("EST") and any case, as iptables' strncasecmp takes
 * it. */
int xtables_parse_states(struct xt_parse *p, const char *arg, unsigned *mask, bool ctstate)
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

void xtables_save_states(GString *out, unsigned mask)
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

static const struct xt_option_entry conntrack_opts[] = {
    { "ctstate", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static int conntrack_parse(struct xt_parse *p, struct xt_entry_match *m,
                           const struct xt_option_entry *o, const char *arg, bool invert)
{
    m->data.conntrack.has_state = 1;
    m->data.conntrack.invert = invert;
    return xtables_parse_states(p, arg, &m->data.conntrack.state_mask, true);
}

static void conntrack_save(const struct xt_entry_match *m, GString *out)
{
    if (!m->data.conntrack.has_state)
        return;
    g_string_append(out, m->data.conntrack.invert ? " ! --ctstate" : " --ctstate");
    xtables_save_states(out, m->data.conntrack.state_mask);
}

const struct xtables_match libxt_conntrack_match = {
    .name = "conntrack", .opts = conntrack_opts, .parse = conntrack_parse,
    .save = conntrack_save,
};
