/* What the two files of the ipvsadm line parser share: ipvsadm's option indices
 * and ipvsim's option tags, the option table's entry, the parse state, one option
 * as it was read, and the calls between the files. ipvsadm.c reads the line (the
 * words, the options, the command, the checks after the last option);
 * ipvsadm_options.c reads the values and does what each option asks. Applying a
 * command (ipvsadm_exec.c) and the rest of ipvsim see only ipvsadm.h. */
#ifndef IPVSIM_MODEL_USER_IPVSADM_IPVSADM_INTERNAL_H
#define IPVSIM_MODEL_USER_IPVSADM_IPVSADM_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "model/user/ipvsadm/ipvsadm.h"

#define MAX_TIMEOUT (86400 * 31)     /* ipvsadm's bound for -p and --set: 31 days */
#define MAX_TOKENS 64

/* ---- options: ipvsadm's option indices and the names its messages use --------------- */

enum {
    OPTC_NUMERIC, OPTC_CONNECTION, OPTC_SERVICE, OPTC_SCHEDULER, OPTC_PERSISTENT,
    OPTC_NETMASK, OPTC_SERVER, OPTC_FORWARD, OPTC_WEIGHT, OPTC_UTHRESHOLD, OPTC_LTHRESHOLD,
    OPTC_MCAST, OPTC_TIMEOUT, OPTC_DAEMON, OPTC_STATS, OPTC_RATE, OPTC_THRESHOLDS,
    OPTC_PERSISTENTCONN, OPTC_NOSORT, OPTC_SYNCID, OPTC_EXACT, OPTC_ONEPACKET, OPTC_PE,
    OPTC_SCHED_FLAGS, OPTC_MCAST_GROUP, OPTC_MCAST_PORT, OPTC_MCAST_TTL, OPTC_SYNC_MAXLEN,
    OPTC_TUN_INFO, OPTC_TUN_TYPE, OPTC_TUN_PORT, OPTC_TUN_NOCSUM, OPTC_TUN_CSUM,
    OPTC_TUN_REMCSUM, OPTC_LADDR, NUMBER_OF_OPT
};

/* The option names ipvsadm's messages use, by OPTC_ index (in ipvsadm.c). */
extern const char *const adm_optnames[NUMBER_OF_OPT];

#define OPT(c) (1ull << (c))

/* Option tags: a short option's letter, or one of these for long-only options. */
enum {
    TAG_SET = 128, TAG_START_DAEMON, TAG_STOP_DAEMON, TAG_MCAST_INTERFACE, TAG_TIMEOUT,
    TAG_DAEMON, TAG_STATS, TAG_RATE, TAG_THRESHOLDS, TAG_PERSISTENTCONN, TAG_SORT, TAG_NO_SORT,
    TAG_PERSISTENCE_ENGINE, TAG_SCTP_SERVICE, TAG_MCAST_GROUP, TAG_MCAST_PORT, TAG_MCAST_TTL,
    TAG_SYNC_MAXLEN, TAG_TUN_INFO, TAG_TUN_TYPE, TAG_TUN_PORT, TAG_TUN_NOCSUM, TAG_TUN_CSUM,
    TAG_TUN_REMCSUM, TAG_FULLNAT,
};

enum argkind { NOARG, REQARG, OPTARG };

/* One entry of the option table (opt_specs in ipvsadm.c). */
struct opt_spec {
    const char *lname;
    char sname;
    int tag;
    enum argkind arg;
};

/* ---- the parser's state -------------------------------------------------------------- */

struct token {
    char *s;                         /* NUL-terminated, inside the parser's copy */
    int col;                         /* 1-based */
};

struct parser {
    char *copy;
    struct token tok[MAX_TOKENS];
    int ntok, next;
    struct ipvsadm_cmd *cmd;
    struct ipvsadm_error *err;
    uint64_t options;
    int optcol[NUMBER_OF_OPT];
    int ctok, cpos;                  /* a cluster of short options being read ("-Ln") */
    bool no_more_options;            /* after "--" */
    struct token args[MAX_TOKENS];   /* leftovers, as popt keeps them */
    int nargs;
    const char *sched_flags;
    int sched_flags_col;
    const char *sched;               /* ipvsadm_parse_sched's scheduler, or NULL */
};

/* One option occurrence as popt hands it over. */
struct occurrence {
    const struct opt_spec *spec;
    const char *text;                /* the token, for messages */
    int col;                         /* where the option is */
    const char *value;               /* NULL: none */
    int valcol;
};

/* ---- ipvsadm.c ---- */

/* Sets the error (when there is somewhere to put it) at col; returns -1. */
int adm_fail(struct parser *p, int col, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* ---- ipvsadm_options.c ---- */

/* ipvsadm's string_to_number: the whole string in decimal, within [min, max], or -1. */
long adm_string_to_number(const char *s, long min, long max);
/* What one option (after the command) does to the command being built. */
int adm_handle_option(struct parser *p, const struct occurrence *o);

#endif
