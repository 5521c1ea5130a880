/* The scenario loader (app/scenario*.c): positions of syntax and semantic errors,
 * defaults, --set overrides, events, the bad-scenario corpus (tests/bad-scenarios/,
 * every NAME.json fails with exactly NAME.expected), and the JSON Schema kept in step
 * with the loader. Run from the top of the tree (as `make test` does). */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tests/golden.h"
#include "tests/testutil.h"
#include "app/scenario/scenario.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario_internal.h"
#include "app/scenario/sysctl.h"
#include "model/netfilter/core.h"
#include "model/profile.h"

#define CORPUS "tests/bad-scenarios"
#define SCHEMA "docs/scenario.schema.json"

/* ---- helpers --------------------------------------------------------------------------- */

static char *tmp_dir;
static GPtrArray *tmp_files;

static int suite_init(void)
{
    tmp_dir = g_dir_make_tmp("ipvsim-scenario-XXXXXX", NULL);
    tmp_files = g_ptr_array_new_with_free_func(g_free);
    return tmp_dir ? 0 : 1;
}

static int suite_clean(void)
{
    for (guint i = tmp_files->len; i > 0; i--)
        g_remove(g_ptr_array_index(tmp_files, i - 1));
    g_ptr_array_free(tmp_files, TRUE);
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return 0;
}

/* Write text to name in the temporary directory; the path stays valid. */
static const char *write_file(const char *name, const char *text)
{
    char *path = g_build_filename(tmp_dir, name, NULL);
    char *dir = g_path_get_dirname(path);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_mkdir(dir, 0700);
        g_ptr_array_add(tmp_files, g_strdup(dir));
    }
    g_free(dir);
    g_file_set_contents(path, text, -1, NULL);
    for (guint i = 0; i < tmp_files->len; i++)
        if (strcmp(g_ptr_array_index(tmp_files, i), path) == 0) {
            g_free(path);
            return g_ptr_array_index(tmp_files, i);
        }
    g_ptr_array_add(tmp_files, path);
    return path;
}

static struct scenario *load_text(const char *text, const char *const *sets, struct scn_error *err)
{
    return scenario_load(write_file("t.json", text), sets, err);
}

/* "LINE:COL: MESSAGE" of an error (the file is the temporary one). */
static char errbuf[1024];
static const char *where(const struct scn_error *err)
{
    if (err->pos.line > 0)
        snprintf(errbuf, sizeof errbuf, "%d:%d: %s", err->pos.line, err->pos.col, err->msg);
    else
        snprintf(errbuf, sizeof errbuf, "%s", err->msg);
    return errbuf;
}

