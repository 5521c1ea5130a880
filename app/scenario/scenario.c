/* The scenario loader: read the file, apply --set overrides, check every key and
 * value, apply the defaults, cross-check the references. The first problem found is
 * the error, with its file, line and column. Every key, its type, default and range
 * is a row of scenario_keys.c (and of docs/scenario.schema.json, which the tests hold
 * to the tables). */
#include "app/scenario/scenario_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/netfilter/core.h"
#include "model/netfilter/user_hook.h"
#include "model/profile.h"
#include "sim/in6_key.h"
#include "app/scenario/sysctl.h"

/* ---- errors --------------------------------------------------------------------------- */

void scn_error_print(const struct scn_error *err)
{
    if (err->pos.line > 0)
        fprintf(stderr, "%s:%d:%d: %s\n", err->file, err->pos.line, err->pos.col, err->msg);
    else
        fprintf(stderr, "%s: %s\n", err->file, err->msg);
}

void scenario_print_warnings(const struct scenario *s)
{
    for (guint i = 0; s && i < s->warnings->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(s->warnings, i));
}

void scn_error_at(struct scn_error *err, const struct scenario *s, struct scn_pos pos,
                  const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g_strlcpy(err->file, pos.file ? pos.file : s && s->path ? s->path : "", sizeof err->file);
    err->environment = false;
    if (pos.set > 0 && s && s->set_keys && (guint)pos.set <= s->set_keys->len) {
        err->pos = (struct scn_pos){ 0 };
        char *full = g_strdup_printf("--set %s: %s",
                                     (const char *)g_ptr_array_index(s->set_keys, pos.set - 1), msg);
        g_strlcpy(err->msg, full, sizeof err->msg);
        g_free(full);
    } else {
        err->pos = pos;
        g_strlcpy(err->msg, msg, sizeof err->msg);
    }
}

struct scn_pos scn_pos_of(const struct scenario *s, const cJSON *node)
{
    const struct scn_node_pos *np = s && s->positions && node
                                        ? g_hash_table_lookup(s->positions, node) : NULL;
    return np ? np->val : (struct scn_pos){ 0 };
}

struct scn_pos scn_pos_of_key(const struct scenario *s, const cJSON *obj, const char *key)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return scn_pos_of(s, v ? v : obj);
}

/* ---- helpers --------------------------------------------------------------------------- */

/* An address of either family as text (buf: INET_KEY_STRLEN bytes). */
static char *ip_str(be32 a, char *buf)
{
    return (char *)inet_key_ntop(a, buf);
}

/* A key that must be of one family: "ip6" and "vip6" take IPv6 addresses. */
static bool want_family(struct scn_ctx *c, const cJSON *obj, const char *key, be32 a, int af)
{
    if (!a || inet_key_family(a) == af)
        return true;
    return scn_fail_key(c, obj, key, "expected an IPv%d address, not an IPv%d one",
                        af == AF_INET6 ? 6 : 4, af == AF_INET6 ? 4 : 6);
}

/* A name key: a safe name of at most the row's max characters; placed: the default
 * of a row that has none in the table (the N-th server's name). */
static bool get_name(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                     const char *key, const char *placed, char **out)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_NAME);
    if (placed && !k->def)
        *out = g_strdup(placed);
    if (!scn_get_string(c, obj, sec, key, out))
        return false;
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!v)
        return true;
    size_t saved = scn_path_push_key(c, key);
    bool ok = scn_check_name(c, v, *out, (size_t)k->max);
    scn_path_pop(c, saved);
    return ok;
}

static const struct scn_server *find_server(const struct scenario *s, const char *name)
{
    for (guint i = 0; i < s->servers->len; i++)
        if (strcmp(g_array_index(s->servers, struct scn_server, i).name, name) == 0)
            return &g_array_index(s->servers, struct scn_server, i);
    return NULL;
}

bool scn_is_cluster_host(const struct scenario *s, const char *name)
{
    return strcmp(name, "director") == 0 || strcmp(name, s->director.name) == 0 ||
           (s->backup.name && strcmp(name, s->backup.name) == 0) || find_server(s, name) != NULL;
}

/* The names of the cluster's hosts, for messages. */
static GString *host_list(const struct scenario *s)
{
    GString *g = g_string_new("\"director\"");
    if (s->director.name)
        g_string_append_printf(g, ", %s", s->director.name);
    if (s->backup.name)
        g_string_append_printf(g, ", %s", s->backup.name);
    for (guint i = 0; i < s->servers->len; i++)
        g_string_append_printf(g, ", %s", g_array_index(s->servers, struct scn_server, i).name);
    return g;
}

/* A host key: "director" / the director's name (-> *out NULL or "director", as
 * director_as says) or, when servers_too, a server's name. */
static bool get_host(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                     const char *director_as, bool servers_too, char **out)
{
    char *h = NULL;
    *out = NULL;
    scn_row_of(sec, "host", SCN_HOST);
    if (!cJSON_GetObjectItemCaseSensitive(obj, "host"))
        return true;
    if (!scn_get_string(c, obj, sec, "host", &h))
        return false;
    bool director = strcmp(h, "director") == 0 || strcmp(h, c->s->director.name) == 0;
    if (!director && !servers_too) {
        scn_fail_key(c, obj, "host", "expected \"director\" (or %s), not '%s': a client group runs "
                     "on a host of its own unless it runs on the director", c->s->director.name, h);
        g_free(h);
        return false;
    }
    if (!director && !scn_is_cluster_host(c->s, h)) {
        GString *hosts = host_list(c->s);
        scn_fail_key(c, obj, "host", "unknown host '%s' (expected one of: %s)", h, hosts->str);
        g_string_free(hosts, TRUE);
        g_free(h);
        return false;
    }
    if (director) {
        g_free(h);
        h = g_strdup(director_as);
    }
    *out = h;
    return true;
}

/* Iterate an array of objects of section: fn(c, item, index). */
static bool each_item(struct scn_ctx *c, const cJSON *root, const char *key, const char *what,
                      bool (*fn)(struct scn_ctx *c, const cJSON *item, int index))
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!list)
        return true;
    size_t saved = scn_path_push_key(c, key);
    bool ok = scn_check_array(c, list, what);
    const cJSON *item;
    int i = 0;
    cJSON_ArrayForEach(item, list) {
        if (!ok)
            break;
        size_t at = scn_path_push_index(c, i);
        ok = fn(c, item, i++);
        scn_path_pop(c, at);
    }
    scn_path_pop(c, saved);
    return ok;
}

/* ---- top-level scalars ----------------------------------------------------------------- */

static bool load_name(struct scn_ctx *c, const cJSON *root)
{
    struct scenario *s = c->s;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (!v) {
        char *base = g_path_get_basename(s->path);
        if (g_str_has_suffix(base, ".json"))
            base[strlen(base) - 5] = '\0';
        s->name = base;
        if (!scn_name_ok(base, SCN_NAME_MAX))
            return scn_fail(c, root, false, "the scenario has no \"name\" and its file name is not a "
                            "safe one: add a \"name\" (letters, digits, '-', '_' and '.', not "
                            "starting with '.', at most %d characters)", SCN_NAME_MAX);
        return true;
    }
    if (!scn_get_string(c, root, &scn_top, "name", &s->name))
        return false;
    if (scn_name_ok(s->name, SCN_NAME_MAX))
        return true;
    size_t saved = scn_path_push_key(c, "name");
    char shown[48];
    if (strlen(s->name) > 40)
        snprintf(shown, sizeof shown, "%.37s...", s->name);
    else
        g_strlcpy(shown, s->name, sizeof shown);
    scn_fail(c, v, false, "\"%s\" is not a safe name: the results go to results/<name>/, so a name "
             "is made of letters, digits, '-', '_' and '.', does not start with '.' and has at "
             "most %d characters", shown, SCN_NAME_MAX);
    scn_path_pop(c, saved);
    return false;
}

