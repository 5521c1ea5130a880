/* ipvsadm lines: the parser (ipvsadm_parse) and the control plane behind it
 * (ipvsadm_apply on a fresh host). The input is lines; each is parsed and applied
 * in order on one fresh director, so sequences (add a service, its dests, edit,
 * delete, flush) are reached. Then every listing is printed, and the -Sn output is
 * applied to a second fresh director, whose -Sn must hold the same lines.
 *
 * Checks beyond the sanitizers: an error's column lies within its line (the
 * scenario loader turns it into a file position), and the save round trip. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "tools/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

static struct net *director(struct world *w)
{
    world_init(w, 1);
    static const char *const ifs[] = { "eth0=10.0.0.1/24", NULL };
    struct host *h = fuzz_host(w, "lvs", ifs);
    return net_new(h, NULL);
}

static void check_column(const char *line, const struct ipvsadm_error *err)
{
    size_t n = strlen(line);
    if (err->column < 0 || (size_t)err->column > n + 1 || err->message[0] == '\0') {
        fprintf(stderr, "ipvsadm: '%s': column %d of %zu, message '%s'\n", line, err->column, n,
                err->message);
        abort();
    }
}

static char *save(const struct net *net)
{
    GString *s = g_string_new(NULL);
    if (net->ipvs)
        ipvsadm_save(s, net->ipvs, 0);
    return g_string_free(s, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_cstr(data, size);
    struct world w;
    struct net *net = director(&w);
    char **lines = g_strsplit(text, "\n", 64);
    for (int i = 0; lines[i]; i++) {
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error err = { 0 };
        if (ipvsadm_parse(lines[i], &cmd, &err) != 0)
            check_column(lines[i], &err);
        memset(&err, 0, sizeof err);
        if (ipvsadm_apply(net, lines[i], &err) != 0)
            check_column(lines[i], &err);
    }
    g_strfreev(lines);
    if (net->ipvs) {
        GString *out = g_string_new(NULL);
        static const unsigned fmts[] = {
            0, IPVSADM_FMT_STATS, IPVSADM_FMT_RATE, IPVSADM_FMT_THRESHOLDS,
            IPVSADM_FMT_PERSISTENTCONN, IPVSADM_FMT_TUN_INFO, IPVSADM_FMT_EXACT | IPVSADM_FMT_STATS,
            IPVSADM_FMT_NOSORT,
        };
        for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++)
            ipvsadm_list(out, net->ipvs, fmts[i]);
        ipvsadm_list_timeout(out, net->ipvs);
        ipvsadm_list_conns(out, net->ipvs, 0);
        ip_vs_proc_info(out, net->ipvs);
        ip_vs_proc_stats(out, net->ipvs);
        ip_vs_proc_conn(out, net->ipvs);
        g_string_free(out, TRUE);
    }
    /* -Sn read back gives the same -Sn */
    char *saved = save(net);
    struct world w2;
    struct net *net2 = director(&w2);
    char **back = g_strsplit(saved, "\n", -1);
    for (int i = 0; back[i]; i++) {
        struct ipvsadm_error err = { 0 };
        if (ipvsadm_apply(net2, back[i], &err) != 0) {
            fprintf(stderr, "ipvsadm: -Sn line '%s' does not read back: %s\n", back[i], err.message);
            abort();
        }
    }
    char *again = save(net2);
    char *a = fuzz_sorted_lines(saved), *b = fuzz_sorted_lines(again);
    bool same = strcmp(a, b) == 0;
    g_free(a);
    g_free(b);
    if (!same) {
        fprintf(stderr, "ipvsadm: -Sn round trip differs:\n%s---\n%s", saved, again);
        abort();
    }
    g_free(again);
    g_strfreev(back);
    g_free(saved);
    world_destroy(&w2);
    world_destroy(&w);
    g_free(text);
    return 0;
}
