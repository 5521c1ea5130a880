/* `ipvsim import keepalived`. */
#include "app/cli/cmd_import.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "app/cli/cmd_check.h"
#include "app/import/import_keepalived.h"
#include "app/report/expect.h"
#include "app/run/run_session.h"
#include "app/scenario/scenario.h"
#include "model/user/keepalived/keepalived_conf.h"

#define USAGE "usage: ipvsim import keepalived FILE [-o SCENARIO.json]\n"

/* The scenario's name: the file's without its extension, in the characters a name
 * takes. */
static char *name_of(const char *file)
{
    char *base = g_path_get_basename(file);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    for (char *p = base; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("._-", *p))
            *p = '-';
    if (base[0] == '.' || !base[0] || strlen(base) > 40) {
        g_free(base);
        return g_strdup("keepalived");
    }
    return base;
}

/* Load the scenario text and build its world, as validate does: the import's result
 * must run as it is. The messages name the temporary file: say what it is. */
static bool validates(const char *text, const char *file)
{
    char *tmp = NULL;
    int fd = g_file_open_tmp("ipvsim-import-XXXXXX.json", &tmp, NULL);
    if (fd < 0)
        return false;
    close(fd);
    bool ok = g_file_set_contents(tmp, text, -1, NULL);
    struct scenario *s = NULL;
    if (ok) {
        struct scn_error err;
        s = scenario_load(tmp, NULL, &err);
        if (!s) {
            fprintf(stderr, "ipvsim import keepalived: the scenario made of %s does not load "
                    "(an ipvsim bug or a value ipvsim refuses):\n", file);
            scn_error_print(&err);
        }
    }
    if (s) {
        struct run_session rs;
        struct expect_set *es = check_prepare(s, &rs, false);
        ok = es != NULL;
        if (es) {
            expect_detach(es, &rs.rw);
            run_session_close(&rs);
            expect_set_free(es);
        } else {
            fprintf(stderr, "ipvsim import keepalived: the scenario made of %s does not validate "
                    "(above)\n", file);
        }
    } else {
        ok = false;
    }
    scenario_free(s);
    g_remove(tmp);
    g_free(tmp);
    return ok;
}

/* Warnings in the file's order: "FILE:LINE:COL: ..." by line and column, ties in the
 * order they were made. */
struct warning {
    int line, col;
    guint index;
    const char *text;
};

static gint by_place(gconstpointer a, gconstpointer b)
{
    const struct warning *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void print_warnings(const GPtrArray *warnings, const char *file)
{
    GArray *w = g_array_sized_new(FALSE, FALSE, sizeof(struct warning), warnings->len);
    size_t skip = strlen(file) + 1;
    for (guint i = 0; i < warnings->len; i++) {
        struct warning e = { .index = i, .text = g_ptr_array_index(warnings, i) };
        if (strlen(e.text) > skip)
            sscanf(e.text + skip, "%d:%d", &e.line, &e.col);
        g_array_append_val(w, e);
    }
    g_array_sort(w, by_place);
    for (guint i = 0; i < w->len; i++)
        fprintf(stderr, "%s\n", g_array_index(w, struct warning, i).text);
    g_array_free(w, TRUE);
}

int cmd_import(int argc, char **argv)
{
    char *out = NULL;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "write the scenario to FILE (default: standard output)", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("keepalived FILE - a scenario made of a keepalived.conf");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *gerr = NULL;
    bool parsed = g_option_context_parse(ctx, &argc, &argv, &gerr);
    g_option_context_free(ctx);
    if (!parsed) {
        fprintf(stderr, "ipvsim import: %s\n" USAGE, gerr->message);
        g_error_free(gerr);
        g_free(out);
        return 2;
    }
    if (argc != 3 || strcmp(argv[1], "keepalived") != 0) {
        if (argc >= 2 && strcmp(argv[1], "keepalived") != 0)
            fprintf(stderr, "ipvsim import: unknown format '%s' (expected keepalived)\n", argv[1]);
        fputs(USAGE, stderr);
        g_free(out);
        return 2;
    }
    const char *file = argv[2];
    char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(file, &text, &len, &gerr)) {
        fprintf(stderr, "%s: cannot read: %s\n", file, gerr->message);
        g_error_free(gerr);
        g_free(out);
        return 2;
    }
    struct kconf_error err;
    struct kconf *k = kconf_parse(file, text, len, &err);
    g_free(text);
    int rc = 0;
    GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
    cJSON *root = NULL;
    if (!k) {
        fprintf(stderr, "%s:%d:%d: %s\n", file, err.pos.line, err.pos.col, err.msg);
        rc = 2;
    } else {
        for (guint i = 0; i < k->warnings->len; i++)
            g_ptr_array_add(warnings, g_strdup(g_ptr_array_index(k->warnings, i)));
        char *name = name_of(file);
        root = import_keepalived(k, file, name, warnings, &err);
        g_free(name);
        if (!root) {
            if (err.pos.line)
                fprintf(stderr, "%s:%d:%d: %s\n", file, err.pos.line, err.pos.col, err.msg);
            else
                fprintf(stderr, "%s: %s\n", file, err.msg);
            rc = 2;
        }
    }
    print_warnings(warnings, file);
    char *json = root ? import_json_text(root) : NULL;
    if (json && !validates(json, file))
        rc = 2;
    if (json && rc == 0) {
        if (!out) {
            fputs(json, stdout);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "ipvsim import: cannot write the scenario: %s\n", g_strerror(errno));
                rc = 1;
            }
        } else if (!g_file_set_contents(out, json, -1, &gerr)) {
            fprintf(stderr, "ipvsim import: %s\n", gerr->message);
            g_error_free(gerr);
            rc = 1;
        } else {
            fprintf(stderr, "%s: written (%u warning%s)\n", out, warnings->len,
                    warnings->len == 1 ? "" : "s");
        }
    }
    g_free(json);
    cJSON_Delete(root);
    kconf_free(k);
    g_ptr_array_free(warnings, TRUE);
    g_free(out);
    return rc;
}
