/* keepalived.conf's reader (model/user/keepalived/keepalived_conf.c): the grammar
 * (blocks, comments, quotes, "{" on the next line), every keyword it reads, the
 * warnings for what it does not, and the errors with their place. */
#include <string.h>
#include "model/user/keepalived/keepalived_conf.h"
#include "tests/testutil.h"

static struct kconf *parse(const char *text, struct kconf_error *err)
{
    return kconf_parse("k.conf", text, strlen(text), err);
}

static be32 ip(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

static void test_full(void)
{
    static const char text[] =
        "! a comment\n"
        "# another\n"
        "global_defs {\n"
        "    router_id LVS_1   # trailing comment\n"
        "    lvs_sync_daemon eth0 VI_1 id 7\n"
        "}\n"
        "vrrp_instance VI_1 {\n"
        "    state BACKUP\n"
        "    priority 100\n"
        "    virtual_router_id 51\n"
        "    advert_int 2\n"
        "    nopreempt\n"
        "    virtual_ipaddress {\n"
        "        203.0.113.10/24 dev eth0\n"
        "        203.0.113.11\n"
        "    }\n"
        "}\n"
        "virtual_server_group G {\n"
        "    203.0.113.20-22 80\n"
        "    fwmark 9\n"
        "}\n"
        "virtual_server 203.0.113.10 80\n"
        "{\n"
        "    delay_loop 6.5\n"
        "    lb_algo wrr\n"
        "    lb_kind DR\n"
        "    persistence_timeout 300\n"
        "    persistence_granularity 255.255.255.0\n"
        "    protocol TCP\n"
        "    quorum 3\n"
        "    hysteresis 1\n"
        "    alpha\n"
        "    omega\n"
        "    inhibit_on_failure\n"
        "    sorry_server 192.0.2.99 8080\n"
        "    sorry_server_lvs_method NAT\n"
        "    sorry_server_inhibit\n"
        "    retry 4\n"
        "    real_server 192.0.2.11 80 {\n"
        "        weight 3\n"
        "        uthreshold 100\n"
        "        lthreshold 10\n"
        "        HTTP_GET {\n"
        "            url { path /health\n"
        "                  status_code 200 300-399 }\n"
        "            url {\n"
        "                path /x\n"
        "                digest 0123abcd\n"
        "            }\n"
        "            connect_port 8080\n"
        "            connect_ip 192.0.2.111\n"
        "            connect_timeout 3\n"
        "            nb_get_retry 2\n"
        "            delay_before_retry 0.5\n"
        "        }\n"
        "        TCP_CHECK { connect_timeout 1 }\n"
        "    }\n"
        "    real_server 192.0.2.12 {\n"
        "        MISC_CHECK {\n"
        "            misc_path \"/bin/check --host 192.0.2.12 # not a comment\"\n"
        "            misc_dynamic\n"
        "        }\n"
        "    }\n"
        "}\n"
        "virtual_server group G {\n"
        "    protocol UDP\n"
        "}\n"
        "virtual_server fwmark 5 {\n"
        "    lvs_sched sh\n"
        "    lvs_method TUN\n"
        "}\n";
    struct kconf_error err;
    struct kconf *k = parse(text, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT(k->sync_daemon);
    CU_ASSERT_EQUAL(k->syncid, 7);
    CU_ASSERT_EQUAL_FATAL(k->vrrp->len, 1);
    const struct kconf_vrrp *vr = &g_array_index(k->vrrp, struct kconf_vrrp, 0);
    CU_ASSERT_STRING_EQUAL(vr->name, "VI_1");
    CU_ASSERT(vr->backup);
    CU_ASSERT(vr->nopreempt);
    CU_ASSERT_EQUAL(vr->priority, 100);
    CU_ASSERT_EQUAL(vr->vrid, 51);
    CU_ASSERT_EQUAL(vr->advert_int, 2);
    CU_ASSERT_EQUAL_FATAL(vr->vips->len, 2);
    CU_ASSERT_EQUAL(g_array_index(vr->vips, be32, 1), ip("203.0.113.11"));
    CU_ASSERT_EQUAL_FATAL(k->vs->len, 3);
    const struct kconf_vs *v = &g_array_index(k->vs, struct kconf_vs, 0);
    CU_ASSERT_EQUAL(v->pos.line, 22);
    CU_ASSERT_EQUAL(v->delay_loop, 6.5);
    CU_ASSERT_STRING_EQUAL(v->sched, "wrr");
    CU_ASSERT_EQUAL(v->fwd, KCONF_DR);
    CU_ASSERT_EQUAL(v->persistence_timeout, 300);
    CU_ASSERT_EQUAL(v->persistence_granularity, ip("255.255.255.0"));
    CU_ASSERT_EQUAL(v->quorum, 3);
    CU_ASSERT_EQUAL(v->hysteresis, 1);
    CU_ASSERT(v->alpha && v->omega && v->inhibit == 1 && v->has_sorry && v->sorry_inhibit);
    CU_ASSERT_EQUAL(v->sorry_addr, ip("192.0.2.99"));
    CU_ASSERT_EQUAL(v->sorry_port, 8080);
    CU_ASSERT_EQUAL(v->sorry_fwd, KCONF_NAT);
    CU_ASSERT_EQUAL(v->retry, 4);
    CU_ASSERT_EQUAL_FATAL(v->rs->len, 2);
    const struct kconf_rs *rs = &g_array_index(v->rs, struct kconf_rs, 0);
    CU_ASSERT_EQUAL(rs->port, 80);
    CU_ASSERT_EQUAL(rs->weight, 3);
    CU_ASSERT_EQUAL(rs->uthreshold, 100);
    CU_ASSERT_EQUAL(rs->lthreshold, 10);
    CU_ASSERT_EQUAL_FATAL(rs->checks->len, 2);
    const struct kconf_check *c = &g_array_index(rs->checks, struct kconf_check, 0);
    CU_ASSERT_EQUAL(c->type, KCONF_HTTP_GET);
    CU_ASSERT_EQUAL(c->connect_port, 8080);
    CU_ASSERT_EQUAL(c->connect_ip, ip("192.0.2.111"));
    CU_ASSERT_EQUAL(c->connect_timeout, 3);
    CU_ASSERT_EQUAL(c->retry, 2);
    CU_ASSERT_EQUAL(c->delay_before_retry, 0.5);
    CU_ASSERT_EQUAL(c->delay_loop, -1);
    CU_ASSERT_EQUAL_FATAL(c->urls->len, 2);
    CU_ASSERT_STRING_EQUAL(g_array_index(c->urls, struct kconf_url, 0).path, "/health");
    CU_ASSERT_STRING_EQUAL(g_array_index(c->urls, struct kconf_url, 0).status_code, "200 300-399");
    CU_ASSERT(g_array_index(c->urls, struct kconf_url, 1).digest);
    CU_ASSERT_EQUAL(g_array_index(rs->checks, struct kconf_check, 1).type, KCONF_TCP_CHECK);
    CU_ASSERT_EQUAL(g_array_index(rs->checks, struct kconf_check, 1).connect_timeout, 1);
    rs = &g_array_index(v->rs, struct kconf_rs, 1);
    CU_ASSERT_EQUAL(rs->port, 0);
    CU_ASSERT_EQUAL(rs->weight, 1);
    c = &g_array_index(rs->checks, struct kconf_check, 0);
    CU_ASSERT_EQUAL(c->type, KCONF_MISC_CHECK);
    CU_ASSERT_STRING_EQUAL(c->misc_path, "/bin/check --host 192.0.2.12 # not a comment");
    CU_ASSERT(c->misc_dynamic);
    /* the group: three addresses of a range and a mark */
    v = &g_array_index(k->vs, struct kconf_vs, 1);
    CU_ASSERT_STRING_EQUAL(v->group, "G");
    CU_ASSERT_EQUAL(v->protocol, IPPROTO_UDP);
    CU_ASSERT_EQUAL_FATAL(v->addrs->len, 4);
    CU_ASSERT_EQUAL(g_array_index(v->addrs, struct kconf_vs_addr, 2).addr, ip("203.0.113.22"));
    CU_ASSERT_EQUAL(g_array_index(v->addrs, struct kconf_vs_addr, 2).port, 80);
    CU_ASSERT_EQUAL(g_array_index(v->addrs, struct kconf_vs_addr, 3).fwmark, 9);
    kconf_free(k);
    /* a range to the last address of all ends there */
    k = parse("virtual_server_group G {\n  255.255.255.254-255 80\n}\n"
              "virtual_server group G {\n}\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT_EQUAL(g_array_index(k->vs, struct kconf_vs, 0).addrs->len, 2);
    kconf_free(k);
    k = parse(text, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    v = &g_array_index(k->vs, struct kconf_vs, 2);
    CU_ASSERT_EQUAL(g_array_index(v->addrs, struct kconf_vs_addr, 0).fwmark, 5);
    CU_ASSERT_STRING_EQUAL(v->sched, "sh");
    CU_ASSERT_EQUAL(v->fwd, KCONF_TUN);
    /* what it does not use, each with its place */
    GString *w = g_string_new(NULL);
    for (guint i = 0; i < k->warnings->len; i++)
        g_string_append_printf(w, "%s\n", (const char *)g_ptr_array_index(k->warnings, i));
    CU_ASSERT_STRING_EQUAL(w->str,
        "k.conf:4:5: warning: global_defs router_id: not modelled, ignored\n"
        "k.conf:14:25: warning: virtual_ipaddress: 'dev' and what follows ignored (the VIP goes on the director's eth0)\n"
        "k.conf:48:17: warning: digest: the model serves status codes, not content: ignored\n");
    g_string_free(w, TRUE);
    kconf_free(k);
}

static void test_unknown_keywords(void)
{
    struct kconf_error err;
    struct kconf *k = parse("frobnicate 1\n"
                            "virtual_server 10.0.0.1 80 {\n"
                            "  lb_algo rr extra\n"
                            "  colour blue\n"
                            "  real_server 10.0.0.2 80 { sparkle\n"
                            "    DNS_CHECK { type A }\n"
                            "  }\n"
                            "}\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT_EQUAL_FATAL(k->warnings->len, 5);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(k->warnings, 0),
                           "k.conf:1:1: warning: unknown keyword 'frobnicate' in the top level, ignored");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(k->warnings, 1),
                           "k.conf:3:14: warning: lb_algo: 'extra' and what follows ignored");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(k->warnings, 2),
                           "k.conf:4:3: warning: unknown keyword 'colour' in virtual_server, ignored");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(k->warnings, 3),
                           "k.conf:5:29: warning: unknown keyword 'sparkle' in real_server, ignored");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(k->warnings, 4),
                           "k.conf:6:5: warning: DNS_CHECK: not modelled, ignored (use TCP_CHECK or a MISC_CHECK)");
    kconf_free(k);
}

