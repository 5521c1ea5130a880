/* Typed reads of a scenario's values: each checks the type and the units, applies
 * the default when the key is absent, and says what it expected where. */
#include "app/scenario/scenario_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- errors and the path ------------------------------------------------------------ */

static struct scn_pos node_pos(const struct scn_ctx *c, const cJSON *node, bool at_key)
{
    const struct scn_node_pos *np = node ? g_hash_table_lookup(c->s->positions, node) : NULL;
    if (!np)
        return (struct scn_pos){ .line = 1, .col = 1 };
    return at_key ? np->key : np->val;
}

static bool fail_at(struct scn_ctx *c, struct scn_pos pos, const char *fmt, va_list ap)
{
    if (c->failed)
        return false;
    c->failed = true;
    char msg[sizeof c->err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (pos.set == 0 && c->path->len)
        scn_error_at(c->err, c->s, pos, "%s: %s", c->path->str, msg);
    else
        scn_error_at(c->err, c->s, pos, "%s", msg);
    return false;
}

bool scn_fail_at(struct scn_ctx *c, struct scn_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_at(c, pos, fmt, ap);
    va_end(ap);
    return false;
}

bool scn_failv(struct scn_ctx *c, const cJSON *node, bool at_key, const char *fmt, va_list ap)
{
    return fail_at(c, node_pos(c, node, at_key), fmt, ap);
}

/* A fault offset bytes into the string value node (an argument of a distribution). */
static bool fail_in_string(struct scn_ctx *c, const cJSON *node, size_t offset, const char *fmt,
                           ...) G_GNUC_PRINTF(4, 5);
static bool fail_in_string(struct scn_ctx *c, const cJSON *node, size_t offset, const char *fmt,
                           ...)
{
    struct scn_pos pos = node_pos(c, node, false);
    if (pos.set == 0) {
        pos.col++;                  /* past the opening quote */
        pos = scn_pos_in_string(c->s, pos, offset);
    }
    va_list ap;
    va_start(ap, fmt);
    fail_at(c, pos, fmt, ap);
    va_end(ap);
    return false;
}

bool scn_fail(struct scn_ctx *c, const cJSON *node, bool at_key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scn_failv(c, node, at_key, fmt, ap);
    va_end(ap);
    return false;
}

void scn_warn_key(struct scn_ctx *c, const cJSON *obj, const char *key, const char *fmt, ...)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    size_t saved = scn_path_push_key(c, key);
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct scn_pos pos = node_pos(c, v ? v : obj, false);
    struct scn_error e;
    if (pos.set == 0)
        scn_error_at(&e, c->s, pos, "warning: %s: %s", c->path->str, msg);
    else
        scn_error_at(&e, c->s, pos, "warning: %s", msg);
    g_ptr_array_add(c->s->warnings, e.pos.line > 0
                    ? g_strdup_printf("%s:%d:%d: %s", e.file, e.pos.line, e.pos.col, e.msg)
                    : g_strdup_printf("%s: %s", e.file, e.msg));
    scn_path_pop(c, saved);
}

bool scn_fail_key(struct scn_ctx *c, const cJSON *obj, const char *key, const char *fmt, ...)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    size_t saved = scn_path_push_key(c, key);
    va_list ap;
    va_start(ap, fmt);
    scn_failv(c, v ? v : obj, false, fmt, ap);
    va_end(ap);
    scn_path_pop(c, saved);
    return false;
}

size_t scn_path_push_key(struct scn_ctx *c, const char *key)
{
    size_t len = c->path->len;
    if (len)
        g_string_append_c(c->path, '.');
    g_string_append(c->path, key);
    return len;
}

size_t scn_path_push_index(struct scn_ctx *c, int index)
{
    size_t len = c->path->len;
    g_string_append_printf(c->path, "[%d]", index);
    return len;
}

void scn_path_pop(struct scn_ctx *c, size_t len)
{
    g_string_truncate(c->path, len);
}

/* ---- names ---------------------------------------------------------------------------- */

