/* Tasks in child processes (fork), their results through pipes, by task index. */
#include "app/run/run_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "app/run/signals.h"

struct child {
    pid_t pid;
    int fd;                         /* the read end of its pipe */
    guint task;
};

/* In the child: run the task, write its bytes, exit without the parent's atexit
 * handlers or stdio buffers (flushed before the fork). */
static void child_main(guint task, run_pool_fn fn, void *ctx, int fd)
{
    GByteArray *out = g_byte_array_new();
    int rc = fn(task, ctx, out);
    fflush(stdout);
    fflush(stderr);
    for (guint off = 0; off < out->len;) {
        ssize_t n = write(fd, out->data + off, out->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(126);
        off += (guint)n;
    }
    _exit(rc);
}

static bool start(struct child *c, guint task, run_pool_fn fn, void *ctx, const struct child *all,
                  guint nall, char *err, size_t errlen)
{
    int p[2];
    if (pipe(p) != 0) {
        snprintf(err, errlen, "cannot create a pipe for a run: %s", g_strerror(errno));
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start a run (fork): %s", g_strerror(errno));
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0) {
        close(p[0]);
        for (guint i = 0; i < nall; i++)        /* the other children's pipes */
            if (all[i].pid > 0)
                close(all[i].fd);
        child_main(task, fn, ctx, p[1]);
    }
    close(p[1]);
    *c = (struct child){ .pid = pid, .fd = p[0], .task = task };
    return true;
}

static void reap(struct child *c, struct run_pool_result *r)
{
    int st = 0;
    while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
        ;
    close(c->fd);
    r->done = true;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 126;
    c->pid = 0;
}

bool run_pool_map(guint ntasks, guint jobs, run_pool_fn fn, void *ctx,
                  struct run_pool_result *res, char *err, size_t errlen)
{
    jobs = jobs ? jobs : 1;
    memset(res, 0, ntasks * sizeof *res);
    struct child *kids = g_new0(struct child, jobs);
    struct pollfd *pfd = g_new0(struct pollfd, jobs);
    guint next = 0, running = 0;
    bool ok = true, stop = false, passed_on = false;
    while (running > 0 || (next < ntasks && ok && !stop)) {
        for (guint k = 0; k < jobs && next < ntasks && ok && !stop; k++) {
            if (kids[k].pid > 0)
                continue;
            res[next].bytes = g_byte_array_new();
            ok = start(&kids[k], next, fn, ctx, kids, jobs, err, errlen);
            if (ok) {
                next++;
                running++;
            }
        }
        if (running == 0)
            break;
        guint np = 0;
        guint which[jobs];
        for (guint k = 0; k < jobs; k++)
            if (kids[k].pid > 0) {
                pfd[np] = (struct pollfd){ .fd = kids[k].fd, .events = POLLIN };
                which[np++] = k;
            }
        if (poll(pfd, np, -1) < 0 && errno != EINTR) {
            snprintf(err, errlen, "waiting for the runs (poll): %s", g_strerror(errno));
            ok = false;
            stop = true;
        }
        for (guint i = 0; i < np; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct child *c = &kids[which[i]];
            guint8 buf[65536];
            ssize_t n = read(c->fd, buf, sizeof buf);
            if (n > 0) {
                g_byte_array_append(res[c->task].bytes, buf, (guint)n);
            } else if (n == 0 || errno != EINTR) {  /* the end of its result */
                reap(c, &res[c->task]);
                running--;
                if (res[c->task].status != 0)
                    stop = true;
            }
        }
        if (signals_caught() && !passed_on) {
            /* a terminal's ^C reached the children already; a kill of this process
             * alone did not */
            for (guint k = 0; k < jobs; k++)
                if (kids[k].pid > 0)
                    kill(kids[k].pid, SIGTERM);
            passed_on = stop = true;
        }
    }
    g_free(pfd);
    g_free(kids);
    return ok;
}

void run_pool_results_free(struct run_pool_result *res, guint ntasks)
{
    for (guint i = 0; i < ntasks; i++)
        if (res[i].bytes)
            g_byte_array_free(res[i].bytes, TRUE);
}

guint run_pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (guint)n : 1;
}