/* Load text, which must fail with exactly want ("LINE:COL: MESSAGE"). */
static void expect_error(const char *text, const char *const *sets, const char *want)
{
    struct scn_error err;
    struct scenario *s = load_text(text, sets, &err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    if (s)
        return;
    CU_ASSERT_STRING_EQUAL(where(&err), want);
    if (strcmp(errbuf, want) != 0)
        fprintf(stderr, "\n  want: %s\n  got:  %s\n", want, errbuf);
}

#define BASE "\"servers\": [ { \"ip\": \"192.0.2.11\" } ], \"clients\": [], \"ipvs\": []"

/* ---- syntax errors ------------------------------------------------------------------- */

struct syntax_case {
    const char *text;
    int line, col;
    const char *msg;
};

static void test_syntax_positions(void)
{
    static const struct syntax_case cases[] = {
        { "", 1, 1, "unexpected end of the file: expected a JSON value" },
        { "{\"a\": 1,\n \"b\" 2}", 2, 6, "expected ':' after the key 'b', found '2'" },
        { "{\"a\": [1, 2,]}", 1, 13, "expected a value after ',' (no trailing comma before ']')" },
        { "{\"a\": [1 2]}", 1, 10, "expected ',' or ']' after an array element, found '2'" },
        { "{\"a\": \"x\n\"}", 1, 7, "unterminated string (the line ends before its closing '\"')" },
        { "{\"a\": \"x", 1, 7, "unterminated string (no closing '\"' before the end of the file)" },
        { "{\n\t\t\"a\": tru }", 2, 8, "invalid word 'tru' (expected true, false or null; a string needs double quotes)" },
        { "{\"é\": 1, \"ü\": 2,, }", 1, 17, "expected a key in double quotes, found ','" },
        { "{\"a\": 1} x", 1, 10, "unexpected 'x' after the end of the document" },
        { "{\"a\": 01}", 1, 7, "invalid number: leading zeros are not allowed" },
        { "{\"a\": 1.}", 1, 7, "invalid number: expected a digit after '.'" },
        { "{\"a\": 1e}", 1, 7, "invalid number: expected a digit in the exponent" },
        { "{\"a\": 1e999}", 1, 7, "number out of range" },
        { "{\"a\": \"\\ud83d\"}", 1, 8, "invalid \\u escape in string: a high surrogate without its low half" },
        { "{\"a\": \"\\u12\"}", 1, 8, "invalid \\u escape in string: expected 4 hex digits" },
        { "\xef\xbb\xbf{\"a\": ]", 1, 7, "expected a value after ':' (an object, array, string, number, true, false or null), found ']'" },
        { "{\"a\": 1}\r\n\r\n  ]", 3, 3, "unexpected ']' after the end of the document" },
        { "{\"a\": \"\xff\"}", 1, 7, "invalid UTF-8 in string" },
        { "{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key 'a' (first at 1:2)" },
        { "{\"a\": {\"b\": [\n", 2, 1, "unexpected end of the file: the array at 1:13 is not closed" },
        { "{\"a\": {\"b\": 1\n", 2, 1, "unexpected end of the file: the object at 1:7 is not closed" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GHashTable *pos = scn_json_pos_table();
        struct scn_pos ep = { 0 };
        char msg[512] = "";
        cJSON *root = scn_json_parse(cases[i].text, strlen(cases[i].text), pos, &ep, msg, sizeof msg);
        CU_ASSERT_PTR_NULL(root);
        cJSON_Delete(root);
        bool ok = ep.line == cases[i].line && ep.col == cases[i].col && strcmp(msg, cases[i].msg) == 0;
        CU_ASSERT(ok);
        if (!ok)
            fprintf(stderr, "\n  case %zu: want %d:%d: %s\n  got %d:%d: %s\n", i, cases[i].line,
                    cases[i].col, cases[i].msg, ep.line, ep.col, msg);
        g_hash_table_destroy(pos);
    }
}

static struct scn_node_pos *pos_of(GHashTable *pos, const cJSON *node)
{
    struct scn_node_pos *np = g_hash_table_lookup(pos, node);
    CU_ASSERT_PTR_NOT_NULL_FATAL(np);
    return np;
}

static void test_value_positions(void)
{
    /* a tab is one column; so is "é" (two bytes); an escape counts its characters */
    const char *text = "{\n\t\"a\": [ 1,\n\t\t\"é\\\"x\" ],\r\n  \"bé\":\t{ \"c\": true } }";
    GHashTable *pos = scn_json_pos_table();
    struct scn_pos ep;
    char msg[256];
    cJSON *root = scn_json_parse(text, strlen(text), pos, &ep, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    struct scn_node_pos *np = pos_of(pos, root);
    CU_ASSERT(np->val.line == 1 && np->val.col == 1);
    cJSON *a = cJSON_GetObjectItem(root, "a");
    np = pos_of(pos, a);
    CU_ASSERT(np->key.line == 2 && np->key.col == 2);
    CU_ASSERT(np->val.line == 2 && np->val.col == 7);
    np = pos_of(pos, cJSON_GetArrayItem(a, 0));
    CU_ASSERT(np->val.line == 2 && np->val.col == 9);
    np = pos_of(pos, cJSON_GetArrayItem(a, 1));
    CU_ASSERT(np->val.line == 3 && np->val.col == 3);
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(a, 1)->valuestring, "é\"x");
    cJSON *b = cJSON_GetObjectItem(root, "bé");
    np = pos_of(pos, b);
    CU_ASSERT(np->key.line == 4 && np->key.col == 3);
    CU_ASSERT(np->val.line == 4 && np->val.col == 9);
    np = pos_of(pos, cJSON_GetObjectItem(b, "c"));
    CU_ASSERT(np->key.line == 4 && np->key.col == 11);
    CU_ASSERT(np->val.line == 4 && np->val.col == 16);
    cJSON_Delete(root);
    g_hash_table_destroy(pos);

    struct scn_pos p = scn_json_offset_pos("ab\ncé\td", 9, 7);
    CU_ASSERT(p.line == 2 && p.col == 4);
}

/* Errors deep in a document name the value's own line and column. */
static void test_semantic_positions(void)
{
    expect_error("{\n  " BASE ",\n  \"links\": {\n    \"clients\": {\n      \"latency\": \"5 ms\" } } }",
                 NULL, "5:18: links.clients.latency: expected a duration like \"50us\" (units ns, us, "
                       "ms, s, m, h), not \"5 ms\" (no space between the number and its unit)");
    expect_error("{\n\t" BASE ",\n\t\"events\": [\n\t\t{ \"at\": \"1s\", \"do\": \"server_up\", "
                 "\"server\": \"rs7\" } ] }", NULL,
                 "4:46: events[0].server: unknown server 'rs7' (the servers are: rs1)");
    /* a key error points at the key */
    expect_error("{ " BASE ", \"director\": { \"nmae\": \"x\" } }", NULL,
                 "1:83: director: unknown key 'nmae' (did you mean 'name'? expected one of: name, "
                 "vip, dip, vip6, dip6, ip_forward, memory, backup, comment)");
    /* characters before the value on its line: "é" and escapes */
    expect_error("{ \"description\": \"é\\u00e9\\n\", " BASE ", \"seed\": \"x\" }", NULL,
                 "1:105: seed: expected an integer from 0 to 18446744073709551615");
}

static void test_pos_in_string(void)
{
    struct scn_error err;
    struct scenario *s = load_text(
        "{ \"servers\": [ { \"ip\": \"192.0.2.11\" } ], \"clients\": [],\n"
        "  \"ipvs\": [ \"-A -t \\\"x\\\" \\u00e9\\ud83d\\ude00 -s  rr\" ] }", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct scn_line *l = &g_array_index(s->ipvs, struct scn_line, 0);
    /* decoded: -A -t "x" é😀 -s  rr */
    CU_ASSERT_STRING_EQUAL(l->text, "-A -t \"x\" \xc3\xa9\xf0\x9f\x98\x80 -s  rr");
    CU_ASSERT(l->pos.line == 2 && l->pos.col == 14);
    struct scn_pos p = scn_pos_in_string(s, l->pos, 0);
    CU_ASSERT(p.line == 2 && p.col == 14);
    p = scn_pos_in_string(s, l->pos, 6);             /* the first quote: \" at col 20 */
    CU_ASSERT(p.col == 20);
    p = scn_pos_in_string(s, l->pos, 7);             /* x */
    CU_ASSERT(p.col == 22);
    p = scn_pos_in_string(s, l->pos, 10);            /* é: \u00e9 at col 26 */
    CU_ASSERT(p.col == 26);
    p = scn_pos_in_string(s, l->pos, 11);            /* inside é: still the escape */
    CU_ASSERT(p.col == 26);
    p = scn_pos_in_string(s, l->pos, 12);            /* the emoji: a surrogate pair at col 32 */
    CU_ASSERT(p.col == 32);
    p = scn_pos_in_string(s, l->pos, 16);            /* the space after it */
    CU_ASSERT(p.col == 44);
    p = scn_pos_in_string(s, l->pos, strlen(l->text) - 2);
    CU_ASSERT(p.col == 49);
    p = scn_pos_in_string(s, l->pos, 1000);          /* past the end: the closing quote */
    CU_ASSERT(p.col == 51);

    /* the lead's use: an error inside a line */
    scn_error_at(&err, s, scn_pos_in_string(s, l->pos, 17), "unknown option '%s'", "-s");
    CU_ASSERT_STRING_EQUAL(where(&err), "2:45: unknown option '-s'");
    CU_ASSERT(g_str_has_suffix(err.file, "t.json"));
    scenario_free(s);
}

/* ---- defaults, a full scenario ---------------------------------------------------------- */

static void test_defaults(void)
{
    struct scn_error err;
    struct scenario *s = load_text(
        "{ \"servers\": [ { \"ip\": \"192.0.2.11\" }, { \"ip\": \"192.0.2.12\" } ],\n"
        "  \"clients\": [ { \"target\": \"203.0.113.10:80\" }, { \"target\": \"203.0.113.10:80\" } ],\n"
        "  \"ipvs\": [] }", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->name, "t");                 /* the file's name */
    CU_ASSERT_STRING_EQUAL(s->description, "");
    CU_ASSERT_EQUAL(s->seed, 1);
    CU_ASSERT_EQUAL(s->duration, 60 * SEC);
    CU_ASSERT_STRING_EQUAL(s->kernel, "6.x");
    CU_ASSERT_EQUAL(s->sysctls->len, 0);
    CU_ASSERT_STRING_EQUAL(s->director.name, "lvs1");
    CU_ASSERT_EQUAL(s->director.vip, 0);
    CU_ASSERT_EQUAL(s->director.dip, 0);
    CU_ASSERT_EQUAL(s->director.ip_forward, 1);

    CU_ASSERT_EQUAL_FATAL(s->servers->len, 2);
    const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, 1);
    CU_ASSERT_STRING_EQUAL(sv->name, "rs2");
    CU_ASSERT_EQUAL(sv->ip, htonl(0xc000020c));
    CU_ASSERT_EQUAL(sv->port, 80);
    CU_ASSERT_EQUAL(sv->workers, 8);
    CU_ASSERT(sv->service_time.kind == DIST_EXP && sv->service_time.a == 1e7);
    CU_ASSERT_EQUAL(sv->queue_limit, 128);
    CU_ASSERT(sv->pos.line == 1 && sv->pos.col == 40);

    CU_ASSERT_EQUAL_FATAL(s->clients->len, 2);
    const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, 1);
    CU_ASSERT_STRING_EQUAL(cl->name, "client2");
    CU_ASSERT_PTR_NULL(cl->host);
    CU_ASSERT_EQUAL(cl->count, 1);
    CU_ASSERT_EQUAL(cl->net, htonl(0x0a020000));       /* 10.2.0.0/16 for the second group */
    CU_ASSERT_EQUAL(cl->prefix, 16);
    CU_ASSERT_EQUAL(cl->target_ip, htonl(0xcb00710a));
    CU_ASSERT_EQUAL(cl->target_port, 80);
    CU_ASSERT_EQUAL(cl->protocol, IPPROTO_TCP);
    CU_ASSERT(cl->arrival.kind == DIST_EXP && fabs(cl->arrival.a - 1e8) < 1e-6);
    CU_ASSERT_EQUAL(cl->users, 0);
    CU_ASSERT(cl->request.kind == DIST_CONST && cl->request.a == 300);
    CU_ASSERT(cl->response.kind == DIST_CONST && cl->response.a == 10000);
    CU_ASSERT_EQUAL(cl->requests_per_conn, 1);
    CU_ASSERT_EQUAL(cl->connect_timeout, 3 * SEC);
    CU_ASSERT_EQUAL(cl->start, 0);
    CU_ASSERT_EQUAL(cl->stop, 60 * SEC);

    CU_ASSERT_EQUAL(s->link_clients.latency, MSEC);
    CU_ASSERT_EQUAL(s->link_clients.bandwidth, 1000000000ull);
    CU_ASSERT_EQUAL(s->link_clients.loss, 0);
    CU_ASSERT_EQUAL(s->link_clients.queue, 0);
    CU_ASSERT_EQUAL(s->link_servers.latency, 50 * USEC);
    CU_ASSERT_EQUAL(s->link_servers.bandwidth, 10000000000ull);
    CU_ASSERT_EQUAL(s->ipvs->len, 0);
    CU_ASSERT_EQUAL(s->netfilter->len, 0);
    CU_ASSERT_EQUAL(s->hooks->len, 0);
    CU_ASSERT_FALSE(s->healthcheck.enabled);
    CU_ASSERT_EQUAL(s->healthcheck.interval, 2 * SEC);
    CU_ASSERT_EQUAL(s->healthcheck.timeout, SEC);
    CU_ASSERT_EQUAL(s->healthcheck.retries, 3);
    CU_ASSERT_FALSE(s->healthcheck.quiesce);
    CU_ASSERT_EQUAL(s->events->len, 0);
    CU_ASSERT_EQUAL(s->capture_points->len, 0);
    CU_ASSERT_EQUAL(s->snaplen, 65535);
    CU_ASSERT_PTR_NULL(s->expect);
    CU_ASSERT_PTR_NOT_NULL(s->root);
    scenario_free(s);
}

/* A scenario with every key, and then some. */
static const char *full_text =
    "{\n"
    "  \"$schema\": \"../docs/scenario.schema.json\",\n"
    "  \"name\": \"wlc-vs-rr\",\n"
    "  \"description\": \"Three unequal servers; why weights matter.\",\n"
    "  \"comment\": [ \"line one\", \"line two\" ],\n"
    "  \"seed\": 18446744073709551615,\n"
    "  \"duration\": \"1m\",\n"
    "  \"kernel\": \"4.9\",\n"
    "  \"sysctl\": { \"expire_nodest_conn\": 1, \"net.ipv4.vs.conn_reuse_mode\": 0, \"sloppy_tcp\": 0 },\n"
    "  \"director\": { \"name\": \"lvs1\", \"vip\": \"203.0.113.10\", \"dip\": \"192.0.2.1\", \"ip_forward\": 1 },\n"
    "  \"servers\": [\n"
    "    { \"name\": \"rs1\", \"ip\": \"192.0.2.11\", \"port\": 8080, \"workers\": 8, \"service_time\": \"exp(10ms)\" },\n"
    "    { \"name\": \"rs2\", \"ip\": \"192.0.2.12\", \"port\": 80, \"workers\": 2, \"service_time\": \"uniform(1ms, 3ms)\",\n"
    "      \"queue_limit\": 0, \"comment\": \"small\" }\n"
    "  ],\n"
    "  \"clients\": [\n"
    "    { \"name\": \"web\", \"count\": 500, \"net\": \"198.51.100.0/23\", \"target\": \"203.0.113.10:80\",\n"
    "      \"protocol\": \"tcp\", \"arrival\": \"poisson(400/s)\", \"request\": \"300B\",\n"
    "      \"response\": \"lognormal(20KB,1.0)\", \"requests_per_conn\": 3, \"start\": \"1s\", \"stop\": \"50s\" },\n"
    "    { \"name\": \"dns\", \"protocol\": \"udp\", \"target\": \"203.0.113.10:53\", \"users\": 4, \"think\": \"100ms\",\n"
    "      \"request\": 0, \"response\": \"pareto(100B,1.5)\", \"connect_timeout\": \"500ms\" },\n"
    "    { \"name\": \"local\", \"host\": \"lvs1\", \"target\": \"192.0.2.11:8080\", \"arrival\": \"burst(5,1s)\" },\n"
    "    { \"name\": \"steady\", \"target\": \"203.0.113.10:80\", \"arrival\": \"const(2/s)\" }\n"
    "  ],\n"
    "  \"links\": { \"clients\": { \"latency\": \"5ms\", \"bandwidth\": \"1Gbps\", \"loss\": \"1%\", \"queue\": 100 },\n"
    "             \"servers\": { \"latency\": \"50us\", \"bandwidth\": \"unlimited\", \"loss\": 0.5 } },\n"
    "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s wlc\",\n"
    "            \"-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 4\" ],\n"
    "  \"netfilter\": [ \"-t filter -A INPUT -p tcp --dport 22 -j DROP\" ],\n"
    "  \"hooks\": [ { \"name\": \"probe\", \"hook\": \"LOCAL_IN\", \"priority\": 99 },\n"
    "             { \"name\": \"wall\", \"hook\": \"prerouting\", \"priority\": \"NF_IP_PRI_FIRST\",\n"
    "               \"verdict\": \"drop:EHOSTUNREACH\", \"host\": \"rs1\" } ],\n"
    "  \"healthcheck\": { \"type\": \"tcp\", \"interval\": \"2s\", \"timeout\": \"1s\", \"retries\": 3, \"quiesce\": true },\n"
    "  \"events\": [ { \"at\": \"40s\", \"do\": \"server_up\", \"server\": \"rs2\" },\n"
    "              { \"at\": \"20s\", \"do\": \"server_down\", \"server\": \"rs2\" },\n"
    "              { \"at\": \"30s\", \"do\": \"ipvsadm\", \"args\": \"-e -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 0\" },\n"
    "              { \"at\": \"20s\", \"do\": \"sysctl\", \"key\": \"net.ipv4.vs.expire_nodest_conn\", \"value\": 0 },\n"
    "              { \"at\": \"20s\", \"do\": \"link\", \"link\": \"servers\", \"loss\": \"5%\" },\n"
    "              { \"at\": \"45s\", \"do\": \"syn_flood\", \"rate\": \"10/ms\", \"target\": \"203.0.113.10:80\" },\n"
    "              { \"at\": \"0\", \"do\": \"hook_unregister\", \"name\": \"probe\" },\n"
    "              { \"at\": \"10s\", \"do\": \"server_refuse\", \"server\": \"rs1\", \"comment\": \"RST\" } ],\n"
    "  \"capture\": { \"points\": [\"lvs1:eth0\", \"director:eth1\", \"rs1:eth0\", \"web:eth0\"], \"snaplen\": 128 },\n"
    "  \"expect\": [ { \"path\": { \"conn\": 1, \"packet\": 1 },\n"
    "                \"equals\": [\"PRE_ROUTING\", \"LOCAL_IN\", \"LOCAL_OUT\", \"POST_ROUTING\"] } ]\n"
    "}\n";

static void test_full_scenario(void)
{
    struct scn_error err;
    struct scenario *s = load_text(full_text, NULL, &err);
    if (!s)
        fprintf(stderr, "\n  %s\n", where(&err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->name, "wlc-vs-rr");
    CU_ASSERT_EQUAL(s->seed, 18446744073709551615ull);
    CU_ASSERT_EQUAL(s->duration, 60 * SEC);
    CU_ASSERT_STRING_EQUAL(s->kernel, "4.9");
    CU_ASSERT_EQUAL_FATAL(s->sysctls->len, 3);
    const struct scn_sysctl *sc = &g_array_index(s->sysctls, struct scn_sysctl, 1);
    CU_ASSERT_STRING_EQUAL(sc->key, "conn_reuse_mode");
    CU_ASSERT_EQUAL(sc->value, 0);
    CU_ASSERT(sc->pos.line == 9);
    CU_ASSERT_EQUAL(s->director.dip, htonl(0xc0000201));

    const struct scn_server *rs2 = &g_array_index(s->servers, struct scn_server, 1);
    CU_ASSERT(rs2->service_time.kind == DIST_UNIFORM && rs2->service_time.a == 1e6 &&
              rs2->service_time.b == 3e6);
    CU_ASSERT_EQUAL(rs2->queue_limit, 0);
    CU_ASSERT_EQUAL(g_array_index(s->servers, struct scn_server, 0).port, 8080);

    CU_ASSERT_EQUAL_FATAL(s->clients->len, 4);
    const struct scn_client *web = &g_array_index(s->clients, struct scn_client, 0);
    CU_ASSERT_EQUAL(web->count, 500);
    CU_ASSERT_EQUAL(web->prefix, 23);
    CU_ASSERT(web->arrival.kind == DIST_EXP && fabs(web->arrival.a - 2.5e6) < 1e-6);
    CU_ASSERT(web->response.kind == DIST_LOGNORMAL && web->response.a == 20000 && web->response.b == 1.0);
    CU_ASSERT_EQUAL(web->requests_per_conn, 3);
    CU_ASSERT(web->start == SEC && web->stop == 50 * SEC);
    const struct scn_client *dns = &g_array_index(s->clients, struct scn_client, 1);
    CU_ASSERT_EQUAL(dns->protocol, IPPROTO_UDP);
    CU_ASSERT_EQUAL(dns->users, 4);
    CU_ASSERT(dns->think.kind == DIST_CONST && dns->think.a == 1e8);
    CU_ASSERT(dns->request.kind == DIST_CONST && dns->request.a == 0);
    CU_ASSERT(dns->response.kind == DIST_PARETO && dns->response.a == 100 && dns->response.b == 1.5);
    CU_ASSERT_EQUAL(dns->connect_timeout, 500 * MSEC);
    const struct scn_client *local = &g_array_index(s->clients, struct scn_client, 2);
    CU_ASSERT_STRING_EQUAL(local->host, "director");
    CU_ASSERT(local->arrival.kind == DIST_BURST && local->arrival.a == 5 && local->arrival.b == 1e9);
    const struct scn_client *steady = &g_array_index(s->clients, struct scn_client, 3);
    CU_ASSERT_PTR_NULL(steady->host);
    CU_ASSERT_EQUAL(steady->net, htonl(0x0a040000));   /* the 4th group's default 10.4.0.0/16 */
    CU_ASSERT(steady->arrival.kind == DIST_CONST && fabs(steady->arrival.a - 5e8) < 1e-6);

    CU_ASSERT(fabs(s->link_clients.loss - 0.01) < 1e-15);
    CU_ASSERT_EQUAL(s->link_clients.queue, 100);
    CU_ASSERT_EQUAL(s->link_servers.bandwidth, 0);
    CU_ASSERT_EQUAL(s->link_servers.loss, 0.5);

    CU_ASSERT_EQUAL_FATAL(s->ipvs->len, 2);
    CU_ASSERT_STRING_EQUAL(g_array_index(s->ipvs, struct scn_line, 1).text,
                           "-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 4");
    CU_ASSERT(g_array_index(s->ipvs, struct scn_line, 1).pos.line == 28 &&
              g_array_index(s->ipvs, struct scn_line, 1).pos.col == 14);
    CU_ASSERT_EQUAL(s->netfilter->len, 1);

    CU_ASSERT_EQUAL_FATAL(s->hooks->len, 2);
    const struct scn_hook *h0 = &g_array_index(s->hooks, struct scn_hook, 0);
    const struct scn_hook *h1 = &g_array_index(s->hooks, struct scn_hook, 1);
    CU_ASSERT(h0->hook == NF_INET_LOCAL_IN && h0->priority == 99 && h0->verdict == NF_ACCEPT);
    CU_ASSERT_PTR_NULL(h0->host);
    CU_ASSERT(h1->hook == NF_INET_PRE_ROUTING && h1->priority == NF_IP_PRI_FIRST);
    CU_ASSERT_EQUAL(h1->verdict, NF_DROP_ERR(-113));
    CU_ASSERT_STRING_EQUAL(h1->host, "rs1");

    CU_ASSERT(s->healthcheck.enabled && s->healthcheck.quiesce);

    /* sorted by time, equal times in file order */
    static const struct { sim_time_t at; enum scn_event_kind kind; } order[] = {
        { 0, EV_HOOK_UNREGISTER }, { 10 * SEC, EV_SERVER_REFUSE }, { 20 * SEC, EV_SERVER_DOWN },
        { 20 * SEC, EV_SYSCTL }, { 20 * SEC, EV_LINK }, { 30 * SEC, EV_IPVSADM },
        { 40 * SEC, EV_SERVER_UP }, { 45 * SEC, EV_SYN_FLOOD },
    };
    CU_ASSERT_EQUAL_FATAL(s->events->len, G_N_ELEMENTS(order));
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        const struct scn_event *e = &g_array_index(s->events, struct scn_event, i);
        CU_ASSERT(e->at == order[i].at && e->kind == order[i].kind);
    }
    const struct scn_event *e = &g_array_index(s->events, struct scn_event, 3);
    CU_ASSERT_STRING_EQUAL(e->key, "expire_nodest_conn");
    e = &g_array_index(s->events, struct scn_event, 4);
    CU_ASSERT_STRING_EQUAL(e->key, "servers");
    CU_ASSERT(e->link_has[2] && !e->link_has[0] && !e->link_has[1] && !e->link_has[3]);
    CU_ASSERT(fabs(e->link.loss - 0.05) < 1e-15);
    e = &g_array_index(s->events, struct scn_event, 5);
    CU_ASSERT_STRING_EQUAL(e->args.text, "-e -t 203.0.113.10:80 -r 192.0.2.11:8080 -m -w 0");
    CU_ASSERT(e->args.pos.line == 36);
    e = &g_array_index(s->events, struct scn_event, 7);
    CU_ASSERT_EQUAL(e->rate, 10000);
    CU_ASSERT_EQUAL(e->duration, 15 * SEC);            /* to the end of the run */
    CU_ASSERT_EQUAL(e->flood_net, htonl(0xc6120000));
    CU_ASSERT_EQUAL(e->flood_prefix, 15);
    CU_ASSERT(e->target_ip == htonl(0xcb00710a) && e->target_port == 80);
    CU_ASSERT(e->pos.line == 39 && e->pos.col == 15);
    e = &g_array_index(s->events, struct scn_event, 2);
    CU_ASSERT_STRING_EQUAL(e->server, "rs2");

    CU_ASSERT_EQUAL_FATAL(s->capture_points->len, 4);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(s->capture_points, 1), "lvs1:eth1");
    CU_ASSERT_EQUAL(s->snaplen, 128);
    CU_ASSERT(cJSON_IsArray(s->expect) && cJSON_GetArraySize(s->expect) == 1);
    struct scn_pos p = scn_pos_of(s, cJSON_GetArrayItem(s->expect, 0));
    CU_ASSERT(p.line == 43 && p.col == 15);
    scenario_free(s);
}

