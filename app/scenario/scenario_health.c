/* The health checker's "services" (keepalived's virtual servers, their real servers'
 * checkers) and the servers' "http_status" (what an HTTP_GET check is answered with).
 * The model's side is model/apps/healthcheck.c. */
#include "app/scenario/scenario_internal.h"

#include <arpa/inet.h>
#include <string.h>
#include "model/ipvs/ip_vs.h"

/* The items of the array obj[key] (absent: none), each through fn with the path set. */
static bool each_of(struct scn_ctx *c, const cJSON *obj, const char *key, const char *what,
                    bool (*fn)(struct scn_ctx *c, const cJSON *item, void *out, size_t i),
                    void *out, size_t *n)
{
    const cJSON *list = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    *n = 0;
    if (!list)
        return true;
    size_t saved = scn_path_push_key(c, key);
    bool ok = scn_check_array(c, list, what);
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (!ok)
            break;
        size_t at = scn_path_push_index(c, (int)*n);
        ok = fn(c, item, out, (*n)++);
        scn_path_pop(c, at);
    }
    scn_path_pop(c, saved);
    return ok;
}

static size_t count_of(const cJSON *obj, const char *key)
{
    const cJSON *list = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
}

/* An array of n elements of size sz that the scenario frees. */
static void *owned(struct scenario *s, size_t n, size_t sz)
{
    void *p = g_malloc0(n ? n * sz : 1);
    g_ptr_array_add(s->healthcheck.allocs, p);
    return p;
}

/* ---- a server's http_status --------------------------------------------------------- */

static bool load_status(struct scn_ctx *c, const cJSON *item, void *out, size_t i)
{
    struct scn_http_status st = { 0 };
    long long status = 0;
    bool ok = scn_check_object(c, item, &scn_http_status) &&
              scn_get_string(c, item, &scn_http_status, "path", &st.path) &&
              scn_get_int(c, item, &scn_http_status, "status", &status) &&
              scn_get_duration(c, item, &scn_http_status, "at", &st.at);
    st.status = (int)status;
    if (!ok) {
        g_free(st.path);
        return false;
    }
    g_array_append_val((GArray *)out, st);
    return true;
}

