/* What a scenario says that cannot work, found once its world is built: a client
 * group's target that is no VIP:port of an ipvs service and no server's address:port,
 * an ipvsadm dest that is no server, a dest port no server listens on. Warnings, not
 * errors: the run still does what the scenario says (README, "Warnings"). */
#ifndef IPVSIM_APP_RUN_RUN_LINT_H
#define IPVSIM_APP_RUN_RUN_LINT_H

#include <glib.h>
#include "app/run/run_world.h"

/* Append "FILE:LINE:COL: warning: WHAT: WHY" lines (no newline) to out. */
void run_world_lint(const struct run_world *rw, GPtrArray *out);

#endif
