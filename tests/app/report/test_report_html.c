/* The results page (app/report/report_html.c): escaping, the figures made safe to
 * inline, the sections of a run's and of a replicated comparison's page from files
 * written here, the kinds it refuses, the atomic write. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "app/report/report_html.h"
#include "tests/testutil.h"

static char *escaped(const char *text)
{
    GString *g = g_string_new(NULL);
    report_escape(g, text);
    return g_string_free(g, FALSE);
}

static void test_escape(void)
{
    char *e = escaped("<script>alert(\"x\")</script> & 'y'");
    CU_ASSERT_STRING_EQUAL(e, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
    g_free(e);
    e = escaped("a\xff" "b");             /* not UTF-8: the byte becomes U+FFFD */
    CU_ASSERT_STRING_EQUAL(e, "a\xef\xbf\xbd" "b");
    g_free(e);
    e = escaped(NULL);
    CU_ASSERT_STRING_EQUAL(e, "");
    g_free(e);
}

/* inline an SVG: true and the text, or false (g left as it was) */
static bool inl(const char *svg, char **out)
{
    GString *g = g_string_new("before|");
    char err[128] = "";
    bool ok = report_inline_svg(g, svg, "fig-a", err, sizeof err);
    if (!ok) {
        CU_ASSERT_STRING_EQUAL(g->str, "before|");
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "not put in the page"));
    }
    *out = g_string_free(g, FALSE);
    return ok;
}

static void test_inline_svg(void)
{
    char *out;
    /* gnuplot's shapes: the prolog and comments dropped, ids and references prefixed */
    CU_ASSERT_TRUE(inl("<?xml version=\"1.0\"?>\n<!-- drawn --><svg width=\"10\">"
                       "<defs><path id='gpPt1' d='M0,0'/></defs><use xlink:href='#gpPt1'/>"
                       "<g clip-path=\"url(#gpclip)\" id=\"gnuplot_plot_1\">"
                       "<text>&lt;b> 1 > 0</text></g></svg>\n", &out));
    CU_ASSERT_STRING_EQUAL(out, "before|<svg width=\"10\"><defs><path id='fig-a-gpPt1' d='M0,0'/>"
                                "</defs><use xlink:href='#fig-a-gpPt1'/><g clip-path=\"url(#fig-a-gpclip)\" "
                                "id=\"fig-a-gnuplot_plot_1\"><text>&lt;b> 1 > 0</text></g></svg>\n");
    g_free(out);
    /* what would run or fetch something is refused */
    static const char *const bad[] = {
        "<svg><script>alert(1)</script></svg>",
        "<svg><SCRIPT>x</SCRIPT></svg>",
        "<svg onload=\"alert(1)\"></svg>",
        "<svg><rect onclick='x'/></svg>",
        "<svg><foreignObject><p>x</p></foreignObject></svg>",
        "<svg><image href=\"http://example.com/a.png\"/></svg>",
        "<svg><use xlink:href='other.svg#a'/></svg>",
        "<svg><rect width=10/></svg>",
        "<svg><rect width='10",
        "no svg here",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        CU_ASSERT_FALSE(inl(bad[i], &out));
        g_free(out);
    }
}

/* ---- pages from files written here --------------------------------------------------- */

static void put(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL), *parent = g_path_get_dirname(path);
    g_mkdir_with_parents(parent, 0755);
    CU_ASSERT_TRUE(g_file_set_contents(path, text, -1, NULL));
    g_free(parent);
    g_free(path);
}

static char *page_of(const char *dir, int want_rc)
{
    GString *g = g_string_new(NULL);
    char err[512] = "";
    CU_ASSERT_EQUAL(report_format(dir, g, err, sizeof err), want_rc);
    return g_string_free(g, FALSE);
}

static int rm_all(const char *dir)
{
    char *argv[] = { "rm", "-rf", (char *)dir, NULL };
    int status = -1;
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL);
    return status;
}

#define HAS(page, text) CU_ASSERT_PTR_NOT_NULL(strstr((page), (text)))
#define HASNT(page, text) CU_ASSERT_PTR_NULL(strstr((page), (text)))

