/* The IPVS connection synchronisation daemons (ip_vs_sync.c): the master's sending
 * side (which connections, into which message, when a message leaves) and the
 * backup's receiving side (creating or updating connections). See ip_vs_sync.h. */
#include "model/ipvs/ip_vs_sync.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipv4/route.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/ipv4/sock.h"
#include "sim/csum.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define UDP_HLEN 8u
#define IP_HLEN 20u
#define MC_MAX_FRAME (ETH_HLEN + IP_HLEN + UDP_HLEN)  /* headers around a message */

/* One message being filled or waiting to be sent (struct ip_vs_sync_buff). */
struct ip_vs_sync_buff {
    struct ip_vs_sync_buff *next;
    unsigned long firstuse;             /* jiffies */
    uint32_t head, end;                 /* write offset, capacity */
    bool v0;
    uint8_t mesg[] __attribute__((aligned(8)));
};

struct ip_vs_sync {
    struct netns_ipvs *ipvs;
    struct ip_vs_sync_daemon_cfg mcfg, bcfg;
    /* master */
    struct ip_vs_sync_buff *sync_buff;  /* the current one */
    struct ip_vs_sync_buff *q_head, *q_tail;
    int queue_len, queue_delay;
    int qlen_max;
    sim_event_id thread_timer;          /* the master thread's next run */
    sim_time_t thread_at;
    sim_event_id wakeup_work;           /* master_wakeup_work */
    struct net_device *mdev;
    be32 msaddr;                        /* the sending socket's address and port */
    be16 msport;
    struct rtable mc_rt;
    /* backup */
    struct net_device *bdev;
    bool bound;                         /* UDP port bound (the model cannot unbind) */
    bool joined;                        /* the group made local (the model cannot leave) */
    struct ip_vs_sync_stats stats;
};

static const struct ip_vs_sync_stats no_stats;

/* ---- small helpers ------------------------------------------------------------------ */

static bool era_old(const struct netns_ipvs *ipvs)
{
    return ipvs->net->prof->ipvs == IPVS_ERA_OLD;
}

static unsigned long jiffies_of(const struct netns_ipvs *ipvs)
{
    return (unsigned long)(ip_vs_now(ipvs) / IP_VS_JIFFY);
}

static unsigned long timeout_jiffies(const struct ip_vs_conn *cp)
{
    return cp->timeout > 0 ? (unsigned long)(cp->timeout / IP_VS_JIFFY) : 0;
}

static int sync_threshold(const struct netns_ipvs *ipvs)
{
    return ipvs->sysctl.sync_threshold[0];
}

