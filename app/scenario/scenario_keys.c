/* The keys of every object a scenario holds, one table per section: what each key
 * takes, its default, its range. The loader reads every value through these rows
 * (scenario_get.c), "unknown key" and its "did you mean" list them, and the schema
 * test holds docs/scenario.schema.json to them. */
#include "app/scenario/scenario_internal.h"

#include <limits.h>
#include <string.h>
#include "model/netfilter/user_hook.h"

#define N(rows) rows, G_N_ELEMENTS(rows)
/* K(key, type, .field = value...) */
#define K(k, ...) { .key = k, .type = __VA_ARGS__ }
#define COMMENT K("comment", SCN_COMMENT)
#define BIG_COUNT (1ll << 53)       /* what a JSON number holds exactly */

static const struct scn_key top_rows[] = {
    K("name", SCN_NAME, .max = SCN_NAME_MAX, .doc = "default: the file's name without .json"),
    K("description", SCN_STRING, .def = ""),
    COMMENT,
    K("seed", SCN_SEED, .def = "1"),
    K("duration", SCN_DURATION, .def = "60s", .min = 1, .max = SCN_DURATION_MAX, .why = "the run lasts more than 0"),
    K("kernel", SCN_KERNEL, .def = "6.x"),
    K("sysctl", SCN_SYSCTLS, .sub = "director"),
    K("director", SCN_OBJECT, .sub = "director"),
    K("servers", SCN_ARRAY, .sub = "servers", .flags = SCN_REQUIRED),
    K("clients", SCN_ARRAY, .sub = "clients", .flags = SCN_REQUIRED),
    K("links", SCN_OBJECT, .sub = "links"),
    K("ipvs", SCN_LINES, .flags = SCN_REQUIRED),
    K("netfilter", SCN_LINES, .def = "[]"),
    K("netfilter6", SCN_LINES, .def = "[]"),
    K("hooks", SCN_ARRAY, .def = "[]", .sub = "hooks"),
    K("healthcheck", SCN_OBJECT, .sub = "healthcheck", .doc = "absent: no health checker"),
    K("events", SCN_ARRAY, .def = "[]", .sub = "events"),
    K("capture", SCN_OBJECT, .sub = "capture"),
    K("limits", SCN_OBJECT, .sub = "limits"),
    K("expect", SCN_EXPECT),
    K("$schema", SCN_STRING),
};

static const struct scn_key director_rows[] = {
    K("name", SCN_NAME, .def = "lvs1", .max = SCN_NAME_MAX),
    K("vip", SCN_ADDR, .doc = "default: none (the addresses of the ipvs services)"),
    K("dip", SCN_ADDR, .doc = "default: automatic"),
    K("vip6", SCN_ADDR, .doc = "an IPv6 VIP beside an IPv4 vip; default: none"),
    K("dip6", SCN_ADDR, .doc = "default: automatic when the LAN has IPv6"),
    K("ip_forward", SCN_INT, .def = "1", .max = 1),
    K("memory", SCN_SIZE, .def = "0", .doc = "0: unlimited"),
    K("backup", SCN_OBJECT, .sub = "backup"),
    COMMENT,
};

static const struct scn_key backup_rows[] = {
    K("name", SCN_NAME, .def = "lvs2", .max = SCN_NAME_MAX),
    K("dip", SCN_ADDR, .doc = "default: automatic"),
    K("sync", SCN_BOOL, .def = "true"),
    /* [threshold, period] as net.ipv4.vs.sync_threshold's "3 50" */
    K("sync_threshold", SCN_PAIR, .def = "[3,50]", .max = 1000000),
    K("syncid", SCN_INT, .def = "0", .max = 255),
    /* VRRP version 2 (RFC 3768 5.3.7): an 8-bit count of seconds */
    K("advert_int", SCN_DURATION, .def = "1s", .min = SEC, .max = 255 * SEC, .why = "VRRP version 2 advertises whole seconds: expected \"1s\" to \"255s\""),
    K("preempt", SCN_BOOL, .def = "true"),
    K("link", SCN_OBJECT, .sub = "link", .doc = "default 50us, 1Gbps, no loss"),
    COMMENT,
};

