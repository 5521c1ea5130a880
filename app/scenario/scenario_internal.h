/* Shared by the scenario loader's files (scenario*.c); nothing else includes it.
 *
 *   scenario_json.c    the JSON text -> cJSON tree, with the position of every value
 *   scenario_keys.c    the tables: every key of every section, its type, default, range
 *   scenario_get.c     typed reads of one key by its row (units, defaults, messages)
 *   scenario_set.c     --set KEY=VALUE overrides
 *   scenario_events.c  the "events" list
 *   scenario_script.c  a client group's "script" (its connections, or a CSV file of them)
 *   scenario_health.c  the health checker's "services", a server's "http_status"
 *   scenario.c         the sections, cross-references, scenario_load / scenario_free */
#ifndef IPVSIM_APP_SCENARIO_SCENARIO_INTERNAL_H
#define IPVSIM_APP_SCENARIO_SCENARIO_INTERNAL_H

#include <stdarg.h>
#include "app/scenario/scenario.h"
#include "app/scenario/units.h"

/* Where a node of the tree came from. For a value given with --set, val.set is the
 * override's number (1-based) and the lines and columns are 0. */
struct scn_node_pos {
    struct scn_pos key;             /* the member's key (its opening quote) */
    struct scn_pos val;             /* the value's first character */
    size_t off;                     /* byte offset of the value in the text */
};

/* ---- scenario_json.c ------------------------------------------------------------- */

/* Parse len bytes of text into a tree; every node's position goes into pos
 * (cJSON* -> struct scn_node_pos*, values owned by the table). On a syntax error:
 * NULL, *epos and msg say where and what. */
cJSON *scn_json_parse(const char *text, size_t len, GHashTable *pos, struct scn_pos *epos,
                      char *msg, size_t msgsz);
GHashTable *scn_json_pos_table(void);
/* Line and column (1-based, columns in characters) of a byte offset of text. */
struct scn_pos scn_json_offset_pos(const char *text, size_t len, size_t off);

/* ---- the loading context -------------------------------------------------------- */

struct scn_ctx {
    struct scenario *s;
    struct scn_error *err;
    bool failed;
    GString *path;                  /* of the value at hand, "servers[1].port", for messages */
    char *dir;                      /* the scenario's directory: trace files are relative to it */
    /* The servers loaded so far by name and by address (index + 1), so that the
     * duplicate checks of a long list cost one lookup each, not a scan. Lookups only:
     * never iterated, so they decide no order. */
    GHashTable *server_names;       /* char * (the server's own name) -> index + 1 */
    GHashTable *server_ips;         /* be32 address -> index + 1 */
};

/* Record an error (only the first one counts) and return false. The message is
 * prefixed with the path at hand, or with "--set KEY" for a value that came from an
 * override. at_key: point at the member's key rather than its value. */
