/* Expectations: parsing, measuring, evaluating (docs/expect.md). */
#include "app/report/expect.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "app/report/fingerprint.h"
#include "app/report/run_output.h"
#include "model/net.h"
#include "model/netfilter/core.h"

enum exp_kind { EXP_PATH, EXP_HOOK_ORDER, EXP_DEST, EXP_METRIC, EXP_FINGERPRINT };

static const char *const kind_keys[] = { "path", "hook_order", "dest", "metric", "fingerprint" };

enum exp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
static const char *const op_names[] = { "==", "!=", "<", "<=", ">", ">=" };

struct hook_name {
    char *name;
    bool has_prio;
    int prio;
};

struct exp_entry {
    enum exp_kind kind;
    int index;
    const cJSON *node;              /* the entry */
    const cJSON *host_node;         /* where the host was named (NULL: the director) */
    const cJSON *server_node;       /* dest: the "equals" value */
    char *comment;
    /* path, dest */
    uint64_t conn;
    uint32_t packet;
    /* path, hook_order */
    int hook;
    uint8_t pf;                     /* hook_order: NFPROTO_IPV4 or NFPROTO_IPV6 */
    GArray *hooks;                  /* path: the hook points expected (int) */
    GArray *order;                  /* hook_order: struct hook_name */
    /* dest */
    char *server;                   /* NULL: served by no server (JSON null) */
    int server_index;
    /* metric */
    char *metric, *ratio_of;
    enum exp_op op;
    const cJSON *value;             /* inside the scenario's tree */
    /* fingerprint */
    uint64_t fp;
    uint64_t fp_calls;              /* 0: not pinned */
    uint64_t fp_every;              /* with fp_marks */
    GArray *fp_marks;               /* uint16_t (app/report/fingerprint.h), NULL: not pinned */
    /* bound by expect_attach */
    struct host *h;
    GString *seen_order;            /* hook_order: what was registered */
    GString *order_diff;            /* hook_order: where it parts from the list ("": nowhere) */
    bool order_ok;
};

/* ---- the path of a packet, from the trace ---------------------------------------------- */

struct pkt_path {
    int pending;                    /* a hook point the stack is about to enter, or -1 */
    int cont;                       /* the point of the hook call that just returned and let
                                     * the packet go on (the next call there is the same
                                     * visit), or -1 */
    GArray *visits;                 /* int */
};

struct flow_paths {
    GHashTable *pkts;               /* packet id (gint64 *) -> struct pkt_path * */
    GArray *order;                  /* packet ids (uint64_t) in the order first seen */
};

struct host_watch {
    struct trace_sink sink;
    struct host *h;
    struct fp_sink *fp;             /* NULL: no fingerprint asked for this host */
    GHashTable *flows;              /* conversation (gint64 *) -> struct flow_paths *; NULL: none */
};

struct expect_set {
    const struct scenario *s;
    GPtrArray *entries;             /* struct exp_entry * */
    GPtrArray *watches;             /* struct host_watch * */
};

/* The functions that call NF_HOOK at a point, and those NF_HOOK continues with. */
static const struct { const char *func; int hook; } hook_callers[] = {
    { "ip_rcv", NF_INET_PRE_ROUTING },
    { "ip_local_deliver", NF_INET_LOCAL_IN },
    { "ip_forward", NF_INET_FORWARD },
    { "__ip_local_out", NF_INET_LOCAL_OUT },
    { "ip_vs_nat_send_or_cont", NF_INET_LOCAL_OUT },
    { "ip_vs_send_or_cont", NF_INET_LOCAL_OUT },
    { "IP_VS_XMIT", NF_INET_LOCAL_OUT },           /* 2.6.34's transmitters */
    { "ip_output", NF_INET_POST_ROUTING },
    { "ipv6_rcv", NF_INET_PRE_ROUTING },           /* the IPv6 path (model/ipv6/) */
    { "ip6_input", NF_INET_LOCAL_IN },
    { "ip6_forward", NF_INET_FORWARD },
    { "__ip6_local_out", NF_INET_LOCAL_OUT },
    { "ip6_output", NF_INET_POST_ROUTING },
};

static const char *const hook_okfn[NF_INET_NUMHOOKS] = {
    [NF_INET_PRE_ROUTING] = "ip_rcv_finish",
    [NF_INET_LOCAL_IN] = "ip_local_deliver_finish",
    [NF_INET_FORWARD] = "ip_forward_finish",
    [NF_INET_LOCAL_OUT] = "ip_output",          /* dst_output -> rt->output */
    [NF_INET_POST_ROUTING] = "ip_finish_output",
};

/* The same for an IPv6 packet. */
static const char *const hook_okfn6[NF_INET_NUMHOOKS] = {
    [NF_INET_PRE_ROUTING] = "ip6_rcv_finish",
    [NF_INET_LOCAL_IN] = "ip6_input_finish",
    [NF_INET_FORWARD] = "ip6_forward_finish",
    [NF_INET_LOCAL_OUT] = "ip6_output",         /* dst_output */
    [NF_INET_POST_ROUTING] = "ip6_finish_output",
};

static int caller_hook(const char *func)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hook_callers); i++)
        if (strcmp(func, hook_callers[i].func) == 0)
            return hook_callers[i].hook;
    return -1;
}

static void visit(struct pkt_path *p, int hook)
{
    g_array_append_val(p->visits, hook);
}

static void path_step(struct pkt_path *p, const struct trace_event *ev)
{
    switch (ev->kind) {
    case TRACE_FUNC:
        if (p->pending >= 0 && (strcmp(ev->func, hook_okfn[p->pending]) == 0 ||
                                strcmp(ev->func, hook_okfn6[p->pending]) == 0))
            visit(p, p->pending);
        p->pending = caller_hook(ev->func);
        p->cont = -1;
        break;
    case TRACE_HOOK_ENTER:
        if (p->cont != ev->hook)
            visit(p, ev->hook);
        p->pending = -1;
        p->cont = -1;
        break;
    case TRACE_HOOK: {
        unsigned code = ev->verdict & 0xff;
        p->cont = code == NF_ACCEPT || code == NF_REPEAT ? ev->hook : -1;
        p->pending = -1;
        break;
    }
    case TRACE_DROP:
        p->pending = -1;
        p->cont = -1;
        break;
    case TRACE_NOTE:
    case TRACE_HOOK_EMPTY:          /* the caller/okfn pair already says it */
        break;
    }
}

