/* -j MARK (iptables' extensions/libxt_MARK.c): --set-xmark and the --set, --and,
 * --or and --xor shorthands, all kept as xt_mark.c's mask and xor (struct
 * xt_mark_tginfo2) and printed as --set-xmark. */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

enum { O_SET_XMARK, O_SET_MARK, O_AND_MARK, O_OR_MARK, O_XOR_MARK, O_MARK_MAX };

static const struct xt_option_entry mark_opts[] = {
    { "set-xmark", O_SET_XMARK, true, false, NULL },
    { "set-mark", O_SET_MARK, true, false, NULL },
    { "and-mark", O_AND_MARK, true, false, NULL },
    { "or-mark", O_OR_MARK, true, false, NULL },
    { "xor-mark", O_XOR_MARK, true, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int mark_parse(struct xt_parse *p, struct xt_entry_target *t,
                      const struct xt_option_entry *o, const char *arg, bool invert)
{
    struct xt_mark_tginfo2 *info = &t->data.mark;
    uint32_t v, m;
    if (o->id == O_SET_XMARK || o->id == O_SET_MARK) {
        if (!xt_parse_val_mask(arg, &v, &m))
            return xt_parse_error(p, "MARK: Bad value for \"%s\" option: \"%s\"", o->name, arg);
        info->mark = v;
        info->mask = o->id == O_SET_MARK ? (m | v) : m;
        return 0;
    }
    if (!xt_strtoui(arg, 0, UINT32_MAX, &v))
        return xt_parse_error(p, "MARK: bad value for option \"--%s\", or out of range "
                              "(0-4294967295).", o->name);
    info->mark = o->id == O_AND_MARK ? 0 : v;
    info->mask = o->id == O_AND_MARK ? ~v : o->id == O_OR_MARK ? v : 0;
    return 0;
}

static int mark_check(struct xt_parse *p, struct xt_entry_target *t, const struct ipt_entry *e,
                      unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "MARK: One of the --set-xmark, --{and,or,xor,set}-mark "
                              "options is required");
    int first = -1;
    for (int id = 0; id < O_MARK_MAX; id++) {
        if (!(xflags & (1u << id)))
            continue;
        if (first >= 0)
            return xt_parse_error(p, "MARK: option \"--%s\" cannot be used together with \"--%s\".",
                                  mark_opts[first].name, mark_opts[id].name);
        first = id;
    }
    return 0;
}

static void mark_save(const struct xt_entry_target *t, GString *out)
{
    g_string_append_printf(out, " --set-xmark 0x%x/0x%x", t->data.mark.mark, t->data.mark.mask);
}

const struct xtables_target libxt_mark_target = {
    .name = "MARK", .opts = mark_opts, .parse = mark_parse, .final_check = mark_check,
    .save = mark_save,
};
