/* `ipvsim sched`: the scheduler playground.
 *
 *   ipvsim sched SCHED --dests A:4,B:3,C:2 --picks N [--hold tcp|udp|none]
 *                [--script "pick 4; edit C 6; del B; add D:2; client 192.168.0.1:1024; pick 3"]
 *                [--init] [--flags sh-fallback,sh-port] [--seed N] [--kernel VERSION]
 *
 * A world with one host running the kernel model (the director), its IPVS state, and
 * one service on 10.0.0.100:80 (TCP; UDP with --hold udp). Dests are added through
 * the control plane in the listed order, as `ipvsadm -a` would add them, so each new
 * one goes to the head of the service's list and the scheduler's add_dest hook runs
 * after each. With --init the scheduler is bound only after the --dests exist (as
 * `ipvsadm -E` switching schedulers does), so init_service sees them all.
 *
 * The director runs --kernel's version (default 6.x): schedulers and flags younger
 * than it are refused, and sh and wrr pick as that kernel's would.
 *
 * Each pick builds a real packet from the current client address and port (a TCP
 * SYN, or a UDP datagram) and hands it to the scheduler; the next pick uses the next
 * source port. --hold tcp keeps each chosen connection open and active (counted in
 * activeconns), udp keeps it inactive, none keeps nothing.
 *
 * Output: one line, the name of the dest each pick got, separated by spaces, `-`
 * when the scheduler found none. With --script, one line per pick step instead,
 * labelled with the step that made the picks ("step 3, pick 2: A D"; the --picks
 * ones first, as "--picks N:"), so that each change's effect reads on its own line.
 * Bad input: a message naming what was expected and where (the option and the
 * column in it), exit status 2. */
#include "app/cli/cmd_sched.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/cli/cli_args.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/pkt.h"
#include "sim/sim.h"
#include "sim/world.h"

#define PG_VIP "10.0.0.100"
#define PG_VPORT 80
#define PG_DEST_NET 0x0a000000u        /* default dest addresses: 10.0.0.1, .2, ... */
#define PG_DEST_PORT 80
#define PG_CLIENT "192.168.0.1"
#define PG_CLIENT_PORT 1024
#define PG_MAX_PICKS 10000000

enum pg_hold { HOLD_NONE, HOLD_TCP, HOLD_UDP };

/* A dest name the playground knows (kept after a delete: adding it again reuses
 * its address, as a re-add of the same real server would). */
struct pg_dest {
    char *name;
    be32 addr;
    be16 port;
};

struct pg_held {
    struct ip_vs_dest *dest;
    unsigned flags;
};

struct pg {
    struct world w;
    bool world_up;
    struct net *net;
    struct ip_vs_service *svc;
    struct ip_vs_service_user su;
    const char *sched_name;
    const struct kernel_profile *prof; /* the director's kernel */
    GPtrArray *dests;                /* struct pg_dest *, in the order first added */
    uint32_t next_default;           /* index of the next default address */
    enum pg_hold hold;
    GArray *held;                    /* struct pg_held */
    be32 caddr;
    uint32_t cport;                  /* next client source port */
    GString *out;
    GString *err;
    GString *line;                   /* where the picks go: out, or the current group's */
    unsigned npicks;                 /* picks on that line so far */
    GPtrArray *groups;               /* struct pg_group *, with --script */
};

/* The picks of one step of a script (or of --picks before it). */
struct pg_group {
    char *label;                     /* "step 3, pick 2" */
    GString *picks;
};

/* A piece of an option's text and where it starts (0-based) in that option. */
struct span {
    const char *p;
    size_t len;
    size_t col;
};