/* A trace file is found relative to the scenario's directory. */
static void test_trace_relative(void)
{
    write_file("traces.csv", "seconds\n0.001\n0.002\n0.0035\n");
    write_file("sub.csv", "2KB\n100\n");
    struct scn_error err;
    struct scenario *s = load_text(
        "{ \"servers\": [ { \"ip\": \"192.0.2.11\", \"service_time\": \"trace(traces.csv, ms)\" } ],\n"
        "  \"clients\": [ { \"target\": \"203.0.113.10:80\", \"arrival\": \"trace(traces.csv)\",\n"
        "                 \"response\": \"trace(sub.csv)\" } ], \"ipvs\": [] }", NULL, &err);
    if (!s)
        fprintf(stderr, "\n  %s\n", where(&err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct dist *st = &g_array_index(s->servers, struct scn_server, 0).service_time;
    CU_ASSERT_EQUAL_FATAL(st->ntrace, 3);
    CU_ASSERT(fabs(st->trace[2] - 3500) < 1e-6);        /* 0.0035 ms */
    const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, 0);
    CU_ASSERT_EQUAL_FATAL(cl->arrival.ntrace, 3);       /* gaps between arrival times */
    CU_ASSERT(fabs(cl->arrival.trace[0] - 1e6) < 1e-3);
    CU_ASSERT(fabs(cl->arrival.trace[2] - 1.5e6) < 1e-3);
    CU_ASSERT_EQUAL_FATAL(cl->response.ntrace, 2);
    CU_ASSERT_EQUAL(cl->response.trace[0], 2000);
    struct rng r;
    rng_init(&r, 1, "t");
    uint32_t cur = 0;
    CU_ASSERT_EQUAL(dist_draw(&cl->response, &r, &cur), 2000);
    CU_ASSERT_EQUAL(dist_draw(&cl->response, &r, &cur), 100);
    CU_ASSERT_EQUAL(dist_draw(&cl->response, &r, &cur), 2000);
    scenario_free(s);
}

/* ---- overrides ------------------------------------------------------------------------- */

static void test_overrides(void)
{
    struct scn_error err;
    const char *text =
        "{ \"servers\": [ { \"ip\": \"192.0.2.11\" } ],\n"
        "  \"clients\": [ { \"target\": \"203.0.113.10:80\", \"count\": 5 } ],\n"
        "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\" ],\n"
        "  \"sysctl\": { \"net.ipv4.vs.sloppy_tcp\": 0 } }";
    const char *const sets[] = {
        "seed=7", "clients.0.count=100", "clients[0].protocol=udp", "kernel=5.10",
        "sysctl.net.ipv4.vs.sloppy_tcp=1", "sysctl.expire_nodest_conn=1",
        "links.clients.latency=5ms", "ipvs.1=-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "description=\"a quoted string\"", "healthcheck.quiesce=true", "servers.0.workers=3",
        "name=override-1", "events=[{\"at\": \"1s\", \"do\": \"server_down\", \"server\": \"rs1\"}]",
        "clients.0.response=lognormal(1KB,0.5)", NULL,
    };
    struct scenario *s = load_text(text, sets, &err);
    if (!s)
        fprintf(stderr, "\n  %s\n", where(&err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->seed, 7);
    const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, 0);
    CU_ASSERT_EQUAL(cl->count, 100);
    CU_ASSERT_EQUAL(cl->protocol, IPPROTO_UDP);
    CU_ASSERT(cl->response.kind == DIST_LOGNORMAL && cl->response.a == 1000);
    CU_ASSERT_STRING_EQUAL(s->kernel, "5.10");
    CU_ASSERT_EQUAL_FATAL(s->sysctls->len, 2);
    CU_ASSERT_STRING_EQUAL(g_array_index(s->sysctls, struct scn_sysctl, 0).key, "sloppy_tcp");
    CU_ASSERT_EQUAL(g_array_index(s->sysctls, struct scn_sysctl, 0).value, 1);
    CU_ASSERT_STRING_EQUAL(g_array_index(s->sysctls, struct scn_sysctl, 1).key, "expire_nodest_conn");
    CU_ASSERT_EQUAL(s->link_clients.latency, 5 * MSEC);
    CU_ASSERT_EQUAL(s->link_servers.latency, 50 * USEC);
    CU_ASSERT_EQUAL_FATAL(s->ipvs->len, 2);
    const struct scn_line *l = &g_array_index(s->ipvs, struct scn_line, 1);
    CU_ASSERT_STRING_EQUAL(l->text, "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m");
    CU_ASSERT(l->pos.line == 0 && l->pos.set == 8);
    CU_ASSERT_STRING_EQUAL(s->description, "a quoted string");
    CU_ASSERT(s->healthcheck.quiesce && s->healthcheck.enabled);   /* the object now exists */
    CU_ASSERT_EQUAL(g_array_index(s->servers, struct scn_server, 0).workers, 3);
    CU_ASSERT_STRING_EQUAL(s->name, "override-1");
    CU_ASSERT_EQUAL(s->events->len, 1);
    /* an error found later in a line that came from --set names the override */
    scn_error_at(&err, s, scn_pos_in_string(s, l->pos, 3), "bad");
    CU_ASSERT_STRING_EQUAL(where(&err), "--set ipvs.1: bad");
    CU_ASSERT_EQUAL(err.pos.line, 0);
    scenario_free(s);

    /* errors name the override */
    const char *const bad1[] = { "clients.0.count=many", NULL };
    expect_error(text, bad1, "--set clients.0.count: expected an integer from 1 to 16777216, not a string");
    const char *const bad2[] = { "seed=1", "servers.2.ip=1.2.3.4", NULL };
    expect_error(text, bad2, "--set servers.2.ip: index 2 is past the end of 'servers' (1 element)");
    const char *const bad3[] = { "=3", NULL };
    expect_error(text, bad3, "--set : expected KEY=VALUE, e.g. --set seed=7");
    const char *const bad4[] = { "clients.0.count.x=3", NULL };
    expect_error(text, bad4, "--set clients.0.count.x: 'clients.0.count' is not an object or an array");
    const char *const bad5[] = { "servers.x=3", NULL };
    expect_error(text, bad5, "--set servers.x: 'servers' is an array: expected an index");
    const char *const bad6[] = { "sevrers=[]", NULL };
    expect_error(text, bad6, "--set sevrers: unknown key 'sevrers' (did you mean 'servers'? expected "
                             "one of: name, description, comment, seed, duration, kernel, sysctl, "
                             "director, servers, clients, links, ipvs, netfilter, netfilter6, hooks, healthcheck, "
                             "events, capture, limits, expect, $schema)");
    const char *const bad7[] = { "duration=10", NULL };
    expect_error(text, bad7, "--set duration: expected a duration like \"50us\" (units ns, us, ms, s, "
                             "m, h), not \"10\"");
    /* an override may fix what the file gets wrong */
    const char *const fix[] = { "duration=10s", NULL };
    s = load_text("{ " BASE ", \"duration\": \"ten seconds\" }", fix, &err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s)
        CU_ASSERT_EQUAL(s->duration, 10 * SEC);
    scenario_free(s);
}

/* ---- names ---------------------------------------------------------------------------- */

/* --set goes through the same tables as the file: unknown keys with "did you mean",
 * ranges, choices and units, each named by its override. */
static void test_overrides_tables(void)
{
    const char *prot[] = { "servers.0.prot=81", NULL };
    expect_error("{" BASE "}", prot, "--set servers.0.prot: unknown key 'prot' (did you mean "
                 "'port'? expected one of: name, ip, ip6, port, listen, workers, service_time, queue_limit, "
                 "close_after_response, sysctl, http_status, comment)");
    const char *port[] = { "servers[0].port=0", NULL };
    expect_error("{" BASE "}", port, "--set servers[0].port: expected an integer from 1 to 65535");
    const char *hc[] = { "healthcheck.type=udp", NULL };
    expect_error("{" BASE "}", hc, "--set healthcheck.type: unknown health check 'udp' (expected "
                 "\"tcp\" or \"none\")");
    const char *lat[] = { "links.clients.latency=5", NULL };
    expect_error("{" BASE "}", lat, "--set links.clients.latency: expected a duration like \"50us\" "
                 "(units ns, us, ms, s, m, h), not \"5\"");
    const char *adv[] = { "director.backup.advert_int=\"1500ms\"", NULL };
    expect_error("{" BASE "}", adv, "--set director.backup.advert_int: VRRP version 2 advertises "
                 "whole seconds: expected \"1s\" to \"255s\"");
    const char *mem[] = { "director.memory=64MiB", NULL };
    struct scn_error err;
    struct scenario *s = load_text("{" BASE "}", mem, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->director.memory, 64ull << 20);
    scenario_free(s);
}

static void test_name_escape(void)
{
    const char *msg = "\" is not a safe name: the results go to results/<name>/, so a name is made "
                      "of letters, digits, '-', '_' and '.', does not start with '.' and has at most "
                      "64 characters";
    const char *bad[] = { "../../x", "..", ".", "/etc", "a/b", "a\\\\b", "", ".hidden", "x y", "a:b",
                          "caf\xc3\xa9", NULL };
    for (int i = 0; bad[i]; i++) {
        char *text = g_strdup_printf("{ \"name\": \"%s\", " BASE " }", bad[i]);
        struct scn_error err;
        struct scenario *s = load_text(text, NULL, &err);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        if (!s) {
            CU_ASSERT(strstr(err.msg, msg) != NULL);
            CU_ASSERT(err.pos.line == 1 && err.pos.col == 11);
        }
        g_free(text);
    }
    const char *good[] = { "x", "wlc-vs-rr", "a.b_c-9", "-dash", NULL };
    for (int i = 0; good[i]; i++) {
        char *text = g_strdup_printf("{ \"name\": \"%s\", " BASE " }", good[i]);
        struct scn_error err;
        struct scenario *s = load_text(text, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (s)
            CU_ASSERT_STRING_EQUAL(s->name, good[i]);
        scenario_free(s);
        g_free(text);
    }
    /* no "name": the file's name, if it is a safe one */
    struct scn_error err;
    struct scenario *s = scenario_load(write_file("my scenario.json", "{ " BASE " }"), NULL, &err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    CU_ASSERT(strstr(err.msg, "the scenario has no \"name\"") == err.msg);
    s = scenario_load(write_file("good.name.json", "{ " BASE " }"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s)
        CU_ASSERT_STRING_EQUAL(s->name, "good.name");
    scenario_free(s);
}

static void test_unreadable(void)
{
    struct scn_error err;
    CU_ASSERT_PTR_NULL(scenario_load("/nonexistent/x.json", NULL, &err));
    CU_ASSERT_STRING_EQUAL(err.file, "/nonexistent/x.json");
    CU_ASSERT_EQUAL(err.pos.line, 0);
    CU_ASSERT_STRING_EQUAL(err.msg, "cannot read the scenario: No such file or directory");
}

/* ---- the corpus ---------------------------------------------------------------------------- */

/* The --set lines of NAME.set, if there is one. */
static char **corpus_sets(const char *json)
{
    char *path = g_strconcat(json, ".set", NULL);
    memcpy(path + strlen(json) - 5, ".set", 5);
    char *text = NULL;
    char **sets = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        g_strchomp(text);
        sets = g_strsplit(text, "\n", -1);
    }
    g_free(text);
    g_free(path);
    return sets;
}

static bool world_builds(const struct scenario *s, struct scn_error *err)
{
    struct run_world rw;
    if (!run_world_build(&rw, s, NULL, err))
        return false;
    run_world_free(&rw);
    return true;
}

static void test_corpus(void)
{
    GDir *d = g_dir_open(CORPUS, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const char *name;
    int n = 0;
    while ((name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".json"))
            continue;
        char *path = g_build_filename(CORPUS, name, NULL);
        char *exp_path = g_strdup(path);
        strcpy(exp_path + strlen(exp_path) - 5, ".exp");
        char *full_exp = g_strconcat(exp_path, "ected", NULL);
        char *want = NULL;
        bool have = g_file_get_contents(full_exp, &want, NULL, NULL);
        CU_ASSERT(have);
        if (!have)
            fprintf(stderr, "\n  %s: no %s\n", path, full_exp);
        char **sets = corpus_sets(path);
        struct scn_error err;
        struct scenario *s = scenario_load(path, (const char *const *)sets, &err);
        /* Faults in ipvsadm and iptables lines come out when the world is built. */
        bool refused = !s || !world_builds(s, &err);
        CU_ASSERT_TRUE(refused);
        if (!refused)
            fprintf(stderr, "\n  %s: loaded and built, expected an error\n", path);
        if (s)
            scenario_free(s);
        if (refused && have) {
            char *got = err.pos.line > 0
                            ? g_strdup_printf("%s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg)
                            : g_strdup_printf("%s: %s\n", err.file, err.msg);
            if (strcmp(got, want) == 0) {
                CU_PASS("the message is the .expected one");
            } else if (golden_update()) {
                CU_ASSERT(g_file_set_contents(full_exp, got, -1, NULL));
            } else {
                CU_FAIL("the message is not the .expected one");
                fprintf(stderr, "\n  %s\n    want: %s    got:  %s", path, want, got);
            }
            g_free(got);
        }
        g_strfreev(sets);
        g_free(want);
        g_free(full_exp);
        g_free(exp_path);
        g_free(path);
        n++;
    }
    g_dir_close(d);
    CU_ASSERT(n >= 100);
}

/* ---- never a crash: cut and damaged versions of a good file ---------------------------------- */

static void test_mutations(void)
{
    char *text = NULL;
    size_t len = 0;
    CU_ASSERT_FATAL(g_file_get_contents("scenarios/minimal.json", &text, &len, NULL));
    struct scn_error err;
    struct scenario *s = load_text(text, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(s);
    scenario_free(s);
    /* every prefix */
    for (size_t cut = 0; cut < len; cut++) {
        char *part = g_strndup(text, cut);
        s = load_text(part, NULL, &err);
        if (s)
            CU_ASSERT(cut > 0);
        scenario_free(s);
        if (!s)
            CU_ASSERT(err.msg[0] != '\0');
        g_free(part);
    }
    /* bytes replaced by characters JSON cares about */
    static const char repl[] = "{}[]\",:0\\ ax\t\n\x01\xff";
    struct rng r;
    rng_init(&r, 1, "mutations");
    for (int i = 0; i < 1500; i++) {
        char *m = g_strdup(text);
        int edits = 1 + (int)rng_below(&r, 3);
        for (int k = 0; k < edits; k++)
            m[rng_below(&r, len)] = repl[rng_below(&r, sizeof repl - 1)];
        s = load_text(m, NULL, &err);
        if (!s)
            CU_ASSERT(err.msg[0] != '\0');
        scenario_free(s);
        g_free(m);
    }
    g_free(text);
}

/* ---- the schema ------------------------------------------------------------------------- */

static cJSON *load_schema(void)
{
    char *text = NULL;
    if (!g_file_get_contents(SCHEMA, &text, NULL, NULL))
        return NULL;
    cJSON *j = cJSON_Parse(text);
    g_free(text);
    return j;
}

static const cJSON *def_of(const cJSON *schema, const char *name)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "$defs"), name);
}

/* The schema's property for a row agrees with it: type (and unit), range, default.
 * The refs of a property: its "$ref" and those one level down in allOf/oneOf/anyOf. */
static bool has_ref(const cJSON *prop, const char *def)
{
    char *want = g_strconcat("#/$defs/", def, NULL);
    bool found = false;
    const cJSON *r = cJSON_GetObjectItem(prop, "$ref");
    found = cJSON_IsString(r) && strcmp(r->valuestring, want) == 0;
    static const char *const groups[] = { "allOf", "oneOf", "anyOf" };
    for (size_t g = 0; g < G_N_ELEMENTS(groups) && !found; g++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(prop, groups[g])) {
            r = cJSON_GetObjectItem(e, "$ref");
            found |= cJSON_IsString(r) && strcmp(r->valuestring, want) == 0;
        }
    }
    g_free(want);
    return found;
}

static bool is_type(const cJSON *prop, const char *type)
{
    const cJSON *t = cJSON_GetObjectItem(prop, "type");
    return cJSON_IsString(t) && strcmp(t->valuestring, type) == 0;
}

/* {"type": "integer", "minimum": min, "maximum": max}, or an enum of min..max. */
static bool int_range(const cJSON *prop, long long min, long long max)
{
    const cJSON *en = cJSON_GetObjectItem(prop, "enum");
    if (en) {
        long long want = min;
        const cJSON *e;
        cJSON_ArrayForEach(e, en)
            if (!cJSON_IsNumber(e) || e->valuedouble != (double)want++)
                return false;
        return want == max + 1;
    }
    const cJSON *lo = cJSON_GetObjectItem(prop, "minimum"), *hi = cJSON_GetObjectItem(prop, "maximum");
    return is_type(prop, "integer") && cJSON_IsNumber(lo) && cJSON_IsNumber(hi) &&
           lo->valuedouble == (double)min && hi->valuedouble == (double)max;
}

/* The words of "a|b|c" are the enum's, in order. */
static bool same_words(const cJSON *en, const char *words)
{
    char **w = g_strsplit(words, "|", -1);
    bool ok = cJSON_GetArraySize(en) == (int)g_strv_length(w);
    for (int i = 0; ok && w[i]; i++) {
        const cJSON *e = cJSON_GetArrayItem(en, i);
        ok = cJSON_IsString(e) && strcmp(e->valuestring, w[i]) == 0;
    }
    g_strfreev(w);
    return ok;
}

/* The schema's "default" says what the row's says (as a file would write it). */
static bool same_default(const cJSON *prop, const struct scn_key *k)
{
    const cJSON *d = cJSON_GetObjectItem(prop, "default");
    if (!k->def)
        return d == NULL;
    if (cJSON_IsString(d))
        return strcmp(d->valuestring, k->def) == 0;
    if (cJSON_IsNumber(d))
        return d->valuedouble == g_ascii_strtod(k->def, NULL);
    if (cJSON_IsBool(d))
        return strcmp(k->def, cJSON_IsTrue(d) ? "true" : "false") == 0;
    if (cJSON_IsArray(d)) {
        char *text = cJSON_PrintUnformatted(d);
        bool same = strcmp(text, k->def) == 0;
        cJSON_free(text);
        return same;
    }
    return false;
}

static bool item_ref(const cJSON *prop, const char *def)
{
    return is_type(prop, "array") && has_ref(cJSON_GetObjectItem(prop, "items"), def);
}

/* kind: the event kind whose section this is (its "do" is that kind), else NULL. */
static bool same_row(const cJSON *prop, const struct scn_key *k, const char *kind)
{
    const struct scn_section *sub = k->sub ? scn_section_named(k->sub) : NULL;
    const cJSON *items = cJSON_GetObjectItem(prop, "items");
    switch (k->type) {
    case SCN_STRING:
        return is_type(prop, "string");
    case SCN_NAME:
        if (has_ref(prop, "name"))
            return k->max == SCN_NAME_MAX;
        {
            char *want = g_strdup_printf("{0,%lld}$", k->max - 1);
            const cJSON *pat = cJSON_GetObjectItem(prop, "pattern");
            bool ok = is_type(prop, "string") && cJSON_IsString(pat) &&
                      g_str_has_suffix(pat->valuestring, want);
            g_free(want);
            return ok;
        }
    case SCN_HOST:
        return has_ref(prop, "host") || (is_type(prop, "string") && cJSON_GetObjectItem(prop, "pattern"));
    case SCN_CHOICE:
        return same_words(cJSON_GetObjectItem(prop, "enum"), k->sub);
    case SCN_INT:
        return int_range(prop, k->min, k->max);
    case SCN_SEED:
        return is_type(prop, "integer") &&
               cJSON_GetObjectItem(prop, "minimum")->valuedouble == 0 &&
               cJSON_GetObjectItem(prop, "maximum")->valuedouble == (double)UINT64_MAX;
    case SCN_BOOL:
        return is_type(prop, "boolean");
    case SCN_DURATION:
        return has_ref(prop, k->min > 0 ? "positive_duration" : "duration");
    case SCN_BANDWIDTH:
        return has_ref(prop, "bandwidth");
    case SCN_RATE:
        return has_ref(prop, "rate_string");
    case SCN_LOSS:
        return has_ref(prop, "loss");
    case SCN_SIZE:
        return has_ref(prop, "size_string");
    case SCN_BYTES: {
        const cJSON *alt = cJSON_GetObjectItem(prop, "oneOf");
        return cJSON_GetArraySize(alt) == 2 && has_ref(prop, "size_string") &&
               int_range(cJSON_GetArrayItem(alt, 1), k->min, k->max);
    }
    case SCN_TIME_DIST:
        return has_ref(prop, "time_dist");
    case SCN_SIZE_DIST:
        return has_ref(prop, "size_dist");
    case SCN_ARRIVAL:
        return has_ref(prop, "arrival_string");
    case SCN_ADDR:
        return has_ref(prop, "address");
    case SCN_CIDR:
        return has_ref(prop, "cidr");
    case SCN_ENDPOINT:
        return has_ref(prop, "endpoint");
    case SCN_KERNEL:
        return cJSON_GetArraySize(cJSON_GetObjectItem(prop, "anyOf")) == 2;
    case SCN_HOOK:
    case SCN_VERDICT:
    case SCN_SYSCTL_NAME:
        return is_type(prop, "string") && cJSON_IsString(cJSON_GetObjectItem(prop, "pattern"));
    case SCN_PRIORITY:
        return has_ref(prop, "priority");
    case SCN_LINE:
        return has_ref(prop, "line");
    case SCN_LINES:
        return has_ref(prop, "lines");
    case SCN_PAIR:
        return is_type(prop, "array") && int_range(items, k->min, k->max) &&
               cJSON_GetObjectItem(prop, "minItems")->valuedouble == 2 &&
               cJSON_GetObjectItem(prop, "maxItems")->valuedouble == 2;
    case SCN_OBJECT:
        return sub && has_ref(prop, sub->schema);
    case SCN_ARRAY:
        return sub && item_ref(prop, sub->schema);
    case SCN_SYSCTLS:
        return is_type(prop, "object") && cJSON_GetObjectItem(prop, "propertyNames");
    case SCN_CAPTURE_POINTS:
        return is_type(prop, "array") && is_type(items, "string");
    case SCN_EXPECT:
        return is_type(prop, "array") && is_type(items, "object");
    case SCN_COMMENT:
        return has_ref(prop, "comment");
    case SCN_SCRIPT: {
        /* an array of the section's objects, or a CSV file's name */
        const cJSON *alt = cJSON_GetObjectItem(prop, "oneOf");
        return sub && cJSON_GetArraySize(alt) == 2 && item_ref(cJSON_GetArrayItem(alt, 0), sub->schema) &&
               is_type(cJSON_GetArrayItem(alt, 1), "string");
    }
    case SCN_LISTENERS: {
        /* each item "tcp:80" or an object of the section */
        const cJSON *alt = cJSON_GetObjectItem(items, "oneOf");
        return sub && is_type(prop, "array") && cJSON_GetArraySize(alt) == 2 &&
               is_type(cJSON_GetArrayItem(alt, 0), "string") &&
               cJSON_IsString(cJSON_GetObjectItem(cJSON_GetArrayItem(alt, 0), "pattern")) &&
               has_ref(cJSON_GetArrayItem(alt, 1), sub->schema);
    }
    case SCN_FACTOR: {
        const cJSON *lo = cJSON_GetObjectItem(prop, "exclusiveMinimum");
        const cJSON *hi = cJSON_GetObjectItem(prop, "maximum");
        return is_type(prop, "number") && cJSON_IsNumber(lo) && lo->valuedouble == 0 &&
               cJSON_IsNumber(hi) && hi->valuedouble == (double)k->max;
    }
    case SCN_EVENT_KIND:
        if (kind)
            return strcmp(cJSON_GetObjectItem(prop, "const")->valuestring, kind) == 0;
        for (size_t i = 0; scn_event_kind(i); i++) {
            const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(prop, "enum"), (int)i);
            if (!e || strcmp(e->valuestring, scn_event_kind(i)) != 0)
                return false;
        }
        {
            int n = 0;
            while (scn_event_kind((size_t)n))
                n++;
            return cJSON_GetArraySize(cJSON_GetObjectItem(prop, "enum")) == n;
        }
    }
    return false;
}

