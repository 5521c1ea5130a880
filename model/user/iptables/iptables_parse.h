/* iptables command lines: `iptables [-t table] -A chain rule-spec`, and the other
 * commands a scenario needs (-I -D -R -C -N -X -E -P -F -Z), in iptables' own
 * syntax and with its own error messages, each with the byte offset of the token at
 * fault so that a scenario loader can print file:line:column.
 *
 * A line is parsed completely, then checked against the tables as iptables and the
 * kernel would (chain exists, target allowed in that table and chain, no loops),
 * and only then applied: a line that fails changes nothing. Naming a table loads it
 * (registers its hooks), as `iptables -t nat` makes the kernel load iptable_nat.
 *
 * iptables_save prints the rules back in `iptables -S` form; parsing that output
 * gives the same tables again. */
#ifndef IPVSIM_MODEL_USER_IPTABLES_IPTABLES_PARSE_H
#define IPVSIM_MODEL_USER_IPTABLES_IPTABLES_PARSE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/netfilter/x_tables.h"

struct net;
struct xt_parse;

#define XT_ERRMSG_MAX 512

struct xt_error {
    char msg[XT_ERRMSG_MAX];            /* iptables' words where iptables has them */
    size_t offset;                      /* byte offset of the offending token in the line */
};

/* Apply one command line (with or without a leading "iptables"). A line whose first
 * word is "ip6tables" is ip6tables' (its syntax, messages and the IPv6 tables).
 * Returns 0, or -1 with err filled in and nothing changed. err may be NULL. */
int iptables_apply(struct net *net, const char *line, struct xt_error *err);
/* Is the line's first word ip6tables (or /sbin/ip6tables, ip6tables-legacy...)? */
bool iptables_line_is_ip6tables(const char *line);
/* The same for ip6tables, whatever the first word (an ip6tables-save text's lines). */
int ip6tables_apply(struct net *net, const char *line, struct xt_error *err);

/* Every loaded table, raw to security, as `iptables -t T -S` prints it, each line
 * prefixed with "-t T " so that it can be fed back to iptables_apply. */
void iptables_save(const struct net *net, GString *out);
/* The same for ip6tables' tables (`ip6tables -t T -S`). */
void ip6tables_save(const struct net *net, GString *out);
/* One table exactly as `iptables -t T -S` prints it; with counters as `-S -v`
 * does (" -c PKTS BYTES"). */
void iptables_save_table(const struct xt_table *t, GString *out, bool counters);
/* One rule, without the leading "-A CHAIN" (what -D takes). */
void iptables_save_rule(const struct ipt_entry *e, GString *out);

/* ---- for the extensions' parse and save functions -------------------------------- */

/* Report an error at the token being parsed (the option's argument, or the option).
 * Returns -1. */
int xt_parse_error(struct xt_parse *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The next argument when it is not an option (--tcp-flags takes two), else NULL. */
const char *xt_parse_next_arg(struct xt_parse *p);
/* The rule being built: -p and the other IP fields parsed so far. */
const struct ipt_entry *xt_parse_entry(const struct xt_parse *p);

/* A whole-string unsigned number in C syntax (0x.., 0..), within [min, max]. */
bool xt_strtoui(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* Is the rule being parsed ip6tables'? */
bool xt_parse_is_ipv6(const struct xt_parse *p);
/* A dotted IPv4 address; missing trailing parts are zeros ("10" is 10.0.0.0). */
bool xt_numeric_to_ipaddr(const char *s, be32 *out);
/* A port number or a service name of the built-in table ("ssh", "http"...). */
bool xt_parse_port(const char *s, uint16_t *out);
/* A value and optional mask "v[/m]" (mask ~0 when absent). */
bool xt_parse_val_mask(const char *s, uint32_t *val, uint32_t *mask);
/* Append " value", quoted and escaped when it holds more than [-_A-Za-z0-9]. */
void xt_save_string(GString *out, const char *s);
/* "tcp", "udp", "icmp"... or NULL for a protocol number without a name. */
const char *xt_proto_name(uint16_t proto);

/* ---- between the parser and libiptc (libiptc.c) ---------------------------------- */

enum {
    CMD_NONE = 0,
    CMD_INSERT = 1 << 0,
    CMD_DELETE = 1 << 1,
    CMD_DELETE_NUM = 1 << 2,
    CMD_REPLACE = 1 << 3,
    CMD_APPEND = 1 << 4,
    CMD_LIST = 1 << 5,
    CMD_FLUSH = 1 << 6,
    CMD_ZERO = 1 << 7,
    CMD_NEW_CHAIN = 1 << 8,
    CMD_DELETE_CHAIN = 1 << 9,
    CMD_SET_POLICY = 1 << 10,
    CMD_RENAME_CHAIN = 1 << 11,
    CMD_LIST_RULES = 1 << 12,
    CMD_ZERO_NUM = 1 << 13,
    CMD_CHECK = 1 << 14,
};

struct xt_addr {
    be32 addr, mask;
    struct in6_addr addr6, mask6;       /* ip6tables */
};

/* A parsed command line, ready to run. The rule template carries everything but
 * the addresses: -s a,b -d c makes one rule per (source, destination) pair, as
 * iptables does. */
struct xt_command {
    unsigned command;
    uint8_t af;                         /* NFPROTO_IPV4, or NFPROTO_IPV6 for ip6tables */
    enum xt_table_id table;
    const char *chain;                  /* NULL: every chain (-F, -Z, -X) */
    const char *arg2;                   /* the policy (-P) or the new name (-E) */
    unsigned rulenum;                   /* -I (default 1), -R, -D n, -Z n */
    struct ipt_entry rule;
    struct xt_addr *saddrs, *daddrs;
    unsigned nsaddrs, ndaddrs;
    const char *jumpto;                 /* -j/-g name not an extension: a chain */
    bool set_counters;                  /* -c given */
    /* where each part stands in the line, for error messages */
    size_t cmd_off, table_off, chain_off, arg2_off, rulenum_off, jump_off;
};

/* Run a parsed command against net's tables (libiptc's part and the kernel's
 * checks). Returns 0, or -1 with err set and nothing changed. */
int xt_do_command(struct net *net, struct xt_command *cmd, struct xt_error *err);

/* Fill err (when not NULL) and return -1. */
int xt_error_set(struct xt_error *err, size_t offset, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