static void free_pkt_path(gpointer x)
{
    struct pkt_path *p = x;
    g_array_free(p->visits, TRUE);
    g_free(p);
}

static void free_flow_paths(gpointer x)
{
    struct flow_paths *f = x;
    g_hash_table_destroy(f->pkts);
    g_array_free(f->order, TRUE);
    g_free(f);
}

static void flow_feed(struct flow_paths *f, const struct trace_event *ev)
{
    gint64 id = (gint64)ev->pkt;
    struct pkt_path *p = g_hash_table_lookup(f->pkts, &id);
    if (!p) {
        p = g_new0(struct pkt_path, 1);
        p->pending = p->cont = -1;
        p->visits = g_array_new(FALSE, FALSE, sizeof(int));
        g_hash_table_insert(f->pkts, g_memdup2(&id, sizeof id), p);
        g_array_append_val(f->order, ev->pkt);
    }
    path_step(p, ev);
}

static void watch_emit(void *ctx, const struct trace_event *ev)
{
    struct host_watch *w = ctx;
    if (w->fp)
        fp_feed(w->fp, ev);
    if (w->flows && ev->flow) {
        gint64 flow = (gint64)ev->flow;
        struct flow_paths *f = g_hash_table_lookup(w->flows, &flow);
        if (f)
            flow_feed(f, ev);
    }
}

static void watch_free(gpointer x)
{
    struct host_watch *w = x;
    if (w->fp) {
        fp_sink_free(w->fp);
        g_free(w->fp);
    }
    if (w->flows)
        g_hash_table_destroy(w->flows);
    g_free(w);
}

/* ---- parsing ------------------------------------------------------------------------- */

struct pctx {
    const struct scenario *s;
    struct scn_error *err;
    int index;
};

/* "expect[N].WHERE: MESSAGE" at node's place. */
static bool G_GNUC_PRINTF(4, 5) fail(struct pctx *c, const cJSON *node, const char *where,
                                     const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scn_error_at(c->err, c->s, scn_pos_of(c->s, node), "expect[%d]%s%s: %s", c->index,
                 where ? "." : "", where ? where : "", msg);
    return false;
}

static bool only_keys(struct pctx *c, const cJSON *obj, const char *where,
                      const char *const *allowed)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj) {
        bool known = false;
        for (int i = 0; allowed[i] && !known; i++)
            known = strcmp(m->string, allowed[i]) == 0;
        if (known)
            continue;
        GString *list = g_string_new(NULL);
        for (int i = 0; allowed[i]; i++)
            g_string_append_printf(list, "%s%s", i ? ", " : "", allowed[i]);
        char *w = where ? g_strdup_printf("%s.%s", where, m->string) : g_strdup(m->string);
        fail(c, m, w, "unknown key '%s' (expected one of: %s)", m->string, list->str);
        g_free(w);
        g_string_free(list, TRUE);
        return false;
    }
    return true;
}

static bool get_uint(struct pctx *c, const cJSON *obj, const char *key, const char *where,
                     bool required, uint64_t def, uint64_t max, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required)
            return fail(c, obj, where, "missing key '%s' (an integer >= 1)", key);
        *out = def;
        return true;
    }
    char *w = where ? g_strdup_printf("%s.%s", where, key) : g_strdup(key);
    bool ok = cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= (double)max &&
              v->valuedouble == floor(v->valuedouble);
    if (ok)
        *out = (uint64_t)v->valuedouble;
    else
        fail(c, v, w, "expected an integer >= 1");
    g_free(w);
    return ok;
}

/* An optional host name (checked against the world later). */
static bool get_host(struct pctx *c, const cJSON *obj, const char *where, struct exp_entry *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "host");
    if (!v)
        return true;
    if (!cJSON_IsString(v) || !*v->valuestring) {
        char *w = where ? g_strdup_printf("%s.host", where) : g_strdup("host");
        fail(c, v, w, "expected a host's name");
        g_free(w);
        return false;
    }
    e->host_node = v;
    return true;
}

static const cJSON *get_equals(struct pctx *c, const cJSON *entry, const char *what)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "equals");
    if (!v)
        fail(c, entry, NULL, "missing key 'equals' (%s)", what);
    return v;
}

static bool parse_path(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    static const char *const keys[] = { "path", "equals", "comment", NULL };
    static const char *const sub[] = { "conn", "packet", "host", "comment", NULL };
    if (!only_keys(c, entry, NULL, keys))
        return false;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "path");
    if (!cJSON_IsObject(p))
        return fail(c, p, "path", "expected an object: { \"conn\": N, \"packet\": K, \"host\": NAME }");
    uint64_t packet;
    if (!only_keys(c, p, "path", sub) ||
        !get_uint(c, p, "conn", "path", true, 0, UINT64_MAX >> 12, &e->conn) ||
        !get_uint(c, p, "packet", "path", false, 1, UINT32_MAX, &packet) ||
        !get_host(c, p, "path", e))
        return false;
    e->packet = (uint32_t)packet;
    const cJSON *eq = get_equals(c, entry, "the hook points, in order");
    if (!eq)
        return false;
    if (!cJSON_IsArray(eq))
        return fail(c, eq, "equals", "expected an array of hook points, e.g. [\"PRE_ROUTING\", \"LOCAL_IN\"]");
    e->hooks = g_array_new(FALSE, FALSE, sizeof(int));
    const cJSON *h;
    int i = 0;
    cJSON_ArrayForEach(h, eq) {
        int hook = cJSON_IsString(h) ? nf_hook_parse(h->valuestring) : -1;
        if (hook < 0) {
            char w[32];
            g_snprintf(w, sizeof w, "equals[%d]", i);
            return fail(c, h, w, "expected a hook point (PRE_ROUTING, LOCAL_IN, FORWARD, "
                        "LOCAL_OUT, POST_ROUTING)");
        }
        g_array_append_val(e->hooks, hook);
        i++;
    }
    return true;
}

