/* SIGINT / SIGTERM: stop at a clean point, a second one exits at once. */
#include "app/run/signals.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

static volatile bool *volatile stop_flag;
static volatile sig_atomic_t caught;
static struct sigaction old_int, old_term;
static int depth;                   /* signals_install calls not yet restored */

static void on_signal(int signo)
{
    if (caught) {
        static const char msg[] = "\nipvsim: second signal: exiting at once\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
    caught = signo;
    if (stop_flag)
        *stop_flag = true;
    static const char msg[] = "\nipvsim: interrupted: stopping the run at the next event (again to "
                              "quit at once)\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
}

void signals_install(void)
{
    /* Nested (a command around its runs, each run's session): the outermost one
     * catches, so that a signal between two runs is kept for the next. */
    if (depth++ > 0)
        return;
    stop_flag = NULL;
    caught = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a write of the results interrupted by the second signal does not
     * matter (the handler exits), and nothing else blocks. */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

void signals_restore(void)
{
    if (depth == 0 || --depth > 0)
        return;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    stop_flag = NULL;
    caught = 0;
}

void signals_watch(volatile bool *stop)
{
    stop_flag = stop;
    if (stop && caught)
        *stop = true;
}

int signals_caught(void)
{
    return (int)caught;
}

const char *signals_name(int signo)
{
    switch (signo) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
    }
}
