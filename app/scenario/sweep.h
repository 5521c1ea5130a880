/* A sweep file (`ipvsim sweep SWEEP.json`): a base scenario, parameters as --set paths
 * each with a list of values, schedulers, seeds and the metrics to keep. The points
 * of the sweep are every combination of the parameters' values (the first parameter
 * varies slowest); each point runs under each scheduler on each seed. The format is
 * README's "Sweeps"; this loader checks its shape and says FILE:LINE:COL as the
 * scenario loader does. What depends on other modules (scheduler names, the seed list,
 * the metrics, whether each point's scenario loads) is checked by the command, which
 * places its messages with sweep_error_at. */
#ifndef IPVSIM_APP_SCENARIO_SWEEP_H
#define IPVSIM_APP_SCENARIO_SWEEP_H

#include <glib.h>
#include <stdbool.h>
#include "app/scenario/scenario.h"

struct sweep_param {
    char *path;                     /* the --set KEY */
    GPtrArray *values;              /* char *: each value as --set takes it (its JSON text) */
    GPtrArray *labels;              /* char *: as runs.csv shows it (a string without quotes) */
    GArray *pos;                    /* struct scn_pos of each value */
};

struct sweep {
    char *file;                     /* its path, as given */
    char *text;                     /* its bytes */
    size_t len;
    char *scenario;                 /* the base scenario: "scenario", relative to base_dir */
    struct scn_pos scenario_pos;
    GPtrArray *params;              /* struct sweep_param *, file order */
    GPtrArray *scheds;              /* char * */
    GArray *sched_pos;              /* struct scn_pos */
    int replications;               /* 0 when "seeds" is given */
    char *seeds;                    /* "seeds" ("1-20", "1,5,9") or NULL */
    struct scn_pos seeds_pos;       /* of "seeds" or "replications" */
    GPtrArray *metrics;             /* char *; NULL: the default list (the command's) */
    GArray *metric_pos;
    bool pcap;                      /* "pcap": true keeps the scenario's captures */
};

/* Load path; "scenario" is relative to base_dir (NULL: the sweep file's directory).
 * false with err filled in (FILE:LINE:COL: what was expected). */
bool sweep_load(struct sweep *sw, const char *path, const char *base_dir, struct scn_error *err);
void sweep_free(struct sweep *sw);

/* The number of points: the product of the parameters' value counts (1 without any). */
guint sweep_npoints(const struct sweep *sw);
/* The value index of parameter k at point p (the first parameter varies slowest). */
guint sweep_value_index(const struct sweep *sw, guint p, guint k);

/* Fill err with "FILE:LINE:COL: MESSAGE" at pos of the sweep file. */
void sweep_error_at(struct scn_error *err, const struct sweep *sw, struct scn_pos pos,
                    const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#endif
