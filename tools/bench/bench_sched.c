/* Schedulers section: picks per second of each of the 14 schedulers with 10, 100
 * and 1000 dests.
 *
 * For each scheduler and size: a world with one host (the director), its IPVS
 * state, one fwmark service (fwmark 1, as a cache cluster would use for dh, lblc and
 * lblcr) with the scheduler bound, and N NAT dests added through the control plane
 * (ip_vs_add_dest, as `ipvsadm -a` does) with weights 1..5 in turn. Before the
 * clock starts, one TCP SYN per client is built (4096 clients: distinct source
 * addresses and ports, destination addresses over 256 addresses of 10.1.0.0/24), with
 * its struct ip_vs_iphdr, so the timed loop allocates nothing and the hashing
 * schedulers see different keys (sh and mh hash the source, dh, lblc and lblcr the
 * destination).
 *
 * The timed loop calls svc->scheduler->schedule() for client after client, and
 * keeps every chosen dest as one active connection in a ring of N connections:
 * ip_vs_dest_bind_conn on the new pick, ip_vs_dest_unbind_conn on the pick made N
 * picks earlier. So the least-connection schedulers (lc, wlc, sed, nq, ovf, lblc,
 * lblcr, twos) see their counters change at every pick, as on a director with a
 * steady N connections; the two counter updates are part of the time. No
 * connection entry is created (no ip_vs_conn_new, no connection table).
 *
 * Timing: an untimed warm-up (fills lblc/lblcr caches, the ring), then a short run
 * to size the measurement, then best of REPEATS runs of about TARGET_NS each. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/pkt.h"
#include "sim/world.h"
#include "tools/bench/bench.h"

int bench_schedulers(cJSON *out);

#define N_CLIENTS    4096        /* power of two: the loop masks the index */
#define N_VADDRS     256
#define WARMUP_PICKS 20000
#define TARGET_NS    60000000ULL /* one timed run */
#define REPEATS      3           /* best of */
#define SEED         0x5c4ed0b3e9c1ULL

static const int dest_counts[] = { 10, 100, 1000 };
#define N_SIZES (sizeof dest_counts / sizeof dest_counts[0])

struct bench_svc {
    struct world w;
    struct net *net;
    struct ip_vs_service *svc;
    struct sk_buff *skbs[N_CLIENTS];
    struct ip_vs_iphdr iphs[N_CLIENTS];
    struct ip_vs_dest **ring;       /* the held connections, N of them */
    size_t ring_len, ring_pos;
    unsigned conn_flags;            /* an active NAT connection */
    uint64_t null_picks;
    uint64_t checksum;
};

static void die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(1);
}

static void bsvc_setup(struct bench_svc *b, const char *sched, int ndests)
{
    memset(b, 0, sizeof *b);
    world_init(&b->w, 1);
    struct host *h = host_new(&b->w, "director");
    b->net = net_new(h, NULL);
    struct netns_ipvs *ipvs = ip_vs_net(b->net);
    struct ip_vs_service_user su = { .fwmark = 1, .netmask = 0xffffffffu };
    snprintf(su.sched_name, sizeof su.sched_name, "%s", sched);
    if (ip_vs_add_service(ipvs, &su, &b->svc) != 0 || !b->svc->scheduler)
        die("cannot create the service");
    for (int i = 0; i < ndests; i++) {
        /* 10.0.0.1 .. : 10.0.(i / 250).(i % 250 + 1) */
        struct ip_vs_dest_user du = {
            .addr = htonl(0x0a000000u | (uint32_t)(i / 250) << 8 | (uint32_t)(i % 250 + 1)),
            .port = htons(80),
            .conn_flags = IP_VS_CONN_F_MASQ,
            .weight = 1 + i % 5,
        };
        if (ip_vs_add_dest(b->svc, &du) != 0)
            die("cannot add a dest");
    }
    b->conn_flags = IP_VS_CONN_F_MASQ;

    /* The clients: 172.16.0.0/12 sources spread by a fixed generator, ports 1024 on. */
    struct skb_pool *pool = net_pool(b->net);
    struct bench_rng r = { SEED };
    for (size_t c = 0; c < N_CLIENTS; c++) {
        uint64_t x = bench_rng_next(&r);
        struct ip4_spec ip = {
            .saddr = htonl(0xac100000u | (uint32_t)(x & 0xfffffu)),
            .daddr = htonl(0x0a010000u | (uint32_t)(c % N_VADDRS)),
            .df = true,
        };
        struct tcp_spec t = {
            .sport = htons((uint16_t)(1024 + (x >> 20) % 64000)), .dport = htons(80), .seq = 1,
            .flags = TCPH_SYN, .window = 64240, .mss = 1460,
        };
        struct sk_buff *skb = skb_alloc(pool, 0);
        if (!skb || !pkt_build_tcp(skb, &ip, &t, 0))
            die("cannot build a SYN");
        b->skbs[c] = skb;
        const struct iphdr *iph4 = (const struct iphdr *)skb->data;
        b->iphs[c].len = ip_hdrlen(iph4);
        b->iphs[c].protocol = iph4->protocol;
        b->iphs[c].saddr = iph4->saddr;
        b->iphs[c].daddr = iph4->daddr;
    }
    b->ring_len = (size_t)ndests;
    b->ring = calloc(b->ring_len, sizeof *b->ring);
    if (!b->ring)
        die("out of memory");
}

