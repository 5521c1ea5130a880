/* keepalived.conf: the words and blocks (a tree of statements), then what ipvsim
 * models of them (keepalived_conf.h). keepalived's own reader is core/parser.c
 * (alloc_strvec splits a line into words, "{" and "}" words of their own; comments
 * from "!" or "#"); its keywords are check/check_parser.c, check_tcp.c,
 * check_http.c, check_misc.c and vrrp/vrrp_parser.c (keepalived 2.x). */
#include "model/user/keepalived/keepalived_conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- words ------------------------------------------------------------------------------- */

enum tok_kind { T_WORD, T_OPEN, T_CLOSE, T_EOL, T_EOF };

struct tok {
    enum tok_kind kind;
    char *text;                     /* T_WORD (quotes removed) */
    struct kconf_pos pos;
};

/* A statement: its keyword, its words, its block. */
struct stmt {
    struct tok key;
    GArray *args;                   /* struct tok */
    GPtrArray *body;                /* struct stmt *; NULL: no block */
    struct kconf_pos open;          /* of its "{" */
};

struct reader {
    const char *file;
    const char *p, *end;
    int line;
    const char *line_start;
    struct kconf_error *err;
    jmp_buf fail;
    GPtrArray *warnings;
    GPtrArray *toks;                /* struct tok * (all of them, freed at the end) */
    guint at;                       /* next token */
    /* Everything made along the way is owned here, so that a failure (a longjmp out of
     * any depth) frees it all: the statements, the blocks' lists, the groups. */
    GPtrArray *stmts;               /* struct stmt * */
    GPtrArray *bodies;              /* GPtrArray * of struct stmt * (not owning them) */
    GHashTable *groups;             /* virtual_server_group name -> GArray of kconf_vs_addr */
};

static G_GNUC_NORETURN G_GNUC_PRINTF(3, 4) void fail(struct reader *r, struct kconf_pos pos,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->err->pos = pos;
    vsnprintf(r->err->msg, sizeof r->err->msg, fmt, ap);
    va_end(ap);
    longjmp(r->fail, 1);
}

static G_GNUC_PRINTF(3, 4) void warn(struct reader *r, struct kconf_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(r->warnings, g_strdup_printf("%s:%d:%d: warning: %s", r->file, pos.line,
                                                 pos.col, msg));
    g_free(msg);
}

static struct kconf_pos here(const struct reader *r)
{
    return (struct kconf_pos){ r->line, (int)(r->p - r->line_start) + 1 };
}

static void add_tok(struct reader *r, enum tok_kind kind, char *text, struct kconf_pos pos)
{
    struct tok *t = g_new(struct tok, 1);
    *t = (struct tok){ kind, text, pos };
    g_ptr_array_add(r->toks, t);
}

static void tokenize(struct reader *r)
{
    while (r->p < r->end) {
        char c = *r->p;
        if (c == '\n') {
            add_tok(r, T_EOL, NULL, here(r));
            r->p++;
            r->line++;
            r->line_start = r->p;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            r->p++;
        } else if (c == '#' || c == '!') {
            while (r->p < r->end && *r->p != '\n')
                r->p++;
        } else if (c == '{' || c == '}') {
            add_tok(r, c == '{' ? T_OPEN : T_CLOSE, NULL, here(r));
            r->p++;
        } else if (c == '"') {
            struct kconf_pos pos = here(r);
            const char *s = ++r->p;
            while (r->p < r->end && *r->p != '"' && *r->p != '\n')
                r->p++;
            if (r->p >= r->end || *r->p != '"')
                fail(r, pos, "unterminated quoted string (expected '\"' before the end of the line)");
            add_tok(r, T_WORD, g_strndup(s, (gsize)(r->p - s)), pos);
            r->p++;
        } else if (c == '\0') {
            fail(r, here(r), "a NUL byte in the text");
        } else {
            struct kconf_pos pos = here(r);
            const char *s = r->p;
            while (r->p < r->end && !strchr(" \t\r\f\v\n{}\"", *r->p) && *r->p != '\0')
                r->p++;
            add_tok(r, T_WORD, g_strndup(s, (gsize)(r->p - s)), pos);
        }
    }
    add_tok(r, T_EOF, NULL, here(r));
}

/* ---- statements --------------------------------------------------------------------------- */

static const struct tok *peek(struct reader *r)
{
    return g_ptr_array_index(r->toks, r->at);
}

