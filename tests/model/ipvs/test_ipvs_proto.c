/* The IPVS TCP state machine, every cell of both tables, checked against the
 * kernel's tables (ip_vs_proto_tcp.c) transcribed as text, and the
 * default timeouts. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "model/ipvs/ip_vs_proto.h"
#include "model/profile.h"
#include "sim/proto.h"
#include "tests/testutil.h"

/* Rows as net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_states lays them out:
 * "dir ev | next state for NO ES SS SR FW TW CL CW LA LI SA". */
static const char *const normal_rows[] = {
    "INPUT syn SR ES ES SR SR SR SR SR SR SR SR",
    "INPUT fin CL CW SS TW TW TW CL CW LA LI TW",
    "INPUT ack ES ES SS ES FW TW CL CW CL LI ES",
    "INPUT rst CL CL CL SR CL CL CL CL LA LI SR",
    "OUTPUT syn SS ES SS SR SS SS SS SS SS LI SR",
    "OUTPUT fin TW FW SS TW FW TW CL TW LA LI TW",
    "OUTPUT ack ES ES SS ES FW TW CL CW LA ES ES",
    "OUTPUT rst CL CL SS CL CL TW CL CL CL CL CL",
    "IN_ONLY syn SR ES ES SR SR SR SR SR SR SR SR",
    "IN_ONLY fin CL FW SS TW FW TW CL CW LA LI TW",
    "IN_ONLY ack ES ES SS ES FW TW CL CW CL LI ES",
    "IN_ONLY rst CL CL CL SR CL CL CL CL LA LI CL",
};

static const char *const dos_rows[] = {
    "INPUT syn SR ES ES SR SR SR SR SR SR SR SA",
    "INPUT fin CL CW SS TW TW TW CL CW LA LI SA",
    "INPUT ack ES ES SS SR FW TW CL CW CL LI SA",
    "INPUT rst CL CL CL SR CL CL CL CL LA LI CL",
    "OUTPUT syn SS ES SS SA SS SS SS SS SS LI SA",
    "OUTPUT fin TW FW SS TW FW TW CL TW LA LI TW",
    "OUTPUT ack ES ES SS ES FW TW CL CW LA ES ES",
    "OUTPUT rst CL CL SS CL CL TW CL CL CL CL CL",
    "IN_ONLY syn SA ES ES SR SA SA SA SA SA SA SA",
    "IN_ONLY fin CL FW SS TW FW TW CL CW LA LI TW",
    "IN_ONLY ack ES ES SS ES FW TW CL CW CL LI ES",
    "IN_ONLY rst CL CL CL SR CL CL CL CL LA LI CL",
};

static const char *const abbrev[IP_VS_TCP_S_LAST] = {
    "NO", "ES", "SS", "SR", "FW", "TW", "CL", "CW", "LA", "LI", "SA",
};

static int state_of(const char *ab)
{
    for (int i = 0; i < IP_VS_TCP_S_LAST; i++)
        if (strcmp(abbrev[i], ab) == 0)
            return i;
    return -1;
}

static void check_rows(const char *const *rows, size_t n, bool secure)
{
    int cells = 0;
    for (size_t r = 0; r < n; r++) {
        char dir[16], ev[8], next[IP_VS_TCP_S_LAST][4];
        int got = sscanf(rows[r], "%15s %7s %3s %3s %3s %3s %3s %3s %3s %3s %3s %3s %3s", dir, ev,
                         next[0], next[1], next[2], next[3], next[4], next[5], next[6], next[7],
                         next[8], next[9], next[10]);
        CU_ASSERT_EQUAL_FATAL(got, 2 + IP_VS_TCP_S_LAST);
        enum ip_vs_dir d = strcmp(dir, "INPUT") == 0 ? IP_VS_DIR_INPUT
                         : strcmp(dir, "OUTPUT") == 0 ? IP_VS_DIR_OUTPUT : IP_VS_DIR_INPUT_ONLY;
        uint8_t flags = strcmp(ev, "syn") == 0 ? TCPH_SYN : strcmp(ev, "fin") == 0 ? TCPH_FIN
                      : strcmp(ev, "ack") == 0 ? TCPH_ACK : TCPH_RST;
        for (int s = 0; s < IP_VS_TCP_S_LAST; s++) {
            int expect = state_of(next[s]);
            CU_ASSERT_NOT_EQUAL(expect, -1);
            int have = ip_vs_tcp_next_state(s, d, flags, secure);
            if (have != expect)
                fprintf(stderr, "\n%s %s from %s: want %s got %s\n", dir, ev, abbrev[s], next[s],
                        ip_vs_tcp_state_name(have));
            CU_ASSERT_EQUAL(have, expect);
            cells++;
        }
    }
    CU_ASSERT_EQUAL(cells, 12 * IP_VS_TCP_S_LAST);
}

