/* A client group's "replay" (app/scenario/replay.c and its loader in
 * scenario_script.c): the CSV reader with and without a header, the pcap reader's
 * conversations (a TCP connection from its SYN, retransmissions counted once, its
 * requests; UDP flows; what it skips), the faults each names by line and column or
 * by packet, and the group's keys around a replay (times from the first
 * conversation shifted by start, the net of the recorded clients, loop). */
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/scenario/replay.h"
#include "app/scenario/scenario.h"
#include "app/scenario/scenario_internal.h"

static char *dir;

static int init(void)
{
    dir = g_dir_make_tmp("ipvsim-replay-XXXXXX", NULL);
    return dir ? 0 : 1;
}

static int clean(void)
{
    static const char *const names[] = { "s.json", "r.csv", "r.pcap", "cut.pcap", "wifi.pcap" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        g_remove(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
    return 0;
}

static char *put(const char *name, const char *text)
{
    char *p = g_build_filename(dir, name, NULL);
    g_file_set_contents(p, text, -1, NULL);
    return p;
}

static const struct client_script_conn *at(GArray *a, guint i)
{
    return &g_array_index(a, struct client_script_conn, i);
}

/* ---- the CSV reader ----------------------------------------------------------------------- */

static void test_csv(void)
{
    GArray *c = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(int));
    struct replay_fault f;
    /* a header in another order, an epoch time, units, a destination, requests */
    CU_ASSERT_TRUE_FATAL(replay_read_csv(
        "# recorded\nclient,time,request,response,port,protocol,destination,requests\n\n"
        "198.51.100.7,1700000000.5,300,4KB,40001,tcp,203.0.113.10:80,2\n"
        "198.51.100.8, 1700000000.750000001 ,40,200,0,udp,,1\r\n", c, lines, &f));
    CU_ASSERT_EQUAL_FATAL(c->len, 2);
    CU_ASSERT_EQUAL(at(c, 0)->at, 1700000000 * SEC + 500 * MSEC);
    CU_ASSERT_EQUAL(at(c, 0)->saddr, htonl(0xc6336407));
    CU_ASSERT_EQUAL(at(c, 0)->sport, htons(40001));
    CU_ASSERT_EQUAL(at(c, 0)->response, 4000);
    CU_ASSERT_EQUAL(at(c, 0)->daddr, htonl(0xcb00710a));
    CU_ASSERT_EQUAL(at(c, 0)->dport, htons(80));
    CU_ASSERT_EQUAL(at(c, 0)->requests, 2);
    CU_ASSERT_EQUAL(at(c, 1)->at, 1700000000 * SEC + 750 * MSEC + 1);
    CU_ASSERT_EQUAL(at(c, 1)->sport, 0);                 /* ephemeral */
    CU_ASSERT_EQUAL(at(c, 1)->proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(at(c, 1)->daddr, 0);                 /* the group's target */
    CU_ASSERT_EQUAL(g_array_index(lines, int, 1), 5);
    /* no header: the documented order; a time with its unit */
    g_array_set_size(c, 0);
    CU_ASSERT_TRUE(replay_read_csv("10ms,198.51.100.7,40001,tcp,300,4000\n", c, lines, &f));
    CU_ASSERT_EQUAL(at(c, 0)->at, 10 * MSEC);
    CU_ASSERT_EQUAL(at(c, 0)->requests, 1);
    CU_ASSERT_EQUAL(at(c, 0)->proto, IPPROTO_TCP);
    /* faults: line and column of the cell */
    static const struct { const char *text; int line, col; const char *want; } bad[] = {
        { "time,client,request,response\n1,198.51.100.7,300,x\n", 2, 20, "a size like" },
        { "time,client,request,response\n1,198.51.100.7,300\n", 2, 1, "expected 4 columns" },
        { "time,clinet,request,response\n", 1, 6, "unknown column 'clinet'" },
        { "time,client,request\n", 1, 1, "no column 'response'" },
        { "1,198.51.100.7,99999,tcp,1,1\n", 1, 16, "a port (0: an ephemeral one)" },
        { "1,198.51.100.7,1,icmp,1,1\n", 1, 18, "unknown protocol 'icmp'" },
        { "1,198.51.100.300,1,tcp,1,1\n", 1, 3, "the client's IPv4 address" },
        { "1,240.0.0.7,1,tcp,1,1\n", 1, 3, "240.0.0.7 is in 240.0.0.0/4, which is reserved" },
        { "1,198.51.100.7,1,tcp,1,1,[2001:db8::10]:80\n", 1, 26, "a replayed conversation is IPv4" },
        { "time,client,request,response\n1.0000000001,198.51.100.7,1,1\n", 2, 1,
          "more than 9 decimals" },
        { "1,198.51.100.7,1,tcp,1,1,203.0.113.10\n", 1, 26, "" },
        { "1,198.51.100.7,1,tcp,1,1,203.0.113.10:80,0\n", 1, 42, "requests of the conversation" },
        { "1,2,3\n", 1, 1, "expected a header or at least 6 columns" },
        { "# nothing\n\n", 1, 1, "holds no conversations" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_array_set_size(c, 0);
        bool ok = replay_read_csv(bad[i].text, c, lines, &f);
        CU_ASSERT_FALSE(ok);
        bool right = f.line == bad[i].line && f.col == bad[i].col && f.why[0] &&
                     strstr(f.why, bad[i].want);
        CU_ASSERT(right);
        if (!right)
            fprintf(stderr, "\n  case %zu: got %d:%d: %s\n", i, f.line, f.col, f.why);
    }
    g_array_free(c, TRUE);
    g_array_free(lines, TRUE);
}

/* ---- the pcap reader ---------------------------------------------------------------------- */

/* One frame: Ethernet (or none), IPv4, TCP or UDP, payload bytes cut at snap. */
static void frame(pcap_dumper_t *d, bool eth, int64_t t_us, const char *src, uint16_t sport,
                  const char *dst, uint16_t dport, uint8_t proto, uint8_t flags, uint32_t seq,
                  uint32_t len)
{
    uint8_t b[128] = { 0 };
    uint32_t o = eth ? 14 : 0;
    if (eth) {
        b[12] = 0x08;
    }
    uint32_t l4 = proto == IPPROTO_TCP ? 20 : 8;
    uint32_t tot = 20 + l4 + len;
    b[o] = 0x45;
    b[o + 2] = (uint8_t)(tot >> 8);
    b[o + 3] = (uint8_t)tot;
    b[o + 8] = 64;
    b[o + 9] = proto;
    inet_pton(AF_INET, src, b + o + 12);
    inet_pton(AF_INET, dst, b + o + 16);
    uint8_t *p = b + o + 20;
    p[0] = (uint8_t)(sport >> 8), p[1] = (uint8_t)sport;
    p[2] = (uint8_t)(dport >> 8), p[3] = (uint8_t)dport;
    if (proto == IPPROTO_TCP) {
        p[4] = (uint8_t)(seq >> 24), p[5] = (uint8_t)(seq >> 16);
        p[6] = (uint8_t)(seq >> 8), p[7] = (uint8_t)seq;
        p[12] = 5 << 4;
        p[13] = flags;
    } else {
        p[4] = (uint8_t)((8 + len) >> 8), p[5] = (uint8_t)(8 + len);
    }
    struct pcap_pkthdr h = { .ts = { .tv_sec = t_us / 1000000, .tv_usec = t_us % 1000000 },
                             .caplen = o + 20 + l4, .len = o + tot };
    pcap_dump((u_char *)d, &h, b);
}

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08
#define FIN 0x01

/* A pcap: a TCP connection with two requests (one of them retransmitted), a UDP
 * query and its answer, an ARP frame, a segment of a connection without its SYN. */
static char *write_pcap(const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(p, path);
    const char *c = "198.51.100.7", *v = "203.0.113.10";
    frame(d, true, 1000000, c, 40001, v, 80, IPPROTO_TCP, SYN, 1000, 0);
    frame(d, true, 1000100, c, 40001, v, 80, IPPROTO_TCP, SYN, 1000, 0);   /* again */
    frame(d, true, 1001000, v, 80, c, 40001, IPPROTO_TCP, SYN | ACK, 5000, 0);
    frame(d, true, 1002000, c, 40001, v, 80, IPPROTO_TCP, ACK | PSH, 1001, 300);
    frame(d, true, 1002500, c, 40001, v, 80, IPPROTO_TCP, ACK | PSH, 1001, 300); /* again */
    frame(d, true, 1003000, v, 80, c, 40001, IPPROTO_TCP, ACK, 5001, 1448);
    frame(d, true, 1003100, v, 80, c, 40001, IPPROTO_TCP, ACK | PSH, 6449, 552);
    frame(d, true, 1004000, c, 40001, v, 80, IPPROTO_TCP, ACK | PSH, 1301, 200);
    frame(d, true, 1005000, v, 80, c, 40001, IPPROTO_TCP, ACK | PSH, 7001, 100);
    frame(d, true, 1006000, c, 40001, v, 80, IPPROTO_TCP, ACK | FIN, 1501, 0);
    frame(d, true, 1500000, "198.51.100.9", 5353, v, 53, IPPROTO_UDP, 0, 0, 40);
    frame(d, true, 1501000, v, 53, "198.51.100.9", 5353, IPPROTO_UDP, 0, 0, 200);
    frame(d, true, 1600000, "198.51.100.9", 5353, v, 53, IPPROTO_UDP, 0, 0, 41);  /* next */
    frame(d, true, 1700000, "198.51.100.9", 40002, v, 80, IPPROTO_TCP, ACK, 77, 10); /* no SYN */
    uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
    struct pcap_pkthdr h = { .ts = { .tv_sec = 2 }, .caplen = 42, .len = 42 };
    pcap_dump((u_char *)d, &h, arp);
    pcap_dump_close(d);
    pcap_close(p);
    return path;
}

static void test_pcap(void)
{
    char *path = write_pcap("r.pcap");
    GArray *c = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    struct replay_pcap_stats st;
    struct replay_fault f;
    CU_ASSERT_TRUE_FATAL(replay_read_pcap(fopen(path, "rb"), c, pk, &st, &f));
    CU_ASSERT_EQUAL_FATAL(c->len, 3);
    CU_ASSERT_EQUAL(at(c, 0)->at, 1 * SEC);
    CU_ASSERT_EQUAL(at(c, 0)->saddr, htonl(0xc6336407));
    CU_ASSERT_EQUAL(at(c, 0)->sport, htons(40001));
    CU_ASSERT_EQUAL(at(c, 0)->daddr, htonl(0xcb00710a));
    CU_ASSERT_EQUAL(at(c, 0)->dport, htons(80));
    CU_ASSERT_EQUAL(at(c, 0)->proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(at(c, 0)->request, 500);             /* 300 once, then 200 */
    CU_ASSERT_EQUAL(at(c, 0)->response, 2100);
    CU_ASSERT_EQUAL(at(c, 0)->requests, 2);
    CU_ASSERT_EQUAL(g_array_index(pk, uint64_t, 0), 1);
    CU_ASSERT_EQUAL(at(c, 1)->proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(at(c, 1)->request, 40);
    CU_ASSERT_EQUAL(at(c, 1)->response, 200);
    CU_ASSERT_EQUAL(at(c, 2)->request, 41);              /* a query after an answer: anew */
    CU_ASSERT_EQUAL(at(c, 2)->response, 0);
    CU_ASSERT_EQUAL(g_array_index(pk, uint64_t, 2), 13);
    CU_ASSERT_EQUAL(st.packets, 15);
    CU_ASSERT_EQUAL(st.not_ipv4, 1);
    CU_ASSERT_EQUAL(st.no_syn, 1);

    /* cut inside its last record: the packet and the offset it starts at */
    gchar *text;
    gsize len;
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(path, &text, &len, NULL));
    char *cut = g_build_filename(dir, "cut.pcap", NULL);
    g_file_set_contents(cut, text, (gssize)len - 10, NULL);
    g_array_set_size(c, 0);
    g_array_set_size(pk, 0);
    CU_ASSERT_FALSE(replay_read_pcap(fopen(cut, "rb"), c, pk, &st, &f));
    CU_ASSERT_EQUAL(f.packet, 15);
    CU_ASSERT_EQUAL(f.offset, (long)len - 16 - 42);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.why, "truncated"));
    /* a header only: nothing to replay */
    g_file_set_contents(cut, text, 24, NULL);
    g_array_set_size(c, 0);
    g_array_set_size(pk, 0);
    CU_ASSERT_FALSE(replay_read_pcap(fopen(cut, "rb"), c, pk, &st, &f));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.why, "holds no TCP connection"));
    g_free(text);
    /* a link type it does not read */
    char *wifi = g_build_filename(dir, "wifi.pcap", NULL);
    pcap_t *p = pcap_open_dead(DLT_IEEE802_11, 65535);
    pcap_dump_close(pcap_dump_open(p, wifi));
    pcap_close(p);
    CU_ASSERT_FALSE(replay_read_pcap(fopen(wifi, "rb"), c, pk, &st, &f));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.why, "link type 105"));
    /* a record's time fields are signed: a negative nanosecond count is refused (found by
     * the replay_pcap fuzz target: it gave a conversation a negative time) */
    static const uint8_t neg[] = {
        0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
        0, 0, 0, 0, 0x3e, 0x2b, 0xf9, 0xa0, 14, 0, 0, 0, 14, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06,
    };
    FILE *fp = fmemopen((void *)neg, sizeof neg, "rb");
    CU_ASSERT_FALSE(replay_read_pcap(fp, c, pk, &st, &f));
    CU_ASSERT_EQUAL(f.packet, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.why, "a time out of range (0 s and -1594283202 ns)"));
    CU_ASSERT_TRUE(replay_is_pcap("\xd4\xc3\xb2\xa1", 4));
    CU_ASSERT_FALSE(replay_is_pcap("time", 4));
    g_free(wifi);
    g_free(cut);
    g_free(path);
    g_array_free(c, TRUE);
    g_array_free(pk, TRUE);
}

