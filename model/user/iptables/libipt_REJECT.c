/* -j REJECT (iptables' extensions/libipt_REJECT.c): --reject-with, filling
 * ipt_REJECT.c's struct ipt_reject_info. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include <strings.h>
#include "model/user/iptables/iptables_parse.h"

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

static const struct xt_option_entry reject_opts[] = {
    { "reject-with", 0, true, false, NULL },
    { NULL, 0, false, false, NULL },
};

static void reject_init(struct xt_entry_target *t)
{
    t->data.reject.with = IPT_ICMP_PORT_UNREACHABLE;
}

/* libipt_REJECT takes any start of a name or of its alias, the first that fits. */
static int reject_parse(struct xt_parse *p, struct xt_entry_target *t,
                        const struct xt_option_entry *o, const char *arg, bool invert)
{
    size_t len = strlen(arg);
    for (size_t i = 0; len && i < G_N_ELEMENTS(reject_table); i++)
        if (strncasecmp(reject_table[i].name, arg, len) == 0 ||
            strncasecmp(reject_table[i].alias, arg, len) == 0) {
            t->data.reject.with = reject_table[i].with;
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
    g_string_append_printf(out, " --reject-with %s", reject_name(t->data.reject.with));
}

const struct xtables_target libipt_reject_target = {
    .name = "REJECT", .opts = reject_opts, .init = reject_init, .parse = reject_parse,
    .no_ipv6 = XT_NO_IPV6_REJECT,
    .save = reject_save,
};
