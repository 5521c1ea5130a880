/* What the files of the iptables command-line parser share: the words of the line,
 * the parse state, and the calls between the line parser (iptables_parse.c), the
 * options (iptables_options.c) and the value parsers (iptables_values.c). The
 * extensions see only iptables_parse.h and xtables.h. */
#ifndef IPVSIM_MODEL_USER_IPTABLES_IPTABLES_PARSE_INTERNAL_H
#define IPVSIM_MODEL_USER_IPTABLES_IPTABLES_PARSE_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include "model/user/iptables/iptables_parse.h"
#include "model/user/iptables/xtables.h"

/* A word of the line, as tokenize() split it. */
struct xt_token {
    char *s;
    size_t off;                         /* where the word starts in the line */
};

/* A match on the rule being built, with what the option parser knows of it. */
struct loaded_match {
    const struct xtables_match *ext;    /* its userspace half */
    struct xt_entry_match m;            /* m.match: its kernel half */
    unsigned xflags;                    /* option ids seen */
    size_t off;                         /* the -m token (or the option that loaded it) */
    bool implicit;                      /* loaded by -p tcp and a tcp option */
};

/* Bits of the generic options, in iptables' order (for its messages). */
enum {
    OPT_NUMERIC = 1 << 0, OPT_SOURCE = 1 << 1, OPT_DESTINATION = 1 << 2,
    OPT_PROTOCOL = 1 << 3, OPT_JUMP = 1 << 4, OPT_VERBOSE = 1 << 5, OPT_EXPANDED = 1 << 6,
    OPT_VIANAMEIN = 1 << 7, OPT_VIANAMEOUT = 1 << 8, OPT_LINENUMBERS = 1 << 9,
    OPT_COUNTERS = 1 << 10, OPT_FRAGMENT = 1 << 11, NUMBER_OF_OPT = 12,
};
extern const char optflags[];                    /* their letters, in that order */

struct xt_parse {
    struct xt_error *err;
    GArray *toks;                       /* struct xt_token */
    unsigned pos;                       /* next token (getopt's optind) */
    size_t cur_off;                     /* the token an extension's error points at */
    struct xt_command *cmd;
    unsigned options;                   /* OPT_* */
    const char *protocol;
    const char *shost, *dhost;
    size_t shost_off, dhost_off, iface_off[2];
    GArray *matches;                    /* struct loaded_match */
    const struct xtables_target *target; /* -j's extension (not the standard one) */
    unsigned target_xflags;
    size_t policy_off;
};

/* One option as getopt returned it. */
struct opt_call {
    char c;
    const char *arg;                    /* NULL when none */
    size_t off, arg_off;                /* the option's word, its argument's */
    bool invert;
};

/* What a long option name resolved to. */
struct opt_ref {
    const struct core_opt *core;
    const struct xt_option_entry *ext;
    int match;                          /* index in p->matches, or -1 for the target */
};

/* ---- iptables_parse.c: the words and the errors ---- */

const struct xt_token *xt_tok(const struct xt_parse *p, unsigned i);
/* An error at off (a byte offset in the line); returns -1. */
int xt_perr_at(struct xt_parse *p, size_t off, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* xs_has_arg: the next word exists and is not an option or a "!". */
bool xt_has_arg(const struct xt_parse *p);

/* ---- iptables_options.c: what each option does ---- */

/* A generic option (-A, -s, -p, -j...) with its argument. */
int xt_opt_generic(struct xt_parse *p, const struct opt_call *o);
/* An extension's option, handed to the match or target that owns it. */
int xt_ext_option(struct xt_parse *p, const struct opt_ref *r, const struct opt_call *call);
/* Load the match of -p's protocol if no option has yet; true when it did. */
bool xt_load_proto(struct xt_parse *p, size_t off);

/* ---- iptables_values.c: values ---- */

/* A protocol number or name ("all" is 0). */
bool xt_parse_protocol(const char *s, uint16_t *out);
/* ip6tables' own names of ICMPv6 ("icmpv6", "ipv6-icmp"): false for iptables. */
bool xt_parse_protocol6(const struct xt_parse *p, const char *s, uint16_t *out);
/* -s and -d into the command's address lists (one rule per pair). */
int xt_parse_all_addresses(struct xt_parse *p);

#endif
