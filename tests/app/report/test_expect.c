/* Expectations and `ipvsim check` (app/report/expect.c, app/cli/cmd_check.c, app/report/fingerprint.c):
 * every kind passing and failing with what was expected and what was seen, malformed
 * entries reported at their place, the fingerprint's definition and its sensitivity
 * (a user hook's priority moved by one changes it), the era scenarios. Run from the
 * top of the tree (as `make test` does). */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/cli/cmd_check.h"
#include "app/cli/cmd_trace.h"
#include "app/report/expect.h"
#include "app/report/fingerprint.h"
#include "app/scenario/scenario.h"
#include "model/netfilter/core.h"

static char *tmp_dir;
static char *tmp_file;

static int suite_init(void)
{
    tmp_dir = g_dir_make_tmp("ipvsim-expect-XXXXXX", NULL);
    tmp_file = tmp_dir ? g_build_filename(tmp_dir, "s.json", NULL) : NULL;
    return tmp_dir ? 0 : 1;
}

static int suite_clean(void)
{
    g_remove(tmp_file);
    g_rmdir(tmp_dir);
    g_free(tmp_file);
    g_free(tmp_dir);
    return 0;
}

/* Three NAT connections from one client, a user observer at LOCAL_IN 50; the expect
 * entries start on line 17, column 5, one per line. */
static const char *base_head =
    "{\n"
    "  \"name\": \"t\",\n"
    "  \"duration\": \"1s\",\n"
    "  \"director\": { \"name\": \"lvs1\", \"vip\": \"203.0.113.10\" },\n"
    "  \"servers\": [\n"
    "    { \"name\": \"rs1\", \"ip\": \"192.0.2.11\", \"port\": 8080, \"service_time\": \"const(1ms)\" },\n"
    "    { \"name\": \"rs2\", \"ip\": \"192.0.2.12\", \"port\": 8080, \"service_time\": \"const(1ms)\" }\n"
    "  ],\n"
    "  \"clients\": [ { \"name\": \"web\", \"count\": 1, \"net\": \"198.51.100.0/24\",\n"
    "    \"target\": \"203.0.113.10:80\", \"arrival\": \"const(100ms)\", \"stop\": \"350ms\",\n"
    "    \"request\": \"300B\", \"response\": \"1000B\" } ],\n"
    "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\",\n"
    "            \"-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 1\",\n"
    "            \"-a -t 203.0.113.10:80 -r 192.0.2.12:8080 -m -w 1\" ],\n"
    "  \"hooks\": [ { \"name\": \"obs\", \"hook\": \"LOCAL_IN\", \"priority\": 50 } ],\n"
    "  \"expect\": [\n";

/* Write the base scenario with these entries (NULL-terminated) and load it. */
static struct scenario *load_with(const char *const *entries, const char *const *sets,
                                  struct scn_error *err)
{
    GString *t = g_string_new(base_head);
    for (int i = 0; entries[i]; i++)
        g_string_append_printf(t, "    %s%s\n", entries[i], entries[i + 1] ? "," : "");
    g_string_append(t, "  ]\n}\n");
    g_file_set_contents(tmp_file, t->str, -1, NULL);
    g_string_free(t, TRUE);
    return scenario_load(tmp_file, sets, err);
}

