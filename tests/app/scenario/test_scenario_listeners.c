/* A server's "listen" and the brownout events as the loader reads them: the defaults
 * each listener takes from its server, the listener an event names (by index, as the
 * run builds them), and "port" staying one listener of both protocols. The refusals
 * are the bad-scenario corpus's (listen-*, event-slow-*, event-set-*). */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/scenario/scenario.h"
#include "app/scenario/scenario_internal.h"

static char *dir;

static int init(void)
{
    dir = g_dir_make_tmp("ipvsim-listen-XXXXXX", NULL);
    return dir ? 0 : 1;
}

static int cleanup(void)
{
    char *p = g_build_filename(dir, "s.json", NULL);
    g_unlink(p);
    g_free(p);
    g_rmdir(dir);
    g_free(dir);
    return 0;
}

static struct scenario *load(const char *text)
{
    char *p = g_build_filename(dir, "s.json", NULL);
    g_file_set_contents(p, text, -1, NULL);
    struct scn_error err;
    struct scenario *s = scenario_load(p, NULL, &err);
    if (!s)
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
    g_free(p);
    return s;
}

static const char *const text =
    "{ \"servers\": [ { \"name\": \"rs1\", \"ip\": \"192.0.2.11\", \"workers\": 6,\n"
    "    \"service_time\": \"const(10ms)\", \"queue_limit\": 40,\n"
    "    \"listen\": [ \"tcp:80\", { \"protocol\": \"tcp\", \"port\": 443, \"service_time\": \"const(20ms)\" },\n"
    "                { \"protocol\": \"udp\", \"port\": 53, \"workers\": 2 },\n"
    "                { \"protocol\": \"udp\", \"port\": 5353, \"workers\": 1, \"queue_limit\": 3 } ] },\n"
    "  { \"name\": \"rs2\", \"ip\": \"192.0.2.12\", \"port\": 8080 } ],\n"
    "  \"clients\": [ { \"target\": \"203.0.113.10:80\" } ], \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\" ],\n"
    "  \"events\": [ { \"at\": \"3s\", \"do\": \"server_slow\", \"server\": \"rs1\", \"factor\": 2.5 },\n"
    "    { \"at\": \"1s\", \"do\": \"server_set\", \"server\": \"rs1\", \"listener\": \"udp:53\", \"workers\": 4 },\n"
    "    { \"at\": \"2s\", \"do\": \"server_slow\", \"server\": \"rs2\", \"listener\": \"udp:8080\", \"factor\": 0.5 },\n"
    "    { \"at\": \"4s\", \"do\": \"server_set\", \"server\": \"rs1\", \"service_time\": \"exp(30ms)\" } ] }\n";

static void test_listeners_loaded(void)
{
    struct scenario *s = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct scn_server *rs1 = &g_array_index(s->servers, struct scn_server, 0);
    CU_ASSERT_EQUAL_FATAL(rs1->listeners->len, 4);
    CU_ASSERT_EQUAL(rs1->port, 80);         /* the first listener's */
    const struct scn_listener *l = (const struct scn_listener *)rs1->listeners->data;
    CU_ASSERT(l[0].protocol == IPPROTO_TCP && l[0].port == 80 && l[0].workers == 0);
    CU_ASSERT_FALSE(l[0].has_service_time);
    CU_ASSERT(l[1].protocol == IPPROTO_TCP && l[1].port == 443 && l[1].has_service_time);
    CU_ASSERT_EQUAL(l[1].service_time.a, 20e6);
    CU_ASSERT(l[2].protocol == IPPROTO_UDP && l[2].port == 53 && l[2].workers == 2);
    CU_ASSERT_EQUAL(l[2].queue_limit, 40);  /* the server's */
    CU_ASSERT_EQUAL(l[3].queue_limit, 3);
    CU_ASSERT_EQUAL(l[3].pos.line, 5);
    CU_ASSERT_EQUAL(scn_server_listener(rs1, IPPROTO_UDP, 5353), 3);
    CU_ASSERT_EQUAL(scn_server_listener(rs1, IPPROTO_TCP, 53), -1);
    /* "port": one listener of both protocols, none in the list */
    const struct scn_server *rs2 = &g_array_index(s->servers, struct scn_server, 1);
    CU_ASSERT_EQUAL(rs2->listeners->len, 0);
    CU_ASSERT_EQUAL(scn_server_listener(rs2, IPPROTO_TCP, 8080), 0);
    CU_ASSERT_EQUAL(scn_server_listener(rs2, IPPROTO_UDP, 8080), 0);
    CU_ASSERT_EQUAL(scn_server_listener(rs2, IPPROTO_UDP, 80), -1);
    /* the events, in time order */
    CU_ASSERT_EQUAL_FATAL(s->events->len, 4);
    const struct scn_event *e = (const struct scn_event *)s->events->data;
    CU_ASSERT(e[0].kind == EV_SERVER_SET && e[0].listener == 2 && e[0].workers == 4);
    CU_ASSERT_STRING_EQUAL(e[0].key, "udp:53");
    CU_ASSERT_FALSE(e[0].has_service_time);
    CU_ASSERT(e[1].kind == EV_SERVER_SLOW && e[1].listener == 0 && e[1].rate == 0.5);
    CU_ASSERT(e[2].kind == EV_SERVER_SLOW && e[2].listener == -1 && e[2].rate == 2.5);
    CU_ASSERT_PTR_NULL(e[2].key);
    CU_ASSERT(e[3].kind == EV_SERVER_SET && e[3].listener == -1 && e[3].has_service_time);
    CU_ASSERT(e[3].service_time.kind == DIST_EXP && e[3].service_time.a == 30e6 && e[3].workers == 0);
    scenario_free(s);
}

/* "tcp:443": the words and the range, each fault its own message. */
static void test_listener_parse(void)
{
    uint8_t proto = 0;
    uint16_t port = 0;
    char why[160];
    CU_ASSERT(scn_listener_parse("udp:65535", &proto, &port, why, sizeof why));
    CU_ASSERT(proto == IPPROTO_UDP && port == 65535);
    CU_ASSERT(scn_listener_parse("tcp:1", &proto, &port, why, sizeof why));
    CU_ASSERT(proto == IPPROTO_TCP && port == 1);
    static const struct { const char *text, *why; } bad[] = {
        { "tcp:0", "port 0 of listener 'tcp:0' is out of range (expected 1 to 65535)" },
        { "tcp:000080000", "port 000080000 of listener 'tcp:000080000' is out of range (expected 1 to 65535)" },
        { "TCP:80", "unknown protocol 'TCP' in listener 'TCP:80' (expected tcp or udp)" },
        { "tcp:", "expected a port number after 'tcp:' in listener 'tcp:'" },
        { "tcp:80 ", "expected a port number after 'tcp:' in listener 'tcp:80 '" },
        { "80", "expected a listener like \"tcp:80\" or \"udp:53\" (protocol:port), not '80'" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        bool ok = scn_listener_parse(bad[i].text, &proto, &port, why, sizeof why);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_STRING_EQUAL(why, bad[i].why);
    }
}

IPVSIM_SUITE(scenario_listeners)
{
    CU_pSuite s = CU_add_suite("scenario_listeners", init, cleanup);
    ADD_TEST(s, test_listeners_loaded);
    ADD_TEST(s, test_listener_parse);
}
