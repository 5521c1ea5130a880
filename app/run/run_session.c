/* One run of a scenario: load, open, run, close. */
#include "app/run/run_session.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "app/run/run_limits.h"
#include "app/run/signals.h"

struct scenario *run_session_load(const char *path, const char *const *overrides)
{
    struct scn_error serr;
    fflush(stdout);
    struct scenario *s = scenario_load(path, overrides, &serr);
    if (!s)
        scn_error_print(&serr);
    else
        scenario_print_warnings(s);
    return s;
}

int run_session_open(struct run_session *rs, const struct scenario *s,
                     const struct run_session_cfg *cfg, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    rs->s = s;
    rs->hint = "";
    struct scn_error serr;
    if (!run_world_build_cfg(&rs->rw, s, &cfg->world, &serr)) {
        if (!serr.environment) {
            scn_error_print(&serr);
            return 2;
        }
        g_strlcpy(err, serr.msg, errlen);       /* a capture file could not be created */
        return 1;
    }
    for (int i = 0; cfg->pcaps && cfg->pcaps[i]; i++) {
        bool env = false;
        if (!run_world_capture(&rs->rw, cfg->pcaps[i], cfg->world.pcap_dir, err, errlen, &env)) {
            /* a point that names nothing is bad input; a file that cannot be created
             * is the environment's failure */
            if (!env)
                fprintf(stderr, "ipvsim %s: --pcap: %s\n", cfg->cmd, err);
            run_world_free(&rs->rw);
            return env ? 1 : 2;
        }
    }
    run_limits_apply(&rs->rw);
    signals_install();
    rs->open = true;
    return 0;
}

bool run_session_run(struct run_session *rs)
{
    bool complete = run_world_run(&rs->rw);
    conv_log_close(&rs->rw.log, rs->rw.w.sim.now);
    g_free(rs->stopped);
    rs->stopped = run_stopped_text(&rs->rw, &rs->hint);
    return complete;
}

void run_session_close(struct run_session *rs)
{
    if (!rs->open)
        return;
    run_world_free(&rs->rw);
    signals_restore();
    g_free(rs->stopped);
    rs->stopped = NULL;
    rs->hint = "";
    rs->open = false;
}
