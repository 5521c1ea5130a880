/* CRC32c (sim/crc32c.c) against the RFC 3720 appendix B.4 test vectors and the
 * usual check value, against an independent bit-at-a-time reference written here,
 * and SCTP's use of it (sim/pkt.c): builders, the checksum field's byte order,
 * virtual payload, the parser's verification and pkt_l4_checksum. */
#include <string.h>
#include "sim/crc32c.h"
#include "sim/csum.h"
#include "sim/pkt.h"
#include "sim/skb.h"
#include "tests/testutil.h"

/* Reference CRC32c, bit by bit from the reflected polynomial (RFC 9260 appendix A
 * describes the same computation). */
static uint32_t ref_crc32c(const uint8_t *b, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= b[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    }
    return ~c;
}

static void test_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i;
        for (int k = 0; k < 8; k++)
            r = (r & 1) ? (r >> 1) ^ 0x82f63b78u : r >> 1;
        CU_ASSERT_EQUAL(crc32c_table[i], r);
    }
}

/* RFC 3720 B.4: the CRC of each 32-byte pattern and of an iSCSI READ command PDU,
 * given there as the bytes stored (least significant first). */
static void test_rfc3720_vectors(void)
{
    uint8_t buf[48];
    memset(buf, 0, 32);
    CU_ASSERT_EQUAL(crc32c(buf, 32), 0x8a9136aau);          /* aa 36 91 8a */
    memset(buf, 0xff, 32);
    CU_ASSERT_EQUAL(crc32c(buf, 32), 0x62a8ab43u);          /* 43 ab a8 62 */
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(crc32c(buf, 32), 0x46dd794eu);          /* 4e 79 dd 46 */
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    CU_ASSERT_EQUAL(crc32c(buf, 32), 0x113fdb5cu);          /* 5c db 3f 11 */
    static const uint8_t pdu[48] = {
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    CU_ASSERT_EQUAL(crc32c(pdu, sizeof pdu), 0xd9963a56u);  /* 56 3a 96 d9 */
    /* the catalogue's check value */
    CU_ASSERT_EQUAL(crc32c("123456789", 9), 0xe3069283u);
    CU_ASSERT_EQUAL(crc32c("", 0), 0u);
}

static void test_pieces_and_zeros(void)
{
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    uint32_t whole = crc32c(buf, sizeof buf);
    CU_ASSERT_EQUAL(whole, ref_crc32c(buf, sizeof buf));
    for (size_t cut = 0; cut <= sizeof buf; cut += 7) {
        uint32_t c = crc32c_update(crc32c_init(), buf, cut);
        c = crc32c_update(c, buf + cut, sizeof buf - cut);
        CU_ASSERT_EQUAL(crc32c_final(c), whole);
    }
    /* zeros fed virtually are zeros fed for real */
    memset(buf + 100, 0, 200);
    uint32_t c = crc32c_update_zeros(crc32c_update(crc32c_init(), buf, 100), 200);
    CU_ASSERT_EQUAL(crc32c_final(c), ref_crc32c(buf, sizeof buf));
}

/* ---- SCTP packets ---------------------------------------------------------------- */

static const uint8_t mac_a[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac_b[ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };

static struct ip4_spec ip_spec(void)
{
    struct ip4_spec ip = { .saddr = htonl(0x0a000102), .daddr = htonl(0xcb00710a), .ttl = 64 };
    return ip;
}

/* The CRC32c of the SCTP part of a frame written out (virtual bytes as zeros),
 * checksum field zeroed, by ref_crc32c. */
static uint32_t frame_ref_crc(const struct sk_buff *skb, uint32_t *stored)
{
    static uint8_t wire[2048];
    uint32_t n = skb_copy_wire(skb, wire, sizeof wire);
    const uint8_t *ip = wire + ETH_HLEN;
    uint32_t ihl = (ip[0] & 0x0f) * 4u, tot = (uint32_t)ip[2] << 8 | ip[3];
    CU_ASSERT_FATAL(n >= ETH_HLEN + tot);
    uint8_t *sh = wire + ETH_HLEN + ihl;
    *stored = (uint32_t)sh[8] | (uint32_t)sh[9] << 8 | (uint32_t)sh[10] << 16 |
              (uint32_t)sh[11] << 24;
    memset(sh + 8, 0, 4);
    return ref_crc32c(sh, tot - ihl);
}

static void test_sctp_build_parse(void)
{
    struct skb_pool pool;
    skb_pool_init(&pool);
    uint8_t init_body[16] = { 0x12, 0x34, 0x56, 0x78, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1 };
    struct sctp_chunk_spec ch = { .type = SCTP_CID_INIT, .body = init_body, .body_len = 16 };
    struct sctp_spec sp = { .sport = htons(40000), .dport = htons(5060), .vtag = 0,
                            .chunks = &ch, .nchunks = 1 };
    struct ip4_spec ip = ip_spec();
    struct sk_buff *skb = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_sctp(skb, &ip, &sp, 0));
    CU_ASSERT_EQUAL(skb->len, 20u + 12 + 4 + 16);
    const uint8_t *sh = skb->data + 20;
    CU_ASSERT_EQUAL(sh[12], SCTP_CID_INIT);
    CU_ASSERT_EQUAL(sh[14] << 8 | sh[15], 20);               /* chunk length */
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.proto, IPPROTO_SCTP);
    CU_ASSERT_EQUAL(info.sport, htons(40000));
    CU_ASSERT_EQUAL(info.dport, htons(5060));
    CU_ASSERT_EQUAL(info.sctp_chunk, SCTP_CID_INIT);
    /* The field holds the CRC least significant byte first. */
    uint32_t stored;
    CU_ASSERT_EQUAL(frame_ref_crc(skb, &stored), stored);
    /* Any flipped bit is caught; the IP header checksum is not involved. */
    skb->data[ETH_HLEN + 20 + 30] ^= 0x01;
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_L4_CSUM);
    skb->data[ETH_HLEN + 20 + 30] ^= 0x01;
    skb->data[ETH_HLEN + 20 + 8] ^= 0x80;                    /* the checksum itself */
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_L4_CSUM);
    skb_free(&pool, skb);
    skb_pool_destroy(&pool);
}