static int sync_period(const struct netns_ipvs *ipvs)
{
    return ipvs->sysctl.sync_threshold[1];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct ip_vs_sync *sync_of(struct netns_ipvs *ipvs)
{
    if (!ipvs->sync) {
        ipvs->sync = g_new0(struct ip_vs_sync, 1);
        ipvs->sync->ipvs = ipvs;
        ipvs->sync->qlen_max = IP_VS_SYNC_QLEN_MAX_DEFAULT;
    }
    return ipvs->sync;
}

static struct host *host_of(const struct netns_ipvs *ipvs)
{
    return ipvs->net->host;
}

static void cancel_event(struct netns_ipvs *ipvs, sim_event_id *id)
{
    if (*id)
        sim_cancel(host_sim(host_of(ipvs)), *id);
    *id = 0;
}

const struct ip_vs_sync_stats *ip_vs_sync_stats(const struct netns_ipvs *ipvs)
{
    return ipvs && ipvs->sync ? &ipvs->sync->stats : &no_stats;
}

unsigned ip_vs_sync_pending(const struct netns_ipvs *ipvs)
{
    if (!ipvs || !ipvs->sync)
        return 0;
    return (unsigned)ipvs->sync->queue_len + (ipvs->sync->sync_buff ? 1u : 0u);
}

bool ip_vs_sync_backup_only(const struct netns_ipvs *ipvs)
{
    return ipvs->sysctl.backup_only && (ipvs->sync_state & IP_VS_STATE_BACKUP);
}

/* ---- the master: buffers and the queue ---------------------------------------------- */

static struct ip_vs_sync_buff *sb_create(struct ip_vs_sync *s, unsigned len, bool v0)
{
    struct netns_ipvs *ipvs = s->ipvs;
    unsigned hlen = v0 ? IP_VS_SYNC_MESG_V0_HLEN : IP_VS_SYNC_MESG_HLEN;
    unsigned cap = len + hlen > s->mcfg.sync_maxlen ? len + hlen : s->mcfg.sync_maxlen;
    struct ip_vs_sync_buff *sb = g_malloc0(sizeof *sb + cap);
    sb->v0 = v0;
    sb->end = cap;
    sb->head = hlen;
    sb->firstuse = jiffies_of(ipvs);
    uint8_t *m = sb->mesg;
    if (v0) {
        m[0] = 0;                       /* nr_conns */
        m[1] = s->mcfg.syncid;
    } else {
        m[0] = 0;                       /* reserved: a version 0 receiver sees no conns */
        m[1] = s->mcfg.syncid;
        m[4] = 0;                       /* nr_conns */
        m[5] = IP_VS_SYNC_PROTO_VER;
    }
    put16(m + 2, (uint16_t)hlen);
    return sb;
}

static void sb_release(struct ip_vs_sync_buff *sb)
{
    g_free(sb);
}

static void master_thread(struct sim *sim, void *obj, uint64_t arg);

/* wake_up_process on the master thread: run it now unless it runs now anyway. */
static void wake_master(struct ip_vs_sync *s)
{
    struct netns_ipvs *ipvs = s->ipvs;
    sim_time_t now = ip_vs_now(ipvs);
    if (s->thread_timer && s->thread_at <= now)
        return;
    cancel_event(ipvs, &s->thread_timer);
    s->thread_at = now;
    s->thread_timer = host_timer(host_of(ipvs), now, master_thread, s, 0);
}

/* master_wakeup_work_handler */
static void master_wakeup_work(struct sim *sim, void *obj, uint64_t arg)
{
    struct ip_vs_sync *s = obj;
    s->wakeup_work = 0;
    if (s->queue_len && s->queue_delay < IPVS_SYNC_WAKEUP_RATE) {
        s->queue_delay = IPVS_SYNC_WAKEUP_RATE;
        wake_master(s);
    }
}

/* sb_queue_tail: the current buffer goes to the queue (or is lost when the queue is
 * full or the master stopped). */
static void sb_queue_tail(struct ip_vs_sync *s)
{
    struct netns_ipvs *ipvs = s->ipvs;
    struct ip_vs_sync_buff *sb = s->sync_buff;
    s->sync_buff = NULL;
    if (!(ipvs->sync_state & IP_VS_STATE_MASTER) || s->queue_len >= s->qlen_max) {
        s->stats.msgs_dropped++;
        sb_release(sb);
        return;
    }
    if (!era_old(ipvs) && !s->queue_len && !s->wakeup_work) {
        sim_time_t delay = (IPVS_SYNC_SEND_DELAY > 1 ? IPVS_SYNC_SEND_DELAY : 1) * IP_VS_JIFFY;
        s->wakeup_work = host_timer(host_of(ipvs), ip_vs_now(ipvs) + delay, master_wakeup_work, s, 0);
    }
    s->queue_len++;
    sb->next = NULL;
    if (s->q_tail)
        s->q_tail->next = sb;
    else
        s->q_head = sb;
    s->q_tail = sb;
    if (!era_old(ipvs) && ++s->queue_delay == IPVS_SYNC_WAKEUP_RATE)
        wake_master(s);
}

static struct ip_vs_sync_buff *sb_dequeue(struct ip_vs_sync *s)
{
    struct ip_vs_sync_buff *sb = s->q_head;
    if (!sb)
        return NULL;
    s->q_head = sb->next;
    if (!s->q_head)
        s->q_tail = NULL;
    if (!--s->queue_len)
        s->queue_delay = 0;
    return sb;
}

/* get_curr_sync_buff: the current buffer when it is old enough (time 0: always).
 * 2.6.34 tested time_before(jiffies - firstuse, time): younger than time. */
static struct ip_vs_sync_buff *get_curr_sync_buff(struct ip_vs_sync *s, unsigned long time)
{
    struct ip_vs_sync_buff *sb = s->sync_buff;
    if (!sb)
        return NULL;
    long age = (long)(jiffies_of(s->ipvs) - sb->firstuse);
    bool take = era_old(s->ipvs) ? time == 0 || age < (long)time : age >= (long)time;
    if (!take)
        return NULL;
    s->sync_buff = NULL;
    return sb;
}

/* ip_vs_send_sync_msg: the message as a UDP datagram from the mcast interface's
 * address to the group, through the host's output path. */
static void send_sync_msg(struct ip_vs_sync *s, const struct ip_vs_sync_buff *sb)
{
    struct netns_ipvs *ipvs = s->ipvs;
    struct net *net = ipvs->net;
    uint32_t msize = get16(sb->mesg + 2);
    uint32_t real = IP_HLEN + UDP_HLEN + msize;
    struct skb_pool *pool = net_pool(net);
    struct sk_buff *skb = real + ETH_HLEN + SKB_HEADROOM <= SKB_BUF_SIZE
                              ? skb_alloc(pool, net_now(net)) : skb_alloc_big(pool, net_now(net));
    if (!skb || skb_tailroom(skb) < real) {
        skb_free(pool, skb);
        s->stats.msgs_dropped++;
        return;
    }
    uint8_t *p = skb_put(skb, real);
    memset(p, 0, IP_HLEN + UDP_HLEN);
    memcpy(p + IP_HLEN + UDP_HLEN, sb->mesg, msize);
    struct iphdr *iph = (struct iphdr *)p;
    iph->ihl_version = 0x45;
    iph->tot_len = htons((uint16_t)real);
    iph->id = htons(net->ip_id++);
    iph->frag_off = 0;                  /* IP_PMTUDISC_DONT: fragments allowed */
    iph->ttl = s->mcfg.mcast_ttl;
    iph->protocol = IPPROTO_UDP;
    iph->saddr = s->msaddr;
    iph->daddr = s->mcfg.mcast_group;
    ip_send_check(iph);
    struct udphdr *uh = (struct udphdr *)(p + IP_HLEN);
    uh->source = s->msport;
    uh->dest = htons(s->mcfg.mcast_port);
    uh->len = htons((uint16_t)(UDP_HLEN + msize));
    wsum sum = csum_partial(uh, UDP_HLEN + msize, 0);
    sum16 c = csum_tcpudp_magic(iph->saddr, iph->daddr, UDP_HLEN + msize, IPPROTO_UDP, sum);
    uh->check = c ? c : CSUM_MANGLED_0;
    skb_reset_network_header(skb);
    skb->transport_header = (uint16_t)(skb->network_header + IP_HLEN);
    skb->protocol = ETH_P_IP;
    skb->dst = &s->mc_rt;
    unsigned nconns = sb->v0 ? sb->mesg[0] : sb->mesg[4];
    s->stats.msgs_sent++;
    s->stats.conns_sent += nconns;
    s->stats.bytes_sent += msize;
    s->stats.wire_bytes_sent += ETH_HLEN + real;
    trace_notef(net, skb, "ip_vs_send_sync_msg", "sync message v%d: %u conns, %u bytes",
                sb->v0 ? 0 : 1, nconns, msize);
    ip_local_out(net, skb);
}

/* The master thread's loop body: send what is queued, then the current buffer if it
 * waited long enough, then sleep IPVS_SYNC_CHECK_PERIOD. */
static void master_thread(struct sim *sim, void *obj, uint64_t arg)
{
    struct ip_vs_sync *s = obj;
    struct netns_ipvs *ipvs = s->ipvs;
    s->thread_timer = 0;
    if (!(ipvs->sync_state & IP_VS_STATE_MASTER))
        return;
    struct ip_vs_sync_buff *sb;
    if (era_old(ipvs)) {
        while ((sb = sb_dequeue(s))) {
            send_sync_msg(s, sb);
            sb_release(sb);
        }
        if ((sb = get_curr_sync_buff(s, IPVS_SYNC_FLUSH_TIME))) {
            send_sync_msg(s, sb);
            sb_release(sb);
        }
    } else {
        /* next_sync_buff: the queue first, then a current buffer 2 s old */
        while ((sb = sb_dequeue(s)) || (sb = get_curr_sync_buff(s, IPVS_SYNC_FLUSH_TIME))) {
            send_sync_msg(s, sb);
            sb_release(sb);
        }
    }
    s->thread_at = ip_vs_now(ipvs) + IPVS_SYNC_CHECK_PERIOD * IP_VS_JIFFY;
    s->thread_timer = host_timer(host_of(ipvs), s->thread_at, master_thread, s, 0);
}

/* ---- the master: which connections ----------------------------------------------------- */

static bool in_persistence(const struct ip_vs_conn *cp)
{
    for (cp = cp->control; cp; cp = cp->control)
        if (cp->flags & IP_VS_CONN_F_TEMPLATE)
            return true;
    return false;
}

bool ip_vs_sync_conn_needed(struct netns_ipvs *ipvs, struct ip_vs_conn *cp, int pkts)
{
    unsigned long orig = cp->sync_endtime;
    unsigned long now = jiffies_of(ipvs);
    unsigned long tmo = timeout_jiffies(cp);
    unsigned long n = (now + tmo) & ~3UL;
    long refresh = (long)ipvs->sysctl.sync_refresh_period * IP_VS_HZ;
    const int sync_retries = 0;         /* DEFAULT_SYNC_RETRIES: not a model sysctl */
    const int persist_mode = 0;         /* sync_persist_mode: not a model sysctl */
    bool force;

    if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
        force = false;
    } else if (persist_mode && in_persistence(cp)) {
        return false;
    } else if (cp->protocol == IPPROTO_TCP) {
        unsigned mask = 1u << IP_VS_TCP_S_ESTABLISHED | 1u << IP_VS_TCP_S_FIN_WAIT |
                        1u << IP_VS_TCP_S_CLOSE | 1u << IP_VS_TCP_S_CLOSE_WAIT |
                        1u << IP_VS_TCP_S_TIME_WAIT;
        if (!((1u << cp->state) & mask))
            return false;
        force = cp->state != cp->old_state;
        if (force && cp->state != IP_VS_TCP_S_ESTABLISHED)
            goto set;
    } else if (cp->protocol == IPPROTO_SCTP) {
        unsigned mask = 1u << IP_VS_SCTP_S_ESTABLISHED | 1u << IP_VS_SCTP_S_SHUTDOWN_SENT |
                        1u << IP_VS_SCTP_S_SHUTDOWN_RECEIVED |
                        1u << IP_VS_SCTP_S_SHUTDOWN_ACK_SENT | 1u << IP_VS_SCTP_S_CLOSED;
        if (!((1u << cp->state) & mask))
            return false;
        force = cp->state != cp->old_state;
        if (force && cp->state != IP_VS_SCTP_S_ESTABLISHED)
            goto set;
    } else {
        force = false;                  /* UDP: one state */
    }

    if (refresh > 0) {
        long diff = (long)(n - orig);
        long min_diff = (long)(tmo >> 1) > 10L * IP_VS_HZ ? (long)(tmo >> 1) : 10L * IP_VS_HZ;
        /* Not when the backup's deadline would move less than this. */
        if (labs(diff) < (refresh < min_diff ? refresh : min_diff)) {
            int retries = (int)(orig & 3);
            if (retries >= sync_retries)
                return false;
            if ((long)(now - (orig - tmo + (unsigned long)(refresh >> 3))) < 0)
                return false;
            n |= (unsigned long)(retries + 1);
        }
    }
    int period = sync_period(ipvs);
    if (period > 0) {
        if (!(cp->flags & IP_VS_CONN_F_TEMPLATE) && pkts % period != sync_threshold(ipvs))
            return false;
    } else if (!refresh && pkts != sync_threshold(ipvs)) {
        return false;
    }
set:
    cp->old_state = cp->state;
    cp->sync_endtime = n;
    (void)force;                        /* the kernel's cmpxchg cannot lose here */
    return true;
}

