/* keepalived.conf: the reader (kconf_parse) and the scenario made of it
 * (import_keepalived, import_json_text), as `ipvsim import keepalived` runs them.
 *
 * Checks beyond the sanitizers: an error's place lies within the text (line from 1
 * to the lines there are, column from 1) and it has a message; every warning names
 * the file; the scenario text is JSON that reads back to the same text. */
#include <cjson/cJSON.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/import/import_keepalived.h"
#include "model/user/keepalived/keepalived_conf.h"
#include "tools/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

static void check_place(const uint8_t *data, size_t size, const struct kconf_error *err)
{
    int lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (err->pos.line < 1 || err->pos.line > lines || err->pos.col < 1 || !err->msg[0]) {
        fprintf(stderr, "keepalived: error at %d:%d of %d lines: '%s'\n", err->pos.line,
                err->pos.col, lines, err->msg);
        abort();
    }
}

static void check_warnings(const GPtrArray *w)
{
    for (guint i = 0; i < w->len; i++)
        if (!g_str_has_prefix(g_ptr_array_index(w, i), "k.conf:")) {
            fprintf(stderr, "keepalived: a warning without its place: '%s'\n",
                    (const char *)g_ptr_array_index(w, i));
            abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    struct kconf_error err = { 0 };
    struct kconf *k = kconf_parse("k.conf", (const char *)data, size, &err);
    if (!k) {
        check_place(data, size, &err);
        return 0;
    }
    check_warnings(k->warnings);
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    cJSON *root = import_keepalived(k, "k.conf", "k", w, &err);
    check_warnings(w);
    if (root) {
        char *text = import_json_text(root);
        cJSON *back = cJSON_Parse(text);
        char *again = back ? import_json_text(back) : NULL;
        if (!again || strcmp(text, again) != 0) {
            fprintf(stderr, "keepalived: the scenario text does not read back:\n%s", text);
            abort();
        }
        g_free(again);
        cJSON_Delete(back);
        g_free(text);
        cJSON_Delete(root);
    } else if (!err.msg[0]) {
        fprintf(stderr, "keepalived: no scenario and no message\n");
        abort();
    }
    g_ptr_array_free(w, TRUE);
    kconf_free(k);
    return 0;
}
