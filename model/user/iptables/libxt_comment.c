/* -m comment (iptables' extensions/libxt_comment.c): --comment text, filling
 * xt_comment.c's struct xt_comment_info. */
#include "model/user/iptables/xtables.h"

#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry comment_opts[] = {
    { "comment", 0, true, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int comment_parse(struct xt_parse *p, struct xt_entry_match *m,
                         const struct xt_option_entry *o, const char *arg, bool invert)
{
    g_strlcpy(m->data.comment.comment, arg, sizeof m->data.comment.comment);
    return 0;
}

static int comment_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "comment: option \"--comment\" must be specified");
    return 0;
}

static void comment_save(const struct xt_entry_match *m, GString *out)
{
    g_string_append(out, " --comment");
    xt_save_string(out, m->data.comment.comment);
}

const struct xtables_match libxt_comment_match = {
    .name = "comment", .opts = comment_opts, .parse = comment_parse,
    .final_check = comment_check, .save = comment_save,
};
