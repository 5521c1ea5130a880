/* The sysctl table (app/scenario/sysctl.c) walked row by row: every name it holds
 * loads from a scenario (the director's "sysctl", a server's for the host's own,
 * a "sysctl" event, --set), lands in the model where the row says, starts at the
 * row's default in every era that has it, and a value out of its range is refused
 * when the world is built with FILE:LINE:COL pointing at the value. */
#include <glib.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "app/scenario/sysctl.h"
#include "model/apps/tcp_conn.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/world.h"

static char *tmp_dir;

static int suite_init(void)
{
    tmp_dir = g_dir_make_tmp("ipvsim-sysctl-XXXXXX", NULL);
    return tmp_dir ? 0 : 1;
}

static int suite_clean(void)
{
    char *path = g_build_filename(tmp_dir, "s.json", NULL);
    g_remove(path);
    g_free(path);
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return 0;
}

/* A scenario whose director sets name to value on line 3, column 15 (the value). */
static struct scenario *load(const char *kernel, const char *director_sysctl, const char *server_sysctl,
                             const char *const *sets, struct scn_error *err)
{
    char *text = g_strdup_printf(
        "{ \"kernel\": \"%s\", \"duration\": \"10s\",\n"
        "  \"sysctl\": {\n"
        "    %s },\n"
        "  \"servers\": [ { \"ip\": \"192.0.2.11\", \"sysctl\": { %s } } ],\n"
        "  \"clients\": [], \"ipvs\": [] }\n", kernel, director_sysctl ? director_sysctl : "",
        server_sysctl ? server_sysctl : "");
    char *path = g_build_filename(tmp_dir, "s.json", NULL);
    g_file_set_contents(path, text, -1, NULL);
    struct scenario *s = scenario_load(path, sets, err);
    g_free(path);
    g_free(text);
    return s;
}

/* A value the row takes that is not its default (0 for one only 0 is modelled of). */
static long other_value(const struct sysctl_def *d)
{
    if (d->unmodelled)
        return 0;
    return d->def == d->max ? d->min : d->max;
}

/* The table: names unique, found under every spelling a scenario may use and no
 * other, the default within the range. */
static void test_table(void)
{
    CU_ASSERT(sysctl_count() > 0);
    CU_ASSERT_PTR_NULL(sysctl_at(sysctl_count()));
    for (size_t i = 0; i < sysctl_count(); i++) {
        const struct sysctl_def *d = sysctl_at(i);
        CU_ASSERT_PTR_EQUAL(sysctl_find(d->name), d);
        for (size_t k = 0; k < i; k++)
            CU_ASSERT_STRING_NOT_EQUAL(sysctl_at(k)->name, d->name);
        CU_ASSERT(d->min <= d->def && d->def <= d->max);
        CU_ASSERT(d->size == sizeof(int) || d->size == sizeof(int64_t));
        CU_ASSERT_PTR_NOT_NULL(d->handler);
        char *vs = g_strconcat("net.ipv4.vs.", d->name, NULL);
        CU_ASSERT_EQUAL(sysctl_find(vs) == d, d->home == SYSCTL_IPVS);
        g_free(vs);
        bool spelled = d->home == SYSCTL_IPVS
                           ? strchr(d->name, '.') == NULL
                           : g_str_has_prefix(d->name, "net.ipv4.") &&
                                 sysctl_find(d->name + strlen("net.ipv4.")) == NULL;
        CU_ASSERT(spelled);
    }
    CU_ASSERT_PTR_NULL(sysctl_find("net.ipv4.vs.ip_forward"));
    CU_ASSERT_PTR_NULL(sysctl_find("sloppy"));
}

/* tcp_tw_reuse's 2 (loopback only) came in 4.18 with its default: refused before, saying so. */
static void test_tw_reuse_range_per_era(void)
{
    struct world w;
    world_init(&w, 1);
    struct net *old = net_new(host_new(&w, "a"), kernel_profile_find("4.9"));
    struct net *now = net_new(host_new(&w, "b"), kernel_profile_find("6.x"));
    char msg[512] = "";
    CU_ASSERT_FALSE(sysctl_set(old, "net.ipv4.tcp_tw_reuse", 2, msg, sizeof msg));
    CU_ASSERT_STRING_EQUAL(msg, "sysctl 'net.ipv4.tcp_tw_reuse': 2 is out of range in kernel 4.9 "
                                "(expected 0 to 1; up to 2 since 4.18)");
    CU_ASSERT(sysctl_set(old, "net.ipv4.tcp_tw_reuse", 1, msg, sizeof msg));
    CU_ASSERT(sysctl_set(now, "net.ipv4.tcp_tw_reuse", 2, msg, sizeof msg));
    CU_ASSERT_FALSE(sysctl_set(now, "net.ipv4.tcp_tw_reuse", 3, msg, sizeof msg));
    CU_ASSERT_EQUAL(old->ipv4.tcp_tw_reuse, 1);
    world_destroy(&w);
}

