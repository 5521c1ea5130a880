/* SIGINT and SIGTERM while a command runs scenarios (run, check, trace, compare):
 * the first one asks the event loop of the run under way to stop at the next event
 * boundary (it sets the watched sim->stop, app/run/run_limits.h), so the run ends
 * cleanly and the command reports it as stopped (run: results written and marked
 * partial, the pcap files closed as usual). A second one exits at once with status
 * 130, leaving at most a temporary directory. */
#ifndef IPVSIM_APP_RUN_SIGNALS_H
#define IPVSIM_APP_RUN_SIGNALS_H

#include <stdbool.h>

/* Catch SIGINT and SIGTERM until signals_restore (and forget any caught before).
 * Calls nest: inside an installation (check and compare around their runs, each
 * run's session inside) one more changes nothing and keeps what was caught; the
 * outermost signals_restore puts the old handlers back. */
void signals_install(void);
/* The flag the first signal sets (a running sim's stop), NULL for none; set at once
 * when a signal was caught already. */
void signals_watch(volatile bool *stop);
/* Put back what was there before (and forget the watched flag and the signal), at
 * the outermost level. */
void signals_restore(void);
/* The signal caught since signals_install (SIGINT or SIGTERM), or 0 (outside). */
int signals_caught(void);
/* "SIGINT", "SIGTERM" (or "signal N"). */
const char *signals_name(int signo);

#endif
