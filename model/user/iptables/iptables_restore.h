/* A saved rule set (`iptables-save` or `iptables-save -c` output) as iptables-restore
 * reads it (iptables/iptables-restore.c, 1.8): comments and blank lines skipped, a
 * table opened by `*table`, its chains declared by `:CHAIN POLICY [pkts:bytes]` (a
 * user chain's policy is `-`), its rules as `-A CHAIN ...` with an optional
 * `[pkts:bytes]` prefix, and `COMMIT` closing it.
 *
 * The text becomes the iptables command lines restore's work amounts to, each for
 * iptables_apply: opening a table flushes it and deletes its user chains (restore
 * without --noflush), a built-in chain's declaration sets its policy (-P), a user
 * chain's creates it (-N), a rule line gains "-t TABLE". Counters are read and
 * left out, as iptables-restore without --counters leaves them: a simulated run
 * counts from zero. Each command keeps where its words stand in the text, so an
 * error of iptables_apply can point at the text's line and column. */
#ifndef IPVSIM_MODEL_USER_IPTABLES_IPTABLES_RESTORE_H
#define IPVSIM_MODEL_USER_IPTABLES_IPTABLES_RESTORE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include "model/user/iptables/iptables_parse.h"

struct xt_restore_cmd {
    char *line;                         /* an iptables command line ("-t nat -A ...") */
    unsigned lineno;                    /* its line in the text, 1-based */
    size_t at;                          /* where that line starts in the text */
    size_t head;                        /* line's first head bytes are not in the text */
    size_t skip;                        /* bytes of the text's line that come before what
                                         * follows head ("*" of "*nat", "[7:420] ") */
    size_t tail;                        /* line's last tail bytes are not in the text (the
                                         * " -F" of a table's flush): line[head + k] is
                                         * the text's line[skip + k] in between */
};

/* Whether text is iptables-save output: a line of it opens a table ('*'), which no
 * iptables command line does. */
bool iptables_restore_is_saved(const char *text);

/* Split text into the commands restore runs, appended to out (struct
 * xt_restore_cmd). Returns 0, or -1 with err filled in (offset: a byte of text). */
int iptables_restore_parse(const char *text, GArray *out, struct xt_error *err);

/* Free the lines of the commands in cmds (the array itself stays). */
void iptables_restore_clear(GArray *cmds);

/* The byte of the text an offset in cmd->line stands for (the start of what
 * follows the counters for an offset inside the added head). */
size_t iptables_restore_offset(const struct xt_restore_cmd *cmd, size_t off);

#endif
