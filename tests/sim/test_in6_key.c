/* IPv6 address keys: a key is in 240.0.0.0/4 and stable for its address, distinct
 * addresses get distinct keys (past several growths of the index), the address
 * comes back from its key, find never interns, IPv4 addresses are never keys, and
 * inet_key_ntop prints either family as the kernel's %pI4 / %pI6c. */
#include <string.h>
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "tests/testutil.h"

static struct in6_addr addr_n(uint32_t n)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton("2001:db8::", &a, NULL, NULL));
    a.s6_addr[12] = (uint8_t)(n >> 24);
    a.s6_addr[13] = (uint8_t)(n >> 16);
    a.s6_addr[14] = (uint8_t)(n >> 8);
    a.s6_addr[15] = (uint8_t)n;
    return a;
}

static void test_keys_stable_and_distinct(void)
{
    uint32_t before = in6_key_count();
    enum { N = 5000 };
    static be32 keys[N];
    for (uint32_t i = 0; i < N; i++) {
        struct in6_addr a = addr_n(0x100000 + i);
        keys[i] = in6_key_get(&a);
        CU_ASSERT_TRUE(in6_is_key(keys[i]));
        CU_ASSERT_EQUAL(inet_key_family(keys[i]), AF_INET6);
    }
    CU_ASSERT_EQUAL(in6_key_count(), before + N);
    for (uint32_t i = 0; i < N; i++) {
        struct in6_addr a = addr_n(0x100000 + i);
        CU_ASSERT_EQUAL(in6_key_get(&a), keys[i]);          /* same address, same key */
        CU_ASSERT_TRUE(ipv6_addr_equal(in6_key_addr(keys[i]), &a));
        if (i > 0)
            CU_ASSERT_NOT_EQUAL(keys[i], keys[i - 1]);
    }
    CU_ASSERT_EQUAL(in6_key_count(), before + N);           /* nothing interned twice */
}

static void test_find_does_not_intern(void)
{
    struct in6_addr a = addr_n(0xabcdef);
    uint32_t before = in6_key_count();
    be32 k = 0x12345678;
    CU_ASSERT_FALSE(in6_key_find(&a, &k));
    CU_ASSERT_EQUAL(k, 0x12345678);                         /* untouched */
    CU_ASSERT_EQUAL(in6_key_count(), before);
    be32 got = in6_key_get(&a);
    CU_ASSERT_TRUE(in6_key_find(&a, &k));
    CU_ASSERT_EQUAL(k, got);
}

static void test_ipv4_never_a_key(void)
{
    CU_ASSERT_FALSE(in6_is_key(htonl(0xdfffffffu)));         /* 223.255.255.255 */
    CU_ASSERT_FALSE(in6_is_key(htonl(0x0a000001u)));
    CU_ASSERT_FALSE(in6_is_key(htonl(0xe0000001u)));         /* 224.0.0.1 */
    CU_ASSERT_EQUAL(inet_key_family(htonl(0xc0a80001u)), AF_INET);
    CU_ASSERT_TRUE(in6_is_key(htonl(0xf0000001u)));
}

static void test_ntop_both_families(void)
{
    char buf[INET_KEY_STRLEN];
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(htonl(0xc0a80a01u), buf), "192.168.10.1");
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton("2001:DB8:0:0:1::10", &a, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(in6_key_get(&a), buf), "2001:db8::1:0:0:10");
    CU_ASSERT_FATAL(in6_pton("::ffff:10.0.0.1", &a, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(in6_key_get(&a), buf), "::ffff:10.0.0.1");
}

IPVSIM_SUITE(in6_key)
{
    CU_pSuite s = CU_add_suite("in6_key", NULL, NULL);
    ADD_TEST(s, test_keys_stable_and_distinct);
    ADD_TEST(s, test_find_does_not_intern);
    ADD_TEST(s, test_ipv4_never_a_key);
    ADD_TEST(s, test_ntop_both_families);
}
