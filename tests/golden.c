/* Golden files. */
#include "tests/golden.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool golden_update(void)
{
    const char *update = getenv("IPVSIM_UPDATE_GOLDEN");
    return update && *update == '1';
}

bool golden_check(const char *name, const char *text)
{
    char *path = g_build_filename("tests", "golden", name, NULL);
    char *actual_path = g_strconcat(path, ".actual", NULL);
    bool ok;
    if (golden_update()) {
        ok = g_file_set_contents(path, text, -1, NULL);
    } else {
        char *expected = NULL;
        ok = g_file_get_contents(path, &expected, NULL, NULL) && strcmp(expected, text) == 0;
        if (!ok) {
            g_file_set_contents(actual_path, text, -1, NULL);
            fprintf(stderr, "\ngolden mismatch: diff %s %s\n", path, actual_path);
        } else {
            remove(actual_path);
        }
        g_free(expected);
    }
    g_free(actual_path);
    g_free(path);
    return ok;
}
