/* -m mark (iptables' extensions/libxt_mark.c): --mark value[/mask], filling
 * xt_mark.c's struct xt_mark_mtinfo1. */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry mark_opts[] = {
    { "mark", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static int mark_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option_entry *o,
                      const char *arg, bool invert)
{
    if (!xt_parse_val_mask(arg, &m->data.mark.mark, &m->data.mark.mask))
        return xt_parse_error(p, "mark: Bad value for \"%s\" option: \"%s\"", o->name, arg);
    m->data.mark.invert = invert;
    return 0;
}

static int mark_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "mark: option \"--mark\" must be specified");
    return 0;
}

static void mark_save(const struct xt_entry_match *m, GString *out)
{
    const struct xt_mark_mtinfo1 *info = &m->data.mark;
    g_string_append(out, info->invert ? " ! --mark" : " --mark");
    if (info->mask != 0xffffffffu)
        g_string_append_printf(out, " 0x%x/0x%x", info->mark, info->mask);
    else
        g_string_append_printf(out, " 0x%x", info->mark);
}

const struct xtables_match libxt_mark_match = {
    .name = "mark", .opts = mark_opts, .parse = mark_parse, .final_check = mark_check,
    .save = mark_save,
};