/* The seed, exactly: from the number's own text (a double holds only 53 bits). */
static bool load_seed(struct scn_ctx *c, const cJSON *root)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "seed");
    c->s->seed = g_ascii_strtoull(scn_row_of(&scn_top, "seed", SCN_SEED)->def, NULL, 10);
    if (!v)
        return true;
    const char *text = NULL;
    size_t n = 0;
    if (cJSON_IsRaw(v)) {
        text = v->valuestring;
        n = strspn(text, "0123456789");
        if (text[n] != '\0')
            n = 0;
    } else if (cJSON_IsNumber(v)) {
        const struct scn_node_pos *np = g_hash_table_lookup(c->s->positions, v);
        text = np ? c->s->text + np->off : "";
        n = strspn(text, "0123456789");
        if (text[n] == '.' || text[n] == 'e' || text[n] == 'E')
            n = 0;
    }
    errno = 0;
    unsigned long long seed = n > 0 && n <= 20 ? strtoull(text, NULL, 10) : 0;
    if (n == 0 || n > 20 || errno == ERANGE) {
        size_t saved = scn_path_push_key(c, "seed");
        scn_fail(c, v, false, "expected an integer from 0 to 18446744073709551615");
        scn_path_pop(c, saved);
        return false;
    }
    c->s->seed = seed;
    return true;
}

static bool load_kernel(struct scn_ctx *c, const cJSON *root)
{
    if (!scn_get_string(c, root, &scn_top, "kernel", &c->s->kernel))
        return false;
    char why[320];
    if (kernel_profile_parse(c->s->kernel, why, sizeof why))
        return true;
    scn_fail_key(c, root, "kernel", "%s", why);
    return false;
}

static bool load_scalars(struct scn_ctx *c, const cJSON *root)
{
    struct scenario *s = c->s;
    if (!load_name(c, root) || !scn_get_string(c, root, &scn_top, "description", &s->description) ||
        !load_seed(c, root) || !scn_get_duration(c, root, &scn_top, "duration", &s->duration) ||
        !load_kernel(c, root))
        return false;
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "$schema");
    if (schema && !cJSON_IsString(schema))
        return scn_fail(c, schema, false, "$schema: expected a string");
    return true;
}

static const char *sysctl_name_at(const void *ctx, size_t i)
{
    (void)ctx;
    const struct sysctl_def *d = sysctl_at(i);
    return d ? d->name : NULL;
}

/* "unknown sysctl 'x' (did you mean 'y'?)" at node (a key, or an event's value). */
bool scn_fail_sysctl(struct scn_ctx *c, const cJSON *node, bool at_key, const char *name)
{
    const char *near = scn_nearest(name, sysctl_name_at, NULL);
    if (near)
        return scn_fail(c, node, at_key, "unknown sysctl '%s' (did you mean '%s'?)", name, near);
    return scn_fail(c, node, at_key, "unknown sysctl '%s'", name);
}

/* A sysctl's value at v: an integer, or for one that takes names (d->names) one of
 * them as a string. */
bool scn_sysctl_value(struct scn_ctx *c, const struct sysctl_def *d, const cJSON *v, long *out)
{
    if (d->names) {
        char names[128];
        sysctl_names_list(d, names, sizeof names);
        if (!cJSON_IsString(v) || !sysctl_name_value(d, v->valuestring, out))
            return scn_fail(c, v, false, "expected one of %s (the congestion control modules "
                            "ipvsim models)", names);
        return true;
    }
    long long x = 0;
    if (!scn_int_in(c, v, INT_MIN, INT_MAX, &x))
        return false;
    *out = (long)x;
    return true;
}

/* The "sysctl" object of parent (a section whose row says which sysctls it takes)
 * into out (struct scn_sysctl); a server's or a client group's may only hold the
 * host's own net.ipv4 sysctls. */
static bool read_sysctls(struct scn_ctx *c, const cJSON *parent, const struct scn_section *sec,
                         GArray *out)
{
    bool ipvs = strcmp(scn_row_of(sec, "sysctl", SCN_SYSCTLS)->sub, "director") == 0;
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(parent, "sysctl");
    if (!obj)
        return true;
    size_t saved = scn_path_push_key(c, "sysctl");
    bool ok = cJSON_IsObject(obj) || scn_fail(c, obj, false, "expected an object of sysctl names "
                                              "and values, like { \"expire_nodest_conn\": 1 }");
    const cJSON *m;
    cJSON_ArrayForEach(m, obj) {
        if (!ok || strcmp(m->string, "comment") == 0)
            continue;
        const struct sysctl_def *d = sysctl_find(m->string);
        if (!d) {
            ok = scn_fail_sysctl(c, m, true, m->string);
            break;
        }
        if (!ipvs && d->home == SYSCTL_IPVS) {
            ok = scn_fail(c, m, true, "sysctl '%s' is the director's (IPVS): a %s takes "
                          "only net.ipv4 ones, like net.ipv4.conf.all.accept_redirects", m->string,
                          sec == &scn_clients ? "client group" : "server");
            break;
        }
        struct scn_sysctl sc = { .key = g_strdup(d->name), .pos = scn_pos_of(c->s, m) };
        size_t at = scn_path_push_key(c, m->string);
        ok = scn_sysctl_value(c, d, m, &sc.value);
        scn_path_pop(c, at);
        g_array_append_val(out, sc);
    }
    scn_path_pop(c, saved);
    return ok;
}

static bool load_sysctls(struct scn_ctx *c, const cJSON *root)
{
    return read_sysctls(c, root, &scn_top, c->s->sysctls);
}

static void free_sysctls(GArray *a)
{
    if (!a)
        return;
    for (guint i = 0; i < a->len; i++)
        g_free(g_array_index(a, struct scn_sysctl, i).key);
    g_array_free(a, TRUE);
}

/* backup.sync_threshold: [threshold, period], as the sysctl's two numbers; the
 * kernel refuses negative ones and a threshold not below a non-zero period. */
static bool get_sync_threshold(struct scn_ctx *c, const cJSON *b, int out[2])
{
    const cJSON *v = b ? cJSON_GetObjectItemCaseSensitive(b, "sync_threshold") : NULL;
    bool ok = scn_get_pair(c, b, &scn_backup, "sync_threshold", out);
    if (!v)
        return true;
    size_t saved = scn_path_push_key(c, "sync_threshold");
    if (ok && out[1] && out[0] >= out[1])
        ok = false;
    if (!ok)
        scn_fail(c, v, false, "expected [threshold, period]: two integers from 0, the threshold "
                 "below the period unless the period is 0 (like the sysctl's \"3 50\")");
    scn_path_pop(c, saved);
    return ok;
}

static bool load_link(struct scn_ctx *c, const cJSON *links, const char *which, const char *latency,
                      const char *bandwidth, struct scn_link *l);

