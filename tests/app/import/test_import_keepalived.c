/* A scenario made of a keepalived.conf (app/import/import_keepalived.c): the ipvsadm
 * lines, the servers, the checkers with the defaults they take from their real and
 * virtual server, the VRRP pair, the client groups, the errors, the JSON layout. */
#include <string.h>
#include "app/import/import_keepalived.h"
#include "tests/testutil.h"

static cJSON *import(const char *text, GPtrArray *warnings, struct kconf_error *err)
{
    struct kconf *k = kconf_parse("k.conf", text, strlen(text), err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    cJSON *root = import_keepalived(k, "k.conf", "k", warnings, err);
    kconf_free(k);
    return root;
}

static const char *str(const cJSON *o, const char *path)
{
    char **keys = g_strsplit(path, ".", -1);
    const cJSON *v = o;
    for (int i = 0; keys[i] && v; i++)
        v = g_ascii_isdigit(keys[i][0]) ? cJSON_GetArrayItem(v, atoi(keys[i]))
                                        : cJSON_GetObjectItemCaseSensitive(v, keys[i]);
    g_strfreev(keys);
    static char buf[1024];
    if (!v)
        return "(absent)";
    if (cJSON_IsString(v))
        return v->valuestring;
    char *t = cJSON_PrintUnformatted(v);
    g_strlcpy(buf, t, sizeof buf);
    cJSON_free(t);
    return buf;
}

/* got equals want; the difference shown when not. */
static void eq(const char *got, const char *want)
{
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  want: %s\n  got:  %s\n", want, got);
}

static void test_services(void)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    struct kconf_error err;
    cJSON *s = import(
        "global_defs {\n  lvs_sync_daemon eth1 VI_1\n}\n"
        "vrrp_instance VI_1 {\n  advert_int 1.5\n  nopreempt\n"
        "  virtual_ipaddress {\n    10.1.0.10\n  }\n}\n"
        "virtual_server 10.1.0.10 443 {\n  lb_algo sh\n  lb_kind DR\n  persistence_timeout 60\n"
        "  persistence_granularity 255.255.255.0\n  retry 5\n  connect_timeout 2\n"
        "  sorry_server 10.2.0.99 443\n  inhibit_on_failure\n"
        "  real_server 10.2.0.1 443 {\n    weight 2\n    uthreshold 50\n    delay_before_retry 4\n"
        "    SSL_GET {\n      url {\n        path /\n      }\n      delay_loop 1.25\n    }\n  }\n"
        "  real_server 10.2.0.1 8443 {\n  }\n"
        "}\n"
        "virtual_server 10.1.0.10 53 {\n  protocol UDP\n"
        "  real_server 10.2.0.2 53 {\n    MISC_CHECK {\n      misc_path /bin/true\n"
        "      misc_dynamic\n    }\n  }\n}\n", w, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    eq(str(s, "ipvs"),
        "[\"-A -t 10.1.0.10:443 -s sh -p 60 -M 255.255.255.0\","
        "\"-a -t 10.1.0.10:443 -r 10.2.0.1:443 -g -w 2 -x 50\","
        "\"-a -t 10.1.0.10:443 -r 10.2.0.1:8443 -g -w 1\","
        "\"-A -u 10.1.0.10:53\",\"-a -u 10.1.0.10:53 -r 10.2.0.2:53 -m -w 1\"]");
    eq(str(s, "servers"),
        "[{\"name\":\"rs1\",\"ip\":\"10.2.0.1\",\"listen\":[\"tcp:443\",\"udp:443\",\"tcp:8443\","
        "\"udp:8443\"]},"
        "{\"name\":\"sorry1\",\"ip\":\"10.2.0.99\",\"port\":443},"
        "{\"name\":\"rs2\",\"ip\":\"10.2.0.2\",\"port\":53}]");
    eq(str(s, "director"),
        "{\"name\":\"lvs1\",\"vip\":\"10.1.0.10\",\"backup\":{\"name\":\"lvs2\",\"advert_int\":\"2s\","
        "\"preempt\":false,\"sync\":true}}");
    eq(str(s, "healthcheck.type"), "none");
    /* the check's own delay_loop; the real server's delay_before_retry; the virtual
     * server's retry and connect_timeout */
    eq(str(s, "healthcheck.services.0.real_servers.0.checks.0"),
        "{\"type\":\"SSL_GET\",\"delay_loop\":\"1250ms\",\"connect_timeout\":\"2s\",\"retry\":5,"
        "\"delay_before_retry\":\"4s\",\"url\":[{\"path\":\"/\"}]}");
    eq(str(s, "healthcheck.services.0.inhibit_on_failure"), "true");
    eq(str(s, "healthcheck.services.0.sorry_server"), "10.2.0.99:443");
    eq(str(s, "healthcheck.services.0.real_servers.1"),
                           "{\"server\":\"10.2.0.1:8443\",\"checks\":[]}");
    eq(str(s, "healthcheck.services.1.real_servers.0.checks.0"),
        "{\"type\":\"MISC_CHECK\",\"misc_path\":\"/bin/true\",\"misc_dynamic\":true,\"exit_codes\":[]}");
    eq(str(s, "clients"),
        "[{\"name\":\"vs1\",\"count\":50,\"target\":\"10.1.0.10:443\",\"protocol\":\"tcp\","
        "\"arrival\":\"poisson(20/s)\",\"request\":\"300B\",\"response\":\"10KB\",\"net\":\"198.18.1.0/24\"},"
        "{\"name\":\"vs2\",\"count\":50,\"target\":\"10.1.0.10:53\",\"protocol\":\"udp\","
        "\"arrival\":\"poisson(50/s)\",\"request\":\"64B\",\"response\":\"512B\",\"net\":\"198.18.2.0/24\"}]");
    /* advert_int rounded, SSL_GET without TLS, the script (rs1's second port is a listener) */
    GString *all = g_string_new(NULL);
    for (guint i = 0; i < w->len; i++)
        g_string_append_printf(all, "%s\n", (const char *)g_ptr_array_index(w, i));
    eq(all->str,
        "k.conf:4:1: warning: vrrp_instance VI_1: advert_int 1.5: VRRP version 2 advertises whole seconds: 2s\n"
        "k.conf:24:5: warning: SSL_GET: no TLS is modelled: an HTTP_GET on its port\n"
        "k.conf:37:5: warning: MISC_CHECK: its script is not run: it passes (exit 0) until you give "
        "exit_codes (a time and a code each)\n");
    g_string_free(all, TRUE);
    cJSON_Delete(s);
    g_ptr_array_free(w, TRUE);
}

/* Without a VRRP address the director holds the first virtual server's address; a real
 * server behind two services gets a listener (TCP and UDP) on each port. */
static void test_no_vrrp_two_ports(void)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    struct kconf_error err;
    cJSON *s = import("virtual_server 10.1.0.10 80 {\n  real_server 10.2.0.1 80 {\n  }\n}\n"
                      "virtual_server 10.1.0.10 443 {\n  real_server 10.2.0.1 443 {\n  }\n}\n", w, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    eq(str(s, "director"), "{\"name\":\"lvs1\",\"vip\":\"10.1.0.10\"}");
    eq(str(s, "servers"), "[{\"name\":\"rs1\",\"ip\":\"10.2.0.1\",\"listen\":[\"tcp:80\",\"udp:80\","
                          "\"tcp:443\",\"udp:443\"]}]");
    CU_ASSERT_EQUAL(w->len, 0);
    cJSON_Delete(s);
    g_ptr_array_free(w, TRUE);
}

/* The clients' networks avoid the servers' and the VIPs' /24s. */
static void test_client_net_avoids_servers(void)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    struct kconf_error err;
    cJSON *s = import("virtual_server 198.18.1.10 80 {\n  real_server 198.18.2.5 80 {\n  }\n}\n", w, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    eq(str(s, "clients.0.net"), "198.18.3.0/24");
    cJSON_Delete(s);
    g_ptr_array_free(w, TRUE);
}

static void test_errors(void)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    struct kconf_error err;
    CU_ASSERT_PTR_NULL(import("virtual_server 10.0.0.1 80 {\n  lb_algo fastest\n"
                              "  real_server 10.0.0.2 80 {\n  }\n}\n", w, &err));
    CU_ASSERT_EQUAL(err.pos.line, 2);
    CU_ASSERT_EQUAL(err.pos.col, 11);
    eq(err.msg, "unknown scheduler 'fastest' (expected one of: rr, wrr, lc, "
                                    "wlc, sed, nq, fo, ovf, lblc, lblcr, dh, sh, mh, twos)");
    CU_ASSERT_PTR_NULL(import("global_defs {\n}\n", w, &err));
    CU_ASSERT_EQUAL(err.pos.line, 0);
    eq(err.msg, "no virtual_server: nothing for IPVS to balance");
    CU_ASSERT_PTR_NULL(import("virtual_server 10.0.0.1 80 {\n}\n", w, &err));
    eq(err.msg, "no real_server: a scenario needs at least one server");
    CU_ASSERT_PTR_NULL(import("virtual_server 10.1.0.10 80 {\n  real_server 10.2.0.1 80 {\n  }\n"
                              "  real_server 172.16.5.1 80 {\n  }\n}\n", w, &err));
    CU_ASSERT_EQUAL(err.pos.line, 4);
    CU_ASSERT_EQUAL(err.pos.col, 3);
    eq(err.msg, "172.16.5.1: ipvsim puts the real servers on one LAN, a /24 (here 10.2.0.0/24, "
                "rs1's): real servers on several networks are not modelled");
    g_ptr_array_free(w, TRUE);
}

