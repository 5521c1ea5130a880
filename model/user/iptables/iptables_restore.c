/* iptables-restore's reading of a saved rule set (iptables/iptables-restore.c and
 * xshared.c of iptables 1.8: ip46tables_restore_main, add_param_to_argv): see
 * iptables_restore.h. What it refuses, it refuses with its own words where it has
 * them: "COMMIT expected at line N", a rule outside a table, "-t" in a rule. */
#include "model/user/iptables/iptables_restore.h"

#include <ctype.h>
#include <string.h>
#include "model/netfilter/x_tables.h"

static const char *const builtin_chains[] = {
    "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

static bool is_builtin(const char *chain, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(builtin_chains); i++)
        if (strlen(builtin_chains[i]) == len && strncmp(builtin_chains[i], chain, len) == 0)
            return true;
    return false;
}

struct restore {
    const char *text;
    GArray *out;
    struct xt_error *err;
    unsigned lineno;
    size_t at, len;                     /* the current line: start, length (no newline) */
    char table[32];                     /* the open table; "" outside one */
    size_t table_line;                  /* where it was opened (for COMMIT expected) */
};

/* A command: head (not in the text), then rest_len bytes of the line from skip, then
 * tail (not in the text either). */
static void emit(struct restore *r, size_t skip, const char *head, size_t rest_len,
                 const char *tail)
{
    struct xt_restore_cmd c = {
        .lineno = r->lineno, .at = r->at, .head = strlen(head), .skip = skip, .tail = strlen(tail),
    };
    c.line = g_strdup_printf("%s%.*s%s", head, (int)rest_len, r->text + r->at + skip, tail);
    g_array_append_val(r->out, c);
}

/* "[pkts:bytes]" at p (len bytes left): its length, or 0 when malformed. */
static size_t counters_len(const char *p, size_t len)
{
    size_t i = 1;
    if (len == 0 || p[0] != '[')
        return 0;
    for (int part = 0; part < 2; part++) {
        size_t digits = i;
        while (i < len && isdigit((unsigned char)p[i]))
            i++;
        if (i == digits || i >= len || p[i] != (part == 0 ? ':' : ']'))
            return 0;
        i++;
    }
    return i;
}

/* "*table": restore flushes the table and deletes its user chains (flush_entries and
 * delete_chain over every chain), unless --noflush. */
static int open_table(struct restore *r, const char *line)
{
    if (r->table[0])
        return xt_error_set(r->err, r->at, "COMMIT expected at line %u (table `%s' is still open)",
                            r->lineno, r->table);
    size_t n = r->len - 1;
    while (n > 0 && isspace((unsigned char)line[n]))
        n--;
    if (n == 0 || n >= sizeof r->table)
        return xt_error_set(r->err, r->at, "expected a table name after `*' (raw, mangle, nat, "
                            "filter or security)");
    memcpy(r->table, line + 1, n);
    r->table[n] = '\0';
    r->table_line = r->lineno;
    emit(r, 1, "-t ", n, " -F");
    emit(r, 1, "-t ", n, " -X");
    return 0;
}

/* ":CHAIN POLICY [pkts:bytes]": a built-in chain's policy ("-": left as it is), or a
 * user chain to create (its policy must be "-": only built-in chains have one). */
static int declare_chain(struct restore *r, const char *line)
{
    if (!r->table[0])
        return xt_error_set(r->err, r->at, "a chain declaration outside a table (expected "
                            "`*table' before it)");
    const char *name = line + 1, *end = line + r->len;
    const char *sp = name;
    while (sp < end && !isspace((unsigned char)*sp))
        sp++;
    const char *pol = sp;
    while (pol < end && isspace((unsigned char)*pol))
        pol++;
    const char *pol_end = pol;
    while (pol_end < end && !isspace((unsigned char)*pol_end))
        pol_end++;
    if (sp == name)
        return xt_error_set(r->err, r->at + 1, "expected a chain name after `:'");
    if (pol == pol_end)
        return xt_error_set(r->err, r->at + (size_t)(pol - line),
                            "policy invalid (expected ACCEPT, DROP or `-' after the chain name)");
    const char *rest = pol_end;
    while (rest < end && isspace((unsigned char)*rest))
        rest++;
    if (rest < end && counters_len(rest, (size_t)(end - rest)) != (size_t)(end - rest))
        return xt_error_set(r->err, r->at + (size_t)(rest - line),
                            "expected the chain's counters as [packets:bytes]");
    char head[64];
    bool dash = pol_end - pol == 1 && *pol == '-';
    bool builtin = is_builtin(name, (size_t)(sp - name));
    if (!builtin) {
        snprintf(head, sizeof head, "-t %s -N ", r->table);
        emit(r, 1, head, (size_t)(sp - name), "");
    }
    if (!dash) {
        snprintf(head, sizeof head, "-t %s -P ", r->table);
        emit(r, 1, head, (size_t)(pol_end - name), "");
    }
    return 0;
}