/* director.backup: the second director (app/run/run_ha.c). */
static bool load_backup(struct scn_ctx *c, const cJSON *d)
{
    struct scn_backup *b = &c->s->backup;
    const cJSON *o = d ? cJSON_GetObjectItemCaseSensitive(d, "backup") : NULL;
    if (!o)
        return true;
    size_t saved = scn_path_push_key(c, "backup");
    long long syncid = 0;
    b->enabled = true;
    b->pos = scn_pos_of(c->s, o);
    bool ok = scn_check_object(c, o, &scn_backup) &&
              get_name(c, o, &scn_backup, "name", NULL, &b->name) &&
              scn_get_addr(c, o, &scn_backup, "dip", &b->dip) &&
              want_family(c, o, "dip", b->dip, AF_INET) &&
              scn_get_bool(c, o, &scn_backup, "sync", &b->sync) &&
              get_sync_threshold(c, o, b->sync_threshold) &&
              scn_get_int(c, o, &scn_backup, "syncid", &syncid) &&
              scn_get_duration(c, o, &scn_backup, "advert_int", &b->advert_int) &&
              scn_get_bool(c, o, &scn_backup, "preempt", &b->preempt);
    b->syncid = (uint8_t)syncid;
    if (ok && b->advert_int % SEC)
        ok = scn_fail_key(c, o, "advert_int", "%s", scn_row(&scn_backup, "advert_int")->why);
    ok = ok && load_link(c, o, "link", "50us", "1Gbps", &b->link);
    if (ok && (strcmp(b->name, "director") == 0 || strcmp(b->name, c->s->director.name) == 0))
        ok = scn_fail_key(c, o, "name", "the name '%s' is already taken (host names are unique)",
                          b->name);
    if (ok && b->dip && (b->dip == c->s->director.dip || b->dip == c->s->director.vip))
        ok = scn_fail_key(c, o, "dip", "the backup needs an address of its own");
    scn_path_pop(c, saved);
    return ok;
}

static bool load_director(struct scn_ctx *c, const cJSON *root)
{
    struct scenario *s = c->s;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "director");
    size_t saved = scn_path_push_key(c, "director");
    long long fwd = 1;
    bool ok = (!d || scn_check_object(c, d, &scn_director)) &&
              get_name(c, d, &scn_director, "name", NULL, &s->director.name) &&
              scn_get_addr(c, d, &scn_director, "vip", &s->director.vip) &&
              scn_get_addr(c, d, &scn_director, "dip", &s->director.dip) &&
              scn_get_addr(c, d, &scn_director, "vip6", &s->director.vip6) &&
              scn_get_addr(c, d, &scn_director, "dip6", &s->director.dip6) &&
              want_family(c, d, "vip6", s->director.vip6, AF_INET6) &&
              want_family(c, d, "dip6", s->director.dip6, AF_INET6) &&
              want_family(c, d, "dip", s->director.dip, AF_INET) &&
              scn_get_int(c, d, &scn_director, "ip_forward", &fwd) &&
              scn_get_size(c, d, &scn_director, "memory", &s->director.memory) && load_backup(c, d);
    s->director.ip_forward = (int)fwd;
    /* one VIP per family: "vip" of either, "vip6" beside an IPv4 one */
    if (ok && s->director.vip6 && (!s->director.vip || in6_is_key(s->director.vip)))
        ok = scn_fail_key(c, d, "vip6", "'vip6' is the IPv6 VIP beside an IPv4 'vip'%s",
                          s->director.vip ? ": 'vip' is IPv6 already" : ", which is missing");
    if (ok && strcmp(s->director.name, "director") == 0)
        ok = scn_fail(c, cJSON_GetObjectItemCaseSensitive(d, "name"), false,
                      "\"director\" already means the director wherever a host is named: choose "
                      "another name");
    scn_path_pop(c, saved);
    return ok;
}

/* ---- servers ----------------------------------------------------------------------------- */

bool scn_listener_parse(const char *text, uint8_t *protocol, uint16_t *port, char *why,
                        size_t whylen)
{
    const char *colon = strchr(text, ':');
    if (!colon) {
        snprintf(why, whylen, "expected a listener like \"tcp:80\" or \"udp:53\" (protocol:port), "
                 "not '%.40s'", text);
        return false;
    }
    int plen = (int)(colon - text);
    if (plen == 3 && strncmp(text, "tcp", 3) == 0) {
        *protocol = IPPROTO_TCP;
    } else if (plen == 3 && strncmp(text, "udp", 3) == 0) {
        *protocol = IPPROTO_UDP;
    } else {
        snprintf(why, whylen, "unknown protocol '%.*s' in listener '%.40s' (expected tcp or udp)",
                 plen > 20 ? 20 : plen, text, text);
        return false;
    }
    const char *p = colon + 1;
    size_t digits = strspn(p, "0123456789");
    long v = digits > 0 && digits <= 5 && p[digits] == '\0' ? strtol(p, NULL, 10) : -1;
    if (digits == 0 || p[digits] != '\0') {
        snprintf(why, whylen, "expected a port number after '%.*s:' in listener '%.40s'", plen, text,
                 text);
        return false;
    }
    if (v < 1 || v > 65535) {
        snprintf(why, whylen, "port %.20s of listener '%.40s' is out of range (expected 1 to 65535)",
                 p, text);
        return false;
    }
    *port = (uint16_t)v;
    return true;
}

int scn_server_listener(const struct scn_server *sv, uint8_t protocol, uint16_t port)
{
    if (!sv->listeners || sv->listeners->len == 0)
        return port == sv->port ? 0 : -1;
    for (guint i = 0; i < sv->listeners->len; i++) {
        const struct scn_listener *l = &g_array_index(sv->listeners, struct scn_listener, i);
        if (l->protocol == protocol && l->port == port)
            return (int)i;
    }
    return -1;
}

static const char *proto_word(uint8_t protocol)
{
    return protocol == IPPROTO_TCP ? "tcp" : "udp";
}

/* One entry of "listen": "tcp:443", or an object of its own keys (defaults: the
 * server's, which sv holds already). */
static bool load_listener(struct scn_ctx *c, const cJSON *item, struct scn_server *sv,
                          struct scn_listener *l)
{
    *l = (struct scn_listener){ .queue_limit = sv->queue_limit, .pos = scn_pos_of(c->s, item) };
    const char *text = cJSON_IsString(item) || cJSON_IsRaw(item) ? scn_string_of(item) : NULL;
    if (text) {
        char why[160];
        return scn_listener_parse(text, &l->protocol, &l->port, why, sizeof why) ||
               scn_fail(c, item, false, "%s", why);
    }
    if (!cJSON_IsObject(item))
        return scn_fail(c, item, false, "expected a listener: \"tcp:80\", or an object like "
                        "{ \"protocol\": \"udp\", \"port\": 53, \"workers\": 4 }");
    int proto = 0;                  /* "tcp|udp" */
    long long port = 0, workers = 0, qlimit = sv->queue_limit;
    bool ok = scn_check_object(c, item, &scn_listeners) &&
              scn_get_choice(c, item, &scn_listeners, "protocol", &proto) &&
              scn_get_int(c, item, &scn_listeners, "port", &port) &&
              scn_get_int(c, item, &scn_listeners, "workers", &workers) &&
              scn_get_int(c, item, &scn_listeners, "queue_limit", &qlimit) &&
              scn_get_dist(c, item, &scn_listeners, "service_time", &l->service_time);
    l->protocol = proto == 0 ? IPPROTO_TCP : IPPROTO_UDP;
    l->port = (uint16_t)port;
    l->workers = (int)workers;
    l->queue_limit = (uint32_t)qlimit;
    l->has_service_time = cJSON_GetObjectItemCaseSensitive(item, "service_time") != NULL;
    if (ok && !workers && cJSON_GetObjectItemCaseSensitive(item, "queue_limit"))
        ok = scn_fail_key(c, item, "queue_limit", "a listener without workers of its own waits in "
                          "the server's queue: give it \"workers\" too, or set the server's "
                          "queue_limit");
    return ok;
}

/* "listen": the server's listeners, no two of the same protocol and port; or absent
 * (one listener, TCP and UDP on "port"), never both. */