bool scn_name_ok(const char *name, size_t max)
{
    size_t len = strlen(name);
    if (len == 0 || len > max || name[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_' && name[i] != '.')
            return false;
    return true;
}

bool scn_check_name(struct scn_ctx *c, const cJSON *node, const char *name, size_t max)
{
    if (scn_name_ok(name, max))
        return true;
    char shown[48];
    if (strlen(name) > 40)
        snprintf(shown, sizeof shown, "%.37s...", name);
    else
        g_strlcpy(shown, name, sizeof shown);
    return scn_fail(c, node, false, "\"%s\" is not a safe name: use letters, digits, '-', '_' and "
                    "'.', not starting with '.', at most %zu characters", shown, max);
}

/* Optimal string alignment distance (a swap of two neighbours counts as one edit). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
            size_t best = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
            best = MIN(best, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                best = MIN(best, d[i - 2][j - 2] + 1);
            d[i][j] = best;
        }
    return d[n][m];
}

const char *scn_nearest(const char *word, const char *(*at)(const void *ctx, size_t i),
                        const void *ctx)
{
    const char *best = NULL, *k;
    size_t best_d = 3, len = strlen(word);
    for (size_t i = 0; (k = at(ctx, i)); i++) {
        size_t d = edit_distance(word, k);
        if (d < best_d && d < len && d <= (strlen(k) + 1) / 2) {
            best = k;
            best_d = d;
        }
    }
    return best;
}

/* ---- shapes --------------------------------------------------------------------------- */

const char *scn_type_name(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return "an object";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v) || cJSON_IsRaw(v))
        return "a number";
    if (cJSON_IsTrue(v))
        return "true";
    if (cJSON_IsFalse(v))
        return "false";
    return "null";
}

/* "comment" is allowed in every object: JSON has no comments. */
static bool comment_ok(struct scn_ctx *c, const cJSON *v)
{
    if (cJSON_IsString(v))
        return true;
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
            if (!cJSON_IsString(e))
                return scn_fail(c, e, false, "a comment is a string or an array of strings");
        return true;
    }
    return scn_fail(c, v, false, "a comment is a string or an array of strings");
}

bool scn_check_object(struct scn_ctx *c, const cJSON *node, const struct scn_section *sec)
{
    if (!cJSON_IsObject(node))
        return scn_fail(c, node, false, "expected an object, not %s", scn_type_name(node));
    const cJSON *m;
    cJSON_ArrayForEach(m, node) {
        const struct scn_key *k = scn_row(sec, m->string);
        if (k && k->type == SCN_COMMENT) {
            size_t saved = scn_path_push_key(c, "comment");
            bool ok = comment_ok(c, m);
            scn_path_pop(c, saved);
            if (!ok)
                return false;
        }
        if (k)
            continue;
        GString *list = g_string_new(NULL);
        for (size_t i = 0; i < sec->n; i++)
            g_string_append_printf(list, "%s%s", list->len ? ", " : "", sec->keys[i].key);
        const char *near = scn_nearest_key(m->string, sec);
        char shown[48];
        g_strlcpy(shown, m->string, sizeof shown);
        if (near)
            scn_fail(c, m, true, "unknown key '%s' (did you mean '%s'? expected one of: %s)", shown,
                     near, list->str);
        else
            scn_fail(c, m, true, "unknown key '%s' (expected one of: %s)", shown, list->str);
        g_string_free(list, TRUE);
        return false;
    }
    return true;
}

bool scn_check_array(struct scn_ctx *c, const cJSON *node, const char *what)
{
    if (cJSON_IsArray(node))
        return true;
    return scn_fail(c, node, false, "expected an array of %s, not %s", what, scn_type_name(node));
}

const cJSON *scn_require(struct scn_ctx *c, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        scn_fail(c, obj, false, "missing key '%s'", key);
    return v;
}

const char *scn_string_of(const cJSON *node)
{
    if (cJSON_IsString(node) || cJSON_IsRaw(node))
        return node->valuestring;
    return NULL;
}

/* A number of node (an override's raw text counts); false if it is none. */
static bool number_of(const cJSON *node, double *v)
{
    if (cJSON_IsNumber(node)) {
        *v = node->valuedouble;
        return true;
    }
    if (cJSON_IsRaw(node)) {
        char *end;
        *v = g_ascii_strtod(node->valuestring, &end);
        return end != node->valuestring && *end == '\0' && isfinite(*v);
    }
    return false;
}

/* ---- the getters: one pattern ----------------------------------------------------- */

