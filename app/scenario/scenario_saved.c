/* The "ipvs" and "netfilter" sections: command lines one by one, or a saved rule set
 * (`ipvsadm-save -n` / `ipvsadm -Sn`, `iptables-save [-c]`) pasted as one string or
 * referenced as {"file": PATH}, relative to the scenario's directory (README, "Saved
 * rule sets"). Everything becomes plain command lines here, so that every reader of
 * s->ipvs and s->netfilter (the world builder, compare, the plots, kernel-check) sees
 * one kind of line; each keeps where its source line stands for messages. */
#include "app/scenario/scenario_internal.h"

#include <string.h>
#include "app/scenario/units.h"
#include "model/user/iptables/iptables_restore.h"

/* Where a saved text comes from: a string of the scenario (start: its first
 * character), or a file (path: as the scenario names it, joined to its directory). */
struct saved_src {
    const cJSON *node;                  /* the string, or the "file" value */
    struct scn_pos start;               /* string: its first character; file: {1, 1, path} */
    const char *text;
    bool multi;                         /* a whole text, not a one-line string */
};

/* The position of byte off of the text (errors of the text's own structure). */
static struct scn_pos text_pos(const struct scn_ctx *c, const struct saved_src *src, size_t off)
{
    if (!src->start.file)
        return scn_pos_in_string(c->s, src->start, off);
    struct scn_pos p = src->start;
    for (size_t i = 0; i < off && src->text[i]; i++) {
        if (src->text[i] == '\n') {
            p.line++;
            p.col = 1;
        } else if (((unsigned char)src->text[i] & 0xc0) != 0x80) {
            p.col++;
        }
    }
    return p;
}

static void add_line(const struct saved_src *src, GArray *out, const char *text, size_t at,
                     size_t len, size_t head, size_t skip, unsigned lineno, char *cmd)
{
    struct scn_line l = { .text = cmd, .pos = src->start, .head = head, .skip = skip,
                          .saved_line = src->multi ? lineno : 0 };
    if (src->start.file) {
        l.pos.line = (int)lineno;
        l.src = g_strndup(text + at, len);
    } else {
        l.base = at;
    }
    g_array_append_val(out, l);
}

/* iptables-save output: the commands iptables-restore runs for it. */
static bool add_restore(struct scn_ctx *c, const struct saved_src *src, GArray *out,
                        const char *restore)
{
    GArray *cmds = g_array_new(FALSE, FALSE, sizeof(struct xt_restore_cmd));
    struct xt_error e = { 0 };
    bool ok = iptables_restore_parse(src->text, cmds, &e) == 0;
    if (!ok)
        scn_fail_at(c, text_pos(c, src, e.offset), "%s: %s", restore, e.msg);
    for (guint i = 0; ok && i < cmds->len; i++) {
        struct xt_restore_cmd *x = &g_array_index(cmds, struct xt_restore_cmd, i);
        size_t len = strcspn(src->text + x->at, "\r\n");
        add_line(src, out, src->text, x->at, len, x->head, x->skip, x->lineno, x->line);
        x->line = NULL;                 /* now the scn_line's */
    }
    iptables_restore_clear(cmds);
    g_array_free(cmds, TRUE);
    return ok;
}

/* Lines of commands: each line one command; blank lines and lines starting with '#'
 * are skipped (a one-line string is taken as it is, as before saved texts). */
static bool add_text(struct scn_ctx *c, const struct saved_src *src, GArray *out,
                     const char *restore)
{
    if (restore && src->multi && iptables_restore_is_saved(src->text))
        return add_restore(c, src, out, restore);
    if (!src->multi) {
        add_line(src, out, src->text, 0, strlen(src->text), 0, 0, 1, g_strdup(src->text));
        return true;
    }
    const char *t = src->text;
    unsigned lineno = 0;
    for (size_t at = 0, n = strlen(t); at < n;) {
        size_t len = strcspn(t + at, "\n");
        size_t end = len > 0 && t[at + len - 1] == '\r' ? len - 1 : len;
        size_t lead = strspn(t + at, " \t");
        lineno++;
        if (lead < end && t[at + lead] != '#')
            add_line(src, out, t, at, end, 0, 0, lineno, g_strndup(t + at, end));
        at += len + 1;
    }
    return true;
}