static bool load_listeners(struct scn_ctx *c, const cJSON *item, struct scn_server *sv)
{
    scn_row_of(&scn_servers, "listen", SCN_LISTENERS);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(item, "listen");
    if (!list)
        return true;
    if (cJSON_GetObjectItemCaseSensitive(item, "port"))
        return scn_fail_key(c, item, "listen", "a server takes \"port\" or \"listen\", not both "
                            "(\"listen\": [\"tcp:80\", \"udp:80\"] is \"port\": 80)");
    size_t saved = scn_path_push_key(c, "listen");
    bool ok = scn_check_array(c, list, "listeners");
    if (ok && cJSON_GetArraySize(list) == 0)
        ok = scn_fail(c, list, false, "expected at least one listener, like \"tcp:80\"");
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, list) {
        if (!ok)
            break;
        size_t at = scn_path_push_index(c, i++);
        struct scn_listener l;
        ok = load_listener(c, it, sv, &l);
        int same = -1;
        for (guint k = 0; ok && k < sv->listeners->len; k++) {
            const struct scn_listener *o = &g_array_index(sv->listeners, struct scn_listener, k);
            if (o->protocol == l.protocol && o->port == l.port)
                same = (int)k;
        }
        if (same >= 0)
            ok = scn_fail(c, it, false, "%s:%u is a listener of this server already (listen[%d])",
                          proto_word(l.protocol), l.port, same);
        if (ok)
            g_array_append_val(sv->listeners, l);
        scn_path_pop(c, at);
    }
    scn_path_pop(c, saved);
    if (ok)
        sv->port = g_array_index(sv->listeners, struct scn_listener, 0).port;
    return ok;
}

static bool load_server(struct scn_ctx *c, const cJSON *item, int i)
{
    struct scenario *s = c->s;
    struct scn_server sv = { .pos = scn_pos_of(s, item),
                             .sysctls = g_array_new(FALSE, FALSE, sizeof(struct scn_sysctl)),
                             .listeners = g_array_new(FALSE, FALSE, sizeof(struct scn_listener)) };
    char def_name[16];
    long long port = 0, workers = 0, qlimit = 0;
    snprintf(def_name, sizeof def_name, "rs%d", i + 1);
    bool ok = scn_check_object(c, item, &scn_servers) &&
              get_name(c, item, &scn_servers, "name", def_name, &sv.name) &&
              scn_get_addr(c, item, &scn_servers, "ip", &sv.ip) &&
              scn_get_addr(c, item, &scn_servers, "ip6", &sv.ip6) &&
              want_family(c, item, "ip6", sv.ip6, AF_INET6) &&
              scn_get_int(c, item, &scn_servers, "port", &port) &&
              scn_get_int(c, item, &scn_servers, "workers", &workers) &&
              scn_get_dist(c, item, &scn_servers, "service_time", &sv.service_time) &&
              scn_get_int(c, item, &scn_servers, "queue_limit", &qlimit) &&
              scn_get_bool(c, item, &scn_servers, "close_after_response",
                           &sv.close_after_response) &&
              read_sysctls(c, item, &scn_servers, sv.sysctls) &&
              scn_load_http_status(c, item, &sv.http_status);
    sv.port = (uint16_t)port;
    sv.workers = (int)workers;
    sv.queue_limit = (uint32_t)qlimit;
    ok = ok && load_listeners(c, item, &sv);
    if (ok && (strcmp(sv.name, s->director.name) == 0 || strcmp(sv.name, "director") == 0 ||
               (s->backup.name && strcmp(sv.name, s->backup.name) == 0) ||
               g_hash_table_contains(c->server_names, sv.name))) {
        ok = scn_fail_key(c, item, "name", "the name '%s' is already taken (host names are unique)",
                          sv.name);
    }
    if (ok && sv.ip6 && in6_is_key(sv.ip))
        ok = scn_fail_key(c, item, "ip6", "'ip6' is a second address beside an IPv4 'ip', and "
                          "'ip' is IPv6 already");
    guint same_ip = ok ? GPOINTER_TO_UINT(g_hash_table_lookup(c->server_ips,
                                                              GUINT_TO_POINTER(sv.ip))) : 0;
    guint same_ip6 = 0;
    if (ok && sv.ip6)
        same_ip6 = GPOINTER_TO_UINT(g_hash_table_lookup(c->server_ips, GUINT_TO_POINTER(sv.ip6)));
    if (same_ip6) {
        char buf[INET_KEY_STRLEN];
        ok = scn_fail_key(c, item, "ip6", "%s is already the address of server %s",
                          ip_str(sv.ip6, buf),
                          g_array_index(s->servers, struct scn_server, same_ip6 - 1).name);
    }
    if (ok && sv.ip6 && (sv.ip6 == s->director.vip || sv.ip6 == s->director.vip6 ||
                         sv.ip6 == s->director.dip6)) {
        char buf[INET_KEY_STRLEN];
        ok = scn_fail_key(c, item, "ip6", "%s is the director's address", ip_str(sv.ip6, buf));
    }
    if (same_ip) {
        char buf[INET_KEY_STRLEN];
        ok = scn_fail_key(c, item, "ip", "%s is already the address of server %s",
                          ip_str(sv.ip, buf),
                          g_array_index(s->servers, struct scn_server, same_ip - 1).name);
    }
    if (ok && sv.ip && (sv.ip == s->director.vip || sv.ip == s->director.dip ||
                        sv.ip == s->backup.dip || sv.ip == s->director.vip6 ||
                        sv.ip == s->director.dip6)) {
        char buf[INET_KEY_STRLEN];
        ok = scn_fail_key(c, item, "ip", "%s is the director's address", ip_str(sv.ip, buf));
    }
    if (!ok) {
        g_free(sv.name);
        free_sysctls(sv.sysctls);
        g_array_free(sv.listeners, TRUE);
        scn_http_status_free(sv.http_status);
        return false;
    }
    g_array_append_val(s->servers, sv);
    g_hash_table_insert(c->server_names, sv.name, GUINT_TO_POINTER(s->servers->len));
    g_hash_table_insert(c->server_ips, GUINT_TO_POINTER(sv.ip), GUINT_TO_POINTER(s->servers->len));
    if (sv.ip6)
        g_hash_table_insert(c->server_ips, GUINT_TO_POINTER(sv.ip6),
                            GUINT_TO_POINTER(s->servers->len));
    return true;
}

/* ---- clients -------------------------------------------------------------------------- */

/* The i-th address of a group's net (the first host address is i = 0): net+1 on,
 * except in an IPv4 /31 or /32 and an IPv6 /127 or /128, where every address is a
 * host's (RFC 3021, RFC 6164); an IPv6 one as its key. */
be32 scn_client_addr(const struct scn_client *cl, uint32_t i)
{
    if (!in6_is_key(cl->net))
        return htonl(ntohl(cl->net) + (cl->prefix >= 31 ? 0 : 1) + i);
    struct in6_addr a = *in6_key_addr(cl->net);
    uint64_t add = (uint64_t)i + (cl->prefix >= 127 ? 0 : 1);
    /* add to the 128-bit number, big-endian: a count fits in the host part */
    for (int b = 15; b >= 0 && add; b--) {
        add += a.s6_addr[b];
        a.s6_addr[b] = (uint8_t)add;
        add >>= 8;
    }
    return in6_key_get(&a);
}

/* The group's addresses, host order: the first count host addresses of its net. */
static void client_range(const struct scn_client *cl, uint32_t *lo, uint32_t *hi)
{
    *lo = ntohl(cl->net) + (cl->prefix <= 30 ? 1 : 0);
    *hi = *lo + cl->count - 1;
    if (!cl->script)
        return;
    /* a script's: from its lowest address to its highest */
    *lo = UINT32_MAX;
    *hi = 0;
    for (guint i = 0; i < cl->script->len; i++) {
        uint32_t a = ntohl(g_array_index(cl->script, struct client_script_conn, i).saddr);
        *lo = MIN(*lo, a);
        *hi = MAX(*hi, a);
    }
}

/* An IPv6 group's addresses as 128-bit numbers (big-endian bytes compare with
 * memcmp as numbers do). */
struct range6 {
    struct in6_addr lo, hi;
};

static struct range6 client_range6(const struct scn_client *cl)
{
    return (struct range6){ *in6_key_addr(scn_client_addr(cl, 0)),
                            *in6_key_addr(scn_client_addr(cl, cl->count - 1)) };
}

