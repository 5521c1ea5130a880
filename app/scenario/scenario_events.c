/* The "events" list: what happens when during a run. Every event has "at" (a time
 * before the end of the run) and "do" (its kind); each kind adds its own keys:
 *
 *   server_down / server_refuse / server_up   server: a server's name
 *   server_slow                                server, factor (> 0), listener ("tcp:443";
 *                                              default: every listener of the server)
 *   server_set                                 server, listener (default: the server's),
 *                                              service_time and/or workers
 *   ipvsadm / iptables                         args: a command line
 *   sysctl                                     key: a sysctl name, value: an integer
 *   link                                       link: "clients" or "servers", and at least
 *                                              one of latency, bandwidth, loss, queue
 *   syn_flood                                  rate, target, net (default 198.18.0.0/15),
 *                                              duration (default: to the end of the run)
 *   hook_register / hook_unregister            name: a hook of "hooks"
 *   director_down / director_up                director: the director's or the backup's
 *                                              name (default: the director); down also
 *                                              graceful (false: a crash; true: keepalived
 *                                              stopped, the host stays up)
 *
 * The loaded list is sorted by time; events at the same time keep their order. */
#include "app/scenario/scenario_internal.h"

#include <string.h>
#include "app/scenario/sysctl.h"
#include "sim/in6_key.h"
#include "sim/netdev.h"

/* The kinds, in the order messages list them, with the keys each takes
 * (scenario_keys.c). */
static const struct {
    const char *name;
    enum scn_event_kind kind;
    const struct scn_section *keys;
} kinds[] = {
    { "server_down", EV_SERVER_DOWN, &scn_ev_server },
    { "server_refuse", EV_SERVER_REFUSE, &scn_ev_server },
    { "server_up", EV_SERVER_UP, &scn_ev_server },
    { "server_slow", EV_SERVER_SLOW, &scn_ev_slow },
    { "server_set", EV_SERVER_SET, &scn_ev_set },
    { "ipvsadm", EV_IPVSADM, &scn_ev_args },
    { "iptables", EV_IPTABLES, &scn_ev_args },
    { "sysctl", EV_SYSCTL, &scn_ev_sysctl },
    { "link", EV_LINK, &scn_ev_link },
    { "syn_flood", EV_SYN_FLOOD, &scn_ev_flood },
    { "hook_register", EV_HOOK_REGISTER, &scn_ev_hook },
    { "hook_unregister", EV_HOOK_UNREGISTER, &scn_ev_hook },
    { "director_down", EV_DIRECTOR_DOWN, &scn_ev_director_down },
    { "director_up", EV_DIRECTOR_UP, &scn_ev_director_up },
};

const char *scn_event_kind(size_t i)
{
    return i < G_N_ELEMENTS(kinds) ? kinds[i].name : NULL;
}

const struct scn_section *scn_event_section(const char *kind)
{
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
        if (strcmp(kinds[i].name, kind) == 0)
            return kinds[i].keys;
    return NULL;
}

static const char *kind_at(const void *ctx, size_t i)
{
    (void)ctx;
    return scn_event_kind(i);
}

void scn_event_clear(struct scn_event *e)
{
    g_free(e->server);
    g_free(e->args.text);
    g_free(e->key);
    memset(e, 0, sizeof *e);
}

static bool event_server(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    if (!scn_get_string(c, ev, &scn_ev_server, "server", &e->server))
        return false;
    const struct scenario *s = c->s;
    for (guint i = 0; i < s->servers->len; i++)
        if (strcmp(g_array_index(s->servers, struct scn_server, i).name, e->server) == 0)
            return true;
    GString *names = g_string_new(NULL);
    for (guint i = 0; i < s->servers->len; i++)
        g_string_append_printf(names, "%s%s", i ? ", " : "",
                               g_array_index(s->servers, struct scn_server, i).name);
    scn_fail_key(c, ev, "server", "unknown server '%s' (the servers are: %s)", e->server,
                 names->len ? names->str : "none");
    g_string_free(names, TRUE);
    return false;
}

/* The listeners of sv, for messages: "tcp:80, udp:53" ("tcp+udp:80" for a port). */
static void listener_list(const struct scn_server *sv, GString *out)
{
    if (sv->listeners->len == 0) {
        g_string_append_printf(out, "tcp:%u and udp:%u (\"port\": %u)", sv->port, sv->port, sv->port);
        return;
    }
    for (guint i = 0; i < sv->listeners->len; i++) {
        const struct scn_listener *l = &g_array_index(sv->listeners, struct scn_listener, i);
        g_string_append_printf(out, "%s%s:%u", i ? ", " : "",
                               l->protocol == IPPROTO_TCP ? "tcp" : "udp", l->port);
    }
}

