/* A client group's "script" (app/scenario/scenario_script.c): the array and the CSV
 * forms load the same connections, every check names the value at fault (the
 * scenario's place, and in a file its line and column), and the keys a script
 * replaces are refused beside it. */
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/scenario/scenario.h"
#include "app/scenario/scenario_internal.h"

static char *dir;

static int init(void)
{
    dir = g_dir_make_tmp("ipvsim-script-XXXXXX", NULL);
    return dir ? 0 : 1;
}

static int clean(void)
{
    static const char *const names[] = { "s.json", "s.csv" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        g_remove(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
    return 0;
}

static char *put(const char *name, const char *text)
{
    char *p = g_build_filename(dir, name, NULL);
    g_file_set_contents(p, text, -1, NULL);
    return p;
}

/* A scenario whose one client group has the keys client (its net 198.51.100.0/24). */
static struct scenario *load(const char *client, struct scn_error *err)
{
    char *text = g_strdup_printf(
        "{ \"duration\": \"10s\",\n"
        "  \"servers\": [ { \"ip\": \"192.0.2.11\" } ],\n"
        "  \"clients\": [ { \"net\": \"198.51.100.0/24\", \"target\": \"203.0.113.10:80\",\n"
        "    %s } ],\n"
        "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\", \"-A -u 203.0.113.10:80 -s rr\" ] }\n",
        client);
    char *p = put("s.json", text);
    memset(err, 0, sizeof *err);
    struct scenario *s = scenario_load(p, NULL, err);
    g_free(p);
    g_free(text);
    return s;
}

/* Loading fails with "LINE:COL: MESSAGE" ending in want. */
static void refused(const char *client, int line, int col, const char *want)
{
    struct scn_error err;
    struct scenario *s = load(client, &err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    CU_ASSERT_EQUAL(err.pos.line, line);
    CU_ASSERT_EQUAL(err.pos.col, col);
    bool ends = g_str_has_suffix(err.msg, want);
    CU_ASSERT(ends);
    if (!ends || err.pos.line != line || err.pos.col != col)
        fprintf(stderr, "\n  got %d:%d: %s\n  want %d:%d: ...%s\n", err.pos.line, err.pos.col,
                err.msg, line, col, want);
}

static const struct client_script_conn *conn(const struct scenario *s, guint i)
{
    const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, 0);
    return &g_array_index(cl->script, struct client_script_conn, i);
}

static void same_four(const struct scenario *s)
{
    const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cl->script);
    CU_ASSERT_EQUAL_FATAL(cl->script->len, 4);
    CU_ASSERT_EQUAL(conn(s, 0)->at, 10 * MSEC);
    CU_ASSERT_EQUAL(conn(s, 0)->saddr, htonl(0xc6336407));     /* 198.51.100.7 */
    CU_ASSERT_EQUAL(conn(s, 0)->sport, htons(40001));
    CU_ASSERT_EQUAL(conn(s, 0)->request, 300);
    CU_ASSERT_EQUAL(conn(s, 0)->response, 4000);
    CU_ASSERT_EQUAL(conn(s, 0)->proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(conn(s, 1)->at, 10 * MSEC);                 /* another src, same time */
    CU_ASSERT_EQUAL(conn(s, 1)->saddr, htonl(0xc6336408));
    CU_ASSERT_EQUAL(conn(s, 2)->proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(conn(s, 2)->request, 0);                    /* an empty datagram */
    CU_ASSERT_EQUAL(conn(s, 2)->response, 4096);
    CU_ASSERT_EQUAL(conn(s, 3)->at, 2 * SEC);                   /* the same src later */
    CU_ASSERT_EQUAL(conn(s, 3)->sport, htons(40001));
    /* its addresses, for the checks between groups: the script's lowest to highest */
    CU_ASSERT_EQUAL(cl->count, 1);
}

static void test_array_and_csv(void)
{
    struct scn_error err;
    struct scenario *s = load(
        "\"script\": [\n"
        "  { \"at\": \"10ms\", \"src\": \"198.51.100.7:40001\", \"request\": \"300B\", \"response\": \"4KB\" },\n"
        "  { \"at\": \"10ms\", \"src\": \"198.51.100.8:40001\", \"request\": 300, \"response\": 4000 },\n"
        "  { \"at\": \"1s\", \"src\": \"198.51.100.7:40001\", \"request\": 0, \"response\": \"4KiB\", \"protocol\": \"udp\" },\n"
        "  { \"at\": \"2s\", \"src\": \"198.51.100.7:40001\", \"request\": \"300B\", \"response\": \"4KB\", \"comment\": \"again\" } ]",
        &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    same_four(s);
    scenario_free(s);

    /* the same in a file: columns in any order, comments, blank lines, spaces */
    g_free(put("s.csv", "# the script\nsrc, at, response, request, protocol\n\n"
                        "198.51.100.7:40001,10ms,4KB,300B,tcp\n"
                        "198.51.100.8:40001,10ms,4000,300,tcp\r\n"
                        "198.51.100.7:40001, 1s ,4KiB,0,udp\n"
                        "198.51.100.7:40001,2s,4KB,300B,tcp\n"));
    s = load("\"script\": \"s.csv\"", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    same_four(s);
    scenario_free(s);

    /* the group's protocol is each connection's default */
    g_free(put("s.csv", "at,src,request,response\n10ms,198.51.100.7:53,40,200\n"));
    s = load("\"protocol\": \"udp\", \"script\": \"s.csv\"", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(conn(s, 0)->proto, IPPROTO_UDP);
    scenario_free(s);
}

static void test_entry_errors(void)
{
    const char *ok = "\"src\": \"198.51.100.7:40001\", \"request\": \"300B\", \"response\": \"4KB\"";
    char *c;
    /* a time without its unit */
    c = g_strdup_printf("\"script\": [ { \"at\": \"10\", %s } ]", ok);
    refused(c, 4, 25, "clients[0].script[0].at: expected a duration like \"50us\" (units ns, us, "
            "ms, s, m, h), not \"10\"");
    g_free(c);
    /* at the end of the run or after it */
    c = g_strdup_printf("\"script\": [ { \"at\": \"10s\", %s } ]", ok);
    refused(c, 4, 25, "script[0].at: 10s is not before the end of the run (10s)");
    g_free(c);
    /* times that go back */
    c = g_strdup_printf("\"script\": [ { \"at\": \"2s\", %s },\n { \"at\": \"1s\", %s } ]", ok, ok);
    refused(c, 5, 10, "script[1].at: the script's times must not decrease: 1s comes after 2s "
            "(script[0])");
    g_free(c);
    /* outside the group's net, its network address, a port out of range */
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.101.7:1\", \"request\": 1, \"response\": 1 } ]",
            4, 38, "script[0].src: 198.51.101.7 is outside the group's net 198.51.100.0/24");
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.0:1\", \"request\": 1, \"response\": 1 } ]",
            4, 38, "script[0].src: 198.51.100.0 is not a host address of the group's net "
            "198.51.100.0/24");
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.7:65536\", \"request\": 1, \"response\": 1 } ]",
            4, 38, "script[0].src: port 65536 of \"198.51.100.7:65536\" is out of range (expected "
            "1 to 65535)");
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.7:0\", \"request\": 1, \"response\": 1 } ]",
            4, 38, "is out of range (expected 1 to 65535)");
    /* sizes: TCP needs a byte, nothing above 1GB */
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.7:1\", \"request\": 1, \"response\": 0 } ]",
            4, 82, "script[0].response: a TCP response is at least 1 byte (a UDP one may be empty)");
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.7:1\", \"request\": \"2GB\", \"response\": 1 } ]",
            4, 67, "script[0].request: a request is at most 1GB (1073741824 bytes)");
    /* the same src twice at once, in one protocol; UDP beside TCP is another socket */
    c = g_strdup_printf("\"script\": [ { \"at\": \"1s\", %s },\n"
                        "{ \"at\": \"1s\", %s, \"protocol\": \"udp\" },\n"
                        "{ \"at\": \"1s\", %s } ]", ok, ok, ok);
    refused(c, 6, 22, "script[2].src: 198.51.100.7:40001 (tcp) already starts a connection at 1s "
            "(script[0]): an address:port makes one connection at a time");
    g_free(c);
    /* an unknown key, with the nearest */
    refused("\"script\": [ { \"at\": \"1s\", \"sorce\": \"198.51.100.7:1\" } ]", 4, 31,
            "script[0]: unknown key 'sorce' (did you mean 'src'? expected one of: at, src, "
            "request, response, protocol, comment)");
    refused("\"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.7:1\", \"request\": 1 } ]", 4, 17,
            "script[0]: missing key 'response'");
    refused("\"script\": []", 4, 15, "clients[0].script: the script holds no connections");
    refused("\"script\": 3", 4, 15, "clients[0].script: expected an array of connections (objects "
            "with at, src, request, response) or the name of a CSV file of them");
}