static const struct scn_key server_rows[] = {
    K("name", SCN_NAME, .max = SCN_NAME_MAX, .doc = "default rs1, rs2, ... by position"),
    K("ip", SCN_ADDR, .flags = SCN_REQUIRED),
    K("ip6", SCN_ADDR, .doc = "an IPv6 address beside an IPv4 ip (dual-stack); default: none"),
    K("port", SCN_INT, .def = "80", .min = 1, .max = 65535),
    K("listen", SCN_LISTENERS, .sub = "listeners", .doc = "absent: one listener, TCP and UDP on port"),
    K("workers", SCN_INT, .def = "8", .min = 1, .max = 1000000),
    K("service_time", SCN_TIME_DIST, .def = "exp(10ms)"),
    K("queue_limit", SCN_INT, .def = "128", .max = 10000000),
    K("close_after_response", SCN_BOOL, .def = "false"),
    K("sysctl", SCN_SYSCTLS, .sub = "servers"),
    K("http_status", SCN_ARRAY, .def = "[]", .sub = "http_status", .doc = "none: 200 for every path"),
    COMMENT,
};

/* One listener of a server's "listen" written as an object ("tcp:443" is one with the
 * protocol and port only). */
static const struct scn_key listener_rows[] = {
    K("protocol", SCN_CHOICE, .sub = "tcp|udp", .why = "protocol", .flags = SCN_REQUIRED),
    K("port", SCN_INT, .min = 1, .max = 65535, .flags = SCN_REQUIRED),
    K("workers", SCN_INT, .min = 1, .max = 1000000, .doc = "default: the server's workers and queue, shared"),
    K("queue_limit", SCN_INT, .max = 10000000, .doc = "with workers; default: the server's"),
    K("service_time", SCN_TIME_DIST, .doc = "default: the server's"),
    COMMENT,
};

static const struct scn_key client_rows[] = {
    K("name", SCN_NAME, .max = SCN_NAME_MAX, .doc = "default client1, client2, ... by position"),
    K("host", SCN_HOST, .doc = "default: a host of its own"),
    K("count", SCN_INT, .def = "1", .min = 1, .max = 1 << 24),
    K("net", SCN_CIDR, .doc = "default 10.N.0.0/16 for the N-th group"),
    K("target", SCN_ENDPOINT, .doc = "required, but with a replay: its destinations"),
    K("protocol", SCN_CHOICE, .def = "tcp", .sub = "tcp|udp", .why = "protocol"),
    K("arrival", SCN_ARRIVAL, .def = "poisson(10/s)"),
    K("users", SCN_INT, .def = "0", .max = 1000000),
    K("think", SCN_TIME_DIST, .def = "exp(1s)"),
    K("request", SCN_SIZE_DIST, .def = "300B"),
    K("response", SCN_SIZE_DIST, .def = "10KB"),
    K("requests_per_conn", SCN_INT, .def = "1", .min = 1, .max = 1000000),
    K("connect_timeout", SCN_DURATION, .def = "3s", .min = 1, .max = SCN_DURATION_MAX, .why = "must be more than 0"),
    K("response_timeout", SCN_DURATION, .def = DEFAULT_RESPONSE_TIMEOUT, .max = SCN_DURATION_MAX),
    K("start", SCN_DURATION, .def = "0", .max = SCN_DURATION_MAX),
    K("stop", SCN_DURATION, .max = SCN_DURATION_MAX, .doc = "default: the end of the run"),
    K("script", SCN_SCRIPT, .sub = "script", .doc = "absent: arrivals (or users)"),
    K("sysctl", SCN_SYSCTLS, .sub = "clients"),
    K("replay", SCN_STRING, .doc = "absent: arrivals, users or a script; a pcap or CSV file"),
    K("loop", SCN_BOOL, .def = "false"),
    COMMENT,
};

/* One connection of a client group's script (scenario_script.c). */
static const struct scn_key script_rows[] = {
    K("at", SCN_DURATION, .max = SCN_DURATION_MAX, .flags = SCN_REQUIRED),
    K("src", SCN_ENDPOINT, .flags = SCN_REQUIRED),
    K("request", SCN_BYTES, .max = 1 << 30, .flags = SCN_REQUIRED),
    K("response", SCN_BYTES, .max = 1 << 30, .flags = SCN_REQUIRED),
    K("protocol", SCN_CHOICE, .sub = "tcp|udp", .why = "protocol", .doc = "default: the group's"),
    COMMENT,
};