/* Write one version 0 entry at p. */
static void put_conn_v0(uint8_t *p, const struct ip_vs_conn *cp)
{
    memset(p, 0, IP_VS_SYNC_CONN_V0_SIZE);
    p[1] = (uint8_t)cp->protocol;
    memcpy(p + 2, &cp->cport, 2);
    memcpy(p + 4, &cp->vport, 2);
    memcpy(p + 6, &cp->dport, 2);
    memcpy(p + 8, &cp->caddr, 4);
    memcpy(p + 12, &cp->vaddr, 4);
    memcpy(p + 16, &cp->daddr, 4);
    put16(p + 20, (uint16_t)(cp->flags & ~IP_VS_CONN_F_HASHED));
    put16(p + 22, (uint16_t)cp->state);
}

/* An address of the connection in an entry: 4 bytes, or for an IPv6 connection
 * the 16 of the real address (its key stays on this host). */
static uint8_t *put_addr(uint8_t *p, be32 a, bool v6)
{
    if (!v6) {
        memcpy(p, &a, 4);
        return p + 4;
    }
    memcpy(p, in6_key_addr(a)->s6_addr, 16);
    return p + 16;
}

/* The size of a connection's version 1 entry. */
static unsigned v1_size(const struct ip_vs_conn *cp)
{
    return in6_is_key(cp->caddr) ? IP_VS_SYNC_V6_SIZE : IP_VS_SYNC_V4_SIZE;
}

