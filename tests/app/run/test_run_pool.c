/* run_pool: tasks in child processes, gathered by index whatever the finishing order. */
#include <glib.h>
#include <string.h>
#include <unistd.h>
#include "app/run/run_pool.h"
#include "tests/testutil.h"

/* Task i sleeps longer the smaller i is (the first task finishes last when run side
 * by side), then writes "task i of pid P" and (for big) 200 kB. */
struct pool_ctx {
    guint ntasks;
    int fail_at;                    /* the task that returns 3, or -1 */
    bool big;
};

static int pool_task(guint task, void *ctx, GByteArray *out)
{
    const struct pool_ctx *c = ctx;
    g_usleep((c->ntasks - task) * 20000);
    char line[64];
    int n = snprintf(line, sizeof line, "task %u;", task);
    g_byte_array_append(out, (const guint8 *)line, (guint)n);
    if (c->big)
        for (int i = 0; i < 200000; i++)
            g_byte_array_append(out, (const guint8 *)&"0123456789"[(task + (guint)i) % 10], 1);
    return (int)task == c->fail_at ? 3 : 0;
}

static GString *gather(guint jobs, struct pool_ctx *c, int *status_sum, guint *done)
{
    struct run_pool_result res[6];
    char err[200];
    CU_ASSERT_FATAL(run_pool_map(c->ntasks, jobs, pool_task, c, res, err, sizeof err));
    GString *g = g_string_new(NULL);
    *status_sum = 0;
    *done = 0;
    for (guint i = 0; i < c->ntasks; i++) {
        if (!res[i].done)
            continue;
        (*done)++;
        *status_sum += res[i].status;
        g_string_append_len(g, (const char *)res[i].bytes->data, res[i].bytes->len);
    }
    run_pool_results_free(res, c->ntasks);
    return g;
}

static void test_order_by_index(void)
{
    struct pool_ctx c = { .ntasks = 6, .fail_at = -1 };
    int st;
    guint done;
    GString *serial = gather(1, &c, &st, &done);
    CU_ASSERT_STRING_EQUAL(serial->str, "task 0;task 1;task 2;task 3;task 4;task 5;");
    CU_ASSERT_EQUAL(done, 6);
    GString *par = gather(4, &c, &st, &done);     /* task 0 ends last here */
    CU_ASSERT_STRING_EQUAL(par->str, serial->str);
    CU_ASSERT_EQUAL(st, 0);
    g_string_free(serial, TRUE);
    g_string_free(par, TRUE);
    /* results bigger than a pipe's buffer arrive whole */
    c.big = true;
    GString *a = gather(1, &c, &st, &done), *b = gather(3, &c, &st, &done);
    CU_ASSERT_EQUAL(a->len, 6 * (7 + 200000));
    CU_ASSERT_TRUE(a->len == b->len && memcmp(a->str, b->str, a->len) == 0);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
}

static void test_failure_stops_launching(void)
{
    struct pool_ctx c = { .ntasks = 6, .fail_at = 1 };
    int st;
    guint done;
    GString *g = gather(1, &c, &st, &done);        /* one at a time: stops after task 1 */
    CU_ASSERT_EQUAL(done, 2);
    CU_ASSERT_EQUAL(st, 3);
    CU_ASSERT_STRING_EQUAL(g->str, "task 0;task 1;");
    g_string_free(g, TRUE);
    CU_ASSERT(run_pool_cores() >= 1);
}

IPVSIM_SUITE(run_pool)
{
    CU_pSuite s = CU_add_suite("run_pool", NULL, NULL);
    ADD_TEST(s, test_order_by_index);
    ADD_TEST(s, test_failure_stops_launching);
}
