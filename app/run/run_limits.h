/* The scenario's limits and SIGINT/SIGTERM, the same in every command that runs a
 * scenario (run, check, trace, compare; README, "Robustness"):
 *
 *   --limit KEY=VALUE      is --set limits.KEY=VALUE (run_limits_args_ok checks KEY,
 *                          cmdline_overrides adds it after the --set ones);
 *   run_limits_apply       after run_world_build (run_session_open calls it for every
 *                          command, app/run/run_session.h): the event queue, the packet pool, the
 *                          conversation log and the events of one simulated second stop
 *                          the run when full, the IPVS connection table of the
 *                          director and of the backup (director.backup) refuse new
 *                          connections when full, each capture stops at its size and
 *                          all of them at rw->output (which a trace shares: it stops
 *                          the run);
 *   run_world_run          the run itself, stopped early by a limit or by the first
 *                          SIGINT/SIGTERM (when the command installed the handlers,
 *                          app/run/signals.h); rw->stopped_by says which;
 *   run_stopped_text       what to say about a run that stopped early.
 *
 * A run stopped early is never a success: run writes its results marked
 * "complete": false, check does not evaluate the expectations, trace says its trace
 * is partial, compare writes nothing; each exits 1. */
#ifndef IPVSIM_APP_RUN_RUN_LIMITS_H
#define IPVSIM_APP_RUN_RUN_LIMITS_H

#include <stdbool.h>
#include "app/run/run_world.h"

/* Every --limit argument is KEY=VALUE with a known KEY; false with the message
 * "ipvsim CMD: --limit '...': expected KEY=VALUE ..." printed. (A bad VALUE is
 * reported by scenario_load, as for --set.) */
bool run_limits_args_ok(const char *cmd, char *const *limits);

/* The keys of --limit, for help texts and messages. */
#define RUN_LIMIT_KEYS "connections, events, packets, capture_bytes, conversations, event_rate, " \
    "output_bytes"


/* Put the scenario's limits into the built world (before anything runs). */
void run_limits_apply(struct run_world *rw);

/* Run the world to the scenario's end, or until a limit or a signal stops it (a
 * signal caught before the call stops it before its first event). Sets
 * rw->stopped_by ("SIGINT", "SIGTERM", "limits.events", "limits.packets",
 * "limits.event_rate", "limits.conversations", "limits.output_bytes", or NULL);
 * true when the run reached its end. */
bool run_world_run(struct run_world *rw);

/* Why and where a run stopped early, NULL when it ran to its end (g_free it):
 *   "SIGINT: stopped at 1.250000 s of 3600 s simulated"
 *   "the pending-event limit (limits.events = 300) was reached at 0.020000 s of 5 s
 *    simulated: the run stopped"
 * and in hint, "; raise it with --limit events=N" after a limit, "" otherwise. */
char *run_stopped_text(const struct run_world *rw, const char **hint);

#endif