/* Write one version 1 entry at p (struct ip_vs_sync_v4, or _v6 for cp->af AF_INET6). */
static void put_conn_v1(uint8_t *p, const struct ip_vs_conn *cp, unsigned len)
{
    bool v6 = in6_is_key(cp->caddr);
    memset(p, 0, len);
    p[0] = v6 ? IP_VS_SYNC_STYPE_F_INET6 : 0;   /* type */
    p[1] = (uint8_t)cp->protocol;
    put16(p + 2, (uint16_t)(len & 0x0fff));     /* version 0 in the top bits */
    put32(p + 4, cp->flags & ~IP_VS_CONN_F_HASHED);
    put16(p + 8, (uint16_t)cp->state);
    memcpy(p + 10, &cp->cport, 2);
    memcpy(p + 12, &cp->vport, 2);
    memcpy(p + 14, &cp->dport, 2);
    put32(p + 16, cp->fwmark);
    put32(p + 20, (uint32_t)(cp->timeout / SEC));
    put_addr(put_addr(put_addr(p + 24, cp->caddr, v6), cp->vaddr, v6), cp->daddr, v6);
}

static bool not_sent(const struct ip_vs_conn *cp)
{
    return (cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_FULLNAT &&
           !(cp->flags & IP_VS_CONN_F_TEMPLATE);
}

/* 2.6.34's ip_vs_sync_conn: always version 0, the buffer queued once a full entry
 * no longer fits after this one. */
static void sync_conn_old(struct netns_ipvs *ipvs, struct ip_vs_conn *cp)
{
    struct ip_vs_sync *s = ipvs->sync;
    for (; cp; cp = cp->control) {
        /* ip_vs_in (2.6.28 .. 2.6.38) calls the daemon for AF_INET only */
        if (!s || !(ipvs->sync_state & IP_VS_STATE_MASTER) || not_sent(cp) ||
            in6_is_key(cp->caddr))
            return;
        if (!s->sync_buff)
            s->sync_buff = sb_create(s, 0, true);
        struct ip_vs_sync_buff *sb = s->sync_buff;
        put_conn_v0(sb->mesg + sb->head, cp);
        sb->mesg[0]++;
        sb->head += IP_VS_SYNC_CONN_V0_SIZE;
        put16(sb->mesg + 2, (uint16_t)sb->head);
        s->stats.conns_queued++;
        if (sb->head + IP_VS_SYNC_CONN_V0_SIZE + IP_VS_SYNC_CONN_OPTS_SIZE > sb->end)
            sb_queue_tail(s);
    }
}

/* ip_vs_sync_conn_v0: version 0 from a current kernel (sync_version 0). */
static void sync_conn_v0(struct netns_ipvs *ipvs, struct ip_vs_conn *cp, int pkts)
{
    for (;;) {
        /* "if (unlikely(cp->af != AF_INET)) return;": v0 has no IPv6 entry */
        if (cp->flags & IP_VS_CONN_F_ONE_PACKET || not_sent(cp) || in6_is_key(cp->caddr))
            return;
        if (!ip_vs_sync_conn_needed(ipvs, cp, pkts))
            return;
        struct ip_vs_sync *s = ipvs->sync;
        if (!s || !(ipvs->sync_state & IP_VS_STATE_MASTER))
            return;
        unsigned len = IP_VS_SYNC_CONN_V0_SIZE;
        struct ip_vs_sync_buff *sb = s->sync_buff;
        /* A version 1 buffer, or no room: send it. */
        if (sb && (sb->head + len > sb->end || !sb->v0))
            sb_queue_tail(s);
        if (!s->sync_buff)
            s->sync_buff = sb_create(s, len, true);
        sb = s->sync_buff;
        put_conn_v0(sb->mesg + sb->head, cp);
        sb->mesg[0]++;
        sb->head += len;
        put16(sb->mesg + 2, (uint16_t)sb->head);
        s->stats.conns_queued++;
        /* its controller, if it has one */
        cp = cp->control;
        if (!cp)
            return;
        pkts = cp->flags & IP_VS_CONN_F_TEMPLATE ? (int)++cp->in_pkts : sync_threshold(ipvs);
    }
}

void ip_vs_sync_conn(struct netns_ipvs *ipvs, struct ip_vs_conn *cp, int pkts)
{
    if (era_old(ipvs)) {
        sync_conn_old(ipvs, cp);
        return;
    }
    if (ipvs->sysctl.sync_version == 0) {
        sync_conn_v0(ipvs, cp, pkts);
        return;
    }
    for (;;) {
        if (!(cp->flags & IP_VS_CONN_F_ONE_PACKET) && !not_sent(cp) &&
            ip_vs_sync_conn_needed(ipvs, cp, pkts)) {
            struct ip_vs_sync *s = ipvs->sync;
            if (!s || !(ipvs->sync_state & IP_VS_STATE_MASTER))
                return;
            unsigned len = v1_size(cp);
            unsigned pad = 0;
            struct ip_vs_sync_buff *sb = s->sync_buff;
            if (sb) {
                pad = (4 - sb->head) & 3;
                /* No room, or a version 0 buffer: send it. */
                if (sb->head + len + pad > sb->end || sb->v0) {
                    sb_queue_tail(s);
                    pad = 0;
                }
            }
            if (!s->sync_buff)
                s->sync_buff = sb_create(s, len, false);
            sb = s->sync_buff;
            uint8_t *p = sb->mesg + sb->head;
            memset(p, 0, pad);
            put_conn_v1(p + pad, cp, len);
            sb->head += pad + len;
            sb->mesg[4]++;
            put16(sb->mesg + 2, (uint16_t)sb->head);
            s->stats.conns_queued++;
        }
        /* its controller, if it has one */
        cp = cp->control;
        if (!cp)
            return;
        pkts = cp->flags & IP_VS_CONN_F_TEMPLATE ? (int)++cp->in_pkts : sync_threshold(ipvs);
    }
}

void ip_vs_sync_in(struct netns_ipvs *ipvs, struct ip_vs_conn *cp)
{
    if (era_old(ipvs)) {
        /* 2.6.34: ip_vs_in's own test, then old_state follows the packet. */
        int pkts = (int)cp->in_pkts;
        int period = sync_period(ipvs);
        bool tcp = cp->protocol == IPPROTO_TCP;
        bool closing = cp->state == IP_VS_TCP_S_FIN_WAIT || cp->state == IP_VS_TCP_S_CLOSE ||
                       cp->state == IP_VS_TCP_S_CLOSE_WAIT || cp->state == IP_VS_TCP_S_TIME_WAIT;
        /* SCTP first: entering CLOSED or a SHUTDOWN_ACK state syncs too. */
        if ((ipvs->sync_state & IP_VS_STATE_MASTER) && cp->protocol == IPPROTO_SCTP &&
            cp->old_state != cp->state &&
            (cp->state == IP_VS_SCTP_OLD_S_CLOSED || cp->state == IP_VS_SCTP_OLD_S_SHUT_ACK_CLI ||
             cp->state == IP_VS_SCTP_OLD_S_SHUT_ACK_SER)) {
            ip_vs_sync_conn(ipvs, cp, pkts);
            cp->old_state = cp->state;
            return;
        }
        if ((ipvs->sync_state & IP_VS_STATE_MASTER) &&
            (((!tcp || cp->state == IP_VS_TCP_S_ESTABLISHED) && period > 0 &&
              pkts % period == sync_threshold(ipvs)) ||
             (tcp && cp->old_state != cp->state && closing)))
            ip_vs_sync_conn(ipvs, cp, pkts);
        cp->old_state = cp->state;
        return;
    }
    int pkts = cp->flags & IP_VS_CONN_F_ONE_PACKET ? sync_threshold(ipvs) : (int)cp->in_pkts;
    if (ipvs->sync_state & IP_VS_STATE_MASTER)
        ip_vs_sync_conn(ipvs, cp, pkts);
    else if ((cp->flags & IP_VS_CONN_F_ONE_PACKET) && cp->control)
        cp->control->in_pkts++;
}

/* ---- the backup ------------------------------------------------------------------------ */

/* ip_vs_service_find for svc_af AF_INET6: the IPv6 fwmark service, then the
 * address and port, then port 0. */
static struct ip_vs_service *find_svc6(struct netns_ipvs *ipvs, uint32_t fwmark,
                                       uint16_t protocol, be32 vaddr, be16 vport)
{
    struct ip_vs_service *svc = NULL;
    if (fwmark)
        svc = ip_vs_service_get_af(ipvs, AF_INET6, 0, 0, 0, fwmark);
    if (!svc)
        svc = ip_vs_service_get_af(ipvs, AF_INET6, protocol, vaddr, vport, 0);
    if (!svc)
        svc = ip_vs_service_get_af(ipvs, AF_INET6, protocol, vaddr, 0, 0);
    return svc;
}

/* ip_vs_find_dest: the dest daddr:dport of the service the entry names. */
static struct ip_vs_dest *find_dest(struct netns_ipvs *ipvs, be32 daddr, be16 dport, be32 vaddr,
                                    be16 vport, uint16_t protocol, uint32_t fwmark,
                                    unsigned flags)
{
    struct ip_vs_service *svc = in6_is_key(vaddr)
                                    ? find_svc6(ipvs, fwmark, protocol, vaddr, vport)
                                    : ip_vs_service_find(ipvs, fwmark, protocol, vaddr, vport);
    if (!svc)
        return NULL;
    be16 port = dport;
    if (fwmark && (flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_MASQ)
        port = 0;
    struct ip_vs_dest *dest = ip_vs_lookup_dest(svc, daddr, port);
    if (!dest)
        dest = ip_vs_lookup_dest(svc, daddr, port ^ dport);
    return dest;
}

/* What an entry says, decoded. */
struct sync_entry {
    unsigned flags, state;
    uint8_t protocol;
    be32 caddr, vaddr, daddr;
    be16 cport, vport, dport;
    uint32_t fwmark;
    unsigned long timeout;              /* seconds; 0: the state's */
};

/* ip_vs_proc_conn: create or update one connection. */
static void proc_conn(struct netns_ipvs *ipvs, const struct sync_entry *e)
{
    struct ip_vs_sync_stats *st = &ipvs->sync->stats;
    unsigned flags = e->flags;
    struct ip_vs_conn_param param = {
        .protocol = e->protocol, .caddr = e->caddr, .cport = e->cport, .vaddr = e->vaddr,
        .vport = e->vport,
    };
    struct ip_vs_conn *cp;
    if (!(flags & IP_VS_CONN_F_TEMPLATE)) {
        cp = ip_vs_conn_in_get(ipvs, e->protocol, e->caddr, e->cport, e->vaddr, e->vport);
        if (cp && (cp->dport != e->dport || cp->daddr != e->daddr)) {
            if (!(flags & IP_VS_CONN_F_INACTIVE)) {
                ip_vs_conn_expire_now(cp);
                cp = NULL;
            } else {
                /* the expiry of a connection already replaced */
                st->conns_skipped++;
                return;
            }
        }
    } else {
        cp = ip_vs_ct_in_get(ipvs, &param);
    }
    if (cp) {
        struct ip_vs_dest *dest = cp->dest;
        if (((cp->flags ^ flags) & IP_VS_CONN_F_INACTIVE) && !(flags & IP_VS_CONN_F_TEMPLATE) &&
            dest) {
            if (flags & IP_VS_CONN_F_INACTIVE) {
                dest->activeconns--;
                dest->inactconns++;
            } else {
                dest->activeconns++;
                dest->inactconns--;
            }
        }
        flags &= IP_VS_CONN_F_BACKUP_UPD_MASK;
        flags |= cp->flags & ~IP_VS_CONN_F_BACKUP_UPD_MASK;
        cp->flags = flags;
        st->conns_updated++;
    } else {
        struct ip_vs_dest *dest = find_dest(ipvs, e->daddr, e->dport, e->vaddr, e->vport,
                                            e->protocol, e->fwmark, flags);
        cp = ip_vs_conn_new(ipvs, &param, e->daddr, e->dport, flags, dest, e->fwmark);
        if (!cp) {
            st->conns_skipped++;
            return;
        }
        st->conns_created++;
    }
    cp->in_pkts = (uint32_t)sync_threshold(ipvs);
    cp->state = (uint8_t)e->state;
    cp->old_state = cp->state;
    unsigned long timeout = e->timeout;
    if (!timeout) {
        /* pd->timeout_table[state]; entry_ok vouched for the protocol */
        unsigned t = flags & IP_VS_CONN_F_TEMPLATE
                         ? 0 : ip_vs_proto_get(e->protocol)->timeout(ipvs, (int)e->state);
        timeout = t ? t : 3 * 60;
    }
    cp->timeout = (sim_time_t)timeout * SEC;
    ip_vs_conn_put(cp);
}

/* An entry's protocol and state make sense (or it is a template)? */
static bool entry_ok(const struct netns_ipvs *ipvs, const struct sync_entry *e)
{
    if (e->flags & IP_VS_CONN_F_TEMPLATE)
        return true;                    /* a bad template state is only logged */
    const struct ip_vs_protocol *pp = ip_vs_proto_get(e->protocol);
    return pp && e->state < pp->states(ipvs->net->prof)->num_states;
}

static void process_v0(struct netns_ipvs *ipvs, const uint8_t *buf, size_t len)
{
    struct ip_vs_sync_stats *st = &ipvs->sync->stats;
    const uint8_t *p = buf + IP_VS_SYNC_MESG_V0_HLEN, *end = buf + len;
    unsigned n = buf[0];
    for (unsigned i = 0; i < n; i++) {
        if (p + IP_VS_SYNC_CONN_V0_SIZE > end) {
            st->msgs_bad++;             /* "BACKUP v0, bogus conn" */
            return;
        }
        struct sync_entry e = { .protocol = p[1] };
        memcpy(&e.cport, p + 2, 2);
        memcpy(&e.vport, p + 4, 2);
        memcpy(&e.dport, p + 6, 2);
        memcpy(&e.caddr, p + 8, 4);
        memcpy(&e.vaddr, p + 12, 4);
        memcpy(&e.daddr, p + 16, 4);
        e.flags = (get16(p + 20) | IP_VS_CONN_F_SYNC) & ~IP_VS_CONN_F_HASHED;
        e.state = get16(p + 22);
        if (e.flags & IP_VS_CONN_F_SEQ_MASK) {
            p += IP_VS_SYNC_CONN_V0_SIZE + IP_VS_SYNC_CONN_OPTS_SIZE;
            if (p > end) {
                st->msgs_bad++;
                return;
            }
        } else {
            p += IP_VS_SYNC_CONN_V0_SIZE;
        }
        st->conns_rcvd++;
        if (!entry_ok(ipvs, &e)) {
            st->conns_skipped++;
            continue;
        }
        proc_conn(ipvs, &e);
    }
}

/* An address of an entry: 4 bytes, or 16 interned as this host's key. */
static const uint8_t *get_addr(const uint8_t *p, be32 *a, bool v6)
{
    if (!v6) {
        memcpy(a, p, 4);
        return p + 4;
    }
    struct in6_addr a6;
    memcpy(a6.s6_addr, p, 16);
    *a = in6_key_get(&a6);
    return p + 16;
}

/* ip_vs_proc_sync_conn: one version 1 entry in [p, end). Negative: the rest of the
 * message is dropped; positive: this entry is skipped. */
static int proc_sync_conn(struct netns_ipvs *ipvs, const uint8_t *p, const uint8_t *end)
{
    bool v6 = p[0] & IP_VS_SYNC_STYPE_F_INET6;
    if (!v6 && p[0] != 0)
        return -10;
    const uint8_t *opt = p + (v6 ? IP_VS_SYNC_V6_SIZE : IP_VS_SYNC_V4_SIZE);
    if (opt > end)
        return -20;
    unsigned opt_flags = 0;
    while (opt < end) {
        if (opt + 2 > end)
            return -30;
        unsigned ptype = *opt++, plen = *opt++;
        if (!plen || opt + plen > end)
            return -40;
        switch (ptype & ~0x40u) {       /* IPVS_OPT_F_PARAM: optional */
        case 1:                         /* IPVS_OPT_SEQ_DATA */
            if (plen != IP_VS_SYNC_CONN_OPTS_SIZE || (opt_flags & 1))
                return -50;
            opt_flags |= 1;
            break;
        case 2:                         /* IPVS_OPT_PE_DATA */
        case 3:                         /* IPVS_OPT_PE_NAME */
            if (opt_flags & (1u << (ptype - 1)))
                return ptype == 2 ? -60 : -70;
            opt_flags |= 1u << (ptype - 1);
            break;
        default:
            if (!(ptype & 0x40u))
                return 20;              /* an unknown mandatory parameter */
        }
        opt += plen;
    }
    if (opt_flags & 2)
        return 50;                      /* persistence-engine data: no engine modelled */
    struct sync_entry e = { .protocol = p[1] };
    e.flags = (get32(p + 4) & IP_VS_CONN_F_BACKUP_MASK) | IP_VS_CONN_F_SYNC;
    e.state = get16(p + 8);
    memcpy(&e.cport, p + 10, 2);
    memcpy(&e.vport, p + 12, 2);
    memcpy(&e.dport, p + 14, 2);
    e.fwmark = get32(p + 16);
    e.timeout = get32(p + 20);
    get_addr(get_addr(get_addr(p + 24, &e.caddr, v6), &e.vaddr, v6), &e.daddr, v6);
    ipvs->sync->stats.conns_rcvd++;
    if (!entry_ok(ipvs, &e))
        return ip_vs_proto_get(e.protocol) ? 40 : 30;   /* bad state : unknown protocol */
    proc_conn(ipvs, &e);
    return 0;
}

void ip_vs_process_message(struct netns_ipvs *ipvs, const uint8_t *buf, size_t len)
{
    struct ip_vs_sync_stats *st = &sync_of(ipvs)->stats;
    st->msgs_rcvd++;
    st->bytes_rcvd += len;
    if (len < IP_VS_SYNC_MESG_V0_HLEN || len != get16(buf + 2)) {
        st->msgs_bad++;                 /* "message header too short", "bogus message size" */
        return;
    }
    uint8_t syncid = ipvs->sync->bcfg.syncid;
    if (syncid != 0 && buf[1] != syncid) {
        st->msgs_other_syncid++;
        return;
    }
    bool v1 = !era_old(ipvs) && len >= IP_VS_SYNC_MESG_HLEN && buf[5] == IP_VS_SYNC_PROTO_VER &&
              buf[0] == 0 && buf[6] == 0 && buf[7] == 0;
    if (!v1) {
        process_v0(ipvs, buf, len);
        return;
    }
    const uint8_t *msg_end = buf + IP_VS_SYNC_MESG_HLEN, *end = buf + len;
    unsigned n = buf[4];
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *p = msg_end;
        if (p + IP_VS_SYNC_V4_SIZE > end) {
            st->msgs_bad++;             /* "Dropping buffer, too small" */
            return;
        }
        unsigned size = get16(p + 2) & 0x0fff;
        msg_end = p + size;
        if (msg_end > end || (get16(p + 2) >> 12) != 0) {
            st->msgs_bad++;             /* "msg > buffer", "Unknown version" */
            return;
        }
        int rc = proc_sync_conn(ipvs, p, msg_end);
        if (rc < 0) {
            st->msgs_bad++;             /* "Err: %d in decoding" */
            return;
        }
        if (rc > 0)
            st->conns_skipped++;
        msg_end = p + ((size + 3) & ~3u);
    }
}

/* The backup's socket: a datagram to the group's port, on the mcast interface. */
static void sync_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct netns_ipvs *ipvs = ctx;
    struct ip_vs_sync *s = ipvs->sync;
    const struct iphdr *iph = ip_hdr(skb);
    if (!(ipvs->sync_state & IP_VS_STATE_BACKUP) || !s || skb->dev != s->bdev ||
        iph->daddr != s->bcfg.mcast_group) {
        /* Nobody reads the group here: a multicast datagram is dropped silently. */
        if (s)
            s->stats.msgs_no_daemon++;
        consume_skb(net, skb);
        return;
    }
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    uint32_t ulen = ntohs(uh->len);
    uint32_t len = ulen > UDP_HLEN ? ulen - UDP_HLEN : 0;
    if (len > skb->len - UDP_HLEN)
        len = skb->len - UDP_HLEN;     /* bytes beyond the real ones would be zeros */
    if (len > s->bcfg.sync_maxlen)
        len = s->bcfg.sync_maxlen;      /* the thread's buffer: the rest is cut */
    trace_notef(net, skb, "sync_thread_backup", "sync message, %u bytes", len);
    ip_vs_process_message(ipvs, skb->data + UDP_HLEN, len);
    consume_skb(net, skb);
}

