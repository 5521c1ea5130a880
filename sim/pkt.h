/* Building and parsing frames: real header bytes with valid checksums.
 *
 * Builders write an IPv4 packet (header + L4 header [+ real payload]) into a fresh
 * skb at its data pointer and set network/transport offsets; Ethernet is pushed
 * later by whoever sends the frame (eth_push). Virtual payload (payload_len) counts
 * in every length field and is taken as zeros by the checksums. */
#ifndef IPVSIM_SIM_PKT_H
#define IPVSIM_SIM_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"
#include "sim/proto6.h"
#include "sim/skb.h"

/* The IPv4 fields a builder needs; all addresses and ports in network order. */
struct ip4_spec {
    be32 saddr, daddr;
    uint8_t ttl;                    /* 0 means 64 */
    uint8_t tos;
    be16 id;
    bool df;                        /* set Don't Fragment */
};

/* TCP option kinds (include/net/tcp.h TCPOPT_*), for whoever writes or reads options. */
#define TCPOPT_NOP       1
#define TCPOPT_MSS       2
#define TCPOPT_WINDOW    3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK      5
#define TCPOPT_TIMESTAMP 8

struct tcp_spec {
    be16 sport, dport;
    uint32_t seq, ack;              /* host order */
    uint8_t flags;                  /* TCPH_* */
    uint16_t window;                /* host order */
    uint16_t mss;                   /* non-zero: add an MSS option (SYN segments) */
    /* Further option bytes, written as given after the MSS option (a multiple of 4,
     * at most 40 with the MSS option's 4): an endpoint's own options. */
    const uint8_t *opts;
    uint8_t opt_len;
};

/* Each writes the packet at skb->data (replacing whatever the linear part held),
 * sets len (real bytes), data_len (virtual payload), network_header,
 * transport_header and protocol = ETH_P_IP, and leaves mac_header alone. IPv4: version
 * 4, ihl 5, ttl 64 when spec->ttl is 0, checksums valid. Each returns false (skb
 * untouched) when the real bytes do not fit in the buffer after data or the total
 * length exceeds 65535. */
bool pkt_build_tcp(struct sk_buff *skb, const struct ip4_spec *ip, const struct tcp_spec *tcp,
                   uint32_t payload_len);
bool pkt_build_udp(struct sk_buff *skb, const struct ip4_spec *ip, be16 sport, be16 dport,
                   uint32_t payload_len);
/* A real-byte UDP payload (it is copied into the linear part). */
bool pkt_build_udp_data(struct sk_buff *skb, const struct ip4_spec *ip, be16 sport, be16 dport,
                        const void *payload, uint32_t payload_len);
/* ICMP message with a real body (e.g. the quoted header of an error). */
bool pkt_build_icmp(struct sk_buff *skb, const struct ip4_spec *ip, uint8_t type, uint8_t code,
                    be32 rest, const void *body, uint32_t body_len);

/* ---- IPv6 ------------------------------------------------------------------------ */

/* The IPv6 fields a builder needs: no extension header is written (the next header
 * is the L4 protocol's). */
struct ip6_spec {
    struct in6_addr saddr, daddr;
    uint8_t hop_limit;              /* 0 means 64 */
    uint8_t tclass;
    uint32_t flowlabel;             /* the low 20 bits */
};

/* The IPv6 twins of the builders above: the same contract, with protocol =
 * ETH_P_IPV6, transport_header 40 bytes after network_header, the payload length at
 * most 65535 (no jumbograms), and every checksum over the IPv6 pseudo-header (UDP's
 * never 0: RFC 8200 section 8.1 sends 0xffff). */
bool pkt_build_tcp6(struct sk_buff *skb, const struct ip6_spec *ip, const struct tcp_spec *tcp,
                    uint32_t payload_len);
bool pkt_build_udp6(struct sk_buff *skb, const struct ip6_spec *ip, be16 sport, be16 dport,
                    uint32_t payload_len);
/* ICMPv6 with a real body (NS/NA: the target and options; errors: the quoted
 * packet); rest is the 4 bytes after the checksum (the MTU of Packet Too Big, the
 * NA flags), body_virt more zero bytes are quoted virtually (they count in the
 * lengths, add nothing to the sum). */
bool pkt_build_icmp6(struct sk_buff *skb, const struct ip6_spec *ip, uint8_t type, uint8_t code,
                     be32 rest, const void *body, uint32_t body_len, uint32_t body_virt);

/* ---- SCTP (RFC 9260): the common header and one or more chunks ---------------- */

/* The common header. checksum is the CRC32c of the whole packet (no pseudo-header),
 * computed with this field zero and stored least significant byte first. */
struct sctphdr {
    be16 source;
    be16 dest;
    be32 vtag;
    uint32_t checksum;
} __attribute__((packed));

struct sctp_chunkhdr {
    uint8_t type;
    uint8_t flags;
    be16 length;                    /* header + body, padding excluded */
} __attribute__((packed));

/* Chunk types (RFC 9260 §3.2). */
enum {
    SCTP_CID_DATA = 0,
    SCTP_CID_INIT = 1,
    SCTP_CID_INIT_ACK = 2,
    SCTP_CID_SACK = 3,
    SCTP_CID_HEARTBEAT = 4,
    SCTP_CID_HEARTBEAT_ACK = 5,
    SCTP_CID_ABORT = 6,
    SCTP_CID_SHUTDOWN = 7,
    SCTP_CID_SHUTDOWN_ACK = 8,
    SCTP_CID_ERROR = 9,
    SCTP_CID_COOKIE_ECHO = 10,
    SCTP_CID_COOKIE_ACK = 11,
    SCTP_CID_ECN_ECNE = 12,
    SCTP_CID_ECN_CWR = 13,
    SCTP_CID_SHUTDOWN_COMPLETE = 14,
};

