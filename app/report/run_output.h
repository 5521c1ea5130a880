/* What a run writes: summary.json, connections.csv, timeseries.csv, ipvsadm.txt,
 * events.txt; the time series is sampled while the run goes. */
#ifndef IPVSIM_APP_REPORT_RUN_OUTPUT_H
#define IPVSIM_APP_REPORT_RUN_OUTPUT_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include "app/report/outdir.h"
#include "app/run/run_world.h"

/* One sample of one server. */
struct ts_sample {
    sim_time_t t;
    uint32_t server;
    int active, inactive;
    uint64_t new_conns;             /* scheduled to it during the interval */
    uint32_t queued, busy;
    uint64_t tx_bytes;              /* the server's eth0 during the interval */
};

struct run_sampler {
    struct run_world *rw;
    sim_time_t interval;
    GArray *samples;                /* struct ts_sample */
    uint64_t *last_conns, *last_tx; /* per server, at the previous sample */
};

/* Sample every interval from 0 to the end of the run. */
void run_sampler_start(struct run_sampler *rs, struct run_world *rw, sim_time_t interval);
void run_sampler_free(struct run_sampler *rs);

/* Write every file into o's temporary directory; false with a message on failure.
 * wall_s < 0 leaves wall time out (runs stay byte-identical). */
bool run_write_outputs(struct run_world *rw, const struct run_sampler *rs, const struct outdir *o,
                       double wall_s, bool complete, char *err, size_t errlen);

/* summary.json as a cJSON tree, without writing it (what `expect` metric entries
 * address); the caller deletes it. */
cJSON *run_summary_json(struct run_world *rw, double wall_s, bool complete);

/* The outcomes of a closed conversation log in a few words, for the closing line of
 * a run: "98.2% OK (p99 52.1 ms); 18 TIMEOUT, 2 UNFINISHED": the share that
 * completed (rounded down: 100% only when all did), the p99 response time of those,
 * then each other outcome that occurred, failures first, UNFINISHED last. "no
 * conversation" for an empty log. g_free the result. */
char *run_outcome_text(const struct conv_log *log);

#endif