/* A word "-t" or "--table" outside quotes: restore takes the table from "*table" only. */
static const char *table_option(const char *p, const char *end)
{
    char quote = 0;
    const char *word = NULL;
    for (; p <= end; p++) {
        bool blank = p == end || (!quote && isspace((unsigned char)*p));
        if (blank) {
            if (word && ((p - word == 2 && strncmp(word, "-t", 2) == 0) ||
                         (p - word == 7 && strncmp(word, "--table", 7) == 0)))
                return word;
            word = NULL;
            continue;
        }
        if (!word)
            word = p;
        if (quote && *p == '\\' && p + 1 < end)
            p++;
        else if (*p == quote)
            quote = 0;
        else if (!quote && (*p == '"' || *p == '\''))
            quote = *p;
    }
    return NULL;
}

static int rule_line(struct restore *r, const char *line)
{
    size_t skip = 0;
    if (line[0] == '[') {
        skip = counters_len(line, r->len);
        if (skip == 0)
            return xt_error_set(r->err, r->at, "expected the rule's counters as [packets:bytes]");
        while (skip < r->len && isspace((unsigned char)line[skip]))
            skip++;
    }
    if (!r->table[0])
        return xt_error_set(r->err, r->at + skip, "a rule outside a table (expected `*table' "
                            "before it)");
    const char *t = table_option(line + skip, line + r->len);
    if (t)
        return xt_error_set(r->err, r->at + (size_t)(t - line), "The -t option (seen in line "
                            "%u) cannot be used in iptables-restore", r->lineno);
    char head[48];
    snprintf(head, sizeof head, "-t %s ", r->table);
    emit(r, skip, head, r->len - skip, "");
    return 0;
}

static int one_line(struct restore *r)
{
    const char *line = r->text + r->at;
    size_t i = 0;
    while (i < r->len && isspace((unsigned char)line[i]))
        i++;
    if (i == r->len || line[0] == '#')
        return 0;
    if (line[0] == '*')
        return open_table(r, line);
    if (line[0] == ':')
        return declare_chain(r, line);
    if (strncmp(line, "COMMIT", 6) == 0 && (r->len == 6 || isspace((unsigned char)line[6]))) {
        if (!r->table[0])
            return xt_error_set(r->err, r->at, "COMMIT without a table (expected `*table' "
                                "before it)");
        r->table[0] = '\0';
        return 0;
    }
    return rule_line(r, line);
}

bool iptables_restore_is_saved(const char *text)
{
    for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '*')
            return true;
    }
    return false;
}

int iptables_restore_parse(const char *text, GArray *out, struct xt_error *err)
{
    struct restore r = { .text = text, .out = out, .err = err };
    guint first = out->len;
    size_t n = strlen(text);
    int ret = 0;
    for (size_t at = 0; at < n && ret == 0;) {
        const char *nl = memchr(text + at, '\n', n - at);
        r.at = at;
        r.len = (nl ? (size_t)(nl - text) : n) - at;
        if (r.len > 0 && text[at + r.len - 1] == '\r')
            r.len--;                    /* a file written on Windows */
        r.lineno++;
        ret = one_line(&r);
        at = nl ? (size_t)(nl - text) + 1 : n;
    }
    if (ret == 0 && r.table[0])
        ret = xt_error_set(err, n, "COMMIT expected at line %u (table `%s' opened at line %zu "
                           "is not committed)", r.lineno + 1, r.table, r.table_line);
    if (ret != 0) {
        for (guint i = first; i < out->len; i++)
            g_free(g_array_index(out, struct xt_restore_cmd, i).line);
        g_array_set_size(out, first);
    }
    return ret;
}

void iptables_restore_clear(GArray *cmds)
{
    for (guint i = 0; cmds && i < cmds->len; i++)
        g_free(g_array_index(cmds, struct xt_restore_cmd, i).line);
    if (cmds)
        g_array_set_size(cmds, 0);
}

size_t iptables_restore_offset(const struct xt_restore_cmd *cmd, size_t off)
{
    return cmd->at + cmd->skip + (off > cmd->head ? off - cmd->head : 0);
}