/* A fresh host of every era holds each sysctl it has at the table's default. */
static void test_defaults_per_era(void)
{
    for (const struct kernel_profile *const *p = kernel_profiles(); *p; p++) {
        struct world w;
        world_init(&w, 1);
        struct net *net = net_new(host_new(&w, "h"), *p);
        char msg[512];
        for (size_t i = 0; i < sysctl_count(); i++) {
            const struct sysctl_def *d = sysctl_at(i);
            long v = sysctl_get(net, d), def = sysctl_default(d, *p);
            CU_ASSERT_EQUAL(v, def);
            if (v != def)
                fprintf(stderr, "\n  %s in %s: %ld, the table says %ld\n", d->name, (*p)->name, v,
                        def);
            /* setting the default is always taken where the sysctl exists */
            bool set = sysctl_set(net, d->name, def, msg, sizeof msg);
            if (!set)
                CU_ASSERT_PTR_NOT_NULL(strstr(msg, "does not exist in kernel"));
        }
        world_destroy(&w);
    }
}

/* How a scenario writes value v of d: a name in quotes for a sysctl that takes names. */
static char *value_text(const struct sysctl_def *d, long v)
{
    return d->names ? g_strdup_printf("\"%s\"", d->names[v]) : g_strdup_printf("%ld", v);
}

/* Each row: the director's "sysctl" and --set load and land in its net; a server
 * takes the net.ipv4 ones; a value out of range fails the build at its place. */
