/* The IPVS rate estimator (ip_vs_est.c): one pass over every estimator each 2 s.
 * Kernels before 6.2 run it from one timer armed 2 s after IPVS starts; 6.2+ from
 * kthreads that walk 50 rows of 40 ms, where a new estimator goes into row 49, so
 * with the few estimators of a simulated director every pass comes 1.96 s after
 * the first service and every 2 s on (ip_vs_enqueue_estimator: its initial delay
 * of IPVS_EST_NTICKS - 1 rows from add_row, the row where the kthread started).
 * The arithmetic is the same in every era. */
#include "model/ipvs/ip_vs_est.h"

#include "model/net.h"
#include "model/profile.h"
#include "sim/sim.h"

/* One EWMA step: avg += (sample - avg) / 4, on signed 64-bit values with an
 * arithmetic shift, so a falling rate decays the way the kernel's does. */
static int64_t ewma_step(int64_t avg, uint64_t sample)
{
    return avg + (((int64_t)sample - avg) >> 2);
}

/* The change over the 2 s period, scaled: << 9 is 2^10 per second for a 2 s
 * delta, << 4 is 2^5 per second. */
static uint64_t scaled_delta(uint64_t now, uint64_t *last, unsigned shift)
{
    uint64_t d = now - *last;
    *last = now;
    return d << shift;
}

void ip_vs_estimate(struct ip_vs_stats *s)
{
    /* ip_vs_read_cpu_stats (3.x-6.1) or ip_vs_chain_estimation (6.2+): the per-CPU
     * counters summed into kstats; 2.6.34 reads its live ustats, the same numbers */
    s->kstats = s->c;
    const struct ip_vs_counters *k = &s->kstats;
    s->cps = ewma_step(s->cps, scaled_delta(k->conns, &s->last.conns, 9));
    s->inpps = ewma_step(s->inpps, scaled_delta(k->inpkts, &s->last.inpkts, 9));
    s->outpps = ewma_step(s->outpps, scaled_delta(k->outpkts, &s->last.outpkts, 9));
    s->inbps = ewma_step(s->inbps, scaled_delta(k->inbytes, &s->last.inbytes, 4));
    s->outbps = ewma_step(s->outbps, scaled_delta(k->outbytes, &s->last.outbytes, 4));
}

/* Every stats object that has a running estimator: the total, the services and
 * the dests still in a service (a dest in the trash has its estimator stopped). */
static void estimate_all(struct netns_ipvs *ipvs)
{
    ip_vs_estimate(&ipvs->tot_stats);
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        ip_vs_estimate(&svc->stats);
        struct ip_vs_dest *dest;
        list_for_each_entry(dest, &svc->destinations, n_list)
            ip_vs_estimate(&dest->stats);
    }
}

static void est_arm(struct netns_ipvs *ipvs, sim_time_t delay);

static void estimation_timer(struct sim *sim, void *obj, uint64_t arg)
{
    struct netns_ipvs *ipvs = obj;
    ipvs->est_timer = 0;
    estimate_all(ipvs);
    est_arm(ipvs, IP_VS_EST_PERIOD);
}

static void est_arm(struct netns_ipvs *ipvs, sim_time_t delay)
{
    struct host *h = ipvs->net->host;
    ipvs->est_timer = host_timer(h, host_now(h) + delay, estimation_timer, ipvs, 0);
}

sim_time_t ip_vs_est_first_delay(const struct kernel_profile *prof)
{
    return prof->ipvs_est_kthreads ? (IP_VS_EST_NTICKS - 1) * IP_VS_EST_TICK : IP_VS_EST_PERIOD;
}

void ip_vs_est_start(struct netns_ipvs *ipvs)
{
    if (!ipvs->est_timer)
        est_arm(ipvs, ip_vs_est_first_delay(ipvs->net->prof));
}

void ip_vs_est_stop(struct netns_ipvs *ipvs)
{
    if (ipvs->est_timer)
        sim_cancel(host_sim(ipvs->net->host), ipvs->est_timer);
    ipvs->est_timer = 0;
}

/* The counters a listing reads: the last pass's sum where packets count per CPU,
 * else the live ones. */
static const struct ip_vs_counters *shown(const struct netns_ipvs *ipvs, const struct ip_vs_stats *s)
{
    return ipvs->net->prof->ipvs_stats_percpu ? &s->kstats : &s->c;
}

void ip_vs_zero_stats(const struct netns_ipvs *ipvs, struct ip_vs_stats *s)
{
    /* 2.6.34 clears its live ustats and the estimator's last values; later kernels
     * take kstats as the zero point (kstats0) and as the estimator's last values
     * (ip_vs_zero_estimator): what came since the last pass shows after the next */
    s->zero = *shown(ipvs, s);
    s->last = s->zero;
    s->cps = s->inpps = s->outpps = s->inbps = s->outbps = 0;
}

/* Rounded decode of a fixed-point rate; a negative transient (not possible with
 * counters that only grow) would read as 0 rather than wrap. */
static uint64_t decode(int64_t r, int64_t round, unsigned shift)
{
    int64_t v = (r + round) >> shift;
    return v > 0 ? (uint64_t)v : 0;
}

void ip_vs_read_estimator(struct ip_vs_kstats *dst, const struct ip_vs_stats *s)
{
    dst->cps = decode(s->cps, 0x1FF, 10);
    dst->inpps = decode(s->inpps, 0x1FF, 10);
    dst->outpps = decode(s->outpps, 0x1FF, 10);
    dst->inbps = decode(s->inbps, 0xF, 5);
    dst->outbps = decode(s->outbps, 0xF, 5);
}

void ip_vs_copy_stats(const struct netns_ipvs *ipvs, struct ip_vs_kstats *dst,
                      const struct ip_vs_stats *s)
{
    const struct ip_vs_counters *c = shown(ipvs, s);
    dst->conns = c->conns - s->zero.conns;
    dst->inpkts = c->inpkts - s->zero.inpkts;
    dst->outpkts = c->outpkts - s->zero.outpkts;
    dst->inbytes = c->inbytes - s->zero.inbytes;
    dst->outbytes = c->outbytes - s->zero.outbytes;
    ip_vs_read_estimator(dst, s);
}
