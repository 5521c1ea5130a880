/* The health checker's "services" and the servers' "http_status" as the loader reads
 * them (app/scenario/scenario_health.c): keepalived's defaults per checker, the
 * inheritance of inhibit_on_failure, status_code lists, and the errors with their
 * place. */
#include <glib/gstdio.h>
#include <string.h>
#include "app/scenario/scenario.h"
#include "model/ipvs/ip_vs.h"
#include "tests/testutil.h"

static char *path;

static struct scenario *load(const char *services, const char *server_extra, struct scn_error *err)
{
    char *text = g_strdup_printf(
        "{\"servers\": [{\"ip\": \"192.0.2.11\"%s}],\n"
        " \"clients\": [{\"target\": \"203.0.113.10:80\"}],\n"
        " \"ipvs\": [\"-A -t 203.0.113.10:80\", \"-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m\"],\n"
        " \"healthcheck\": {\"type\": \"none\", \"services\": [\n%s]}}\n",
        server_extra, services);
    int fd = g_file_open_tmp("ipvsim-health-XXXXXX.json", &path, NULL);
    close(fd);
    g_file_set_contents(path, text, -1, NULL);
    g_free(text);
    struct scenario *s = scenario_load(path, NULL, err);
    g_remove(path);
    g_free(path);
    return s;
}