/* ---- starting and stopping --------------------------------------------------------------- */

/* Is some dest of another family than its service (ipvs->mixed_address_family_dests
 * > 0)? Only a tunnel from 3.18 can be. */
static bool mixed_family_dests(const struct netns_ipvs *ipvs)
{
    const struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        const struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list)
            if (inet_key_family(d->addr) != svc->af)
                return true;
    }
    return false;
}

int ip_vs_start_sync_thread(struct netns_ipvs *ipvs, const struct ip_vs_sync_daemon_cfg *c,
                            int state)
{
    if (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP)
        return -EINVAL;
    /* ip_vs_genl_new_daemon (3.18+): "The synchronization protocol is incompatible
     * with mixed family services" */
    if (mixed_family_dests(ipvs))
        return -EINVAL;
    if (ipvs->sync_state & state)
        return -EEXIST;
    struct host *h = host_of(ipvs);
    struct net_device *dev = host_dev(h, c->mcast_ifn);
    if (!dev)
        return -ENODEV;
    struct ip_vs_sync *s = sync_of(ipvs);
    struct ip_vs_sync_daemon_cfg cfg = *c;
    if (!cfg.mcast_group)
        cfg.mcast_group = htonl(IP_VS_SYNC_GROUP);
    if (!cfg.mcast_port)
        cfg.mcast_port = IP_VS_SYNC_PORT;
    if (!cfg.mcast_ttl)
        cfg.mcast_ttl = 1;
    unsigned hlen = IP_HLEN + UDP_HLEN;
    unsigned mtu = state == IP_VS_STATE_BACKUP ? (dev->mtu < 1500 ? 1500 : dev->mtu > 65535 ? 65535 : dev->mtu)
                                               : 1500;
    unsigned min_mtu = state == IP_VS_STATE_BACKUP ? 1024 : 1;
    if (cfg.sync_maxlen)
        cfg.sync_maxlen = (uint16_t)(cfg.sync_maxlen < min_mtu ? min_mtu
                                     : cfg.sync_maxlen > 65535 - hlen ? 65535 - hlen : cfg.sync_maxlen);
    else
        cfg.sync_maxlen = (uint16_t)(mtu - hlen);
    /* A message must fit the larger packet buffer class (an MTU frame). */
    unsigned room = SKB_BIG_BUF_SIZE - SKB_HEADROOM - MC_MAX_FRAME;
    if (cfg.sync_maxlen > room)
        cfg.sync_maxlen = (uint16_t)room;
    if (state == IP_VS_STATE_MASTER) {
        if (era_old(ipvs)) {
            /* 2.6.34: set_sync_mesg_maxlen */
            int num = ((int)dev->mtu - (int)hlen - IP_VS_SYNC_MESG_V0_HLEN - 20) /
                      IP_VS_SYNC_CONN_V0_SIZE;
            if (num > IP_VS_SYNC_MAX_CONNS_V0_OLD)
                num = IP_VS_SYNC_MAX_CONNS_V0_OLD;
            if (num < 1)
                num = 1;
            cfg.sync_maxlen = (uint16_t)(IP_VS_SYNC_MESG_V0_HLEN + IP_VS_SYNC_CONN_V0_SIZE * num);
        }
        s->mcfg = cfg;
        s->mdev = dev;
        s->msaddr = dev->naddrs ? dev->addrs[0].addr : 0;    /* inet_select_addr */
        if (!s->msport) {
            /* the socket's ephemeral port: drawn once per host from the run seed */
            struct rng r;
            char name[64];
            g_snprintf(name, sizeof name, "ipvs-sync:%s", h->name);
            rng_init(&r, host_sim(h)->seed, name);
            s->msport = htons((uint16_t)(32768 + rng_below(&r, 60999 - 32768 + 1)));
        }
        ip_mc_route_init(ipvs->net, &s->mc_rt, dev, cfg.mcast_group);
        s->mc_rt.prefsrc = s->msaddr;
        s->queue_len = s->queue_delay = 0;
        ipvs->sync_state |= IP_VS_STATE_MASTER;
        /* the thread starts: nothing to send yet, it looks again in a second */
        s->thread_at = ip_vs_now(ipvs);
        s->thread_timer = host_timer(h, s->thread_at, master_thread, s, 0);
        return 0;
    }
    s->bcfg = cfg;
    s->bdev = dev;
    if (!s->bound) {
        if (!sock_bind(ipvs->net, IPPROTO_UDP, htons(cfg.mcast_port), sync_rcv, ipvs))
            return -EADDRINUSE;
        s->bound = true;
    }
    if (!s->joined) {
        /* join_mcast_group: the group's address is now one this host receives */
        fib_add_local_prefix(ipvs->net, cfg.mcast_group, 32);
        s->joined = true;
    }
    ipvs->sync_state |= IP_VS_STATE_BACKUP;
    return 0;
}