static void test_group_keys(void)
{
    static const char *const keys[] = {
        "\"arrival\": \"poisson(1/s)\"", "\"users\": 1", "\"request\": \"1KB\"",
        "\"response\": \"1KB\"", "\"start\": \"1s\"", "\"stop\": \"2s\"", "\"count\": 2",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        char *c = g_strdup_printf("%s, \"script\": [ { \"at\": \"1s\", \"src\": \"198.51.100.7:1\", "
                                  "\"request\": 1, \"response\": 1 } ]", keys[i]);
        refused(c, 4, 5 + (int)(strchr(keys[i], ':') - keys[i]) + 2,
                "does not go with 'script' (each connection of a script gives its own time, "
                "address:port and sizes)");
        g_free(c);
    }
}

static void test_csv_errors(void)
{
    /* file errors name the scenario's value, then the file's LINE:COL */
    struct { const char *text, *want; } cases[] = {
        { "at,sorce,request,response\n", "s.csv:1:4: unknown column 'sorce' (did you mean 'src'? "
          "expected at, src, request, response and optionally protocol)" },
        { "at,src,request\n", "s.csv:1:1: the header has no column 'response' (expected at, src, "
          "request, response and optionally protocol)" },
        { "at,src,at,request,response\n", "s.csv:1:8: the column 'at' is there twice" },
        { "at,src,request,response\n1ms,198.51.100.7:1,1,1\n\n2ms,198.51.100.7:2,1\n",
          "s.csv:4:1: expected 4 columns (as the header), found 3" },
        { "at,src,request,response\n1ms,198.51.100.7:1,1,\"1KB\"\n",
          "s.csv:2:22: expected a size like" },
        { "at,src,request,response,protocol\n1ms,198.51.100.7:1,1,1,sctp\n",
          "s.csv:2:24: unknown protocol 'sctp' (expected tcp or udp)" },
        { "at,src,request,response\n1ms,  198.51.200.7:1,1,1\n",
          "s.csv:2:7: 198.51.200.7 is outside the group's net 198.51.100.0/24" },
        { "at,src,request,response\n2ms,198.51.100.7:1,1,1\n1ms,198.51.100.8:1,1,1\n",
          "s.csv:3:1: the script's times must not decrease: 1ms comes after 2ms (line 2)" },
        { "at,src,request,response\n1ms,198.51.100.7:1,1,1\n1ms,198.51.100.7:1,1,1\n",
          "s.csv:3:5: 198.51.100.7:1 (tcp) already starts a connection at 1ms (line 2): an "
          "address:port makes one connection at a time" },
        { "# nothing but the header\nat,src,request,response\n", "the script holds no connections" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_free(put("s.csv", cases[i].text));
        struct scn_error err;
        struct scenario *s = load("\"script\": \"s.csv\"", &err);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        CU_ASSERT_EQUAL(err.pos.line, 4);
        CU_ASSERT_EQUAL(err.pos.col, 15);
        bool has = strstr(err.msg, cases[i].want) != NULL &&
                   g_str_has_prefix(err.msg, "clients[0].script: ");
        CU_ASSERT(has);
        if (!has)
            fprintf(stderr, "\n  case %zu: got %s\n  want ...%s\n", i, err.msg, cases[i].want);
    }
    struct scn_error err;
    struct scenario *s = load("\"script\": \"none.csv\"", &err);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot read the script file"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file or directory"));
}

IPVSIM_SUITE(scenario_script)
{
    CU_pSuite s = CU_add_suite("scenario_script", init, clean);
    ADD_TEST(s, test_array_and_csv);
    ADD_TEST(s, test_entry_errors);
    ADD_TEST(s, test_group_keys);
    ADD_TEST(s, test_csv_errors);
}
