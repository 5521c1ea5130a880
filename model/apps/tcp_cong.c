/* Congestion control of the endpoint TCP: the two algorithms a host may select with
 * net.ipv4.tcp_congestion_control (Reno and CUBIC, the default), the window reduction
 * of fast recovery (PRR), the window after an RTO and after an idle period. Windows
 * count segments, as Linux's snd_cwnd does. Kernel (6.1): net/ipv4/tcp_cong.c,
 * tcp_cubic.c, tcp_input.c (tcp_cwnd_reduction, tcp_end_cwnd_reduction,
 * tcp_enter_recovery, tcp_enter_loss), tcp_output.c (tcp_cwnd_restart).
 *
 * Left out: HyStart (CUBIC's slow-start exit on delay increase or ACK trains: slow
 * start ends at the first loss, as with hystart=0), undo of a spurious reduction
 * (D-SACK, timestamps: tcp_try_undo_*), ECN and the CWR state, pacing. */
#include "model/apps/tcp_conn_internal.h"

#include <string.h>
#include "model/net.h"

/* ---- Reno: net/ipv4/tcp_cong.c -------------------------------------------------------- */

static bool in_slow_start(const struct tcp_conn *c)
{
    return c->snd_cwnd < c->snd_ssthresh;
}

/* tcp_slow_start: one segment per segment acknowledged, up to ssthresh; returns the
 * segments acknowledged beyond it (they go to congestion avoidance). */
uint32_t tcp_slow_start(struct tcp_conn *c, uint32_t acked)
{
    uint32_t cwnd = MIN(c->snd_cwnd + acked, c->snd_ssthresh);
    acked -= cwnd - c->snd_cwnd;
    c->snd_cwnd = cwnd;
    return acked;
}

/* tcp_cong_avoid_ai: one segment more per w segments acknowledged. */
void tcp_cong_avoid_ai(struct tcp_conn *c, uint32_t w, uint32_t acked)
{
    if (c->snd_cwnd_cnt >= w) {
        c->snd_cwnd_cnt = 0;
        c->snd_cwnd++;
    }
    c->snd_cwnd_cnt += acked;
    if (c->snd_cwnd_cnt >= w) {
        uint32_t delta = c->snd_cwnd_cnt / w;
        c->snd_cwnd_cnt -= delta * w;
        c->snd_cwnd += delta;
    }
}

/* tcp_reno_ssthresh: half the window, at least 2. */
static uint32_t reno_ssthresh(const struct tcp_conn *c)
{
    return MAX(c->snd_cwnd >> 1, 2u);
}

/* ---- CUBIC: net/ipv4/tcp_cubic.c ---------------------------------------------------------- */

#define BICTCP_BETA_SCALE 1024
#define BICTCP_HZ         10          /* time in units of 1/1024 s */
#define CUBIC_BETA        717         /* beta = 0.7 */
#define CUBIC_BIC_SCALE   41          /* C = 0.4 */
#define CUBIC_HZ          1000        /* the model's jiffies are milliseconds */
/* cubictcp_register's constants: beta_scale = 8 (1 + beta) / 3 / (1 - beta), the
 * Reno-equivalent growth; cube_rtt_scale = C in units of 2^-10; cube_factor = 2^40 / C. */
#define CUBIC_BETA_SCALE  (8 * (BICTCP_BETA_SCALE + CUBIC_BETA) / 3 / (BICTCP_BETA_SCALE - CUBIC_BETA))
#define CUBE_RTT_SCALE    (CUBIC_BIC_SCALE * 10)
#define CUBE_FACTOR       ((1ull << (10 + 3 * BICTCP_HZ)) / CUBE_RTT_SCALE)

static uint32_t now_ms(const struct tcp_conn *c)
{
    return (uint32_t)(net_now(c->st->net) / MSEC);
}

/* The integer cube root of a (cubic_root approximates it with a table and one Newton
 * step; the exact root differs from it by well under 1%). */
uint32_t tcp_cubic_root(uint64_t a)
{
    uint64_t lo = 0, hi = 2642245;         /* the cube root of 2^64 - 1 */
    while (lo < hi) {
        uint64_t mid = (lo + hi + 1) / 2;
        if (mid * mid * mid <= a)
            lo = mid;
        else
            hi = mid - 1;
    }
    return (uint32_t)lo;
}

/* bictcp_reset: a new start (after an RTO). */
static void bictcp_reset(struct bictcp *ca)
{
    memset(ca, 0, sizeof *ca);
}

