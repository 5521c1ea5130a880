/* The trace page's builder (app/report/trace_html.c): the data spliced into the template
 * cannot end its script element, the limits refuse a selection just past them and take
 * one at them, each era is a walk of its own. (The page in a browser: tests/cli/
 * 34-trace-html.sh with tests/check-trace-page.py.) */
#include <glib.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/report/trace_html.h"

static struct trace_event note(uint64_t pkt, const char *detail)
{
    return (struct trace_event){ .time = 1000, .host = "lvs1", .pkt = pkt, .flow = 1,
                                 .kind = TRACE_NOTE, .func = "ip_vs_schedule", .hook = -1,
                                 .detail = detail };
}

static guint count(const char *hay, const char *needle)
{
    guint n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* A note holding "</script>" and "<!--" stays inside the JSON: the page has the
 * template's two script elements, closed twice, and the text escaped. */
static void test_data_cannot_close_its_script(void)
{
    struct trace_page *p = trace_page_new("t", 1, 1);
    trace_page_walk(p, "6.x");
    struct trace_event ev = note(7, "</script><script>alert(1)</script><!--");
    trace_page_event(p, &ev, 0, TRACE_ROLE_LINE);
    trace_page_summary(p, "conversation 1: <x>");
    GString *page = g_string_new(NULL);
    trace_page_format(p, page);
    CU_ASSERT_EQUAL(count(page->str, "</script>"), 2);
    CU_ASSERT_EQUAL(count(page->str, "<script"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(page->str, "\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\\u003c!--"));
    CU_ASSERT_PTR_NOT_NULL(strstr(page->str, "\"summary\":\"conversation 1: \\u003cx>\""));
    CU_ASSERT_PTR_NULL(strstr(page->str, "<!-- ipvsim:data -->"));   /* the mark replaced */
    g_string_free(page, TRUE);
    trace_page_free(p);
}

/* TRACE_PAGE_MAX_PACKETS packets fit; one more does not, and says so. */
static void test_packet_limit(void)
{
    for (uint64_t extra = 0; extra <= 1; extra++) {
        struct trace_page *p = trace_page_new("t", 1, 0);
        trace_page_walk(p, "2.6.34");
        for (uint64_t i = 1; i <= TRACE_PAGE_MAX_PACKETS + extra; i++) {
            struct trace_event ev = note(i, "x");
            trace_page_event(p, &ev, 0, TRACE_ROLE_LINE);
        }
        char why[200] = "";
        CU_ASSERT_EQUAL(trace_page_fits(p, why, sizeof why), extra == 0);
        if (extra)
            CU_ASSERT_STRING_EQUAL(why, "kernel 2.6.34: more than 1000 packets (a page shows at most 1000)");
        trace_page_free(p);
    }
}

/* The event limit, counted per era: the second walk past it is the one named. */
static void test_event_limit_per_walk(void)
{
    struct trace_page *p = trace_page_new("t", 1, 1);
    trace_page_walk(p, "2.6.34");
    struct trace_event ev = note(1, "x");
    for (guint i = 0; i < TRACE_PAGE_MAX_EVENTS; i++)
        trace_page_event(p, &ev, 0, TRACE_ROLE_LINE);
    char why[200] = "";
    CU_ASSERT_TRUE(trace_page_fits(p, why, sizeof why));
    trace_page_walk(p, "6.x");
    for (guint i = 0; i < TRACE_PAGE_MAX_EVENTS + 2; i++)
        trace_page_event(p, &ev, 0, TRACE_ROLE_LINE);
    CU_ASSERT_FALSE(trace_page_fits(p, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "kernel 6.x: 60002 trace events (a page shows at most 60000)");
    trace_page_free(p);
}

/* Two walks, in the order given, each with its own events. */
static void test_two_walks(void)
{
    struct trace_page *p = trace_page_new("era-nat", 5, 1);
    trace_page_walk(p, "2.6.34");
    struct trace_event a = note(1, "first era");
    trace_page_event(p, &a, 0, TRACE_ROLE_LINE);
    trace_page_walk(p, "6.x");
    struct trace_event b = note(1, "second era");
    trace_page_event(p, &b, 0, TRACE_ROLE_LINE);
    GString *page = g_string_new(NULL);
    trace_page_format(p, page);
    const char *w1 = strstr(page->str, "{\"kernel\":\"2.6.34\"");
    const char *w2 = strstr(page->str, "{\"kernel\":\"6.x\"");
    CU_ASSERT_PTR_NOT_NULL(strstr(page->str, "{\"scenario\":\"era-nat\",\"seed\":5,\"conn\":1,\"walks\":["));
    CU_ASSERT_TRUE(w1 && w2 && w1 < w2);
    const char *e1 = strstr(page->str, "first era"), *e2 = strstr(page->str, "second era");
    CU_ASSERT_TRUE(e1 && e2 && w1 < e1 && e1 < w2 && w2 < e2);
    g_string_free(page, TRUE);
    trace_page_free(p);
}

IPVSIM_SUITE(trace_html)
{
    CU_pSuite s = CU_add_suite("trace_html", NULL, NULL);
    ADD_TEST(s, test_data_cannot_close_its_script);
    ADD_TEST(s, test_packet_limit);
    ADD_TEST(s, test_event_limit_per_walk);
    ADD_TEST(s, test_two_walks);
}
