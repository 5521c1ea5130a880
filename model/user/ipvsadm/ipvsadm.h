/* ipvsadm's command line, as a scenario's "ipvs" lines and "ipvsadm" events give
 * it: the ipvsadm-save syntax ("-A -t 10.0.0.1:80 -s rr"), with or without a
 * leading "ipvsadm". Options are read the way ipvsadm reads them with popt
 * (clustered short options "-At", attached values "-w5", "--weight=5", an
 * optional value for -p), checked in ipvsadm's order with ipvsadm's messages, and
 * applied through the control plane, whose errors become ipvsadm's messages
 * ("Service not defined", "Destination already exists", ...).
 *
 * Host names are not resolved: addresses must be numeric (inet_aton forms). Port
 * names from a small built-in table of well-known services are understood, so
 * that ipvsadm-save output without -n still reads. A failing line changes
 * nothing. Listing, save/restore and sync-daemon commands are not configuration
 * and are refused. (ipvsadm 1.31, ipvsadm.c parse_options.)
 *
 * FULLNAT, an ipvsim extra that mainline Linux and ipvsadm do not have (DPVS and
 * Alibaba's LVS do), takes DPVS's syntax: "-a ... -r RS:PORT --fullnat" makes a
 * FULLNAT dest; its connections take as source the service's local addresses,
 * round robin, added with "-P -t VIP:PORT -z LADDR" (--add-laddr, --laddr) and
 * removed with "-Q ... -z LADDR" (--del-laddr); a service without any uses the
 * director's source address for the route to the real server (its DIP). */
#ifndef IPVSIM_MODEL_USER_IPVSADM_IPVSADM_H
#define IPVSIM_MODEL_USER_IPVSADM_IPVSADM_H

#include <stdbool.h>
#include <glib.h>
#include "model/ipvs/ip_vs_ctl.h"

struct net;

struct ipvsadm_error {
    int column;                      /* 1-based byte column of the offending token */
    char message[256];
};

enum ipvsadm_command {
    IPVSADM_CMD_NONE,                /* a blank or comment line */
    IPVSADM_CMD_ADD,                 /* -A */
    IPVSADM_CMD_EDIT,                /* -E */
    IPVSADM_CMD_DEL,                 /* -D */
    IPVSADM_CMD_FLUSH,               /* -C */
    IPVSADM_CMD_ADDDEST,             /* -a */
    IPVSADM_CMD_DELDEST,             /* -d */
    IPVSADM_CMD_EDITDEST,            /* -e */
    IPVSADM_CMD_TIMEOUT,             /* --set */
    IPVSADM_CMD_ZERO,                /* -Z */
    IPVSADM_CMD_LIST,                /* -L / -l: a listing, in events only (it changes
                                        nothing, so ipvsadm_exec refuses it) */
    /* ipvsim extras for FULLNAT (NOT mainline ipvsadm; DPVS's syntax): */
    IPVSADM_CMD_ADDLADDR,            /* -P / --add-laddr -t|-u|--sctp-service|-f SVC -z ADDR */
    IPVSADM_CMD_DELLADDR,            /* -Q / --del-laddr ... -z ADDR */
};

/* A parsed line: what ipvsadm would send, with ipvsadm's defaults filled in (wlc,
 * weight 1, -g, -p 360, mask 255.255.255.255; a DR/TUN dest takes the service's
 * port), and where its parts were, for the control plane's errors. */
struct ipvsadm_cmd {
    enum ipvsadm_command cmd;
    struct ip_vs_service_user svc;
    struct ip_vs_dest_user dest;
    unsigned tcp_timeout, tcpfin_timeout, udp_timeout;     /* --set */
    be32 laddr;                                            /* -z (FULLNAT) */
    unsigned list_fmt;                                     /* -L: IPVSADM_FMT_* */
    bool list_conns, list_timeout;                         /* -L -c, -L --timeout */
    bool list_one;                                         /* -L with a service */
    int col_cmd, col_svc, col_sched, col_dest;             /* 1-based, 0: absent */
    int col_weight, col_uthresh, col_lthresh;
    int col_laddr;
    int col_sched_flags, col_ops;                          /* -b's value, -o */
};

/* Parse one line. 0 (IPVSADM_CMD_NONE for a blank line), or -1 with err set. */
int ipvsadm_parse(const char *line, struct ipvsadm_cmd *cmd, struct ipvsadm_error *err);
/* ipvsadm_parse, a -A or -E line read as if its -s said sched (NULL: as written):
 * the scheduler is a value set before the -b flags are checked against it, as
 * ipvsadm checks them (an `sh-port` with sched rr: "incompatible scheduler flag"). */
int ipvsadm_parse_sched(const char *line, const char *sched, struct ipvsadm_cmd *cmd,
                        struct ipvsadm_error *err);
/* Apply a parsed command to the host's IPVS (created on first use). */
int ipvsadm_exec(struct net *net, const struct ipvsadm_cmd *cmd, struct ipvsadm_error *err);
/* A parsed -L line's output, as ipvsadm -n prints it (listings are always
 * numeric). 0, or -1 with err set (a service that does not exist). */
int ipvsadm_list_cmd(GString *out, struct net *net, const struct ipvsadm_cmd *cmd,
                     struct ipvsadm_error *err);
/* Both. 0, or -1 with err set (err may be NULL). */
int ipvsadm_apply(struct net *net, const char *line, struct ipvsadm_error *err);

#endif