/* check_scenario on the base with entries: its exit status, and its report. */
static int check_with(const char *const *entries, const char *const *sets, bool print_fp,
                      GString *out)
{
    struct scn_error err;
    struct scenario *s = load_with(entries, sets, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    int rc = check_scenario(s, print_fp, false, out);
    scenario_free(s);
    return rc;
}

static bool has(const GString *out, const char *needle)
{
    bool ok = strstr(out->str, needle) != NULL;
    if (!ok)
        fprintf(stderr, "\nnot found: %s\nin:\n%s", needle, out->str);
    return ok;
}

/* ---- every kind, passing ------------------------------------------------------------- */

static void test_every_kind_passes(void)
{
    static const char *const e[] = {
        "{ \"path\": { \"conn\": 1, \"packet\": 1, \"host\": \"lvs1\" }, \"equals\": [\"PRE_ROUTING\", \"LOCAL_IN\", \"LOCAL_OUT\", \"POST_ROUTING\"] }",
        "{ \"path\": { \"conn\": 1, \"packet\": 2 }, \"equals\": [\"prerouting\", \"FORWARD\", \"NF_INET_POST_ROUTING\"] }",
        "{ \"path\": { \"conn\": 2, \"host\": \"gw\" }, \"equals\": [\"PRE_ROUTING\", \"FORWARD\", \"POST_ROUTING\"] }",
        "{ \"path\": { \"conn\": 1, \"host\": \"web\" }, \"equals\": [\"LOCAL_OUT\", \"POST_ROUTING\"] }",
        "{ \"hook_order\": { \"hook\": \"LOCAL_IN\", \"host\": \"lvs1\" }, \"equals\": [\"obs@50\", \"ip_vs_out_hook@98\", \"ip_vs_in_hook\"] }",
        "{ \"hook_order\": { \"hook\": \"POST_ROUTING\", \"host\": \"director\" }, \"equals\": [] }",
        "{ \"dest\": { \"conn\": 1 }, \"equals\": \"rs2\", \"comment\": \"rr starts with the dest added last\" }",
        "{ \"dest\": { \"conn\": 2 }, \"equals\": \"rs1\" }",
        "{ \"metric\": \"connections.OK\", \"op\": \">=\", \"value\": 3 }",
        "{ \"metric\": \"connections.OK\", \"ratio_of\": \"connections.total\", \"op\": \"==\", \"value\": 1 }",
        "{ \"metric\": \"servers.rs2.scheduled\", \"op\": \"==\", \"value\": 2 }",
        "{ \"metric\": \"servers.0.name\", \"op\": \"==\", \"value\": \"rs1\" }",
        "{ \"metric\": \"complete\", \"op\": \"!=\", \"value\": false }",
        NULL,
    };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, NULL, false, out), 0);
    CU_ASSERT_TRUE(has(out, ": t, kernel 6.x, seed 1, 13 expectations\n"));
    CU_ASSERT_TRUE(has(out, "  PASS  path conn 1 packet 1 on lvs1: expected PRE_ROUTING LOCAL_IN "
                            "LOCAL_OUT POST_ROUTING, saw PRE_ROUTING LOCAL_IN LOCAL_OUT POST_ROUTING\n"));
    CU_ASSERT_TRUE(has(out, "  PASS  hook_order LOCAL_IN on lvs1: expected obs@50 ip_vs_out_hook@98 "
                            "ip_vs_in_hook, saw obs@50 ip_vs_out_hook@98 ip_vs_in_hook@99\n"));
    CU_ASSERT_TRUE(has(out, "  PASS  ratio connections.OK / connections.total: expected == 1, saw 1 (3 / 3)\n"));
    CU_ASSERT_TRUE(has(out, ": 13 passed, 0 failed\n"));
    g_string_free(out, TRUE);
}

/* ---- deliberately wrong expectations ---------------------------------------------------- */

static void test_wrong_expectations_fail(void)
{
    static const char *const e[] = {
        "{ \"dest\": { \"conn\": 1 }, \"equals\": \"rs1\", \"comment\": \"wrong on purpose\" }",
        "{ \"path\": { \"conn\": 1 }, \"equals\": [\"PRE_ROUTING\", \"FORWARD\", \"POST_ROUTING\"] }",
        "{ \"path\": { \"conn\": 1, \"packet\": 99 }, \"equals\": [] }",
        "{ \"path\": { \"conn\": 7 }, \"equals\": [] }",
        "{ \"hook_order\": { \"hook\": \"LOCAL_IN\" }, \"equals\": [\"obs@51\", \"ip_vs_out_hook\", \"ip_vs_in_hook\"] }",
        "{ \"dest\": { \"conn\": 9 }, \"equals\": \"rs1\" }",
        "{ \"metric\": \"connections.OK\", \"op\": \"<\", \"value\": 3 }",
        "{ \"metric\": \"connections.nosuch\", \"op\": \"==\", \"value\": 0 }",
        "{ \"metric\": \"connections.REFUSED\", \"ratio_of\": \"connections.REFUSED\", \"op\": \"==\", \"value\": 1 }",
        "{ \"metric\": \"servers\", \"op\": \"==\", \"value\": 1 }",
        "{ \"fingerprint\": \"0123456789abcdef\" }",
        "{ \"dest\": { \"conn\": 1 }, \"equals\": \"rs2\" }",
        NULL,
    };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, NULL, false, out), 1);
    CU_ASSERT_TRUE(has(out, "  FAIL  dest conn 1: expected rs1, saw rs2 -- wrong on purpose\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  path conn 1 packet 1 on lvs1: expected PRE_ROUTING FORWARD "
                            "POST_ROUTING, saw PRE_ROUTING LOCAL_IN LOCAL_OUT POST_ROUTING\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  path conn 1 packet 99 on lvs1: expected (no hook point), saw no "
                            "packet 99 (lvs1 saw "));
    CU_ASSERT_TRUE(has(out, "  FAIL  path conn 7 packet 1 on lvs1: expected (no hook point), saw no "
                            "packet of conversation 7 on lvs1\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  hook_order LOCAL_IN on lvs1: expected obs@51 ip_vs_out_hook "
                            "ip_vs_in_hook, saw obs@50 ip_vs_out_hook@98 ip_vs_in_hook@99\n"
                            "        first difference at position 1: expected obs@51, saw obs@50\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  dest conn 9: expected rs1, saw no conversation 9 (the run had 3)\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  metric connections.OK: expected < 3, saw 3\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  metric connections.nosuch: expected == 0, saw no value at "
                            "'connections.nosuch' in summary.json\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  ratio connections.REFUSED / connections.REFUSED: expected == 1, saw 0 / 0\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  metric servers: expected == 1, saw an array\n"));
    CU_ASSERT_TRUE(has(out, "  FAIL  fingerprint lvs1: expected 0123456789abcdef, saw "));
    CU_ASSERT_TRUE(has(out, "        pin \"calls\", \"every\" and \"marks\" too (ipvsim check "
                            "--print-fingerprint) to see where the runs part\n"));
    CU_ASSERT_TRUE(has(out, "  PASS  dest conn 1: expected rs2, saw rs2\n"));
    CU_ASSERT_TRUE(has(out, ": 1 passed, 11 failed\n"));
    g_string_free(out, TRUE);
}