/* "name" or "name@priority" (an integer, INT_MIN or INT_MAX). */
static bool parse_hook_name(const char *s, struct hook_name *out)
{
    const char *at = strrchr(s, '@');
    out->has_prio = at != NULL;
    out->name = at ? g_strndup(s, (gsize)(at - s)) : g_strdup(s);
    if (!*out->name)
        return false;
    if (!at)
        return true;
    const char *p = at + 1;
    if (strcmp(p, "INT_MIN") == 0 || strcmp(p, "NF_IP_PRI_FIRST") == 0) {
        out->prio = INT_MIN;
        return true;
    }
    if (strcmp(p, "INT_MAX") == 0 || strcmp(p, "NF_IP_PRI_LAST") == 0) {
        out->prio = INT_MAX;
        return true;
    }
    char *end;
    long long v = g_ascii_strtoll(p, &end, 10);
    if (!*p || *end || v < INT_MIN || v > INT_MAX)
        return false;
    out->prio = (int)v;
    return true;
}

static bool parse_hook_order(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    static const char *const keys[] = { "hook_order", "equals", "comment", NULL };
    static const char *const sub[] = { "hook", "host", "family", "comment", NULL };
    if (!only_keys(c, entry, NULL, keys))
        return false;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "hook_order");
    if (!cJSON_IsObject(p))
        return fail(c, p, "hook_order", "expected an object: { \"hook\": POINT, \"host\": NAME }");
    if (!only_keys(c, p, "hook_order", sub) || !get_host(c, p, "hook_order", e))
        return false;
    /* which of the host's two hook tables: IPv4's (the default) or IPv6's */
    const cJSON *fam = cJSON_GetObjectItemCaseSensitive(p, "family");
    e->pf = NFPROTO_IPV4;
    if (fam) {
        if (!cJSON_IsString(fam) || (strcmp(fam->valuestring, "ipv4") != 0 &&
                                     strcmp(fam->valuestring, "ipv6") != 0))
            return fail(c, fam, "hook_order.family", "expected \"ipv4\" or \"ipv6\" (the hook "
                        "table of that family)");
        e->pf = strcmp(fam->valuestring, "ipv6") == 0 ? NFPROTO_IPV6 : NFPROTO_IPV4;
    }
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(p, "hook");
    if (!h)
        return fail(c, p, "hook_order", "missing key 'hook' (the hook point)");
    e->hook = cJSON_IsString(h) ? nf_hook_parse(h->valuestring) : -1;
    if (e->hook < 0)
        return fail(c, h, "hook_order.hook", "expected a hook point (PRE_ROUTING, LOCAL_IN, "
                    "FORWARD, LOCAL_OUT, POST_ROUTING)");
    const cJSON *eq = get_equals(c, entry, "the hook functions, in traversal order");
    if (!eq)
        return false;
    if (!cJSON_IsArray(eq))
        return fail(c, eq, "equals", "expected an array of hook function names (\"name\" or "
                    "\"name@priority\")");
    e->order = g_array_new(FALSE, TRUE, sizeof(struct hook_name));
    const cJSON *n;
    int i = 0;
    cJSON_ArrayForEach(n, eq) {
        struct hook_name hn = {0};
        bool ok = cJSON_IsString(n) && parse_hook_name(n->valuestring, &hn);
        g_array_append_val(e->order, hn);
        if (!ok) {
            char w[32];
            g_snprintf(w, sizeof w, "equals[%d]", i);
            return fail(c, n, w, "expected a hook function name, \"name\" or \"name@priority\" "
                        "(priority an integer)");
        }
        i++;
    }
    return true;
}

static bool parse_dest(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    static const char *const keys[] = { "dest", "equals", "comment", NULL };
    static const char *const sub[] = { "conn", "comment", NULL };
    if (!only_keys(c, entry, NULL, keys))
        return false;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "dest");
    if (!cJSON_IsObject(p))
        return fail(c, p, "dest", "expected an object: { \"conn\": N }");
    if (!only_keys(c, p, "dest", sub) ||
        !get_uint(c, p, "conn", "dest", true, 0, UINT64_MAX >> 12, &e->conn))
        return false;
    const cJSON *eq = get_equals(c, entry, "a real server's name");
    if (!eq)
        return false;
    if (!cJSON_IsString(eq) && !cJSON_IsNull(eq))
        return fail(c, eq, "equals", "expected a real server's name (or null: served by none)");
    e->server = cJSON_IsString(eq) ? g_strdup(eq->valuestring) : NULL;
    e->server_node = eq;
    return true;
}

static bool parse_metric(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    static const char *const keys[] = { "metric", "ratio_of", "op", "value", "comment", NULL };
    if (!only_keys(c, entry, NULL, keys))
        return false;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(entry, "metric");
    if (!cJSON_IsString(m) || !*m->valuestring)
        return fail(c, m, "metric", "expected a dotted path into summary.json, e.g. \"connections.OK\"");
    e->metric = g_strdup(m->valuestring);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(entry, "ratio_of");
    if (r) {
        if (!cJSON_IsString(r) || !*r->valuestring)
            return fail(c, r, "ratio_of", "expected a dotted path into summary.json");
        e->ratio_of = g_strdup(r->valuestring);
    }
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(entry, "op");
    if (!op)
        return fail(c, entry, NULL, "missing key 'op' (==, !=, <, <=, >, >=)");
    bool found = false;
    for (int i = 0; cJSON_IsString(op) && i < (int)G_N_ELEMENTS(op_names) && !found; i++)
        if (strcmp(op->valuestring, op_names[i]) == 0) {
            e->op = (enum exp_op)i;
            found = true;
        }
    if (!found)
        return fail(c, op, "op", "expected one of ==, !=, <, <=, >, >=");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "value");
    if (!v)
        return fail(c, entry, NULL, "missing key 'value'");
    bool number = cJSON_IsNumber(v);
    bool other = cJSON_IsString(v) || cJSON_IsBool(v);
    if (!number && !(other && !e->ratio_of && (e->op == OP_EQ || e->op == OP_NE)))
        return fail(c, v, "value", e->ratio_of || (other && e->op != OP_EQ && e->op != OP_NE)
                                       ? "expected a number"
                                       : "expected a number (or, with == and !=, a string or boolean)");
    e->value = v;
    return true;
}