static const struct scn_key links_rows[] = {
    K("clients", SCN_OBJECT, .sub = "link", .doc = "default latency 1ms, bandwidth 1Gbps"),
    K("servers", SCN_OBJECT, .sub = "link", .doc = "default latency 50us, bandwidth 10Gbps"),
    COMMENT,
};

static const struct scn_key link_rows[] = {
    K("latency", SCN_DURATION, .max = SCN_DURATION_MAX, .doc = "default: the link's"),
    K("bandwidth", SCN_BANDWIDTH, .doc = "default: the link's"),
    K("loss", SCN_LOSS, .def = "0"),
    K("queue", SCN_INT, .def = "0", .max = 1000000, .doc = "frames per port queue; 0: the default"),
    COMMENT,
};

static const struct scn_key hook_rows[] = {
    K("name", SCN_NAME, .max = USER_HOOK_NAMSIZ - 1, .flags = SCN_REQUIRED),
    K("hook", SCN_HOOK, .flags = SCN_REQUIRED),
    K("priority", SCN_PRIORITY, .def = "0", .min = INT_MIN, .max = INT_MAX),
    K("verdict", SCN_VERDICT, .def = "accept"),
    K("host", SCN_HOST, .doc = "default: the director"),
    K("family", SCN_CHOICE, .def = "ipv4", .sub = "ipv4|ipv6|both", .why = "family",
      .doc = "the hook table(s) it registers on; both: one registration per family"),
    COMMENT,
};

static const struct scn_key healthcheck_rows[] = {
    K("type", SCN_CHOICE, .def = "tcp", .sub = "tcp|none", .why = "health check"),
    K("interval", SCN_DURATION, .def = "2s", .min = 1, .max = SCN_DURATION_MAX, .why = "must be more than 0"),
    K("timeout", SCN_DURATION, .def = "1s", .min = 1, .max = SCN_DURATION_MAX, .why = "must be more than 0"),
    K("retries", SCN_INT, .def = "3", .min = 1, .max = 1000),
    K("quiesce", SCN_BOOL, .def = "false"),
    K("services", SCN_ARRAY, .def = "[]", .sub = "hc_services"),
    COMMENT,
};

/* keepalived's virtual_server: its checkers (model/apps/healthcheck.c). */
static const struct scn_key hc_service_rows[] = {
    K("service", SCN_STRING, .flags = SCN_REQUIRED, .doc = "as ipvsadm names it: -t VIP:PORT, -u VIP:PORT or -f MARK"),
    K("delay_loop", SCN_DURATION, .def = "60s", .min = 1, .max = SCN_DURATION_MAX, .why = "must be more than 0"),
    K("alpha", SCN_BOOL, .def = "false"),
    K("omega", SCN_BOOL, .def = "false"),
    K("quorum", SCN_INT, .def = "1", .min = 1, .max = 1000000000),
    K("hysteresis", SCN_INT, .def = "0", .max = 1000000000),
    K("inhibit_on_failure", SCN_BOOL, .def = "false"),
    K("sorry_server", SCN_ENDPOINT, .doc = "absent: none"),
    K("sorry_server_lvs_method", SCN_CHOICE, .sub = "NAT|DR|TUN", .why = "forwarding method", .doc = "default: the first real server's"),
    K("sorry_server_inhibit", SCN_BOOL, .def = "false"),
    K("real_servers", SCN_ARRAY, .def = "[]", .sub = "hc_real_servers"),
    COMMENT,
};

static const struct scn_key hc_real_server_rows[] = {
    K("server", SCN_ENDPOINT, .flags = SCN_REQUIRED),
    K("inhibit_on_failure", SCN_BOOL, .doc = "default: the service's"),
    K("checks", SCN_ARRAY, .def = "[]", .sub = "hc_checks", .doc = "none: always alive"),
    COMMENT,
};

