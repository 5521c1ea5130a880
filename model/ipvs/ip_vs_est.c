/* The IPVS rate estimator (ip_vs_est.c): one 2 s timer per netns, as kernels
 * before 6.2 ran it (newer ones spread the same work over kthreads; the
 * arithmetic is unchanged). Facts: shared/reference/ipvs.md §8.1. */
#include "model/ipvs/ip_vs_est.h"

#include "model/net.h"
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
    s->cps = ewma_step(s->cps, scaled_delta(s->c.conns, &s->last.conns, 9));
    s->inpps = ewma_step(s->inpps, scaled_delta(s->c.inpkts, &s->last.inpkts, 9));
    s->outpps = ewma_step(s->outpps, scaled_delta(s->c.outpkts, &s->last.outpkts, 9));
    s->inbps = ewma_step(s->inbps, scaled_delta(s->c.inbytes, &s->last.inbytes, 4));
    s->outbps = ewma_step(s->outbps, scaled_delta(s->c.outbytes, &s->last.outbytes, 4));
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

static void estimation_timer(struct sim *sim, void *obj, uint64_t arg)
{
    struct netns_ipvs *ipvs = obj;
    ipvs->est_timer = 0;
    estimate_all(ipvs);
    ip_vs_est_start(ipvs);
}

void ip_vs_est_start(struct netns_ipvs *ipvs)
{
    if (ipvs->est_timer)
        return;
    struct host *h = ipvs->net->host;
    ipvs->est_timer = host_timer(h, host_now(h) + IP_VS_EST_PERIOD, estimation_timer, ipvs, 0);
}

void ip_vs_est_stop(struct netns_ipvs *ipvs)
{
    if (ipvs->est_timer)
        sim_cancel(host_sim(ipvs->net->host), ipvs->est_timer);
    ipvs->est_timer = 0;
}

void ip_vs_zero_stats(struct ip_vs_stats *s)
{
    s->zero = s->c;
    /* ip_vs_zero_estimator: the next tick measures from here, from a rate of 0 */
    s->last = s->c;
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

void ip_vs_copy_stats(struct ip_vs_kstats *dst, const struct ip_vs_stats *s)
{
    dst->conns = s->c.conns - s->zero.conns;
    dst->inpkts = s->c.inpkts - s->zero.inpkts;
    dst->outpkts = s->c.outpkts - s->zero.outpkts;
    dst->inbytes = s->c.inbytes - s->zero.inbytes;
    dst->outbytes = s->c.outbytes - s->zero.outbytes;
    ip_vs_read_estimator(dst, s);
}