static const char SUMMARY[] =
    "{\"scenario\": \"s1\", \"file\": \"a<script>.json\", \"seed\": 7, \"kernel\": \"6.x\",\n"
    " \"kernel_version\": \"6.2.0\", \"duration_s\": 10, \"complete\": true, \"end_s\": 10,\n"
    " \"events_processed\": 123,\n"
    " \"connections\": {\"total\": 4, \"OK\": 3, \"TIMEOUT\": 1},\n"
    " \"response_time\": {\"count\": 3, \"mean_ms\": 1.5, \"p50_ms\": 1.25, \"p99_ms\": 2},\n"
    " \"servers\": [{\"name\": \"rs1\", \"ip\": \"192.0.2.11\", \"fwd\": \"NAT\", \"weight\": 3,\n"
    "   \"scheduled\": 3, \"completed\": 3}, {\"name\": \"rs2\", \"ip\": \"192.0.2.12\",\n"
    "   \"fwd\": \"NAT\", \"weight\": 1, \"scheduled\": 1, \"completed\": 0}],\n"
    " \"services\": [],\n"
    " \"drops\": {\"lvs1: INPUT\": 2,\n"
    "   \"lvs1: LOCAL_IN ipt_do_table: filter INPUT: -m comment --comment <b>x</b> -j DROP\": 5}}\n";

