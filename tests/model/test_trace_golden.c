/* `ipvsim trace` (app/cli/cmd_trace.c, app/report/trace_text.c, app/report/trace_json.c): one NAT, one
 * DR and one TUN connection's walk through every host, under 6.x and 2.6.34, pinned
 * as golden files (any difference fails: IPVSIM_UPDATE_GOLDEN=1 rewrites them); the
 * nesting of the calls a hook makes; the JSON lines; the filters. Run from the top of
 * the tree (as `make test` does). */
#include <cjson/cJSON.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/testutil.h"
#include "tests/golden.h"
#include "app/cli/cmd_trace.h"
#include "app/scenario/scenario.h"

/* The trace of a scenario file (era NULL: the scenario's kernel), or NULL when
 * trace_scenario did not return want_rc. */
static char *trace_of(const char *file, const char *era, const struct trace_opts *o, int want_rc)
{
    GPtrArray *ov = cmdline_overrides(NULL, NULL, era, NULL);
    struct scn_error err;
    struct scenario *s = scenario_load(file, (const char *const *)ov->pdata, &err);
    g_ptr_array_free(ov, TRUE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = trace_scenario(s, o, f);
    fclose(f);
    scenario_free(s);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (rc != want_rc) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void golden_trace(const char *method, const char *era)
{
    char *file = g_strdup_printf("scenarios/era-%s.json", method);
    char *golden = g_strdup_printf("trace_%s_%s.txt", method, era);
    struct trace_opts o = { .conn = 1 };
    char *text = trace_of(file, era, &o, 0);
    if (text)
        CU_ASSERT_TRUE(golden_check(golden, text));
    free(text);
    g_free(file);
    g_free(golden);
}

static void test_golden_nat_6x(void) { golden_trace("nat", "6.x"); }
static void test_golden_nat_2_6_34(void) { golden_trace("nat", "2.6.34"); }
static void test_golden_dr_6x(void) { golden_trace("dr", "6.x"); }
static void test_golden_dr_2_6_34(void) { golden_trace("dr", "2.6.34"); }
static void test_golden_tun_6x(void) { golden_trace("tun", "6.x"); }
static void test_golden_tun_2_6_34(void) { golden_trace("tun", "2.6.34"); }

static void test_same_run_same_bytes(void)
{
    struct trace_opts o = {0};
    char *a = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    char *b = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(a, b);
    o.jsonl = true;
    char *c = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    char *d = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    CU_ASSERT_STRING_EQUAL(c, d);
    free(a);
    free(b);
    free(c);
    free(d);
}

/* Every hook point a packet passes is in the trace, with or without hook functions:
 * the client's LOCAL_OUT and POST_ROUTING, the router's four, and in 2.6.34 the
 * empty LOCAL_OUT of the packet IPVS re-injects (nested in ip_vs_in's call); the
 * JSON lines say "hook_empty". */
static void test_empty_hook_points(void)
{
    struct trace_opts o = { .conn = 1, .packet = 1 };
    char *t = trace_of("scenarios/era-nat.json", "2.6.34", &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "web #1   LOCAL_OUT (no hook function)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "web #1   POST_ROUTING (no hook function)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "gw #1   PRE_ROUTING (no hook function)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "gw #1   FORWARD (no hook function)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "lvs1 #1   PRE_ROUTING (no hook function)\n"));
    /* 2.6.34 names the re-injection IP_VS_XMIT (ip_vs_nat_send_or_cont came in 2.6.37) */
    const char *reinject = strstr(t, "lvs1 #1   IP_VS_XMIT ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(reinject);
    const char *next = strchr(reinject, '\n') + 1;      /* the line right after it */
    CU_ASSERT_TRUE(g_str_has_prefix(strchr(next, ' ') + 1, "lvs1 #1     LOCAL_OUT (no hook function)\n"));
    free(t);
    o.jsonl = true;
    t = trace_of("scenarios/era-nat.json", "6.x", &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\"host\":\"lvs1\",\"conn\":1,\"pkt\":1,\"depth\":0,"
                                     "\"kind\":\"hook_empty\",\"func\":\"nf_hook\",\"hook\":\"PRE_ROUTING\","));
    free(t);
}

/* Where needle starts in hay (after from), or -1. */
static long find(const char *hay, const char *needle, long from)
{
    const char *p = strstr(hay + (from < 0 ? 0 : from), needle);
    return p ? (long)(p - hay) : -1;
}

/* The NAT transmitter re-injects the packet at LOCAL_OUT from inside ip_vs_in_hook:
 * the hook's line comes first, what it did inside follows indented, its verdict
 * closes it. */
static void test_nested_calls_read_in_order(void)
{
    struct trace_opts o = { .conn = 1, .packet = 1, .host = "lvs1" };
    char *t = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    long open = find(t, "  LOCAL_IN 99 ip_vs_in_hook [ip_vs] ...\n", 0);
    long sched = find(t, "    ip_vs_schedule: conn miss: rr -> 192.0.2.12:8080\n", open);
    long state = find(t, "    set_tcp_state: NONE -> SYN_RECV, timeout 60 s\n", sched);
    long xmit = find(t, "    ip_vs_nat_xmit: DNAT to 192.0.2.12:8080, re-injected at LOCAL_OUT\n", state);
    long reinj = find(t, "  ip_vs_nat_send_or_cont ", xmit);
    long out = find(t, "    LOCAL_OUT -99 ip_vs_out_hook [ip_vs] ACCEPT\n", reinj);
    long wire = find(t, "    dev_queue_xmit: eth0 mac ", out);
    long close = find(t, "  LOCAL_IN 99 ip_vs_in_hook [ip_vs] STOLEN\n", wire);
    CU_ASSERT(open > 0 && sched > open && state > sched && xmit > state && reinj > xmit);
    CU_ASSERT(out > reinj && wire > out && close > wire);
    /* Only the director's first packet. */
    CU_ASSERT_EQUAL(find(t, " web ", 0), -1);
    CU_ASSERT_EQUAL(find(t, "lvs1 #2 ", 0), -1);
    CU_ASSERT(find(t, "# trace of era-nat, kernel 6.x, seed 1, conversation 1, packet 1, host lvs1\n", 0) == 0);
    free(t);
}

/* The 2.6 POST_ROUTING shortcut: ip_vs_post_routing answers NF_STOP for IPVS's
 * packets, so the rest of POST_ROUTING is skipped and ip_finish_output runs next;
 * before 5.3 the transmitter leaves the TTL alone (63 after the router). */
static void test_post_routing_shortcut_nested(void)
{
    struct trace_opts o = { .conn = 1, .packet = 1, .host = "lvs1" };
    char *t = trace_of("scenarios/era-nat.json", "2.6.34", &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    long stop = find(t, "    POST_ROUTING 99 ip_vs_post_routing [ip_vs] STOP\n", 0);
    long fin = find(t, "  ip_finish_output 198.51.100.1:53150 > 192.0.2.12:8080 tcp[S] ttl 63\n", stop);
    long wire = find(t, "    dev_queue_xmit: eth0 ", fin);
    long outer = find(t, "  LOCAL_IN 100 ip_vs_in [ip_vs] STOLEN\n", wire);
    CU_ASSERT(stop > 0 && fin > stop && wire > fin && outer > wire);
    CU_ASSERT_EQUAL(find(t, "POST_ROUTING 100", 0), -1);     /* nothing after it ran */
    free(t);
}

/* Every JSON line parses, has the common keys, and hook lines carry what the text
 * shows; the SNAT of the reply shows up as a changed source. */
static void test_jsonl(void)
{
    struct trace_opts o = { .conn = 1, .jsonl = true };
    char *t = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    char **lines = g_strsplit(t, "\n", -1);
    int n = 0, hooks = 0, enters = 0, snat = 0, macs = 0, notes = 0, bad = 0;
    for (int i = 0; lines[i] && *lines[i]; i++, n++) {
        cJSON *j = cJSON_Parse(lines[i]);
        if (!j) {
            bad++;
            continue;
        }
        static const char *const common[] = { "t", "host", "conn", "pkt", "depth", "kind", "func" };
        for (size_t k = 0; k < G_N_ELEMENTS(common); k++)
            if (!cJSON_GetObjectItemCaseSensitive(j, common[k]))
                bad++;
        if (cJSON_GetObjectItemCaseSensitive(j, "conn")->valuedouble != 1)
            bad++;
        const char *kind = cJSON_GetObjectItemCaseSensitive(j, "kind")->valuestring;
        if (strcmp(kind, "hook") == 0) {
            hooks++;
            if (!cJSON_GetObjectItemCaseSensitive(j, "verdict") ||
                !cJSON_GetObjectItemCaseSensitive(j, "priority") ||
                !cJSON_GetObjectItemCaseSensitive(j, "owner") || !cJSON_GetObjectItemCaseSensitive(j, "hook"))
                bad++;
            const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "changed");
            const cJSON *src = ch ? cJSON_GetObjectItemCaseSensitive(ch, "src") : NULL;
            if (src && strcmp(cJSON_GetArrayItem(src, 0)->valuestring, "192.0.2.12") == 0 &&
                strcmp(cJSON_GetArrayItem(src, 1)->valuestring, "203.0.113.10") == 0)
                snat++;
        } else if (strcmp(kind, "hook_enter") == 0) {
            enters++;
            if (cJSON_GetObjectItemCaseSensitive(j, "verdict"))
                bad++;
        } else if (strcmp(kind, "note") == 0) {
            notes++;
        }
        const cJSON *ip = cJSON_GetObjectItemCaseSensitive(j, "ip");
        if (ip && cJSON_GetObjectItemCaseSensitive(ip, "mac_dst"))
            macs++;
        cJSON_Delete(j);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(n > 100);
    CU_ASSERT(hooks > enters && enters > 0);
    CU_ASSERT(snat > 0);
    CU_ASSERT(macs > 0);
    CU_ASSERT(notes > 0);
    g_strfreev(lines);
    free(t);
}

/* --packet K: the K-th packet of the conversation each host saw (the director's
 * second is the SYN-ACK, forwarded back). */
static void test_packet_numbering(void)
{
    struct trace_opts o = { .conn = 1, .packet = 2, .host = "lvs1" };
    char *t = trace_of("scenarios/era-nat.json", NULL, &o, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT(find(t, "lvs1 #2 ip_forward 192.0.2.12:8080 > 198.51.100.1:", 0) > 0);
    CU_ASSERT(find(t, "tcp[SA]", 0) > 0);
    CU_ASSERT_EQUAL(find(t, "lvs1 #1 ", 0), -1);
    free(t);
}

static void test_bad_input(void)
{
    struct trace_opts o = { .host = "nosuch" };
    free(trace_of("scenarios/era-nat.json", NULL, &o, 2));
    struct trace_opts p = { .conn = 99 };
    free(trace_of("scenarios/era-nat.json", NULL, &p, 2));
}

IPVSIM_SUITE(trace_golden)
{
    CU_pSuite s = CU_add_suite("trace_golden", NULL, NULL);
    ADD_TEST(s, test_golden_nat_6x);
    ADD_TEST(s, test_golden_nat_2_6_34);
    ADD_TEST(s, test_golden_dr_6x);
    ADD_TEST(s, test_golden_dr_2_6_34);
    ADD_TEST(s, test_golden_tun_6x);
    ADD_TEST(s, test_golden_tun_2_6_34);
    ADD_TEST(s, test_same_run_same_bytes);
    ADD_TEST(s, test_nested_calls_read_in_order);
    ADD_TEST(s, test_post_routing_shortcut_nested);
    ADD_TEST(s, test_empty_hook_points);
    ADD_TEST(s, test_jsonl);
    ADD_TEST(s, test_packet_numbering);
    ADD_TEST(s, test_bad_input);
}