static const struct tok *next(struct reader *r)
{
    const struct tok *t = peek(r);
    if (t->kind != T_EOF)
        r->at++;
    return t;
}

static void stmt_free(gpointer p)
{
    struct stmt *s = p;
    if (s->args)
        g_array_free(s->args, TRUE);
    g_free(s);
}

static void refuse_word(struct reader *r, const struct tok *t)
{
    if (t->text[0] == '$')
        fail(r, t->pos, "parameters ($NAME) are not supported: write the value in");
    if (t->text[0] == '@')
        fail(r, t->pos, "conditional lines (@ID) are not supported: keep the lines of one host");
    if (t->text[0] == '~' && g_str_has_prefix(t->text, "~SEQ"))
        fail(r, t->pos, "sequences (~SEQ) are not supported: write the lines out");
}

/* The statements of a block up to its "}" (top: up to the end). */
static GPtrArray *block(struct reader *r, bool top, struct kconf_pos open)
{
    GPtrArray *body = g_ptr_array_new();
    g_ptr_array_add(r->bodies, body);
    for (;;) {
        const struct tok *t = next(r);
        if (t->kind == T_EOL)
            continue;
        if (t->kind == T_EOF) {
            if (!top)
                fail(r, open, "this '{' is not closed (expected '}' before the end of the file)");
            return body;
        }
        if (t->kind == T_CLOSE) {
            if (top)
                fail(r, t->pos, "'}' with no '{' to close");
            return body;
        }
        if (t->kind == T_OPEN)
            fail(r, t->pos, "'{' with no keyword before it");
        refuse_word(r, t);
        if (strcmp(t->text, "include") == 0)
            fail(r, t->pos, "include is not supported: paste the included file in its place");
        struct stmt *s = g_new0(struct stmt, 1);
        g_ptr_array_add(r->stmts, s);
        g_ptr_array_add(body, s);
        s->key = *t;
        s->args = g_array_new(FALSE, FALSE, sizeof(struct tok));
        while (peek(r)->kind == T_WORD) {
            refuse_word(r, peek(r));
            g_array_append_val(s->args, *next(r));
        }
        /* "{" on the keyword's line, or alone at the start of the next one */
        if (peek(r)->kind == T_EOL && r->at + 1 < r->toks->len &&
            ((struct tok *)g_ptr_array_index(r->toks, r->at + 1))->kind == T_OPEN)
            next(r);
        if (peek(r)->kind == T_OPEN) {
            s->open = next(r)->pos;
            s->body = block(r, false, s->open);
        }
    }
}

/* ---- values ------------------------------------------------------------------------------- */

static const struct tok *arg(struct reader *r, const struct stmt *s, guint i, const char *what)
{
    if (i >= s->args->len)
        fail(r, s->key.pos, "%s: expected %s after it", s->key.text, what);
    return &g_array_index(s->args, struct tok, i);
}

/* Extra words after the ones used: a warning, they are not dropped silently. */
static void no_more(struct reader *r, const struct stmt *s, guint used)
{
    if (s->args->len > used)
        warn(r, g_array_index(s->args, struct tok, used).pos, "%s: '%s' and what follows ignored",
             s->key.text, g_array_index(s->args, struct tok, used).text);
}

static be32 ip_of(struct reader *r, const struct tok *t)
{
    struct in_addr a;
    if (strchr(t->text, ':'))
        fail(r, t->pos, "'%s': IPv6 is not modelled (expected an IPv4 address)", t->text);
    if (inet_pton(AF_INET, t->text, &a) != 1)
        fail(r, t->pos, "expected an IPv4 address, not '%s'", t->text);
    return a.s_addr;
}

static long int_of(struct reader *r, const struct tok *t, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(t->text, &end, 10);
    if (!t->text[0] || *end || errno || v < min || v > max)
        fail(r, t->pos, "expected an integer from %ld to %ld, not '%s'", min, max, t->text);
    return v;
}

static long int_arg(struct reader *r, const struct stmt *s, long min, long max)
{
    long v = int_of(r, arg(r, s, 0, "an integer"), min, max);
    no_more(r, s, 1);
    return v;
}

