/* IPv6 address helpers: the parser (the text forms of RFC 4291 section 2.2, as
 * inet_pton(3) reads them), the printer of lib/vsprintf.c ip6_compressed_string
 * (%pI6c), prefixes (include/net/ipv6.h ipv6_addr_prefix, ipv6_prefix_equal) and the
 * derived addresses of include/net/addrconf.h and include/net/if_inet6.h. */
#include "sim/in6.h"

#include <stdio.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool fail(size_t *err_off, const char **what, size_t off, const char *msg)
{
    if (err_off)
        *err_off = off;
    if (what)
        *what = msg;
    return false;
}

/* A dotted quad at s[i..end): four decimal numbers 0..255 without leading zeros. */
static bool parse_v4_tail(const char *s, size_t i, size_t end, uint8_t out[4], size_t *err_off,
                          const char **what)
{
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= end || s[i] != '.')
                return fail(err_off, what, i, "'.' and the next part of the IPv4 address");
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < end && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start)
            return fail(err_off, what, i, "a decimal number (0 to 255)");
        if (v > 255 || (s[start] == '0' && i - start > 1))
            return fail(err_off, what, start, "a decimal number 0 to 255 without leading zeros");
        out[part] = (uint8_t)v;
    }
    if (i != end)
        return fail(err_off, what, i, "the end of the address");
    return true;
}

/* Parse s[0..end). */
static bool parse(const char *s, size_t end, struct in6_addr *out, size_t *err_off,
                  const char **what)
{
    uint16_t words[8] = {0};
    int n = 0, gap = -1;            /* groups written; where "::" stands */
    size_t i = 0;
    if (end == 0)
        return fail(err_off, what, 0, "an IPv6 address");
    if (s[0] == ':') {
        if (end < 2 || s[1] != ':')
            return fail(err_off, what, 1, "':' (an address starts with a group or \"::\")");
        gap = 0;
        i = 2;
        if (i == end)
            goto done;
    }
    for (;;) {
        size_t start = i;
        unsigned v = 0;
        while (i < end && hexval(s[i]) >= 0 && i - start < 4) {
            v = v << 4 | (unsigned)hexval(s[i]);
            i++;
        }
        if (i < end && s[i] == '.' && i > start) {
            /* A dotted IPv4 tail: the last two groups. */
            if (n > 6 || (gap < 0 && n != 6))
                return fail(err_off, what, start, "a hexadecimal group (an IPv4 tail fills the last 32 bits)");
            uint8_t q[4];
            if (!parse_v4_tail(s, start, end, q, err_off, what))
                return false;
            words[n++] = (uint16_t)(q[0] << 8 | q[1]);
            words[n++] = (uint16_t)(q[2] << 8 | q[3]);
            goto done;
        }
        if (i == start)
            return fail(err_off, what, i, i == end ? "a hexadecimal group after ':'" : "a hexadecimal group (1 to 4 digits)");
        if (i < end && hexval(s[i]) >= 0)
            return fail(err_off, what, i, "':' (a group has at most 4 hexadecimal digits)");
        if (n == 8)
            return fail(err_off, what, start, "the end of the address (8 groups at most)");
        words[n++] = (uint16_t)v;
        if (i == end)
            break;
        if (s[i] != ':')
            return fail(err_off, what, i, "':' or the end of the address");
        i++;
        if (i < end && s[i] == ':') {
            if (gap >= 0)
                return fail(err_off, what, i - 1, "a hexadecimal group (\"::\" may appear once)");
            gap = n;
            i++;
            if (i == end)
                break;
        } else if (i == end) {
            return fail(err_off, what, i, "a hexadecimal group after ':'");
        }
    }
done:
    if (gap < 0 && n != 8)
        return fail(err_off, what, end, "8 groups, or \"::\" for the zero ones");
    if (gap >= 0 && n == 8)
        return fail(err_off, what, end, "at most 7 groups beside \"::\"");
    if (gap >= 0) {
        int tail = n - gap;
        memmove(&words[8 - tail], &words[gap], (size_t)tail * sizeof words[0]);
        memset(&words[gap], 0, (size_t)(8 - tail - gap) * sizeof words[0]);
    }
    for (int k = 0; k < 8; k++) {
        out->s6_addr[2 * k] = (uint8_t)(words[k] >> 8);
        out->s6_addr[2 * k + 1] = (uint8_t)words[k];
    }
    return true;
}

bool in6_pton(const char *s, struct in6_addr *out, size_t *err_off, const char **what)
{
    struct in6_addr a;
    if (!parse(s, strlen(s), &a, err_off, what))
        return false;
    *out = a;
    return true;
}