static int pg_fail(struct pg *pg, const char *what, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "ipvsim sched: --script, column 7: expected ..." Returns the exit status 2. */
static int pg_fail(struct pg *pg, const char *what, size_t col, const char *fmt, ...)
{
    va_list ap;
    g_string_append(pg->err, "ipvsim sched: ");
    if (what)
        g_string_append_printf(pg->err, "%s, column %zu: ", what, col + 1);
    va_start(ap, fmt);
    g_string_append_vprintf(pg->err, fmt, ap);
    va_end(ap);
    g_string_append_c(pg->err, '\n');
    return 2;
}

static char *span_dup(struct span s)
{
    return g_strndup(s.p, s.len);
}

/* Unsigned decimal number of the whole span, at most max. */
static bool span_uint(struct span s, uint64_t max, uint64_t *out)
{
    if (s.len == 0 || s.len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

static bool span_ipv4(struct span s, be32 *out)
{
    char buf[INET_ADDRSTRLEN];
    if (s.len == 0 || s.len >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    return inet_pton(AF_INET, buf, out) == 1;
}

/* Split s at each sep; empty pieces kept. */
static GArray *span_split(struct span s, char sep)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct span));
    size_t start = 0;
    for (size_t i = 0; i <= s.len; i++) {
        if (i == s.len || s.p[i] == sep) {
            struct span piece = { s.p + start, i - start, s.col + start };
            g_array_append_val(a, piece);
            start = i + 1;
        }
    }
    return a;
}

/* Trim blanks at both ends, keeping the column right. */
static struct span span_trim(struct span s)
{
    while (s.len && g_ascii_isspace(s.p[0])) {
        s.p++;
        s.len--;
        s.col++;
    }
    while (s.len && g_ascii_isspace(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* Words separated by blanks. */
static GArray *span_words(struct span s)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct span));
    size_t i = 0;
    while (i < s.len) {
        while (i < s.len && g_ascii_isspace(s.p[i]))
            i++;
        if (i == s.len)
            break;
        size_t start = i;
        while (i < s.len && !g_ascii_isspace(s.p[i]))
            i++;
        struct span w = { s.p + start, i - start, s.col + start };
        g_array_append_val(a, w);
    }
    return a;
}

static bool name_ok(struct span s)
{
    if (s.len == 0 || (s.len == 1 && s.p[0] == '-'))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!g_ascii_isalnum(s.p[i]) && s.p[i] != '_' && s.p[i] != '-' && s.p[i] != '.')
            return false;
    return true;
}

static struct pg_dest *pg_find_name(const struct pg *pg, struct span name)
{
    for (guint i = 0; i < pg->dests->len; i++) {
        struct pg_dest *d = g_ptr_array_index(pg->dests, i);
        if (strlen(d->name) == name.len && memcmp(d->name, name.p, name.len) == 0)
            return d;
    }
    return NULL;
}

static const char *pg_name_of(const struct pg *pg, const struct ip_vs_dest *dest)
{
    for (guint i = 0; i < pg->dests->len; i++) {
        struct pg_dest *d = g_ptr_array_index(pg->dests, i);
        if (d->addr == dest->addr && d->port == dest->port)
            return d->name;
    }
    return "?";
}

static void pg_dest_free(gpointer p)
{
    struct pg_dest *d = p;
    g_free(d->name);
    g_free(d);
}

/* ---- dests ----------------------------------------------------------------------- */

/* NAME[=ADDR:PORT]:WEIGHT[:ACTIVE:INACTIVE] */
struct dest_spec {
    struct span name;
    bool has_addr;
    be32 addr;
    be16 port;
    int weight;
    bool has_counts;
    int active, inactive;
};