static void test_defaults(void)
{
    struct scn_error err;
    struct scenario *s = load(
        "{\"service\": \"-t 203.0.113.10:80\", \"inhibit_on_failure\": true, \"sorry_server\": \"192.0.2.99:80\",\n"
        " \"real_servers\": [{\"server\": \"192.0.2.11:80\", \"checks\": [\n"
        "   {\"type\": \"TCP_CHECK\"}, {\"type\": \"HTTP_GET\", \"url\": [{\"path\": \"/\", \"status_code\": \"200 300-302\"}]},\n"
        "   {\"type\": \"MISC_CHECK\", \"exit_codes\": [{\"at\": \"1s\", \"code\": 1}]}]},\n"
        "  {\"server\": \"192.0.2.12:80\", \"inhibit_on_failure\": false}]},\n"
        "{\"service\": \"-f 7\", \"quorum\": 3, \"hysteresis\": 1, \"alpha\": true, \"sorry_server\": \"192.0.2.99:80\",\n"
        " \"sorry_server_lvs_method\": \"DR\"}\n", "", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT(s->healthcheck.enabled);
    CU_ASSERT(!s->healthcheck.tcp);
    CU_ASSERT_EQUAL_FATAL(s->healthcheck.n_vs, 2);
    const struct hc_vs_cfg *v = &s->healthcheck.vs[0];
    CU_ASSERT_EQUAL(v->protocol, IPPROTO_TCP);
    CU_ASSERT_EQUAL(ntohs(v->vport), 80);
    CU_ASSERT_EQUAL(v->delay_loop, 60 * SEC);
    CU_ASSERT_EQUAL(v->quorum, 1);
    CU_ASSERT_EQUAL(v->hysteresis, 0);
    CU_ASSERT_EQUAL(v->sorry_fwd, ~0u);
    CU_ASSERT_EQUAL(ntohs(v->sorry_port), 80);
    CU_ASSERT_EQUAL_FATAL(v->n_rs, 2);
    CU_ASSERT(v->rs[0].inhibit_on_failure);     /* the service's */
    CU_ASSERT(!v->rs[1].inhibit_on_failure);    /* its own */
    CU_ASSERT_EQUAL(v->rs[1].n_checkers, 0);
    CU_ASSERT_EQUAL_FATAL(v->rs[0].n_checkers, 3);
    const struct hc_checker_cfg *c = v->rs[0].checkers;
    CU_ASSERT_EQUAL(c[0].type, HC_TCP_CHECK);
    CU_ASSERT_EQUAL(c[0].retry, 1);
    CU_ASSERT_EQUAL(c[0].delay_before_retry, 1 * SEC);
    CU_ASSERT_EQUAL(c[0].connect_timeout, 5 * SEC);
    CU_ASSERT_EQUAL(c[0].delay_loop, 0);
    CU_ASSERT_EQUAL(c[1].type, HC_HTTP_GET);
    CU_ASSERT_EQUAL(c[1].retry, 1);
    CU_ASSERT_EQUAL(c[1].delay_before_retry, 3 * SEC);
    CU_ASSERT_EQUAL_FATAL(c[1].n_urls, 1);
    CU_ASSERT_STRING_EQUAL(c[1].urls[0].path, "/");
    CU_ASSERT_EQUAL_FATAL(c[1].urls[0].n_codes, 2);
    CU_ASSERT_EQUAL(c[1].urls[0].codes[1][0], 300);
    CU_ASSERT_EQUAL(c[1].urls[0].codes[1][1], 302);
    CU_ASSERT_EQUAL(c[2].type, HC_MISC_CHECK);
    CU_ASSERT_EQUAL(c[2].retry, 0);
    CU_ASSERT_EQUAL(c[2].delay_before_retry, 0);
    CU_ASSERT_EQUAL_FATAL(c[2].n_exits, 1);
    CU_ASSERT_EQUAL(c[2].exits[0].code, 1);
    v = &s->healthcheck.vs[1];
    CU_ASSERT_EQUAL(v->fwmark, 7);
    CU_ASSERT_EQUAL(v->quorum, 3);
    CU_ASSERT_EQUAL(v->hysteresis, 1);
    CU_ASSERT(v->alpha);
    CU_ASSERT_EQUAL(v->sorry_fwd, IP_VS_CONN_F_DROUTE);
    scenario_free(s);
}

static void expect(const char *services, const char *server_extra, const char *want)
{
    struct scn_error err;
    struct scenario *s = load(services, server_extra, &err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    char *got = g_strdup_printf("%d:%d: %s", err.pos.line, err.pos.col, err.msg);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  want: %s\n  got:  %s\n", want, got);
    g_free(got);
}

static void test_errors(void)
{
    expect("{\"service\": \"-t 203.0.113.10\"}", "",
           "5:13: healthcheck.services[0].service: expected a service as ipvsadm names it: "
           "\"-t VIP:PORT\", \"-u VIP:PORT\" or \"-f MARK\": expected an address and port like "
           "\"203.0.113.10:80\", not \"203.0.113.10\"");
    expect("{\"service\": \"-x 1\"}", "",
           "5:13: healthcheck.services[0].service: expected a service as ipvsadm names it: "
           "\"-t VIP:PORT\", \"-u VIP:PORT\" or \"-f MARK\"");
    expect("{\"service\": \"-t 203.0.113.10:80\"}, {\"service\": \"-t 203.0.113.10:80\"}", "",
           "5:48: healthcheck.services[1].service: services[0] names the same service");
    expect("{\"service\": \"-t 203.0.113.10:80\", \"real_servers\": [{\"server\": \"192.0.2.11:80\", "
           "\"checks\": [{\"type\": \"HTTP_GET\"}]}]}", "",
           "5:91: healthcheck.services[0].real_servers[0].checks[0].url: HTTP_GET needs at least "
           "one url (keepalived's url block)");
    expect("{\"service\": \"-t 203.0.113.10:80\", \"real_servers\": [{\"server\": \"192.0.2.11:80\", "
           "\"checks\": [{\"type\": \"SSL_GET\", \"url\": [{\"path\": \"/\", \"status_code\": \"200 3xx\"}]}]}]}", "",
           "5:148: healthcheck.services[0].real_servers[0].checks[0].url[0].status_code: '3xx' is no "
           "status code (expected codes and ranges from 100 to 599, \"200 300-399\")");
    expect("{\"service\": \"-t 203.0.113.10:80\", \"real_servers\": [{\"server\": \"192.0.2.11:80\", "
           "\"checks\": [{\"type\": \"MISC_CHECK\", \"exit_codes\": [{\"at\": \"2s\", \"code\": 0}, "
           "{\"at\": \"1s\", \"code\": 1}]}]}]}", "",
           "5:161: healthcheck.services[0].real_servers[0].checks[0].exit_codes[1].at: exit codes go "
           "in time order");
    expect("{\"service\": \"-t 203.0.113.10:80\", \"real_servers\": [{\"server\": \"192.0.2.11:80\", "
           "\"checks\": [{\"type\": \"UDP_CHECK\"}]}]}", "",
           "5:100: healthcheck.services[0].real_servers[0].checks[0].type: unknown checker 'UDP_CHECK' "
           "(expected \"TCP_CHECK\", \"HTTP_GET\", \"SSL_GET\" or \"MISC_CHECK\")");
    expect("", ", \"http_status\": [{\"path\": \"/\", \"status\": 99}]",
           "1:75: servers[0].http_status[0].status: expected an integer from 100 to 599");
}

static void test_digest_warns(void)
{
    struct scn_error err;
    struct scenario *s = load(
        "{\"service\": \"-t 203.0.113.10:80\", \"real_servers\": [{\"server\": \"192.0.2.11:80\", "
        "\"checks\": [{\"type\": \"HTTP_GET\", \"url\": [{\"path\": \"/\", \"digest\": \"ab12\"}]}]}]}",
        "", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(s->warnings->len, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(s->warnings, 0),
                                  "checks[0].url[0].digest: ignored: the model serves status codes, "
                                  "not content"));
    scenario_free(s);
}

/* The status by path and time: the last entry at or before now; 200 otherwise. */
static void test_http_status_by_time(void)
{
    struct scn_error err;
    struct scenario *s = load("", ", \"http_status\": [{\"path\": \"/h\", \"status\": 503, \"at\": \"10s\"}, "
                                  "{\"path\": \"/h\", \"status\": 204}, {\"path\": \"/x\", \"status\": 404}]",
                              &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, 0);
    CU_ASSERT_EQUAL(scenario_http_status(sv, "/h", 0), 204);
    CU_ASSERT_EQUAL(scenario_http_status(sv, "/h", 10 * SEC), 503);
    CU_ASSERT_EQUAL(scenario_http_status(sv, "/x", 0), 404);
    CU_ASSERT_EQUAL(scenario_http_status(sv, "/", 0), 200);
    scenario_free(s);
}

IPVSIM_SUITE(scenario_health)
{
    CU_pSuite s = CU_add_suite("scenario_health", NULL, NULL);
    ADD_TEST(s, test_defaults);
    ADD_TEST(s, test_errors);
    ADD_TEST(s, test_digest_warns);
    ADD_TEST(s, test_http_status_by_time);
}