/* { "fingerprint": HEX16, "host": H, "calls": N, "every": E, "marks": "8HEX ..." }: calls,
 * every and marks as --print-fingerprint prints them (every and marks go together). */
static bool parse_fingerprint(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    static const char *const keys[] = { "fingerprint", "host", "calls", "every", "marks",
                                        "comment", NULL };
    if (!only_keys(c, entry, NULL, keys))
        return false;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(entry, "fingerprint");
    if (!cJSON_IsString(f) || !fp_parse(f->valuestring, &e->fp))
        return fail(c, f, "fingerprint", "expected 16 hex digits (ipvsim check --print-fingerprint "
                    "prints the value)");
    if (!get_uint(c, entry, "calls", NULL, false, 0, UINT64_MAX >> 12, &e->fp_calls) ||
        !get_uint(c, entry, "every", NULL, false, 0, UINT64_MAX >> 12, &e->fp_every))
        return false;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(entry, "marks");
    if (m && (!cJSON_IsString(m) || !(e->fp_marks = fp_marks_parse(m->valuestring))))
        return fail(c, m, "marks", "expected words of 4 hex digits separated by a space "
                    "(ipvsim check --print-fingerprint prints them)");
    if (!m != !e->fp_every)
        return fail(c, m ? m : entry, m ? "marks" : "every",
                    "'every' and 'marks' go together (ipvsim check --print-fingerprint prints both)");
    return get_host(c, entry, NULL, e);
}

static bool parse_comment(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, "comment");
    if (!v)
        return true;
    if (cJSON_IsString(v)) {
        e->comment = g_strdup(v->valuestring);
        return true;
    }
    if (cJSON_IsArray(v)) {
        GString *all = g_string_new(NULL);
        const cJSON *line;
        bool ok = true;
        cJSON_ArrayForEach(line, v) {
            ok = ok && cJSON_IsString(line);
            if (ok)
                g_string_append_printf(all, "%s%s", all->len ? " " : "", line->valuestring);
        }
        e->comment = g_string_free(all, !ok);
        if (ok)
            return true;
    }
    return fail(c, v, "comment", "expected a string or an array of strings");
}

static void entry_free(gpointer x)
{
    struct exp_entry *e = x;
    if (e->hooks)
        g_array_free(e->hooks, TRUE);
    if (e->order) {
        for (guint i = 0; i < e->order->len; i++)
            g_free(g_array_index(e->order, struct hook_name, i).name);
        g_array_free(e->order, TRUE);
    }
    if (e->seen_order)
        g_string_free(e->seen_order, TRUE);
    if (e->order_diff)
        g_string_free(e->order_diff, TRUE);
    if (e->fp_marks)
        g_array_free(e->fp_marks, TRUE);
    g_free(e->comment);
    g_free(e->server);
    g_free(e->metric);
    g_free(e->ratio_of);
    g_free(e);
}

static bool parse_entry(struct pctx *c, const cJSON *entry, struct exp_entry *e)
{
    if (!cJSON_IsObject(entry))
        return fail(c, entry, NULL, "expected an object");
    int kind = -1;
    for (int k = 0; k < (int)G_N_ELEMENTS(kind_keys); k++) {
        if (!cJSON_GetObjectItemCaseSensitive(entry, kind_keys[k]))
            continue;
        if (kind >= 0)
            return fail(c, entry, NULL, "both '%s' and '%s': an entry states one thing",
                        kind_keys[kind], kind_keys[k]);
        kind = k;
    }
    if (kind < 0)
        return fail(c, entry, NULL, "expected one of the keys path, hook_order, dest, metric, "
                    "fingerprint");
    e->kind = (enum exp_kind)kind;
    e->node = entry;
    e->index = c->index;
    e->server_index = -1;
    if (!parse_comment(c, entry, e))
        return false;
    switch (e->kind) {
    case EXP_PATH: return parse_path(c, entry, e);
    case EXP_HOOK_ORDER: return parse_hook_order(c, entry, e);
    case EXP_DEST: return parse_dest(c, entry, e);
    case EXP_METRIC: return parse_metric(c, entry, e);
    case EXP_FINGERPRINT: return parse_fingerprint(c, entry, e);
    }
    return false;
}

struct expect_set *expect_parse(const struct scenario *s, struct scn_error *err)
{
    struct expect_set *es = g_new0(struct expect_set, 1);
    es->s = s;
    es->entries = g_ptr_array_new_with_free_func(entry_free);
    es->watches = g_ptr_array_new_with_free_func(watch_free);
    struct pctx c = { .s = s, .err = err };
    const cJSON *entry;
    cJSON_ArrayForEach(entry, s->expect) {
        struct exp_entry *e = g_new0(struct exp_entry, 1);
        g_ptr_array_add(es->entries, e);
        if (!parse_entry(&c, entry, e)) {
            expect_set_free(es);
            return NULL;
        }
        c.index++;
    }
    return es;
}

void expect_set_free(struct expect_set *es)
{
    if (!es)
        return;
    g_ptr_array_free(es->entries, TRUE);
    g_ptr_array_free(es->watches, TRUE);
    g_free(es);
}

unsigned expect_count(const struct expect_set *es)
{
    return es ? es->entries->len : 0;
}

/* ---- binding to the world ------------------------------------------------------------- */