/* bictcp_update: the window increment (ca->cnt: segments acknowledged per increment)
 * that follows W(t) = C (t - K)^3 + W_max, t counted from the epoch's start plus the
 * minimum RTT, bounded below by the Reno-equivalent window (the TCP-friendly region)
 * and above by 1.5x per RTT. */
static void bictcp_update(struct tcp_conn *c, uint32_t cwnd, uint32_t acked)
{
    struct bictcp *ca = &c->cubic;
    uint32_t now = now_ms(c);
    ca->ack_cnt += acked;
    if (ca->last_cwnd == cwnd && (int32_t)(now - ca->last_time) <= CUBIC_HZ / 32)
        return;
    if (!(ca->epoch_start && now == ca->last_time)) {  /* at most once a jiffy */
        ca->last_cwnd = cwnd;
        ca->last_time = now;
        if (ca->epoch_start == 0) {
            ca->epoch_start = now ? now : 1;
            ca->ack_cnt = acked;
            ca->tcp_cwnd = cwnd;
            if (ca->last_max_cwnd <= cwnd) {
                ca->bic_K = 0;
                ca->bic_origin_point = cwnd;
            } else {
                ca->bic_K = tcp_cubic_root(CUBE_FACTOR * (ca->last_max_cwnd - cwnd));
                ca->bic_origin_point = ca->last_max_cwnd;
            }
        }
        uint64_t t = (uint64_t)(int32_t)(now - ca->epoch_start) + ca->delay_min / 1000;
        t = (t << BICTCP_HZ) / CUBIC_HZ;
        uint64_t offs = t < ca->bic_K ? ca->bic_K - t : t - ca->bic_K;
        uint32_t delta = (uint32_t)((CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * BICTCP_HZ));
        uint32_t target = t < ca->bic_K ? ca->bic_origin_point - delta
                                        : ca->bic_origin_point + delta;
        ca->cnt = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;
        /* No W_max yet: grow at least 5% per RTT. */
        if (ca->last_max_cwnd == 0 && ca->cnt > 20)
            ca->cnt = 20;
    }
    /* TCP friendliness (tcp_friendliness = 1): never slower than Reno would be. */
    uint32_t d = (cwnd * CUBIC_BETA_SCALE) >> 3;
    while (d && ca->ack_cnt > d) {
        ca->ack_cnt -= d;
        ca->tcp_cwnd++;
    }
    if (ca->tcp_cwnd > cwnd) {
        uint32_t max_cnt = cwnd / (ca->tcp_cwnd - cwnd);
        if (ca->cnt > max_cnt)
            ca->cnt = max_cnt;
    }
    ca->cnt = MAX(ca->cnt, 2u);
}

/* cubictcp_recalc_ssthresh: the epoch ends; W_max remembers the window, lowered
 * further when it is below the last W_max (fast convergence: another flow has come);
 * the new threshold is beta times the window. */
static uint32_t cubic_ssthresh(struct tcp_conn *c)
{
    struct bictcp *ca = &c->cubic;
    ca->epoch_start = 0;
    if (c->snd_cwnd < ca->last_max_cwnd)
        ca->last_max_cwnd = c->snd_cwnd * (BICTCP_BETA_SCALE + CUBIC_BETA) / (2 * BICTCP_BETA_SCALE);
    else
        ca->last_max_cwnd = c->snd_cwnd;
    return MAX(c->snd_cwnd * CUBIC_BETA / BICTCP_BETA_SCALE, 2u);
}

/* ---- the module's operations (struct tcp_congestion_ops) ---------------------------- */

void tcp_ca_init(struct tcp_conn *c)
{
    c->ca = (uint8_t)c->st->net->ipv4.tcp_congestion_control;
    c->snd_cwnd = TCP_INIT_CWND;
    c->snd_ssthresh = TCP_INFINITE_SSTHRESH;
    bictcp_reset(&c->cubic);
}

/* ->ssthresh */
static uint32_t ca_ssthresh(struct tcp_conn *c)
{
    return c->ca == TCP_CA_RENO ? reno_ssthresh(c) : cubic_ssthresh(c);
}

/* ->cong_avoid (tcp_reno_cong_avoid, cubictcp_cong_avoid): only while the window is
 * what limits the sender (tcp_is_cwnd_limited). */