static bool in_range6(const struct range6 *r, be32 key)
{
    if (!in6_is_key(key))
        return false;
    const struct in6_addr *a = in6_key_addr(key);
    return memcmp(a, &r->lo, sizeof *a) >= 0 && memcmp(a, &r->hi, sizeof *a) <= 0;
}

/* Do two groups share an address? Groups of different families never do. */
static bool clients_overlap(const struct scn_client *a, const struct scn_client *b)
{
    if (in6_is_key(a->net) != in6_is_key(b->net))
        return false;
    if (in6_is_key(a->net)) {
        struct range6 x = client_range6(a), y = client_range6(b);
        return memcmp(&x.lo, &y.hi, sizeof x.lo) <= 0 && memcmp(&y.lo, &x.hi, sizeof x.lo) <= 0;
    }
    uint32_t lo, hi, olo, ohi;
    client_range(a, &lo, &hi);
    client_range(b, &olo, &ohi);
    return lo <= ohi && olo <= hi;
}

/* Is addr (either family) one of the group's? */
static bool client_has(const struct scn_client *cl, be32 addr)
{
    if (!addr || in6_is_key(addr) != in6_is_key(cl->net))
        return false;
    if (in6_is_key(addr)) {
        struct range6 r = client_range6(cl);
        return in_range6(&r, addr);
    }
    uint32_t lo, hi;
    client_range(cl, &lo, &hi);
    return ntohl(addr) >= lo && ntohl(addr) <= hi;
}

/* Host addresses in a net of that prefix (IPv6: capped, beyond any count). */
static uint64_t net_hosts(be32 net, uint8_t prefix)
{
    if (in6_is_key(net))
        return prefix <= 64 ? UINT64_MAX : prefix >= 127 ? 1ull << (128 - prefix)
                                                          : (1ull << (128 - prefix)) - 1;
    uint64_t n = 1ull << (32 - prefix);
    return prefix <= 30 ? n - 2 : n;
}

static bool client_loop(struct scn_ctx *c, const cJSON *item, struct scn_client *cl)
{
    long long users = 0;
    const cJSON *arrival = cJSON_GetObjectItemCaseSensitive(item, "arrival");
    const cJSON *think = cJSON_GetObjectItemCaseSensitive(item, "think");
    if (!scn_get_int(c, item, &scn_clients, "users", &users))
        return false;
    cl->users = (uint32_t)users;
    if (users > 0 && arrival) {
        size_t saved = scn_path_push_key(c, "arrival");
        scn_fail(c, arrival, true, "'arrival' (an open loop) and 'users' (a closed loop) do not "
                 "go together");
        scn_path_pop(c, saved);
        return false;
    }
    if (users == 0 && think) {
        size_t saved = scn_path_push_key(c, "think");
        scn_fail(c, think, true, "'think' needs 'users' (a closed loop)");
        scn_path_pop(c, saved);
        return false;
    }
    if (users > 0)
        return scn_get_dist(c, item, &scn_clients, "think", &cl->think);
    return scn_get_dist(c, item, &scn_clients, "arrival", &cl->arrival);
}

static bool client_addresses(struct scn_ctx *c, const cJSON *item, int i, struct scn_client *cl)
{
    long long count = 1;
    const cJSON *net = cJSON_GetObjectItemCaseSensitive(item, "net");
    const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(item, "count");
    if (cl->host) {
        if (net || cnt) {
            const cJSON *bad = net ? net : cnt;
            size_t saved = scn_path_push_key(c, bad->string);
            scn_fail(c, bad, true, "'%s' does not apply to a client that runs on a host of the "
                     "cluster (it uses the host's address)", bad->string);
            scn_path_pop(c, saved);
            return false;
        }
        cl->count = 1;
        return true;
    }
    /* the N-th group's default net is 10.N.0.0/16: the 255 of them are all there are */
    if (!net && i >= 255)
        return scn_require(c, item, "net") != NULL;
    cl->net = htonl(0x0a000000u | (uint32_t)(i + 1) << 16);
    cl->prefix = 16;
    if (!scn_get_cidr(c, item, &scn_clients, "net", &cl->net, &cl->prefix) ||
        !scn_get_int(c, item, &scn_clients, "count", &count))
        return false;
    cl->count = (uint32_t)count;
    if ((uint64_t)count > net_hosts(cl->net, cl->prefix)) {
        char buf[INET_KEY_STRLEN];
        size_t saved = scn_path_push_key(c, "count");
        scn_fail(c, cnt, false, "%lld addresses do not fit in %s/%u (%llu host addresses)", count,
                 ip_str(cl->net, buf), cl->prefix,
                 (unsigned long long)net_hosts(cl->net, cl->prefix));
        scn_path_pop(c, saved);
        return false;
    }
    /* (an IPv4 group cannot reach 240.0.0.0/4, the space of IPv6 keys: its net starts
     * below it, aligned, so only a /0 to /3 would hold it, and 'count' (2^24 at most)
     * ends long before) */
    return true;
}

/* An arrival trace replays its arrivals once, and with "loop" again from its first
 * one for as long as the group runs (the gaps repeat: each replay is shifted by the
 * trace's last time). Without it, a trace that ends before the group stops leaves
 * the rest of the run without arrivals: say so. */
static void warn_trace_ends(struct scn_ctx *c, const cJSON *item, const struct scn_client *cl)
{
    double span = 0;
    for (uint32_t i = 0; i < cl->arrival.ntrace; i++)
        span += cl->arrival.trace[i];
    double window = (double)(cl->stop - cl->start);
    if (span >= window)
        return;
    scn_warn_key(c, item, "arrival", "the trace's %u arrivals span %.9g s, less than the "
                 "group's %.9g s (from 'start' to 'stop'): no arrival after its last one "
                 "(\"loop\": true repeats it, %.3g times in all; README, \"Trace files\")",
                 cl->arrival.ntrace, span / SEC, window / SEC, span > 0 ? window / span : 0.0);
}

/* Ephemeral ports of one client address (net.ipv4.ip_local_port_range). */
#define CLIENT_PORTS (EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1)

/* A closed loop whose think time is always 0 and whose users outnumber its ports
 * can only livelock: a user that finds no free port ends its conversation
 * (ADDRNOTAVAIL) and starts the next one at the same instant, for ever. */
static bool client_loop_advances(const struct scn_client *cl)
{
    bool zero_think = cl->think.kind == DIST_CONST && cl->think.a < 0.5;
    return !zero_think || (uint64_t)cl->users <= (uint64_t)cl->count * CLIENT_PORTS;
}