/* The row of key (the loader reads only keys of its tables). */
static const struct scn_key *row(const struct scn_section *sec, const char *key)
{
    const struct scn_key *k = scn_row(sec, key);
    if (!k)
        g_error("scenario key '%s' is not in the table of section '%s'", key, sec->name);
    return k;
}

/* obj[key], the path extended by key (pop with *saved); NULL when absent. */
static const cJSON *member(struct scn_ctx *c, const cJSON *obj, const char *key, size_t *saved)
{
    *saved = scn_path_push_key(c, key);
    return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static bool missing(struct scn_ctx *c, const cJSON *obj, const char *key, size_t saved)
{
    scn_path_pop(c, saved);
    return scn_fail(c, obj, false, "missing key '%s'", key);
}

/* An absent key without a default in the table: required, or the caller's default. */
static bool absent(struct scn_ctx *c, const cJSON *obj, const struct scn_key *k, size_t saved)
{
    if (k->flags & SCN_REQUIRED)
        return missing(c, obj, k->key, saved);
    scn_path_pop(c, saved);
    return true;
}

/* The text of a string value, or a failure saying what was expected. */
static const char *text_of(struct scn_ctx *c, const cJSON *v, const char *expected)
{
    const char *s = scn_string_of(v);
    if (!s && cJSON_IsNumber(v))
        scn_fail(c, v, false, "expected %s (in double quotes, with its unit), not a number", expected);
    else if (!s)
        scn_fail(c, v, false, "expected %s, not %s", expected, scn_type_name(v));
    return s;
}

static bool is_zero(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble == 0;
}

bool scn_get_string(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, char **out)
{
    const struct scn_key *k = row(sec, key);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    bool ok = true;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v) {
        g_free(*out);
        *out = g_strdup(k->def);
    } else if (!scn_string_of(v)) {
        ok = scn_fail(c, v, false, "expected a string, not %s", scn_type_name(v));
    } else {
        g_free(*out);
        *out = g_strdup(scn_string_of(v));
    }
    scn_path_pop(c, saved);
    return ok;
}

/* "\"tcp\" or \"udp\"" of "tcp|udp". */
static void choice_list(const char *words, GString *out)
{
    char **w = g_strsplit(words, "|", -1);
    guint n = g_strv_length(w);
    for (guint i = 0; i < n; i++)
        g_string_append_printf(out, "%s\"%s\"", i == 0 ? "" : i + 1 == n ? " or " : ", ", w[i]);
    g_strfreev(w);
}

bool scn_get_choice(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, int *out)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_CHOICE);
    char *word = NULL;
    if (!scn_get_string(c, obj, sec, key, &word))
        return false;
    if (!word)
        return true;
    char **w = g_strsplit(k->sub, "|", -1);
    int found = -1;
    for (int i = 0; w[i] && found < 0; i++)
        if (strcmp(w[i], word) == 0)
            found = i;
    g_strfreev(w);
    if (found >= 0)
        *out = found;
    else {
        GString *list = g_string_new(NULL);
        choice_list(k->sub, list);
        scn_fail_key(c, obj, key, "unknown %s '%s' (expected %s)", k->why, word, list->str);
        g_string_free(list, TRUE);
    }
    g_free(word);
    return found >= 0;
}

/* An integer in [min, max] of v, or a failure saying so. */
bool scn_int_in(struct scn_ctx *c, const cJSON *v, long long min, long long max, long long *out)
{
    double d;
    if (!number_of(v, &d) || d != floor(d) || d < (double)min || d > (double)max)
        return scn_fail(c, v, false, "expected an integer from %lld to %lld%s%s", min, max,
                        number_of(v, &d) ? "" : ", not ", number_of(v, &d) ? "" : scn_type_name(v));
    *out = (long long)d;
    return true;
}

bool scn_get_int(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                 const char *key, long long *out)
{
    const struct scn_key *k = row(sec, key);
    g_assert(k->type == SCN_INT || k->type == SCN_PRIORITY || k->type == SCN_BYTES);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    bool ok = true;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v)
        *out = g_ascii_strtoll(k->def, NULL, 10);
    else
        ok = scn_int_in(c, v, k->min, k->max, out);
    scn_path_pop(c, saved);
    return ok;
}