static int parse_dest_spec(struct pg *pg, const char *what, struct span s, struct dest_spec *ds)
{
    memset(ds, 0, sizeof *ds);
    const char *eq = memchr(s.p, '=', s.len);
    size_t name_end = 0;
    while (name_end < s.len && s.p[name_end] != '=' && s.p[name_end] != ':')
        name_end++;
    ds->name = (struct span){ s.p, name_end, s.col };
    if (!name_ok(ds->name))
        return pg_fail(pg, what, s.col,
                       "expected a dest NAME[=ADDR:PORT]:WEIGHT[:ACTIVE:INACTIVE], the name made of "
                       "letters, digits, '_', '-' or '.'");
    struct span rest = { s.p + name_end + 1, s.len > name_end ? s.len - name_end - 1 : 0,
                         s.col + name_end + 1 };
    if (name_end == s.len)
        return pg_fail(pg, what, s.col + s.len, "expected ':WEIGHT' after the dest name");
    GArray *f = span_split(rest, ':');
    struct span *fs = (struct span *)f->data;
    guint n = f->len, i = 0;
    int ret = 0;
    if (eq && eq == s.p + name_end) {
        ds->has_addr = true;
        uint64_t port;
        if (n < 1 || !span_ipv4(fs[0], &ds->addr)) {
            ret = pg_fail(pg, what, fs[0].col, "expected an IPv4 address after '='");
            goto out;
        }
        if (n < 2 || !span_uint(fs[1], 65535, &port)) {
            ret = pg_fail(pg, what, n < 2 ? fs[0].col + fs[0].len : fs[1].col,
                          "expected ':PORT' (0 to 65535) after the address");
            goto out;
        }
        ds->port = htons((uint16_t)port);
        i = 2;
    } else {
        ds->addr = 0;
        ds->port = htons(PG_DEST_PORT);
    }
    uint64_t v;
    if (i >= n || !span_uint(fs[i], 65535, &v)) {
        ret = pg_fail(pg, what, i >= n ? s.col + s.len : fs[i].col,
                      "expected a WEIGHT (0 to 65535)");
        goto out;
    }
    ds->weight = (int)v;
    i++;
    if (i < n) {
        uint64_t a, b;
        if (!span_uint(fs[i], 1000000000, &a)) {
            ret = pg_fail(pg, what, fs[i].col, "expected an ACTIVE connection count after the weight");
            goto out;
        }
        if (i + 1 >= n || !span_uint(fs[i + 1], 1000000000, &b)) {
            ret = pg_fail(pg, what, i + 1 >= n ? fs[i].col + fs[i].len : fs[i + 1].col,
                          "expected ':INACTIVE' after the active count");
            goto out;
        }
        if (i + 2 < n) {
            ret = pg_fail(pg, what, fs[i + 2].col - 1,
                          "expected the end of the dest after ACTIVE:INACTIVE");
            goto out;
        }
        ds->has_counts = true;
        ds->active = (int)a;
        ds->inactive = (int)b;
    }
out:
    g_array_free(f, TRUE);
    return ret;
}

static const char *pg_errno_text(int err)
{
    switch (err) {
    case -EEXIST: return "that dest is already in the service";
    case -ENOENT: return "no such dest in the service";
    case -EINVAL: return "invalid (the address must be a unicast one)";
    case -ERANGE: return "value out of range";
    default: return strerror(-err);
    }
}

static int pg_add_dest(struct pg *pg, const char *what, struct span s)
{
    struct dest_spec ds;
    int ret = parse_dest_spec(pg, what, s, &ds);
    if (ret)
        return ret;
    struct pg_dest *known = pg_find_name(pg, ds.name);
    if (known && ds.has_addr && (known->addr != ds.addr || known->port != ds.port))
        return pg_fail(pg, what, s.col, "the name %.*s already stands for another address",
                       (int)ds.name.len, ds.name.p);
    be32 addr;
    be16 port;
    if (known) {
        addr = known->addr;
        port = known->port;
    } else if (ds.has_addr) {
        addr = ds.addr;
        port = ds.port;
    } else {
        addr = htonl(PG_DEST_NET + ++pg->next_default);
        port = ds.port;
    }
    for (guint i = 0; !known && i < pg->dests->len; i++) {
        struct pg_dest *d = g_ptr_array_index(pg->dests, i);
        if (d->addr == addr && d->port == port)
            return pg_fail(pg, what, s.col, "the address of %.*s is %s's already",
                           (int)ds.name.len, ds.name.p, d->name);
    }
    struct ip_vs_dest_user u = {
        .addr = addr,
        .port = port,
        .conn_flags = IP_VS_CONN_F_MASQ,
        .weight = ds.weight,
    };
    ret = ip_vs_add_dest(pg->svc, &u);
    if (ret)
        return pg_fail(pg, what, s.col, "cannot add %.*s: %s", (int)ds.name.len, ds.name.p,
                       pg_errno_text(ret));
    if (!known) {
        struct pg_dest *d = g_new0(struct pg_dest, 1);
        d->name = span_dup(ds.name);
        d->addr = addr;
        d->port = port;
        g_ptr_array_add(pg->dests, d);
    }
    if (ds.has_counts) {
        struct ip_vs_dest *dest = ip_vs_lookup_dest(pg->svc, addr, port);
        dest->activeconns = ds.active;
        dest->inactconns = ds.inactive;
    }
    return 0;
}

/* ---- picks ----------------------------------------------------------------------- */