/* Seconds, decimals allowed (keepalived 2.x read_decimal_unsigned_strvec). */
static double secs_arg(struct reader *r, const struct stmt *s)
{
    const struct tok *t = arg(r, s, 0, "a number of seconds");
    char *end;
    double v = g_ascii_strtod(t->text, &end);
    if (!t->text[0] || *end || !isfinite(v) || v < 0 || v > 1e7)
        fail(r, t->pos, "expected a number of seconds (0 to 10000000), not '%s'", t->text);
    no_more(r, s, 1);
    return v;
}

static int port_of(struct reader *r, const struct tok *t)
{
    return (int)int_of(r, t, 0, 65535);
}

static int fwd_of(struct reader *r, const struct tok *t)
{
    static const char *const names[] = { "NAT", "DR", "TUN" };
    for (int i = 0; i < 3; i++)
        if (g_ascii_strcasecmp(t->text, names[i]) == 0)
            return i;
    fail(r, t->pos, "unknown forwarding method '%s' (expected NAT, DR or TUN)", t->text);
}

static bool is(const struct stmt *s, const char *word)
{
    return strcmp(s->key.text, word) == 0;
}

static void ignored(struct reader *r, const struct stmt *s, const char *where)
{
    warn(r, s->key.pos, "%s%s%s: not modelled, ignored", where ? where : "", where ? " " : "",
         s->key.text);
}

static void unknown(struct reader *r, const struct stmt *s, const char *where)
{
    warn(r, s->key.pos, "unknown keyword '%s' in %s, ignored", s->key.text, where);
}

static void no_block(struct reader *r, const struct stmt *s)
{
    if (s->body)
        fail(r, s->open, "%s takes no block", s->key.text);
}

static const GPtrArray *need_block(struct reader *r, const struct stmt *s)
{
    if (!s->body)
        fail(r, s->key.pos, "%s: expected a block ('{' ... '}')", s->key.text);
    return s->body;
}

/* ---- checkers ------------------------------------------------------------------------------ */

/* connect_timeout, retry, delay_before_retry, delay_loop: the checkers' settings, and
 * their defaults at real and virtual server level (keepalived 2.x). */
static bool timing(struct reader *r, const struct stmt *s, double *connect_timeout,
                   double *delay_before_retry, double *delay_loop, long *retry)
{
    if (is(s, "connect_timeout"))
        *connect_timeout = secs_arg(r, s);
    else if (is(s, "delay_before_retry"))
        *delay_before_retry = secs_arg(r, s);
    else if (is(s, "delay_loop"))
        *delay_loop = secs_arg(r, s);
    else if (is(s, "retry") || is(s, "nb_get_retry"))
        *retry = int_arg(r, s, 0, 1000000);
    else
        return false;
    no_block(r, s);
    return true;
}

static void read_url(struct reader *r, const struct stmt *s, struct kconf_check *c)
{
    const GPtrArray *b = need_block(r, s);
    no_more(r, s, 0);
    struct kconf_url empty = { 0 };
    g_array_append_val(c->urls, empty);
    struct kconf_url *u = &g_array_index(c->urls, struct kconf_url, c->urls->len - 1);
    for (guint i = 0; i < b->len; i++) {
        const struct stmt *e = g_ptr_array_index(b, i);
        if (is(e, "path")) {
            g_free(u->path);
            u->path = g_strdup(arg(r, e, 0, "a path")->text);
            no_more(r, e, 1);
        } else if (is(e, "status_code")) {
            arg(r, e, 0, "status codes");
            GString *codes = g_string_new(NULL);
            for (guint j = 0; j < e->args->len; j++)
                g_string_append_printf(codes, "%s%s", j ? " " : "",
                                       g_array_index(e->args, struct tok, j).text);
            g_free(u->status_code);
            u->status_code = g_string_free(codes, FALSE);
        } else if (is(e, "digest")) {
            u->digest = true;
            warn(r, e->key.pos, "digest: the model serves status codes, not content: ignored");
        } else if (is(e, "virtualhost") || is(e, "regex") || is(e, "regex_no_match") ||
                   is(e, "regex_options") || is(e, "regex_max_offset") ||
                   is(e, "regex_min_offset") || is(e, "regex_stack") || is(e, "fast_recovery")) {
            ignored(r, e, "url");
        } else {
            unknown(r, e, "url");
        }
    }
    if (!u->path)
        fail(r, s->key.pos, "url: expected a path in it");
}