static void test_run_page(void)
{
    char *dir = g_dir_make_tmp("ipvsim-report-XXXXXX", NULL);
    put(dir, "summary.json", SUMMARY);
    put(dir, "events.txt", "at 2.000s server_down rs2: ok\nat 5.000s ipvsadm -Ln: ok\n"
                           "  <img src=x onerror=alert(1)>\n");
    GString *lnc = g_string_new("# ipvsadm -Ln\nIP Virtual Server\n\n# ipvsadm -Lnc\n");
    for (int i = 0; i < REPORT_MAX_LISTING_LINES + 5; i++)
        g_string_append_printf(lnc, "TCP 00:59 ESTABLISHED %d\n", i);
    put(dir, "ipvsadm.txt", lnc->str);
    g_string_free(lnc, TRUE);
    put(dir, "plots/share.svg", "<?xml version=\"1.0\"?><svg><path id='gpPt1'/></svg>");
    put(dir, "plots/active.svg", "<svg><path id='gpPt1'/></svg>");
    put(dir, "plots/share.png", "png");
    put(dir, "pcap/lvs1-eth0.pcap", "pcap");
    put(dir, "connections.csv", "id\n1\n");
    put(dir, "index.html", "an earlier page");

    char *p = page_of(dir, 0);
    HAS(p, "<!DOCTYPE html>");
    HAS(p, "<body data-kind=\"run\">");
    HAS(p, "<title>ipvsim run: s1</title>");
    /* every section */
    static const char *const ids[] = { "outcomes", "servers", "drops", "events", "figures",
                                       "listings", "files" };
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        char *sec = g_strdup_printf("<section id=\"%s\">", ids[i]);
        HAS(p, sec);
        g_free(sec);
    }
    /* the numbers, each with its place in summary.json */
    HAS(p, "<td data-json=\"[&quot;connections&quot;,&quot;OK&quot;]\">3</td>");
    HAS(p, "<td data-json=\"[&quot;response_time&quot;,&quot;p50_ms&quot;]\">1.25</td>");
    HAS(p, "<td data-json=\"[&quot;servers&quot;,1,&quot;scheduled&quot;]\">1</td>");
    HAS(p, "75.0</td>");                  /* rs1's share, and its weight's: 3 of 4 */
    HAS(p, "<td class=\"l\">LOCAL_IN</td><td class=\"l\">ipt_do_table</td>");
    /* nothing of the files' text becomes markup */
    HASNT(p, "<script");
    HASNT(p, "<b>");
    HASNT(p, "<img");
    HAS(p, "a&lt;script&gt;.json");
    HAS(p, "--comment &lt;b&gt;x&lt;/b&gt; -j DROP");
    HAS(p, "&lt;img src=x onerror=alert(1)&gt;");
    /* the events on the time line: 2 s of 10 */
    HAS(p, "<span class=\"mark\" style=\"left:20.00%\" title=\"at 2.000s server_down rs2: ok\">");
    /* figures in their order, ids apart; the listings cut; the files linked */
    CU_ASSERT_TRUE(strstr(p, "data-figure=\"active\"") < strstr(p, "data-figure=\"share\""));
    HAS(p, "id='fig-share-gpPt1'");
    HAS(p, "id='fig-active-gpPt1'");
    HASNT(p, "<?xml");
    HAS(p, "<a href=\"plots/share.png\">png</a>");
    HAS(p, "<div class=\"listing\" data-cmd=\"ipvsadm -Lnc\">");
    HAS(p, "TCP 00:59 ESTABLISHED 399\n");
    HASNT(p, "TCP 00:59 ESTABLISHED 400\n");
    HAS(p, "5 more lines in <a href=\"ipvsadm.txt\">ipvsadm.txt</a>");
    HAS(p, "<a href=\"pcap/lvs1-eth0.pcap\">pcap/lvs1-eth0.pcap</a>");
    HAS(p, "<a href=\"connections.csv\">connections.csv</a>");
    HASNT(p, "href=\"index.html\"");     /* not itself */
    HASNT(p, dir);                        /* never where it is */
    /* the same files, the same page */
    char *again = page_of(dir, 0);
    CU_ASSERT_STRING_EQUAL(p, again);
    g_free(again);

    /* written over the earlier page, whole */
    char err[512];
    CU_ASSERT_EQUAL(report_write(dir, err, sizeof err), 0);
    char *path = g_build_filename(dir, REPORT_PAGE, NULL), *text = NULL;
    CU_ASSERT_TRUE(g_file_get_contents(path, &text, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(text, p);
    g_free(text);
    /* an earlier run's summary, without the servers' weights: no weight share */
    char *noweight = g_strdup(SUMMARY);
    for (char *w; (w = strstr(noweight, "\"weight\": "));)
        memcpy(w, "\"wfight\": ", 10);
    put(dir, "summary.json", noweight);
    g_free(noweight);
    char *nw = page_of(dir, 0);
    HAS(nw, "<td class=\"l\">-</td><td>-</td>");    /* weight share, weight */
    HAS(nw, "75.0</td>");                 /* the share is still there */
    g_free(nw);
    /* more events than the page shows: the first ones, and how many in all */
    GString *many = g_string_new(NULL);
    for (int i = 0; i < REPORT_MAX_EVENTS + 2; i++)
        g_string_append_printf(many, "at %d.000s ipvsadm -Ln: ok\n  listing %d\n", i % 10, i);
    put(dir, "events.txt", many->str);
    g_string_free(many, TRUE);
    char *ev = page_of(dir, 0);
    char *last = g_strdup_printf("listing %d\n", REPORT_MAX_EVENTS - 1);
    HAS(ev, last);
    g_free(last);
    last = g_strdup_printf("listing %d\n", REPORT_MAX_EVENTS);
    HASNT(ev, last);
    g_free(last);
    char *note = g_strdup_printf("the first %d of %d events;", REPORT_MAX_EVENTS, REPORT_MAX_EVENTS + 2);
    HAS(ev, note);
    g_free(note);
    g_free(ev);
    /* an incomplete run says so */
    char *sum = g_strdup(SUMMARY);
    char *at = strstr(sum, "true");
    memcpy(at, "0   ", 4);
    put(dir, "summary.json", sum);
    g_free(sum);
    char *q = page_of(dir, 0);
    HAS(q, "id=\"incomplete\"");
    g_free(q);
    /* a page that cannot be written: 1, the error named */
    g_unlink(path);
    g_mkdir(path, 0755);
    put(dir, "index.html/x", "");
    CU_ASSERT_EQUAL(report_write(dir, err, sizeof err), 1);
    g_free(path);
    g_free(p);
    CU_ASSERT_EQUAL(rm_all(dir), 0);
    g_free(dir);
}

static void test_compare_page(void)
{
    char *dir = g_dir_make_tmp("ipvsim-report-XXXXXX", NULL);
    put(dir, "comparison.csv",
        "scheduler,replications,p99_ms_mean,p99_ms_ci_low,p99_ms_ci_high,share_a_mean,share_a_ci_low,"
        "share_a_ci_high,p99_ms_diff,p99_ms_diff_ci_low,p99_ms_diff_ci_high,p99_ms_verdict,"
        "share_a_diff,share_a_diff_ci_low,share_a_diff_ci_high,share_a_verdict\n"
        "wlc,3,51.5,50.6,52.3,0.56,0.55,0.57,,,,baseline,,,,baseline\n"
        "wrr,3,51.6,50.7,52.6,0.57,0.57,0.58,0.1,-0.8,1.0,no significant difference,0.01,0.004,0.014,higher\n"
        "sed,3,50.1,49.9,50.3,0.57,0.56,0.58,-1.4,-1.6,-1.2,better,0.00,-0.01,0.01,no significant difference\n");
    put(dir, "comparison.txt", "compare u<i>: 3 seeds\n\ntable\n");
    put(dir, "runs.csv", "scheduler,seed\nwlc,42\n");
    char *p = page_of(dir, 0);
    HAS(p, "<body data-kind=\"compare-replicated\">");
    HAS(p, "compare u&lt;i&gt;: 3 seeds");
    HASNT(p, "<i>");
    HAS(p, "<section id=\"comparison\">");
    HAS(p, "<td data-scheduler=\"wrr\" data-metric=\"p99_ms\"><span class=\"mean\">51.6</span> "
           "<span class=\"ci\">[50.7, 52.6]</span></td>");
    HAS(p, "Against the baseline, wlc,");
    HAS(p, "<tr data-scheduler=\"sed\" data-metric=\"p99_ms\"><td class=\"l\">sed</td><td class=\"l\">"
           "p99_ms</td><td>51.5</td><td class=\"diff\">-1.4</td><td>[-1.6, -1.2]</td>"
           "<td class=\"l verdict better\">better</td></tr>");
    HAS(p, "<td class=\"l verdict higher\">higher</td>");
    HAS(p, "<td class=\"l verdict\">no significant difference</td>");
    HASNT(p, "data-scheduler=\"wlc\" data-metric=\"p99_ms\"><td");      /* no diff row for it */
    HAS(p, "<a href=\"runs.csv\">runs.csv</a>");
    g_free(p);
    /* one seed: comparison.csv as it is */
    put(dir, "comparison.csv", "scheduler,connections,p99_ms\nrr,10,412.700\nwlc,10,51.232\n");
    p = page_of(dir, 0);
    HAS(p, "<body data-kind=\"compare\">");
    HAS(p, "<td class=\"l\">rr</td><td>10</td><td>412.700</td>");
    g_free(p);
    CU_ASSERT_EQUAL(rm_all(dir), 0);
    g_free(dir);
}

static void test_refused(void)
{
    char *dir = g_dir_make_tmp("ipvsim-report-XXXXXX", NULL);
    char err[512];
    /* no file of a known kind */
    put(dir, "notes.txt", "x");
    CU_ASSERT_EQUAL(report_write(dir, err, sizeof err), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no results the report knows (no summary.csv or summary.json or comparison.csv"));
    /* a summary that is not ipvsim's, a table that is not compare's */
    put(dir, "summary.json", "[1, 2");
    CU_ASSERT_EQUAL(report_write(dir, err, sizeof err), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "summary.json: not the summary ipvsim run writes"));
    char *sum = g_build_filename(dir, "summary.json", NULL);
    g_unlink(sum);
    g_free(sum);
    put(dir, "comparison.csv", "seed,x\n");
    CU_ASSERT_EQUAL(report_write(dir, err, sizeof err), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "comparison.csv: not the table ipvsim compare writes"));
    /* nothing written */
    char *page = g_build_filename(dir, REPORT_PAGE, NULL);
    CU_ASSERT_FALSE(g_file_test(page, G_FILE_TEST_EXISTS));
    g_free(page);
    CU_ASSERT_EQUAL(rm_all(dir), 0);
    g_free(dir);
}

IPVSIM_SUITE(report_html)
{
    CU_pSuite s = CU_add_suite("report_html", NULL, NULL);
    ADD_TEST(s, test_escape);
    ADD_TEST(s, test_inline_svg);
    ADD_TEST(s, test_run_page);
    ADD_TEST(s, test_compare_page);
    ADD_TEST(s, test_refused);
}
