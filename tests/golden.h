/* Golden files: compare a test's text output with tests/golden/NAME. Run the tests
 * with IPVSIM_UPDATE_GOLDEN=1 to (re)write them; review the diff before committing. */
#ifndef IPVSIM_TESTS_GOLDEN_H
#define IPVSIM_TESTS_GOLDEN_H

#include <stdbool.h>

/* True when text equals the golden file (or it was just written). On a mismatch the
 * actual text is written beside it as NAME.actual for diffing. */
bool golden_check(const char *name, const char *text);

/* True when IPVSIM_UPDATE_GOLDEN=1: every golden a test compares with (tests/golden/,
 * tests/bad-scenarios/NAME.expected) is rewritten instead of failing. */
bool golden_update(void);

#endif
