/* Safe result directories: a run writes into a fresh temporary directory beside
 * the destination and renames it into place at the end, so an interrupted run never
 * leaves a half-written result that looks complete. An existing destination is
 * replaced only if it is an earlier ipvsim result (it holds the marker file). */
#ifndef IPVSIM_APP_OUTDIR_H
#define IPVSIM_APP_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#define OUTDIR_MARKER ".ipvsim-result"

struct outdir {
    char *final;                    /* where the result goes */
    char *tmp;                      /* where it is written meanwhile */
};

/* Check that final can be written (absent, or an earlier result) and create the
 * temporary directory with a pcap/ subfolder. On failure: false and a message. */
bool outdir_begin(struct outdir *o, const char *final, char *err, size_t errlen);
/* A path inside the temporary directory (g_free it). */
char *outdir_path(const struct outdir *o, const char *name);
/* Rewrite a message in place so it names files by where they would have gone (the
 * temporary directory is removed on failure): "DIR.tmp-Xy12/pcap/a.pcap" becomes
 * "DIR/pcap/a.pcap". */
void outdir_show_final(const struct outdir *o, char *msg);
/* Write the marker and rename into place. */
bool outdir_commit(struct outdir *o, char *err, size_t errlen);
/* Remove the temporary directory (on error paths). */
void outdir_abort(struct outdir *o);

#endif