static void read_check(struct reader *r, const struct stmt *s, enum kconf_check_type type,
                       struct kconf_rs *rs)
{
    struct kconf_check c = { .type = type, .pos = s->key.pos, .delay_loop = -1,
                             .connect_timeout = -1, .delay_before_retry = -1, .retry = -1,
                             .urls = g_array_new(FALSE, FALSE, sizeof(struct kconf_url)) };
    g_array_append_val(rs->checks, c);
    struct kconf_check *k = &g_array_index(rs->checks, struct kconf_check, rs->checks->len - 1);
    const GPtrArray *b = need_block(r, s);
    no_more(r, s, 0);
    bool http = type == KCONF_HTTP_GET || type == KCONF_SSL_GET, misc = type == KCONF_MISC_CHECK;
    for (guint i = 0; i < b->len; i++) {
        const struct stmt *e = g_ptr_array_index(b, i);
        if (timing(r, e, &k->connect_timeout, &k->delay_before_retry, &k->delay_loop, &k->retry))
            continue;
        if (!misc && is(e, "connect_ip")) {
            k->connect_ip = ip_of(r, arg(r, e, 0, "an address"));
            no_more(r, e, 1);
        } else if (!misc && is(e, "connect_port")) {
            k->connect_port = port_of(r, arg(r, e, 0, "a port"));
            no_more(r, e, 1);
        } else if (http && is(e, "url")) {
            read_url(r, e, k);
        } else if (misc && is(e, "misc_path")) {
            g_free(k->misc_path);
            k->misc_path = g_strdup(arg(r, e, 0, "a command")->text);
            no_more(r, e, 1);
        } else if (misc && is(e, "misc_dynamic")) {
            k->misc_dynamic = true;
        } else if (misc && is(e, "misc_timeout")) {
            warn(r, e->key.pos, "misc_timeout: the scripted verdict takes no time: ignored");
        } else if (is(e, "warmup") || is(e, "bindto") || is(e, "bind_port") ||
                   is(e, "bind_if") || is(e, "fwmark") || is(e, "alpha") || is(e, "user") ||
                   is(e, "virtualhost") || is(e, "log_all_failures") ||
                   is(e, "enable_sni") || is(e, "tls_compliant") || is(e, "protocol") ||
                   is(e, "http_protocol")) {
            ignored(r, e, s->key.text);
        } else {
            unknown(r, e, s->key.text);
        }
    }
    if (http && !k->urls->len)
        fail(r, s->key.pos, "%s: expected a url block in it", s->key.text);
}

/* ---- real and virtual servers -------------------------------------------------------------- */

static void read_rs(struct reader *r, const struct stmt *s, struct kconf_vs *vs)
{
    struct kconf_rs rs = { .pos = s->key.pos, .weight = 1, .uthreshold = -1, .lthreshold = -1,
                           .inhibit = -1, .connect_timeout = -1, .delay_before_retry = -1,
                           .delay_loop = -1, .retry = -1,
                           .checks = g_array_new(FALSE, FALSE, sizeof(struct kconf_check)) };
    rs.addr = ip_of(r, arg(r, s, 0, "an address"));
    guint used = 1;
    if (s->args->len > 1 && isdigit((unsigned char)g_array_index(s->args, struct tok, 1).text[0]))
        rs.port = port_of(r, &g_array_index(s->args, struct tok, used++));
    no_more(r, s, used);
    g_array_append_val(vs->rs, rs);
    struct kconf_rs *p = &g_array_index(vs->rs, struct kconf_rs, vs->rs->len - 1);
    if (!s->body)
        return;
    for (guint i = 0; i < s->body->len; i++) {
        const struct stmt *e = g_ptr_array_index(s->body, i);
        if (timing(r, e, &p->connect_timeout, &p->delay_before_retry, &p->delay_loop, &p->retry))
            continue;
        if (is(e, "weight"))
            p->weight = int_arg(r, e, 0, 65535);
        else if (is(e, "uthreshold"))
            p->uthreshold = int_arg(r, e, 0, INT32_MAX);
        else if (is(e, "lthreshold"))
            p->lthreshold = int_arg(r, e, 0, INT32_MAX);
        else if (is(e, "inhibit_on_failure"))
            p->inhibit = 1;
        else if (is(e, "TCP_CHECK"))
            read_check(r, e, KCONF_TCP_CHECK, p);
        else if (is(e, "HTTP_GET"))
            read_check(r, e, KCONF_HTTP_GET, p);
        else if (is(e, "SSL_GET"))
            read_check(r, e, KCONF_SSL_GET, p);
        else if (is(e, "MISC_CHECK"))
            read_check(r, e, KCONF_MISC_CHECK, p);
        else if (is(e, "SMTP_CHECK") || is(e, "DNS_CHECK") || is(e, "UDP_CHECK") ||
                 is(e, "BFD_CHECK") || is(e, "PING_CHECK") || is(e, "FILE_CHECK"))
            warn(r, e->key.pos, "%s: not modelled, ignored (use TCP_CHECK or a MISC_CHECK)",
                 e->key.text);
        else if (is(e, "notify_up") || is(e, "notify_down") || is(e, "smtp_alert") ||
                 is(e, "virtualhost") || is(e, "warmup") || is(e, "alpha"))
            ignored(r, e, "real_server");
        else
            unknown(r, e, "real_server");
    }
}

