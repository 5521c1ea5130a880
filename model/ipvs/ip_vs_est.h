/* The IPVS rate estimator (ip_vs_est.c) and the statistics as ipvsadm reads them.
 *
 * Every 2 s one host timer per netns walks every live stats object (the netns
 * total, each service, each dest still in a service) and folds the counters'
 * change into an exponentially weighted average with weight 1/4, in the kernel's
 * fixed point: conns and packets scaled by 2^10 per second, bytes by 2^5. The first
 * pass comes 2 s after IPVS starts before 6.2 (the estimation timer), 1.96 s after
 * the first service from 6.2 (the kthread's row 49; ip_vs_est.c says why). */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_EST_H
#define IPVSIM_MODEL_IPVS_IP_VS_EST_H

#include <stdint.h>
#include "model/ipvs/ip_vs.h"
#include "sim/time.h"

#define IP_VS_EST_PERIOD (2 * SEC)
/* 6.2+: the kthread's 2 s in IPVS_EST_NTICKS rows of IPVS_EST_TICK each */
#define IP_VS_EST_NTICKS 50
#define IP_VS_EST_TICK (IP_VS_EST_PERIOD / IP_VS_EST_NTICKS)

struct kernel_profile;

/* What ipvsadm is shown (struct ip_vs_kstats): counters since the last -Z, and
 * the decoded rates (per second). */
struct ip_vs_kstats {
    uint64_t conns, inpkts, outpkts, inbytes, outbytes;
    uint64_t cps, inpps, outpps, inbps, outbps;
};

/* Arm the estimator (idempotent); the control plane calls it when the first
 * service enables IPVS. The first pass comes ip_vs_est_first_delay later, then
 * one every IP_VS_EST_PERIOD. */
void ip_vs_est_start(struct netns_ipvs *ipvs);
sim_time_t ip_vs_est_first_delay(const struct kernel_profile *prof);
/* Cancel the timer (netns exit). */
void ip_vs_est_stop(struct netns_ipvs *ipvs);

/* One estimator step for one stats object (what the timer does to each): the
 * counters are read into kstats, then the rates move. */
void ip_vs_estimate(struct ip_vs_stats *s);

/* -Z: the counters a listing shows become the baseline (live ones in 2.6.34, the
 * last pass's kstats since per-CPU counters), the rates start again from 0
 * (ip_vs_zero_stats with ip_vs_zero_estimator). */
void ip_vs_zero_stats(const struct netns_ipvs *ipvs, struct ip_vs_stats *s);

/* The decoded rates: (r + 0x1FF) >> 10 for conns and packets, (r + 0xF) >> 5 for
 * bytes (ip_vs_read_estimator). */
void ip_vs_read_estimator(struct ip_vs_kstats *dst, const struct ip_vs_stats *s);
/* Counters minus the -Z baseline, with the rates (ip_vs_copy_stats): live counters
 * in 2.6.34; from 2.6.38 on, the estimator's last pass (kstats), so a listing
 * within 2 s of traffic does not show it yet. */
void ip_vs_copy_stats(const struct netns_ipvs *ipvs, struct ip_vs_kstats *dst,
                      const struct ip_vs_stats *s);

#endif