/* keepalived 2.x defaults: check_tcp.c, check_http.c, check_misc.c. */
static const struct scn_key hc_check_rows[] = {
    K("type", SCN_CHOICE, .flags = SCN_REQUIRED, .sub = "TCP_CHECK|HTTP_GET|SSL_GET|MISC_CHECK", .why = "checker"),
    K("delay_loop", SCN_DURATION, .min = 1, .max = SCN_DURATION_MAX, .why = "must be more than 0", .doc = "default: the service's"),
    K("connect_timeout", SCN_DURATION, .def = "5s", .min = 1, .max = SCN_DURATION_MAX, .why = "must be more than 0"),
    K("retry", SCN_INT, .min = 0, .max = 1000000, .doc = "default 1; MISC_CHECK 0"),
    K("delay_before_retry", SCN_DURATION, .max = SCN_DURATION_MAX, .doc = "default 1s; HTTP_GET, SSL_GET 3s; MISC_CHECK 0"),
    K("connect_ip", SCN_ADDR, .doc = "default: the real server's"),
    K("connect_port", SCN_INT, .min = 1, .max = 65535, .doc = "default: the real server's"),
    K("url", SCN_ARRAY, .def = "[]", .sub = "hc_urls"),
    K("misc_path", SCN_STRING, .def = ""),
    K("misc_dynamic", SCN_BOOL, .def = "false"),
    K("exit_codes", SCN_ARRAY, .def = "[]", .sub = "hc_exits"),
    COMMENT,
};

static const struct scn_key hc_url_rows[] = {
    K("path", SCN_STRING, .flags = SCN_REQUIRED),
    K("status_code", SCN_STRING, .def = "", .doc = "codes and ranges, \"200 300-399\"; empty: 200-299"),
    K("digest", SCN_STRING, .doc = "ignored (the model serves no content), with a warning"),
    COMMENT,
};

static const struct scn_key hc_exit_rows[] = {
    K("at", SCN_DURATION, .max = SCN_DURATION_MAX, .flags = SCN_REQUIRED),
    K("code", SCN_INT, .max = 255, .flags = SCN_REQUIRED),
    COMMENT,
};

/* What a server answers an HTTP_GET of path with, from at on. */
static const struct scn_key http_status_rows[] = {
    K("path", SCN_STRING, .flags = SCN_REQUIRED),
    K("status", SCN_INT, .min = 100, .max = 599, .flags = SCN_REQUIRED),
    K("at", SCN_DURATION, .def = "0", .max = SCN_DURATION_MAX),
    COMMENT,
};

static const struct scn_key capture_rows[] = {
    K("points", SCN_CAPTURE_POINTS),
    K("snaplen", SCN_INT, .def = "65535", .min = 1, .max = 262144),
    COMMENT,
};

/* The defaults are SCN_LIMIT_* of scenario.h (tests/app/run/test_limits.c holds the
 * loaded values to them). */
static const struct scn_key limits_rows[] = {
    K("connections", SCN_INT, .def = "0", .max = BIG_COUNT),
    K("events", SCN_INT, .def = "10000000", .max = BIG_COUNT),
    K("packets", SCN_INT, .def = "1000000", .max = BIG_COUNT),
    K("capture_bytes", SCN_BYTES, .def = SCN_LIMIT_CAPTURE, .max = BIG_COUNT),
    K("conversations", SCN_INT, .def = "2000000", .max = BIG_COUNT),
    K("event_rate", SCN_INT, .def = "10000000", .max = BIG_COUNT),
    K("output_bytes", SCN_BYTES, .def = SCN_LIMIT_OUTPUT, .max = BIG_COUNT),
    COMMENT,
};

/* ---- events: what every event has, then each kind's keys ---------------------------- */

#define EVENT_COMMON                                                                       \
    K("at", SCN_DURATION, .max = SCN_DURATION_MAX, .flags = SCN_REQUIRED),              \
    K("do", SCN_EVENT_KIND, .flags = SCN_REQUIRED), COMMENT