/* A virtual_server_group's members: IP PORT, IP-LAST PORT, fwmark N. */
static void read_group(struct reader *r, const struct stmt *s)
{
    const char *name = arg(r, s, 0, "a name")->text;
    no_more(r, s, 1);
    const GPtrArray *b = need_block(r, s);
    if (g_hash_table_contains(r->groups, name))
        fail(r, s->key.pos, "virtual_server_group %s: defined twice", name);
    GArray *addrs = g_array_new(FALSE, FALSE, sizeof(struct kconf_vs_addr));
    g_hash_table_insert(r->groups, g_strdup(name), addrs);
    for (guint i = 0; i < b->len; i++) {
        const struct stmt *e = g_ptr_array_index(b, i);
        struct kconf_vs_addr a = { 0 };
        if (is(e, "fwmark")) {
            a.fwmark = (uint32_t)int_of(r, arg(r, e, 0, "a mark"), 1, UINT32_MAX);
            no_more(r, e, 1);
            g_array_append_val(addrs, a);
            continue;
        }
        /* the keyword is the address: "10.0.0.1 80" or "10.0.0.1-20 80" (no allocation
         * here: a failure leaves by longjmp) */
        struct tok t = e->key;
        const char *dash = strchr(t.text, '-');
        size_t n = dash ? (size_t)(dash - t.text) : strlen(t.text);
        char first[INET_ADDRSTRLEN];
        if (n >= sizeof first)
            fail(r, t.pos, "expected an IPv4 address, not '%s'", t.text);
        memcpy(first, t.text, n);
        first[n] = '\0';
        long last = -1;
        if (dash) {
            struct tok lt = { T_WORD, (char *)dash + 1, t.pos };
            last = int_of(r, &lt, 0, 255);
        }
        struct in_addr in;
        if (strchr(first, ':') || inet_pton(AF_INET, first, &in) != 1)
            ip_of(r, &t);           /* fails with the message */
        a.addr = in.s_addr;
        a.port = port_of(r, arg(r, e, 0, "a port"));
        no_more(r, e, 1);
        uint32_t lo = ntohl(a.addr), hi = lo;
        if (last >= 0) {
            hi = (lo & ~0xffu) | (uint32_t)last;
            if (hi < lo)
                fail(r, t.pos, "'%s': the range's last byte is below its first", t.text);
        }
        for (uint32_t h = lo;; h++) {  /* to hi included: 255.255.255.255 has no next */
            a.addr = htonl(h);
            g_array_append_val(addrs, a);
            if (h == hi)
                break;
        }
    }
}

