/* The IPv6 address key table (sim/in6_key.h): addresses in an array by key, found
 * through an open-addressing index of key numbers (linear probing, at most half
 * full). Looked up twice per IPv6 packet that meets a compact record; IPv4 never
 * touches it. */
#include "sim/in6_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/in6.h"

static struct in6_addr *addrs;        /* by key number; [0] unused */
static uint32_t count;                /* key numbers handed out: 1 .. count */
static uint32_t addrs_cap;
static uint32_t *index_slots;         /* key numbers, 0 = empty */
static uint32_t index_mask;           /* slots - 1 (a power of two), 0 before the first */

static uint32_t addr_hash(const struct in6_addr *a)
{
    uint32_t w[4];
    memcpy(w, a, sizeof w);
    uint64_t h = (uint64_t)(w[0] ^ (w[1] * 0x9e3779b9u)) * 0x85ebca6bu;
    h ^= (uint64_t)(w[2] ^ (w[3] * 0xc2b2ae35u)) * 0x27d4eb2fu;
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "ipvsim: out of memory for the IPv6 address table\n");
        abort();
    }
    return q;
}

static void index_put(uint32_t num)
{
    uint32_t i = addr_hash(&addrs[num]) & index_mask;
    while (index_slots[i])
        i = (i + 1) & index_mask;
    index_slots[i] = num;
}

static void index_grow(void)
{
    uint32_t slots = index_mask ? (index_mask + 1) * 2 : 64;
    free(index_slots);
    index_slots = xrealloc(NULL, slots * sizeof *index_slots);
    memset(index_slots, 0, slots * sizeof *index_slots);
    index_mask = slots - 1;
    for (uint32_t n = 1; n <= count; n++)
        index_put(n);
}

static uint32_t index_find(const struct in6_addr *a)
{
    if (!index_mask)
        return 0;
    for (uint32_t i = addr_hash(a) & index_mask; index_slots[i]; i = (i + 1) & index_mask)
        if (memcmp(&addrs[index_slots[i]], a, sizeof *a) == 0)
            return index_slots[i];
    return 0;
}

static be32 key_of(uint32_t num)
{
    return htonl(0xf0000000u | num);
}

bool in6_key_find(const struct in6_addr *a, be32 *key)
{
    uint32_t num = index_find(a);
    if (!num)
        return false;
    *key = key_of(num);
    return true;
}

be32 in6_key_get(const struct in6_addr *a)
{
    uint32_t num = index_find(a);
    if (num)
        return key_of(num);
    if (count >= IN6_KEY_MAX) {
        fprintf(stderr, "ipvsim: more than %u distinct IPv6 addresses\n", IN6_KEY_MAX);
        abort();
    }
    if (count + 1 >= addrs_cap) {
        addrs_cap = addrs_cap ? addrs_cap * 2 : 64;
        addrs = xrealloc(addrs, addrs_cap * sizeof *addrs);
    }
    addrs[++count] = *a;
    if ((count + 1) * 2 > index_mask + 1)
        index_grow();
    else
        index_put(count);
    return key_of(count);
}

const struct in6_addr *in6_key_addr(be32 key)
{
    uint32_t num = ntohl(key) & IN6_KEY_MAX;
    if (!in6_is_key(key) || num == 0 || num > count) {
        fprintf(stderr, "ipvsim: %08x is not an IPv6 address key\n", (unsigned)ntohl(key));
        abort();
    }
    return &addrs[num];
}

uint32_t in6_key_count(void)
{
    return count;
}

const char *inet_key_ntop(be32 a, char *buf)
{
    if (in6_is_key(a))
        return in6_ntop(in6_key_addr(a), buf);
    const uint8_t *b = (const uint8_t *)&a;
    snprintf(buf, INET_KEY_STRLEN, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return buf;
}
