/* Congestion control (model/apps/tcp_cong.c) on bare connection objects: the rules
 * of tcp_cong.c, tcp_cubic.c and PRR with numbers worked out by hand. The bottleneck
 * scenarios (scenarios/bottleneck-*.json, tests/cli/35-congestion.sh) check them
 * together on a path. */
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "tests/testutil.h"

static void conn_init(struct tcp_conn *c, enum tcp_ca_algo ca, uint32_t cwnd)
{
    memset(c, 0, sizeof *c);
    c->ca = (uint8_t)ca;
    c->snd_cwnd = cwnd;
    c->snd_ssthresh = TCP_INFINITE_SSTHRESH;
    c->mss = 1448;
}

/* tcp_slow_start: one segment per segment acknowledged, stopping at ssthresh with the
 * rest handed back for congestion avoidance. */
static void test_slow_start_stops_at_ssthresh(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_RENO, 10);
    CU_ASSERT_EQUAL(tcp_slow_start(&c, 4), 0);
    CU_ASSERT_EQUAL(c.snd_cwnd, 14);
    c.snd_ssthresh = 16;
    CU_ASSERT_EQUAL(tcp_slow_start(&c, 5), 3);
    CU_ASSERT_EQUAL(c.snd_cwnd, 16);
}

/* tcp_cong_avoid_ai: Reno adds one segment per window acknowledged, whatever the
 * ACKs' sizes (delayed ACKs of two segments count two). */
static void test_reno_one_segment_per_window(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_RENO, 20);
    c.snd_ssthresh = 20;
    for (int i = 0; i < 10; i++)
        tcp_cong_avoid(&c, 2, true);
    CU_ASSERT_EQUAL(c.snd_cwnd, 21);
    tcp_cong_avoid(&c, 2, false);       /* not window-limited: no growth */
    CU_ASSERT_EQUAL(c.snd_cwnd, 21);
    CU_ASSERT_EQUAL(c.snd_cwnd_cnt, 0);
}

static void test_cubic_root(void)
{
    CU_ASSERT_EQUAL(tcp_cubic_root(0), 0);
    CU_ASSERT_EQUAL(tcp_cubic_root(26), 2);
    CU_ASSERT_EQUAL(tcp_cubic_root(27), 3);
    CU_ASSERT_EQUAL(tcp_cubic_root(1000000000000ull), 10000);
    CU_ASSERT_EQUAL(tcp_cubic_root(UINT64_MAX), 2642245);
}

/* A loss: Reno halves, CUBIC keeps 717/1024 and remembers W_max; a second loss below
 * the last W_max lowers W_max further (fast convergence: (1 + beta) / 2). */
static void test_ssthresh_on_recovery(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_RENO, 100);
    tcp_enter_recovery(&c);
    CU_ASSERT_EQUAL(c.snd_ssthresh, 50);
    CU_ASSERT_EQUAL(c.ca_state, TCP_CA_Recovery);
    CU_ASSERT_EQUAL(c.prior_cwnd, 100);
    CU_ASSERT_EQUAL(c.snd_cwnd, 100);           /* PRR lowers it ACK by ACK */

    conn_init(&c, TCP_CA_CUBIC, 100);
    tcp_enter_recovery(&c);
    CU_ASSERT_EQUAL(c.snd_ssthresh, 70);        /* 100 * 717 / 1024 */
    CU_ASSERT_EQUAL(c.cubic.last_max_cwnd, 100);
    c.snd_cwnd = 80;
    c.ca_state = TCP_CA_Open;
    tcp_enter_recovery(&c);
    CU_ASSERT_EQUAL(c.snd_ssthresh, 56);        /* 80 * 717 / 1024 */
    CU_ASSERT_EQUAL(c.cubic.last_max_cwnd, 68); /* 80 * 1741 / 2048 */
}

/* PRR (RFC 6937 as 6.1's tcp_cwnd_reduction): above ssthresh, sends ssthresh/prior_cwnd
 * of what is delivered; below, grows back by what PRR is owed or was delivered, one
 * more when snd_una advanced; the first call sends at least the fast retransmit; the
 * end sets cwnd to ssthresh. */