/* server_slow / server_set: the server, the listener when one is named, and what
 * changes. */
static bool event_brownout(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    const struct scn_section *sec = e->kind == EV_SERVER_SLOW ? &scn_ev_slow : &scn_ev_set;
    e->listener = -1;
    if (!event_server(c, ev, e))
        return false;
    const struct scn_server *sv = NULL;
    for (guint i = 0; i < c->s->servers->len && !sv; i++)
        if (strcmp(g_array_index(c->s->servers, struct scn_server, i).name, e->server) == 0)
            sv = &g_array_index(c->s->servers, struct scn_server, i);
    if (!scn_get_string(c, ev, sec, "listener", &e->key))
        return false;
    if (e->key) {
        uint8_t proto = 0;
        uint16_t port = 0;
        char why[160];
        if (!scn_listener_parse(e->key, &proto, &port, why, sizeof why))
            return scn_fail_key(c, ev, "listener", "%s", why);
        e->listener = scn_server_listener(sv, proto, port);
        if (e->listener < 0) {
            GString *list = g_string_new(NULL);
            listener_list(sv, list);
            scn_fail_key(c, ev, "listener", "server %s has no listener %s (it listens on %s)",
                         sv->name, e->key, list->str);
            g_string_free(list, TRUE);
            return false;
        }
    }
    if (e->kind == EV_SERVER_SLOW)
        return scn_get_factor(c, ev, sec, "factor", &e->rate);
    long long workers = 0;
    e->has_service_time = cJSON_GetObjectItemCaseSensitive(ev, "service_time") != NULL;
    if (!e->has_service_time && !cJSON_GetObjectItemCaseSensitive(ev, "workers"))
        return scn_fail(c, ev, false, "a server_set event changes service_time, workers or both");
    if (!scn_get_dist(c, ev, sec, "service_time", &e->service_time) ||
        !scn_get_int(c, ev, sec, "workers", &workers))
        return false;
    e->workers = (int)workers;
    bool shares = e->listener >= 0 &&
                  (sv->listeners->len == 0 ||
                   g_array_index(sv->listeners, struct scn_listener, e->listener).workers == 0);
    if (workers && shares)
        return scn_fail_key(c, ev, "workers", "listener %s of %s has no workers of its own (it "
                            "shares the server's): change the server's (no \"listener\"), or give "
                            "the listener \"workers\" in servers[].listen", e->key, sv->name);
    return true;
}

static bool event_args(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    const cJSON *v = scn_require(c, ev, "args");
    if (!v)
        return false;
    size_t saved = scn_path_push_key(c, "args");
    bool ok = scn_line_of(c, v, &e->args);
    if (ok && e->args.text[strspn(e->args.text, " \t")] == '\0')
        ok = scn_fail(c, v, false, "expected a command line, not an empty string");
    scn_path_pop(c, saved);
    return ok;
}

static bool event_sysctl(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    char *key = NULL;
    long long v = 0;
    if (!scn_get_string(c, ev, &scn_ev_sysctl, "key", &key))
        return false;
    const struct sysctl_def *d = sysctl_find(key);
    g_free(key);
    if (!d) {
        size_t saved = scn_path_push_key(c, "key");
        const cJSON *kn = cJSON_GetObjectItemCaseSensitive(ev, "key");
        scn_fail_sysctl(c, kn, false, kn->valuestring);
        scn_path_pop(c, saved);
        return false;
    }
    e->key = g_strdup(d->name);
    if (!d->names) {
        if (!scn_get_int(c, ev, &scn_ev_sysctl, "value", &v))
            return false;
        e->value = (long)v;
        return true;
    }
    const cJSON *vn = cJSON_GetObjectItemCaseSensitive(ev, "value");
    if (!vn)
        return scn_get_int(c, ev, &scn_ev_sysctl, "value", &v);    /* its "missing" message */
    size_t saved = scn_path_push_key(c, "value");
    bool ok = scn_sysctl_value(c, d, vn, &e->value);
    scn_path_pop(c, saved);
    return ok;
}