bool scn_get_bool(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, bool *out)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_BOOL);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    bool ok = true;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v)
        *out = strcmp(k->def, "true") == 0;
    else if (cJSON_IsBool(v))
        *out = cJSON_IsTrue(v);
    else
        ok = scn_fail(c, v, false, "expected true or false, not %s", scn_type_name(v));
    scn_path_pop(c, saved);
    return ok;
}

/* For the unit getters: parse PARSE(text) of the value or of the table's default;
 * then CHECK(c, k, v, out) of a value given. */
#define UNIT_GETTER(NAME, TYPE, T, PARSE, ZERO_OK, EXPECT, CHECK)                               \
    bool NAME(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,               \
              const char *key, T *out)                                                          \
    {                                                                                           \
        const struct scn_key *k = scn_row_of(sec, key, TYPE);                                   \
        size_t saved;                                                                           \
        const cJSON *v = member(c, obj, key, &saved);                                           \
        char why[UNITS_WHY];                                                                    \
        bool ok = true;                                                                         \
        if (!v && !k->def)                                                                      \
            return absent(c, obj, k, saved);                                                    \
        if (!v) {                                                                               \
            ok = PARSE(k->def, out, why, sizeof why);                                           \
            g_assert(ok);                                                                       \
        } else if (ZERO_OK && is_zero(v)) {                                                     \
            *out = 0;                                                                           \
        } else {                                                                                \
            const char *s = text_of(c, v, EXPECT);                                              \
            ok = s && (PARSE(s, out, why, sizeof why) || scn_fail(c, v, false, "%s", why));     \
        }                                                                                       \
        ok = ok && (!v || CHECK(c, k, v, out));                                                 \
        scn_path_pop(c, saved);                                                                 \
        return ok;                                                                              \
    }

/* A scenario's durations (the run's length, event times, timeouts, latencies) are
 * added to each other and to the clock: at most SCN_DURATION_MAX, so that any two
 * add without overflow. A longer one is no run at all, however legal as a number. */
static bool run_duration(const char *s, sim_time_t *out, char *why, size_t n)
{
    if (!units_duration(s, out, why, n))
        return false;
    if (*out <= SCN_DURATION_MAX)
        return true;
    char max[32];
    snprintf(why, n, "duration \"%s\" is longer than a run can represent (at most %s)", s,
             units_format_duration(SCN_DURATION_MAX, max, sizeof max));
    return false;
}

/* A duration in the row's range (run_duration has held it to SCN_DURATION_MAX). */
static bool duration_in(struct scn_ctx *c, const struct scn_key *k, const cJSON *v,
                        const sim_time_t *t)
{
    if (*t >= k->min && *t <= k->max)
        return true;
    return scn_fail(c, v, false, "%s", k->why);
}

static bool any_value(struct scn_ctx *c, const struct scn_key *k, const cJSON *v, const void *out)
{
    (void)c, (void)k, (void)v, (void)out;
    return true;
}

UNIT_GETTER(scn_get_duration, SCN_DURATION, sim_time_t, run_duration, true,
            "a duration like \"50us\"", duration_in)
UNIT_GETTER(scn_get_bandwidth, SCN_BANDWIDTH, uint64_t, units_bandwidth, false,
            "a bandwidth like \"1Gbps\" or \"unlimited\"", any_value)
UNIT_GETTER(scn_get_rate, SCN_RATE, double, units_rate, false, "a rate like \"400/s\"", any_value)

bool scn_get_loss(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, double *out)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_LOSS);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    char why[UNITS_WHY];
    double d;
    bool ok = true;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v)
        *out = g_ascii_strtod(k->def, NULL);
    else if (number_of(v, &d)) {
        if (d < 0 || d > 1)
            ok = scn_fail(c, v, false, "expected a loss from 0 to 1 (or a percentage like \"1%%\")");
        else
            *out = d;
    } else if (cJSON_IsString(v)) {
        ok = units_loss_percent(v->valuestring, out, why, sizeof why) || scn_fail(c, v, false, "%s", why);
    } else {
        ok = scn_fail(c, v, false, "expected a loss like \"1%%\" or a number from 0 to 1, not %s",
                      scn_type_name(v));
    }
    scn_path_pop(c, saved);
    return ok;
}

