/* The scenario's limits and SIGINT/SIGTERM in every command that runs a scenario. */
#include "app/run/run_limits.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "app/scenario/scenario.h"
#include "app/run/signals.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/pcap_tap.h"

bool run_limits_args_ok(const char *cmd, char *const *limits)
{
    for (int i = 0; limits && limits[i]; i++) {
        const char *eq = strchr(limits[i], '=');
        if (!eq || !scenario_is_limit_key(limits[i], (size_t)(eq - limits[i]))) {
            fprintf(stderr, "ipvsim %s: --limit '%s': expected KEY=VALUE with KEY one of: "
                    RUN_LIMIT_KEYS "\n", cmd, limits[i]);
            return false;
        }
    }
    return true;
}

/* The connection table of one director; without a limit its IPVS state is left
 * as it is (not created for nothing). */
static void limit_connections(struct host *director, uint64_t limit)
{
    if (director && limit)
        ip_vs_conn_set_limit(ip_vs_net(host_net(director)), limit);
}

void run_limits_apply(struct run_world *rw)
{
    const struct scenario *s = rw->s;
    rw->w.sim.q.limit = s->limits.events;
    rw->w.pool.limit = s->limits.packets;
    rw->w.sim.rate_limit = s->limits.event_rate;
    rw->log.limit = s->limits.conversations;
    rw->log.stop = &rw->w.sim.stop;
    rw->output.left = s->limits.output_bytes ? s->limits.output_bytes : UINT64_MAX;
    rw->output.refused = false;
    rw->output.stop = &rw->w.sim.stop;
    limit_connections(rw->director, s->limits.connections);
    limit_connections(rw->backup, s->limits.connections);
    for (guint i = 0; i < rw->taps->len; i++) {
        struct net_device *dev = g_ptr_array_index(rw->taps, i);
        pcap_tap_set_limit(dev->tap, s->limits.capture_bytes);
        pcap_tap_set_budget(dev->tap, &rw->output.left);
    }
}

/* Why the run ended before its end, or NULL. */
static const char *stop_reason(const struct run_world *rw)
{
    if (signals_caught())
        return signals_name(signals_caught());
    if (rw->w.sim.q.refused)
        return "limits.events";
    if (rw->w.pool.refused)
        return "limits.packets";
    if (rw->w.sim.rate_refused)
        return "limits.event_rate";
    if (rw->log.refused)
        return "limits.conversations";
    if (rw->output.refused)
        return "limits.output_bytes";
    return NULL;
}

bool run_world_run(struct run_world *rw)
{
    signals_watch(&rw->w.sim.stop);
    if (!signals_caught())
        sim_run_until(&rw->w.sim, rw->s->duration);
    signals_watch(NULL);
    rw->stopped_by = stop_reason(rw);
    return rw->stopped_by == NULL;
}

static uint64_t limit_value(const struct scenario *s, const char *key)
{
    return strcmp(key, "events") == 0 ? s->limits.events
         : strcmp(key, "packets") == 0 ? s->limits.packets
         : strcmp(key, "event_rate") == 0 ? s->limits.event_rate
         : strcmp(key, "conversations") == 0 ? s->limits.conversations
         : s->limits.output_bytes;
}

char *run_stopped_text(const struct run_world *rw, const char **hint)
{
    const struct scenario *s = rw->s;
    double at = (double)rw->w.sim.now / SEC, of = (double)s->duration / SEC;
    *hint = "";
    if (!rw->stopped_by)
        return NULL;
    if (strncmp(rw->stopped_by, "limits.", 7) != 0)
        return g_strdup_printf("%s: stopped at %.6f s of %.6g s simulated", rw->stopped_by, at, of);
    static const struct {
        const char *key, *what, *hint;
    } limits[] = {
        { "events", "pending-event", "; raise it with --limit events=N" },
        { "packets", "packet-buffer", "; raise it with --limit packets=N" },
        { "event_rate", "events-per-simulated-second", "; raise it with --limit event_rate=N" },
        { "conversations", "conversation", "; raise it with --limit conversations=N" },
        { "output_bytes", "output-size (the trace with the captures)",
          "; raise it with --limit output_bytes=SIZE (e.g. 8GB)" },
    };
    const char *key = rw->stopped_by + 7;
    for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
        if (strcmp(key, limits[i].key) != 0)
            continue;
        *hint = limits[i].hint;
        return g_strdup_printf("the %s limit (%s = %llu) was reached at %.6f s of %.6g s "
                               "simulated: the run stopped", limits[i].what, rw->stopped_by,
                               (unsigned long long)limit_value(s, key), at, of);
    }
    return g_strdup_printf("%s: stopped at %.6f s of %.6g s simulated", rw->stopped_by, at, of);
}