static void bsvc_teardown(struct bench_svc *b)
{
    for (size_t i = 0; i < b->ring_len; i++)
        if (b->ring[i])
            ip_vs_dest_unbind_conn(b->ring[i], b->conn_flags);
    free(b->ring);
    struct skb_pool *pool = net_pool(b->net);
    for (size_t c = 0; c < N_CLIENTS; c++)
        skb_free(pool, b->skbs[c]);
    world_destroy(&b->w);
}

/* n picks from client index *next on; returns the elapsed ns. */
static uint64_t picks(struct bench_svc *b, uint64_t n, uint64_t *next)
{
    struct ip_vs_service *svc = b->svc;
    struct ip_vs_dest *(*schedule)(struct ip_vs_service *, const struct sk_buff *,
                                   const struct ip_vs_iphdr *) = svc->scheduler->schedule;
    struct ip_vs_dest **ring = b->ring;
    size_t pos = b->ring_pos, len = b->ring_len;
    uint64_t c = *next, sum = b->checksum, nulls = 0;
    unsigned flags = b->conn_flags;
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < n; i++, c++) {
        size_t k = (size_t)(c & (N_CLIENTS - 1));
        struct ip_vs_dest *d = schedule(svc, b->skbs[k], &b->iphs[k]);
        if (!d) {
            nulls++;
            continue;
        }
        sum = (sum ^ d->addr) * 0x100000001b3ULL;
        if (ring[pos])
            ip_vs_dest_unbind_conn(ring[pos], flags);
        ip_vs_dest_bind_conn(d, flags);
        ring[pos] = d;
        pos = pos + 1 == len ? 0 : pos + 1;
    }
    uint64_t ns = bench_now_ns() - t0;
    b->ring_pos = pos;
    b->checksum = sum;
    b->null_picks += nulls;
    *next = c;
    return ns;
}

struct cell {
    double picks_per_s;
    uint64_t picks;                 /* per timed run */
    uint64_t null_picks;
    uint64_t checksum;
};

static struct cell run_cell(const char *sched, int ndests)
{
    struct bench_svc *b = malloc(sizeof *b);
    if (!b)
        die("out of memory");
    bsvc_setup(b, sched, ndests);
    uint64_t next = 0;
    picks(b, WARMUP_PICKS, &next);
    /* Size the runs from a short one. */
    uint64_t probe = 20000;
    uint64_t ns = picks(b, probe, &next);
    uint64_t n = ns ? probe * TARGET_NS / ns : probe * 100;
    n = n < 10000 ? 10000 : n;
    uint64_t best = UINT64_MAX;
    for (int rep = 0; rep < REPEATS; rep++) {
        ns = picks(b, n, &next);
        best = ns < best ? ns : best;
    }
    struct cell c = {
        .picks_per_s = best ? (double)n * 1e9 / (double)best : 0.0,
        .picks = n,
        .null_picks = b->null_picks,
        .checksum = b->checksum,
    };
    bsvc_teardown(b);
    free(b);
    return c;
}