/* One object of the schema against one table, both ways: every row is a property
 * of the same type, range and default, required exactly when the row is; every
 * property is a row; no other key is allowed. */
static void same_section(const cJSON *obj, const struct scn_section *sec, const char *kind)
{
    const char *where = kind ? kind : sec->name;
    CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
    const cJSON *props = cJSON_GetObjectItem(obj, "properties");
    CU_ASSERT_PTR_NOT_NULL_FATAL(props);
    const cJSON *req = cJSON_GetObjectItem(obj, "required");
    int nreq = 0;
    for (size_t i = 0; i < sec->n; i++) {
        const struct scn_key *k = &sec->keys[i];
        const cJSON *prop = cJSON_GetObjectItemCaseSensitive(props, k->key);
        bool there = prop != NULL;
        CU_ASSERT(there);
        if (!there) {
            fprintf(stderr, "\n  schema: '%s' lacks the key '%s'\n", where, k->key);
            continue;
        }
        bool type_ok = same_row(prop, k, kind), def_ok = same_default(prop, k);
        CU_ASSERT(type_ok);
        CU_ASSERT(def_ok);
        if (!type_ok || !def_ok)
            fprintf(stderr, "\n  schema: '%s'.'%s': %s differs from the table\n", where, k->key,
                    type_ok ? "the default" : "the type or range");
        bool required = false;
        const cJSON *r;
        cJSON_ArrayForEach(r, req)
            required |= strcmp(r->valuestring, k->key) == 0;
        CU_ASSERT_EQUAL(required, (k->flags & SCN_REQUIRED) != 0);
        if (required != ((k->flags & SCN_REQUIRED) != 0))
            fprintf(stderr, "\n  schema: '%s'.'%s' required %d, table %d\n", where, k->key,
                    required, (k->flags & SCN_REQUIRED) != 0);
        nreq += required;
    }
    CU_ASSERT_EQUAL(cJSON_GetArraySize(req), nreq);
    const cJSON *p;
    cJSON_ArrayForEach(p, props) {
        bool known = scn_row(sec, p->string) != NULL;
        CU_ASSERT(known);
        if (!known)
            fprintf(stderr, "\n  schema: '%s' has '%s', the table does not\n", where, p->string);
    }
    /* "event" holds what every event has; each event_KIND refuses other keys */
    if (sec != &scn_events)
        CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(obj, "additionalProperties")));
}

