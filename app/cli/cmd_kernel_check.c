/* `ipvsim kernel-check`: find the kernel check's tool and hand over to it. */
#include "app/cli/cmd_kernel_check.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Where the tool is, relative to this binary: build/release/ipvsim in the source
 * tree, or PREFIX/bin/ipvsim once installed. NULL when neither has it. */
static char *find_tool(const char *exe, GString *looked)
{
    g_autofree char *dir = g_path_get_dirname(exe);
    const char *const rel[] = { "../../tools/kernel-check/kernel-check",
                                "../share/ipvsim/kernel-check/kernel-check" };
    for (size_t i = 0; i < G_N_ELEMENTS(rel); i++) {
        char *path = g_canonicalize_filename(rel[i], dir);
        if (access(path, X_OK) == 0)
            return path;
        g_string_append_printf(looked, "%s%s", looked->len ? ", " : "", path);
        g_free(path);
    }
    return NULL;
}

int cmd_kernel_check(int argc, char **argv)
{
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe) {
        fprintf(stderr, "ipvsim kernel-check: cannot find this binary (/proc/self/exe)\n");
        return 1;
    }
    g_autoptr(GString) looked = g_string_new(NULL);
    g_autofree char *tool = find_tool(exe, looked);
    if (!tool) {
        fprintf(stderr, "ipvsim kernel-check: the kernel check is not installed (looked for %s)\n",
                looked->str);
        return 1;
    }
    /* tool --ipvsim EXE ARGS... */
    char **args = g_new0(char *, (gsize)argc + 3);
    args[0] = tool;
    args[1] = (char *)"--ipvsim";
    args[2] = exe;
    for (int i = 1; i < argc; i++)
        args[i + 2] = argv[i];
    fflush(NULL);
    execv(tool, args);
    fprintf(stderr, "ipvsim kernel-check: cannot run %s: %s\n", tool, strerror(errno));
    g_free(args);
    return 1;
}