static void test_sctp_bundles_and_virtual_payload(void)
{
    struct skb_pool pool;
    skb_pool_init(&pool);
    /* COOKIE-ECHO (odd body: padded) followed by an ABORT. */
    struct sctp_chunk_spec two[2] = {
        { .type = SCTP_CID_COOKIE_ECHO, .body_len = 5 },
        { .type = SCTP_CID_ABORT },
    };
    struct sctp_spec sp = { .sport = htons(1), .dport = htons(2), .vtag = 7, .chunks = two,
                            .nchunks = 2 };
    struct ip4_spec ip = ip_spec();
    struct sk_buff *skb = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_sctp(skb, &ip, &sp, 0));
    CU_ASSERT_EQUAL(skb->len, 20u + 12 + 12 + 4);            /* 9 bytes padded to 12 */
    CU_ASSERT_EQUAL(skb->data[20 + 12 + 12], SCTP_CID_ABORT);
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    skb_free(&pool, skb);

    /* DATA with 1001 virtual bytes: the chunk length counts them, the padding
     * after them is virtual too, and the CRC covers them as zeros. */
    struct sctp_chunk_spec data = { .type = SCTP_CID_DATA, .flags = 3, .body_len = 12 };
    sp.chunks = &data;
    sp.nchunks = 1;
    skb = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_sctp(skb, &ip, &sp, 1001));
    CU_ASSERT_EQUAL(skb->len, 20u + 12 + 16);
    CU_ASSERT_EQUAL(skb->data_len, 1001u + 3);
    const uint8_t *c = skb->data + 32;
    CU_ASSERT_EQUAL(c[2] << 8 | c[3], 16 + 1001);
    CU_ASSERT_EQUAL(sctp_crc32c(skb->data + 20, skb->len - 20, skb->len - 20 + skb->data_len),
                    sctp_get_checksum(skb->data + 20));
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.sctp_chunk, SCTP_CID_DATA);
    uint32_t stored;
    CU_ASSERT_EQUAL(frame_ref_crc(skb, &stored), stored);

    /* A port rewritten by hand, then pkt_l4_checksum makes it valid again. */
    skb_pull(skb, ETH_HLEN);
    skb_reset_network_header(skb);
    skb->data[20 + 2] = 0x13;
    skb_push(skb, ETH_HLEN);
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_L4_CSUM);
    CU_ASSERT_TRUE(pkt_l4_checksum(skb));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(frame_ref_crc(skb, &stored), stored);
    skb_free(&pool, skb);

    /* Too short for the common header; no chunk at all is refused by the builder. */
    sp.nchunks = 0;
    skb = skb_alloc(&pool, 0);
    CU_ASSERT_FALSE(pkt_build_sctp(skb, &ip, &sp, 0));
    CU_ASSERT_FATAL(pkt_build_udp(skb, &ip, 1, 2, 0));
    ((uint8_t *)skb->data)[9] = IPPROTO_SCTP;               /* 8-byte "SCTP" packet */
    ip_send_check((struct iphdr *)skb->data);
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_L4_SHORT);
    skb_free(&pool, skb);
    skb_pool_destroy(&pool);
}

IPVSIM_SUITE(crc32c)
{
    CU_pSuite s = CU_add_suite("crc32c", NULL, NULL);
    ADD_TEST(s, test_table);
    ADD_TEST(s, test_rfc3720_vectors);
    ADD_TEST(s, test_pieces_and_zeros);
    ADD_TEST(s, test_sctp_build_parse);
    ADD_TEST(s, test_sctp_bundles_and_virtual_payload);
}
