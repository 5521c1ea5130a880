/* The conversation log: one record per client conversation, in start order. ipvsim's
 * own bookkeeping (connections.csv), no kernel file. */
#include <glib.h>
#include "model/apps/workload.h"

void conv_log_init(struct conv_log *log)
{
    log->convs = g_array_new(FALSE, TRUE, sizeof(struct conv));
    log->limit = 0;
    log->stop = NULL;
    log->refused = false;
}

void conv_log_free(struct conv_log *log)
{
    if (log->convs)
        g_array_free(log->convs, TRUE);
    log->convs = NULL;
}

struct conv *conv_new(struct conv_log *log)
{
    guint n = log->convs->len;
    g_array_set_size(log->convs, n + 1);
    struct conv *c = &g_array_index(log->convs, struct conv, n);
    c->server = -1;
    c->fwd = -1;
    c->outcome = CONV_RUNNING;
    if (log->limit && n + 1 >= log->limit && !log->refused) {
        log->refused = true;
        if (log->stop)
            *log->stop = true;
    }
    return c;
}

struct conv *conv_get(struct conv_log *log, uint64_t id)
{
    if (!log || !log->convs || id == 0 || id > log->convs->len)
        return NULL;
    return &g_array_index(log->convs, struct conv, id - 1);
}

uint64_t conv_id(const struct conv_log *log, const struct conv *c)
{
    return (uint64_t)(c - (const struct conv *)(const void *)log->convs->data) + 1;
}

const char *conv_outcome_name(enum conv_outcome o)
{
    switch (o) {
    case CONV_RUNNING: return "RUNNING";
    case CONV_OK: return "OK";
    case CONV_REFUSED: return "REFUSED";
    case CONV_RESET: return "RESET";
    case CONV_TIMEOUT: return "TIMEOUT";
    case CONV_UNREACHABLE: return "UNREACHABLE";
    case CONV_UNFINISHED: return "UNFINISHED";
    case CONV_ADDRNOTAVAIL: return "ADDRNOTAVAIL";
    }
    return "?";
}

void conv_log_close(struct conv_log *log, sim_time_t now)
{
    for (guint i = 0; i < log->convs->len; i++) {
        struct conv *c = &g_array_index(log->convs, struct conv, i);
        if (c->outcome == CONV_RUNNING) {
            c->outcome = CONV_UNFINISHED;
            c->end = now;
        }
    }
}

_Static_assert(sizeof(struct conv) == 88, "a conversation record is 88 bytes (workload.h)");
