/* ipvsadm's listings and the kernel's /proc files, byte for byte (ipvsadm 1.31
 * with numeric output, i.e. -n): -L with --stats, --rate, --thresholds,
 * --persistent-conn, --tun-info, --exact and --nosort, --timeout, -c, -S (what
 * ipvsadm-save -n writes), /proc/net/ip_vs, /proc/net/ip_vs_stats and
 * /proc/net/ip_vs_conn. ipvs may be NULL (IPVS never loaded): empty tables.
 *
 * Services and dests are sorted as ipvsadm sorts them, with its comparators
 * (an int difference of u32 addresses: addresses more than 2^31 apart compare the
 * "wrong" way) and glibc's qsort (a stable top-down merge sort), so the order of a
 * non-transitive comparison is reproduced too. Formats: ipvsadm 1.31
 * (ipvsadm.c print_service_entry, list_conn) and ip_vs_ctl.c / ip_vs_conn.c seq_show. */
#ifndef IPVSIM_MODEL_USER_IPVSADM_IPVSADM_PRINT_H
#define IPVSIM_MODEL_USER_IPVSADM_IPVSADM_PRINT_H

#include <glib.h>
#include "model/ipvs/ip_vs.h"

#define IP_VS_VERSION_STRING "1.2.1"  /* IP_VS_VERSION_CODE 0x010201 */
#define IP_VS_CONN_TAB_SIZE 4096      /* 2^CONFIG_IP_VS_TAB_BITS (12) */

/* -L format flags (combine). */
enum {
    IPVSADM_FMT_STATS = 1 << 0,       /* --stats */
    IPVSADM_FMT_RATE = 1 << 1,        /* --rate */
    IPVSADM_FMT_THRESHOLDS = 1 << 2,  /* --thresholds */
    IPVSADM_FMT_PERSISTENTCONN = 1 << 3, /* --persistent-conn (with -c: PE columns) */
    IPVSADM_FMT_TUN_INFO = 1 << 4,    /* --tun-info */
    IPVSADM_FMT_EXACT = 1 << 5,       /* --exact */
    IPVSADM_FMT_NOSORT = 1 << 6,      /* --nosort */
};

/* ipvsadm -Ln [fmt] */
void ipvsadm_list(GString *out, const struct netns_ipvs *ipvs, unsigned fmt);
/* ipvsadm -Ln [fmt] -t|-u|-f SERVICE: one service, no version line; false (and
 * nothing written) when there is no such service ("No such service"). */
bool ipvsadm_list_service(GString *out, const struct ip_vs_service *svc, unsigned fmt);
/* ipvsadm -Sn (ipvsadm-save -n); only IPVSADM_FMT_NOSORT matters. */
void ipvsadm_save(GString *out, const struct netns_ipvs *ipvs, unsigned fmt);
/* ipvsadm -L --timeout */
void ipvsadm_list_timeout(GString *out, const struct netns_ipvs *ipvs);
/* ipvsadm -Lnc (IPVSADM_FMT_PERSISTENTCONN adds the PE columns, always empty
 * here): every connection, in the connection table's order. */
void ipvsadm_list_conns(GString *out, const struct netns_ipvs *ipvs, unsigned fmt);

/* /proc/net/ip_vs: services in the kernel's hash-bucket order (the netns pointer
 * the kernel mixes into the hash is taken as 0), dests in list order, the
 * persistence timeout in jiffies (IP_VS_HZ). */
void ip_vs_proc_info(GString *out, const struct netns_ipvs *ipvs);
/* /proc/net/ip_vs_stats */
void ip_vs_proc_stats(GString *out, const struct netns_ipvs *ipvs);
/* /proc/net/ip_vs_conn */
void ip_vs_proc_conn(GString *out, const struct netns_ipvs *ipvs);

/* ipvsadm's number column: %9llu below 10^8, else %8llu with K, M, G or T;
 * --exact: the full number right-aligned in max(9, digits + 1). */
void ipvsadm_print_largenum(GString *out, uint64_t n, unsigned fmt);

#endif
