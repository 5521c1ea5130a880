/* A sweep file: its shape, read with the scenario's JSON parser so that every error
 * names FILE:LINE:COL (app/scenario/sweep.h). */
#include "app/scenario/scenario_internal.h"
#include "app/scenario/sweep.h"

#include <stdio.h>
#include <string.h>

#define SWEEP_MAX_REPLICATIONS 10000

struct sweep_ctx {
    struct sweep *sw;
    GHashTable *pos;
    struct scn_error *err;
    bool failed;
};

void sweep_error_at(struct scn_error *err, const struct sweep *sw, struct scn_pos pos,
                    const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    g_strlcpy(err->file, sw->file, sizeof err->file);
    err->pos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

static struct scn_pos pos_of(const struct sweep_ctx *c, const cJSON *node, bool key)
{
    const struct scn_node_pos *np = g_hash_table_lookup(c->pos, node);
    return np ? (key ? np->key : np->val) : (struct scn_pos){ .line = 1, .col = 1 };
}

static bool fail(struct sweep_ctx *c, const cJSON *node, bool key, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bool fail(struct sweep_ctx *c, const cJSON *node, bool key, const char *fmt, ...)
{
    if (c->failed)
        return false;
    c->failed = true;
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sweep_error_at(c->err, c->sw, pos_of(c, node, key), "%s", msg);
    return false;
}

static const char *const keys[] = { "comment", "scenario", "parameters", "schedulers",
                                    "replications", "seeds", "metrics", "pcap", NULL };

static bool known_key(const char *k)
{
    for (const char *const *p = keys; *p; p++)
        if (strcmp(*p, k) == 0)
            return true;
    return false;
}

/* A list of one or more strings, none twice, into names and their positions. */
static bool strings(struct sweep_ctx *c, const cJSON *arr, const char *key, GPtrArray **names,
                    GArray **pos)
{
    if (!cJSON_IsArray(arr) || !arr->child)
        return fail(c, arr, false, "%s: expected a non-empty array of strings", key);
    *names = g_ptr_array_new_with_free_func(g_free);
    *pos = g_array_new(FALSE, FALSE, sizeof(struct scn_pos));
    for (const cJSON *v = arr->child; v; v = v->next) {
        if (!cJSON_IsString(v) || !*v->valuestring)
            return fail(c, v, false, "%s: expected a non-empty string", key);
        for (guint i = 0; i < (*names)->len; i++)
            if (strcmp(g_ptr_array_index(*names, i), v->valuestring) == 0)
                return fail(c, v, false, "%s: '%s' is listed twice", key, v->valuestring);
        struct scn_pos p = pos_of(c, v, false);
        g_ptr_array_add(*names, g_strdup(v->valuestring));
        g_array_append_val(*pos, p);
    }
    return true;
}

static void param_free(gpointer p)
{
    struct sweep_param *sp = p;
    g_free(sp->path);
    g_ptr_array_free(sp->values, TRUE);
    g_ptr_array_free(sp->labels, TRUE);
    g_array_free(sp->pos, TRUE);
    g_free(sp);
}

/* "parameters": { "KEY": [v, ...], ... }: each value is given to --set as its JSON
 * text (a string quoted, so that "5.10" or "true" stays a string). */
static bool parameters(struct sweep_ctx *c, const cJSON *obj)
{
    if (!cJSON_IsObject(obj))
        return fail(c, obj, false, "parameters: expected an object of --set paths, each with an "
                    "array of values (e.g. {\"clients.0.arrival\": [\"poisson(100/s)\", "
                    "\"poisson(200/s)\"]})");
    for (const cJSON *m = obj->child; m; m = m->next) {
        if (!*m->string || strchr(m->string, '='))
            return fail(c, m, true, "parameters: expected a --set path (e.g. clients.0.count), "
                        "got '%s'", m->string);
        if (!cJSON_IsArray(m) || !m->child)
            return fail(c, m, false, "parameters: %s: expected a non-empty array of values",
                        m->string);
        struct sweep_param *sp = g_new0(struct sweep_param, 1);
        sp->path = g_strdup(m->string);
        sp->values = g_ptr_array_new_with_free_func(g_free);
        sp->labels = g_ptr_array_new_with_free_func(g_free);
        sp->pos = g_array_new(FALSE, FALSE, sizeof(struct scn_pos));
        g_ptr_array_add(c->sw->params, sp);
        for (const cJSON *v = m->child; v; v = v->next) {
            char *text = cJSON_PrintUnformatted(v);
            char *label = cJSON_IsString(v) ? g_strdup(v->valuestring) : g_strdup(text);
            for (guint i = 0; i < sp->labels->len; i++)
                if (strcmp(g_ptr_array_index(sp->labels, i), label) == 0) {
                    fail(c, v, false, "parameters: %s: the value %s is listed twice", m->string,
                         text);
                    g_free(label);
                    cJSON_free(text);
                    return false;
                }
            struct scn_pos p = pos_of(c, v, false);
            g_ptr_array_add(sp->values, g_strdup(text));
            g_ptr_array_add(sp->labels, label);
            g_array_append_val(sp->pos, p);
            cJSON_free(text);
        }
    }
    return true;
}

/* dir/file with "x/.." pairs and "." removed, without asking the file system (a
 * relative path stays relative: "scenarios/sweeps/../a.json" is "scenarios/a.json"). */
static char *join_lexical(const char *dir, const char *file)
{
    char *joined = g_build_filename(dir, file, NULL);
    char **parts = g_strsplit(joined, "/", -1);
    GPtrArray *keep = g_ptr_array_new();
    for (guint i = 0; parts[i]; i++) {
        const char *p = parts[i];
        if (strcmp(p, ".") == 0 || (*p == '\0' && i > 0))
            continue;
        if (strcmp(p, "..") == 0 && keep->len > 0 &&
            strcmp(g_ptr_array_index(keep, keep->len - 1), "..") != 0 &&
            *(const char *)g_ptr_array_index(keep, keep->len - 1) != '\0') {
            g_ptr_array_remove_index(keep, keep->len - 1);
            continue;
        }
        g_ptr_array_add(keep, (gpointer)p);
    }
    g_ptr_array_add(keep, NULL);
    char *out = keep->len > 1 ? g_strjoinv("/", (char **)keep->pdata) : g_strdup(".");
    if (*joined == '/' && *out != '/') {    /* "/a/../b": the root's empty part was kept */
        char *abs = g_strconcat("/", out, NULL);
        g_free(out);
        out = abs;
    }
    g_ptr_array_free(keep, TRUE);
    g_strfreev(parts);
    g_free(joined);
    return out;
}

static bool document(struct sweep_ctx *c, const cJSON *root, const char *base_dir)
{
    struct sweep *sw = c->sw;
    if (!cJSON_IsObject(root))
        return fail(c, root, false, "expected an object at the top of the sweep file");
    for (const cJSON *m = root->child; m; m = m->next)
        if (!known_key(m->string)) {
            GString *list = g_string_new(NULL);
            for (const char *const *p = keys; *p; p++)
                g_string_append_printf(list, "%s%s", list->len ? ", " : "", *p);
            fail(c, m, true, "unknown key '%s' (expected one of: %s)", m->string, list->str);
            g_string_free(list, TRUE);
            return false;
        }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    if (!v)
        return fail(c, root, false, "missing key 'scenario' (the base scenario file)");
    if (!cJSON_IsString(v) || !*v->valuestring)
        return fail(c, v, false, "scenario: expected the base scenario's file name");
    sw->scenario_pos = pos_of(c, v, false);
    sw->scenario = g_path_is_absolute(v->valuestring) ? g_strdup(v->valuestring)
                   : join_lexical(base_dir, v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(root, "parameters");
    if (v && !parameters(c, v))
        return false;
    v = cJSON_GetObjectItemCaseSensitive(root, "schedulers");
    if (!v)
        return fail(c, root, false, "missing key 'schedulers' (e.g. [\"wlc\", \"sed\"])");
    if (!strings(c, v, "schedulers", &sw->scheds, &sw->sched_pos))
        return false;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "replications");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    if (r && s)
        return fail(c, s, true, "'seeds' and 'replications': 'seeds' gives the seeds and so their "
                    "number; give one of them");
    if (!r && !s)
        return fail(c, root, false, "missing key 'replications' (seeds per run: the base "
                    "scenario's seed and the ones after it) or 'seeds' (e.g. \"1-20\")");
    if (r) {
        sw->seeds_pos = pos_of(c, r, false);
        if (!cJSON_IsNumber(r) || r->valuedouble != (double)(int)r->valuedouble ||
            r->valuedouble < 1 || r->valuedouble > SWEEP_MAX_REPLICATIONS)
            return fail(c, r, false, "replications: expected a number of seeds from 1 to %d",
                        SWEEP_MAX_REPLICATIONS);
        sw->replications = (int)r->valuedouble;
    } else {
        sw->seeds_pos = pos_of(c, s, false);
        if (!cJSON_IsString(s))
            return fail(c, s, false, "seeds: expected a string of seeds or ranges (e.g. \"1-20\" "
                        "or \"1,5,9\")");
        sw->seeds = g_strdup(s->valuestring);
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "metrics");
    if (v && !strings(c, v, "metrics", &sw->metrics, &sw->metric_pos))
        return false;
    v = cJSON_GetObjectItemCaseSensitive(root, "pcap");
    if (v && !cJSON_IsBool(v))
        return fail(c, v, false, "pcap: expected true or false");
    sw->pcap = v && cJSON_IsTrue(v);
    return true;
}

bool sweep_load(struct sweep *sw, const char *path, const char *base_dir, struct scn_error *err)
{
    memset(sw, 0, sizeof *sw);
    memset(err, 0, sizeof *err);
    sw->file = g_strdup(path);
    sw->params = g_ptr_array_new_with_free_func(param_free);
    char why[128];
    if (!units_read_file(path, &sw->text, &sw->len, why, sizeof why)) {
        g_strlcpy(err->file, path, sizeof err->file);
        snprintf(err->msg, sizeof err->msg, "cannot read the sweep file: %s", why);
        return false;
    }
    struct sweep_ctx c = { .sw = sw, .pos = scn_json_pos_table(), .err = err };
    struct scn_pos epos;
    char msg[sizeof err->msg];
    cJSON *root = scn_json_parse(sw->text, sw->len, c.pos, &epos, msg, sizeof msg);
    char *dir = base_dir ? g_strdup(base_dir) : g_path_get_dirname(path);
    bool ok;
    if (!root) {
        sweep_error_at(err, sw, epos, "%s", msg);
        ok = false;
    } else {
        ok = document(&c, root, dir);
    }
    g_free(dir);
    cJSON_Delete(root);
    g_hash_table_destroy(c.pos);
    return ok;
}

void sweep_free(struct sweep *sw)
{
    g_free(sw->file);
    g_free(sw->text);
    g_free(sw->scenario);
    if (sw->params)
        g_ptr_array_free(sw->params, TRUE);
    if (sw->scheds)
        g_ptr_array_free(sw->scheds, TRUE);
    if (sw->sched_pos)
        g_array_free(sw->sched_pos, TRUE);
    g_free(sw->seeds);
    if (sw->metrics)
        g_ptr_array_free(sw->metrics, TRUE);
    if (sw->metric_pos)
        g_array_free(sw->metric_pos, TRUE);
    memset(sw, 0, sizeof *sw);
}

guint sweep_npoints(const struct sweep *sw)
{
    guint n = 1;
    for (guint k = 0; k < sw->params->len; k++)
        n *= ((const struct sweep_param *)g_ptr_array_index(sw->params, k))->values->len;
    return n;
}

guint sweep_value_index(const struct sweep *sw, guint p, guint k)
{
    for (guint j = sw->params->len; j-- > k + 1;)
        p /= ((const struct sweep_param *)g_ptr_array_index(sw->params, j))->values->len;
    return p % ((const struct sweep_param *)g_ptr_array_index(sw->params, k))->values->len;
}