void tcp_cong_avoid(struct tcp_conn *c, uint32_t acked, bool cwnd_limited)
{
    if (!cwnd_limited)
        return;
    if (in_slow_start(c)) {
        acked = tcp_slow_start(c, acked);
        if (!acked)
            return;
    }
    if (c->ca == TCP_CA_RENO) {
        tcp_cong_avoid_ai(c, c->snd_cwnd, acked);
    } else {
        bictcp_update(c, c->snd_cwnd, acked);
        tcp_cong_avoid_ai(c, c->cubic.cnt, acked);
    }
}

/* ->pkts_acked (cubictcp_acked): CUBIC's minimum RTT, ignored for a second after an
 * epoch starts (the samples right after a recovery are inflated). */
void tcp_ca_rtt_sample(struct tcp_conn *c, sim_time_t rtt)
{
    struct bictcp *ca = &c->cubic;
    if (c->ca != TCP_CA_CUBIC || rtt < 0)
        return;
    if (ca->epoch_start && (int32_t)(now_ms(c) - ca->epoch_start) < CUBIC_HZ)
        return;
    uint32_t us = (uint32_t)MAX(rtt / USEC, (sim_time_t)1);
    if (ca->delay_min == 0 || ca->delay_min > us)
        ca->delay_min = us;
}

/* tcp_event_data_sent: sending after the pipe emptied is CA_EVENT_TX_START, which
 * shifts CUBIC's epoch by the idle time so the curve resumes where it stopped. */
void tcp_ca_data_sent(struct tcp_conn *c, bool pipe_empty)
{
    uint32_t now = now_ms(c);
    struct bictcp *ca = &c->cubic;
    if (pipe_empty && c->ca == TCP_CA_CUBIC && ca->epoch_start) {
        int32_t delta = (int32_t)(now - c->lsndtime);
        if (delta > 0) {
            ca->epoch_start += (uint32_t)delta;
            if ((int32_t)(ca->epoch_start - now) > 0)
                ca->epoch_start = now;
        }
    }
    c->lsndtime = now;
}

/* tcp_slow_start_after_idle_check and tcp_cwnd_restart (tcp_output.c): data written
 * after more than an RTO without sending (nothing in flight) restarts from at most the
 * initial window, halving the window once per RTO of idleness; ssthresh keeps 3/4 of
 * the old window (tcp_current_ssthresh). Under net.ipv4.tcp_slow_start_after_idle. */
void tcp_cwnd_restart_check(struct tcp_conn *c)
{
    if (!c->st->net->ipv4.tcp_slow_start_after_idle || c->snd_una != c->snd_max ||
        c->snd_cwnd == 0)
        return;
    int64_t delta = (int64_t)(int32_t)(now_ms(c) - c->lsndtime) * MSEC;
    if (delta <= c->rto)
        return;
    uint32_t restart = MIN((uint32_t)TCP_INIT_CWND, c->snd_cwnd);
    uint32_t cwnd = c->snd_cwnd;
    if (c->ca == TCP_CA_CUBIC)
        bictcp_reset(&c->cubic);        /* CA_EVENT_CWND_RESTART: bictcp_cwnd_event */
    c->snd_ssthresh = MAX(c->snd_ssthresh, (c->snd_cwnd >> 1) + (c->snd_cwnd >> 2));
    while ((delta -= c->rto) > 0 && cwnd > restart)
        cwnd >>= 1;
    c->snd_cwnd = MAX(cwnd, restart);
    c->snd_cwnd_cnt = 0;
}

/* ---- fast recovery and RTO: net/ipv4/tcp_input.c -------------------------------------- */

/* tcp_enter_recovery with tcp_init_cwnd_reduction: ssthresh from the module, PRR's
 * counters from zero, the window as it was (PRR lowers it ACK by ACK). */
void tcp_enter_recovery(struct tcp_conn *c)
{
    c->high_seq = c->snd_max;
    c->high_rxt = c->snd_una;
    c->prior_cwnd = c->snd_cwnd;
    c->prr_delivered = 0;
    c->prr_out = 0;
    c->snd_ssthresh = ca_ssthresh(c);
    c->snd_cwnd_cnt = 0;
    c->ca_state = TCP_CA_Recovery;
}

/* tcp_cwnd_reduction (6.1): Proportional Rate Reduction (RFC 6937). While more than
 * ssthresh is in flight, send in proportion to what is delivered (ssthresh /
 * prior_cwnd of it); below, grow back towards ssthresh by what PRR is owed or what was
 * delivered, one more when snd_una advanced (PRR-SSRB; Linux also requires no new
 * loss marked by this ACK, which the model does not track). The first call of a
 * recovery always gets a segment: the fast retransmit. */