/* The sysctl names a pattern takes are exactly the table's that sec's "sysctl" takes
 * (the director's: all, IPVS ones bare or under net.ipv4.vs.; a server's: its own
 * net.ipv4 ones), with or without "comment". */
static void same_sysctl_names(const char *pat, bool ipvs, bool comment)
{
    GRegex *re = g_regex_new(pat, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(re);
    for (size_t i = 0; i < sysctl_count(); i++) {
        const struct sysctl_def *d = sysctl_at(i);
        bool want = ipvs || d->home != SYSCTL_IPVS;
        CU_ASSERT_EQUAL(g_regex_match(re, d->name, 0, NULL), want);
        char *full = g_strconcat("net.ipv4.vs.", d->name, NULL);
        CU_ASSERT_EQUAL(g_regex_match(re, full, 0, NULL), want && d->home == SYSCTL_IPVS);
        CU_ASSERT_EQUAL(sysctl_find(full) != NULL, d->home == SYSCTL_IPVS);
        g_free(full);
        if (d->home != SYSCTL_IPVS) {
            CU_ASSERT_FALSE(g_regex_match(re, d->name + strlen("net.ipv4."), 0, NULL));
            CU_ASSERT_PTR_NULL(sysctl_find(d->name + strlen("net.ipv4.")));
        }
    }
    CU_ASSERT_EQUAL(g_regex_match(re, "comment", 0, NULL), comment);
    CU_ASSERT_FALSE(g_regex_match(re, "sloppy", 0, NULL));
    g_regex_unref(re);
}

static void test_schema_keys(void)
{
    cJSON *schema = load_schema();
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(schema, "$schema")->valuestring,
                           "https://json-schema.org/draft/2020-12/schema");
    /* every section, and every object of the schema is one of them */
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (const struct scn_section *const *sec = scn_sections(); *sec; sec++) {
        const cJSON *obj = (*sec)->schema[0] ? def_of(schema, (*sec)->schema) : schema;
        same_section(obj, *sec, NULL);
        g_hash_table_add(seen, g_strdup((*sec)->schema));
    }
    for (size_t i = 0; scn_event_kind(i); i++) {
        char *def = g_strconcat("event_", scn_event_kind(i), NULL);
        same_section(def_of(schema, def), scn_event_section(scn_event_kind(i)), scn_event_kind(i));
        g_hash_table_add(seen, def);
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(schema, "$defs"))
        if (cJSON_GetObjectItem(d, "properties") && !g_hash_table_contains(seen, d->string)) {
            CU_FAIL("a schema object that no table checks");
            fprintf(stderr, "\n  schema: $defs.%s is in no table\n", d->string);
        }
    g_hash_table_destroy(seen);

    /* kernels: every era, and every name the schema lists is one the loader knows; the
     * schema's version pattern takes exactly the versions the loader takes */
    const cJSON *any = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "properties"),
                                                               "kernel"), "anyOf");
    const cJSON *eras = cJSON_GetObjectItem(cJSON_GetArrayItem(any, 0), "enum");
    const char *vpat = cJSON_GetObjectItem(cJSON_GetArrayItem(any, 1), "pattern")->valuestring;
    const cJSON *e;
    cJSON_ArrayForEach(e, eras)
        CU_ASSERT_PTR_NOT_NULL(kernel_profile_find(e->valuestring));
    for (const struct kernel_profile *const *p = kernel_profiles(); *p; p++) {
        bool listed = false;
        cJSON_ArrayForEach(e, eras)
            listed |= strcmp(e->valuestring, (*p)->name) == 0;
        CU_ASSERT(listed);
    }
    static const char *const patches[] = { "", ".0", ".1", ".09", ".99", ".255", ".256", ".1.2" };
    for (unsigned maj = 1; maj <= 7; maj++)
        for (unsigned min = 0; min <= 40; min++)
            for (size_t k = 0; k < G_N_ELEMENTS(patches); k++)
                for (unsigned p34 = 0; p34 <= (maj == 2 && min == 6 ? 40u : 0u); p34++) {
                    char v[32];
                    if (maj == 2 && min == 6)
                        snprintf(v, sizeof v, "2.6.%u%s", p34, patches[k]);
                    else
                        snprintf(v, sizeof v, "%u.%u%s", maj, min, patches[k]);
                    bool alias = false;
                    cJSON_ArrayForEach(e, eras)
                        alias |= strcmp(e->valuestring, v) == 0;
                    if (alias)
                        continue;
                    bool schema_ok = g_regex_match_simple(vpat, v, 0, 0);
                    bool loader_ok = kernel_profile_find(v) != NULL;
                    if (schema_ok != loader_ok)
                        fprintf(stderr, "  kernel '%s': schema %d, loader %d\n", v, schema_ok, loader_ok);
                    CU_ASSERT_EQUAL(schema_ok, loader_ok);
                }

    /* sysctl names: the schema's patterns take exactly the table's names */
    const cJSON *props = cJSON_GetObjectItem(schema, "properties");
    same_sysctl_names(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(props, "sysctl"),
                      "propertyNames"), "pattern")->valuestring, true, true);
    const cJSON *sprops = cJSON_GetObjectItem(def_of(schema, "server"), "properties");
    same_sysctl_names(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(sprops, "sysctl"),
                      "propertyNames"), "pattern")->valuestring, false, true);
    const cJSON *cprops = cJSON_GetObjectItem(def_of(schema, "client"), "properties");
    same_sysctl_names(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cprops, "sysctl"),
                      "propertyNames"), "pattern")->valuestring, false, true);
    const cJSON *eprops = cJSON_GetObjectItem(def_of(schema, "event_sysctl"), "properties");
    same_sysctl_names(cJSON_GetObjectItem(cJSON_GetObjectItem(eprops, "key"), "pattern")->valuestring,
                      true, false);
    cJSON_Delete(schema);
}