/* One new connection from the current client address and port. */
static int pg_pick(struct pg *pg)
{
    struct skb_pool *pool = net_pool(pg->net);
    struct sk_buff *skb = skb_alloc(pool, net_now(pg->net));
    struct ip4_spec ip = { .saddr = pg->caddr, .daddr = pg->su.addr, .df = true };
    be16 sport = htons((uint16_t)pg->cport);
    bool ok;
    if (pg->su.protocol == IPPROTO_TCP) {
        struct tcp_spec t = {
            .sport = sport, .dport = pg->su.port, .seq = 1, .flags = TCPH_SYN,
            .window = 64240, .mss = 1460,
        };
        ok = skb && pkt_build_tcp(skb, &ip, &t, 0);
    } else {
        ok = skb && pkt_build_udp(skb, &ip, sport, pg->su.port, 0);
    }
    if (!ok) {
        if (skb)
            skb_free(pool, skb);
        return pg_fail(pg, NULL, 0, "could not build a packet");
    }
    pg->cport = pg->cport >= 65535 ? 1 : pg->cport + 1;

    const struct iphdr *iph4 = (const struct iphdr *)skb->data;
    struct ip_vs_iphdr iph;
    memset(&iph, 0, sizeof iph);
    iph.len = ip_hdrlen(iph4);
    iph.protocol = iph4->protocol;
    iph.saddr = iph4->saddr;
    iph.daddr = iph4->daddr;
    const struct ip_vs_scheduler *sched = pg->svc->scheduler;
    struct ip_vs_dest *dest = sched ? sched->schedule(pg->svc, skb, &iph) : NULL;
    skb_free(pool, skb);

    if (pg->npicks++)
        g_string_append_c(pg->line, ' ');
    g_string_append(pg->line, dest ? pg_name_of(pg, dest) : "-");
    if (dest && pg->hold != HOLD_NONE) {
        /* A kept connection: TCP's SYN made it active at once; UDP stays inactive. */
        unsigned flags = dest->conn_flags & ~IP_VS_CONN_F_INACTIVE;
        if (pg->hold == HOLD_UDP)
            flags |= IP_VS_CONN_F_INACTIVE;
        ip_vs_dest_bind_conn(dest, flags);
        struct pg_held h = { dest, flags };
        g_array_append_val(pg->held, h);
    }
    return 0;
}

static int pg_picks(struct pg *pg, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        int ret = pg_pick(pg);
        if (ret)
            return ret;
    }
    return 0;
}

/* ---- the script -------------------------------------------------------------------- */

/* The following picks make a line of their own, labelled (takes label). */
static void pg_group_begin(struct pg *pg, char *label)
{
    struct pg_group *g = g_new0(struct pg_group, 1);
    g->label = label;
    g->picks = g_string_new(NULL);
    g_ptr_array_add(pg->groups, g);
    pg->line = g->picks;
    pg->npicks = 0;
}

static void pg_group_free(gpointer p)
{
    struct pg_group *g = p;
    g_free(g->label);
    g_string_free(g->picks, TRUE);
    g_free(g);
}

/* "LABEL: PICKS" a line each, the picks aligned. */
static void pg_groups_write(const struct pg *pg)
{
    int width = 0;
    for (guint i = 0; i < pg->groups->len; i++) {
        const struct pg_group *g = g_ptr_array_index(pg->groups, i);
        width = MAX(width, (int)strlen(g->label) + 1);
    }
    for (guint i = 0; i < pg->groups->len; i++) {
        const struct pg_group *g = g_ptr_array_index(pg->groups, i);
        char *head = g_strconcat(g->label, ":", NULL);
        if (g->picks->len)
            g_string_append_printf(pg->out, "%-*s %s\n", width, head, g->picks->str);
        else
            g_string_append_printf(pg->out, "%s\n", head);         /* "pick 0" */
        g_free(head);
    }
}

/* "90" (seconds), "1500ms", "90s", "30m", "25h". */
static bool parse_duration(struct span s, sim_time_t *out)
{
    sim_time_t unit = SEC;
    size_t n = s.len;
    if (n > 2 && s.p[n - 2] == 'm' && s.p[n - 1] == 's') {
        unit = MSEC;
        n -= 2;
    } else if (n > 1 && (s.p[n - 1] == 's' || s.p[n - 1] == 'm' || s.p[n - 1] == 'h')) {
        unit = s.p[n - 1] == 's' ? SEC : s.p[n - 1] == 'm' ? 60 * SEC : 3600 * SEC;
        n--;
    }
    uint64_t v;
    if (!span_uint((struct span){ s.p, n, s.col }, (uint64_t)(INT64_MAX / 2 / unit), &v))
        return false;
    *out = (sim_time_t)v * unit;
    return true;
}

