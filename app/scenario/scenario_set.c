/* --set KEY=VALUE: change the document before it is validated.
 *
 * KEY is a path of object keys and array indices: "seed", "clients.0.count",
 * "clients[0].count", "links.clients.latency", "sysctl.net.ipv4.vs.sloppy_tcp" (a key
 * that exists, dots and all, is matched whole; inside "sysctl" the rest is one key).
 * Missing objects on the way are created; an index may be one past the end (append).
 * VALUE is JSON when it parses as JSON (true, false, null, "text", [..], {..}),
 * otherwise the text itself. A bare number is kept as its text until the loader
 * knows what the key wants, so "kernel=5.10" stays "5.10" and "seed=7" is 7. */
#include "app/scenario/scenario_internal.h"

#include <stdio.h>
#include <string.h>

struct override {
    struct scn_ctx *c;
    int index;                      /* 1-based */
    const char *key;
};

static bool set_fail(const struct override *o, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool set_fail(const struct override *o, const char *fmt, ...)
{
    struct scn_ctx *c = o->c;
    if (c->failed)
        return false;
    c->failed = true;
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scn_error_at(c->err, c->s, (struct scn_pos){ .set = o->index }, "%s", msg);
    return false;
}

/* Mark node and everything under it as coming from this override. */
static void mark(const struct override *o, cJSON *node)
{
    struct scn_node_pos *np = g_new0(struct scn_node_pos, 1);
    np->key.set = np->val.set = o->index;
    g_hash_table_insert(o->c->s->positions, node, np);
    for (cJSON *ch = node->child; ch; ch = ch->next)
        mark(o, ch);
}

static void forget(GHashTable *pos, cJSON *node)
{
    for (cJSON *ch = node->child; ch; ch = ch->next)
        forget(pos, ch);
    g_hash_table_remove(pos, node);
}

static cJSON *value_of(const char *text)
{
    GHashTable *tmp = scn_json_pos_table();
    struct scn_pos epos;
    char msg[64];
    cJSON *v = scn_json_parse(text, strlen(text), tmp, &epos, msg, sizeof msg);
    g_hash_table_destroy(tmp);
    if (v && cJSON_IsNumber(v)) {
        cJSON_Delete(v);
        char *t = g_strstrip(g_strdup(text));
        v = cJSON_CreateRaw(t);
        g_free(t);
    } else if (!v) {
        v = cJSON_CreateString(text);
    }
    return v;
}

static bool is_end(char ch)
{
    return ch == '\0' || ch == '.' || ch == '[';
}

/* The next object key of rest: the longest existing key that rest starts with (so
 * keys with dots work), everything inside "sysctl", else up to the next '.' or '['. */
static size_t key_len(const cJSON *obj, const char *rest, bool whole)
{
    size_t best = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, obj) {
        size_t n = strlen(m->string);
        if (n > best && strncmp(rest, m->string, n) == 0 && is_end(rest[n]))
            best = n;
    }
    if (best)
        return best;
    if (whole)
        return strlen(rest);
    size_t n = 0;
    while (!is_end(rest[n]))
        n++;
    return n;
}

/* An index at rest ("3" or "[3]"); *len is how much it took. */
static bool index_of(const char *rest, long *idx, size_t *len)
{
    const char *p = rest;
    bool bracket = *p == '[';
    if (bracket)
        p++;
    if (!g_ascii_isdigit(*p))
        return false;
    char *end;
    *idx = strtol(p, &end, 10);
    if (bracket) {
        if (*end != ']')
            return false;
        end++;
    }
    if (!is_end(*end) || *idx > 1000000)
        return false;
    *len = (size_t)(end - rest);
    return true;
}

static void put(cJSON *parent, const char *key, long idx, cJSON *v)
{
    if (cJSON_IsArray(parent)) {
        if (idx < cJSON_GetArraySize(parent))
            cJSON_ReplaceItemInArray(parent, (int)idx, v);
        else
            cJSON_AddItemToArray(parent, v);
    } else if (cJSON_GetObjectItemCaseSensitive(parent, key)) {
        cJSON_ReplaceItemInObjectCaseSensitive(parent, key, v);
    } else {
        cJSON_AddItemToObject(parent, key, v);
    }
}

static bool apply_one(const struct override *o, cJSON *root, const char *value)
{
    const char *rest = o->key;
    cJSON *cur = root;
    GString *seen = g_string_new(NULL);         /* the path walked so far, for messages */
    bool ok = false, whole = false;
    for (;;) {
        char key[256] = "";
        long idx = -1;
        size_t len;
        if (cJSON_IsArray(cur)) {
            if (!index_of(rest, &idx, &len)) {
                set_fail(o, "'%s' is an array: expected an index", seen->len ? seen->str : "the document");
                break;
            }
            int size = cJSON_GetArraySize(cur);
            if (idx > size) {
                set_fail(o, "index %ld is past the end of '%s' (%d element%s)", idx, seen->str,
                         size, size == 1 ? "" : "s");
                break;
            }
        } else if (cJSON_IsObject(cur)) {
            if (*rest == '[' || *rest == '.') {
                set_fail(o, "'%s' is an object: expected a key", seen->len ? seen->str : "the document");
                break;
            }
            len = key_len(cur, rest, whole);
            if (len == 0 || len >= sizeof key) {
                set_fail(o, "expected KEY=VALUE with a key path like clients.0.count");
                break;
            }
            memcpy(key, rest, len);
            key[len] = '\0';
        } else {
            set_fail(o, "'%s' is not an object or an array", seen->str);
            break;
        }
        if (seen->len && *rest != '[')
            g_string_append_c(seen, '.');
        g_string_append_len(seen, rest, (gssize)len);
        rest += len;
        if (*rest == '.')
            rest++;
        if (*rest == '\0') {
            cJSON *old = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)idx)
                                            : cJSON_GetObjectItemCaseSensitive(cur, key);
            if (old)
                forget(o->c->s->positions, old);
            cJSON *v = value_of(value);
            mark(o, v);
            put(cur, key, idx, v);
            ok = true;
            break;
        }
        cJSON *next = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)idx)
                                         : cJSON_GetObjectItemCaseSensitive(cur, key);
        if (!next) {
            next = *rest == '[' ? cJSON_CreateArray() : cJSON_CreateObject();
            mark(o, next);
            put(cur, key, idx, next);
        }
        whole = cur == root && strcmp(key, "sysctl") == 0;
        cur = next;
    }
    g_string_free(seen, TRUE);
    return ok;
}

bool scn_apply_overrides(struct scn_ctx *c, cJSON *root, const char *const *overrides)
{
    if (!overrides)
        return true;
    for (int i = 0; overrides[i]; i++) {
        const char *eq = strchr(overrides[i], '=');
        char *key = eq ? g_strndup(overrides[i], (gsize)(eq - overrides[i])) : g_strdup(overrides[i]);
        g_ptr_array_add(c->s->set_keys, key);
        struct override o = { .c = c, .index = i + 1, .key = key };
        if (!eq || eq == overrides[i])
            return set_fail(&o, "expected KEY=VALUE, e.g. --set seed=7");
        if (!cJSON_IsObject(root))
            return set_fail(&o, "the document is not an object");
        if (!apply_one(&o, root, eq + 1))
            return false;
    }
    return true;
}