static struct host_watch *watch_of(struct expect_set *es, struct host *h)
{
    for (guint i = 0; i < es->watches->len; i++) {
        struct host_watch *w = g_ptr_array_index(es->watches, i);
        if (w->h == h)
            return w;
    }
    struct host_watch *w = g_new0(struct host_watch, 1);
    w->h = h;
    w->sink.emit = watch_emit;
    w->sink.ctx = w;
    g_ptr_array_add(es->watches, w);
    return w;
}

static void watch_fingerprint(struct host_watch *w)
{
    if (w->fp)
        return;
    w->fp = g_new0(struct fp_sink, 1);
    fp_sink_init(w->fp);
}

static void watch_flow(struct host_watch *w, uint64_t conn)
{
    if (!w->flows)
        w->flows = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_flow_paths);
    gint64 key = (gint64)conn;
    if (g_hash_table_contains(w->flows, &key))
        return;
    struct flow_paths *f = g_new0(struct flow_paths, 1);
    f->pkts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_pkt_path);
    f->order = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g_hash_table_insert(w->flows, g_memdup2(&key, sizeof key), f);
}

static void fmt_hook_entry(GString *out, const struct nf_hook_ops *o)
{
    if (o->priority == INT_MIN)
        g_string_append_printf(out, "%s@INT_MIN", o->name);
    else if (o->priority == INT_MAX)
        g_string_append_printf(out, "%s@INT_MAX", o->name);
    else
        g_string_append_printf(out, "%s@%d", o->name, o->priority);
}

/* The first place where the registrations part from the list expected. */
static void hook_order_difference(const struct exp_entry *e, const struct nf_hook_entries *he,
                                  GString *detail)
{
    guint n = MAX(he->num, e->order->len);
    for (guint i = 0; i < n; i++) {
        const struct hook_name *want = i < e->order->len
                                       ? &g_array_index(e->order, struct hook_name, i) : NULL;
        const struct nf_hook_ops *o = i < he->num ? he->ops[i] : NULL;
        if (want && o && strcmp(want->name, o->name) == 0 &&
            (!want->has_prio || want->prio == o->priority))
            continue;
        g_string_append_printf(detail, "first difference at position %u: expected ", i + 1);
        if (!want)
            g_string_append(detail, "no more");
        else if (want->has_prio)
            g_string_append_printf(detail, "%s@%d", want->name, want->prio);
        else
            g_string_append(detail, want->name);
        g_string_append(detail, ", saw ");
        if (o)
            fmt_hook_entry(detail, o);
        else
            g_string_append(detail, "no more");
        return;
    }
}

/* Compare the registrations of a hook point with the list expected. */
static void take_hook_order(struct exp_entry *e)
{
    const struct nf_hook_entries *he = nf_hook_entries_of_pf(host_net(e->h), e->pf, (unsigned)e->hook);
    e->seen_order = g_string_new(NULL);
    e->order_ok = he->num == e->order->len;
    for (unsigned i = 0; i < he->num; i++) {
        const struct nf_hook_ops *o = he->ops[i];
        if (i)
            g_string_append_c(e->seen_order, ' ');
        fmt_hook_entry(e->seen_order, o);
        if (i < e->order->len) {
            const struct hook_name *want = &g_array_index(e->order, struct hook_name, i);
            if (strcmp(want->name, o->name) != 0 || (want->has_prio && want->prio != o->priority))
                e->order_ok = false;
        }
    }
    e->order_diff = g_string_new(NULL);
    if (!e->order_ok)
        hook_order_difference(e, he, e->order_diff);
}

bool expect_attach(struct expect_set *es, struct run_world *rw, bool all_fingerprints,
                   struct scn_error *err)
{
    const struct scenario *s = es->s;
    for (guint i = 0; i < es->entries->len; i++) {
        struct exp_entry *e = g_ptr_array_index(es->entries, i);
        struct pctx c = { .s = s, .err = err, .index = e->index };
        e->h = rw->director;
        if (e->host_node) {
            const char *name = e->host_node->valuestring;
            /* "director" names the director whatever it is called. */
            e->h = strcmp(name, "director") == 0 ? rw->director : world_host(&rw->w, name);
            if (!e->h) {
                GString *names = g_string_new(NULL);
                run_world_host_names(rw, names);
                const char *where = e->kind == EXP_PATH ? "path.host"
                                  : e->kind == EXP_HOOK_ORDER ? "hook_order.host" : "host";
                fail(&c, e->host_node, where, "no host '%s' (expected one of: %s)", name,
                     names->str);
                g_string_free(names, TRUE);
                return false;
            }
        }
        switch (e->kind) {
        case EXP_DEST:
            if (!e->server)
                break;
            for (guint k = 0; k < s->servers->len && e->server_index < 0; k++)
                if (strcmp(g_array_index(s->servers, struct scn_server, k).name, e->server) == 0)
                    e->server_index = (int)k;
            if (e->server_index < 0) {
                GString *names = g_string_new(NULL);
                for (guint k = 0; k < s->servers->len; k++)
                    g_string_append_printf(names, "%s%s", k ? ", " : "",
                                           g_array_index(s->servers, struct scn_server, k).name);
                fail(&c, e->server_node, "equals", "no real server '%s' (expected one of: %s)",
                     e->server, names->str);
                g_string_free(names, TRUE);
                return false;
            }
            break;
        case EXP_HOOK_ORDER:
            take_hook_order(e);
            break;
        case EXP_PATH:
            watch_flow(watch_of(es, e->h), e->conn);
            break;
        case EXP_FINGERPRINT: {
            struct host_watch *w = watch_of(es, e->h);
            watch_fingerprint(w);
            /* the first entry's stretch wins; printing, the marks are new ones */
            if (e->fp_marks && !w->fp->every_fixed && !all_fingerprints)
                fp_sink_pin_every(w->fp, e->fp_every);
            break;
        }
        case EXP_METRIC:
            break;
        }
    }
    if (all_fingerprints)
        for (guint i = 0; i < rw->w.hosts->len; i++)
            watch_fingerprint(watch_of(es, g_ptr_array_index(rw->w.hosts, i)));
    for (guint i = 0; i < es->watches->len; i++) {
        struct host_watch *w = g_ptr_array_index(es->watches, i);
        host_net(w->h)->trace = &w->sink;
    }
    return true;
}