/* {"file": PATH}: the file's text, its path kept by the scenario for messages. */
static bool add_file(struct scn_ctx *c, const cJSON *obj, GArray *out, const char *restore)
{
    if (!scn_check_object(c, obj, &scn_saved_file) || !scn_require(c, obj, "file"))
        return false;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, "file");
    if (!cJSON_IsString(f) || !f->valuestring[0])
        return scn_fail(c, f, false, "expected a saved rule set's file, relative to the "
                        "scenario (a string), not %s", cJSON_IsString(f) ? "\"\"" : scn_type_name(f));
    char *path = g_path_is_absolute(f->valuestring) || strcmp(c->dir, ".") == 0
                     ? g_strdup(f->valuestring) : g_build_filename(c->dir, f->valuestring, NULL);
    char *text = NULL, why[128];
    size_t len = 0;
    if (!units_read_file(path, &text, &len, why, sizeof why)) {
        g_free(path);
        return scn_fail(c, f, false, "cannot read '%s': %s", f->valuestring, why);
    }
    g_ptr_array_add(c->s->files, path);
    struct saved_src src = { .node = f, .start = { .line = 1, .col = 1, .file = path },
                             .text = text, .multi = true };
    bool ok = add_text(c, &src, out, restore);
    g_free(text);
    return ok;
}

static bool add_item(struct scn_ctx *c, const cJSON *item, GArray *out, const char *restore)
{
    if (cJSON_IsObject(item))
        return add_file(c, item, out, restore);
    struct scn_line l;
    if (!cJSON_IsString(item))
        return scn_fail(c, item, false, "expected a command line (a string), a saved rule set "
                        "(one string of several lines) or {\"file\": PATH}, not %s",
                        scn_type_name(item));
    if (!scn_line_of(c, item, &l))
        return false;
    struct saved_src src = { .node = item, .start = l.pos, .text = l.text,
                             .multi = strchr(l.text, '\n') != NULL };
    bool ok = add_text(c, &src, out, restore);
    g_free(l.text);
    return ok;
}

bool scn_load_lines(struct scn_ctx *c, const cJSON *root, const char *key, GArray *out,
                    const char *restore)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!list)
        return true;
    size_t saved = scn_path_push_key(c, key);
    bool ok = true;
    if (!cJSON_IsArray(list)) {
        ok = add_item(c, list, out, restore);
    } else {
        const cJSON *item;
        int i = 0;
        cJSON_ArrayForEach(item, list) {
            size_t at = scn_path_push_index(c, i++);
            ok = add_item(c, item, out, restore);
            scn_path_pop(c, at);
            if (!ok)
                break;
        }
    }
    scn_path_pop(c, saved);
    return ok;
}

void scn_free_lines(GArray *a)
{
    for (guint i = 0; a && i < a->len; i++) {
        g_free(g_array_index(a, struct scn_line, i).text);
        g_free(g_array_index(a, struct scn_line, i).src);
    }
    if (a)
        g_array_free(a, TRUE);
}

struct scn_pos scn_line_pos(const struct scenario *s, const struct scn_line *l, size_t offset)
{
    size_t off = l->skip + (offset > l->head ? offset - l->head : 0);
    if (!l->pos.file)
        return scn_pos_in_string(s, l->pos, l->base + off);
    struct scn_pos p = l->pos;
    for (size_t i = 0; i < off && l->src[i]; i++)
        if (((unsigned char)l->src[i] & 0xc0) != 0x80)
            p.col++;
    return p;
}

void scn_line_error(struct scn_error *err, const struct scenario *s, const struct scn_line *l,
                    size_t offset, const char *tool, const char *msg)
{
    char where[48] = "";
    if (l->saved_line > 0 && !l->pos.file)
        snprintf(where, sizeof where, " (line %u of the saved text)", l->saved_line);
    scn_error_at(err, s, scn_line_pos(s, l, offset), "%s%s: %s", tool, where, msg);
}
