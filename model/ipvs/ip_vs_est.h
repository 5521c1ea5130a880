/* The IPVS rate estimator (ip_vs_est.c) and the statistics as ipvsadm reads them.
 *
 * Every 2 s one host timer per netns walks every live stats object (the netns
 * total, each service, each dest still in a service) and folds the counters'
 * change into an exponentially weighted average with weight 1/4, in the kernel's
 * fixed point: conns and packets scaled by 2^10 per second, bytes by 2^5.
 * Facts: shared/reference/ipvs.md §8.1. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_EST_H
#define IPVSIM_MODEL_IPVS_IP_VS_EST_H

#include <stdint.h>
#include "model/ipvs/ip_vs.h"

#define IP_VS_EST_PERIOD (2 * SEC)

/* What ipvsadm is shown (struct ip_vs_kstats): counters since the last -Z, and
 * the decoded rates (per second). */
struct ip_vs_kstats {
    uint64_t conns, inpkts, outpkts, inbytes, outbytes;
    uint64_t cps, inpps, outpps, inbps, outbps;
};

/* Arm the 2 s timer (idempotent); the control plane calls it when the first
 * service enables IPVS. */
void ip_vs_est_start(struct netns_ipvs *ipvs);
/* Cancel the timer (netns exit). */
void ip_vs_est_stop(struct netns_ipvs *ipvs);

/* One estimator step for one stats object (what the timer does to each). */
void ip_vs_estimate(struct ip_vs_stats *s);

/* -Z: the current counters become the baseline, the rates start again from 0
 * (ip_vs_zero_stats with ip_vs_zero_estimator). */
void ip_vs_zero_stats(struct ip_vs_stats *s);

/* The decoded rates: (r + 0x1FF) >> 10 for conns and packets, (r + 0xF) >> 5 for
 * bytes (ip_vs_read_estimator). */
void ip_vs_read_estimator(struct ip_vs_kstats *dst, const struct ip_vs_stats *s);
/* Counters minus the -Z baseline, with the rates (ip_vs_copy_stats). */
void ip_vs_copy_stats(struct ip_vs_kstats *dst, const struct ip_vs_stats *s);

#endif