bool scn_get_factor(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, double *out)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_FACTOR);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    double d;
    bool ok = true;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v)
        *out = g_ascii_strtod(k->def, NULL);
    else if (number_of(v, &d) && d > 0 && d <= (double)k->max)
        *out = d;
    else
        ok = scn_fail(c, v, false, "expected a factor: a number above 0 and at most %lld (5: five "
                      "times as long)", k->max);
    scn_path_pop(c, saved);
    return ok;
}

/* A size string ("100MB", "0"): read as a string, then as a size. */
static bool size_of(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                    const char *key, uint64_t *out)
{
    char *text = NULL;
    if (!scn_get_string(c, obj, sec, key, &text))
        return false;
    if (!text)
        return true;
    char why[UNITS_WHY];
    bool ok = units_size(text, out, why, sizeof why);
    g_free(text);
    if (!ok) {
        size_t at = scn_path_push_key(c, key);
        scn_fail(c, obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL, false, "%s", why);
        scn_path_pop(c, at);
    }
    return ok;
}

bool scn_get_size(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, uint64_t *out)
{
    scn_row_of(sec, key, SCN_SIZE);
    return size_of(c, obj, sec, key, out);
}

/* A byte count: a size string or a plain integer of bytes in the row's range. */
bool scn_get_bytes(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                   const char *key, uint64_t *out)
{
    scn_row_of(sec, key, SCN_BYTES);
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (v && (cJSON_IsNumber(v) || cJSON_IsRaw(v))) {
        long long n = 0;
        bool ok = scn_get_int(c, obj, sec, key, &n);
        *out = (uint64_t)n;
        return ok;
    }
    return size_of(c, obj, sec, key, out);
}

/* The values of a trace distribution, read from its file (relative to the
 * scenario's directory). A problem inside the file names the scenario's place and
 * the file's line ("SCENARIO:LINE:COL: KEY: TRACE:LINE: WHY"), never its content. */
static bool load_trace(struct scn_ctx *c, const cJSON *v, enum unit_kind kind, struct dist_spec *sp,
                       struct dist *out)
{
    char *path = g_path_is_absolute(sp->trace_file) || strcmp(c->dir, ".") == 0
                     ? g_strdup(sp->trace_file) : g_build_filename(c->dir, sp->trace_file, NULL);
    char why[UNITS_WHY];
    double *vals = NULL;
    uint32_t n = 0;
    int line;
    bool ok = units_read_trace(path, kind, sp->trace_scale, sp->arrival_times, &vals, &n, &line,
                               why, sizeof why);
    if (!ok && line == 0) {
        scn_fail(c, v, false, "%s", why);
    } else if (!ok) {
        /* both places: the scenario's value, then the line of the trace file */
        scn_fail(c, v, false, "%s:%d: %s", path, line, why);
    } else if (ok) {
        g_ptr_array_add(c->s->traces, vals);
        *out = sp->d;
        out->trace = vals;
        out->ntrace = n;
    }
    g_free(path);
    return ok;
}

static bool dist_from(struct scn_ctx *c, const cJSON *v, const char *text, enum unit_kind kind,
                      bool arrival, struct dist *out)
{
    struct dist_spec sp;
    char why[UNITS_WHY];
    bool ok = arrival ? units_arrival(text, &sp, why, sizeof why)
                      : units_dist(text, kind, &sp, why, sizeof why);
    if (!ok) {
        if (!v)
            g_error("bad default distribution '%s': %s", text, why);
        if (sp.err_at > 0)
            return fail_in_string(c, v, sp.err_at, "%s", why);
        return scn_fail(c, v, false, "%s", why);
    }
    if (sp.d.kind == DIST_TRACE) {
        ok = load_trace(c, v, kind, &sp, out);
        g_free(sp.trace_file);
        return ok;
    }
    *out = sp.d;
    return true;
}

