/* Shared by the scenario loader's files (scenario*.c); nothing else includes it.
 *
 *   scenario_json.c    the JSON text -> cJSON tree, with the position of every value
 *   scenario_get.c     typed reads of one key (units, defaults, messages with positions)
 *   scenario_set.c     --set KEY=VALUE overrides
 *   scenario_events.c  the "events" list
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

/* ---- scenario_get.c: typed reads of obj[key] --------------------------------------- */

/* Check that node is an object whose keys are all in allowed (NULL-terminated):
 * "unknown key 'sevrers' (did you mean 'servers'? expected one of: ...)". */
bool scn_check_object(struct scn_ctx *c, const cJSON *node, const char *const *allowed);
bool scn_check_array(struct scn_ctx *c, const cJSON *node, const char *what);
/* A key that must be there: "missing key 'ip'" at the object. */
const cJSON *scn_require(struct scn_ctx *c, const cJSON *obj, const char *key);

/* Each reads obj[key] into *out, or the default when the key is absent (def is
 * written as a file would write it, "10ms"; NULL makes the key required). The
 * path is extended with key for messages. */
bool scn_get_string(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def, char **out);
bool scn_get_int(struct scn_ctx *c, const cJSON *obj, const char *key, long long def,
                 long long min, long long max, long long *out);
bool scn_get_bool(struct scn_ctx *c, const cJSON *obj, const char *key, bool def, bool *out);
bool scn_get_duration(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def,
                      sim_time_t *out);
bool scn_get_bandwidth(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def,
                       uint64_t *out);
bool scn_get_rate(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def, double *out);
bool scn_get_loss(struct scn_ctx *c, const cJSON *obj, const char *key, double def, double *out);
bool scn_get_dist(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def,
                  enum unit_kind kind, struct dist *out);
bool scn_get_arrival(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def,
                     struct dist *out);
bool scn_get_ipv4(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def, be32 *out);
bool scn_get_cidr(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def,
                  be32 *net, uint8_t *prefix);
bool scn_get_endpoint(struct scn_ctx *c, const cJSON *obj, const char *key, const char *def,
                      be32 *addr, uint16_t *port);
/* A string value as a line (ipvs and netfilter lines, event args), with the
 * position of its first character inside the quotes. */
bool scn_line_of(struct scn_ctx *c, const cJSON *node, struct scn_line *out);

/* A string (or an override's raw text) of node, NULL if it is neither. */
const char *scn_string_of(const cJSON *node);
/* A safe name: letters, digits, '-', '_', '.', not starting with '.', at most max. */
bool scn_name_ok(const char *name, size_t max);
bool scn_check_name(struct scn_ctx *c, const cJSON *node, const char *name, size_t max);

/* The nearest of candidates to word, if it is near enough to suggest; else NULL. */
const char *scn_nearest(const char *word, const char *const *candidates);

/* ---- scenario.c -------------------------------------------------------------------- */

/* The sysctl name as stored (IPVS ones short: "net.ipv4.vs.sloppy_tcp" ->
 * "sloppy_tcp"), or NULL for a name the simulator does not know. */
const char *scn_sysctl_canonical(const char *key);
/* The known names, NULL-terminated, as messages list them. */
const char *const *scn_sysctl_names(void);
/* The keys an object of the scenario may have: section is "" (the top level),
 * "director", "servers", "clients", "links", "link", "hooks", "healthcheck",
 * "capture", "events" (every event), or "event:KIND" (what a KIND adds). NULL for an
 * unknown section. */
const char *const *scn_keys_of(const char *section);
/* The known event kinds ("server_down", ...), NULL-terminated. */
const char *const *scn_event_kinds(void);
/* Is name a host of the scenario (the director's name, "director", a server)? */
bool scn_is_cluster_host(const struct scenario *s, const char *name);

/* ---- scenario_set.c ---------------------------------------------------------------- */

/* Apply "KEY=VALUE" overrides to the tree (before validation). */
bool scn_apply_overrides(struct scn_ctx *c, cJSON *root, const char *const *overrides);

/* ---- scenario_events.c ------------------------------------------------------------ */

bool scn_load_events(struct scn_ctx *c, const cJSON *root);
/* The keys an event of kind may have (with at, do, comment); NULL if unknown. */
const char *const *scn_event_keys(const char *kind);
void scn_event_clear(struct scn_event *e);

#endif