#define SCTP_HLEN 12u               /* the common header */
#define SCTP_CHUNK_HLEN 4u

/* One chunk: type, flags and a real body (zeros when body is NULL). */
struct sctp_chunk_spec {
    uint8_t type, flags;
    const void *body;
    uint16_t body_len;
};

struct sctp_spec {
    be16 sport, dport;
    uint32_t vtag;                  /* host order */
    const struct sctp_chunk_spec *chunks;
    unsigned nchunks;               /* at least 1 */
};

/* An SCTP packet: the common header, then each chunk padded to 4 bytes with zeros.
 * Virtual payload (payload_len) extends the last chunk (its length field counts
 * it) and is followed by its padding, virtual too. The CRC32c is valid. Returns
 * false (skb untouched) as the other builders do, or when there is no chunk. */
bool pkt_build_sctp(struct sk_buff *skb, const struct ip4_spec *ip, const struct sctp_spec *sctp,
                    uint32_t payload_len);

/* The CRC32c of an SCTP packet at sh: real bytes there, then virtual zeros up to
 * total; the checksum field counts as zero. The value to store with
 * sctp_set_checksum. */
uint32_t sctp_crc32c(const uint8_t *sh, uint32_t real, uint32_t total);
/* The checksum field as the CRC (least significant byte first on the wire, as
 * RFC 9260 appendix A and Linux's cpu_to_le32 put it). */
void sctp_set_checksum(uint8_t *sh, uint32_t crc);
uint32_t sctp_get_checksum(const uint8_t *sh);

/* Push an Ethernet header in front of data; sets mac_header and skb->protocol. */
bool eth_push(struct sk_buff *skb, const uint8_t src[ETH_ALEN], const uint8_t dst[ETH_ALEN],
              uint16_t ethertype);

/* Recompute the L4 checksum (TCP, UDP or ICMP; SCTP's CRC32c) of the IPv4 packet at
 * network_header (of an IPv6 one: TCP, UDP, ICMPv6 or SCTP right after the fixed
 * header, over the IPv6 pseudo-header) from scratch: virtual payload counts in the lengths and adds zeros
 * to the sum; a UDP result of 0 is stored as 0xffff. Returns false, changing nothing,
 * when there is nothing to do: no network header, not TCP/UDP/ICMP/SCTP, a fragment,
 * or IP/L4 headers
 * that are inconsistent or not in the real bytes. (Returned void originally; callers
 * may ignore the result.) */
bool pkt_l4_checksum(struct sk_buff *skb);

/* ---- parsing a frame as it comes off a link ---------------------------------- */

enum pkt_err {
    PKT_OK = 0,
    PKT_ETH_SHORT,          /* shorter than an Ethernet header */
    PKT_NOT_IP,             /* ethertype is neither IPv4 nor IPv6 (not an error for L2 code) */
    PKT_IP_SHORT,           /* shorter than a minimal IPv4 header, or IPv6's 40 bytes */
    PKT_IP_VERSION,
    PKT_IP_IHL,             /* ihl < 5 or beyond the frame */
    PKT_IP_TOTLEN,          /* tot_len < ihl*4 or beyond the frame; IPv6: the payload
                               length beyond the frame */
    PKT_IP_CSUM,
    PKT_L4_SHORT,           /* L4 header beyond the packet, or malformed: TCP doff < 5
                               or beyond the packet, UDP length < 8 or beyond it, SCTP
                               shorter than its common header; IPv6: an extension
                               header beyond the packet */
    PKT_L4_CSUM,
};
#define PKT_ERR_COUNT (PKT_L4_CSUM + 1)

/* What a parse found: offsets are from the start of the frame. */
struct pkt_info {
    uint16_t ethertype;
    uint16_t l3_off, l4_off;
    uint8_t proto;
    bool fragment;          /* MF set or offset non-zero: L4 not parsed */
    uint32_t ip_len;        /* tot_len */
    uint32_t l4_len;        /* tot_len - ihl*4 */
    be32 saddr, daddr;
    be16 sport, dport;      /* TCP/UDP, or ICMP echo id in sport */
    uint8_t tcp_flags;
    uint8_t sctp_chunk;     /* SCTP: the first chunk's type (0 when there is none) */
    /* IPv6 (ethertype ETH_P_IPV6): the addresses (saddr and daddr stay 0), the hop
     * limit; ip_len is 40 + the payload length, l4_off and l4_len are past the
     * extension headers (hop-by-hop, routing, destination options, fragment), proto
     * the last next header. ICMPv6 echo: the identifier in sport. */
    struct in6_addr saddr6, daddr6;
    uint8_t hop_limit;
};

/* Parse and verify a frame, IPv4 or IPv6 (header sanity and every checksum, SCTP's
 * CRC32c included). wire_len may exceed
 * len: the bytes in between are virtual zeros (a wire_len below len counts as len).
 * Never reads beyond len; frame may be NULL when len is 0; out may be NULL. Bytes after
 * tot_len (Ethernet padding) are ignored. A UDP checksum of 0 is not verified over
 * IPv4 and is an error over IPv6 (RFC 8200 section 8.1). The
 * UDP checksum covers the UDP length (which may be below l4_len, as in the kernel).
 * out is zeroed first, then filled as far as the parse got, errors included. */
enum pkt_err pkt_parse(const uint8_t *frame, uint32_t len, uint32_t wire_len, struct pkt_info *out);
/* The same on an skb's current frame (data at the Ethernet header). */
enum pkt_err pkt_parse_skb(const struct sk_buff *skb, struct pkt_info *out);
const char *pkt_err_str(enum pkt_err e);

#endif