bool scn_fail(struct scn_ctx *c, const cJSON *node, bool at_key, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
bool scn_failv(struct scn_ctx *c, const cJSON *node, bool at_key, const char *fmt, va_list ap)
    G_GNUC_PRINTF(4, 0);

/* An error about obj[key] (at its value, or at obj when it is absent), the path
 * extended by key. */
/* A warning about obj.key, placed as an error would be (s->warnings). */
void scn_warn_key(struct scn_ctx *c, const cJSON *obj, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
bool scn_fail_key(struct scn_ctx *c, const cJSON *obj, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* The path stack: push returns the length to pop back to. */
size_t scn_path_push_key(struct scn_ctx *c, const char *key);
size_t scn_path_push_index(struct scn_ctx *c, int index);
void scn_path_pop(struct scn_ctx *c, size_t len);

/* ---- scenario_keys.c: one table per section ---------------------------------------- */

/* What a key takes. Units are part of the type: a duration, a size, a bandwidth, a
 * rate each demand their own (units.h). */
enum scn_type {
    SCN_STRING, SCN_NAME, SCN_HOST, SCN_CHOICE, SCN_INT, SCN_SEED, SCN_BOOL,
    SCN_DURATION, SCN_BANDWIDTH, SCN_RATE, SCN_LOSS,
    SCN_SIZE,                       /* a size string ("1GB", "0") */
    SCN_BYTES,                      /* a size string or an integer of bytes */
    SCN_TIME_DIST, SCN_SIZE_DIST, SCN_ARRIVAL,
    SCN_ADDR, SCN_CIDR, SCN_ENDPOINT,
    SCN_KERNEL, SCN_HOOK, SCN_PRIORITY, SCN_VERDICT,
    SCN_LINE, SCN_LINES,            /* one command line; an array of them */
    SCN_PAIR,                       /* [a, b], two integers in [min, max] */
    SCN_OBJECT, SCN_ARRAY,          /* an object of section sub; an array of them */
    SCN_SYSCTLS,                    /* sysctl name -> integer (sub: "director" or "servers") */
    SCN_SYSCTL_NAME,                /* a sysctl's name (app/scenario/sysctl.h) */
    SCN_CAPTURE_POINTS, SCN_EXPECT, SCN_COMMENT,
    SCN_EVENT_KIND,                 /* an event's "do" */
    SCN_SCRIPT,                     /* an array of objects of section sub, or a CSV file's
                                     * name (scenario_script.c) */
    SCN_LISTENERS,                  /* an array of "tcp:80" strings or objects of section sub */
    SCN_FACTOR,                     /* a number above 0, at most max */
};

#define SCN_REQUIRED 1u             /* absent: "missing key" */

/* One key of a section. A key without a default that is not required either has a
 * default that depends on its place (the N-th server's name, which link): the
 * getter leaves *out as the caller set it. */
struct scn_key {
    const char *key;
    enum scn_type type;
    const char *def;                /* as a file writes it ("10ms", "1", "true", "[]") */
    long long min, max;             /* SCN_INT, SCN_PAIR: the range; SCN_DURATION: in ns
                                     * (outside: why); SCN_NAME: max is the length */
    unsigned flags;
    const char *sub;                /* SCN_OBJECT, SCN_ARRAY: the section; SCN_CHOICE: the
                                     * words, "tcp|udp" */
    const char *why;                /* SCN_DURATION out of range: the message; SCN_CHOICE:
                                     * what the word names ("protocol") */
    const char *doc;                /* a word on a default the table cannot hold */
};

struct scn_section {
    const char *name;               /* "" (the top level), "director", "servers", ... */
    const char *schema;             /* its $defs entry in docs/scenario.schema.json ("" the
                                     * top; NULL: an event kind's, event_KIND) */
    const struct scn_key *keys;
    size_t n;
};

#define SCN_NAME_MAX 64

extern const struct scn_section scn_top, scn_director, scn_backup, scn_servers, scn_clients,
    scn_links, scn_link, scn_hooks, scn_healthcheck, scn_capture, scn_limits, scn_events,
    scn_ev_server, scn_ev_args, scn_ev_sysctl, scn_ev_link, scn_ev_flood, scn_ev_hook,
    scn_ev_director_down, scn_ev_director_up, scn_script, scn_listeners, scn_ev_slow, scn_ev_set,
    scn_saved_file, scn_hc_services, scn_hc_real_servers, scn_hc_checks, scn_hc_urls, scn_hc_exits,
    scn_http_status;

/* The sections of the document (the event kinds' are scn_event_section's),
 * NULL-terminated. */
const struct scn_section *const *scn_sections(void);
const struct scn_section *scn_section_named(const char *name);
/* The row of key, NULL if the section has none. */
const struct scn_key *scn_row(const struct scn_section *sec, const char *key);
/* The row of key, which the loader reads as type (aborts if the table says otherwise). */
const struct scn_key *scn_row_of(const struct scn_section *sec, const char *key,
                                 enum scn_type type);

/* ---- scenario_get.c: typed reads of obj[key] --------------------------------------- */

/* Check that node is an object whose keys are all in sec:
 * "unknown key 'sevrers' (did you mean 'servers'? expected one of: ...)". */
bool scn_check_object(struct scn_ctx *c, const cJSON *node, const struct scn_section *sec);
bool scn_check_array(struct scn_ctx *c, const cJSON *node, const char *what);
/* A key that must be there: "missing key 'ip'" at the object. */
const cJSON *scn_require(struct scn_ctx *c, const cJSON *obj, const char *key);

/* Each reads obj[key] (obj may be NULL: an absent section) into *out as the row of
 * key in sec says: its type, range and default; absent and required: "missing key";
 * absent with no default in the table: *out is left as the caller set it. The path
 * is extended with key for messages. */
bool scn_get_string(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, char **out);
/* A word of the row's sub ("tcp|udp"): *out is its index. */
bool scn_get_choice(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, int *out);
bool scn_get_int(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                 const char *key, long long *out);
bool scn_get_bool(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, bool *out);
bool scn_get_duration(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                      const char *key, sim_time_t *out);
bool scn_get_bandwidth(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                       const char *key, uint64_t *out);
bool scn_get_rate(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, double *out);
bool scn_get_loss(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, double *out);
bool scn_get_factor(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, double *out);
bool scn_get_size(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, uint64_t *out);
bool scn_get_bytes(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                   const char *key, uint64_t *out);
/* SCN_TIME_DIST, SCN_SIZE_DIST or SCN_ARRIVAL, as the row says. */
bool scn_get_dist(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, struct dist *out);
bool scn_get_addr(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, be32 *out);
bool scn_get_cidr(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, be32 *net, uint8_t *prefix);
bool scn_get_endpoint(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                      const char *key, be32 *addr, uint16_t *port);
/* An integer from min to max of v (an override's raw text counts), or a failure
 * "expected an integer from MIN to MAX". */
bool scn_int_in(struct scn_ctx *c, const cJSON *v, long long min, long long max, long long *out);
bool scn_get_pair(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, int out[2]);
/* A string value as a line (ipvs and netfilter lines, event args), with the
 * position of its first character inside the quotes. */
bool scn_line_of(struct scn_ctx *c, const cJSON *node, struct scn_line *out);
/* The command lines of root[key] ("ipvs", "netfilter"): an array of lines, a saved
 * rule set as one string or {"file": PATH} (relative to the scenario), or an array
 * mixing them (scenario_saved.c). restore: "iptables-restore" for "netfilter",
 * "ip6tables-restore" for "netfilter6" (a saved text is read as that program reads
 * it, its messages named after it); NULL for "ipvs". */
bool scn_load_lines(struct scn_ctx *c, const cJSON *root, const char *key, GArray *out,
                    const char *restore);
/* "a string", "an object", "a number"... for messages. */
const char *scn_type_name(const cJSON *v);
/* Free the lines of a and a itself. */
void scn_free_lines(GArray *a);
/* An error at pos, the path at hand prefixed (see scn_fail). */
bool scn_fail_at(struct scn_ctx *c, struct scn_pos pos, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* A string (or an override's raw text) of node, NULL if it is neither. */
const char *scn_string_of(const cJSON *node);
/* A safe name: letters, digits, '-', '_', '.', not starting with '.', at most max. */
bool scn_name_ok(const char *name, size_t max);
bool scn_check_name(struct scn_ctx *c, const cJSON *node, const char *name, size_t max);

/* The nearest of the names at(ctx, 0), at(ctx, 1), ... (until NULL) to word, if it
 * is near enough to suggest; else NULL. */
const char *scn_nearest(const char *word, const char *(*at)(const void *ctx, size_t i),
                        const void *ctx);
/* The nearest key of sec. */
const char *scn_nearest_key(const char *word, const struct scn_section *sec);

/* ---- scenario.c -------------------------------------------------------------------- */

/* "unknown sysctl 'x' (did you mean 'y'?)" about name at node. */
bool scn_fail_sysctl(struct scn_ctx *c, const cJSON *node, bool at_key, const char *name);
struct sysctl_def;
bool scn_sysctl_value(struct scn_ctx *c, const struct sysctl_def *d, const cJSON *v, long *out);
/* Is name a host of the scenario (the director's name, "director", a server)? */
bool scn_is_cluster_host(const struct scenario *s, const char *name);
/* A listener written "tcp:443" (protocol and port). false, *why filled: not one. */
bool scn_listener_parse(const char *text, uint8_t *protocol, uint16_t *port, char *why,
                        size_t whylen);
/* The index of sv's listener of protocol on port (a server given "port" listens with
 * both protocols), -1 when none. */
int scn_server_listener(const struct scn_server *sv, uint8_t protocol, uint16_t port);

/* ---- scenario_script.c ------------------------------------------------------------- */

/* The group's "script", if it has one (cl->script stays NULL otherwise): its
 * connections, in the order of their times, each checked against the group (its
 * net, its protocol) and the run (its duration). cl's net, protocol and the run's
 * duration are loaded already. */
bool scn_load_script(struct scn_ctx *c, const cJSON *item, struct scn_client *cl);

/* The group's "replay" (a pcap or CSV file of recorded conversations, app/scenario/
 * replay.h) into cl->script, and its "loop" (cl->loop, cl->loop_period); warns when
 * the recording ends before the group stops. Also checks "loop" without a replay
 * (it repeats an arrival trace). */
bool scn_load_replay(struct scn_ctx *c, const cJSON *item, struct scn_client *cl);

/* ---- scenario_set.c ---------------------------------------------------------------- */

/* Apply "KEY=VALUE" overrides to the tree (before validation). */
bool scn_apply_overrides(struct scn_ctx *c, cJSON *root, const char *const *overrides);

/* ---- scenario_events.c ------------------------------------------------------------ */

bool scn_load_events(struct scn_ctx *c, const cJSON *root);
/* The keys an event of kind may have (with at, do, comment); NULL if unknown. */
const struct scn_section *scn_event_section(const char *kind);
/* The name of the i-th event kind ("server_down", ...), NULL past the last. */
const char *scn_event_kind(size_t i);
void scn_event_clear(struct scn_event *e);

/* ---- scenario_health.c --------------------------------------------------------------- */

/* healthcheck.services into s->healthcheck.vs (hc_obj may be NULL: none). */
bool scn_load_healthcheck_services(struct scn_ctx *c, const cJSON *hc_obj);
/* A server's http_status, sorted by time (the file's order kept at one time). */
bool scn_load_http_status(struct scn_ctx *c, const cJSON *server, GArray **out);
void scn_http_status_free(GArray *a);

#endif
