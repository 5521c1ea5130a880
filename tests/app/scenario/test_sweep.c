/* The sweep file loader (app/scenario/sweep.h): its shape, the values as --set takes
 * them, the points' order, and where each error points. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include "app/scenario/sweep.h"
#include "tests/testutil.h"

/* Load text written to a temporary file: true on success; err filled in. */
static bool load_in(struct sweep *sw, const char *text, const char *base, struct scn_error *err)
{
    char *path = NULL;
    int fd = g_file_open_tmp("sweep-XXXXXX.json", &path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    g_file_set_contents(path, text, -1, NULL);
    bool ok = sweep_load(sw, path, base, err);
    g_unlink(path);
    g_free(path);
    return ok;
}

static bool load_text(struct sweep *sw, const char *text, struct scn_error *err)
{
    return load_in(sw, text, "/base", err);
}

static void test_sweep_good(void)
{
    struct sweep sw;
    struct scn_error err;
    const char *text =
        "{ \"scenario\": \"nat.json\",\n"
        "  \"parameters\": { \"clients.0.arrival\": [\"poisson(10/s)\", \"poisson(20/s)\"],\n"
        "                  \"clients.0.count\": [1, 2, 3], \"ipvs.1\": [\"-a -t 1.2.3.4:80 -r 10.0.0.1 -w 3\"] },\n"
        "  \"schedulers\": [\"rr\", \"wlc\"], \"replications\": 4, \"metrics\": [\"p99_ms\"] }\n";
    CU_ASSERT_FATAL(load_text(&sw, text, &err));
    CU_ASSERT_STRING_EQUAL(sw.scenario, "/base/nat.json");
    CU_ASSERT_EQUAL(sw.params->len, 3);
    const struct sweep_param *a = g_ptr_array_index(sw.params, 0), *c = g_ptr_array_index(sw.params, 1);
    CU_ASSERT_STRING_EQUAL(a->path, "clients.0.arrival");
    /* a string is given to --set quoted (so "5.10" stays a string), shown bare */
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(a->values, 1), "\"poisson(20/s)\"");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(a->labels, 1), "poisson(20/s)");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(c->values, 2), "3");
    CU_ASSERT_EQUAL(g_array_index(c->pos, struct scn_pos, 2).line, 3);
    CU_ASSERT_EQUAL(sw.replications, 4);
    CU_ASSERT_EQUAL(sw.scheds->len, 2);
    CU_ASSERT_EQUAL(sw.metrics->len, 1);
    /* 2 x 3 x 1 points, the first parameter slowest */
    CU_ASSERT_EQUAL(sweep_npoints(&sw), 6);
    CU_ASSERT_EQUAL(sweep_value_index(&sw, 0, 0), 0);
    CU_ASSERT_EQUAL(sweep_value_index(&sw, 2, 0), 0);
    CU_ASSERT_EQUAL(sweep_value_index(&sw, 3, 0), 1);
    CU_ASSERT_EQUAL(sweep_value_index(&sw, 4, 1), 1);
    CU_ASSERT_EQUAL(sweep_value_index(&sw, 5, 1), 2);
    CU_ASSERT_EQUAL(sweep_value_index(&sw, 5, 2), 0);
    sweep_free(&sw);
}

/* "scenario" is relative to the sweep file's directory, "x/.." taken out without the
 * file system (a relative path stays relative, as the user wrote it). */
static void test_sweep_scenario_path(void)
{
    static const struct { const char *base, *scn, *path; } cases[] = {
        { "scenarios/sweeps", "../unequal-servers.json", "scenarios/unequal-servers.json" },
        { "/base/a/b", "../../nat.json", "/base/nat.json" },
        { ".", "./nat.json", "nat.json" },
        { "s", "../../nat.json", "../nat.json" },
        { "/x", "/abs/nat.json", "/abs/nat.json" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct sweep sw;
        struct scn_error err;
        char *text = g_strdup_printf("{ \"scenario\": \"%s\", \"schedulers\": [\"rr\"], "
                                     "\"seeds\": \"1\" }", cases[i].scn);
        CU_ASSERT_FATAL(load_in(&sw, text, cases[i].base, &err));
        CU_ASSERT_STRING_EQUAL(sw.scenario, cases[i].path);
        CU_ASSERT_EQUAL(sweep_npoints(&sw), 1);     /* no parameter: the base scenario */
        sweep_free(&sw);
        g_free(text);
    }
}

/* Each bad file: refused, the error at the line and column given, saying what. */
static void test_sweep_bad(void)
{
    static const struct { const char *text; int line, col; const char *says; } bad[] = {
        { "{ \"scenario\": \"a.json\",\n  \"schedulers\": [\"rr\"] \"seeds\": \"1-3\" }", 2, 24, "expected" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"],\n  \"replication\": 3 }", 2, 3,
          "unknown key 'replication'" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\", \"rr\"], \"replications\": 3 }", 1, 46,
          "'rr' is listed twice" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"], \"replications\": 0 }", 1, 63,
          "from 1 to" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"] }", 1, 1, "missing key 'replications'" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"], \"seeds\": \"1\",\n  \"replications\": 2 }",
          1, 47, "give one of them" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"], \"seeds\": \"1\",\n"
          "  \"parameters\": { \"duration\": [] } }", 2, 31, "non-empty array" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"], \"seeds\": \"1\",\n"
          "  \"parameters\": { \"duration\": [\"1s\", \"2s\", \"1s\"] } }", 2, 44, "listed twice" },
        { "{ \"schedulers\": [\"rr\"], \"seeds\": \"1\" }", 1, 1, "missing key 'scenario'" },
        { "{ \"scenario\": \"a.json\", \"schedulers\": [\"rr\"], \"seeds\": \"1\", \"pcap\": 1 }", 1, 69,
          "true or false" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct sweep sw;
        struct scn_error err;
        bool ok = load_text(&sw, bad[i].text, &err);
        CU_ASSERT_FALSE(ok);
        if (err.pos.line != bad[i].line || err.pos.col != bad[i].col || !strstr(err.msg, bad[i].says))
            fprintf(stderr, "\nbad sweep %zu: %d:%d: %s\n", i, err.pos.line, err.pos.col, err.msg);
        CU_ASSERT_EQUAL(err.pos.line, bad[i].line);
        CU_ASSERT_EQUAL(err.pos.col, bad[i].col);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].says));
        sweep_free(&sw);
    }
}

IPVSIM_SUITE(sweep)
{
    CU_pSuite s = CU_add_suite("sweep", NULL, NULL);
    ADD_TEST(s, test_sweep_good);
    ADD_TEST(s, test_sweep_scenario_path);
    ADD_TEST(s, test_sweep_bad);
}