static void expect_error(const char *text, const char *want)
{
    struct kconf_error err;
    struct kconf *k = parse(text, &err);
    CU_ASSERT_PTR_NULL(k);
    kconf_free(k);
    if (k)
        return;
    char *got = g_strdup_printf("%d:%d: %s", err.pos.line, err.pos.col, err.msg);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  want: %s\n  got:  %s\n", want, got);
    g_free(got);
}

static void test_errors(void)
{
    expect_error("virtual_server 10.0.0.1 80 {\n  lb_algo rr\n",
                 "1:28: this '{' is not closed (expected '}' before the end of the file)");
    expect_error("}\n", "1:1: '}' with no '{' to close");
    expect_error("{\n}\n", "1:1: '{' with no keyword before it");
    expect_error("include /etc/keepalived/other.conf\n",
                 "1:1: include is not supported: paste the included file in its place");
    expect_error("$VIP=10.0.0.1\n", "1:1: parameters ($NAME) are not supported: write the value in");
    expect_error("virtual_server $VIP 80 {\n}\n",
                 "1:16: parameters ($NAME) are not supported: write the value in");
    expect_error("@lvs1 global_defs {\n}\n",
                 "1:1: conditional lines (@ID) are not supported: keep the lines of one host");
    expect_error("virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n"
                 "    MISC_CHECK {\n      misc_path \"/bin/x\n    }\n  }\n}\n",
                 "4:17: unterminated quoted string (expected '\"' before the end of the line)");
    expect_error("virtual_server 10.0.0.300 80 {\n}\n",
                 "1:16: expected an IPv4 address, not '10.0.0.300'");
    expect_error("virtual_server 2001:db8::1 80 {\n}\n",
                 "1:16: '2001:db8::1': IPv6 is not modelled (expected an IPv4 address)");
    expect_error("virtual_server 10.0.0.1 {\n}\n", "1:1: virtual_server: expected a port after it");
    expect_error("virtual_server 10.0.0.1 99999 {\n}\n",
                 "1:25: expected an integer from 0 to 65535, not '99999'");
    expect_error("virtual_server 10.0.0.1 80\n", "1:1: virtual_server: expected a block ('{' ... '}')");
    expect_error("virtual_server 10.0.0.1 80 {\n  lb_kind FULLNAT\n}\n",
                 "2:11: unknown forwarding method 'FULLNAT' (expected NAT, DR or TUN)");
    expect_error("virtual_server 10.0.0.1 80 {\n  protocol ICMP\n}\n",
                 "2:12: unknown protocol 'ICMP' (expected TCP, UDP or SCTP)");
    expect_error("virtual_server 10.0.0.1 80 {\n  delay_loop -1\n}\n",
                 "2:14: expected a number of seconds (0 to 10000000), not '-1'");
    expect_error("virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    weight x\n  }\n}\n",
                 "3:12: expected an integer from 0 to 65535, not 'x'");
    expect_error("virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    HTTP_GET {\n"
                 "      connect_timeout 3\n    }\n  }\n}\n",
                 "3:5: HTTP_GET: expected a url block in it");
    expect_error("virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    HTTP_GET {\n"
                 "      url { status_code 200 }\n    }\n  }\n}\n",
                 "4:7: url: expected a path in it");
    expect_error("virtual_server group NOPE {\n}\n",
                 "1:22: no virtual_server_group 'NOPE' defined before");
    expect_error("virtual_server_group G {\n  10.0.0.9-3 80\n}\n",
                 "2:3: '10.0.0.9-3': the range's last byte is below its first");
    /* found by the fuzzer: the range's end is read after the address was copied */
    expect_error("virtual_server_group G {\n  10.0.0.1-3x 4\n}\n",
                 "2:3: expected an integer from 0 to 255, not '3x'");
    expect_error("virtual_server_group G {\n  10.0.0.1.2.3.4.5.6.7.8.9 4\n}\n",
                 "2:3: expected an IPv4 address, not '10.0.0.1.2.3.4.5.6.7.8.9'");
    expect_error("vrrp_instance VI {\n  state LEADER\n}\n",
                 "2:9: unknown state 'LEADER' (expected MASTER or BACKUP)");
    expect_error("virtual_server 10.0.0.1 80 {\n  lb_algo { rr }\n}\n", "2:11: lb_algo takes no block");
}

/* Bytes a file may hold: NULs are refused, any other byte is a word's. */
static void test_odd_bytes(void)
{
    struct kconf_error err;
    static const char nul[] = "global_defs {\n\0}\n";
    CU_ASSERT_PTR_NULL(kconf_parse("k.conf", nul, sizeof nul - 1, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "a NUL byte in the text");
    struct kconf *k = parse("\xff\xfe {\n}\r\n", &err);
    CU_ASSERT_PTR_NOT_NULL(k);
    kconf_free(k);
    k = parse("", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT_EQUAL(k->vs->len, 0);
    kconf_free(k);
}

IPVSIM_SUITE(keepalived_conf)
{
    CU_pSuite s = CU_add_suite("keepalived_conf", NULL, NULL);
    ADD_TEST(s, test_full);
    ADD_TEST(s, test_unknown_keywords);
    ADD_TEST(s, test_errors);
    ADD_TEST(s, test_odd_bytes);
}