/* ---- the group's keys ----------------------------------------------------------------------- */

static struct scenario *load(const char *client, struct scn_error *err)
{
    char *text = g_strdup_printf(
        "{ \"duration\": \"10s\",\n"
        "  \"servers\": [ { \"ip\": \"192.0.2.11\" } ],\n"
        "  \"clients\": [ { %s } ],\n"
        "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\", \"-A -u 203.0.113.10:53 -s rr\" ] }\n",
        client);
    char *p = put("s.json", text);
    memset(err, 0, sizeof *err);
    struct scenario *s = scenario_load(p, NULL, err);
    g_free(p);
    g_free(text);
    return s;
}

static const struct scn_client *group(const struct scenario *s)
{
    return &g_array_index(s->clients, struct scn_client, 0);
}

static void test_group(void)
{
    struct scn_error err;
    g_free(put("r.csv", "time,client,port,protocol,request,response,destination\n"
                        "100.5,198.51.100.7,40001,tcp,300,0,203.0.113.10:80\n"
                        "101,198.51.100.9,0,udp,40,200,203.0.113.10:53\n"
                        "102.5,198.51.100.7,40001,,300,4000,203.0.113.10:80\n"
                        "200,198.51.100.7,40002,tcp,1,1,203.0.113.10:80\n"));
    struct scenario *s = load("\"replay\": \"r.csv\", \"start\": \"1s\"", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct scn_client *cl = group(s);
    CU_ASSERT_EQUAL_FATAL(cl->script->len, 3);           /* the last one after the run */
    CU_ASSERT_EQUAL(at(cl->script, 0)->at, 1 * SEC);
    CU_ASSERT_EQUAL(at(cl->script, 1)->at, 1500 * MSEC);
    CU_ASSERT_EQUAL(at(cl->script, 2)->at, 3 * SEC);
    CU_ASSERT_EQUAL(at(cl->script, 0)->response, 1);     /* a TCP one: at least a byte */
    CU_ASSERT_EQUAL(at(cl->script, 2)->proto, IPPROTO_TCP);   /* the group's */
    CU_ASSERT_EQUAL(cl->target_ip, htonl(0xcb00710a));   /* the first destination */
    CU_ASSERT_EQUAL(cl->target_port, 80);
    CU_ASSERT_EQUAL(cl->net, htonl(0xc6336400));         /* 198.51.100.0/28 holds .7 to .9 */
    CU_ASSERT_EQUAL(cl->prefix, 28);
    CU_ASSERT_FALSE(cl->loop);
    CU_ASSERT_EQUAL(s->warnings->len, 2);                /* ends before; one after the run */
    scenario_free(s);
    /* a target replaces every destination; loop repeats every span + mean gap */
    s = load("\"replay\": \"r.csv\", \"target\": \"203.0.113.10:80\", \"loop\": true, "
             "\"stop\": \"9s\"", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    cl = group(s);
    CU_ASSERT_EQUAL(at(cl->script, 1)->daddr, 0);
    CU_ASSERT_EQUAL(cl->loop_period, 2 * SEC + 1 * SEC);
    CU_ASSERT_EQUAL(s->warnings->len, 1);                /* only the one after the run */
    scenario_free(s);

    static const struct { const char *client; const char *want; } bad[] = {
        { "\"replay\": \"r.csv\", \"arrival\": \"poisson(1/s)\"", "'arrival' does not go with 'replay'" },
        { "\"replay\": \"r.csv\", \"requests_per_conn\": 2", "'requests_per_conn' does not go with" },
        { "\"replay\": \"r.csv\", \"net\": \"198.51.101.0/24\"", "outside the group's net" },
        { "\"replay\": \"none.csv\"", "cannot read the replay file" },
        { "\"replay\": 5", "expected the name of a pcap or CSV file" },
        { "\"target\": \"203.0.113.10:80\", \"loop\": true", "'loop' repeats a 'replay' or an 'arrival' trace" },
        { "\"net\": \"198.51.100.0/24\"", "missing key 'target'" },
        { "\"target\": \"203.0.113.10:80\", \"script\": [ { \"at\": \"1s\", \"src\": "
          "\"10.1.0.7:4000\", \"request\": 1, \"response\": 1 } ], \"loop\": true",
          "'loop' repeats a 'replay' or an 'arrival' trace" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        s = load(bad[i].client, &err);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        bool has = strstr(err.msg, bad[i].want) != NULL;
        CU_ASSERT(has);
        if (!has)
            fprintf(stderr, "\n  case %zu: got %s\n  want ...%s\n", i, err.msg, bad[i].want);
    }
    /* two conversations from one address at one time: each port 0 is a fresh port */
    g_free(put("r.csv", "1,198.51.100.7,0,tcp,1,1\n1,198.51.100.7,0,tcp,1,1\n"));
    s = load("\"replay\": \"r.csv\", \"target\": \"203.0.113.10:80\"", &err);
    CU_ASSERT_PTR_NOT_NULL(s);
    scenario_free(s);
    /* a capture on loopback: its addresses cannot be replayed between two hosts */
    g_free(put("r.csv", "time,client,request,response\n1,127.0.0.1,1,1\n"));
    s = load("\"replay\": \"r.csv\", \"target\": \"203.0.113.10:80\"", &err);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "r.csv:2:1: the client 127.0.0.1 is a loopback address"));
    /* a fault in the file: the scenario's place, then the file's line and column */
    g_free(put("r.csv", "time,client,request,response\n1,198.51.100.7,300B,4QB\n"));
    s = load("\"replay\": \"r.csv\", \"target\": \"203.0.113.10:80\"", &err);
    CU_ASSERT_PTR_NULL_FATAL(s);
    CU_ASSERT_EQUAL(err.pos.line, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "r.csv:2:21: "));
    /* a pcap's fault names the packet */
    char *pc = write_pcap("r.pcap");
    s = load("\"replay\": \"r.pcap\", \"net\": \"198.51.100.0/29\"", &err);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "r.pcap: the conversation of packet 1: 198.51.100.7 "
                                           "is not a host address of the group's net"));
    s = load("\"replay\": \"r.pcap\"", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(group(s)->script->len, 3);
    CU_ASSERT_EQUAL(s->warnings->len, 2);                /* ends before; packets skipped */
    scenario_free(s);
    g_free(pc);
}

IPVSIM_SUITE(replay)
{
    CU_pSuite s = CU_add_suite("replay", init, clean);
    ADD_TEST(s, test_csv);
    ADD_TEST(s, test_pcap);
    ADD_TEST(s, test_group);
}