static bool load_client(struct scn_ctx *c, const cJSON *item, int i)
{
    struct scenario *s = c->s;
    struct scn_client cl = { .pos = scn_pos_of(s, item),
                             .sysctls = g_array_new(FALSE, FALSE, sizeof(struct scn_sysctl)) };
    char def_name[24];
    long long rpc = 1;
    int proto = 0;                  /* "tcp|udp" */
    snprintf(def_name, sizeof def_name, "client%d", i + 1);
    cl.stop = s->duration;
    bool ok = scn_check_object(c, item, &scn_clients) &&
              get_name(c, item, &scn_clients, "name", def_name, &cl.name) &&
              get_host(c, item, &scn_clients, "director", false, &cl.host) &&
              client_addresses(c, item, i, &cl) &&
              (cJSON_GetObjectItemCaseSensitive(item, "replay") ||
               scn_require(c, item, "target")) &&
              scn_get_endpoint(c, item, &scn_clients, "target", &cl.target_ip, &cl.target_port) &&
              scn_get_choice(c, item, &scn_clients, "protocol", &proto);
    cl.protocol = proto == 1 ? IPPROTO_UDP : IPPROTO_TCP;
    ok = ok && client_loop(c, item, &cl) &&
         scn_get_dist(c, item, &scn_clients, "request", &cl.request) &&
         scn_get_dist(c, item, &scn_clients, "response", &cl.response) &&
         scn_get_int(c, item, &scn_clients, "requests_per_conn", &rpc) &&
         scn_get_duration(c, item, &scn_clients, "connect_timeout", &cl.connect_timeout) &&
         scn_get_duration(c, item, &scn_clients, "response_timeout", &cl.response_timeout) &&
         scn_get_duration(c, item, &scn_clients, "start", &cl.start) &&
         scn_get_duration(c, item, &scn_clients, "stop", &cl.stop) &&
         scn_load_script(c, item, &cl) && scn_load_replay(c, item, &cl) &&
         read_sysctls(c, item, &scn_clients, cl.sysctls);
    cl.requests_per_conn = (uint32_t)rpc;
    if (ok && cl.host && cl.sysctls->len)
        ok = scn_fail_key(c, item, "sysctl", "a group on the director uses the director's "
                          "sysctls: set them in the top-level \"sysctl\"");
    if (ok && cl.stop > s->duration)
        ok = scn_fail_key(c, item, "stop", "after the end of the run");
    if (ok && cl.start >= cl.stop)
        ok = scn_fail_key(c, item, "start", "the group would start at or after it stops");
    if (ok && cl.users == 0 && cl.arrival.kind == DIST_TRACE && !cl.script && !cl.loop)
        warn_trace_ends(c, item, &cl);
    if (ok && cl.users > 0 && !client_loop_advances(&cl))
        ok = scn_fail_key(c, item, "users", "%u users with think const(0) on %u address%s "
                          "(%u ephemeral ports each): the users without a port fail with "
                          "ADDRNOTAVAIL and try again at the same instant, so the clock never "
                          "moves; give 'think' a time above 0, or fewer users or more addresses "
                          "('count')", cl.users, cl.count, cl.count == 1 ? "" : "es",
                          (unsigned)CLIENT_PORTS);
    if (ok && (scn_is_cluster_host(s, cl.name) || strcmp(cl.name, "all") == 0))
        ok = scn_fail_key(c, item, "name", "the name '%s' is already taken (host names are unique)",
                          cl.name);
    for (guint k = 0; ok && k < s->clients->len; k++)
        if (strcmp(g_array_index(s->clients, struct scn_client, k).name, cl.name) == 0)
            ok = scn_fail_key(c, item, "name", "the name '%s' is already taken (host names are "
                              "unique)", cl.name);
    if (!ok) {
        g_free(cl.name);
        g_free(cl.host);
        free_sysctls(cl.sysctls);
        if (cl.script)
            g_array_free(cl.script, TRUE);
        return false;
    }
    g_array_append_val(s->clients, cl);
    return true;
}

/* No two groups share an address, and none is a server's or the director's. */
static bool check_client_addresses(struct scn_ctx *c, const cJSON *root)
{
    struct scenario *s = c->s;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "clients");
    char buf[INET_KEY_STRLEN];
    for (guint i = 0; i < s->clients->len; i++) {
        const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, i);
        if (cl->host)
            continue;
        const cJSON *item = cJSON_GetArrayItem(list, (int)i);
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(item, "net");
        g_string_printf(c->path, "clients[%u]%s", i, at ? ".net" : "");
        for (guint k = 0; k < i; k++) {
            const struct scn_client *o = &g_array_index(s->clients, struct scn_client, k);
            if (o->host)
                continue;
            if (clients_overlap(cl, o))
                return scn_fail(c, at ? at : item, false, "the addresses of '%s' overlap those of "
                                "'%s'", cl->name, o->name);
        }
        for (guint k = 0; k < s->servers->len; k++) {
            const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, k);
            be32 hit = client_has(cl, sv->ip) ? sv->ip : client_has(cl, sv->ip6) ? sv->ip6 : 0;
            if (hit)
                return scn_fail(c, at ? at : item, false, "the addresses of '%s' include server "
                                "%s's address %s", cl->name, sv->name, ip_str(hit, buf));
        }
        be32 dir[5] = { s->director.vip, s->director.dip, s->backup.dip, s->director.vip6,
                        s->director.dip6 };
        for (int k = 0; k < 5; k++)
            if (client_has(cl, dir[k]))
                return scn_fail(c, at ? at : item, false, "the addresses of '%s' include the "
                                "director's address %s", cl->name, ip_str(dir[k], buf));
        g_string_truncate(c->path, 0);
    }
    return true;
}

/* ---- links, lines, hooks, health check, capture, expect ------------------------------- */

/* A link (links.clients, links.servers, director.backup.link): its latency and
 * bandwidth default to the ones given, as each link has its own. */
static bool load_link(struct scn_ctx *c, const cJSON *links, const char *which, const char *latency,
                      const char *bandwidth, struct scn_link *l)
{
    const cJSON *o = links ? cJSON_GetObjectItemCaseSensitive(links, which) : NULL;
    size_t saved = scn_path_push_key(c, which);
    long long q = 0;
    char why[UNITS_WHY];
    bool defaults_ok = units_duration(latency, &l->latency, why, sizeof why) &&
                       units_bandwidth(bandwidth, &l->bandwidth, why, sizeof why);
    g_assert(defaults_ok);
    bool ok = (!o || scn_check_object(c, o, &scn_link)) &&
              scn_get_duration(c, o, &scn_link, "latency", &l->latency) &&
              scn_get_bandwidth(c, o, &scn_link, "bandwidth", &l->bandwidth) &&
              scn_get_loss(c, o, &scn_link, "loss", &l->loss) &&
              scn_get_int(c, o, &scn_link, "queue", &q);
    l->queue = (uint32_t)q;
    scn_path_pop(c, saved);
    return ok;
}

static bool load_links(struct scn_ctx *c, const cJSON *root)
{
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(root, "links");
    size_t saved = scn_path_push_key(c, "links");
    bool ok = (!links || scn_check_object(c, links, &scn_links)) &&
              load_link(c, links, "clients", "1ms", "1Gbps", &c->s->link_clients) &&
              load_link(c, links, "servers", "50us", "10Gbps", &c->s->link_servers);
    scn_path_pop(c, saved);
    return ok;
}

static const struct {
    const char *name;
    int value;
} priorities[] = {
    { "FIRST", NF_IP_PRI_FIRST }, { "RAW_BEFORE_DEFRAG", NF_IP_PRI_RAW_BEFORE_DEFRAG },
    { "CONNTRACK_DEFRAG", NF_IP_PRI_CONNTRACK_DEFRAG }, { "RAW", NF_IP_PRI_RAW },
    { "SELINUX_FIRST", NF_IP_PRI_SELINUX_FIRST }, { "CONNTRACK", NF_IP_PRI_CONNTRACK },
    { "MANGLE", NF_IP_PRI_MANGLE }, { "NAT_DST", NF_IP_PRI_NAT_DST },
    { "FILTER", NF_IP_PRI_FILTER }, { "SECURITY", NF_IP_PRI_SECURITY },
    { "NAT_SRC", NF_IP_PRI_NAT_SRC }, { "SELINUX_LAST", NF_IP_PRI_SELINUX_LAST },
    { "CONNTRACK_HELPER", NF_IP_PRI_CONNTRACK_HELPER },
    { "CONNTRACK_CONFIRM", NF_IP_PRI_CONNTRACK_CONFIRM }, { "LAST", NF_IP_PRI_LAST },
};