static void read_vs(struct reader *r, const struct stmt *s, struct kconf *k)
{
    struct kconf_vs vs = { .pos = s->key.pos, .fwd = KCONF_FWD_UNSET, .protocol = IPPROTO_TCP,
                           .persistence_timeout = -1, .delay_loop = -1, .connect_timeout = -1,
                           .delay_before_retry = -1, .retry = -1, .quorum = -1,
                           .hysteresis = -1, .inhibit = -1, .sorry_fwd = KCONF_FWD_UNSET,
                           .addrs = g_array_new(FALSE, FALSE, sizeof(struct kconf_vs_addr)),
                           .rs = g_array_new(FALSE, FALSE, sizeof(struct kconf_rs)) };
    g_array_append_val(k->vs, vs);
    struct kconf_vs *v = &g_array_index(k->vs, struct kconf_vs, k->vs->len - 1);
    const struct tok *a0 = arg(r, s, 0, "an address and port, fwmark N or group NAME");
    if (strcmp(a0->text, "group") == 0) {
        const struct tok *g = arg(r, s, 1, "a group's name");
        GArray *members = g_hash_table_lookup(r->groups, g->text);
        if (!members)
            fail(r, g->pos, "no virtual_server_group '%s' defined before", g->text);
        g_array_append_vals(v->addrs, members->data, members->len);
        v->group = g_strdup(g->text);
        no_more(r, s, 2);
    } else if (strcmp(a0->text, "fwmark") == 0) {
        struct kconf_vs_addr a = {
            .fwmark = (uint32_t)int_of(r, arg(r, s, 1, "a mark"), 1, UINT32_MAX) };
        g_array_append_val(v->addrs, a);
        no_more(r, s, 2);
    } else {
        struct kconf_vs_addr a = { .addr = ip_of(r, a0) };
        a.port = port_of(r, arg(r, s, 1, "a port"));
        g_array_append_val(v->addrs, a);
        no_more(r, s, 2);
    }
    const GPtrArray *b = need_block(r, s);
    for (guint i = 0; i < b->len; i++) {
        const struct stmt *e = g_ptr_array_index(b, i);
        if (timing(r, e, &v->connect_timeout, &v->delay_before_retry, &v->delay_loop, &v->retry))
            continue;
        if (is(e, "real_server")) {
            read_rs(r, e, v);
            continue;
        }
        no_block(r, e);
        if (is(e, "lb_algo") || is(e, "lvs_sched")) {
            g_free(v->sched);
            v->sched = g_strdup(arg(r, e, 0, "a scheduler")->text);
            v->sched_pos = g_array_index(e->args, struct tok, 0).pos;
            no_more(r, e, 1);
        } else if (is(e, "lb_kind") || is(e, "lvs_method")) {
            v->fwd = fwd_of(r, arg(r, e, 0, "NAT, DR or TUN"));
            no_more(r, e, 1);
        } else if (is(e, "protocol")) {
            const struct tok *t = arg(r, e, 0, "TCP, UDP or SCTP");
            v->protocol = g_ascii_strcasecmp(t->text, "TCP") == 0    ? IPPROTO_TCP
                          : g_ascii_strcasecmp(t->text, "UDP") == 0  ? IPPROTO_UDP
                          : g_ascii_strcasecmp(t->text, "SCTP") == 0 ? IPPROTO_SCTP : -1;
            if (v->protocol < 0)
                fail(r, t->pos, "unknown protocol '%s' (expected TCP, UDP or SCTP)", t->text);
            no_more(r, e, 1);
        } else if (is(e, "persistence_timeout")) {
            v->persistence_timeout = e->args->len ? int_arg(r, e, 1, INT32_MAX) : 360;
        } else if (is(e, "persistence_granularity")) {
            v->persistence_granularity = ip_of(r, arg(r, e, 0, "a netmask"));
            no_more(r, e, 1);
        } else if (is(e, "alpha")) {
            v->alpha = true;
        } else if (is(e, "omega")) {
            v->omega = true;
        } else if (is(e, "quorum")) {
            v->quorum = int_arg(r, e, 1, 1000000000);
        } else if (is(e, "hysteresis")) {
            v->hysteresis = int_arg(r, e, 0, 1000000000);
        } else if (is(e, "inhibit_on_failure")) {
            v->inhibit = 1;
        } else if (is(e, "sorry_server")) {
            v->has_sorry = true;
            v->sorry_addr = ip_of(r, arg(r, e, 0, "an address"));
            v->sorry_port = e->args->len > 1 ? port_of(r, &g_array_index(e->args, struct tok, 1)) : 0;
            no_more(r, e, 2);
        } else if (is(e, "sorry_server_inhibit")) {
            v->sorry_inhibit = true;
        } else if (is(e, "sorry_server_lvs_method")) {
            v->sorry_fwd = fwd_of(r, arg(r, e, 0, "NAT, DR or TUN"));
            no_more(r, e, 1);
        } else if (is(e, "ha_suspend") || is(e, "virtualhost") || is(e, "quorum_up") ||
                   is(e, "quorum_down") || is(e, "ip_family") || is(e, "warmup") ||
                   is(e, "smtp_alert") || is(e, "ops") || is(e, "one_packet_scheduling") ||
                   is(e, "persistence_engine") || is(e, "lb_flags") || is(e, "lvs_flags") ||
                   is(e, "net_mask")) {
            ignored(r, e, "virtual_server");
        } else {
            unknown(r, e, "virtual_server");
        }
    }
}