int ip_vs_stop_sync_thread(struct netns_ipvs *ipvs, int state)
{
    struct ip_vs_sync *s = ipvs->sync;
    if (!s || !(ipvs->sync_state & state))
        return -ESRCH;
    if (state == IP_VS_STATE_MASTER) {
        ipvs->sync_state &= ~IP_VS_STATE_MASTER;
        cancel_event(ipvs, &s->thread_timer);
        cancel_event(ipvs, &s->wakeup_work);
        struct ip_vs_sync_buff *sb;
        while ((sb = sb_dequeue(s))) {
            s->stats.msgs_dropped++;
            sb_release(sb);
        }
        if ((sb = s->sync_buff)) {
            s->sync_buff = NULL;
            s->stats.msgs_dropped++;
            sb_release(sb);
        }
        s->queue_len = s->queue_delay = 0;
        return 0;
    }
    if (state == IP_VS_STATE_BACKUP) {
        ipvs->sync_state &= ~IP_VS_STATE_BACKUP;
        return 0;
    }
    return -EINVAL;
}

void ip_vs_sync_net_cleanup(struct netns_ipvs *ipvs)
{
    if (!ipvs->sync)
        return;
    ip_vs_stop_sync_thread(ipvs, IP_VS_STATE_MASTER);
    ip_vs_stop_sync_thread(ipvs, IP_VS_STATE_BACKUP);
    g_free(ipvs->sync);
    ipvs->sync = NULL;
}