/* A failing expectation given through --set fails the same way. */
static void test_wrong_expectation_by_override(void)
{
    static const char *const e[] = { "{ \"dest\": { \"conn\": 1 }, \"equals\": \"rs2\" }", NULL };
    static const char *const sets[] = { "expect.0.equals=\"rs1\"", NULL };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, NULL, false, out), 0);
    g_string_truncate(out, 0);
    CU_ASSERT_EQUAL(check_with(e, sets, false, out), 1);
    CU_ASSERT_TRUE(has(out, "  FAIL  dest conn 1: expected rs1, saw rs2\n"));
    g_string_free(out, TRUE);
}

/* ---- malformed entries: FILE:LINE:COL, before anything runs ----------------------------- */

struct bad_case {
    const char *entry;
    int line, col;
    const char *msg;
};

static void test_malformed_entries(void)
{
    static const struct bad_case cases[] = {
        { "{ \"comment\": \"x\" }", 17, 5, "expect[0]: expected one of the keys path, hook_order, dest, metric, fingerprint" },
        { "{ \"dest\": { \"conn\": 1 }, \"metric\": \"x\" }", 17, 5, "expect[0]: both 'dest' and 'metric': an entry states one thing" },
        { "{ \"path\": { \"conn\": 0 }, \"equals\": [] }", 17, 25, "expect[0].path.conn: expected an integer >= 1" },
        { "{ \"path\": { \"conn\": 1.5 }, \"equals\": [] }", 17, 25, "expect[0].path.conn: expected an integer >= 1" },
        { "{ \"path\": { \"packet\": 1 }, \"equals\": [] }", 17, 15, "expect[0].path: missing key 'conn' (an integer >= 1)" },
        { "{ \"path\": { \"conn\": 1 } }", 17, 5, "expect[0]: missing key 'equals' (the hook points, in order)" },
        { "{ \"path\": { \"conn\": 1 }, \"equals\": [\"PRE_ROUTING\", \"INPUTT\"] }", 17, 56, "expect[0].equals[1]: expected a hook point (PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT, POST_ROUTING)" },
        { "{ \"path\": { \"conn\": 1, \"pkt\": 2 }, \"equals\": [] }", 17, 35, "expect[0].path.pkt: unknown key 'pkt' (expected one of: conn, packet, host, comment)" },
        { "{ \"hook_order\": { \"host\": \"lvs1\" }, \"equals\": [] }", 17, 21, "expect[0].hook_order: missing key 'hook' (the hook point)" },
        { "{ \"hook_order\": { \"hook\": \"LOCAL_IN\", \"family\": \"inet6\" }, \"equals\": [] }", 17, 53, "expect[0].hook_order.family: expected \"ipv4\" or \"ipv6\" (the hook table of that family)" },
        { "{ \"hook_order\": { \"hook\": \"LOCAL_IN\" }, \"equals\": [\"a@b\"] }", 17, 56, "expect[0].equals[0]: expected a hook function name, \"name\" or \"name@priority\" (priority an integer)" },
        { "{ \"dest\": { \"conn\": 1 }, \"equals\": 3 }", 17, 40, "expect[0].equals: expected a real server's name (or null: served by none)" },
        { "{ \"metric\": \"connections.OK\", \"op\": \"=\", \"value\": 1 }", 17, 41, "expect[0].op: expected one of ==, !=, <, <=, >, >=" },
        { "{ \"metric\": \"connections.OK\", \"op\": \">\" }", 17, 5, "expect[0]: missing key 'value'" },
        { "{ \"metric\": \"kernel\", \"op\": \"<\", \"value\": \"6.x\" }", 17, 47, "expect[0].value: expected a number" },
        { "{ \"metric\": \"a\", \"ratio_of\": \"b\", \"op\": \"==\", \"value\": \"x\" }", 17, 60, "expect[0].value: expected a number" },
        { "{ \"fingerprint\": \"9f86d081884c7d6\" }", 17, 22, "expect[0].fingerprint: expected 16 hex digits (ipvsim check --print-fingerprint prints the value)" },
        { "{ \"fingerprint\": \"9f86d081884c7d65\", \"hots\": \"lvs1\" }", 17, 50, "expect[0].hots: unknown key 'hots' (expected one of: fingerprint, host, calls, every, marks, comment)" },
        { "{ \"fingerprint\": \"9f86d081884c7d65\", \"every\": 2, \"marks\": \"1a2b 3c4\" }", 17, 63, "expect[0].marks: expected words of 4 hex digits separated by a space (ipvsim check --print-fingerprint prints them)" },
        { "{ \"fingerprint\": \"9f86d081884c7d65\", \"marks\": \"1a2b\" }", 17, 51, "expect[0].marks: 'every' and 'marks' go together (ipvsim check --print-fingerprint prints both)" },
        { "{ \"fingerprint\": \"9f86d081884c7d65\", \"calls\": -1 }", 17, 51, "expect[0].calls: expected an integer >= 1" },
        { "{ \"dest\": { \"conn\": 1 }, \"equals\": \"rs1\", \"comment\": 5 }", 17, 58, "expect[0].comment: expected a string or an array of strings" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *const e[] = { cases[i].entry, NULL };
        struct scn_error err;
        struct scenario *s = load_with(e, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        struct expect_set *es = expect_parse(s, &err);
        CU_ASSERT_PTR_NULL(es);
        if (!es) {
            bool ok = err.pos.line == cases[i].line && err.pos.col == cases[i].col &&
                      strcmp(err.msg, cases[i].msg) == 0 && strcmp(err.file, tmp_file) == 0;
            if (!ok)
                fprintf(stderr, "\ncase %zu: got %d:%d: %s\n", i, err.pos.line, err.pos.col, err.msg);
            CU_ASSERT_TRUE(ok);
        }
        expect_set_free(es);
        /* And check_scenario says bad input. */
        GString *out = g_string_new(NULL);
        fflush(stdout);
        CU_ASSERT_EQUAL(check_scenario(s, false, false, out), 2);
        CU_ASSERT_EQUAL(out->len, 0);
        g_string_free(out, TRUE);
        scenario_free(s);
    }
}

/* Names are checked against the world once it is built: still bad input, at the place. */
static void test_unknown_names(void)
{
    static const char *const hosts[] = { "{ \"path\": { \"conn\": 1, \"host\": \"lvs2\" }, \"equals\": [] }", NULL };
    static const char *const servers[] = { "{ \"dest\": { \"conn\": 1 }, \"equals\": \"rs9\" }", NULL };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(hosts, NULL, false, out), 2);
    CU_ASSERT_EQUAL(check_with(servers, NULL, false, out), 2);
    CU_ASSERT_EQUAL(out->len, 0);
    g_string_free(out, TRUE);
}

/* ---- the fingerprint ------------------------------------------------------------------ */

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= ((const uint8_t *)p)[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t fnv_record(uint64_t h, uint8_t hook, int32_t prio, const char *name, uint32_t verdict)
{
    uint8_t p[4] = { (uint8_t)prio, (uint8_t)((uint32_t)prio >> 8), (uint8_t)((uint32_t)prio >> 16),
                     (uint8_t)((uint32_t)prio >> 24) };
    uint8_t v[4] = { (uint8_t)verdict, (uint8_t)(verdict >> 8), (uint8_t)(verdict >> 16),
                     (uint8_t)(verdict >> 24) };
    h = fnv_bytes(h, &hook, 1);
    h = fnv_bytes(h, p, 4);
    h = fnv_bytes(h, name, strlen(name) + 1);
    return fnv_bytes(h, v, 4);
}

/* The definition in app/report/fingerprint.h: records in the order the calls began, a nested
 * call after the one that made it. */
static void test_fingerprint_definition(void)
{
    CU_ASSERT_EQUAL(fnv_bytes(FP_FNV_OFFSET, "a", 1), 0xaf63dc4c8601ec8cull);  /* FNV-1a test vector */
    struct fp_sink f;
    fp_sink_init(&f);
    CU_ASSERT_EQUAL(fp_value(&f), FP_FNV_OFFSET);
    struct trace_event a = { .kind = TRACE_HOOK_ENTER, .func = "ip_vs_in_hook", .hook = NF_INET_LOCAL_IN, .priority = 99 };
    struct trace_event b = { .kind = TRACE_HOOK_ENTER, .func = "ip_vs_out_hook", .hook = NF_INET_LOCAL_OUT, .priority = -99 };
    struct trace_event c = { .kind = TRACE_HOOK_ENTER, .func = "obs", .hook = NF_INET_PRE_ROUTING, .priority = INT_MIN };
    fp_feed(&f, &a);
    fp_feed(&f, &b);
    b.kind = TRACE_HOOK;
    b.verdict = NF_ACCEPT;
    fp_feed(&f, &b);
    CU_ASSERT_EQUAL(f.calls, 0);            /* nothing hashed while the outer call is open */
    a.kind = TRACE_HOOK;
    a.verdict = NF_STOLEN;
    fp_feed(&f, &a);
    /* a hook point passed with no hook function is no call: it changes nothing */
    struct trace_event empty = { .kind = TRACE_HOOK_EMPTY, .func = "nf_hook", .hook = NF_INET_POST_ROUTING };
    fp_feed(&f, &empty);
    fp_feed(&f, &c);
    fp_feed(&f, &empty);
    c.kind = TRACE_HOOK;
    c.verdict = NF_DROP_ERR(-113);
    fp_feed(&f, &c);
    fp_feed(&f, &empty);
    uint64_t want = fnv_record(FP_FNV_OFFSET, NF_INET_LOCAL_IN, 99, "ip_vs_in_hook", NF_STOLEN);
    want = fnv_record(want, NF_INET_LOCAL_OUT, -99, "ip_vs_out_hook", NF_ACCEPT);
    want = fnv_record(want, NF_INET_PRE_ROUTING, INT_MIN, "obs", NF_DROP_ERR(-113));
    CU_ASSERT_EQUAL(fp_value(&f), want);
    CU_ASSERT_EQUAL(f.calls, 3);
    char buf[17];
    uint64_t back;
    CU_ASSERT_TRUE(fp_parse(fp_format(want, buf), &back));
    CU_ASSERT_EQUAL(back, want);
    CU_ASSERT_EQUAL(strlen(buf), 16);
    CU_ASSERT_FALSE(fp_parse("0123456789abcdeg", &back));
    CU_ASSERT_FALSE(fp_parse("0123456789abcde", &back));
    fp_sink_free(&f);
}

static char *fingerprint_with(const char *const *sets)
{
    static const char *const none[] = { NULL };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(none, sets, true, out), 0);
    return g_string_free(out, FALSE);
}

/* Moving a user hook's priority by one (50 -> 51: still the first at LOCAL_IN) changes
 * the director's fingerprint; the same run gives the same value. */
static void test_fingerprint_priority_by_one(void)
{
    static const char *const p51[] = { "hooks.0.priority=51", NULL };
    static const char *const p49[] = { "hooks.0.priority=49", NULL };
    char *a = fingerprint_with(NULL);
    char *b = fingerprint_with(NULL);
    char *c = fingerprint_with(p51);
    char *d = fingerprint_with(p49);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
    CU_ASSERT_STRING_NOT_EQUAL(a, d);
    CU_ASSERT_STRING_NOT_EQUAL(c, d);
    /* One line per host that called hook functions: only the director here. */
    CU_ASSERT_TRUE(g_str_has_prefix(a, "{ \"fingerprint\": \""));
    CU_ASSERT_TRUE(strstr(a, "\", \"host\": \"lvs1\", \"calls\": ") != NULL);
    CU_ASSERT_TRUE(g_str_has_suffix(a, "\" }\n"));
    CU_ASSERT_EQUAL(strchr(a, '\n'), a + strlen(a) - 1);
    /* The value printed is the value pinned: it passes; the old one fails. */
    char fp[17];
    g_strlcpy(fp, a + strlen("{ \"fingerprint\": \""), sizeof fp);
    char *entry = g_strdup_printf("{ \"fingerprint\": \"%s\" }", fp);
    const char *const e[] = { entry, NULL };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, NULL, false, out), 0);
    CU_ASSERT_EQUAL(check_with(e, p51, false, out), 1);
    g_string_free(out, TRUE);
    g_free(entry);
    g_free(a);
    g_free(b);
    g_free(c);
    g_free(d);
}

