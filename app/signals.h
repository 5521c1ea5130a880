/* SIGINT and SIGTERM during a run: the first one asks the event loop to stop at the
 * next event boundary (it sets the run's sim->stop), so the run ends cleanly: its
 * results are written and marked partial, the pcap files are closed as usual. A
 * second one exits at once with status 130, leaving only the temporary directory. */
#ifndef IPVSIM_APP_SIGNALS_H
#define IPVSIM_APP_SIGNALS_H

#include <stdbool.h>

/* Catch SIGINT and SIGTERM until signals_restore; *stop is set on the first one. */
void signals_install(volatile bool *stop);
/* Put back what was there before (and forget stop). */
void signals_restore(void);
/* The signal caught since signals_install (SIGINT or SIGTERM), or 0. */
int signals_caught(void);
/* "SIGINT", "SIGTERM" (or "signal N"). */
const char *signals_name(int signo);

#endif