static const struct scn_key event_rows[] = { EVENT_COMMON };
static const struct scn_key ev_server_rows[] = {
    EVENT_COMMON, K("server", SCN_STRING, .flags = SCN_REQUIRED),
};
static const struct scn_key ev_args_rows[] = {
    EVENT_COMMON, K("args", SCN_LINE, .flags = SCN_REQUIRED),
};
static const struct scn_key ev_sysctl_rows[] = {
    EVENT_COMMON,
    K("key", SCN_SYSCTL_NAME, .flags = SCN_REQUIRED),
    K("value", SCN_INT, .min = INT_MIN, .max = INT_MAX, .flags = SCN_REQUIRED),
};
/* absent: that property of the link stays as it is */
static const struct scn_key ev_link_rows[] = {
    EVENT_COMMON,
    K("link", SCN_CHOICE, .sub = "clients|servers", .why = "link", .flags = SCN_REQUIRED),
    K("latency", SCN_DURATION, .max = SCN_DURATION_MAX),
    K("bandwidth", SCN_BANDWIDTH),
    K("loss", SCN_LOSS),
    K("queue", SCN_INT, .max = 1000000),
};
static const struct scn_key ev_flood_rows[] = {
    EVENT_COMMON,
    K("rate", SCN_RATE, .flags = SCN_REQUIRED),
    K("duration", SCN_DURATION, .min = 1, .max = SCN_DURATION_MAX, .why = "a flood lasts more than 0", .doc = "default: to the end of the run"),
    /* RFC 2544's benchmarking block, never a real host's */
    K("net", SCN_CIDR, .def = "198.18.0.0/15"),
    K("target", SCN_ENDPOINT, .flags = SCN_REQUIRED),
};
static const struct scn_key ev_hook_rows[] = {
    EVENT_COMMON, K("name", SCN_STRING, .flags = SCN_REQUIRED),
};
static const struct scn_key ev_director_down_rows[] = {
    EVENT_COMMON,
    K("director", SCN_STRING, .doc = "default: the director"),
    K("graceful", SCN_BOOL, .def = "false"),
};
static const struct scn_key ev_director_up_rows[] = {
    EVENT_COMMON, K("director", SCN_STRING, .doc = "default: the director"),
};
/* brownouts: a server (or one listener of it) serving slower, or with other workers */
#define MAX_SLOW 1000000
static const struct scn_key ev_slow_rows[] = {
    EVENT_COMMON,
    K("server", SCN_STRING, .flags = SCN_REQUIRED),
    K("listener", SCN_STRING, .doc = "default: every listener"),
    K("factor", SCN_FACTOR, .max = MAX_SLOW, .flags = SCN_REQUIRED),
};
static const struct scn_key ev_set_rows[] = {
    EVENT_COMMON,
    K("server", SCN_STRING, .flags = SCN_REQUIRED),
    K("listener", SCN_STRING, .doc = "default: the server's"),
    K("service_time", SCN_TIME_DIST, .doc = "absent: unchanged"),
    K("workers", SCN_INT, .min = 1, .max = 1000000, .doc = "absent: unchanged"),
};

/* {"file": PATH}: a saved rule set in "ipvs" or "netfilter" (scenario_saved.c) */
static const struct scn_key saved_file_rows[] = {
    K("file", SCN_STRING, .flags = SCN_REQUIRED,
      .doc = "a saved rule set's file, relative to the scenario's directory"),
    COMMENT,
};

/* ---- the sections -------------------------------------------------------------------- */