static int pg_step(struct pg *pg, struct span step, guint number)
{
    const char *what = "--script";
    GArray *wa = span_words(step);
    struct span *w = (struct span *)wa->data;
    guint n = wa->len;
    int ret = 0;
#define IS(word) (w[0].len == strlen(word) && memcmp(w[0].p, word, w[0].len) == 0)
    if (n == 0) {
        ret = 0;                     /* an empty step (";;" or a trailing ';') */
    } else if (IS("pick")) {
        uint64_t k = 1;
        if (n > 2)
            ret = pg_fail(pg, what, w[2].col, "expected ';' or the end after 'pick N'");
        else if (n == 2 && !span_uint(w[1], PG_MAX_PICKS, &k))
            ret = pg_fail(pg, what, w[1].col, "expected a number of picks (0 to %d) after 'pick'",
                          PG_MAX_PICKS);
        else {
            pg_group_begin(pg, n == 2 ? g_strdup_printf("step %u, pick %.*s", number,
                                                        (int)w[1].len, w[1].p)
                                      : g_strdup_printf("step %u, pick", number));
            ret = pg_picks(pg, k);
        }
    } else if (IS("edit")) {
        uint64_t weight;
        struct pg_dest *d = n >= 2 ? pg_find_name(pg, w[1]) : NULL;
        struct ip_vs_dest *dest = d ? ip_vs_lookup_dest(pg->svc, d->addr, d->port) : NULL;
        if (n < 2)
            ret = pg_fail(pg, what, step.col + step.len, "expected 'edit NAME WEIGHT'");
        else if (!dest)
            ret = pg_fail(pg, what, w[1].col, "expected the name of a dest in the service, got '%.*s'",
                          (int)w[1].len, w[1].p);
        else if (n < 3 || !span_uint(w[2], 65535, &weight))
            ret = pg_fail(pg, what, n < 3 ? w[1].col + w[1].len : w[2].col,
                          "expected a WEIGHT (0 to 65535) after 'edit %s'", d->name);
        else if (n > 3)
            ret = pg_fail(pg, what, w[3].col, "expected ';' or the end after 'edit NAME WEIGHT'");
        else {
            struct ip_vs_dest_user u = {
                .addr = dest->addr, .port = dest->port,
                .conn_flags = dest->conn_flags & IP_VS_CONN_F_FWD_MASK,
                .weight = (int)weight,
                .u_threshold = dest->u_threshold, .l_threshold = dest->l_threshold,
                .tun_type = dest->tun_type, .tun_port = dest->tun_port, .tun_flags = dest->tun_flags,
            };
            int err = ip_vs_edit_dest(pg->svc, &u);
            if (err)
                ret = pg_fail(pg, what, w[0].col, "cannot edit %s: %s", d->name, pg_errno_text(err));
        }
    } else if (IS("del")) {
        struct pg_dest *d = n >= 2 ? pg_find_name(pg, w[1]) : NULL;
        if (n < 2)
            ret = pg_fail(pg, what, step.col + step.len, "expected 'del NAME'");
        else if (!d || !ip_vs_lookup_dest(pg->svc, d->addr, d->port))
            ret = pg_fail(pg, what, w[1].col, "expected the name of a dest in the service, got '%.*s'",
                          (int)w[1].len, w[1].p);
        else if (n > 2)
            ret = pg_fail(pg, what, w[2].col, "expected ';' or the end after 'del NAME'");
        else {
            int err = ip_vs_del_dest(pg->svc, d->addr, d->port);
            if (err)
                ret = pg_fail(pg, what, w[0].col, "cannot delete %s: %s", d->name, pg_errno_text(err));
        }
    } else if (IS("add")) {
        if (n < 2)
            ret = pg_fail(pg, what, step.col + step.len,
                          "expected 'add NAME[=ADDR:PORT]:WEIGHT[:ACTIVE:INACTIVE]'");
        else if (n > 2)
            ret = pg_fail(pg, what, w[2].col, "expected ';' or the end after 'add DEST'");
        else
            ret = pg_add_dest(pg, what, w[1]);
    } else if (IS("client")) {
        if (n != 2) {
            ret = pg_fail(pg, what, n < 2 ? step.col + step.len : w[2].col,
                          "expected 'client ADDR[:PORT]'");
        } else {
            const char *colon = memchr(w[1].p, ':', w[1].len);
            struct span a = { w[1].p, colon ? (size_t)(colon - w[1].p) : w[1].len, w[1].col };
            uint64_t port = pg->cport;
            if (!span_ipv4(a, &pg->caddr))
                ret = pg_fail(pg, what, a.col, "expected an IPv4 client address");
            else if (colon && !span_uint((struct span){ colon + 1, w[1].len - a.len - 1,
                                                        a.col + a.len + 1 }, 65535, &port))
                ret = pg_fail(pg, what, a.col + a.len + 1, "expected a client PORT (0 to 65535)");
            else
                pg->cport = (uint32_t)port;
        }
    } else if (IS("wait")) {
        sim_time_t d;
        if (n != 2 || !parse_duration(w[1], &d))
            ret = pg_fail(pg, what, n < 2 ? step.col + step.len : w[1].col,
                          "expected 'wait DURATION' (seconds, or a number with ms, s, m or h)");
        else
            sim_run_until(&pg->w.sim, pg->w.sim.now + d);
    } else {
        ret = pg_fail(pg, what, w[0].col,
                      "expected a step: pick [N], edit NAME WEIGHT, del NAME, add DEST, "
                      "client ADDR[:PORT] or wait DURATION; got '%.*s'", (int)w[0].len, w[0].p);
    }
#undef IS
    g_array_free(wa, TRUE);
    return ret;
}