static bool event_link(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    int which = 0;                  /* "clients|servers" */
    if (!scn_get_choice(c, ev, &scn_ev_link, "link", &which))
        return false;
    e->key = g_strdup(which == 0 ? "clients" : "servers");
    static const char *const fields[4] = { "latency", "bandwidth", "loss", "queue" };
    bool any = false;
    for (int i = 0; i < 4; i++)
        any |= e->link_has[i] = cJSON_GetObjectItemCaseSensitive(ev, fields[i]) != NULL;
    if (!any)
        return scn_fail(c, ev, false, "a link event changes at least one of latency, bandwidth, "
                        "loss, queue");
    long long q = 0;
    if (!scn_get_duration(c, ev, &scn_ev_link, "latency", &e->link.latency) ||
        !scn_get_bandwidth(c, ev, &scn_ev_link, "bandwidth", &e->link.bandwidth) ||
        !scn_get_loss(c, ev, &scn_ev_link, "loss", &e->link.loss) ||
        !scn_get_int(c, ev, &scn_ev_link, "queue", &q))
        return false;
    e->link.queue = (uint32_t)q;
    return true;
}

static bool event_flood(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    e->duration = c->s->duration - e->at;
    if (!(scn_get_rate(c, ev, &scn_ev_flood, "rate", &e->rate) &&
          scn_get_endpoint(c, ev, &scn_ev_flood, "target", &e->target_ip, &e->target_port) &&
          scn_get_cidr(c, ev, &scn_ev_flood, "net", &e->flood_net, &e->flood_prefix) &&
          scn_get_duration(c, ev, &scn_ev_flood, "duration", &e->duration)))
        return false;
    /* The flood draws its spoofed sources anywhere in its net, as IPv4 numbers, and
     * sends them to director.vip (app/run/run_events.c). */
    if (in6_is_key(c->s->director.vip))
        return scn_fail_key(c, ev, "do", "a SYN flood goes to director.vip, which is IPv6 here: "
                            "the flood is IPv4 only");
    if (in6_is_key(e->flood_net) || in6_is_key(e->target_ip))
        return scn_fail_key(c, ev, in6_is_key(e->flood_net) ? "net" : "target",
                            "a SYN flood is IPv4 only: expected an IPv4 %s",
                            in6_is_key(e->flood_net) ? "network" : "address");
    if (in6_is_key(e->flood_net | ~inet_mask(e->flood_prefix)))
        return scn_fail_key(c, ev, "net", "the network reaches into 240.0.0.0/4, which is "
                            "reserved (class E)");
    return true;
}

static bool event_hook(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    if (!scn_get_string(c, ev, &scn_ev_hook, "name", &e->key))
        return false;
    const struct scenario *s = c->s;
    for (guint i = 0; i < s->hooks->len; i++)
        if (strcmp(g_array_index(s->hooks, struct scn_hook, i).name, e->key) == 0)
            return true;
    scn_fail_key(c, ev, "name", "unknown hook '%s' (a name from \"hooks\")", e->key);
    return false;
}

/* director_down / director_up: which director (its host name is kept in e->server),
 * and for down whether keepalived stops gracefully (e->value 1) or the host crashes. */
static bool event_director(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    const struct scenario *s = c->s;
    bool graceful = false;
    const struct scn_section *sec = e->kind == EV_DIRECTOR_DOWN ? &scn_ev_director_down
                                                                : &scn_ev_director_up;
    e->server = g_strdup(s->director.name);
    if (!scn_get_string(c, ev, sec, "director", &e->server))
        return false;
    if (strcmp(e->server, "director") == 0) {
        g_free(e->server);
        e->server = g_strdup(s->director.name);
    }
    if (strcmp(e->server, s->director.name) != 0 &&
        !(s->backup.name && strcmp(e->server, s->backup.name) == 0)) {
        if (s->backup.enabled)
            scn_fail_key(c, ev, "director", "unknown director '%s' (expected %s or %s)", e->server,
                         s->director.name, s->backup.name);
        else
            scn_fail_key(c, ev, "director", "unknown director '%s' (expected %s)", e->server,
                         s->director.name);
        return false;
    }
    if (e->kind == EV_DIRECTOR_DOWN && !scn_get_bool(c, ev, sec, "graceful", &graceful))
        return false;
    if (graceful && !s->backup.enabled)
        return scn_fail_key(c, ev, "graceful", "a graceful stop is keepalived's: it needs "
                            "director.backup");
    e->value = graceful;
    return true;
}