const struct scn_section scn_top = { "", "", N(top_rows) };
const struct scn_section scn_director = { "director", "director", N(director_rows) };
const struct scn_section scn_backup = { "backup", "backup", N(backup_rows) };
const struct scn_section scn_servers = { "servers", "server", N(server_rows) };
const struct scn_section scn_clients = { "clients", "client", N(client_rows) };
const struct scn_section scn_listeners = { "listeners", "listener", N(listener_rows) };
const struct scn_section scn_script = { "script", "script_conn", N(script_rows) };
const struct scn_section scn_links = { "links", "links", N(links_rows) };
const struct scn_section scn_link = { "link", "link", N(link_rows) };
const struct scn_section scn_hooks = { "hooks", "hook", N(hook_rows) };
const struct scn_section scn_healthcheck = { "healthcheck", "healthcheck", N(healthcheck_rows) };
const struct scn_section scn_hc_services = { "hc_services", "hc_service", N(hc_service_rows) };
const struct scn_section scn_hc_real_servers = { "hc_real_servers", "hc_real_server", N(hc_real_server_rows) };
const struct scn_section scn_hc_checks = { "hc_checks", "hc_check", N(hc_check_rows) };
const struct scn_section scn_hc_urls = { "hc_urls", "hc_url", N(hc_url_rows) };
const struct scn_section scn_hc_exits = { "hc_exits", "hc_exit", N(hc_exit_rows) };
const struct scn_section scn_http_status = { "http_status", "http_status", N(http_status_rows) };
const struct scn_section scn_capture = { "capture", "capture", N(capture_rows) };
const struct scn_section scn_limits = { "limits", "limits", N(limits_rows) };
const struct scn_section scn_saved_file = { "saved_file", "saved_file", N(saved_file_rows) };
const struct scn_section scn_events = { "events", "event", N(event_rows) };
const struct scn_section scn_ev_server = { "event:server", NULL, N(ev_server_rows) };
const struct scn_section scn_ev_args = { "event:args", NULL, N(ev_args_rows) };
const struct scn_section scn_ev_sysctl = { "event:sysctl", NULL, N(ev_sysctl_rows) };
const struct scn_section scn_ev_link = { "event:link", NULL, N(ev_link_rows) };
const struct scn_section scn_ev_flood = { "event:syn_flood", NULL, N(ev_flood_rows) };
const struct scn_section scn_ev_hook = { "event:hook", NULL, N(ev_hook_rows) };
const struct scn_section scn_ev_director_down = { "event:director_down", NULL,
                                                  N(ev_director_down_rows) };
const struct scn_section scn_ev_director_up = { "event:director_up", NULL, N(ev_director_up_rows) };
const struct scn_section scn_ev_slow = { "event:server_slow", NULL, N(ev_slow_rows) };
const struct scn_section scn_ev_set = { "event:server_set", NULL, N(ev_set_rows) };

static const struct scn_section *const sections[] = {
    &scn_top, &scn_director, &scn_backup, &scn_servers, &scn_clients, &scn_links, &scn_link,
    &scn_hooks, &scn_healthcheck, &scn_hc_services, &scn_hc_real_servers, &scn_hc_checks,
    &scn_hc_urls, &scn_hc_exits, &scn_http_status, &scn_capture, &scn_limits, &scn_events,
    &scn_script, &scn_listeners, &scn_saved_file, NULL,
};

const struct scn_section *const *scn_sections(void)
{
    return sections;
}

const struct scn_section *scn_section_named(const char *name)
{
    for (size_t i = 0; sections[i]; i++)
        if (strcmp(sections[i]->name, name) == 0)
            return sections[i];
    return NULL;
}

const struct scn_key *scn_row(const struct scn_section *sec, const char *key)
{
    for (size_t i = 0; i < sec->n; i++)
        if (strcmp(sec->keys[i].key, key) == 0)
            return &sec->keys[i];
    return NULL;
}

/* A row the loader reads as type: a key missing from its table is the loader's bug. */
const struct scn_key *scn_row_of(const struct scn_section *sec, const char *key,
                                 enum scn_type type)
{
    const struct scn_key *k = scn_row(sec, key);
    if (!k || k->type != type)
        g_error("scenario key '%s' of section '%s' is not in its table as type %d", key,
                sec->name, (int)type);
    return k;
}

static const char *section_key_at(const void *ctx, size_t i)
{
    const struct scn_section *sec = ctx;
    return i < sec->n ? sec->keys[i].key : NULL;
}

const char *scn_nearest_key(const char *word, const struct scn_section *sec)
{
    return scn_nearest(word, section_key_at, sec);
}

bool scenario_is_limit_key(const char *key, size_t len)
{
    for (size_t i = 0; i < scn_limits.n; i++) {
        const struct scn_key *k = &scn_limits.keys[i];
        if (k->type != SCN_COMMENT && strlen(k->key) == len && strncmp(key, k->key, len) == 0)
            return true;
    }
    return false;
}