/* The schema's patterns and the loader agree on a sample of good and bad spellings
 * (only syntax: values the loader refuses for their size or meaning are left out). */
struct sample {
    const char *def;
    bool (*accepts)(const char *s);
    const char *const *texts;
};

static char why[UNITS_WHY];
static bool acc_duration(const char *s) { sim_time_t t; return units_duration(s, &t, why, sizeof why); }
static bool acc_size(const char *s) { uint64_t v; return units_size(s, &v, why, sizeof why); }
static bool acc_rate(const char *s) { double v; return units_rate(s, &v, why, sizeof why); }
static bool acc_bw(const char *s) { uint64_t v; return units_bandwidth(s, &v, why, sizeof why); }
static bool acc_loss(const char *s) { double v; return units_loss_percent(s, &v, why, sizeof why); }
static bool acc_addr(const char *s) { be32 a; size_t at; return units_inet(s, &a, &at, why, sizeof why); }
static bool acc_cidr(const char *s) { be32 a; uint8_t p; return units_cidr(s, &a, &p, why, sizeof why); }
static bool acc_endpoint(const char *s) { be32 a; uint16_t p; return units_endpoint(s, &a, &p, why, sizeof why); }
static bool acc_name(const char *s) { return scn_name_ok(s, 64); }
static bool acc_time_dist(const char *s)
{
    struct dist_spec sp;
    bool ok = units_dist(s, UNIT_TIME, &sp, why, sizeof why);
    if (ok)
        g_free(sp.trace_file);
    return ok;
}
static bool acc_size_dist(const char *s)
{
    struct dist_spec sp;
    bool ok = units_dist(s, UNIT_SIZE, &sp, why, sizeof why);
    if (ok)
        g_free(sp.trace_file);
    return ok;
}
static bool acc_arrival(const char *s)
{
    struct dist_spec sp;
    bool ok = units_arrival(s, &sp, why, sizeof why);
    if (ok)
        g_free(sp.trace_file);
    return ok;
}
static bool acc_hook(const char *s) { return nf_hook_parse(s) >= 0; }