/* An integer, or a name of enum nf_ip_hook_priorities ("NF_IP_PRI_FILTER" or "FILTER"). */
static bool hook_priority(struct scn_ctx *c, const cJSON *item, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "priority");
    long long p = 0;
    if (!v || !cJSON_IsString(v)) {
        bool ok = scn_get_int(c, item, &scn_hooks, "priority", &p);
        *out = (int)p;
        return ok;
    }
    const char *name = v->valuestring;
    if (strncmp(name, "NF_IP_PRI_", 10) == 0)
        name += 10;
    for (size_t i = 0; i < G_N_ELEMENTS(priorities); i++)
        if (strcmp(name, priorities[i].name) == 0) {
            *out = priorities[i].value;
            return true;
        }
    size_t saved = scn_path_push_key(c, "priority");
    scn_fail(c, v, false, "unknown priority '%s' (expected an integer or a name like "
             "\"NF_IP_PRI_FILTER\")", v->valuestring);
    scn_path_pop(c, saved);
    return false;
}

/* The verdicts nf_user_verdict_parse knows, in the spelling the schema documents. */
static bool verdict_spelling_ok(const char *s)
{
    static const char *const plain[] = { "accept", "observe", "drop", "stolen", "repeat", "stop",
                                         "queue", NULL };
    static const char *const errnos[] = { "EPERM", "EHOSTUNREACH", "ENETUNREACH", "ECONNREFUSED",
                                          "EACCES", NULL };
    for (int i = 0; plain[i]; i++)
        if (strcmp(s, plain[i]) == 0)
            return true;
    if (strncmp(s, "drop:", 5) == 0) {
        for (int i = 0; errnos[i]; i++)
            if (strcmp(s + 5, errnos[i]) == 0)
                return true;
        return s[5] == '-' && s[6] >= '1' && s[6] <= '9' && strspn(s + 6, "0123456789") == strlen(s + 6);
    }
    if (strncmp(s, "queue:", 6) == 0) {
        const char *p = s + 6;
        size_t n = strspn(p, "0123456789");
        if (n == 0 || (p[0] == '0' && n > 1))
            return false;
        return p[n] == '\0' || strcmp(p + n, ":bypass") == 0;
    }
    return false;
}

static bool load_hook(struct scn_ctx *c, const cJSON *item, int i)
{
    struct scenario *s = c->s;
    struct scn_hook h = { .pos = scn_pos_of(s, item) };
    char *hook = NULL, *verdict = NULL;
    bool ok = scn_check_object(c, item, &scn_hooks) &&
              get_name(c, item, &scn_hooks, "name", NULL, &h.name) &&
              scn_get_string(c, item, &scn_hooks, "hook", &hook);
    if (ok && (h.hook = nf_hook_parse(hook)) < 0) {
        ok = scn_fail_key(c, item, "hook", "unknown hook point '%s' (expected PRE_ROUTING, LOCAL_IN, "
                          "FORWARD, LOCAL_OUT or POST_ROUTING)", hook);
    }
    ok = ok && hook_priority(c, item, &h.priority) &&
         scn_get_string(c, item, &scn_hooks, "verdict", &verdict);
    if (ok && (!verdict_spelling_ok(verdict) || !nf_user_verdict_parse(verdict, &h.verdict))) {
        ok = scn_fail_key(c, item, "verdict", "unknown verdict '%s' (expected accept, drop, "
                          "drop:ERRNO, queue, queue:N, queue:N:bypass, stolen, repeat or stop)",
                          verdict);
    }
    ok = ok && get_host(c, item, &scn_hooks, NULL, true, &h.host) &&
         scn_get_choice(c, item, &scn_hooks, "family", &h.family);
    for (guint k = 0; ok && k < s->hooks->len; k++)
        if (strcmp(g_array_index(s->hooks, struct scn_hook, k).name, h.name) == 0) {
            ok = scn_fail_key(c, item, "name", "a hook named '%s' already exists", h.name);
        }
    g_free(hook);
    g_free(verdict);
    if (!ok) {
        g_free(h.name);
        g_free(h.host);
        return false;
    }
    g_array_append_val(s->hooks, h);
    return true;
}

static bool load_healthcheck(struct scn_ctx *c, const cJSON *root)
{
    struct scn_healthcheck *hc = &c->s->healthcheck;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "healthcheck");
    size_t saved = scn_path_push_key(c, "healthcheck");
    int type = -1;                  /* "tcp|none" */
    long long retries = 0;
    bool ok = (!o || scn_check_object(c, o, &scn_healthcheck)) &&
              scn_get_choice(c, o, &scn_healthcheck, "type", &type);
    hc->tcp = type == 0;
    ok = ok && scn_get_duration(c, o, &scn_healthcheck, "interval", &hc->interval) &&
         scn_get_duration(c, o, &scn_healthcheck, "timeout", &hc->timeout) &&
         scn_get_int(c, o, &scn_healthcheck, "retries", &retries) &&
         scn_get_bool(c, o, &scn_healthcheck, "quiesce", &hc->quiesce) &&
         scn_load_healthcheck_services(c, o);
    hc->enabled = o && (hc->tcp || hc->n_vs);
    hc->retries = (int)retries;
    scn_path_pop(c, saved);
    return ok;
}

static bool capture_point_ok(const struct scenario *s, const char *p)
{
    if (strcmp(p, "all") == 0)
        return true;
    const char *colon = strchr(p, ':');
    if (!colon || colon == p)
        return false;
    char *host = g_strndup(p, (gsize)(colon - p));
    bool ok = scn_is_cluster_host(s, host);
    for (guint i = 0; !ok && i < s->clients->len; i++) {
        const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, i);
        ok = !cl->host && strcmp(cl->name, host) == 0;
    }
    g_free(host);
    return ok && scn_name_ok(colon + 1, 15);
}

static bool load_capture(struct scn_ctx *c, const cJSON *root)
{
    struct scenario *s = c->s;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "capture");
    size_t saved = scn_path_push_key(c, "capture");
    long long snaplen = 0;
    bool ok = (!o || scn_check_object(c, o, &scn_capture)) &&
              scn_get_int(c, o, &scn_capture, "snaplen", &snaplen);
    s->snaplen = (uint32_t)snaplen;
    const cJSON *points = o ? cJSON_GetObjectItemCaseSensitive(o, "points") : NULL;
    if (ok && points) {
        size_t at = scn_path_push_key(c, "points");
        ok = scn_check_array(c, points, "capture points like \"lvs1:eth0\"");
        const cJSON *p;
        int i = 0;
        cJSON_ArrayForEach(p, points) {
            if (!ok)
                break;
            size_t idx = scn_path_push_index(c, i++);
            const char *text = scn_string_of(p);
            if (!text || !capture_point_ok(s, text)) {
                GString *hosts = host_list(s);
                ok = scn_fail(c, p, false, "expected a capture point \"HOST:IFACE\" (HOST one of: "
                              "%s, or a client group) or \"all\"", hosts->str);
                g_string_free(hosts, TRUE);
            } else if (strncmp(text, "director:", 9) == 0) {
                g_ptr_array_add(s->capture_points, g_strdup_printf("%s:%s", s->director.name, text + 9));
            } else {
                g_ptr_array_add(s->capture_points, g_strdup(text));
            }
            scn_path_pop(c, idx);
        }
        scn_path_pop(c, at);
    }
    scn_path_pop(c, saved);
    return ok;
}

static bool load_limits(struct scn_ctx *c, const cJSON *root)
{
    struct scenario *s = c->s;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "limits");
    size_t saved = scn_path_push_key(c, "limits");
    long long conns = 0, events = 0, packets = 0, convs = 0, rate = 0;
    const struct scn_section *l = &scn_limits;
    bool ok = (!o || scn_check_object(c, o, l)) &&
              scn_get_int(c, o, l, "connections", &conns) &&
              scn_get_int(c, o, l, "events", &events) &&
              scn_get_int(c, o, l, "packets", &packets) &&
              scn_get_bytes(c, o, l, "capture_bytes", &s->limits.capture_bytes) &&
              scn_get_int(c, o, l, "conversations", &convs) &&
              scn_get_int(c, o, l, "event_rate", &rate) &&
              scn_get_bytes(c, o, l, "output_bytes", &s->limits.output_bytes);
    s->limits.connections = (uint64_t)conns;
    s->limits.events = (uint64_t)events;
    s->limits.packets = (uint64_t)packets;
    s->limits.conversations = (uint64_t)convs;
    s->limits.event_rate = (uint64_t)rate;
    scn_path_pop(c, saved);
    return ok;
}

