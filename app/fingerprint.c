/* The traversal fingerprint: FNV-1a over a host's hook calls. */
#include "app/fingerprint.h"

#include <stdio.h>
#include <string.h>

struct fp_call {
    int hook, priority;
    const char *func;
    unsigned verdict;
};

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

static void hash_call(struct fp_sink *f, const struct fp_call *c)
{
    uint8_t hook = (uint8_t)c->hook;
    uint64_t h = fnv(f->hash, &hook, 1);
    h = fnv_u32le(h, (uint32_t)c->priority);
    const char *name = c->func ? c->func : "";
    h = fnv(h, name, strlen(name) + 1);
    f->hash = fnv_u32le(h, c->verdict);
    f->calls++;
}

void fp_feed(struct fp_sink *f, const struct trace_event *ev)
{
    if (ev->kind == TRACE_HOOK_ENTER) {
        struct fp_call c = { .hook = ev->hook, .priority = ev->priority, .func = ev->func };
        guint idx = f->queue->len;
        g_array_append_val(f->queue, c);
        g_array_append_val(f->open, idx);
        return;
    }
    if (ev->kind != TRACE_HOOK)
        return;
    if (f->open->len == 0) {        /* its start was not seen: count it now */
        struct fp_call c = { .hook = ev->hook, .priority = ev->priority, .func = ev->func,
                             .verdict = ev->verdict };
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
    f->sink.emit = fp_emit;
    f->sink.ctx = f;
}

void fp_sink_free(struct fp_sink *f)
{
    if (f->queue)
        g_array_free(f->queue, TRUE);
    if (f->open)
        g_array_free(f->open, TRUE);
    f->queue = f->open = NULL;
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