bool in6_pton_prefix(const char *s, struct in6_addr *out, uint8_t *plen, bool strict,
                     size_t *err_off, const char **what)
{
    const char *slash = strchr(s, '/');
    if (!slash)
        return fail(err_off, what, strlen(s), "'/' and a prefix length (0 to 128)");
    size_t alen = (size_t)(slash - s);
    struct in6_addr a;
    if (!parse(s, alen, &a, err_off, what))
        return false;
    const char *p = slash + 1;
    unsigned v = 0;
    size_t k = 0;
    while (p[k] >= '0' && p[k] <= '9' && k < 3) {
        v = v * 10 + (unsigned)(p[k] - '0');
        k++;
    }
    if (k == 0 || p[k] != '\0' || v > 128 || (p[0] == '0' && k > 1))
        return fail(err_off, what, alen + 1, "a prefix length 0 to 128");
    struct in6_addr net;
    ipv6_addr_prefix(&net, &a, v);
    if (strict && !ipv6_addr_equal(&net, &a))
        return fail(err_off, what, 0, "a network address (the bits after the prefix length zero)");
    *out = net;
    *plen = (uint8_t)v;
    return true;
}

/* ipv6_addr_is_isatap (include/net/addrconf.h): the interface id ::0:5efe:a.b.c.d
 * or ::200:5efe:a.b.c.d. */
static bool ipv6_addr_is_isatap(const struct in6_addr *a)
{
    return (a->s6_addr[8] | 0x02) == 0x02 && a->s6_addr[9] == 0 && a->s6_addr[10] == 0x5e &&
           a->s6_addr[11] == 0xfe;
}

const char *in6_ntop(const struct in6_addr *a, char *buf)
{
    uint16_t w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (uint16_t)(a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1]);
    bool use_ipv4 = ipv6_addr_v4mapped(a) || ipv6_addr_is_isatap(a);
    int range = use_ipv4 ? 6 : 8;
    /* The longest run of zero groups, the first of equal ones; a single zero group
     * is not shortened. */
    int longest = 1, colonpos = -1;
    for (int i = 0; i < range; i++) {
        int len = 0;
        while (i + len < range && w[i + len] == 0)
            len++;
        if (len > longest) {
            longest = len;
            colonpos = i;
        }
    }
    char *p = buf;
    bool needcolon = false;
    for (int i = 0; i < range; i++) {
        if (i == colonpos) {
            if (needcolon || i == 0)
                *p++ = ':';
            *p++ = ':';
            needcolon = false;
            i += longest - 1;
            continue;
        }
        if (needcolon)
            *p++ = ':';
        p += sprintf(p, "%x", w[i]);
        needcolon = true;
    }
    if (use_ipv4) {
        if (needcolon)
            *p++ = ':';
        p += sprintf(p, "%u.%u.%u.%u", a->s6_addr[12], a->s6_addr[13], a->s6_addr[14],
                     a->s6_addr[15]);
    }
    *p = '\0';
    return buf;
}

void ipv6_addr_prefix(struct in6_addr *out, const struct in6_addr *a, unsigned plen)
{
    if (plen > 128)
        plen = 128;
    unsigned whole = plen / 8, bits = plen % 8;
    struct in6_addr r = {0};
    memcpy(r.s6_addr, a->s6_addr, whole);
    if (bits)
        r.s6_addr[whole] = (uint8_t)(a->s6_addr[whole] & (0xff00u >> bits));
    *out = r;
}

bool ipv6_prefix_equal(const struct in6_addr *a, const struct in6_addr *b, unsigned plen)
{
    struct in6_addr x, y;
    ipv6_addr_prefix(&x, a, plen);
    ipv6_addr_prefix(&y, b, plen);
    return ipv6_addr_equal(&x, &y);
}

void addrconf_addr_solict_mult(const struct in6_addr *a, struct in6_addr *out)
{
    static const uint8_t head[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
    memcpy(out->s6_addr, head, sizeof head);
    memcpy(out->s6_addr + 13, a->s6_addr + 13, 3);
}

void ipv6_eth_mc_map(const struct in6_addr *group, uint8_t mac[ETH_ALEN])
{
    mac[0] = 0x33;
    mac[1] = 0x33;
    memcpy(mac + 2, group->s6_addr + 12, 4);
}

void ipv6_addr_linklocal_of(const uint8_t mac[ETH_ALEN], struct in6_addr *out)
{
    memset(out, 0, sizeof *out);
    out->s6_addr[0] = 0xfe;
    out->s6_addr[1] = 0x80;
    out->s6_addr[8] = mac[0] ^ 0x02;
    out->s6_addr[9] = mac[1];
    out->s6_addr[10] = mac[2];
    out->s6_addr[11] = 0xff;
    out->s6_addr[12] = 0xfe;
    out->s6_addr[13] = mac[3];
    out->s6_addr[14] = mac[4];
    out->s6_addr[15] = mac[5];
}
