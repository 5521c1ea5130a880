/* `ipvsim report`. */
#include "app/cli/cmd_report.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include "app/report/outdir.h"
#include "app/report/report_html.h"

/* Is dir a directory an ipvsim command wrote (its marker file)? If not, why. */
static bool is_result(const char *dir, char *why, size_t len)
{
    char *marker = g_build_filename(dir, OUTDIR_MARKER, NULL);
    char *sweep = g_build_filename(dir, OUTDIR_SWEEP_MARKER, NULL);
    bool ok = false;
    if (!g_file_test(dir, G_FILE_TEST_EXISTS))
        snprintf(why, len, "%s: no such directory", dir);
    else if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        snprintf(why, len, "%s: not a directory", dir);
    else if (!g_file_test(marker, G_FILE_TEST_IS_REGULAR) &&
             !g_file_test(sweep, G_FILE_TEST_IS_REGULAR))
        snprintf(why, len, "%s: not an ipvsim results directory (no %s: ipvsim run and compare "
                 "write one; nor %s: ipvsim sweep's)", dir, OUTDIR_MARKER, OUTDIR_SWEEP_MARKER);
    else
        ok = true;
    g_free(marker);
    g_free(sweep);
    return ok;
}

int cmd_report(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new(
        "RESULTS_DIR - write RESULTS_DIR/" REPORT_PAGE ": the page of a run, a comparison or a sweep");
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "ipvsim report: %s\n", gerr->message);
        g_error_free(gerr);
        return 2;
    }
    if (argc != 2) {
        fprintf(stderr, "ipvsim report: expected exactly one RESULTS_DIR (a directory ipvsim run, "
                "compare or sweep wrote)\n");
        return 2;
    }
    char err[1024];
    int rc = is_result(argv[1], err, sizeof err) ? report_write(argv[1], err, sizeof err) : 2;
    if (rc != 0)
        fprintf(stderr, "ipvsim report: %s\n", err);
    return rc;
}