/* The shorter of two lists of hook points differs where the longer goes on. */
static void test_hook_order_difference_at_the_end(void)
{
    static const char *const e[] = {
        "{ \"hook_order\": { \"hook\": \"LOCAL_IN\" }, \"equals\": [\"obs\", \"ip_vs_out_hook\"] }",
        "{ \"hook_order\": { \"hook\": \"POST_ROUTING\" }, \"equals\": [\"obs\"] }",
        NULL,
    };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, NULL, false, out), 1);
    CU_ASSERT_TRUE(has(out, "        first difference at position 3: expected no more, saw ip_vs_in_hook@99\n"));
    CU_ASSERT_TRUE(has(out, "        first difference at position 1: expected obs, saw no more\n"));
    g_string_free(out, TRUE);
}

/* What a failed hook_order says it saw, the first difference included, is the
 * registration before the run, whatever the run's events do later. */
static void test_hook_order_difference_before_the_run(void)
{
    static const char *const e[] = {
        "{ \"hook_order\": { \"hook\": \"LOCAL_IN\" }, \"equals\": [\"ip_vs_out_hook\", \"ip_vs_in_hook\"] }",
        NULL,
    };
    static const char *const later[] = {
        "events=[{ \"at\": \"500ms\", \"do\": \"hook_unregister\", \"name\": \"obs\" }]", NULL,
    };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, later, false, out), 1);
    CU_ASSERT_TRUE(has(out, "saw obs@50 ip_vs_out_hook@98 ip_vs_in_hook@99\n"
                            "        first difference at position 1: expected ip_vs_out_hook, saw obs@50\n"));
    g_string_free(out, TRUE);
}