void expect_detach(struct expect_set *es, struct run_world *rw)
{
    for (guint i = 0; i < es->watches->len; i++) {
        struct host_watch *w = g_ptr_array_index(es->watches, i);
        if (host_net(w->h)->trace == &w->sink)
            host_net(w->h)->trace = NULL;
    }
}

const struct fp_sink *expect_fingerprint_sink(const struct expect_set *es, const struct host *h)
{
    for (guint i = 0; i < es->watches->len; i++) {
        const struct host_watch *w = g_ptr_array_index(es->watches, i);
        if (w->h == h && w->fp)
            return w->fp;
    }
    return NULL;
}

/* ---- evaluation ----------------------------------------------------------------------- */

static void hooks_text(GString *out, const GArray *hooks)
{
    if (hooks->len == 0)
        g_string_append(out, "(no hook point)");
    for (guint i = 0; i < hooks->len; i++)
        g_string_append_printf(out, "%s%s", i ? " " : "",
                               nf_hook_name((unsigned)g_array_index(hooks, int, i)));
}

static bool same_hooks(const GArray *a, const GArray *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len * sizeof(int)) == 0;
}

static const struct host_watch *watch_find(const struct expect_set *es, const struct host *h)
{
    for (guint i = 0; i < es->watches->len; i++) {
        const struct host_watch *w = g_ptr_array_index(es->watches, i);
        if (w->h == h)
            return w;
    }
    return NULL;
}

static bool eval_path(const struct expect_set *es, const struct exp_entry *e, GString *what,
                      GString *want, GString *seen)
{
    g_string_printf(what, "path conn %llu packet %u on %s", (unsigned long long)e->conn,
                    e->packet, e->h->name);
    hooks_text(want, e->hooks);
    const struct host_watch *w = watch_find(es, e->h);
    gint64 key = (gint64)e->conn;
    const struct flow_paths *f = w && w->flows ? g_hash_table_lookup(w->flows, &key) : NULL;
    if (!f || f->order->len == 0) {
        g_string_printf(seen, "no packet of conversation %llu on %s", (unsigned long long)e->conn,
                        e->h->name);
        return false;
    }
    if (e->packet > f->order->len) {
        g_string_printf(seen, "no packet %u (%s saw %u of conversation %llu)", e->packet,
                        e->h->name, f->order->len, (unsigned long long)e->conn);
        return false;
    }
    gint64 id = (gint64)g_array_index(f->order, uint64_t, e->packet - 1);
    const struct pkt_path *p = g_hash_table_lookup(f->pkts, &id);
    hooks_text(seen, p->visits);
    return same_hooks(p->visits, e->hooks);
}

static bool eval_hook_order(const struct exp_entry *e, GString *what, GString *want, GString *seen,
                            GString *detail)
{
    g_string_printf(what, "hook_order %s%s on %s", e->pf == NFPROTO_IPV6 ? "ipv6 " : "",
                    nf_hook_name((unsigned)e->hook), e->h->name);
    for (guint i = 0; i < e->order->len; i++) {
        const struct hook_name *hn = &g_array_index(e->order, struct hook_name, i);
        g_string_append_printf(want, "%s%s", i ? " " : "", hn->name);
        if (hn->has_prio)
            g_string_append_printf(want, "@%d", hn->prio);
    }
    if (e->order->len == 0)
        g_string_append(want, "(no hook function)");
    g_string_append(seen, e->seen_order->len ? e->seen_order->str : "(no hook function)");
    g_string_append(detail, e->order_diff->str);
    return e->order_ok;
}

static bool eval_dest(struct run_world *rw, const struct exp_entry *e, GString *what,
                      GString *want, GString *seen)
{
    g_string_printf(what, "dest conn %llu", (unsigned long long)e->conn);
    g_string_append(want, e->server ? e->server : "no server");
    const struct conv *c = conv_get(&rw->log, e->conn);
    if (!c) {
        g_string_printf(seen, "no conversation %llu (the run had %u)", (unsigned long long)e->conn,
                        rw->log.convs->len);
        return false;
    }
    if (c->server < 0)
        g_string_append(seen, "no server");
    else
        g_string_append(seen, g_array_index(rw->s->servers, struct scn_server, c->server).name);
    return c->server == e->server_index;
}

/* The value at a dotted path: object members by key, array elements by index or by
 * their "name" member. */
static const cJSON *metric_at(const cJSON *root, const char *path)
{
    char **parts = g_strsplit(path, ".", -1);
    const cJSON *v = root;
    for (int i = 0; parts[i] && v; i++) {
        const char *k = parts[i];
        if (cJSON_IsObject(v)) {
            v = cJSON_GetObjectItemCaseSensitive(v, k);
        } else if (cJSON_IsArray(v)) {
            const cJSON *found = NULL, *it;
            bool digits = *k && strspn(k, "0123456789") == strlen(k);
            if (digits) {
                found = cJSON_GetArrayItem(v, (int)g_ascii_strtoll(k, NULL, 10));
            } else {
                cJSON_ArrayForEach(it, v) {
                    const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
                    if (cJSON_IsString(n) && strcmp(n->valuestring, k) == 0) {
                        found = it;
                        break;
                    }
                }
            }
            v = found;
        } else {
            v = NULL;
        }
    }
    g_strfreev(parts);
    return v;
}

/* Where a metric's path leaves what summary.json will hold: "" when it stays inside
 * or goes where the run adds members as it goes (drops by reason, services an event
 * adds, cut captures, failovers, stopped_by); else what is missing, with what is there.
 * The members of the top level, connections, response_time, limits and each server
 * are there before the run, as the servers themselves are. */