static int pg_script(struct pg *pg, const char *script)
{
    struct span all = { script, strlen(script), 0 };
    GArray *steps = span_split(all, ';');
    int ret = 0;
    for (guint i = 0; i < steps->len && !ret; i++)
        ret = pg_step(pg, span_trim(g_array_index(steps, struct span, i)), i + 1);
    g_array_free(steps, TRUE);
    return ret;
}

/* ---- options ----------------------------------------------------------------------- */

static int parse_flags(struct pg *pg, const char *flags, unsigned *out)
{
    struct span all = { flags, strlen(flags), 0 };
    GArray *a = span_split(all, ',');
    int ret = 0;
    *out = 0;
    for (guint i = 0; i < a->len && !ret; i++) {
        struct span f = span_trim(g_array_index(a, struct span, i));
        char *s = span_dup(f);
        if (!strcmp(s, "sh-fallback") || !strcmp(s, "mh-fallback") || !strcmp(s, "flag-1"))
            *out |= IP_VS_SVC_F_SCHED1;
        else if (!strcmp(s, "sh-port") || !strcmp(s, "mh-port") || !strcmp(s, "flag-2"))
            *out |= IP_VS_SVC_F_SCHED2;
        else if (!strcmp(s, "flag-3"))
            *out |= IP_VS_SVC_F_SCHED3;
        else
            ret = pg_fail(pg, "--flags", f.col,
                          "expected sh-fallback, sh-port, mh-fallback, mh-port, flag-1, flag-2 or "
                          "flag-3, got '%s'", s);
        if (!ret && !kernel_profile_has_svc_flag(pg->prof, s))
            ret = pg_fail(pg, "--flags", f.col, "kernel %s has no flag %s (it came in %s)",
                          pg->prof->name, s, kernel_feature_since(s));
        g_free(s);
    }
    g_array_free(a, TRUE);
    return ret;
}

static int pg_setup(struct pg *pg, uint64_t seed, bool init_after, unsigned svc_flags)
{
    world_init(&pg->w, seed);
    pg->world_up = true;
    struct host *h = host_new(&pg->w, "director");
    pg->net = net_new(h, pg->prof);
    struct netns_ipvs *ipvs = ip_vs_net(pg->net);
    inet_pton(AF_INET, PG_VIP, &pg->su.addr);
    pg->su.protocol = pg->hold == HOLD_UDP ? IPPROTO_UDP : IPPROTO_TCP;
    pg->su.port = htons(PG_VPORT);
    pg->su.flags = svc_flags;
    g_strlcpy(pg->su.sched_name, init_after ? "none" : pg->sched_name, sizeof pg->su.sched_name);
    int ret = ip_vs_add_service(ipvs, &pg->su, &pg->svc);
    if (ret)
        return pg_fail(pg, NULL, 0, "cannot create the service with scheduler %s: %s",
                       pg->sched_name, pg_errno_text(ret));
    return 0;
}