/* One line when it fits in 100 columns, else a member a line. */
static void test_json_layout(void)
{
    cJSON *o = cJSON_Parse("{\"a\": [1, 2], \"b\": {\"c\": \"x\"}, \"d\": {},"
                           " \"long\": [\"0123456789012345678901234567890123456789\","
                           " \"0123456789012345678901234567890123456789\", \"01234567890123456789\"]}");
    char *t = import_json_text(o);
    eq(t,
        "{\n"
        "  \"a\": [1, 2],\n"
        "  \"b\": { \"c\": \"x\" },\n"
        "  \"d\": {},\n"
        "  \"long\": [\n"
        "    \"0123456789012345678901234567890123456789\",\n"
        "    \"0123456789012345678901234567890123456789\",\n"
        "    \"01234567890123456789\"\n"
        "  ]\n"
        "}\n");
    g_free(t);
    cJSON_Delete(o);
}

IPVSIM_SUITE(import_keepalived)
{
    CU_pSuite s = CU_add_suite("import_keepalived", NULL, NULL);
    ADD_TEST(s, test_services);
    ADD_TEST(s, test_client_net_avoids_servers);
    ADD_TEST(s, test_no_vrrp_two_ports);
    ADD_TEST(s, test_errors);
    ADD_TEST(s, test_json_layout);
}