/* Marks: unpinned, every doubles so that there are at most FP_MARKS_MAX; each is the low
 * 16 bits of the hash after (j + 1) * every calls, as a pinned sink measures them. */
static void test_fingerprint_marks(void)
{
    struct fp_sink loose, pinned;
    fp_sink_init(&loose);
    fp_sink_init(&pinned);
    fp_sink_pin_every(&pinned, 8);
    uint64_t hashes[1001];
    hashes[0] = loose.hash;
    for (int i = 1; i <= 1000; i++) {
        struct trace_event ev = { .kind = TRACE_HOOK, .func = "f", .hook = i % 5, .priority = i,
                                  .time = i * 1000, .pkt = (uint64_t)i };
        fp_feed(&loose, &ev);
        fp_feed(&pinned, &ev);
        hashes[i] = loose.hash;
    }
    CU_ASSERT_EQUAL(loose.every, 32);       /* 1000 / 32: 31 marks; every 16 would be 62 */
    CU_ASSERT_EQUAL(loose.marks->len, 31);
    for (guint j = 0; j < loose.marks->len; j++)
        CU_ASSERT_EQUAL(g_array_index(loose.marks, uint16_t, j), (uint16_t)hashes[(j + 1) * 32]);
    CU_ASSERT_EQUAL(pinned.every, 8);
    CU_ASSERT_EQUAL(pinned.marks->len, 125);
    CU_ASSERT_EQUAL(g_array_index(pinned.marks, uint16_t, 124), (uint16_t)hashes[1000]);
    /* the calls that begin each stretch: 1, 9, 17, ... */
    CU_ASSERT_EQUAL(pinned.starts->len, 125);
    CU_ASSERT_EQUAL(g_array_index(pinned.starts, struct fp_call, 2).pkt, 17);
    GString *t = g_string_new(NULL);
    fp_marks_format(&loose, t);
    GArray *back = fp_marks_parse(t->str);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(back->len, 31);
    CU_ASSERT_EQUAL(memcmp(back->data, loose.marks->data, 31 * sizeof(uint16_t)), 0);
    CU_ASSERT_PTR_NULL(fp_marks_parse(""));
    CU_ASSERT_PTR_NULL(fp_marks_parse("12345"));
    g_array_free(back, TRUE);
    g_string_free(t, TRUE);
    fp_sink_free(&loose);
    fp_sink_free(&pinned);
}

