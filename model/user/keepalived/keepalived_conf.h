/* keepalived.conf, read (keepalived 2.x grammar, keepalived/core/parser.c; the
 * older names nb_get_retry, lb_algo, lb_kind too): what ipvsim models of it, in
 * plain data, and a warning "FILE:LINE:COL: warning: ..." for every statement it
 * does not use (unknown keywords and keepalived features ipvsim does not model).
 *
 * The grammar: statements one per line, "keyword args..."; a block follows its
 * keyword in braces (the "{" on the keyword's line or the next); comments from "#"
 * or "!" at the start of a word to the end of the line; "..." quotes a word.
 * Refused (an error): include, parameters ($NAME=..., $NAME), conditional lines
 * (@id ...), sequences (~SEQ), IPv6 addresses, unbalanced braces.
 *
 * Read: virtual_server (IP PORT, fwmark N, group NAME) with virtual_server_group
 * (IP PORT, IP-LAST PORT ranges, fwmark N), lb_algo/lvs_sched, lb_kind/lvs_method,
 * protocol, persistence_timeout, persistence_granularity, delay_loop, alpha, omega,
 * quorum, hysteresis, inhibit_on_failure, sorry_server, sorry_server_inhibit,
 * sorry_server_lvs_method, and the checkers' defaults (retry, delay_before_retry,
 * connect_timeout) at virtual and real server level; real_server IP [PORT] with
 * weight, uthreshold, lthreshold, inhibit_on_failure and its checkers TCP_CHECK,
 * HTTP_GET, SSL_GET (url: path, status_code, digest), MISC_CHECK (misc_path,
 * misc_dynamic, misc_timeout) with connect_ip, connect_port, connect_timeout, retry
 * (nb_get_retry), delay_before_retry, delay_loop; vrrp_instance (state, priority,
 * advert_int, nopreempt, virtual_router_id, virtual_ipaddress); global_defs'
 * lvs_sync_daemon (and the older lvs_sync_daemon_interface). */
#ifndef IPVSIM_MODEL_USER_KEEPALIVED_KEEPALIVED_CONF_H
#define IPVSIM_MODEL_USER_KEEPALIVED_KEEPALIVED_CONF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"

struct kconf_pos {
    int line, col;                  /* 1-based; columns in bytes */
};

struct kconf_error {
    struct kconf_pos pos;
    char msg[256];
};

enum kconf_check_type { KCONF_TCP_CHECK, KCONF_HTTP_GET, KCONF_SSL_GET, KCONF_MISC_CHECK };

struct kconf_url {
    char *path;
    char *status_code;              /* as written ("200 300-399"); NULL: not given */
    bool digest;                    /* given (the model serves no content) */
};

/* Times in seconds (keepalived takes decimals); < 0: not given. Counts -1: not given. */
struct kconf_check {
    enum kconf_check_type type;
    struct kconf_pos pos;
    double delay_loop, connect_timeout, delay_before_retry;
    long retry;
    be32 connect_ip;                /* 0: not given */
    int connect_port;               /* 0: not given */
    GArray *urls;                   /* struct kconf_url */
    char *misc_path;
    bool misc_dynamic;
};

struct kconf_rs {
    struct kconf_pos pos;
    be32 addr;
    int port;                       /* 0: none given */
    long weight;                    /* default 1 */
    long uthreshold, lthreshold;    /* -1: not given */
    int inhibit;                    /* -1: not given (the service's) */
    double connect_timeout, delay_before_retry, delay_loop;    /* its checkers' defaults */
    long retry;
    GArray *checks;                 /* struct kconf_check */
};

/* One service address: IP PORT, or a firewall mark. */
struct kconf_vs_addr {
    be32 addr;
    int port;
    uint32_t fwmark;
};

enum kconf_fwd { KCONF_FWD_UNSET = -1, KCONF_NAT, KCONF_DR, KCONF_TUN };

struct kconf_vs {
    struct kconf_pos pos;
    GArray *addrs;                  /* struct kconf_vs_addr: one, or its group's */
    char *group;                    /* virtual_server group NAME; NULL otherwise */
    char *sched;                    /* NULL: not given */
    struct kconf_pos sched_pos;
    int fwd;                        /* enum kconf_fwd */
    int protocol;                   /* IPPROTO_TCP (default), IPPROTO_UDP, IPPROTO_SCTP */
    long persistence_timeout;       /* -1: not given */
    be32 persistence_granularity;   /* 0: not given */
    double delay_loop, connect_timeout, delay_before_retry;
    long retry;
    bool alpha, omega;
    long quorum, hysteresis;        /* -1: not given */
    int inhibit;                    /* -1: not given */
    bool has_sorry;
    be32 sorry_addr;
    int sorry_port;
    int sorry_fwd;                  /* enum kconf_fwd */
    bool sorry_inhibit;
    GArray *rs;                     /* struct kconf_rs */
};

struct kconf_vrrp {
    struct kconf_pos pos;
    char *name;
    bool backup;                    /* state BACKUP */
    int priority;                   /* -1: not given */
    int vrid;                       /* -1: not given */
    double advert_int;              /* < 0: not given */
    bool nopreempt;
    GArray *vips;                   /* be32 */
};

struct kconf {
    GArray *vs;                     /* struct kconf_vs, in file order */
    GArray *vrrp;                   /* struct kconf_vrrp */
    bool sync_daemon;               /* global_defs lvs_sync_daemon */
    int syncid;                     /* its id; -1: not given */
    GPtrArray *warnings;            /* "FILE:LINE:COL: warning: ...", in file order */
};

/* Parse len bytes of text (file names the messages). NULL and *err on an error. */
struct kconf *kconf_parse(const char *file, const char *text, size_t len, struct kconf_error *err);
void kconf_free(struct kconf *k);

#endif