static char *metric_gap(const cJSON *root, const char *path)
{
    static const char *const fixed[] = { "connections", "response_time", "servers", "limits" };
    static const char *const late[] = { "stopped_by", "wall_time_s" };
    char **parts = g_strsplit(path, ".", -1);
    const cJSON *v = root;
    char *gap = g_strdup("");
    bool checked = true;
    for (int i = 0; parts[i] && v && checked; i++) {
        const char *k = parts[i];
        const cJSON *next = NULL;
        if (cJSON_IsArray(v) && i == 1 && strcmp(parts[0], "servers") == 0) {
            const cJSON *it;
            bool digits = *k && strspn(k, "0123456789") == strlen(k);
            next = digits ? cJSON_GetArrayItem(v, (int)g_ascii_strtoll(k, NULL, 10)) : NULL;
            cJSON_ArrayForEach(it, v) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
                if (!digits && cJSON_IsString(n) && strcmp(n->valuestring, k) == 0)
                    next = it;
            }
        } else if (cJSON_IsObject(v)) {
            next = cJSON_GetObjectItemCaseSensitive(v, k);
        } else {
            break;                      /* a number has no members; eval says so */
        }
        if (!next) {
            bool sure = i == 0;
            for (size_t f = 0; f < G_N_ELEMENTS(fixed) && i > 0; f++)
                sure |= strcmp(parts[0], fixed[f]) == 0;
            for (size_t f = 0; f < G_N_ELEMENTS(late) && i == 0; f++)
                sure &= strcmp(k, late[f]) != 0;
            sure &= !(i >= 1 && strcmp(parts[0], "limits") == 0 && strcmp(parts[1], "captures_cut") == 0);
            if (sure) {
                GString *have = g_string_new(NULL);
                const cJSON *m;
                cJSON_ArrayForEach(m, v) {
                    const cJSON *n = cJSON_IsObject(m) ? cJSON_GetObjectItemCaseSensitive(m, "name") : NULL;
                    const char *name = m->string ? m->string : cJSON_IsString(n) ? n->valuestring : NULL;
                    if (name)
                        g_string_append_printf(have, "%s%s", have->len ? ", " : "", name);
                }
                char *where = i == 0 ? g_strdup("the top level")
                                     : g_strdup_printf("'%s'", parts[i - 1]);
                g_free(gap);
                gap = g_strdup_printf("summary.json has no '%s' under %s (it has: %s)", k, where,
                                      have->str);
                g_free(where);
                g_string_free(have, TRUE);
            }
            checked = false;
        }
        v = next;
    }
    g_strfreev(parts);
    return gap;
}

void expect_lint(const struct expect_set *es, const cJSON *summary, GPtrArray *out)
{
    for (guint i = 0; i < es->entries->len; i++) {
        const struct exp_entry *e = g_ptr_array_index(es->entries, i);
        const char *paths[2] = { e->kind == EXP_METRIC ? e->metric : NULL, e->ratio_of };
        const char *keys[2] = { "metric", "ratio_of" };
        for (int k = 0; k < 2; k++) {
            if (!paths[k] || e->kind != EXP_METRIC)
                continue;
            char *gap = metric_gap(summary, paths[k]);
            if (*gap) {
                struct scn_error err;
                scn_error_at(&err, es->s, scn_pos_of_key(es->s, e->node, keys[k]),
                             "warning: expect[%u].%s: %s: the expectation can only fail", i,
                             keys[k], gap);
                g_ptr_array_add(out, err.pos.line > 0
                                ? g_strdup_printf("%s:%d:%d: %s", err.file, err.pos.line,
                                                  err.pos.col, err.msg)
                                : g_strdup_printf("%s: %s", err.file, err.msg));
            }
            g_free(gap);
        }
    }
}

static void num_text(GString *out, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        g_string_append_printf(out, "%.0f", v);
    else
        g_string_append_printf(out, "%.6g", v);
}