static void test_walk(void)
{
    for (size_t i = 0; i < sysctl_count(); i++) {
        const struct sysctl_def *d = sysctl_at(i);
        long good = other_value(d);
        char *vt = value_text(d, good);
        char *one = g_strdup_printf("\"%s\": %s", d->name, vt);
        struct scn_error err;
        struct scenario *s = load("6.x", one, d->home == SYSCTL_IPVS ? NULL : one, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        struct run_world rw;
        bool built = run_world_build(&rw, s, NULL, &err);
        CU_ASSERT(built);
        if (!built)
            fprintf(stderr, "\n  %s=%ld: %s\n", d->name, good, err.msg);
        if (built) {
            CU_ASSERT_EQUAL(sysctl_get(host_net(rw.director), d), good);
            if (d->home != SYSCTL_IPVS)
                CU_ASSERT_EQUAL(sysctl_get(host_net(g_ptr_array_index(rw.servers, 0)), d), good);
            run_world_free(&rw);
        }
        scenario_free(s);
        g_free(one);

        /* --set sysctl.NAME=VALUE (dots and all) */
        char *set = g_strdup_printf("sysctl.%s=%s", d->name, vt);
        const char *sets[] = { set, NULL };
        s = load("6.x", NULL, NULL, sets, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(s->sysctls->len, 1);
        CU_ASSERT_STRING_EQUAL(g_array_index(s->sysctls, struct scn_sysctl, 0).key, d->name);
        CU_ASSERT_EQUAL(g_array_index(s->sysctls, struct scn_sysctl, 0).value, good);
        scenario_free(s);
        g_free(set);

        /* a "sysctl" event, added with --set: stored by the table's name */
        char *ev = g_strdup_printf("events[0]={\"at\": \"1s\", \"do\": \"sysctl\", \"key\": "
                                   "\"%s%s\", \"value\": %s}",
                                   d->home == SYSCTL_IPVS ? "net.ipv4.vs." : "", d->name, vt);
        const char *evs[] = { ev, NULL };
        s = load("6.x", NULL, NULL, evs, &err);
        if (!s)
            fprintf(stderr, "\n  %s: %s\n", ev, err.msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(g_array_index(s->events, struct scn_event, 0).key, d->name);
        CU_ASSERT_EQUAL(g_array_index(s->events, struct scn_event, 0).value, good);
        scenario_free(s);
        g_free(ev);
        g_free(vt);
        if (d->names)
            continue;                   /* a name it does not take: test_named_value */

        /* out of range: the build fails at the value (line 3, after 4 spaces, the
         * quoted name and ": ") */
        long bad = d->max < INT_MAX ? d->max + 1 : d->min - 1;
        char *text = g_strdup_printf("\"%s\": %ld", d->name, bad);
        s = load("6.x", text, NULL, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        built = run_world_build(&rw, s, NULL, &err);
        CU_ASSERT_FALSE(built);
        if (built)
            run_world_free(&rw);
        char *want = d->unmodelled
            ? g_strdup_printf("sysctl '%s': %ld is not modelled in kernel 6.x: %s; only 0 is "
                              "accepted", d->name, bad, d->unmodelled)
            : g_strdup_printf("sysctl '%s': %ld is out of range (expected %ld to %ld)", d->name,
                              bad, d->min, d->max);
        CU_ASSERT_STRING_EQUAL(err.msg, want);
        CU_ASSERT_EQUAL(err.pos.line, 3);
        CU_ASSERT_EQUAL(err.pos.col, 5 + (int)strlen(d->name) + 4);
        scenario_free(s);
        g_free(want);
        g_free(text);
    }
}

/* net.ipv4.tcp_congestion_control takes the names of the modules modelled, and
 * nothing else: an unknown name or a number fails the load at the value. */
static void test_named_value(void)
{
    const char *bad[] = { "\"bbr\"", "1" };
    for (unsigned i = 0; i < 2; i++) {
        char *text = g_strdup_printf("\"net.ipv4.tcp_congestion_control\": %s", bad[i]);
        struct scn_error err;
        struct scenario *s = load("6.x", text, NULL, NULL, &err);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "expected one of cubic, reno"));
        CU_ASSERT_EQUAL(err.pos.line, 3);
        if (s)
            scenario_free(s);
        g_free(text);
    }
    const struct sysctl_def *d = sysctl_find("net.ipv4.tcp_congestion_control");
    long v = -1;
    CU_ASSERT_TRUE(sysctl_name_value(d, "reno", &v));
    CU_ASSERT_EQUAL(v, TCP_CA_RENO);
    CU_ASSERT_FALSE(sysctl_name_value(d, "vegas", &v));
}

/* A sysctl younger than the era is refused by name and version, the IPVS ones and
 * ICMP's global limit (3.18) alike. */
static void test_era_and_event(void)
{
    for (size_t i = 0; i < sysctl_count(); i++) {
        const struct sysctl_def *d = sysctl_at(i);
        const struct kernel_profile *old = kernel_profile_find("2.6.34");
        struct world w;
        world_init(&w, 1);
        struct net *net = net_new(host_new(&w, "h"), old);
        char msg[512];
        bool exists = d->home == SYSCTL_IPVS ? kernel_profile_has_ipvs_sysctl(old, d->name)
                                             : !d->exists || d->exists(old);
        CU_ASSERT_EQUAL(sysctl_set(net, d->name, sysctl_default(d, old), msg, sizeof msg), exists);
        if (!exists) {
            char *want = g_strdup_printf("sysctl '%s' does not exist in kernel 2.6.34 (%s%s came in "
                                         "%s)", d->name, d->home == SYSCTL_IPVS ? "net.ipv4.vs." : "",
                                         d->name, d->home == SYSCTL_IPVS
                                             ? kernel_feature_since(d->name) : d->since);
            CU_ASSERT_STRING_EQUAL(msg, want);
            g_free(want);
        }
        world_destroy(&w);
    }
    CU_ASSERT_FALSE(sysctl_find("net.ipv4.icmp_msgs_burst")->exists(kernel_profile_find("2.6.34")));
    CU_ASSERT_TRUE(sysctl_find("net.ipv4.icmp_msgs_burst")->exists(kernel_profile_find("4.9")));
}

IPVSIM_SUITE(sysctl)
{
    CU_pSuite s = CU_add_suite("sysctl", suite_init, suite_clean);
    ADD_TEST(s, test_table);
    ADD_TEST(s, test_defaults_per_era);
    ADD_TEST(s, test_tw_reuse_range_per_era);
    ADD_TEST(s, test_walk);
    ADD_TEST(s, test_named_value);
    ADD_TEST(s, test_era_and_event);
}
