/* Wire formats: Ethernet, IPv4, TCP, UDP, ICMP. Fields are in network byte order,
 * exactly as on the wire; the structs are packed and read/written in place. */
#ifndef IPVSIM_SIM_PROTO_H
#define IPVSIM_SIM_PROTO_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

typedef uint16_t be16;
typedef uint32_t be32;

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60                 /* minimum frame without FCS */
#define ETH_DATA_LEN 1500
#define ETH_P_IP  0x0800
#define ETH_P_ARP 0x0806

#define IPPROTO_ICMP_ 1             /* the libc names are fine too; these avoid clashes */
#define IPPROTO_IPIP_ 4
#define IP_DF     0x4000
#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

#define TCPH_FIN 0x01
#define TCPH_SYN 0x02
#define TCPH_RST 0x04
#define TCPH_PSH 0x08
#define TCPH_ACK 0x10
#define TCPH_URG 0x20

#define ICMP_ECHOREPLY      0
#define ICMP_DEST_UNREACH   3
#define ICMP_ECHO           8
#define ICMP_REDIRECT       5
#define ICMP_TIME_EXCEEDED 11
#define ICMP_NET_UNREACH    0
#define ICMP_HOST_UNREACH   1
#define ICMP_PROT_UNREACH   2
#define ICMP_PORT_UNREACH   3
#define ICMP_FRAG_NEEDED    4
#define ICMP_PKT_FILTERED  13
#define ICMP_EXC_TTL        0
#define ICMP_REDIR_NET      0
#define ICMP_REDIR_HOST     1
#define ICMP_REDIR_NETTOS   2
#define ICMP_REDIR_HOSTTOS  3

struct ethhdr {
    uint8_t h_dest[ETH_ALEN];
    uint8_t h_source[ETH_ALEN];
    be16 h_proto;
} __attribute__((packed));

/* Words as memory holds them, composed in registers: mem_u16 is what a native 16-bit
 * load of bytes b0, b1 (in that order) reads, mem_u32 and mem_u64 the same for two
 * such halves. For code that builds a header or key field by field and then needs it
 * as words (a checksum, a hash key): reading back narrow stores still in flight as one
 * wider load waits until they complete. */
static inline uint16_t mem_u16(uint8_t b0, uint8_t b1)
{
    const uint8_t b[2] = { b0, b1 };
    uint16_t w;
    memcpy(&w, b, sizeof w);
    return w;
}
static inline uint32_t mem_u32(uint16_t h0, uint16_t h1)
{
    const uint16_t h[2] = { h0, h1 };
    uint32_t w;
    memcpy(&w, h, sizeof w);
    return w;
}
static inline uint64_t mem_u64(uint32_t w0, uint32_t w1)
{
    const uint32_t h[2] = { w0, w1 };
    uint64_t w;
    memcpy(&w, h, sizeof w);
    return w;
}

struct iphdr {
    uint8_t ihl_version;            /* version in the high nibble, ihl (32-bit words) low */
    uint8_t tos;
    be16 tot_len;
    be16 id;
    be16 frag_off;
    uint8_t ttl;
    uint8_t protocol;
    uint16_t check;
    be32 saddr;
    be32 daddr;
} __attribute__((packed));

static inline unsigned ip_hdrlen(const struct iphdr *ip) { return (ip->ihl_version & 0x0f) * 4u; }
static inline unsigned ip_version(const struct iphdr *ip) { return ip->ihl_version >> 4; }

struct tcphdr {
    be16 source;
    be16 dest;
    be32 seq;
    be32 ack_seq;
    uint8_t doff_res;               /* data offset (32-bit words) in the high nibble */
    uint8_t flags;                  /* TCPH_* */
    be16 window;
    uint16_t check;
    be16 urg_ptr;
} __attribute__((packed));

static inline unsigned tcp_hdrlen(const struct tcphdr *th) { return (th->doff_res >> 4) * 4u; }

struct udphdr {
    be16 source;
    be16 dest;
    be16 len;
    uint16_t check;
} __attribute__((packed));

struct icmphdr {
    uint8_t type;
    uint8_t code;
    uint16_t checksum;
    union {
        struct { be16 id, sequence; } echo;
        be32 gateway;
        struct { be16 unused, mtu; } frag;
    } un;
} __attribute__((packed));

#endif
