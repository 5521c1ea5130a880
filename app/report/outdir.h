/* Safe result directories: a run writes into a fresh temporary directory beside
 * the destination and renames it into place at the end, so an interrupted run never
 * leaves a half-written result that looks complete. An existing destination is
 * replaced only if it is an earlier ipvsim result (it holds the marker file) or an
 * empty directory. */
#ifndef IPVSIM_APP_REPORT_OUTDIR_H
#define IPVSIM_APP_REPORT_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#define OUTDIR_MARKER ".ipvsim-result"
/* A sweep's directory holds this one instead (ipvsim sweep: its runs are result dirs). */
#define OUTDIR_SWEEP_MARKER ".ipvsim-sweep"

struct outdir {
    char *final;                    /* where the result goes */
    char *tmp;                      /* where it is written meanwhile */
};

/* Check that dir can take the result (absent, an empty directory, or an earlier
 * result; a trailing slash is dropped) and create the temporary directory with a
 * pcap/ subfolder, before anything runs. Returns 0, or a message and the exit
 * status of the failure: 2 when dir is refused (someone else's file or directory,
 * an empty name), 1 when the file system fails (cannot create: read-only, full). */
int outdir_begin(struct outdir *o, const char *dir, char *err, size_t errlen);
/* A path inside the temporary directory (g_free it). */
char *outdir_path(const struct outdir *o, const char *name);
/* Write the file name (inside the temporary directory) with len bytes of text; on
 * failure false and a message naming the file and the error (err may be NULL). */
bool outdir_write(const struct outdir *o, const char *name, const char *text, size_t len,
                  char *err, size_t errlen);
/* Rewrite a message in place so it names files by where they would have gone (the
 * temporary directory is removed on failure): "DIR.tmp-Xy12/pcap/a.pcap" becomes
 * "DIR/pcap/a.pcap". */
void outdir_show_final(const struct outdir *o, char *msg);
/* Write the marker and rename into place. */
bool outdir_commit(struct outdir *o, char *err, size_t errlen);
/* Remove the temporary directory (on error paths). */
void outdir_abort(struct outdir *o);

#endif
