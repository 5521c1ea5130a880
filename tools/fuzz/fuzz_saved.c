/* Saved rule sets: the text as `ipvsadm-save -n` output and as `iptables-save [-c]`
 * output, as a scenario's "ipvs" and "netfilter" take them (README, "Saved rule sets").
 *   - ipvsadm: each line to ipvsadm_parse and ipvsadm_exec on a fresh director, the
 *     error's column within its line; then the director's -Sn, pasted whole, must
 *     read back to the same -Sn.
 *   - iptables: iptables_restore_parse; an error's offset lies within the text; each
 *     command's words map back to the same bytes of the text (text[head + k] is the
 *     source line's [skip + k]); the commands go to iptables_apply on a fresh
 *     director, each error's offset within its command; then the tables are written
 *     as iptables-save writes them (*table, :CHAIN POLICY [0:0], -A, COMMIT) and
 *     restored on a second director, whose `iptables -S` must be the same. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/netfilter/x_tables.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/user/iptables/iptables_restore.h"
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
    return net_new(fuzz_host(w, "lvs", ifs), NULL);
}

/* ---- ipvsadm-save ------------------------------------------------------------------ */

static void ipvsadm_lines(struct net *net, const char *text, bool must_apply)
{
    char **lines = g_strsplit(text, "\n", 128);
    for (int i = 0; lines[i]; i++) {
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error err = { 0 };
        size_t n = strlen(lines[i]);
        int r = ipvsadm_parse(lines[i], &cmd, &err);
        if (r == 0 && cmd.cmd != IPVSADM_CMD_LIST)
            r = ipvsadm_exec(net, &cmd, &err);
        if (r != 0 && (err.column < 0 || (size_t)err.column > n + 1 || !err.message[0])) {
            fprintf(stderr, "ipvsadm: '%s': column %d of %zu, message '%s'\n", lines[i],
                    err.column, n, err.message);
            abort();
        }
        if (r != 0 && must_apply) {
            fprintf(stderr, "ipvsadm: -Sn line '%s' does not read back: %s\n", lines[i],
                    err.message);
            abort();
        }
    }
    g_strfreev(lines);
}

static char *ipvs_save(const struct net *net)
{
    GString *s = g_string_new(NULL);
    if (net->ipvs)
        ipvsadm_save(s, net->ipvs, 0);
    return g_string_free(s, FALSE);
}

static void fuzz_ipvsadm_save(const char *text)
{
    struct world w, w2;
    struct net *net = director(&w);
    ipvsadm_lines(net, text, false);
    char *saved = ipvs_save(net);
    struct net *net2 = director(&w2);
    ipvsadm_lines(net2, saved, true);
    char *again = ipvs_save(net2);
    char *a = fuzz_sorted_lines(saved), *b = fuzz_sorted_lines(again);
    bool same = strcmp(a, b) == 0;
    g_free(a);
    g_free(b);
    if (!same) {
        fprintf(stderr, "ipvsadm-save round trip differs:\n%s---\n%s", saved, again);
        abort();
    }
    g_free(again);
    g_free(saved);
    world_destroy(&w2);
    world_destroy(&w);
}

/* ---- iptables-save ----------------------------------------------------------------- */

static void check_offsets(const char *text, const struct xt_restore_cmd *c)
{
    size_t n = strlen(text), len = strlen(c->line);
    for (size_t k = 0; k <= len; k++) {
        size_t at = iptables_restore_offset(c, k);
        bool inside = k >= c->head && k + c->tail < len;
        if (at > n || (inside && text[at] != c->line[k])) {
            fprintf(stderr, "iptables-restore: '%s' (line %u): byte %zu maps to %zu of %zu\n",
                    c->line, c->lineno, k, at, n);
            abort();
        }
    }
}

/* Restore text on net: 0, or -1 when restore or a command refused it. */
static int restore(struct net *net, const char *text, bool must_apply)
{
    GArray *cmds = g_array_new(FALSE, FALSE, sizeof(struct xt_restore_cmd));
    struct xt_error err = { 0 };
    int r = iptables_restore_parse(text, cmds, &err);
    if (r != 0 && (err.offset > strlen(text) || !err.msg[0] || cmds->len != 0)) {
        fprintf(stderr, "iptables-restore: offset %zu of %zu, message '%s', %u commands left\n",
                err.offset, strlen(text), err.msg, cmds->len);
        abort();
    }
    for (guint i = 0; r == 0 && i < cmds->len; i++) {
        const struct xt_restore_cmd *c = &g_array_index(cmds, struct xt_restore_cmd, i);
        check_offsets(text, c);
        if (iptables_apply(net, c->line, &err) == 0)
            continue;
        if (err.offset > strlen(c->line) || !err.msg[0] || must_apply) {
            fprintf(stderr, "iptables: '%s': offset %zu, message '%s'\n%s", c->line, err.offset,
                    err.msg, must_apply ? text : "");
            abort();
        }
    }
    iptables_restore_clear(cmds);
    g_array_free(cmds, TRUE);
    return r;
}

/* The tables as iptables-save writes them, from their `iptables -S`. */
static char *iptables_save_text(const struct net *net)
{
    GString *out = g_string_new("# Generated by ipvsim's fuzzer\n");
    for (int id = 0; id < XT_TABLE_MAX; id++) {
        const struct xt_table *t = xt_table_find(net, xt_table_def_of((enum xt_table_id)id)->name);
        if (!t)
            continue;
        GString *s = g_string_new(NULL);
        iptables_save_table(t, s, false);
        g_string_append_printf(out, "*%s\n", t->def->name);
        char **lines = g_strsplit(s->str, "\n", -1);
        for (int pass = 0; pass < 2; pass++)            /* the chains first, then the rules */
            for (int i = 0; lines[i]; i++) {
                char pol[64], name[64];
                if (pass == 0 && sscanf(lines[i], "-P %63s %63s", name, pol) == 2)
                    g_string_append_printf(out, ":%s %s [0:0]\n", name, pol);
                else if (pass == 0 && strncmp(lines[i], "-N ", 3) == 0)
                    g_string_append_printf(out, ":%s - [0:0]\n", lines[i] + 3);
                else if (pass == 1 && strncmp(lines[i], "-A ", 3) == 0)
                    g_string_append_printf(out, "[0:0] %s\n", lines[i]);
            }
        g_string_append(out, "COMMIT\n");
        g_strfreev(lines);
        g_string_free(s, TRUE);
    }
    return g_string_free(out, FALSE);
}

static char *iptables_s(const struct net *net)
{
    GString *s = g_string_new(NULL);
    iptables_save(net, s);
    return g_string_free(s, FALSE);
}

static void fuzz_iptables_save(const char *text)
{
    struct world w, w2;
    struct net *net = director(&w);
    restore(net, text, false);
    char *saved = iptables_save_text(net);
    struct net *net2 = director(&w2);
    restore(net2, saved, true);
    char *a = iptables_s(net), *b = iptables_s(net2);
    if (strcmp(a, b) != 0) {
        fprintf(stderr, "iptables-save round trip differs:\n%s---\n%s---\n%s", saved, a, b);
        abort();
    }
    g_free(a);
    g_free(b);
    g_free(saved);
    world_destroy(&w2);
    world_destroy(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *text = fuzz_cstr(data, size);
    fuzz_ipvsadm_save(text);
    fuzz_iptables_save(text);
    g_free(text);
    return 0;
}
