/* -j LOG (iptables' extensions/libxt_LOG.c): level, prefix and flags, filling
 * xt_LOG.c's struct xt_log_info. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include "model/user/iptables/iptables_parse.h"

enum { O_LOG_LEVEL, O_LOG_PREFIX, O_LOG_TCPSEQ, O_LOG_TCPOPT, O_LOG_IPOPT, O_LOG_UID, O_LOG_MAC };

static const struct xt_option_entry log_opts[] = {
    { "log-level", O_LOG_LEVEL, true, false, NULL },
    { "log-prefix", O_LOG_PREFIX, true, false, NULL },
    { "log-tcp-sequence", O_LOG_TCPSEQ, false, false, NULL },
    { "log-tcp-options", O_LOG_TCPOPT, false, false, NULL },
    { "log-ip-options", O_LOG_IPOPT, false, false, NULL },
    { "log-uid", O_LOG_UID, false, false, NULL },
    { "log-macdecode", O_LOG_MAC, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static const uint8_t log_flag_of[] = {
    [O_LOG_TCPSEQ] = XT_LOG_TCPSEQ, [O_LOG_TCPOPT] = XT_LOG_TCPOPT, [O_LOG_IPOPT] = XT_LOG_IPOPT,
    [O_LOG_UID] = XT_LOG_UID, [O_LOG_MAC] = XT_LOG_MACDECODE,
};

static const struct {
    const char *name;
    uint8_t level;
} log_levels[] = {
    { "alert", 1 }, { "crit", 2 }, { "debug", 7 }, { "emerg", 0 }, { "error", 3 },
    { "info", 6 }, { "notice", 5 }, { "panic", 0 }, { "warning", 4 },
};

static void log_init(struct xt_entry_target *t)
{
    t->data.log.level = 4;                 /* LOG_WARNING */
}

static int log_level(struct xt_parse *p, const char *arg, uint8_t *level)
{
    uint32_t v;
    if (xt_strtoui(arg, 0, 7, &v)) {
        *level = (uint8_t)v;
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(log_levels); i++)
        if (strcmp(log_levels[i].name, arg) == 0) {
            *level = log_levels[i].level;
            return 0;
        }
    return xt_parse_error(p, "log level \"%s\" unknown", arg);
}

static int log_parse(struct xt_parse *p, struct xt_entry_target *t,
                     const struct xt_option_entry *o, const char *arg, bool invert)
{
    struct xt_log_info *info = &t->data.log;
    switch (o->id) {
    case O_LOG_LEVEL:
        return log_level(p, arg, &info->level);
    case O_LOG_PREFIX:
        if (!*arg)
            return xt_parse_error(p, "Argument must have a minimum length of 1 characters");
        if (strchr(arg, '\n'))
            return xt_parse_error(p, "Newlines not allowed in --log-prefix");
        if (strlen(arg) > XT_LOG_PREFIX_LEN - 1)
            return xt_parse_error(p, "Maximum prefix length %u for --log-prefix",
                                  XT_LOG_PREFIX_LEN - 1);
        g_strlcpy(info->prefix, arg, sizeof info->prefix);
        return 0;
    default:
        info->logflags |= log_flag_of[o->id];
        return 0;
    }
}

static void log_save(const struct xt_entry_target *t, GString *out)
{
    const struct xt_log_info *info = &t->data.log;
    if (info->prefix[0]) {
        g_string_append(out, " --log-prefix");
        xt_save_string(out, info->prefix);
    }
    if (info->level != 4)
        g_string_append_printf(out, " --log-level %u", info->level);
    for (int id = O_LOG_TCPSEQ; id <= O_LOG_MAC; id++)
        if (info->logflags & log_flag_of[id])
            g_string_append_printf(out, " --%s", log_opts[id].name);
}

const struct xtables_target libxt_log_target = {
    .name = "LOG", .opts = log_opts, .init = log_init, .parse = log_parse, .save = log_save,
    .no_ipv6 = XT_NO_IPV6_LOG,
};
