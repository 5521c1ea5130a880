/* struct ip_vs_protocol: the registry (ip_vs_proto_get) gives each protocol its
 * ops and nothing for the others; each protocol's states, as ipvsadm -lc prints
 * them, and default timeouts match the kernel's tables (ip_vs_proto_tcp.c,
 * ip_vs_proto_udp.c, ip_vs_proto_sctp.c of 6.x and 2.6.34). */
#include <netinet/in.h>
#include <string.h>
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/net.h"
#include "model/profile.h"
#include "tests/testutil.h"

static void test_registry(void)
{
    static const struct {
        unsigned proto;
        const struct ip_vs_protocol *pp;
        const char *name;
    } known[] = {
        { IPPROTO_TCP, &ip_vs_protocol_tcp, "TCP" },
        { IPPROTO_UDP, &ip_vs_protocol_udp, "UDP" },
        { IPPROTO_SCTP, &ip_vs_protocol_sctp, "SCTP" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const struct ip_vs_protocol *pp = ip_vs_proto_get(known[i].proto);
        CU_ASSERT_PTR_EQUAL(pp, known[i].pp);
        CU_ASSERT_EQUAL(pp->protocol, known[i].proto);
        CU_ASSERT_STRING_EQUAL(pp->name, known[i].name);
        /* what every packet path calls without a NULL test */
        CU_ASSERT_PTR_NOT_NULL(pp->states);
        CU_ASSERT_PTR_NOT_NULL(pp->timeout);
        CU_ASSERT_PTR_NOT_NULL(pp->conn_schedule);
        CU_ASSERT_PTR_NOT_NULL(pp->state_transition);
        CU_ASSERT_PTR_NOT_NULL(pp->snat_handler);
        CU_ASSERT_PTR_NOT_NULL(pp->dnat_handler);
        CU_ASSERT_PTR_NOT_NULL(pp->fnat_handler);
        /* conn_reuse_mode asks conn_expected only of a protocol with is_new_conn */
        CU_ASSERT_EQUAL(pp->is_new_conn == NULL, pp->conn_expected == NULL);
    }
    CU_ASSERT_PTR_NULL(ip_vs_protocol_udp.is_new_conn);
    unsigned found = 0;
    for (unsigned p = 0; p < 256; p++)
        found += ip_vs_proto_get(p) != NULL;
    CU_ASSERT_EQUAL(found, 3);
    /* IP, ICMP, IPIP, GRE, ESP, AH: not balanced */
    static const unsigned unknown[] = { 0, 1, 4, 47, 50, 51, 255, 256, 65535 };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CU_ASSERT_PTR_NULL(ip_vs_proto_get(unknown[i]));
}

/* A protocol's table for an era against the kernel's names and timeouts. */
static void check_states(const struct ip_vs_protocol *pp, const char *era,
                         const char *const *names, const unsigned *timeouts, unsigned n)
{
    const struct ip_vs_proto_states *st = pp->states(kernel_profile_find(era));
    CU_ASSERT_EQUAL_FATAL(st->num_states, n);
    for (unsigned s = 0; s < n; s++) {
        CU_ASSERT_STRING_EQUAL(st->names[s], names[s]);
        CU_ASSERT_EQUAL(st->timeouts[s], timeouts[s]);
    }
    CU_ASSERT_EQUAL(st->timeouts[n], 2);     /* [LAST] */
}

static void test_tcp_udp_states(void)
{
    static const char *const tcp_names[] = {
        "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE",
        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK",
    };
    static const unsigned tcp_timeouts[] = { 2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120 };
    static const char *const udp_names[] = { "UDP" };
    static const unsigned udp_timeouts[] = { 300 };
    static const char *const eras[] = { "2.6.34", "4.9", "5.10", "6.x" };
    for (size_t e = 0; e < sizeof eras / sizeof eras[0]; e++) {
        check_states(&ip_vs_protocol_tcp, eras[e], tcp_names, tcp_timeouts, 11);
        check_states(&ip_vs_protocol_udp, eras[e], udp_names, udp_timeouts, 1);
    }
}

static void test_sctp_states_per_era(void)
{
    static const char *const names[] = {
        "NONE", "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT", "COOKIE", "C-ECHOED",
        "ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED",
    };
    /* IP_VS_SCTP_MAX_RTO is 60 + 1 s; INIT1 and REJECTED 0 + 3 + 1 s */
    static const unsigned timeouts[] = { 2, 4, 61, 61, 61, 61, 61, 61, 900, 61, 61, 61, 4, 61 };
    static const char *const old_names[] = {
        "NONE", "INIT_CLI", "INIT_SER", "INIT_ACK_CLI", "INIT_ACK_SER", "COOKIE_ECHO_CLI",
        "COOKIE_ECHO_SER", "ESTABISHED", "SHUTDOWN_CLI", "SHUTDOWN_SER", "SHUTDOWN_ACK_CLI",
        "SHUTDOWN_ACK_SER", "CLOSED",
    };
    static const unsigned old_timeouts[] = { 2, 60, 60, 60, 60, 60, 60, 900, 60, 60, 60, 60, 10 };
    check_states(&ip_vs_protocol_sctp, "6.x", names, timeouts, 14);
    check_states(&ip_vs_protocol_sctp, "4.9", names, timeouts, 14);
    check_states(&ip_vs_protocol_sctp, "2.6.34", old_names, old_timeouts, 13);
}

/* ip_vs_state_name, as /proc/net/ip_vs_conn and ipvsadm -lc print a connection;
 * pp->timeout, the net's current timeout_table (ipvsadm --set changes TCP and UDP). */
static void test_state_name_and_timeout(void)
{
    static struct net net;
    static struct netns_ipvs ipvs;
    net.prof = kernel_profile_find("6.x");
    ipvs.net = &net;
    for (unsigned s = 0; s < 12; s++)
        ipvs.tcp_timeouts[s] = 7;
    ipvs.tcp_timeouts[IP_VS_TCP_S_ESTABLISHED] = 3600;
    ipvs.udp_timeout = 60;
    struct ip_vs_conn cp;
    memset(&cp, 0, sizeof cp);
    cp.ipvs = &ipvs;
    cp.protocol = IPPROTO_TCP;
    cp.state = IP_VS_TCP_S_SYN_RECV;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "SYN_RECV");
    cp.state = IP_VS_TCP_S_LAST;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "BUG!");
    cp.protocol = IPPROTO_UDP;
    cp.state = IP_VS_UDP_S_NORMAL;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "UDP");
    cp.protocol = IPPROTO_SCTP;
    cp.state = IP_VS_SCTP_S_ESTABLISHED;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "ESTABLISHED");
    net.prof = kernel_profile_find("2.6.34");
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "SHUTDOWN_CLI");  /* same number, old machine */
    cp.protocol = IPPROTO_ICMP;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "ERR!");
    cp.protocol = 0;                /* a fwmark template's IPPROTO_IP */
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "NONE");
    cp.flags = IP_VS_CONN_F_TEMPLATE;
    cp.state = IP_VS_CTPL_S_ASSURED;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "ASSURED");
    cp.state = IP_VS_CTPL_S_NONE;
    CU_ASSERT_STRING_EQUAL(ip_vs_state_name(&cp), "NONE");

    CU_ASSERT_EQUAL(ip_vs_protocol_tcp.timeout(&ipvs, IP_VS_TCP_S_ESTABLISHED), 3600);
    CU_ASSERT_EQUAL(ip_vs_protocol_tcp.timeout(&ipvs, IP_VS_TCP_S_CLOSE), 7);
    CU_ASSERT_EQUAL(ip_vs_protocol_udp.timeout(&ipvs, IP_VS_UDP_S_NORMAL), 60);
    CU_ASSERT_EQUAL(ip_vs_protocol_sctp.timeout(&ipvs, IP_VS_SCTP_OLD_S_CLOSED), 10);
    net.prof = kernel_profile_find("6.x");
    CU_ASSERT_EQUAL(ip_vs_protocol_sctp.timeout(&ipvs, IP_VS_SCTP_S_CLOSED), 61);
}

IPVSIM_SUITE(ipvs_proto_ops)
{
    CU_pSuite s = CU_add_suite("ipvs_proto_ops", NULL, NULL);
    ADD_TEST(s, test_registry);
    ADD_TEST(s, test_tcp_udp_states);
    ADD_TEST(s, test_sctp_states_per_era);
    ADD_TEST(s, test_state_name_and_timeout);
}