static bool load_expect(struct scn_ctx *c, cJSON *root)
{
    cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "expect");
    if (!e)
        return true;
    size_t saved = scn_path_push_key(c, "expect");
    bool ok = scn_check_array(c, e, "expectations (objects)");
    const cJSON *item;
    int i = 0;
    cJSON_ArrayForEach(item, e) {
        if (!ok)
            break;
        if (!cJSON_IsObject(item)) {
            size_t idx = scn_path_push_index(c, i);
            ok = scn_fail(c, item, false, "expected an object");
            scn_path_pop(c, idx);
        }
        i++;
    }
    scn_path_pop(c, saved);
    c->s->expect = e;
    return ok;
}

/* ---- the whole document --------------------------------------------------------------- */

/* The topology is built around the first server's /24: a scenario without a server
 * has no LAN (found by fuzzing: the world builder read past an empty array). */
static bool some_server(struct scn_ctx *c, const cJSON *root)
{
    if (c->s->servers->len > 0)
        return true;
    return scn_fail_key(c, root, "servers", "expected at least one real server (the director, "
                        "the router and the servers share the first server's /24)");
}

static bool load_document(struct scn_ctx *c, cJSON *root)
{
    struct scenario *s = c->s;
    if (!cJSON_IsObject(root))
        return scn_fail(c, root, false, "expected an object at the top of the scenario");
    if (!scn_check_object(c, root, &scn_top))
        return false;
    for (size_t i = 0; i < scn_top.n; i++)
        if ((scn_top.keys[i].flags & SCN_REQUIRED) && !scn_require(c, root, scn_top.keys[i].key))
            return false;
    return load_scalars(c, root) && load_sysctls(c, root) && load_director(c, root) &&
           each_item(c, root, "servers", "servers (objects)", load_server) && some_server(c, root) &&
           each_item(c, root, "clients", "client groups (objects)", load_client) &&
           check_client_addresses(c, root) && load_links(c, root) &&
           scn_load_lines(c, root, "ipvs", s->ipvs, NULL) &&
           scn_load_lines(c, root, "netfilter", s->netfilter, "iptables-restore") &&
           scn_load_lines(c, root, "netfilter6", s->netfilter6, "ip6tables-restore") &&
           each_item(c, root, "hooks", "hooks (objects)", load_hook) && load_healthcheck(c, root) &&
           scn_load_events(c, root) && load_capture(c, root) && load_limits(c, root) &&
           load_expect(c, root);
}

static struct scenario *scenario_new(const char *path)
{
    struct scenario *s = g_new0(struct scenario, 1);
    s->path = g_strdup(path);
    s->sysctls = g_array_new(FALSE, TRUE, sizeof(struct scn_sysctl));
    s->servers = g_array_new(FALSE, TRUE, sizeof(struct scn_server));
    s->clients = g_array_new(FALSE, TRUE, sizeof(struct scn_client));
    s->ipvs = g_array_new(FALSE, TRUE, sizeof(struct scn_line));
    s->netfilter = g_array_new(FALSE, TRUE, sizeof(struct scn_line));
    s->netfilter6 = g_array_new(FALSE, TRUE, sizeof(struct scn_line));
    s->hooks = g_array_new(FALSE, TRUE, sizeof(struct scn_hook));
    s->events = g_array_new(FALSE, TRUE, sizeof(struct scn_event));
    s->capture_points = g_ptr_array_new_with_free_func(g_free);
    s->positions = scn_json_pos_table();
    s->set_keys = g_ptr_array_new_with_free_func(g_free);
    s->traces = g_ptr_array_new_with_free_func(g_free);
    s->warnings = g_ptr_array_new_with_free_func(g_free);
    s->files = g_ptr_array_new_with_free_func(g_free);
    return s;
}

struct scenario *scenario_load(const char *path, const char *const *overrides,
                               struct scn_error *err)
{
    struct scenario *s = scenario_new(path);
    struct scn_ctx c = { .s = s, .err = err, .path = g_string_new(NULL),
                         .dir = g_path_get_dirname(path),
                         .server_names = g_hash_table_new(g_str_hash, g_str_equal),
                         .server_ips = g_hash_table_new(g_direct_hash, g_direct_equal) };
    size_t len = 0;
    char why[128];
    memset(err, 0, sizeof *err);
    if (!units_read_file(path, &s->text, &len, why, sizeof why)) {
        scn_error_at(err, s, (struct scn_pos){ 0 }, "cannot read the scenario: %s", why);
        c.failed = true;
    }
    if (!c.failed) {
        struct scn_pos epos;
        char msg[sizeof err->msg];
        s->root = scn_json_parse(s->text, len, s->positions, &epos, msg, sizeof msg);
        if (!s->root) {
            scn_error_at(err, s, epos, "%s", msg);
            c.failed = true;
        }
    }
    if (!c.failed && scn_apply_overrides(&c, s->root, overrides))
        load_document(&c, s->root);
    g_string_free(c.path, TRUE);
    g_free(c.dir);
    g_hash_table_destroy(c.server_names);
    g_hash_table_destroy(c.server_ips);
    if (c.failed) {
        scenario_free(s);
        return NULL;
    }
    return s;
}

void scenario_free(struct scenario *s)
{
    if (!s)
        return;
    free_sysctls(s->sysctls);
    for (guint i = 0; i < s->servers->len; i++) {
        g_free(g_array_index(s->servers, struct scn_server, i).name);
        free_sysctls(g_array_index(s->servers, struct scn_server, i).sysctls);
        g_array_free(g_array_index(s->servers, struct scn_server, i).listeners, TRUE);
        scn_http_status_free(g_array_index(s->servers, struct scn_server, i).http_status);
    }
    g_array_free(s->servers, TRUE);
    for (guint i = 0; i < s->clients->len; i++) {
        g_free(g_array_index(s->clients, struct scn_client, i).name);
        g_free(g_array_index(s->clients, struct scn_client, i).host);
        free_sysctls(g_array_index(s->clients, struct scn_client, i).sysctls);
        if (g_array_index(s->clients, struct scn_client, i).script)
            g_array_free(g_array_index(s->clients, struct scn_client, i).script, TRUE);
    }
    g_array_free(s->clients, TRUE);
    scn_free_lines(s->ipvs);
    scn_free_lines(s->netfilter);
    scn_free_lines(s->netfilter6);
    for (guint i = 0; i < s->hooks->len; i++) {
        g_free(g_array_index(s->hooks, struct scn_hook, i).name);
        g_free(g_array_index(s->hooks, struct scn_hook, i).host);
    }
    g_array_free(s->hooks, TRUE);
    if (s->healthcheck.allocs)
        g_ptr_array_free(s->healthcheck.allocs, TRUE);
    for (guint i = 0; i < s->events->len; i++)
        scn_event_clear(&g_array_index(s->events, struct scn_event, i));
    g_array_free(s->events, TRUE);
    g_ptr_array_free(s->capture_points, TRUE);
    g_ptr_array_free(s->set_keys, TRUE);
    g_ptr_array_free(s->traces, TRUE);
    g_ptr_array_free(s->warnings, TRUE);
    g_ptr_array_free(s->files, TRUE);
    g_hash_table_destroy(s->positions);
    cJSON_Delete(s->root);
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_free(s->kernel);
    g_free(s->director.name);
    g_free(s->backup.name);
    g_free(s->text);
    g_free(s);
}