/* A fingerprint pinned with its marks says where a run parts from it: a shorter run
 * shares the pinned run's beginning, then parts; the call there is the first call the
 * two runs may not share, with its place. */
static void test_fingerprint_where_runs_part(void)
{
    char *a = fingerprint_with(NULL);
    g_strchomp(a);
    const char *const e[] = { a, NULL };
    static const char *const shorter[] = { "clients.0.stop=\"150ms\"", NULL };
    static const char *const p51[] = { "hooks.0.priority=51", NULL };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_with(e, NULL, false, out), 0);
    g_string_truncate(out, 0);
    CU_ASSERT_EQUAL(check_with(e, shorter, false, out), 1);
    const char *d = strstr(out->str, "\n        the pinned run made ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    unsigned long long pinned_calls, shared;
    CU_ASSERT_EQUAL(sscanf(d, "\n        the pinned run made %llu hook calls; the runs share the "
                           "first %llu hook calls", &pinned_calls, &shared), 2);
    CU_ASSERT_TRUE(shared > 0 && shared < pinned_calls);
    CU_ASSERT_TRUE(has(out, " of conversation "));
    CU_ASSERT_TRUE(has(out, "(ipvsim trace "));
    /* the very first call differs: nothing is shared */
    g_string_truncate(out, 0);
    CU_ASSERT_EQUAL(check_with(e, p51, false, out), 1);
    CU_ASSERT_TRUE(has(out, "        the runs share the first 0 hook calls (0 of the "));
    CU_ASSERT_TRUE(has(out, "; this run's call 1 is at "));
    /* --print-fingerprint chooses its own stretch again, whatever the entry pins */
    static const char *const longer[] = { "clients.0.stop=\"950ms\"", NULL };
    g_string_truncate(out, 0);
    CU_ASSERT_EQUAL(check_with(e, longer, true, out), 0);
    unsigned long long every_pinned = 0, every_printed = 0;
    CU_ASSERT_EQUAL(sscanf(strstr(a, "\"every\": "), "\"every\": %llu", &every_pinned), 1);
    CU_ASSERT_EQUAL(sscanf(strstr(out->str, "\"every\": "), "\"every\": %llu", &every_printed), 1);
    CU_ASSERT_TRUE(every_printed > every_pinned);
    const char *marks = strstr(out->str, "\"marks\": \"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(marks);
    unsigned words = 1;
    for (const char *p = marks + 10; *p != '"'; p++)
        words += *p == ' ';
    CU_ASSERT_TRUE(words >= FP_MARKS_MAX / 2 && words <= FP_MARKS_MAX);
    g_string_free(out, TRUE);
    g_free(a);
}

/* ---- the era scenarios ---------------------------------------------------------------- */

static int check_file(const char *path, const char *const *sets, GString *out)
{
    struct scn_error err;
    struct scenario *s = scenario_load(path, sets, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    int rc = check_scenario(s, false, false, out);
    scenario_free(s);
    return rc;
}

/* Every scenarios/era-*.json passes its own expectations. */
static void test_era_scenarios_pass(void)
{
    GDir *d = g_dir_open("scenarios", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const char *name;
    int n = 0;
    while ((name = g_dir_read_name(d))) {
        if (!g_str_has_prefix(name, "era-") || !g_str_has_suffix(name, ".json"))
            continue;
        char *path = g_build_filename("scenarios", name, NULL);
        GString *out = g_string_new(NULL);
        int rc = check_file(path, NULL, out);
        if (rc != 0)
            fprintf(stderr, "\n%s", out->str);
        CU_ASSERT_EQUAL(rc, 0);
        g_string_free(out, TRUE);
        g_free(path);
        n++;
    }
    g_dir_close(d);
    CU_ASSERT(n >= 12);
}

/* An era's expectations fail under the other era: what changed is what they check. */
static void test_era_pairs_differ(void)
{
    static const struct { const char *file, *other; int rc; const char *must; } pairs[] = {
        { "scenarios/era-local-client-6.x.json", "2.6.34", 1,
          "FAIL  hook_order LOCAL_OUT on lvs1: expected ip_vs_out_hook@-99 ip_vs_in_hook@-98, saw (no hook function)\n" },
        { "scenarios/era-local-client-2.6.34.json", "6.x", 1,
          "FAIL  path conn 1 packet 1 on lvs1: expected LOCAL_OUT POST_ROUTING PRE_ROUTING LOCAL_IN LOCAL_OUT POST_ROUTING, saw LOCAL_OUT LOCAL_OUT POST_ROUTING -- " },
        { "scenarios/era-tie-4.9.json", "6.x", 1,
          "FAIL  hook_order LOCAL_IN on lvs1: expected ip_vs_reply4@98 ip_vs_remote_request4@99 firewall@99, saw ip_vs_out_hook@98 firewall@99 ip_vs_in_hook@99\n" },
        /* 5.10 ties like 6.x (the names are 4.9's). */
        { "scenarios/era-tie-6.x.json", "5.10", 1,
          "PASS  ratio connections.TIMEOUT / connections.total: expected == 1, saw 1 (3 / 3)\n" },
        { "scenarios/era-tie-6.x.json", "4.9", 1,
          "FAIL  ratio connections.TIMEOUT / connections.total: expected == 1, saw 0 (0 / 3)\n" },
        { "scenarios/era-post-routing-2.6.34.json", "6.x", 1,
          "FAIL  ratio connections.OK / connections.total: expected == 1, saw 0 (0 / 3)\n" },
        { "scenarios/era-post-routing-6.x.json", "2.6.34", 1,
          "FAIL  hook_order POST_ROUTING on lvs1: expected post_drop@100, saw ip_vs_post_routing@99 post_drop@100\n" },
        { "scenarios/era-nat.json", "2.6.34", 1,
          "FAIL  hook_order LOCAL_IN on lvs1: expected ip_vs_out_hook@98 ip_vs_in_hook@99, saw ip_vs_in@100\n" },
        { "scenarios/era-nat.json", "6.x", 0, ": 8 passed, 0 failed\n" },
        /* 2.6.34's wrr starts its first pass at the largest weight; 3.10+ at 1 after
         * sequential adds. 2.6.34's sh ignores weights. */
        { "scenarios/era-wrr-2.6.34.json", "6.x", 1, "FAIL  dest conn 1: expected rs1, saw rs3 -- " },
        { "scenarios/era-sh-2.6.34.json", "6.x", 1,
          "FAIL  metric servers.rs1.scheduled: expected == 46, saw 29 -- " },
        /* a listing reads live counters in 2.6.34, the estimator's last pass later */
        { "scenarios/era-stats-6.x.json", "2.6.34", 1,
          "FAIL  metric services.0.listed.conns: expected == 0, saw 9 -- " },
        { "scenarios/era-stats-6.x.json", "4.9", 0, ": 3 passed, 0 failed\n" },
        { "scenarios/era-stats-2.6.34.json", "6.x", 1,
          "FAIL  metric services.0.listed.conns: expected == 9, saw 0 -- " },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
        GPtrArray *ov = cmdline_overrides(NULL, NULL, pairs[i].other, NULL);
        GString *out = g_string_new(NULL);
        int rc = check_file(pairs[i].file, (const char *const *)ov->pdata, out);
        CU_ASSERT_EQUAL(rc, pairs[i].rc);
        CU_ASSERT_TRUE(has(out, pairs[i].must));
        g_string_free(out, TRUE);
        g_ptr_array_free(ov, TRUE);
    }
}

IPVSIM_SUITE(expect)
{
    CU_pSuite s = CU_add_suite("expect", suite_init, suite_clean);
    ADD_TEST(s, test_every_kind_passes);
    ADD_TEST(s, test_wrong_expectations_fail);
    ADD_TEST(s, test_wrong_expectation_by_override);
    ADD_TEST(s, test_malformed_entries);
    ADD_TEST(s, test_unknown_names);
    ADD_TEST(s, test_fingerprint_definition);
    ADD_TEST(s, test_fingerprint_priority_by_one);
    ADD_TEST(s, test_hook_order_difference_at_the_end);
    ADD_TEST(s, test_hook_order_difference_before_the_run);
    ADD_TEST(s, test_fingerprint_marks);
    ADD_TEST(s, test_fingerprint_where_runs_part);
    ADD_TEST(s, test_era_scenarios_pass);
    ADD_TEST(s, test_era_pairs_differ);
}
