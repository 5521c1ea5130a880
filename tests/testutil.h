/* Shared helpers for the CUnit suites.
 *
 * A test file declares its suite with IPVSIM_SUITE(name) at the start of a line;
 * the Makefile collects these into build/gen/suites.inc and test_main.c calls each
 * one, so adding a suite never means editing a central list. */
#ifndef IPVSIM_TESTUTIL_H
#define IPVSIM_TESTUTIL_H

#include <CUnit/CUnit.h>

#define IPVSIM_SUITE(name) void suite_##name(void); void suite_##name(void)

/* Add a test function under its own name. */
#define ADD_TEST(suite, fn) CU_add_test((suite), #fn, (fn))

#endif