bool scn_get_dist(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, struct dist *out)
{
    const struct scn_key *k = row(sec, key);
    g_assert(k->type == SCN_TIME_DIST || k->type == SCN_SIZE_DIST || k->type == SCN_ARRIVAL);
    bool arrival = k->type == SCN_ARRIVAL;
    enum unit_kind kind = k->type == SCN_SIZE_DIST ? UNIT_SIZE : UNIT_TIME;
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    bool ok;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v) {
        ok = dist_from(c, NULL, k->def, kind, arrival, out);
    } else if (is_zero(v) && !arrival) {
        *out = (struct dist){ .kind = DIST_CONST };
        ok = true;
    } else {
        const char *expected =
            arrival ? "an arrival like \"poisson(400/s)\""
            : kind == UNIT_TIME ? "a duration like \"10ms\" or a distribution like \"exp(10ms)\""
                                : "a size like \"20KB\" or a distribution like \"lognormal(20KB,1.0)\"";
        const char *s = text_of(c, v, expected);
        ok = s && dist_from(c, v, s, kind, arrival, out);
    }
    scn_path_pop(c, saved);
    return ok;
}

/* A failed address: where in the string the parser stopped (an IPv6 address's bad
 * character), else the whole value. */
static bool fail_addr(struct scn_ctx *c, const cJSON *v, size_t err_at, const char *why)
{
    if (err_at > 0)
        return fail_in_string(c, v, err_at, "%s", why);
    return scn_fail(c, v, false, "%s", why);
}

bool scn_get_addr(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, be32 *out)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_ADDR);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    char why[UNITS_WHY];
    size_t at = 0;
    bool ok = true;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v) {
        ok = units_ipv4(k->def, out);
    } else {
        const char *s = text_of(c, v, "an IPv4 address like \"192.0.2.1\"");
        ok = s && (units_inet(s, out, &at, why, sizeof why) || fail_addr(c, v, at, why));
    }
    scn_path_pop(c, saved);
    return ok;
}

bool scn_get_cidr(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, be32 *net, uint8_t *prefix)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_CIDR);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    char why[UNITS_WHY];
    size_t at = 0;
    bool ok;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v) {
        ok = units_cidr(k->def, net, prefix, why, sizeof why);
    } else {
        const char *s = text_of(c, v, "a network like \"198.51.100.0/24\"");
        ok = s && (units_inet_cidr(s, net, prefix, &at, why, sizeof why) ||
                   fail_addr(c, v, at, why));
    }
    scn_path_pop(c, saved);
    return ok;
}

bool scn_get_endpoint(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                      const char *key, be32 *addr, uint16_t *port)
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_ENDPOINT);
    size_t saved;
    const cJSON *v = member(c, obj, key, &saved);
    char why[UNITS_WHY];
    size_t at = 0;
    bool ok;
    if (!v && !k->def)
        return absent(c, obj, k, saved);
    if (!v) {
        ok = units_endpoint(k->def, addr, port, why, sizeof why);
    } else {
        const char *s = text_of(c, v, "an address and port like \"203.0.113.10:80\"");
        ok = s && (units_inet_endpoint(s, addr, port, &at, why, sizeof why) ||
                   fail_addr(c, v, at, why));
    }
    scn_path_pop(c, saved);
    return ok;
}

/* [a, b]: two integers in the row's range; the default is written "[3,50]". The
 * message is the caller's: what the pair means. */
bool scn_get_pair(struct scn_ctx *c, const cJSON *obj, const struct scn_section *sec,
                  const char *key, int out[2])
{
    const struct scn_key *k = scn_row_of(sec, key, SCN_PAIR);
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!v) {
        g_assert(k->def && sscanf(k->def, "[%d,%d]", &out[0], &out[1]) == 2);
        return true;
    }
    bool ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2;
    for (int i = 0; ok && i < 2; i++) {
        const cJSON *e = cJSON_GetArrayItem(v, i);
        double d = cJSON_IsNumber(e) ? e->valuedouble : -1;
        ok = cJSON_IsNumber(e) && d == (double)(int)d && d >= (double)k->min && d <= (double)k->max;
        out[i] = ok ? (int)d : 0;
    }
    return ok;
}

bool scn_line_of(struct scn_ctx *c, const cJSON *node, struct scn_line *out)
{
    if (!cJSON_IsString(node))
        return scn_fail(c, node, false, "expected a string, not %s", scn_type_name(node));
    struct scn_pos p = node_pos(c, node, false);
    if (p.set == 0)
        p.col++;                    /* past the opening quote */
    out->text = g_strdup(node->valuestring);
    out->pos = p;
    return true;
}
