/* Safe result directories. */
#define _XOPEN_SOURCE 700
#include "app/report/outdir.h"

#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Remove a directory tree without following symbolic links. */
static int rm_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool is_earlier_result(const char *dir)
{
    char *marker = g_build_filename(dir, OUTDIR_MARKER, NULL);
    bool ok = g_file_test(marker, G_FILE_TEST_IS_REGULAR);
    g_free(marker);
    return ok;
}

/* A real directory (not a link to one) with nothing in it. */
static bool is_empty_dir(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    GDir *d = g_dir_open(path, 0, NULL);
    bool empty = d && !g_dir_read_name(d);
    if (d)
        g_dir_close(d);
    return empty;
}

/* May the result go to final? Absent, an empty directory or an earlier result; any
 * other thing there, a dangling symbolic link included (rename would fail on it at
 * the end of the run), is not ours to replace. */
static bool may_replace(const char *final)
{
    struct stat st;
    if (lstat(final, &st) != 0)
        return true;                /* absent, or unreadable: creating it will tell */
    return is_empty_dir(final) || is_earlier_result(final);
}

int outdir_begin(struct outdir *o, const char *dir, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    /* "DIR/" (as shell completion writes it) names DIR: rename() refuses the slash */
    char *final = g_strdup(dir);
    for (size_t n = strlen(final); n > 1 && final[n - 1] == '/'; n--)
        final[n - 1] = '\0';
    if (final[0] == '\0' || strcmp(final, "/") == 0) {
        snprintf(err, errlen, final[0] ? "/: cannot be a result directory"
                                       : "the result directory's name is empty");
        g_free(final);
        return 2;
    }
    if (!may_replace(final)) {
        snprintf(err, errlen, "%s: exists and is not an ipvsim result; refusing to replace it",
                 final);
        g_free(final);
        return 2;
    }
    /* From here on a failure is the file system's (read-only, full, no permission):
     * an environment failure, exit status 1. */
    char *parent = g_path_get_dirname(final);
    if (g_mkdir_with_parents(parent, 0755) != 0) {
        snprintf(err, errlen, "%s: cannot create: %s", parent, g_strerror(errno));
        g_free(parent);
        g_free(final);
        return 1;
    }
    g_free(parent);
    o->final = final;
    /* A fresh name: whatever else is there (an unrelated FINAL.tmp-... file, a
     * leftover of a run killed at once) is never touched. */
    o->tmp = g_strdup_printf("%s.tmp-XXXXXX", final);
    if (!g_mkdtemp_full(o->tmp, 0755)) {
        snprintf(err, errlen, "%s: cannot create: %s", o->final, g_strerror(errno));
        g_free(o->tmp);
        o->tmp = NULL;
        outdir_abort(o);
        return 1;
    }
    char *pcap = g_build_filename(o->tmp, "pcap", NULL);
    bool ok = g_mkdir(pcap, 0755) == 0;
    if (!ok)
        snprintf(err, errlen, "%s: cannot create: %s", pcap, g_strerror(errno));
    g_free(pcap);
    if (!ok)
        outdir_abort(o);            /* nothing is left behind */
    return ok ? 0 : 1;
}

char *outdir_path(const struct outdir *o, const char *name)
{
    return g_build_filename(o->tmp, name, NULL);
}

bool outdir_write(const struct outdir *o, const char *name, const char *text, size_t len,
                  char *err, size_t errlen)
{
    char *path = outdir_path(o, name);
    GError *gerr = NULL;
    bool ok = g_file_set_contents(path, text, (gssize)len, &gerr);
    if (!ok && err && errlen)
        snprintf(err, errlen, "%s", gerr->message);
    g_clear_error(&gerr);
    g_free(path);
    return ok;
}

void outdir_show_final(const struct outdir *o, char *msg)
{
    if (!o->tmp || !o->final)
        return;
    size_t lt = strlen(o->tmp), lf = strlen(o->final);
    for (char *at = strstr(msg, o->tmp); at; at = strstr(at + lf, o->tmp)) {
        memmove(at + lf, at + lt, strlen(at + lt) + 1);    /* the final name is shorter */
        memcpy(at, o->final, lf);
    }
}

bool outdir_commit(struct outdir *o, char *err, size_t errlen)
{
    char *marker = outdir_path(o, OUTDIR_MARKER);
    bool ok = g_file_set_contents(marker, "ipvsim\n", -1, NULL);
    g_free(marker);
    char *old = g_strdup_printf("%s.old-%ld", o->final, (long)getpid());
    bool had_old = ok && g_file_test(o->final, G_FILE_TEST_EXISTS);
    if (had_old && rename(o->final, old) != 0)
        ok = false;
    if (ok && rename(o->tmp, o->final) != 0) {
        ok = false;
        if (had_old)
            rename(old, o->final);  /* put the earlier result back */
    }
    if (!ok)
        snprintf(err, errlen, "%s: cannot move the result into place: %s", o->final,
                 g_strerror(errno));
    else if (had_old)
        rm_tree(old);
    g_free(old);
    if (ok) {
        g_free(o->tmp);
        o->tmp = NULL;
        g_free(o->final);
        o->final = NULL;
    }
    return ok;
}

void outdir_abort(struct outdir *o)
{
    if (o->tmp)
        rm_tree(o->tmp);
    g_free(o->tmp);
    g_free(o->final);
    memset(o, 0, sizeof *o);
}