static bool event_kind(struct scn_ctx *c, const cJSON *ev, size_t *k)
{
    const cJSON *d = scn_require(c, ev, "do");
    if (!d)
        return false;
    size_t saved = scn_path_push_key(c, "do");
    bool ok = false;
    const char *name = scn_string_of(d);
    if (!name) {
        scn_fail(c, d, false, "expected the event's kind as a string");
    } else {
        for (size_t i = 0; i < G_N_ELEMENTS(kinds) && !ok; i++)
            if (strcmp(kinds[i].name, name) == 0) {
                *k = i;
                ok = true;
            }
        if (!ok) {
            const char *near = scn_nearest(name, kind_at, NULL);
            GString *list = g_string_new(NULL);
            for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
                g_string_append_printf(list, "%s%s", i ? ", " : "", kinds[i].name);
            char shown[48];
            g_strlcpy(shown, name, sizeof shown);
            if (near)
                scn_fail(c, d, false, "unknown event '%s' (did you mean '%s'? expected one of: %s)",
                         shown, near, list->str);
            else
                scn_fail(c, d, false, "unknown event '%s' (expected one of: %s)", shown, list->str);
            g_string_free(list, TRUE);
        }
    }
    scn_path_pop(c, saved);
    return ok;
}

static bool load_event(struct scn_ctx *c, const cJSON *ev, struct scn_event *e)
{
    size_t k;
    if (!cJSON_IsObject(ev))
        return scn_check_object(c, ev, &scn_ev_server);
    if (!event_kind(c, ev, &k) || !scn_check_object(c, ev, kinds[k].keys))
        return false;
    e->kind = kinds[k].kind;
    e->pos = scn_pos_of(c->s, ev);
    if (!scn_get_duration(c, ev, &scn_events, "at", &e->at))
        return false;
    if (e->at >= c->s->duration) {
        char d[32];
        return scn_fail_key(c, ev, "at", "the event is not before the end of the run (\"duration\": "
                            "\"%s\")", units_format_duration(c->s->duration, d, sizeof d));
    }
    switch (e->kind) {
    case EV_SERVER_DOWN:
    case EV_SERVER_REFUSE:
    case EV_SERVER_UP:
        return event_server(c, ev, e);
    case EV_IPVSADM:
    case EV_IPTABLES:
        return event_args(c, ev, e);
    case EV_SYSCTL:
        return event_sysctl(c, ev, e);
    case EV_LINK:
        return event_link(c, ev, e);
    case EV_SYN_FLOOD:
        return event_flood(c, ev, e);
    case EV_HOOK_REGISTER:
    case EV_HOOK_UNREGISTER:
        return event_hook(c, ev, e);
    case EV_DIRECTOR_DOWN:
    case EV_DIRECTOR_UP:
        return event_director(c, ev, e);
    case EV_SERVER_SLOW:
    case EV_SERVER_SET:
        return event_brownout(c, ev, e);
    }
    return false;
}

struct numbered {
    struct scn_event e;
    guint seq;
};

static gint by_time(gconstpointer a, gconstpointer b)
{
    const struct numbered *x = a, *y = b;
    if (x->e.at != y->e.at)
        return x->e.at < y->e.at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

bool scn_load_events(struct scn_ctx *c, const cJSON *root)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "events");
    if (!list)
        return true;
    size_t saved = scn_path_push_key(c, "events");
    bool ok = scn_check_array(c, list, "events");
    GArray *tmp = g_array_new(FALSE, TRUE, sizeof(struct numbered));
    const cJSON *ev;
    int i = 0;
    cJSON_ArrayForEach(ev, list) {
        if (!ok)
            break;
        size_t item = scn_path_push_index(c, i);
        struct numbered n = { .seq = (guint)i++ };
        ok = load_event(c, ev, &n.e);
        scn_path_pop(c, item);
        g_array_append_val(tmp, n);
    }
    scn_path_pop(c, saved);
    if (ok)
        g_array_sort(tmp, by_time);
    for (guint k = 0; k < tmp->len; k++) {
        struct numbered *n = &g_array_index(tmp, struct numbered, k);
        if (ok)
            g_array_append_val(c->s->events, n->e);
        else
            scn_event_clear(&n->e);
    }
    g_array_free(tmp, TRUE);
    return ok;
}