/* ---- VRRP ---------------------------------------------------------------------------------- */

static void read_vrrp(struct reader *r, const struct stmt *s, struct kconf *k)
{
    struct kconf_vrrp v = { .pos = s->key.pos, .priority = -1, .vrid = -1, .advert_int = -1,
                            .vips = g_array_new(FALSE, FALSE, sizeof(be32)) };
    v.name = g_strdup(arg(r, s, 0, "a name")->text);
    no_more(r, s, 1);
    g_array_append_val(k->vrrp, v);
    struct kconf_vrrp *p = &g_array_index(k->vrrp, struct kconf_vrrp, k->vrrp->len - 1);
    const GPtrArray *b = need_block(r, s);
    for (guint i = 0; i < b->len; i++) {
        const struct stmt *e = g_ptr_array_index(b, i);
        if (is(e, "state")) {
            const struct tok *t = arg(r, e, 0, "MASTER or BACKUP");
            if (strcmp(t->text, "MASTER") != 0 && strcmp(t->text, "BACKUP") != 0)
                fail(r, t->pos, "unknown state '%s' (expected MASTER or BACKUP)", t->text);
            p->backup = strcmp(t->text, "BACKUP") == 0;
            no_more(r, e, 1);
        } else if (is(e, "priority")) {
            p->priority = (int)int_arg(r, e, 1, 255);
        } else if (is(e, "virtual_router_id")) {
            p->vrid = (int)int_arg(r, e, 1, 255);
        } else if (is(e, "advert_int")) {
            p->advert_int = secs_arg(r, e);
        } else if (is(e, "nopreempt")) {
            p->nopreempt = true;
        } else if (is(e, "virtual_ipaddress")) {
            const GPtrArray *vb = need_block(r, e);
            for (guint j = 0; j < vb->len; j++) {
                const struct stmt *a = g_ptr_array_index(vb, j);
                char *slash = strchr(a->key.text, '/');
                struct tok t = a->key;
                t.text = slash ? g_strndup(a->key.text, (gsize)(slash - a->key.text))
                               : g_strdup(a->key.text);
                struct in_addr in;
                bool ok = !strchr(t.text, ':') && inet_pton(AF_INET, t.text, &in) == 1;
                g_free(t.text);
                if (!ok)
                    ip_of(r, &a->key);
                g_array_append_val(p->vips, in.s_addr);
                if (a->args->len)
                    warn(r, g_array_index(a->args, struct tok, 0).pos,
                         "virtual_ipaddress: '%s' and what follows ignored (the VIP goes on "
                         "the director's eth0)", g_array_index(a->args, struct tok, 0).text);
            }
        } else if (is(e, "interface") || is(e, "authentication") || is(e, "unicast_peer") ||
                   is(e, "unicast_src_ip") || is(e, "mcast_src_ip") || is(e, "track_script") ||
                   is(e, "track_interface") || is(e, "notify") || is(e, "notify_master") ||
                   is(e, "notify_backup") || is(e, "notify_fault") || is(e, "smtp_alert") ||
                   is(e, "garp_master_delay") || is(e, "preempt_delay") ||
                   is(e, "virtual_ipaddress_excluded") || is(e, "virtual_routes") ||
                   is(e, "version") || is(e, "dont_track_primary") || is(e, "lvs_sync_daemon_interface")) {
            ignored(r, e, "vrrp_instance");
        } else {
            unknown(r, e, "vrrp_instance");
        }
    }
}

static void read_global(struct reader *r, const struct stmt *s, struct kconf *k)
{
    const GPtrArray *b = need_block(r, s);
    for (guint i = 0; i < b->len; i++) {
        const struct stmt *e = g_ptr_array_index(b, i);
        if (is(e, "lvs_sync_daemon")) {
            /* lvs_sync_daemon INTERFACE VRRP_INSTANCE [id ID] [maxlen N] [port P] ... */
            k->sync_daemon = true;
            for (guint j = 0; j + 1 < e->args->len; j++)
                if (strcmp(g_array_index(e->args, struct tok, j).text, "id") == 0)
                    k->syncid = (int)int_of(r, &g_array_index(e->args, struct tok, j + 1), 0, 255);
        } else if (is(e, "lvs_sync_daemon_interface")) {
            k->sync_daemon = true;
        } else {
            ignored(r, e, "global_defs");
        }
    }
}

