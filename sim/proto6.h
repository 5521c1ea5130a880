/* Wire formats of IPv6: the fixed header, the fragment header, ICMPv6 and the
 * neighbour discovery messages, network byte order as on the wire (packed structs
 * read and written in place), with the kernel's names: include/uapi/linux/ipv6.h
 * (struct ipv6hdr, struct frag_hdr in include/net/ipv6.h), include/uapi/linux/icmpv6.h
 * (struct icmp6hdr, ICMPV6_*), include/net/ndisc.h (NDISC_*, struct nd_msg, the
 * option types). struct in6_addr is the C library's (netinet/in.h, through
 * sim/proto.h): the same 16 bytes as the kernel's. */
#ifndef IPVSIM_SIM_PROTO6_H
#define IPVSIM_SIM_PROTO6_H

#include <stdint.h>
#include "sim/proto.h"

#define ETH_P_IPV6 0x86DD

#define IPV6_HLEN 40u               /* the fixed header */
#define IPV6_MIN_MTU 1280           /* RFC 8200 section 5 */
#define IPV6_MAXPLEN 65535

/* Next-header values (include/uapi/linux/in6.h NEXTHDR_* in include/net/ipv6.h). */
#define NEXTHDR_HOP      0
#define NEXTHDR_TCP      6
#define NEXTHDR_UDP     17
#define NEXTHDR_IPV6    41
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_ICMP    58
#define NEXTHDR_NONE    59
#define NEXTHDR_DEST    60

struct ipv6hdr {
    uint8_t priority_version;       /* version in the high nibble, the traffic class's
                                       high nibble low */
    uint8_t flow_lbl[3];            /* the traffic class's low nibble, then 20 bits of
                                       flow label */
    be16 payload_len;               /* everything after the fixed header */
    uint8_t nexthdr;
    uint8_t hop_limit;
    struct in6_addr saddr;
    struct in6_addr daddr;
} __attribute__((packed));

static inline unsigned ipv6_version(const struct ipv6hdr *h) { return h->priority_version >> 4; }

/* The fragment header (RFC 8200 section 4.5). */
struct frag_hdr {
    uint8_t nexthdr;
    uint8_t reserved;
    be16 frag_off;                  /* offset in 8-byte units << 3, then M */
    be32 identification;
} __attribute__((packed));

#define IP6_MF     0x0001
#define IP6_OFFSET 0xFFF8

struct icmp6hdr {
    uint8_t icmp6_type;
    uint8_t icmp6_code;
    uint16_t icmp6_cksum;
    union {
        be32 un_data32[1];          /* the MTU of Packet Too Big, the pointer of
                                       Parameter Problem */
        be16 un_data16[2];          /* echo: identifier, sequence */
        uint8_t un_data8[4];        /* neighbour advertisement: the R, S, O flags */
    } icmp6_dataun;
} __attribute__((packed));

#define ICMPV6_HLEN 8u

/* Error types (below 128) and informational ones. */
#define ICMPV6_DEST_UNREACH   1
#define ICMPV6_PKT_TOOBIG     2
#define ICMPV6_TIME_EXCEED    3
#define ICMPV6_PARAMPROB      4
#define ICMPV6_INFOMSG_MASK   0x80
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY   129

/* Codes for DEST_UNREACH. */
#define ICMPV6_NOROUTE        0
#define ICMPV6_ADM_PROHIBITED 1
#define ICMPV6_NOT_NEIGHBOUR  2
#define ICMPV6_ADDR_UNREACH   3
#define ICMPV6_PORT_UNREACH   4
/* Codes for TIME_EXCEED. */
#define ICMPV6_EXC_HOPLIMIT   0
#define ICMPV6_EXC_FRAGTIME   1
/* Codes for PARAMPROB. */
#define ICMPV6_HDR_FIELD      0
#define ICMPV6_UNK_NEXTHDR    1
#define ICMPV6_UNK_OPTION     2

/* Neighbour discovery (RFC 4861), include/net/ndisc.h. */
#define NDISC_ROUTER_SOLICITATION     133
#define NDISC_ROUTER_ADVERTISEMENT    134
#define NDISC_NEIGHBOUR_SOLICITATION  135
#define NDISC_NEIGHBOUR_ADVERTISEMENT 136
#define NDISC_REDIRECT                137

#define ND_OPT_SOURCE_LL_ADDR 1
#define ND_OPT_TARGET_LL_ADDR 2

/* Neighbour advertisement flags, in the first byte after the ICMPv6 header's code
 * and checksum (icmp6_dataun.un_data8[0]). */
#define ND_NA_ROUTER    0x80
#define ND_NA_SOLICITED 0x40
#define ND_NA_OVERRIDE  0x20

/* NS and NA: the ICMPv6 header (reserved / flags), the target, then options. */
struct nd_msg {
    struct icmp6hdr icmph;
    struct in6_addr target;
    uint8_t opt[];
} __attribute__((packed));

/* A link-layer address option on Ethernet: type, length in 8-byte units (1), MAC. */
#define ND_OPT_LLADDR_LEN 8u

#define ND_HOPLIMIT 255             /* every ND message is sent with 255 and must
                                       arrive with it (RFC 4861 section 7.1.1) */

#endif