static void json_value_text(GString *out, const cJSON *v)
{
    if (cJSON_IsNumber(v))
        num_text(out, v->valuedouble);
    else if (cJSON_IsString(v))
        g_string_append_printf(out, "\"%s\"", v->valuestring);
    else if (cJSON_IsBool(v))
        g_string_append(out, cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        g_string_append(out, "null");
    else
        g_string_append(out, cJSON_IsArray(v) ? "an array" : "an object");
}

static bool compare(double a, enum exp_op op, double b)
{
    switch (op) {
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    }
    return false;
}

static bool eval_metric(const cJSON *summary, const struct exp_entry *e, GString *what,
                        GString *want, GString *seen)
{
    if (e->ratio_of)
        g_string_printf(what, "ratio %s / %s", e->metric, e->ratio_of);
    else
        g_string_printf(what, "metric %s", e->metric);
    g_string_append_printf(want, "%s ", op_names[e->op]);
    json_value_text(want, e->value);
    const cJSON *v = metric_at(summary, e->metric);
    if (!v) {
        g_string_printf(seen, "no value at '%s' in summary.json", e->metric);
        return false;
    }
    if (e->ratio_of) {
        const cJSON *d = metric_at(summary, e->ratio_of);
        if (!d) {
            g_string_printf(seen, "no value at '%s' in summary.json", e->ratio_of);
            return false;
        }
        if (!cJSON_IsNumber(v) || !cJSON_IsNumber(d)) {
            json_value_text(seen, v);
            g_string_append(seen, " / ");
            json_value_text(seen, d);
            g_string_append(seen, ", not numbers");
            return false;
        }
        if (d->valuedouble == 0) {
            num_text(seen, v->valuedouble);
            g_string_append(seen, " / 0");
            return false;
        }
        double r = v->valuedouble / d->valuedouble;
        num_text(seen, r);
        g_string_append(seen, " (");
        num_text(seen, v->valuedouble);
        g_string_append(seen, " / ");
        num_text(seen, d->valuedouble);
        g_string_append_c(seen, ')');
        return compare(r, e->op, e->value->valuedouble);
    }
    json_value_text(seen, v);
    if (cJSON_IsNumber(e->value))
        return cJSON_IsNumber(v) && compare(v->valuedouble, e->op, e->value->valuedouble);
    bool equal = (cJSON_IsString(e->value) && cJSON_IsString(v) &&
                  strcmp(e->value->valuestring, v->valuestring) == 0) ||
                 (cJSON_IsBool(e->value) && cJSON_IsBool(v) &&
                  cJSON_IsTrue(e->value) == cJSON_IsTrue(v));
    return e->op == OP_EQ ? equal : !equal;
}

/* Where the run parts from the pinned one: the marks both share, then the first call
 * of the stretch in which they part, as this run made it. */
static void fingerprint_difference(const struct expect_set *es, const struct exp_entry *e,
                                   const struct fp_sink *f, GString *detail)
{
    if (e->fp_calls && e->fp_calls != f->calls)
        g_string_append_printf(detail, "the pinned run made %llu hook calls; ",
                               (unsigned long long)e->fp_calls);
    if (!e->fp_marks) {
        g_string_append(detail, "pin \"calls\", \"every\" and \"marks\" too "
                        "(ipvsim check --print-fingerprint) to see where the runs part");
        return;
    }
    if (f->every != e->fp_every) {
        g_string_append_printf(detail, "marks every %llu calls, another entry for %s pins %llu",
                               (unsigned long long)e->fp_every, e->h->name,
                               (unsigned long long)f->every);
        return;
    }
    guint j = 0, n = MIN(f->marks->len, e->fp_marks->len);
    while (j < n && g_array_index(f->marks, uint16_t, j) == g_array_index(e->fp_marks, uint16_t, j))
        j++;
    uint64_t shared = (uint64_t)j * f->every;
    g_string_append_printf(detail, "the runs share the first %llu hook calls (%u of the %u "
                           "marks pinned agree), then part ", (unsigned long long)shared, j,
                           e->fp_marks->len);
    if (j < n)
        g_string_append_printf(detail, "in calls %llu to %llu", (unsigned long long)shared + 1,
                               (unsigned long long)(shared + f->every));
    else
        g_string_append_printf(detail, "after call %llu", (unsigned long long)shared);
    if (j >= f->starts->len) {
        g_string_append_printf(detail, "; this run has no call %llu", (unsigned long long)shared + 1);
        return;
    }
    const struct fp_call *c = &g_array_index(f->starts, struct fp_call, j);
    g_string_append_printf(detail, "; this run's call %llu is at %lld.%09lld s, packet %llu",
                           (unsigned long long)shared + 1, (long long)(c->time / 1000000000),
                           (long long)(c->time % 1000000000), (unsigned long long)c->pkt);
    if (c->flow)
        g_string_append_printf(detail, " of conversation %llu", (unsigned long long)c->flow);
    g_string_append_printf(detail, ": %s %s@%d -> %s (ipvsim trace %s --host %s",
                           nf_hook_name((unsigned)c->hook), c->func, c->priority,
                           nf_verdict_name(c->verdict), es->s->path, e->h->name);
    if (c->flow)
        g_string_append_printf(detail, " --conn %llu", (unsigned long long)c->flow);
    g_string_append_c(detail, ')');
}

static bool eval_fingerprint(const struct expect_set *es, const struct exp_entry *e,
                             GString *what, GString *want, GString *seen, GString *detail)
{
    char buf[17];
    g_string_printf(what, "fingerprint %s", e->h->name);
    g_string_append(want, fp_format(e->fp, buf));
    const struct fp_sink *f = expect_fingerprint_sink(es, e->h);
    uint64_t v = fp_value(f);
    g_string_append_printf(seen, "%s (%llu hook calls)", fp_format(v, buf),
                           (unsigned long long)f->calls);
    if (v == e->fp)
        return true;
    fingerprint_difference(es, e, f, detail);
    return false;
}

unsigned expect_evaluate(struct expect_set *es, struct run_world *rw, GString *out, bool colour)
{
    unsigned failed = 0;
    cJSON *summary = NULL;
    GString *what = g_string_new(NULL), *want = g_string_new(NULL), *seen = g_string_new(NULL);
    GString *detail = g_string_new(NULL);
    for (guint i = 0; i < es->entries->len; i++) {
        const struct exp_entry *e = g_ptr_array_index(es->entries, i);
        g_string_truncate(what, 0);
        g_string_truncate(want, 0);
        g_string_truncate(seen, 0);
        g_string_truncate(detail, 0);
        bool ok = false;
        switch (e->kind) {
        case EXP_PATH: ok = eval_path(es, e, what, want, seen); break;
        case EXP_HOOK_ORDER: ok = eval_hook_order(e, what, want, seen, detail); break;
        case EXP_DEST: ok = eval_dest(rw, e, what, want, seen); break;
        case EXP_METRIC:
            if (!summary)
                summary = run_summary_json(rw, -1, true);
            ok = eval_metric(summary, e, what, want, seen);
            break;
        case EXP_FINGERPRINT: ok = eval_fingerprint(es, e, what, want, seen, detail); break;
        }
        if (!ok)
            failed++;
        g_string_append(out, "  ");
        if (colour)
            g_string_append(out, ok ? "\033[32m" : "\033[1;31m");
        g_string_append(out, ok ? "PASS" : "FAIL");
        if (colour)
            g_string_append(out, "\033[0m");
        g_string_append_printf(out, "  %s: expected %s, saw %s", what->str, want->str, seen->str);
        if (!ok && e->comment)
            g_string_append_printf(out, " -- %s", e->comment);
        g_string_append_c(out, '\n');
        if (detail->len)                        /* where it parts, on a line of its own */
            g_string_append_printf(out, "        %s\n", detail->str);
    }
    if (summary)
        cJSON_Delete(summary);
    g_string_free(what, TRUE);
    g_string_free(want, TRUE);
    g_string_free(seen, TRUE);
    g_string_free(detail, TRUE);
    return failed;
}
