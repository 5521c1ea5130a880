/* CUnit runner for every suite under tests/.
 *
 * Usage: run-tests [SUITE]...   (no argument: all suites)
 * Exit status is non-zero when any assertion or test fails. CU_get_error() alone
 * is not enough: it reports framework errors and is 0 when tests fail. */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "tests/testutil.h"

#define SUITE(name) void suite_##name(void);
#include "suites.inc"
#undef SUITE

struct suite_entry {
    const char *name;
    void (*add)(void);
};

static const struct suite_entry all_suites[] = {
#define SUITE(name) { #name, suite_##name },
#include "suites.inc"
#undef SUITE
};

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    size_t n = sizeof all_suites / sizeof all_suites[0];
    for (size_t i = 0; i < n; i++)
        if (wanted(all_suites[i].name, argc, argv))
            all_suites[i].add();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed() +
                        CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    int err = CU_get_error();
    CU_cleanup_registry();
    if (ran == 0) {
        fprintf(stderr, "run-tests: no test ran\n");
        return 1;
    }
    return (failures || err) ? 1 : 0;
}