static const char *const s_duration[] = { "0", "0s", "50us", "1.5ms", "2s", "5m", "1h", "7ns", "007s",
    "5", "5 s", "-1s", ".5s", "5.s", "5sec", "1e3s", "5S", "", "µs", "1.5.5s", NULL };
static const char *const s_size[] = { "0", "300B", "20KB", "1.5MB", "1GB", "4KiB", "1MiB", "2GiB",
    "300", "20kb", "1TB", "1 KB", "KB", "-1B", NULL };
static const char *const s_rate[] = { "400/s", "10/ms", "1/ns", "0.5/s", "3/m", "36/h", "1/us",
    "400", "0/s", "0.0/s", "/s", "400/sec", "400 /s", "-1/s", "400/S", NULL };
static const char *const s_bw[] = { "unlimited", "0", "0bps", "0.0Mbps", "000Gbps", "1Gbps", "10bps", "100Mbps", "64Kbps", "9600bps", "1.5Gbps",
    "1GB", "1gbps", "1 Gbps", "1Gb", "bps", NULL };
static const char *const s_loss[] = { "1%", "0.5%", "100%", "0%", "99.99%", "007%", "101%", "1",
    "1 %", "%", "-1%", "100.1%", NULL };
static const char *const s_addr[] = { "192.0.2.1", "0.0.0.0", "239.255.255.255", "10.0.0.09",
    "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "2001:db8::10", "::",
    "::1", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "1::", "::ffff:192.0.2.1", "64:ff9b::192.0.2.1",
    "1:2:3:4:5:6:192.0.2.1", "2001:DB8::A", "2001:db8:::1", "2001:db8::g", "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7", ":1::2", "1::2::3", "12345::", "[2001:db8::1]", "2001:db8::1%eth0",
    "::ffff:192.0.2.01", "2001:db8::1/64", NULL };
static const char *const s_cidr[] = { "198.51.100.0/24", "0.0.0.0/0", "10.0.0.1/32", "10.0.0.0/8",
    "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0", "10.0.0.0/", "2001:db8::/64", "::/0",
    "2001:db8::1/128", "2001:db8:1:2::/120", "2001:db8::/129", "2001:db8::/064", "2001:db8::",
    "2001:db8::/", "2001:db8:::/64", NULL };
static const char *const s_endpoint[] = { "203.0.113.10:80", "1.2.3.4:65535", "1.2.3.4:1",
    "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:080", "1.2.3.4", "1.2.3.4:", ":80", "[2001:db8::10]:80",
    "[::1]:65535", "[::ffff:1.2.3.4]:1", "2001:db8::10:80", "[2001:db8::10]", "[2001:db8::10]:",
    "[2001:db8::10]:0", "[2001:db8::10]:65536", "[2001:db8::g]:80", "[2001:db8::10:80",
    "2001:db8::10]:80", "[1.2.3.4]:80", NULL };