static void read_top(struct reader *r, const GPtrArray *top, struct kconf *k)
{
    for (guint i = 0; i < top->len; i++) {
        const struct stmt *s = g_ptr_array_index(top, i);
        if (is(s, "virtual_server"))
            read_vs(r, s, k);
        else if (is(s, "virtual_server_group"))
            read_group(r, s);
        else if (is(s, "vrrp_instance"))
            read_vrrp(r, s, k);
        else if (is(s, "global_defs"))
            read_global(r, s, k);
        else if (is(s, "vrrp_sync_group") || is(s, "vrrp_script") || is(s, "static_ipaddress") ||
                 is(s, "static_routes") || is(s, "static_rules") || is(s, "linkbeat_use_polling") ||
                 is(s, "bfd_instance") || is(s, "garp_group") || is(s, "track_file") ||
                 is(s, "net_namespace") || is(s, "use_pid_dir"))
            ignored(r, s, NULL);
        else
            unknown(r, s, "the top level");
    }
}

/* ---- the whole ---------------------------------------------------------------------------- */

static void url_clear(struct kconf_url *u)
{
    g_free(u->path);
    g_free(u->status_code);
}

void kconf_free(struct kconf *k)
{
    if (!k)
        return;
    for (guint i = 0; i < k->vs->len; i++) {
        struct kconf_vs *v = &g_array_index(k->vs, struct kconf_vs, i);
        for (guint j = 0; j < v->rs->len; j++) {
            struct kconf_rs *rs = &g_array_index(v->rs, struct kconf_rs, j);
            for (guint c = 0; c < rs->checks->len; c++) {
                struct kconf_check *ck = &g_array_index(rs->checks, struct kconf_check, c);
                for (guint u = 0; u < ck->urls->len; u++)
                    url_clear(&g_array_index(ck->urls, struct kconf_url, u));
                g_array_free(ck->urls, TRUE);
                g_free(ck->misc_path);
            }
            g_array_free(rs->checks, TRUE);
        }
        g_array_free(v->rs, TRUE);
        g_array_free(v->addrs, TRUE);
        g_free(v->group);
        g_free(v->sched);
    }
    g_array_free(k->vs, TRUE);
    for (guint i = 0; i < k->vrrp->len; i++) {
        g_free(g_array_index(k->vrrp, struct kconf_vrrp, i).name);
        g_array_free(g_array_index(k->vrrp, struct kconf_vrrp, i).vips, TRUE);
    }
    g_array_free(k->vrrp, TRUE);
    g_ptr_array_free(k->warnings, TRUE);
    g_free(k);
}

static void tok_free(gpointer p)
{
    struct tok *t = p;
    g_free(t->text);
    g_free(t);
}

struct kconf *kconf_parse(const char *file, const char *text, size_t len, struct kconf_error *err)
{
    struct kconf *k = g_new0(struct kconf, 1);
    k->vs = g_array_new(FALSE, FALSE, sizeof(struct kconf_vs));
    k->vrrp = g_array_new(FALSE, FALSE, sizeof(struct kconf_vrrp));
    k->warnings = g_ptr_array_new_with_free_func(g_free);
    k->syncid = -1;
    struct reader r = { .file = file, .p = text, .end = text + len, .line = 1, .line_start = text,
                        .err = err, .warnings = k->warnings,
                        .toks = g_ptr_array_new_with_free_func(tok_free),
                        .stmts = g_ptr_array_new_with_free_func(stmt_free),
                        .bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref),
                        .groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify)g_array_unref) };
    /* volatile: set between setjmp and a longjmp back to it */
    volatile bool ok = false;
    if (setjmp(r.fail) == 0) {
        tokenize(&r);
        read_top(&r, block(&r, true, (struct kconf_pos){ 1, 1 }), k);
        ok = true;
    }
    g_ptr_array_free(r.bodies, TRUE);
    g_ptr_array_free(r.stmts, TRUE);
    g_hash_table_destroy(r.groups);
    g_ptr_array_free(r.toks, TRUE);
    if (!ok) {
        kconf_free(k);
        return NULL;
    }
    return k;
}
