/* IPv6 addresses: the parser's accepted and refused forms (with the offset and the
 * expectation of a refusal), the printer against the kernel's %pI6c (RFC 5952
 * section 4's examples, the v4-mapped and ISATAP forms), prefixes and the derived
 * addresses (solicited-node group, its Ethernet address, the EUI-64 link-local). */
#include <string.h>
#include "sim/in6.h"
#include "tests/testutil.h"

static struct in6_addr A(const char *s)
{
    struct in6_addr a;
    memset(&a, 0xaa, sizeof a);
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return a;
}

/* Parse then print: the kernel's text. */
static void round_trip(const char *in, const char *want)
{
    char buf[IN6_ADDRSTRLEN];
    struct in6_addr a = A(in);
    in6_ntop(&a, buf);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "\n%s printed %s, want %s\n", in, buf, want);
    CU_ASSERT_STRING_EQUAL(buf, want);
}

static void test_print_rfc5952(void)
{
    round_trip("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
    round_trip("2001:DB8::1", "2001:db8::1");                 /* lower case */
    round_trip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* a single 0 stays */
    round_trip("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");         /* the longest run */
    round_trip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");   /* the first of equal runs */
    round_trip("1:0:0:0:1:0:0:0", "1::1:0:0:0");
    round_trip("::", "::");
    round_trip("::1", "::1");
    round_trip("fe80::", "fe80::");
    round_trip("0:0:0:0:0:0:0:5", "::5");
    round_trip("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
}

static void test_print_dotted_tail(void)
{
    /* %pI6c prints v4-mapped and ISATAP addresses with a dotted tail (RFC 5952
     * section 5), where Python's ipaddress would print ::ffff:c000:201. */
    round_trip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
    round_trip("::ffff:c000:0201", "::ffff:192.0.2.1");
    round_trip("fe80::5efe:10.0.0.1", "fe80::5efe:10.0.0.1");
    round_trip("fe80::200:5efe:10.0.0.1", "fe80::200:5efe:10.0.0.1");
    /* An IPv4-compatible address (deprecated) is no exception: hex groups. */
    round_trip("::192.0.2.1", "::c000:201");
}

static void refused(const char *s, size_t off, const char *what_part)
{
    struct in6_addr a = A("2001:db8::99"), before = a;
    size_t at = 9999;
    const char *what = NULL;
    CU_ASSERT_FALSE(in6_pton(s, &a, &at, &what));
    CU_ASSERT_TRUE(ipv6_addr_equal(&a, &before));       /* untouched */
    if (at != off || !what || !strstr(what, what_part))
        fprintf(stderr, "\n'%s': refused at %zu (%s), want %zu (%s)\n", s, at, what ? what : "-",
                off, what_part);
    CU_ASSERT_EQUAL(at, off);
    CU_ASSERT_PTR_NOT_NULL_FATAL(what);
    CU_ASSERT_PTR_NOT_NULL(strstr(what, what_part));
}

static void test_parse_refusals(void)
{
    refused("", 0, "an IPv6 address");
    refused("2001:db8::1::2", 11, "\"::\" may appear once");
    refused("2001:db8:1", 10, "8 groups");
    refused("1:2:3:4:5:6:7:8:9", 16, "8 groups at most");
    refused("1:2:3:4::5:6:7:8", 16, "at most 7 groups");
    refused("12345::", 4, "at most 4");
    refused("2001:db8::g", 10, "a hexadecimal group");
    refused(":1::", 1, "':'");
    refused("1:", 2, "after ':'");
    refused("[2001:db8::1]", 0, "a hexadecimal group");
    refused("2001:db8::1%eth0", 11, "':' or the end");
    refused("::ffff:192.0.2.256", 15, "0 to 255");
    refused("::ffff:192.0.02.1", 13, "without leading zeros");
    refused("::ffff:192.0.2", 14, "'.'");
    refused("1:2:3:4:5:6:7:1.2.3.4", 14, "an IPv4 tail");
}

static void test_parse_forms(void)
{
    struct in6_addr a = A("2001:db8::"), b = A("2001:0db8:0:0::0");
    CU_ASSERT_TRUE(ipv6_addr_equal(&a, &b));
    a = A("::ffff:10.1.2.3");
    CU_ASSERT_EQUAL(a.s6_addr[10], 0xff);
    CU_ASSERT_EQUAL(a.s6_addr[12], 10);
    CU_ASSERT_EQUAL(a.s6_addr[15], 3);
    CU_ASSERT_TRUE(ipv6_addr_v4mapped(&a));
    a = A("1:2:3:4:5:6:1.2.3.4");
    CU_ASSERT_EQUAL(a.s6_addr[11], 6);
    CU_ASSERT_EQUAL(a.s6_addr[12], 1);
    a = A("::1");
    CU_ASSERT_TRUE(ipv6_addr_loopback(&a));
    a = A("::");
    CU_ASSERT_TRUE(ipv6_addr_any(&a));
    a = A("fe80::1");
    CU_ASSERT_TRUE(ipv6_addr_linklocal(&a));
    a = A("fec0::1");
    CU_ASSERT_FALSE(ipv6_addr_linklocal(&a));
    a = A("ff02::1");
    CU_ASSERT_TRUE(ipv6_addr_is_multicast(&a));
}

static void test_prefixes(void)
{
    struct in6_addr p, a = A("2001:db8:abcd:12ff::1");
    uint8_t len = 0;
    ipv6_addr_prefix(&p, &a, 52);
    char buf[IN6_ADDRSTRLEN];
    CU_ASSERT_STRING_EQUAL(in6_ntop(&p, buf), "2001:db8:abcd:1000::");
    ipv6_addr_prefix(&p, &a, 0);
    CU_ASSERT_TRUE(ipv6_addr_any(&p));
    ipv6_addr_prefix(&p, &a, 128);
    CU_ASSERT_TRUE(ipv6_addr_equal(&p, &a));
    struct in6_addr b = A("2001:db8:abcd:1fff::");
    CU_ASSERT_TRUE(ipv6_prefix_equal(&a, &b, 51));
    CU_ASSERT_TRUE(ipv6_prefix_equal(&a, &b, 52));
    CU_ASSERT_FALSE(ipv6_prefix_equal(&a, &b, 56));

    CU_ASSERT_TRUE(in6_pton_prefix("2001:db8:1::/48", &p, &len, true, NULL, NULL));
    CU_ASSERT_EQUAL(len, 48);
    CU_ASSERT_STRING_EQUAL(in6_ntop(&p, buf), "2001:db8:1::");
    size_t at = 0;
    const char *what = NULL;
    CU_ASSERT_FALSE(in6_pton_prefix("2001:db8:1::1/48", &p, &len, true, &at, &what));
    CU_ASSERT_PTR_NOT_NULL(what && strstr(what, "network address"));
    CU_ASSERT_TRUE(in6_pton_prefix("2001:db8:1::1/48", &p, &len, false, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(in6_ntop(&p, buf), "2001:db8:1::");
    CU_ASSERT_FALSE(in6_pton_prefix("2001:db8::/129", &p, &len, true, &at, &what));
    CU_ASSERT_EQUAL(at, 11);
    CU_ASSERT_FALSE(in6_pton_prefix("2001:db8::/048", &p, &len, true, &at, &what));
    CU_ASSERT_FALSE(in6_pton_prefix("2001:db8::", &p, &len, true, &at, &what));
    CU_ASSERT_EQUAL(at, 10);
    CU_ASSERT_FALSE(in6_pton_prefix("2001:db8::/", &p, &len, true, &at, &what));
    CU_ASSERT_TRUE(in6_pton_prefix("::/0", &p, &len, true, NULL, NULL));
    CU_ASSERT_EQUAL(len, 0);
}

static void test_derived_addresses(void)
{
    struct in6_addr a = A("2001:db8::12:3456:789a"), sn;
    char buf[IN6_ADDRSTRLEN];
    addrconf_addr_solict_mult(&a, &sn);
    CU_ASSERT_STRING_EQUAL(in6_ntop(&sn, buf), "ff02::1:ff56:789a");   /* RFC 4291 2.7.1 */
    uint8_t mac[ETH_ALEN];
    ipv6_eth_mc_map(&sn, mac);
    const uint8_t want_mac[ETH_ALEN] = { 0x33, 0x33, 0xff, 0x56, 0x78, 0x9a };
    CU_ASSERT_EQUAL(memcmp(mac, want_mac, ETH_ALEN), 0);
    const uint8_t hw[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x02 };
    struct in6_addr ll;
    ipv6_addr_linklocal_of(hw, &ll);
    CU_ASSERT_STRING_EQUAL(in6_ntop(&ll, buf), "fe80::ff:fe00:102");  /* U/L bit flipped */
}

IPVSIM_SUITE(in6)
{
    CU_pSuite s = CU_add_suite("in6", NULL, NULL);
    ADD_TEST(s, test_print_rfc5952);
    ADD_TEST(s, test_print_dotted_tail);
    ADD_TEST(s, test_parse_refusals);
    ADD_TEST(s, test_parse_forms);
    ADD_TEST(s, test_prefixes);
    ADD_TEST(s, test_derived_addresses);
}