static int pg_bind_late(struct pg *pg)
{
    g_strlcpy(pg->su.sched_name, pg->sched_name, sizeof pg->su.sched_name);
    int ret = ip_vs_edit_service(pg->svc, &pg->su);
    if (ret)
        return pg_fail(pg, "--init", 0, "binding %s to the service failed: %s", pg->sched_name,
                       pg_errno_text(ret));
    return 0;
}

static void pg_teardown(struct pg *pg)
{
    /* Close the kept connections, newest first, then the world (and IPVS with it). */
    for (guint i = pg->held->len; i-- > 0;) {
        struct pg_held *h = &g_array_index(pg->held, struct pg_held, i);
        ip_vs_dest_unbind_conn(h->dest, h->flags);
    }
    if (pg->world_up)
        world_destroy(&pg->w);
    g_array_free(pg->held, TRUE);
    g_ptr_array_free(pg->dests, TRUE);
    g_ptr_array_free(pg->groups, TRUE);
}

static char *scheduler_list(void)
{
    const char *const *names = ip_vs_scheduler_names();
    return g_strjoinv(", ", (char **)names);
}

int cmd_sched_run(int argc, char **argv, GString *out, GString *err)
{
    char *dests = NULL, *hold = NULL, *script = NULL, *flags = NULL, *kernel = NULL;
    gint picks = -1;
    char *seed_text = NULL;
    guint64 seed = 1;
    gboolean init_after = FALSE;
    GOptionEntry entries[] = {
        { "dests", 'd', 0, G_OPTION_ARG_STRING, &dests,
          "dests in ipvsadm -a order: NAME[=ADDR:PORT]:WEIGHT[:ACTIVE:INACTIVE],...", "LIST" },
        { "picks", 'n', 0, G_OPTION_ARG_INT, &picks, "new connections to schedule first", "N" },
        { "hold", 0, 0, G_OPTION_ARG_STRING, &hold,
          "keep each connection: tcp (active, the default), udp (inactive) or none", "KIND" },
        { "script", 's', 0, G_OPTION_ARG_STRING, &script,
          "then these steps: pick [N]; edit NAME WEIGHT; del NAME; add DEST; "
          "client ADDR[:PORT]; wait DURATION", "STEPS" },
        { "init", 0, 0, G_OPTION_ARG_NONE, &init_after,
          "bind the scheduler after the dests exist (as ipvsadm -E), not before", NULL },
        { "flags", 0, 0, G_OPTION_ARG_STRING, &flags,
          "scheduler flags: sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3", "LIST" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
          "run seed (twos draws from it; default 1), 0 to 2^64 - 1 as in run", "N" },
        { "kernel", 'k', 0, G_OPTION_ARG_STRING, &kernel,
          "the director's kernel: a version from 2.6.34 (5.15, 4.18.3) or an era (default 6.x)",
          "VERSION" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    struct pg pg;
    memset(&pg, 0, sizeof pg);
    pg.out = out;
    pg.line = out;
    pg.err = err;
    pg.groups = g_ptr_array_new_with_free_func(pg_group_free);
    pg.dests = g_ptr_array_new_with_free_func(pg_dest_free);
    pg.held = g_array_new(FALSE, FALSE, sizeof(struct pg_held));
    pg.hold = HOLD_TCP;
    pg.cport = PG_CLIENT_PORT;
    inet_pton(AF_INET, PG_CLIENT, &pg.caddr);

    char *names = scheduler_list();
    char *summary = g_strdup_printf("schedulers: %s\n\nOutput: the dest each new connection gets, "
                                    "'-' when none.", names);
    GOptionContext *ctx = g_option_context_new("SCHED - the scheduler playground");
    g_option_context_set_summary(ctx, summary);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_help_enabled(ctx, TRUE);

    /* GLib takes the arguments it consumes out of the vector: work on a copy. */
    char **args = g_new0(char *, (gsize)argc + 1);
    for (int i = 0; i < argc; i++)
        args[i] = g_strdup(i == 0 ? "ipvsim sched" : argv[i]);
    GError *gerr = NULL;
    int ret = 0;
    unsigned svc_flags = 0;
    if (!g_option_context_parse_strv(ctx, &args, &gerr)) {
        ret = pg_fail(&pg, NULL, 0, "%s", gerr->message);
        g_clear_error(&gerr);
        goto done;
    }
    guint nargs = g_strv_length(args);
    if (nargs < 2) {
        ret = pg_fail(&pg, NULL, 0, "expected a scheduler name (%s)", names);
        goto done;
    }
    if (nargs > 2) {
        ret = pg_fail(&pg, NULL, 0, "unexpected argument '%s'", args[2]);
        goto done;
    }
    pg.sched_name = args[1];
    if (strcmp(pg.sched_name, "none") != 0 && !ip_vs_scheduler_find(pg.sched_name)) {
        ret = pg_fail(&pg, NULL, 0, "unknown scheduler '%s': expected one of %s", pg.sched_name, names);
        goto done;
    }
    char why[320];
    pg.prof = kernel_profile_parse(kernel ? kernel : "6.x", why, sizeof why);
    if (!pg.prof) {
        ret = pg_fail(&pg, NULL, 0, "--kernel: %s", why);
        goto done;
    }
    if (strcmp(pg.sched_name, "none") != 0 && !kernel_profile_has_scheduler(pg.prof, pg.sched_name)) {
        ret = pg_fail(&pg, NULL, 0, "kernel %s has no scheduler %s (it came in %s)", pg.prof->name,
                      pg.sched_name, kernel_feature_since(pg.sched_name));
        goto done;
    }
    if (!dests) {
        ret = pg_fail(&pg, NULL, 0, "expected --dests NAME:WEIGHT,... (e.g. --dests A:4,B:3,C:2)");
        goto done;
    }
    if (picks < 0 && !script) {
        ret = pg_fail(&pg, NULL, 0, "expected --picks N or --script STEPS");
        goto done;
    }
    if (picks > PG_MAX_PICKS) {
        ret = pg_fail(&pg, NULL, 0, "--picks takes 0 to %d", PG_MAX_PICKS);
        goto done;
    }
    if (hold) {
        if (!strcmp(hold, "tcp"))
            pg.hold = HOLD_TCP;
        else if (!strcmp(hold, "udp"))
            pg.hold = HOLD_UDP;
        else if (!strcmp(hold, "none"))
            pg.hold = HOLD_NONE;
        else {
            ret = pg_fail(&pg, "--hold", 0, "expected tcp, udp or none, got '%s'", hold);
            goto done;
        }
    }
    if (flags && (ret = parse_flags(&pg, flags, &svc_flags)) != 0)
        goto done;
    if (seed_text && !cli_seed_value(seed_text, &seed, &gerr)) {
        ret = pg_fail(&pg, NULL, 0, "%s", gerr->message);
        g_clear_error(&gerr);
        goto done;
    }

    if ((ret = pg_setup(&pg, seed, init_after, svc_flags)) != 0)
        goto done;
    struct span all = { dests, strlen(dests), 0 };
    GArray *list = span_split(all, ',');
    for (guint i = 0; i < list->len && !ret; i++)
        ret = pg_add_dest(&pg, "--dests", span_trim(g_array_index(list, struct span, i)));
    g_array_free(list, TRUE);
    if (!ret && init_after)
        ret = pg_bind_late(&pg);
    if (!ret && picks > 0 && script)
        pg_group_begin(&pg, g_strdup_printf("--picks %d", picks));
    if (!ret && picks > 0)
        ret = pg_picks(&pg, (uint64_t)picks);
    if (!ret && script)
        ret = pg_script(&pg, script);
    if (!ret && script)
        pg_groups_write(&pg);
    else if (!ret)
        g_string_append_c(out, '\n');
    else
        g_string_truncate(out, 0);   /* bad input writes nothing */

done:
    pg_teardown(&pg);
    g_strfreev(args);
    g_option_context_free(ctx);
    g_free(summary);
    g_free(names);
    g_free(dests);
    g_free(hold);
    g_free(script);
    g_free(flags);
    g_free(kernel);
    g_free(seed_text);
    return ret;
}

int cmd_sched(int argc, char **argv)
{
    GString *out = g_string_new(NULL);
    GString *err = g_string_new(NULL);
    int ret = cmd_sched_run(argc, argv, out, err);
    fputs(out->str, stdout);
    fputs(err->str, stderr);
    g_string_free(out, TRUE);
    g_string_free(err, TRUE);
    return ret;
}
