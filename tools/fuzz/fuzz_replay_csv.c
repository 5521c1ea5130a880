/* A replay's CSV file (app/scenario/replay.c, replay_read_csv): any text.
 *
 * Checks beyond the sanitizers: a refused file always says why, at a line and a
 * column that exist (1-based, the line at most the file's count); an accepted one
 * gives a line for every conversation, in increasing order, each conversation a
 * protocol of 0 (the group's), TCP or UDP and at least one request. */
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/scenario/replay.h"
#include "tools/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *text = fuzz_cstr(data, size);
    int nlines = 1;
    for (size_t i = 0; i < size; i++)
        nlines += data[i] == '\n';
    GArray *convs = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(int));
    struct replay_fault f;
    bool ok = replay_read_csv(text, convs, lines, &f);
    if (!ok && (f.why[0] == '\0' || f.line < 1 || f.line > nlines || f.col < 1)) {
        fprintf(stderr, "refused at %d:%d (of %d lines) with '%s'\n", f.line, f.col, nlines, f.why);
        abort();
    }
    if (ok && (convs->len == 0 || convs->len != lines->len)) {
        fprintf(stderr, "%u conversations, %u lines\n", convs->len, lines->len);
        abort();
    }
    for (guint i = 0; ok && i < convs->len; i++) {
        const struct client_script_conn *e = &g_array_index(convs, struct client_script_conn, i);
        int l = g_array_index(lines, int, i);
        if ((i > 0 && l <= g_array_index(lines, int, i - 1)) || l > nlines || e->requests < 1 ||
            (e->proto != 0 && e->proto != IPPROTO_TCP && e->proto != IPPROTO_UDP) || e->at < 0) {
            fprintf(stderr, "conversation %u (line %d): proto %u, requests %u, at %lld\n", i, l,
                    e->proto, e->requests, (long long)e->at);
            abort();
        }
    }
    g_array_free(convs, TRUE);
    g_array_free(lines, TRUE);
    g_free(text);
    return 0;
}
