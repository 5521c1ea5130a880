/* The traversal fingerprint: FNV-1a over a host's hook calls. */
#include "app/report/fingerprint.h"

#include <stdio.h>
#include <string.h>

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FP_FNV_PRIME;
    }
    return h;
}

static uint64_t fnv_u32le(uint64_t h, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    return fnv(h, b, 4);
}

/* Every other mark dropped: the ones left fall on multiples of twice the stretch. */
static void widen_marks(struct fp_sink *f)
{
    guint n = f->marks->len / 2;
    for (guint i = 0; i < n; i++)
        g_array_index(f->marks, uint16_t, i) = g_array_index(f->marks, uint16_t, 2 * i + 1);
    g_array_set_size(f->marks, n);
    f->every *= 2;
}

static void hash_call(struct fp_sink *f, const struct fp_call *c)
{
    if (f->every_fixed && f->calls % f->every == 0) {
        struct fp_call keep = *c;
        keep.func = g_intern_string(c->func ? c->func : "");   /* outlives a hook's unregistering */
        g_array_append_val(f->starts, keep);
    }
    uint8_t hook = (uint8_t)c->hook;
    uint64_t h = fnv(f->hash, &hook, 1);
    h = fnv_u32le(h, (uint32_t)c->priority);
    const char *name = c->func ? c->func : "";
    h = fnv(h, name, strlen(name) + 1);
    f->hash = fnv_u32le(h, c->verdict);
    f->calls++;
    if (f->calls % f->every == 0) {
        uint16_t m = (uint16_t)f->hash;
        g_array_append_val(f->marks, m);
        if (!f->every_fixed && f->marks->len > FP_MARKS_MAX)
            widen_marks(f);
    }
}

void fp_feed(struct fp_sink *f, const struct trace_event *ev)
{
    if (ev->kind == TRACE_HOOK_ENTER) {
        struct fp_call c = { .hook = ev->hook, .priority = ev->priority, .func = ev->func,
                             .time = ev->time, .pkt = ev->pkt, .flow = ev->flow };
        guint idx = f->queue->len;
        g_array_append_val(f->queue, c);
        g_array_append_val(f->open, idx);
        return;
    }
    if (ev->kind != TRACE_HOOK)
        return;
    if (f->open->len == 0) {        /* its start was not seen: count it now */
        struct fp_call c = { .hook = ev->hook, .priority = ev->priority, .func = ev->func,
                             .verdict = ev->verdict, .time = ev->time, .pkt = ev->pkt,
                             .flow = ev->flow };
        hash_call(f, &c);
        return;
    }
    guint idx = g_array_index(f->open, guint, f->open->len - 1);
    g_array_set_size(f->open, f->open->len - 1);
    g_array_index(f->queue, struct fp_call, idx).verdict = ev->verdict;
    /* Calls nest: when the outermost one returns, every call begun is complete. */
    if (f->open->len == 0) {
        for (guint i = 0; i < f->queue->len; i++)
            hash_call(f, &g_array_index(f->queue, struct fp_call, i));
        g_array_set_size(f->queue, 0);
    }
}

static void fp_emit(void *ctx, const struct trace_event *ev)
{
    fp_feed(ctx, ev);
}

void fp_sink_init(struct fp_sink *f)
{
    memset(f, 0, sizeof *f);
    f->hash = FP_FNV_OFFSET;
    f->queue = g_array_new(FALSE, FALSE, sizeof(struct fp_call));
    f->open = g_array_new(FALSE, FALSE, sizeof(guint));
    f->every = 1;
    f->marks = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    f->starts = g_array_new(FALSE, FALSE, sizeof(struct fp_call));
    f->sink.emit = fp_emit;
    f->sink.ctx = f;
}

void fp_sink_free(struct fp_sink *f)
{
    if (f->queue)
        g_array_free(f->queue, TRUE);
    if (f->open)
        g_array_free(f->open, TRUE);
    if (f->marks)
        g_array_free(f->marks, TRUE);
    if (f->starts)
        g_array_free(f->starts, TRUE);
    f->queue = f->open = f->marks = f->starts = NULL;
}

void fp_sink_pin_every(struct fp_sink *f, uint64_t every)
{
    f->every = every ? every : 1;
    f->every_fixed = true;
}

void fp_marks_format(const struct fp_sink *f, GString *out)
{
    for (guint i = 0; i < f->marks->len; i++)
        g_string_append_printf(out, "%s%04x", i ? " " : "", g_array_index(f->marks, uint16_t, i));
}

GArray *fp_marks_parse(const char *s)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    char **words = g_strsplit(s, " ", -1);
    bool ok = true;
    for (char **w = words; *w && ok; w++) {
        ok = strlen(*w) == 4 && strspn(*w, "0123456789abcdefABCDEF") == 4;
        uint16_t m = (uint16_t)g_ascii_strtoull(*w, NULL, 16);
        g_array_append_val(a, m);
    }
    g_strfreev(words);
    if (!ok || !*s) {
        g_array_free(a, TRUE);
        return NULL;
    }
    return a;
}

uint64_t fp_value(const struct fp_sink *f)
{
    return f->hash;
}

char *fp_format(uint64_t v, char *buf)
{
    snprintf(buf, 17, "%016llx", (unsigned long long)v);
    return buf;
}

bool fp_parse(const char *s, uint64_t *v)
{
    if (!s || strlen(s) != 16)
        return false;
    uint64_t x = 0;
    for (int i = 0; i < 16; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return false;
        x = x << 4 | (uint64_t)d;
    }
    *v = x;
    return true;
}