static void test_tcp_table_every_cell(void)
{
    check_rows(normal_rows, G_N_ELEMENTS(normal_rows), false);
}

static void test_tcp_dos_table_every_cell(void)
{
    check_rows(dos_rows, G_N_ELEMENTS(dos_rows), true);
}

/* 2.6.34's tables (ip_vs_proto_tcp.c of that release) differ from the later ones in
 * four cells: an ACK in NONE, input and input-only, in both tables, goes to CLOSE.
 * The whole ack rows of 2.6.34, and every other cell equal to the later tables. */
static void test_tcp_tables_2_6_34(void)
{
    static const char *const ack_in = "sCL sES sSS sES sFW sTW sCL sCW sCL sLI sES";
    static const char *const ack_in_dos = "sCL sES sSS sSR sFW sTW sCL sCW sCL sLI sSA";
    static const struct { enum ip_vs_dir dir; bool secure; const char *row; } rows[] = {
        { IP_VS_DIR_INPUT, false, ack_in }, { IP_VS_DIR_INPUT_ONLY, false, ack_in },
        { IP_VS_DIR_INPUT, true, ack_in_dos }, { IP_VS_DIR_INPUT_ONLY, true, ack_in },
    };
    for (size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
        char **cells = g_strsplit(rows[r].row, " ", -1);
        for (int st = 0; st < IP_VS_TCP_S_LAST; st++)
            CU_ASSERT_EQUAL(ip_vs_tcp_next_state_era(false, st, rows[r].dir, TCPH_ACK, rows[r].secure),
                            state_of(cells[st] + 1));
        g_strfreev(cells);
    }
    int differ = 0;
    static const uint8_t evs[] = { TCPH_SYN, TCPH_FIN, TCPH_ACK, TCPH_RST, 0 };
    for (int d = IP_VS_DIR_INPUT; d <= IP_VS_DIR_INPUT_ONLY; d++)
        for (size_t e = 0; e < G_N_ELEMENTS(evs); e++)
            for (int st = 0; st < IP_VS_TCP_S_LAST; st++)
                for (int sec = 0; sec < 2; sec++) {
                    int old = ip_vs_tcp_next_state_era(false, st, (enum ip_vs_dir)d, evs[e], sec);
                    int now = ip_vs_tcp_next_state_era(true, st, (enum ip_vs_dir)d, evs[e], sec);
                    CU_ASSERT_EQUAL(now, ip_vs_tcp_next_state(st, (enum ip_vs_dir)d, evs[e], sec));
                    if (old != now) {
                        differ++;
                        CU_ASSERT(st == IP_VS_TCP_S_NONE && evs[e] == TCPH_ACK &&
                                  d != IP_VS_DIR_OUTPUT && old == IP_VS_TCP_S_CLOSE &&
                                  now == IP_VS_TCP_S_ESTABLISHED);
                    }
                }
    CU_ASSERT_EQUAL(differ, 4);
}

static void test_tcp_event_priority(void)
{
    /* RST beats SYN beats FIN beats ACK; none of them: CLOSE from anywhere. */
    CU_ASSERT_EQUAL(ip_vs_tcp_next_state(IP_VS_TCP_S_ESTABLISHED, IP_VS_DIR_INPUT,
                                         TCPH_RST | TCPH_SYN, false), IP_VS_TCP_S_CLOSE);
    CU_ASSERT_EQUAL(ip_vs_tcp_next_state(IP_VS_TCP_S_NONE, IP_VS_DIR_OUTPUT,
                                         TCPH_SYN | TCPH_ACK, false), IP_VS_TCP_S_SYN_SENT);
    CU_ASSERT_EQUAL(ip_vs_tcp_next_state(IP_VS_TCP_S_ESTABLISHED, IP_VS_DIR_INPUT,
                                         TCPH_FIN | TCPH_ACK, false), IP_VS_TCP_S_CLOSE_WAIT);
    CU_ASSERT_EQUAL(ip_vs_tcp_next_state(IP_VS_TCP_S_ESTABLISHED, IP_VS_DIR_INPUT, TCPH_PSH, false),
                    IP_VS_TCP_S_CLOSE);
    CU_ASSERT_EQUAL(ip_vs_tcp_next_state(IP_VS_TCP_S_SYN_RECV, IP_VS_DIR_INPUT, 0, true),
                    IP_VS_TCP_S_CLOSE);
}