static void test_prr(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_RENO, 20);
    tcp_enter_recovery(&c);                     /* ssthresh 10 */
    tcp_cwnd_reduction(&c, 1, false, 19);
    CU_ASSERT_EQUAL(c.snd_cwnd, 20);            /* ceil(10 * 1 / 20) - 0 = 1 */
    c.prr_out = 1;
    tcp_cwnd_reduction(&c, 1, false, 18);
    CU_ASSERT_EQUAL(c.snd_cwnd, 18);            /* ceil(10 * 2 / 20) - 1 = 0 */
    tcp_cwnd_reduction(&c, 1, false, 17);
    CU_ASSERT_EQUAL(c.snd_cwnd, 18);            /* ceil(30 / 20) - 1 = 1 */
    tcp_cwnd_reduction(&c, 0, true, 17);
    CU_ASSERT_EQUAL(c.snd_cwnd, 18);            /* nothing delivered: unchanged */
    c.prr_out = 2;
    tcp_cwnd_reduction(&c, 3, true, 6);         /* below ssthresh */
    CU_ASSERT_EQUAL(c.snd_cwnd, 10);            /* 6 + min(4, max(6 - 2, 3) + 1) */
    c.prr_out = 6;
    tcp_cwnd_reduction(&c, 1, false, 8);
    CU_ASSERT_EQUAL(c.snd_cwnd, 9);             /* 8 + min(2, max(7 - 6, 1)) */
    tcp_end_cwnd_reduction(&c);
    CU_ASSERT_EQUAL(c.snd_cwnd, 10);
    CU_ASSERT_EQUAL(c.ca_state, TCP_CA_Open);
}

/* tcp_enter_loss: ssthresh once per episode, one segment of window, everything
 * outstanding to resend from snd_una; CUBIC forgets its curve. */
static void test_rto_enters_loss(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_CUBIC, 40);
    c.snd_una = 1000;
    c.snd_max = c.snd_nxt = 1000 + 40 * 1448;
    c.cubic.last_max_cwnd = 50;
    tcp_enter_loss(&c);
    CU_ASSERT_EQUAL(c.snd_ssthresh, 28);        /* 40 * 717 / 1024 */
    CU_ASSERT_EQUAL(c.snd_cwnd, 1);
    CU_ASSERT_EQUAL(c.ca_state, TCP_CA_Loss);
    CU_ASSERT_EQUAL(c.cubic.last_max_cwnd, 0);
    CU_ASSERT_EQUAL(tcp_lost_end(&c), c.snd_max);
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 0);
    c.retries = 1;                              /* the next RTO of the same episode */
    tcp_enter_loss(&c);
    CU_ASSERT_EQUAL(c.snd_ssthresh, 28);
}

/* The scoreboard: in Recovery every hole below the highest SACKed byte is lost;
 * in flight = sent - SACKed - lost + retransmitted. */
static void test_in_flight_with_sacks(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_RENO, 10);
    c.sack_ok = true;
    c.mss = 100;
    c.snd_una = c.high_rxt = 0;
    c.snd_max = 1000;
    c.sacked[0] = (struct tcp_sack_block){ 200, 400 };
    c.sacked[1] = (struct tcp_sack_block){ 500, 600 };
    c.n_sacked = 2;
    CU_ASSERT_EQUAL(tcp_sacked_in(&c, 0, 1000), 300);
    CU_ASSERT_EQUAL(tcp_sacked_in(&c, 300, 550), 150);
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 7);  /* Disorder: 10 - 3 SACKed */
    c.ca_state = TCP_CA_Recovery;
    CU_ASSERT_EQUAL(tcp_lost_end(&c), 600);
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 4);  /* 10 - 3 - 3 lost */
    c.high_rxt = 200;                               /* the first hole resent */
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 6);
    c.n_sacked = 0;                                 /* a partial ACK passed them all */
    CU_ASSERT_EQUAL(tcp_lost_end(&c), c.snd_una);   /* nothing is known lost */
}

/* A peer without SACK: each duplicate ACK counts one segment delivered
 * (tcp_add_reno_sack) and in a recovery only the head is lost (NewReno). */
static void test_in_flight_without_sack(void)
{
    struct tcp_conn c;
    conn_init(&c, TCP_CA_RENO, 10);
    c.mss = 100;
    c.snd_max = 1000;
    c.dupacks = 3;
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 7);
    c.ca_state = TCP_CA_Recovery;
    CU_ASSERT_EQUAL(tcp_lost_end(&c), 100);
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 6);
    c.high_rxt = 100;                               /* the head resent */
    CU_ASSERT_EQUAL(tcp_packets_in_flight(&c), 7);
}

IPVSIM_SUITE(tcp_cong)
{
    CU_pSuite s = CU_add_suite("tcp_cong", NULL, NULL);
    ADD_TEST(s, test_slow_start_stops_at_ssthresh);
    ADD_TEST(s, test_reno_one_segment_per_window);
    ADD_TEST(s, test_cubic_root);
    ADD_TEST(s, test_ssthresh_on_recovery);
    ADD_TEST(s, test_prr);
    ADD_TEST(s, test_rto_enters_loss);
    ADD_TEST(s, test_in_flight_with_sacks);
    ADD_TEST(s, test_in_flight_without_sack);
}
