/* One run of a scenario, the same in every command that runs one (run, check, trace,
 * compare): limits and signals apply in each, and each says the same about a run
 * that stopped early (README, "Limits" and "Interrupting a run").
 *
 *   run_session_load    the scenario with the command line's overrides (--set, --limit,
 *                       --kernel, --seed: cmdline_overrides), its warnings printed;
 *   run_session_open    the world built (with run_world_cfg's typed overrides and the
 *                       command line's capture points), the limits armed
 *                       (run_limits_apply), SIGINT/SIGTERM caught (app/run/signals.h);
 *                       the command then adds what it watches (a trace, expectations,
 *                       samples);
 *   run_session_run     the run to its end or to its stop, the conversation log
 *                       closed, and rs->stopped saying why it stopped early;
 *   run_session_close   the world torn down, the signals restored.
 *
 * A command that runs several scenarios (check) or one several times (compare)
 * installs the signal handlers around them too (signals_install nests), so that a
 * signal between two runs stops the next one before its first event. */
#ifndef IPVSIM_APP_RUN_SESSION_H
#define IPVSIM_APP_RUN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"

struct run_session_cfg {
    const char *cmd;                /* "run", "check", ...: the prefix of its messages */
    struct run_world_cfg world;     /* the scenario's capture directory, the scheduler */
    char *const *pcaps;             /* more capture points (--pcap "all" or HOST:IFACE),
                                     * NULL-terminated, or NULL; need world.pcap_dir */
};

struct run_session {
    const struct scenario *s;
    struct run_world rw;
    char *stopped;                  /* after run_session_run: why and where the run stopped
                                     * early (run_stopped_text), or NULL */
    const char *hint;               /* "; raise it with --limit KEY=N" after a limit, or "" */
    bool open;
};

/* The scenario at path with the overrides (NULL-terminated, or NULL): NULL with the
 * error printed (FILE:LINE:COL: ...; bad input); its warnings printed. stdout is
 * flushed first, so that these messages come after what a command printed before. */
struct scenario *run_session_load(const char *path, const char *const *overrides);

/* Build the world of s (which must outlive the session), add the capture points,
 * arm the limits, catch the signals. 0; 2, the message printed ("FILE:LINE:COL: ..."
 * or "ipvsim CMD: --pcap: ..."), for bad input; 1 when a capture file cannot be
 * created: why in err (a path the caller may show where it will be), nothing printed.
 * On failure nothing is left open (run_session_close does nothing). */
int run_session_open(struct run_session *rs, const struct scenario *s,
                     const struct run_session_cfg *cfg, char *err, size_t errlen);

/* Run to the scenario's end, or until a limit or a signal stops it; the conversation
 * log closed at the time reached. true when the run reached its end; else rs->stopped
 * and rs->hint say why. */
bool run_session_run(struct run_session *rs);

/* Tear the world down (the capture files closed), restore the signals, forget
 * rs->stopped. Does nothing on a session that is not open. */
void run_session_close(struct run_session *rs);

#endif