void tcp_cwnd_reduction(struct tcp_conn *c, uint32_t newly_acked_sacked, bool snd_una_advanced,
                        uint32_t in_flight)
{
    if (newly_acked_sacked == 0 || c->prior_cwnd == 0)
        return;
    c->prr_delivered += newly_acked_sacked;
    int64_t delta = (int64_t)c->snd_ssthresh - in_flight;
    int64_t sndcnt;
    if (delta < 0) {
        uint64_t dividend = (uint64_t)c->snd_ssthresh * c->prr_delivered + c->prior_cwnd - 1;
        sndcnt = (int64_t)(dividend / c->prior_cwnd) - c->prr_out;
    } else {
        sndcnt = MAX((int64_t)c->prr_delivered - c->prr_out, (int64_t)newly_acked_sacked);
        if (snd_una_advanced)
            sndcnt++;
        sndcnt = MIN(delta, sndcnt);
    }
    sndcnt = MAX(sndcnt, (int64_t)(c->prr_out ? 0 : 1));
    c->snd_cwnd = (uint32_t)(in_flight + sndcnt);
}

/* tcp_end_cwnd_reduction: the recovery is over; the window is ssthresh. */
void tcp_end_cwnd_reduction(struct tcp_conn *c)
{
    if (c->snd_ssthresh < TCP_INFINITE_SSTHRESH)
        c->snd_cwnd = c->snd_ssthresh;
    c->ca_state = TCP_CA_Open;
}

/* tcp_enter_loss: an RTO. ssthresh from the module unless this is a further RTO of
 * the same episode; one segment of window (everything in flight counts lost);
 * everything sent and not SACKed is retransmitted from snd_una (the SACK scoreboard
 * is kept); CUBIC starts afresh (cubictcp_state, TCP_CA_Loss). */
void tcp_enter_loss(struct tcp_conn *c)
{
    bool new_episode = c->ca_state <= TCP_CA_Disorder || !after(c->high_seq, c->snd_una) ||
                       (c->ca_state == TCP_CA_Loss && c->retries == 0);
    if (new_episode)
        c->snd_ssthresh = ca_ssthresh(c);
    c->snd_cwnd = 1;
    c->snd_cwnd_cnt = 0;
    c->high_seq = c->snd_max;
    c->high_rxt = c->snd_una;
    c->dupacks = 0;
    c->ca_state = TCP_CA_Loss;
    if (c->ca == TCP_CA_CUBIC)
        bictcp_reset(&c->cubic);
}

/* tcp_current_ssthresh (include/net/tcp.h): in a window reduction its ssthresh, else at
 * least three quarters of the window. */
static uint32_t tcp_current_ssthresh(const struct tcp_conn *c)
{
    if (c->ca_state == TCP_CA_Recovery)
        return c->snd_ssthresh;
    return MAX(c->snd_ssthresh, (c->snd_cwnd >> 1) + (c->snd_cwnd >> 2));
}

/* tcp_simple_retransmit (net/ipv4/tcp_input.c, 6.1), after tcp_sync_mss lowered the MSS
 * from old_mss: every skb whose segments are longer than the new MSS is marked lost
 * and resent cut to it, in Loss, "without mucking with the congestion window": the
 * units changed, not the data in the network. The model's retransmission queue is a
 * byte range sent in segments of the old MSS; the kernel's is the GSO skbs of the
 * writes, each cut to old_mss: so all of the flight counts lost when it is longer than
 * the new MSS. A Loss already under way keeps its ssthresh and high_seq
 * (tcp_set_ca_state to TCP_CA_Loss: CUBIC starts afresh). */
void tcp_simple_retransmit(struct tcp_conn *c, uint32_t old_mss)
{
    if (old_mss <= c->mss || c->snd_max - c->snd_una <= c->mss)
        return;                         /* no segment longer than the new MSS: none lost */
    if (c->ca_state != TCP_CA_Loss) {
        c->high_seq = c->snd_max;
        c->snd_ssthresh = tcp_current_ssthresh(c);
        c->ca_state = TCP_CA_Loss;
        if (c->ca == TCP_CA_CUBIC)
            bictcp_reset(&c->cubic);    /* cubictcp_state */
    }
    c->high_rxt = c->snd_una;           /* tcp_mark_skb_lost clears SACKED_RETRANS */
    c->dupacks = 0;
    tcp_output(c);                      /* tcp_xmit_retransmit_queue */
}