static const char *const s_name[] = { "x", "wlc-vs-rr", "a.b_c-9", "-dash", "../x", ".x", "", "a b",
    "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL };
static const char *const s_time_dist[] = { "10ms", "0", "const(10ms)", "exp(10ms)",
    "uniform(5ms,15ms)", "uniform(5ms, 15ms)", "lognormal(10ms,1.0)", "pareto(1ms,1.5)",
    "trace(a.csv)", "trace(dir/a.csv, ms)", "exp(10)", "expo(10ms)", "exp(10ms", "exp(10ms,1)",
    "exp( 10ms)", "uniform(5ms ,15ms)", "lognormal(10ms,x)", "trace(a b.csv)", "trace(a.csv,KB)",
    "exp(10KB)", "poisson(10/s)", "10KB", "", NULL };
static const char *const s_size_dist[] = { "300B", "0", "const(1KB)", "exp(1KB)", "uniform(1KB,2KB)",
    "lognormal(20KB,1.0)", "pareto(100B,1.5)", "trace(s.csv)", "trace(s.csv,KiB)", "exp(1ms)",
    "lognormal(20KB)", "300b", NULL };
static const char *const s_arrival[] = { "poisson(400/s)", "const(100/s)", "const(10ms)",
    "burst(10,1s)", "burst(10, 1s)", "exp(2.5ms)", "uniform(1ms,3ms)", "lognormal(1ms,1.0)",
    "pareto(1ms,2)", "trace(t.csv)", "5ms", "poisson(400)", "400/s", "poison(400/s)", "burst(10)",
    "burst(1.5,1s)", "burst(01,1s)", "poisson(400/s", "exp(10KB)", NULL };
static const char *const s_hook[] = { "PRE_ROUTING", "local_in", "NF_INET_FORWARD", "nf_inet_local_out",
    "PostRouting", "INPUT", "output", "LOCAL_INN", "NF_LOCAL_IN", "", "IN", NULL };

static void test_schema_patterns(void)
{
    const struct sample samples[] = {
        { "duration_string", acc_duration, s_duration }, { "size_string", acc_size, s_size },
        { "rate_string", acc_rate, s_rate }, { "bandwidth_string", acc_bw, s_bw },
        { "loss_string", acc_loss, s_loss }, { "address", acc_addr, s_addr },
        { "cidr", acc_cidr, s_cidr }, { "endpoint", acc_endpoint, s_endpoint },
        { "name", acc_name, s_name }, { "time_dist_string", acc_time_dist, s_time_dist },
        { "size_dist_string", acc_size_dist, s_size_dist },
        { "arrival_string", acc_arrival, s_arrival }, { "hook.hook", acc_hook, s_hook },
    };
    cJSON *schema = load_schema();
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
        const cJSON *def;
        if (strcmp(samples[i].def, "hook.hook") == 0)
            def = cJSON_GetObjectItem(cJSON_GetObjectItem(def_of(schema, "hook"), "properties"), "hook");
        else
            def = def_of(schema, samples[i].def);
        const cJSON *pat = cJSON_GetObjectItem(def, "pattern");
        CU_ASSERT_PTR_NOT_NULL_FATAL(pat);
        GError *gerr = NULL;
        GRegex *re = g_regex_new(pat->valuestring, 0, 0, &gerr);
        CU_ASSERT_PTR_NOT_NULL_FATAL(re);
        for (const char *const *t = samples[i].texts; *t; t++) {
            bool schema_ok = g_regex_match(re, *t, 0, NULL);
            bool loader_ok = samples[i].accepts(*t);
            CU_ASSERT_EQUAL(schema_ok, loader_ok);
            if (schema_ok != loader_ok)
                fprintf(stderr, "\n  %s \"%s\": schema %s, loader %s\n", samples[i].def, *t,
                        schema_ok ? "accepts" : "refuses", loader_ok ? "accepts" : "refuses");
        }
        g_regex_unref(re);
    }
    cJSON_Delete(schema);
}

/* Corpus files whose fault the schema cannot see: references, sizes, arithmetic,
 * trace files, ipvsadm and iptables lines, and JSON-level faults Python's parser
 * forgives. */
static const char *const loader_only[] = {
    "ipv4-reserved-server", "ipv4-reserved-target", "ipv4-reserved-vip", "ipv6-client-net-has-server",
    "ipv6-client-net-host-bits", "ipv6-server-ip-and-ip6-both-ipv6", "ipv6-server-ip6-is-ipv4",
    "ipv6-vip6-not-ipv6", "ipv6-vip6-without-vip", "ipv6-script-src-other-family",
    "ipv6-script-src-outside-net", "ipv6-script-src-subnet-anycast", "ipv6-syn-flood-net",
    "ipv4-reserved-syn-flood-net", "ipv6-syn-flood-vip",
    "mixed-tun-nat", "mixed-tun-kernel-3.10", "mixed-tun-server-no-ip6",
    "mixed-tun-server-no-ipv4", "fullnat-ipv6-service",
    "backup-name-router", "capture-bad-iface", "client-name-router", "director-name-router",
    "server-ip-first-off-lan", "server-ip-off-lan-most", "server-name-router",
    "capture-bad-point", "client-arrival-zero", "client-count-too-big", "client-includes-server",
    "client-host-server", "client-name-taken", "client-net-host-bits", "client-overlap", "client-start-after-stop",
    "client-stop-after-end", "client-think-zero-livelock", "client-timeout-unrepresentable",
    "client-trace-bad-value", "client-trace-decreasing",
    "client-trace-missing", "client-unknown-host", "duration-overflow",
    "client-script-csv-bad-time", "client-script-csv-columns", "client-script-csv-missing",
    "client-script-csv-unknown-column", "client-script-decreasing", "client-script-duplicate",
    "client-script-outside-net", "client-script-tcp-empty", "client-replay-csv-bad-size",
    "client-replay-pcap-truncated", "client-replay-loopback",
    "duration-unrepresentable", "event-after-end",
    "event-hook-unknown", "event-unknown-server", "hooks-dup", "hooks-unknown-host",
    "iptables-line-bad-target", "ipvs-line-bad-weight", "ipvs-sched-era", "ipvs-sched-flags-era",
    "ipvs-sched-typo", "ipvs-line-list",
    "server-dup-ip", "server-dup-name", "server-is-vip", "servers-empty", "service-time-uniform-order",
    "syntax-bad-unicode-escape", "syntax-duplicate-key", "syntax-nul-escape", "sysctl-conntrack",
    "sysctl-era", "sysctl-icmp-era", "sysctl-out-of-range", "server-sysctl-out-of-range",
    "listen-duplicate", "event-set-shared-workers", "event-set-unknown-server",
    "event-slow-unknown-listener", "event-slow-unknown-server",
    "saved-file-missing", "saved-iptables-bad-counters", "saved-iptables-bad-table",
    "saved-iptables-multiport-no-proto", "saved-iptables-no-commit",
    "saved-iptables-rule-outside-table", "saved-iptables-set", "saved-iptables-table-in-rule",
    "saved-iptables-unknown-target", "saved-iptables-user-chain-policy",
    "saved-ipvs-file-bad-option", "saved-ipvs-pasted-bad-sched",
    "healthcheck-http-no-url",
    "event-sysctl-congestion-control",
    "ip6tables-line-bad-address", "ip6tables-line-bad-prefix", "ip6tables-line-fragment",
    "ip6tables-line-icmp-type", "ip6tables-line-icmpv6-type", "ip6tables-line-snat-port",
    "ip6tables-line-bad-state", "saved-ip6tables-bad-address", "saved-ip6tables-no-commit",
    "netfilter6-ipv4-address", NULL,
};

/* With Python's jsonschema (when installed): the examples validate, and every corpus
 * file the schema can judge is refused. */
static void test_schema_validator(void)
{
    char *out = NULL;
    int status = -1;
    const char *argv[] = { "python3", "-c", "import jsonschema", NULL };
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "\n  (python3 jsonschema not installed: schema validation skipped)\n");
        return;
    }
    const char *script =
        "import glob, json, os, sys, jsonschema\n"
        "schema = json.load(open('" SCHEMA "'))\n"
        "jsonschema.Draft202012Validator.check_schema(schema)\n"
        "v = jsonschema.Draft202012Validator(schema)\n"
        "for f in sorted(glob.glob('scenarios/*.json')):\n"
        "    for e in v.iter_errors(json.load(open(f))): print('example', f, e.message)\n"
        "for f in sorted(glob.glob('" CORPUS "/*.json')):\n"
        "    if os.path.exists(f[:-5] + '.set'): continue\n"
        "    try: d = json.load(open(f))\n"
        "    except ValueError: continue\n"
        "    if v.is_valid(d): print('accepted', os.path.basename(f)[:-5])\n";
    const char *argv2[] = { "python3", "-c", script, NULL };
    char *err = NULL;
    bool ran = g_spawn_sync(NULL, (char **)argv2, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                            &status, NULL);
    CU_ASSERT(ran && g_spawn_check_wait_status(status, NULL));
    if (!ran || !g_spawn_check_wait_status(status, NULL))
        fprintf(stderr, "\n  schema check failed: %s\n", err ? err : "");
    char **lines = g_strsplit(out ? out : "", "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!**l)
            continue;
        bool ok = false;
        if (g_str_has_prefix(*l, "accepted "))
            for (const char *const *n = loader_only; *n && !ok; n++)
                ok = strcmp(*l + 9, *n) == 0;
        CU_ASSERT(ok);
        if (!ok)
            fprintf(stderr, "\n  schema: %s\n", *l);
    }
    /* and the schema really accepts the loader-only ones (else the list is stale) */
    int accepted = 0;
    for (char **l = lines; *l; l++)
        accepted += g_str_has_prefix(*l, "accepted ");
    CU_ASSERT_EQUAL(accepted, (int)g_strv_length((char **)loader_only));
    g_strfreev(lines);
    g_free(out);
    g_free(err);
}

/* Every example scenario loads. */
static void test_examples_load(void)
{
    GDir *d = g_dir_open("scenarios", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const char *name;
    int n = 0;
    while ((name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".json"))
            continue;
        char *path = g_build_filename("scenarios", name, NULL);
        struct scn_error err;
        struct scenario *s = scenario_load(path, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (!s)
            fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        scenario_free(s);
        g_free(path);
        n++;
    }
    g_dir_close(d);
    CU_ASSERT(n >= 1);
}

IPVSIM_SUITE(scenario)
{
    CU_pSuite s = CU_add_suite("scenario", suite_init, suite_clean);
    ADD_TEST(s, test_syntax_positions);
    ADD_TEST(s, test_value_positions);
    ADD_TEST(s, test_semantic_positions);
    ADD_TEST(s, test_pos_in_string);
    ADD_TEST(s, test_defaults);
    ADD_TEST(s, test_full_scenario);
    ADD_TEST(s, test_trace_relative);
    ADD_TEST(s, test_overrides);
    ADD_TEST(s, test_overrides_tables);
    ADD_TEST(s, test_name_escape);
    ADD_TEST(s, test_unreadable);
    ADD_TEST(s, test_corpus);
    ADD_TEST(s, test_mutations);
    ADD_TEST(s, test_schema_keys);
    ADD_TEST(s, test_schema_patterns);
    ADD_TEST(s, test_schema_validator);
    ADD_TEST(s, test_examples_load);
}