static gint by_at(gconstpointer a, gconstpointer b)
{
    const struct scn_http_status *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

bool scn_load_http_status(struct scn_ctx *c, const cJSON *server, GArray **out)
{
    *out = g_array_new(FALSE, FALSE, sizeof(struct scn_http_status));
    size_t n;
    if (!each_of(c, server, "http_status", "http_status (objects)", load_status, *out, &n))
        return false;
    /* g_array_sort is a merge sort when the elements are few; a stable order is what
     * matters (same time, later entry wins): sort by time, keeping the file's order. */
    g_array_sort(*out, by_at);
    return true;
}

void scn_http_status_free(GArray *a)
{
    if (!a)
        return;
    for (guint i = 0; i < a->len; i++)
        g_free(g_array_index(a, struct scn_http_status, i).path);
    g_array_free(a, TRUE);
}

int scenario_http_status(const struct scn_server *sv, const char *path, sim_time_t now)
{
    int status = 200;
    for (guint i = 0; sv->http_status && i < sv->http_status->len; i++) {
        const struct scn_http_status *st = &g_array_index(sv->http_status, struct scn_http_status, i);
        if (st->at <= now && strcmp(st->path, path) == 0)
            status = st->status;
    }
    return status;
}

/* ---- healthcheck.services ------------------------------------------------------------- */

/* keepalived's status_code: codes and ranges, "200 300-399" (check_http.c). */
static bool parse_codes(struct scn_ctx *c, const cJSON *obj, const char *text, struct hc_url *u)
{
    char **w = g_strsplit_set(text, " ,", -1);
    size_t n = 0;
    for (size_t i = 0; w[i]; i++)
        n += w[i][0] != '\0';
    u->codes = owned(c->s, n, sizeof *u->codes);
    bool ok = true;
    for (size_t i = 0; ok && w[i]; i++) {
        if (!w[i][0])
            continue;
        char *end;
        long lo = strtol(w[i], &end, 10), hi = lo;
        if (*end == '-')
            hi = strtol(end + 1, &end, 10);
        if (*end || end == w[i] || lo < 100 || hi > 599 || lo > hi)
            ok = scn_fail_key(c, obj, "status_code",
                              "'%s' is no status code (expected codes and ranges from 100 to 599, "
                              "\"200 300-399\")", w[i]);
        else {
            u->codes[u->n_codes][0] = (uint16_t)lo;
            u->codes[u->n_codes][1] = (uint16_t)hi;
            u->n_codes++;
        }
    }
    g_strfreev(w);
    return ok;
}

static bool load_url(struct scn_ctx *c, const cJSON *item, void *out, size_t i)
{
    struct hc_url *u = &((struct hc_url *)out)[i];
    char *path = NULL, *codes = NULL, *digest = NULL;
    bool ok = scn_check_object(c, item, &scn_hc_urls) &&
              scn_get_string(c, item, &scn_hc_urls, "path", &path) &&
              scn_get_string(c, item, &scn_hc_urls, "status_code", &codes) &&
              scn_get_string(c, item, &scn_hc_urls, "digest", &digest) &&
              parse_codes(c, item, codes, u);
    if (ok && digest)
        scn_warn_key(c, item, "digest", "ignored: the model serves status codes, not content");
    if (path)
        g_ptr_array_add(c->s->healthcheck.allocs, path);
    u->path = path;
    g_free(codes);
    g_free(digest);
    return ok;
}

static bool load_exit(struct scn_ctx *c, const cJSON *item, void *out, size_t i)
{
    struct hc_exit *e = &((struct hc_exit *)out)[i];
    long long code = 0;
    bool ok = scn_check_object(c, item, &scn_hc_exits) &&
              scn_get_duration(c, item, &scn_hc_exits, "at", &e->at) &&
              scn_get_int(c, item, &scn_hc_exits, "code", &code);
    e->code = (int)code;
    if (ok && i > 0 && e->at < e[-1].at)
        ok = scn_fail_key(c, item, "at", "exit codes go in time order");
    return ok;
}

static bool load_check(struct scn_ctx *c, const cJSON *item, void *out, size_t i)
{
    struct hc_checker_cfg *k = &((struct hc_checker_cfg *)out)[i];
    int type = -1;
    long long retry = -1, port = 0;
    sim_time_t dbr = -1;
    char *misc_path = NULL;
    bool ok = scn_check_object(c, item, &scn_hc_checks) &&
              scn_get_choice(c, item, &scn_hc_checks, "type", &type);
    k->type = (enum hc_check_type)type;
    struct hc_url *urls = owned(c->s, count_of(item, "url"), sizeof *urls);
    struct hc_exit *exits = owned(c->s, count_of(item, "exit_codes"), sizeof *exits);
    ok = ok && scn_get_duration(c, item, &scn_hc_checks, "delay_loop", &k->delay_loop) &&
         scn_get_duration(c, item, &scn_hc_checks, "connect_timeout", &k->connect_timeout) &&
         scn_get_int(c, item, &scn_hc_checks, "retry", &retry) &&
         scn_get_duration(c, item, &scn_hc_checks, "delay_before_retry", &dbr) &&
         scn_get_addr(c, item, &scn_hc_checks, "connect_ip", &k->connect_ip) &&
         scn_get_int(c, item, &scn_hc_checks, "connect_port", &port) &&
         each_of(c, item, "url", "url (objects)", load_url, urls, &k->n_urls) &&
         scn_get_string(c, item, &scn_hc_checks, "misc_path", &misc_path) &&
         scn_get_bool(c, item, &scn_hc_checks, "misc_dynamic", &k->misc_dynamic) &&
         each_of(c, item, "exit_codes", "exit_codes (objects)", load_exit, exits, &k->n_exits);
    g_free(misc_path);
    k->urls = urls;
    k->exits = exits;
    k->connect_port = htons((uint16_t)port);
    bool http = k->type == HC_HTTP_GET || k->type == HC_SSL_GET;
    bool misc = k->type == HC_MISC_CHECK;
    k->retry = retry >= 0 ? (int)retry : misc ? 0 : 1;
    k->delay_before_retry = dbr >= 0 ? dbr : misc ? 0 : http ? 3 * SEC : 1 * SEC;
    if (ok && http && !k->n_urls)
        ok = scn_fail_key(c, item, "url", "%s needs at least one url (keepalived's url block)",
                          type == HC_HTTP_GET ? "HTTP_GET" : "SSL_GET");
    if (ok && !http && k->n_urls)
        scn_warn_key(c, item, "url", "only HTTP_GET and SSL_GET ask for urls: ignored");
    if (ok && !misc && k->n_exits)
        scn_warn_key(c, item, "exit_codes", "only MISC_CHECK has exit codes: ignored");
    return ok;
}

static bool load_real_server(struct scn_ctx *c, const cJSON *item, void *out, size_t i)
{
    struct hc_rs_cfg *r = &((struct hc_rs_cfg *)out)[i];
    uint16_t port = 0;
    struct hc_checker_cfg *checks = owned(c->s, count_of(item, "checks"), sizeof *checks);
    bool ok = scn_check_object(c, item, &scn_hc_real_servers) &&
              scn_get_endpoint(c, item, &scn_hc_real_servers, "server", &r->addr, &port) &&
              scn_get_bool(c, item, &scn_hc_real_servers, "inhibit_on_failure",
                           &r->inhibit_on_failure) &&
              each_of(c, item, "checks", "checks (objects)", load_check, checks, &r->n_checkers);
    r->port = htons(port);
    r->checkers = checks;
    return ok;
}

/* "-t VIP:PORT", "-u VIP:PORT" or "-f MARK", as ipvsadm names a service. */
static bool parse_service(struct scn_ctx *c, const cJSON *obj, const char *text, struct hc_vs_cfg *v)
{
    char **w = g_strsplit_set(text, " \t", -1);
    char *word[2] = { NULL, NULL };
    size_t n = 0;
    for (size_t i = 0; w[i]; i++) {
        if (!w[i][0])
            continue;
        if (n < 2)
            word[n] = w[i];
        n++;
    }
    bool ok = n == 2;
    char why[UNITS_WHY] = "";
    if (ok && (strcmp(word[0], "-t") == 0 || strcmp(word[0], "-u") == 0)) {
        uint16_t port = 0;
        v->protocol = word[0][1] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
        ok = units_endpoint(word[1], &v->vaddr, &port, why, sizeof why);
        v->vport = htons(port);
    } else if (ok && strcmp(word[0], "-f") == 0) {
        char *end;
        unsigned long mark = strtoul(word[1], &end, 0);
        ok = !*end && mark > 0 && mark <= UINT32_MAX;
        v->fwmark = (uint32_t)mark;
        v->protocol = IPPROTO_TCP;  /* ipvsadm's default for -f */
    } else {
        ok = false;
    }
    g_strfreev(w);
    if (!ok)
        scn_fail_key(c, obj, "service", "expected a service as ipvsadm names it: \"-t VIP:PORT\", "
                     "\"-u VIP:PORT\" or \"-f MARK\"%s%s", why[0] ? ": " : "", why);
    return ok;
}

static bool load_service(struct scn_ctx *c, const cJSON *item, void *out, size_t i)
{
    struct hc_vs_cfg *v = &((struct hc_vs_cfg *)out)[i];
    char *service = NULL;
    long long quorum = 0, hyst = 0;
    int method = -1;
    uint16_t sport = 0;
    bool inhibit = false;
    struct hc_rs_cfg *rs = owned(c->s, count_of(item, "real_servers"), sizeof *rs);
    v->sorry_fwd = ~0u;
    bool ok = scn_check_object(c, item, &scn_hc_services) &&
              scn_get_string(c, item, &scn_hc_services, "service", &service) &&
              parse_service(c, item, service, v) &&
              scn_get_duration(c, item, &scn_hc_services, "delay_loop", &v->delay_loop) &&
              scn_get_bool(c, item, &scn_hc_services, "alpha", &v->alpha) &&
              scn_get_bool(c, item, &scn_hc_services, "omega", &v->omega) &&
              scn_get_int(c, item, &scn_hc_services, "quorum", &quorum) &&
              scn_get_int(c, item, &scn_hc_services, "hysteresis", &hyst) &&
              scn_get_bool(c, item, &scn_hc_services, "inhibit_on_failure", &inhibit) &&
              scn_get_endpoint(c, item, &scn_hc_services, "sorry_server", &v->sorry_addr, &sport) &&
              scn_get_choice(c, item, &scn_hc_services, "sorry_server_lvs_method", &method) &&
              scn_get_bool(c, item, &scn_hc_services, "sorry_server_inhibit", &v->sorry_inhibit);
    g_free(service);
    v->quorum = (uint32_t)quorum;
    v->hysteresis = (uint32_t)hyst;
    v->sorry_port = htons(sport);
    static const unsigned fwd[] = { IP_VS_CONN_F_MASQ, IP_VS_CONN_F_DROUTE, IP_VS_CONN_F_TUNNEL };
    if (method >= 0)
        v->sorry_fwd = fwd[method];
    /* a real server's inhibit_on_failure defaults to the service's */
    size_t n = count_of(item, "real_servers");
    for (size_t j = 0; j < n; j++)
        rs[j].inhibit_on_failure = inhibit;
    ok = ok && each_of(c, item, "real_servers", "real_servers (objects)", load_real_server, rs, &v->n_rs);
    v->rs = rs;
    for (size_t j = 0; ok && j < i; j++) {
        const struct hc_vs_cfg *o = &((struct hc_vs_cfg *)out)[j];
        if (o->protocol == v->protocol && o->vaddr == v->vaddr && o->vport == v->vport &&
            o->fwmark == v->fwmark)
            ok = scn_fail_key(c, item, "service", "services[%zu] names the same service", j);
    }
    return ok;
}

bool scn_load_healthcheck_services(struct scn_ctx *c, const cJSON *hc_obj)
{
    struct scn_healthcheck *hc = &c->s->healthcheck;
    hc->allocs = g_ptr_array_new_with_free_func(g_free);
    hc->vs = owned(c->s, count_of(hc_obj, "services"), sizeof *hc->vs);
    return each_of(c, hc_obj, "services", "services (objects)", load_service, hc->vs, &hc->n_vs);
}