static void test_tcp_timeouts_and_activity(void)
{
    static const unsigned want[] = { 2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120, 2 };
    for (int s = 0; s <= IP_VS_TCP_S_LAST; s++)
        CU_ASSERT_EQUAL(ip_vs_tcp_default_timeouts[s], want[s]);
    /* 2.6.34's set_tcp_state: ESTABLISHED alone; a half-open connection in
     * SYN_RECV counts in InActConn. */
    const struct kernel_profile *old = kernel_profile_find("2.6.34");
    int active = 0;
    for (int s = 0; s < IP_VS_TCP_S_LAST; s++)
        active += ip_vs_tcp_state_active(old, s);
    CU_ASSERT_EQUAL(active, 1);
    CU_ASSERT_TRUE(ip_vs_tcp_state_active(old, IP_VS_TCP_S_ESTABLISHED));
    CU_ASSERT_FALSE(ip_vs_tcp_state_active(old, IP_VS_TCP_S_SYN_RECV));
    /* 4.8+ (tcp_state_active_table): the handshake states count too, in every
     * later era; the closing ones never do. */
    static const char *const later[] = { "4.9", "5.10", "6.x" };
    for (size_t i = 0; i < G_N_ELEMENTS(later); i++) {
        const struct kernel_profile *p = kernel_profile_find(later[i]);
        active = 0;
        for (int s = 0; s < IP_VS_TCP_S_LAST; s++)
            active += ip_vs_tcp_state_active(p, s);
        CU_ASSERT_EQUAL(active, 4);
        CU_ASSERT_TRUE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_ESTABLISHED));
        CU_ASSERT_TRUE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_SYN_SENT));
        CU_ASSERT_TRUE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_SYN_RECV));
        CU_ASSERT_TRUE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_SYNACK));
        CU_ASSERT_FALSE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_FIN_WAIT));
        CU_ASSERT_FALSE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_LISTEN));
        CU_ASSERT_FALSE(ip_vs_tcp_state_active(p, IP_VS_TCP_S_LAST));
    }
    CU_ASSERT_STRING_EQUAL(ip_vs_tcp_state_name(IP_VS_TCP_S_CLOSE_WAIT), "CLOSE_WAIT");
}

/* Typical sequences (DR, then NAT), through the function. */
static void test_tcp_typical_sequences(void)
{
    /* DR (input only): SYN -> SR, ACK -> ES, FIN -> FW, ACK stays FW. */
    int s = IP_VS_TCP_S_NONE;
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT_ONLY, TCPH_SYN, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_SYN_RECV);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT_ONLY, TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_ESTABLISHED);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT_ONLY, TCPH_FIN | TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_FIN_WAIT);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT_ONLY, TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_FIN_WAIT);
    /* NAT: SYN in SR, SYN+ACK out SR, ACK in ES, FIN in CW, FIN out TW, ACK in TW. */
    s = IP_VS_TCP_S_NONE;
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT, TCPH_SYN, false);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_OUTPUT, TCPH_SYN | TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_SYN_RECV);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT, TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_ESTABLISHED);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT, TCPH_FIN | TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_CLOSE_WAIT);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_OUTPUT, TCPH_FIN | TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_TIME_WAIT);
    s = ip_vs_tcp_next_state(s, IP_VS_DIR_INPUT, TCPH_ACK, false);
    CU_ASSERT_EQUAL(s, IP_VS_TCP_S_TIME_WAIT);
}

IPVSIM_SUITE(ipvs_proto)
{
    CU_pSuite s = CU_add_suite("ipvs_proto", NULL, NULL);
    ADD_TEST(s, test_tcp_table_every_cell);
    ADD_TEST(s, test_tcp_dos_table_every_cell);
    ADD_TEST(s, test_tcp_event_priority);
    ADD_TEST(s, test_tcp_tables_2_6_34);
    ADD_TEST(s, test_tcp_timeouts_and_activity);
    ADD_TEST(s, test_tcp_typical_sequences);
}