int bench_schedulers(cJSON *out)
{
    printf("Schedulers: svc->scheduler->schedule() per second, fwmark service, NAT dests with\n"
           "weights 1..5, %d prebuilt TCP SYNs from distinct clients (sources vary; %d\n"
           "destination addresses). Each pick is held as one active connection in a ring of N\n"
           "(bind the new pick, unbind the one N picks back: counters change at every pick;\n"
           "both updates are timed); no connection entry is created. Best of %d runs of ~%.0f ms.\n\n",
           N_CLIENTS, N_VADDRS, REPEATS, TARGET_NS / 1e6);
    printf("%-8s", "sched");
    for (size_t j = 0; j < N_SIZES; j++)
        printf(" %10d dests", dest_counts[j]);
    printf("   (million picks/s)\n");

    cJSON_AddStringToObject(out, "mode", "schedule() + ip_vs_dest_bind_conn of the pick + "
                                         "ip_vs_dest_unbind_conn of the pick N earlier (a ring of "
                                         "N held active connections); no connection entries");
    cJSON_AddStringToObject(out, "service", "fwmark 1, NAT dests, weights 1..5 in turn, added "
                                            "with ip_vs_add_dest after the scheduler is bound");
    cJSON_AddNumberToObject(out, "clients", N_CLIENTS);
    cJSON_AddNumberToObject(out, "destination_addresses", N_VADDRS);
    cJSON_AddNumberToObject(out, "repeats_best_of", REPEATS);
    cJSON *dests = cJSON_AddArrayToObject(out, "dests");
    for (size_t j = 0; j < N_SIZES; j++)
        cJSON_AddItemToArray(dests, cJSON_CreateNumber(dest_counts[j]));
    cJSON *table = cJSON_AddObjectToObject(out, "picks_per_s");
    cJSON *rows = cJSON_AddArrayToObject(out, "rows");

    bool ok = true;
    for (const char *const *name = ip_vs_scheduler_names(); *name; name++) {
        printf("%-8s", *name);
        fflush(stdout);
        cJSON *per = cJSON_AddObjectToObject(table, *name);
        for (size_t j = 0; j < N_SIZES; j++) {
            struct cell c = run_cell(*name, dest_counts[j]);
            printf(" %16.2f", c.picks_per_s / 1e6);
            fflush(stdout);
            char key[16], hex[32];
            snprintf(key, sizeof key, "%d", dest_counts[j]);
            snprintf(hex, sizeof hex, "%016" PRIx64, c.checksum);
            cJSON_AddNumberToObject(per, key, c.picks_per_s);
            cJSON *row = cJSON_CreateObject();
            cJSON_AddStringToObject(row, "scheduler", *name);
            cJSON_AddNumberToObject(row, "dests", dest_counts[j]);
            cJSON_AddNumberToObject(row, "picks_per_s", c.picks_per_s);
            cJSON_AddNumberToObject(row, "ns_per_pick", c.picks_per_s > 0 ? 1e9 / c.picks_per_s : 0);
            cJSON_AddNumberToObject(row, "picks_per_run", (double)c.picks);
            cJSON_AddNumberToObject(row, "null_picks", (double)c.null_picks);
            cJSON_AddStringToObject(row, "checksum", hex);
            cJSON_AddItemToArray(rows, row);
            /* Every scheduler must find a dest: weights are non-zero, no thresholds,
             * and the ring holds fewer connections than ovf's total weight. */
            if (c.null_picks) {
                ok = false;
                printf(" (%" PRIu64 " picks found no dest!)", c.null_picks);
            }
        }
        printf("\n");
    }
    printf("\n");
    return ok ? 0 : 1;
}
