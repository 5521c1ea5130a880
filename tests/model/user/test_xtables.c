/* The userspace extension registry (xtables.c) against the kernel's (x_tables.c):
 * every libxt_* / libipt_* half names a kernel extension, every kernel extension
 * has a half that lists it, and option ids fit the bits the parser keeps. */
#include <string.h>
#include "model/netfilter/x_tables.h"
#include "model/user/iptables/xtables.h"
#include "tests/testutil.h"

static void check_options(const struct xt_option_entry *o)
{
    for (; o && o->name; o++)
        CU_ASSERT_TRUE(o->id < 32);     /* xflags has a bit per id */
}

static void test_every_match_names_a_kernel_match(void)
{
    size_t n;
    const struct xtables_match *const *v = xtables_registered_matches(&n);
    CU_ASSERT_TRUE(n >= 7);
    for (size_t i = 0; i < n; i++) {
        const char *kname = xtables_match_kernel_name(v[i]);
        if (!xt_find_match(kname))
            fprintf(stderr, "\n  -m %s fills no kernel match (%s)\n", v[i]->name, kname);
        CU_ASSERT_PTR_NOT_NULL(xt_find_match(kname));
        CU_ASSERT_PTR_EQUAL(xtables_find_match(v[i]->name), v[i]);
        CU_ASSERT_PTR_NOT_NULL(v[i]->parse);
        CU_ASSERT_PTR_NOT_NULL(v[i]->save);
        check_options(v[i]->opts);
    }
}

static void test_every_target_names_a_kernel_target(void)
{
    size_t n;
    const struct xtables_target *const *v = xtables_registered_targets(&n);
    CU_ASSERT_TRUE(n >= 8);
    for (size_t i = 0; i < n; i++) {
        const char *kname = xtables_target_kernel_name(v[i]);
        if (!xt_find_target(kname))
            fprintf(stderr, "\n  -j %s fills no kernel target (%s)\n", v[i]->name, kname);
        CU_ASSERT_PTR_NOT_NULL(xt_find_target(kname));
        CU_ASSERT_PTR_EQUAL(xtables_find_target(v[i]->name), v[i]);
        CU_ASSERT_PTR_NOT_NULL(v[i]->parse);
        CU_ASSERT_PTR_NOT_NULL(v[i]->save);
        check_options(v[i]->opts);
    }
    CU_ASSERT_PTR_EQUAL(xt_find_target(xtables_target_kernel_name(&xtables_standard_target)),
                        &xt_standard_target);
    static const char *const verdicts[] = { "ACCEPT", "DROP", "QUEUE", "RETURN" };
    for (size_t i = 0; i < G_N_ELEMENTS(verdicts); i++)
        CU_ASSERT_PTR_EQUAL(xtables_find_target(verdicts[i]), &xtables_standard_target);
    CU_ASSERT_PTR_NULL(xtables_find_target("standard"));   /* a chain may be named so */
}

/* iptables -S finds the printer of each kernel extension by its name. */
static void test_every_kernel_extension_is_listed(void)
{
    size_t n;
    const struct xt_match *const *m = xt_registered_matches(&n);
    for (size_t i = 0; i < n; i++) {
        const struct xtables_match *u = xtables_match_of(m[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(u);
        CU_ASSERT_STRING_EQUAL(xtables_match_kernel_name(u), m[i]->name);
    }
    const struct xt_target *const *t = xt_registered_targets(&n);
    for (size_t i = 0; i < n; i++) {
        const struct xtables_target *u = xtables_target_of(t[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(u);
        CU_ASSERT_STRING_EQUAL(xtables_target_kernel_name(u), t[i]->name);
    }
    /* a NOTRACK rule lists as CT --notrack */
    CU_ASSERT_PTR_EQUAL(xtables_target_of(xt_find_target("CT")), xtables_find_target("CT"));
}

/* The model's extensions are not also on the not-modelled list. */
static void test_unmodelled_list_is_disjoint(void)
{
    size_t n;
    const struct xtables_match *const *m = xtables_registered_matches(&n);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_FALSE(xt_known_unmodelled(m[i]->name, false));
    const struct xtables_target *const *t = xtables_registered_targets(&n);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_FALSE(xt_known_unmodelled(t[i]->name, true));
    CU_ASSERT_TRUE(xt_known_unmodelled("iprange", false));
    CU_ASSERT_FALSE(xt_known_unmodelled("multiport", false));
    CU_ASSERT_TRUE(xt_known_unmodelled("REDIRECT", true));
}

IPVSIM_SUITE(xtables)
{
    CU_pSuite s = CU_add_suite("xtables", NULL, NULL);
    ADD_TEST(s, test_every_match_names_a_kernel_match);
    ADD_TEST(s, test_every_target_names_a_kernel_target);
    ADD_TEST(s, test_every_kernel_extension_is_listed);
    ADD_TEST(s, test_unmodelled_list_is_disjoint);
}
