/* The programs the simulated hosts run: client groups (TCP conversations as a real
 * stack does them, UDP request/response), real-server applications (queueing
 * stations), a keepalived-like health checker on the director, and a SYN flood
 * source. Every conversation is recorded in a conv_log, which the run writes as
 * connections.csv. */
#ifndef IPVSIM_MODEL_APPS_WORKLOAD_H
#define IPVSIM_MODEL_APPS_WORKLOAD_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/apps/dist.h"
#include "sim/proto.h"
#include "sim/time.h"

struct net;
struct netns_ipvs;

/* ---- conversations ------------------------------------------------------------- */

enum conv_outcome {
    CONV_RUNNING,
    CONV_OK,                        /* every request answered, closed with FIN */
    CONV_REFUSED,                   /* RST answering the SYN */
    CONV_RESET,                     /* RST after the handshake */
    CONV_TIMEOUT,                   /* connect (or response) timeout */
    CONV_UNREACHABLE,               /* ICMP destination unreachable */
    CONV_UNFINISHED,                /* still running when the run ended */
    CONV_ADDRNOTAVAIL,              /* no free ephemeral port on the chosen address, or a
                                       script's address:port still in use (connect()
                                       fails with EADDRNOTAVAIL) */
};

/* One record per conversation, a million in a big run: the fields are ordered by
 * size and the small ones kept small so that the record is 88 B. Its id (the skb->flow tag of all
 * its packets) is its place in the log: conv_id. */
struct conv {
    sim_time_t start, end;          /* first SYN / datagram; end (0 while running) */
    uint64_t bytes_in, bytes_out;   /* the client's view: received / sent, payload */
    sim_time_t response_ns;         /* first request byte sent -> last response byte */
    /* The exchange in progress: the client draws both sizes before it sends the
     * request; the server reads them here (by the packets' flow tag) instead of
     * parsing a request: an oracle. */
    uint64_t req_size, resp_size;
    uint32_t group;                 /* client group index */
    be32 caddr, vaddr;
    int server;                     /* index of the real server it was sent to: the one
                                       IPVS scheduled it to last (set by the run through
                                       ipvs->sched_notify), or else the one that answered
                                       its SYN or first datagram; -1 none */
    uint32_t requests;              /* requests answered completely */
    uint16_t syn_retries;           /* at most tcp_syn_retries (<= 127 in Linux) */
    be16 cport, vport;
    int8_t fwd;                     /* IPVS's forwarding method for it (the connection's
                                       IP_VS_CONN_F_FWD_MASK bits), -1 when no IPVS
                                       scheduled it */
    uint8_t outcome;                /* enum conv_outcome */
    uint8_t proto;
    bool last_request;              /* the client will send no other (it sets it) */
    bool server_closes;             /* the server closes after the last response (it
                                       sets it): the client then reads to EOF */
};

struct conv_log {
    GArray *convs;                  /* struct conv, index = id - 1 */
    /* The record count that stops the run (0 = none; README, "Limits"): conv_new
     * sets refused and *stop when it creates the limit-th record, and the run ends
     * after the event being run. */
    uint64_t limit;
    volatile bool *stop;
    bool refused;
};

void conv_log_init(struct conv_log *log);
void conv_log_free(struct conv_log *log);
/* A new conversation (id = index + 1). The pointer is valid until the next call. */
struct conv *conv_new(struct conv_log *log);
struct conv *conv_get(struct conv_log *log, uint64_t id);     /* NULL if unknown */
uint64_t conv_id(const struct conv_log *log, const struct conv *c);
const char *conv_outcome_name(enum conv_outcome o);
/* Mark every running conversation UNFINISHED (end of run). */
void conv_log_close(struct conv_log *log, sim_time_t now);

/* ---- client groups ------------------------------------------------------------- */

/* One connection of a scripted (or replayed) group: at its time, from its own
 * address:port. */
struct client_script_conn {
    sim_time_t at;
    be32 saddr;
    be16 sport;                     /* network order; 0: an ephemeral port (a replay's) */
    uint8_t proto;                  /* IPPROTO_TCP / IPPROTO_UDP */
    uint64_t request, response;     /* bytes (TCP: at least 1): of every request, or with
                                       requests > 0 of the whole conversation */
    be32 daddr;                     /* its destination; 0: the group's target */
    be16 dport;                     /* network order, with daddr */
    uint32_t requests;              /* 0: the group's requests_per_conn, each request
                                       request/response bytes; > 0 (a replay's): this many
                                       requests sharing request/response bytes (TCP) */
};

struct client_group_cfg {
    const char *name;
    uint32_t index;
    const be32 *addrs;              /* the group's source addresses (count of them) */
    uint32_t naddrs;
    be32 target;
    be16 target_port;               /* network order */
    uint8_t proto;                  /* IPPROTO_TCP / IPPROTO_UDP */
    struct dist arrival;            /* open loop: time between new conversations */
    uint32_t users;                 /* closed loop when > 0 */
    struct dist think;
    struct dist request, response;  /* bytes per request / per response */
    uint32_t requests_per_conn;
    sim_time_t connect_timeout;
    sim_time_t response_timeout;    /* TCP: give up (RST) when a response takes longer; 0: wait */
    sim_time_t start, stop;         /* no new conversation outside [start, stop) */
    /* A script (nscript > 0, sorted by time) instead of arrivals or users: its
     * connections and nothing else; addrs, arrival, users, think, request,
     * response, proto, start and stop are not used. */
    const struct client_script_conn *script;
    uint32_t nscript;
    /* A script again from its first connection every loop_period (0: once), until
     * stop (which only a looping script uses); an arrival trace (DIST_TRACE) again from its first value when loop is
     * set, else the group ends with its last value. */
    sim_time_t loop_period;
    bool loop;
};

struct client_group;

/* Start a group on net's host (every address of cfg->addrs must be on the host).
 * Randomness comes from the streams "client:<name>:*" of the run seed, one per
 * purpose (arrivals, think, addr, port, request, response, isn, sizes).
 *  - open loop (users == 0): the first conversation starts at start + a draw of
 *    arrival, each next one a draw later; closed loop: each user starts after a
 *    draw of think, and after each conversation ends (any outcome) thinks again.
 *    stop == 0 means no end.
 *  - sizes: TCP requests and responses are at least 1 byte; every size is capped at
 *    1 GiB. UDP: each request/response is one conversation; datagrams carry at most
 *    1472 bytes; a zero size is one empty datagram.
 *  - timeouts: TCP connect_timeout aborts a connect still in SYN_SENT (0: the
 *    kernel's tcp_syn_retries, 127 s); UDP waits connect_timeout for the whole
 *    response (0: 5 s, the resolver's default).
 *  - ICMP destination unreachable: port unreachable is REFUSED (ECONNREFUSED, as
 *    Linux reports it), the other codes UNREACHABLE; TCP acts on it in SYN_SENT
 *    only (later it is a soft error, reported if the connection times out).
 *  - end: TCP conversations end when the client's socket is closed both ways (it
 *    enters TIME_WAIT: the client closes first, after the last response).
 *  - script: each connection starts at its time from its address:port (an ephemeral
 *    one drawn for port 0) to its destination (the target by default), with its
 *    sizes (every request of it when requests_per_conn > 1; with its own requests,
 *    its sizes split among them, the last taking the remainder), and draws only its
 *    ISN. With loop_period, it starts again every loop_period, until stop.
 *    An address:port whose 4-tuple a connection still uses cannot connect: the
 *    conversation ends ADDRNOTAVAIL at once, as connect() fails with EADDRNOTAVAIL; a
 *    UDP one, as bind() fails with EADDRINUSE. One in TIME_WAIT (the 60 s after the
 *    client closed) is taken over, as Linux does for a bound port (tcp_twsk_unique). */
struct client_group *client_group_start(struct net *net, const struct client_group_cfg *cfg,
                                        struct conv_log *log);
/* Stops the group: conversations still running are abandoned silently (their
 * records stay RUNNING until conv_log_close). Free before world_destroy. */
void client_group_free(struct client_group *g);

struct client_group_stats {
    uint64_t started, finished;     /* conversations */
    uint32_t active, max_active;    /* running now / at most at once */
    uint64_t no_port;               /* ADDRNOTAVAIL */
};
const struct client_group_stats *client_group_stats(const struct client_group *g);

/* ---- real-server applications ---------------------------------------------------- */

enum server_mode {
    SERVER_UP,
    SERVER_DOWN,                    /* crashed: the host answers nothing at all */
    SERVER_REFUSE,                  /* up, but new connections get a RST */
};

/* One listening socket of a server (a port of one protocol, or of both). A listener
 * with workers > 0 is a process of its own: its own workers and queue (a station);
 * one with workers = 0 shares the server's (one process serving several ports, as a
 * web server does 80 and 443). Without a service time of its own it takes the
 * server's. */
struct server_listener_cfg {
    uint8_t proto;                  /* IPPROTO_TCP, IPPROTO_UDP, or 0: both (the port of a
                                       server given as "port") */
    uint16_t port;                  /* host order */
    int workers;                    /* 0: the server's station */
    uint32_t queue_limit;           /* its own station's (workers > 0) */
    bool has_service_time;
    struct dist service_time;
};

struct server_app_cfg {
    const char *name;
    int index;
    uint16_t port;                  /* host order; TCP and UDP (when nlisteners is 0) */
    /* The listeners (nlisteners > 0; port is then not used): each its own protocol
     * and port, no two the same. */
    const struct server_listener_cfg *listeners;
    uint32_t nlisteners;
    int workers;
    struct dist service_time;
    uint32_t queue_limit;           /* requests waiting; a full queue refuses */
    uint32_t backlog;               /* listen backlog (SYN_RECV); 0 = 511 */
    bool no_syncookies;             /* net.ipv4.tcp_syncookies = 0 (default 1) */
    bool close_after_response;      /* close after answering a conversation's last
                                       request (HTTP/1.0): its FIN goes first */
};

/* refused: SYNs answered with a RST (REFUSE mode, or the station full: every worker
 * busy and queue_limit requests waiting); queue_drops: requests that completed on an
 * open connection while the station was full (the connection is reset; a UDP
 * request is dropped). */
struct server_stats {
    uint64_t accepted, refused, served, queue_drops;
    uint32_t busy, queued;          /* now */
    uint64_t syn_cookies, syn_drops;    /* SYNs beyond the backlog */
};

struct server_app;

/* Response sizes come from the conversation (conv_get by the packets' flow tag):
 * the client drew them. A request is complete when conv->req_size bytes arrived (a
 * packet with no known conversation: at a PSH for TCP; each datagram for UDP,
 * answered with as many bytes). The server sets conv->server when it handles the
 * conversation's SYN (accepted or refused) or first datagram (the run has set it
 * already when IPVS scheduled the conversation: to the same server).
 * Modes: DOWN sets net->down (the host drops every frame and sends nothing) and
 * forgets every connection and request, as a crash does; REFUSE answers new SYNs
 * with a RST and UDP requests with ICMP port unreachable, and lets established
 * connections finish. */
struct server_app *server_app_start(struct net *net, const struct server_app_cfg *cfg,
                                    struct conv_log *log);
/* SERVER_UP also ends a slowdown (server_app_set_slow back to 1 on every listener). */
void server_app_set_mode(struct server_app *s, enum server_mode mode);
/* The whole server's counters (its listeners' summed; busy and queued over its
 * stations). */
const struct server_stats *server_app_stats(const struct server_app *s);
void server_app_free(struct server_app *s);

/* Listeners, in the order of cfg->listeners (one for a server given a port). */
uint32_t server_app_listeners(const struct server_app *s);
/* The index of the listener of proto (IPPROTO_TCP or IPPROTO_UDP) on port (host
 * order), -1 when none listens there. A listener of both protocols matches either. */
int server_app_listener_index(const struct server_app *s, uint8_t proto, uint16_t port);
/* One listener's counters: accepted, refused, served, queue_drops; busy and queued
 * of its own station (0 when it shares the server's). */
const struct server_stats *server_app_listener_stats(const struct server_app *s, uint32_t i);

/* Brownouts: the server's service changes while it runs. listener is an index of
 * server_app_listener_index, or -1 for the whole server. A request already in service
 * keeps the time it drew; the next ones draw under the change.
 *  - service time: the server's (listener -1) is what every listener without one of
 *    its own draws from; a listener's becomes its own. A trace starts from its
 *    beginning.
 *  - workers: the server's station (-1) or a listener's own; false (nothing changed)
 *    for a listener that shares the server's. Fewer workers than requests in service:
 *    those finish, and the queue waits until fewer are busy; more: queued requests
 *    start at once.
 *  - slow: every drawn service time multiplied by k > 0 (1: as given), on every
 *    listener (-1) or one. */
void server_app_set_service_time(struct server_app *s, int listener, const struct dist *d);
bool server_app_set_workers(struct server_app *s, int listener, int workers);
void server_app_set_slow(struct server_app *s, int listener, double k);

/* ---- health checker (keepalived-like, on the director) ----------------------------- */

struct healthcheck;
struct healthcheck_event;

/* keepalived's checkers (keepalived 2.x, check/check_tcp.c, check_http.c, check_misc.c). */
enum hc_check_type { HC_TCP_CHECK, HC_HTTP_GET, HC_SSL_GET, HC_MISC_CHECK };

/* HTTP_GET's url block: the path asked for and the status codes that pass. */
struct hc_url {
    char *path;
    uint16_t (*codes)[2];           /* [lo, hi] ranges; none: 200-299 (check_http.c) */
    size_t n_codes;
};

/* MISC_CHECK's script, scripted: from `at` on it exits with `code`. */
struct hc_exit {
    sim_time_t at;
    int code;
};

struct hc_checker_cfg {
    enum hc_check_type type;
    sim_time_t delay_loop;          /* 0: the virtual server's */
    sim_time_t connect_timeout;     /* TCP/HTTP: the whole check's time */
    int retry;                      /* failures retried before the checker goes down */
    sim_time_t delay_before_retry;
    be32 connect_ip;                /* 0: the real server's address */
    be16 connect_port;              /* 0: the real server's port (the service's for DR/TUN) */
    const struct hc_url *urls;      /* HTTP_GET/SSL_GET: each must pass, in order */
    size_t n_urls;
    const struct hc_exit *exits;    /* MISC_CHECK, by time; none (or before the first): 0 */
    size_t n_exits;
    bool misc_dynamic;              /* exit 2..255: alive, weight = code - 2 */
};

struct hc_rs_cfg {
    be32 addr;
    be16 port;
    bool inhibit_on_failure;        /* down: weight 0 instead of removal */
    const struct hc_checker_cfg *checkers;  /* none: always alive */
    size_t n_checkers;
};

/* One keepalived virtual_server: its real servers' checkers, quorum and sorry server
 * (check/ipwrapper.c: perform_svr_state, update_quorum_state). */
struct hc_vs_cfg {
    uint16_t protocol;
    be32 vaddr;
    be16 vport;
    uint32_t fwmark;
    sim_time_t delay_loop;
    bool alpha;                     /* real servers start down until a check passes */
    bool omega;                     /* accepted; only acts at a shutdown, which runs lack */
    uint32_t quorum, hysteresis;    /* live weight needed (default 1, 0) */
    be32 sorry_addr;                /* 0: none */
    be16 sorry_port;
    unsigned sorry_fwd;             /* IP_VS_CONN_F_*; ~0u: as the first real server */
    bool sorry_inhibit;
    const struct hc_rs_cfg *rs;
    size_t n_rs;
};

struct healthcheck_cfg {
    sim_time_t interval, timeout;
    int retries;                    /* consecutive failures before acting */
    bool quiesce;                   /* set weight 0 instead of removing the dest */
    bool vs_only;                   /* no TCP-connect check of the services not in vs */
    const struct hc_vs_cfg *vs;     /* keepalived's virtual servers (outlive the checker) */
    size_t n_vs;
    /* The status a real server answers an HTTP_GET of path with at now (the model
     * serves status codes, not content); NULL: 200. */
    int (*http_status)(void *ctx, be32 addr, const char *path, sim_time_t now);
    /* Told of each transition as it happens (optional): the run's events.txt. */
    void (*notify)(void *ctx, const struct healthcheck *hc, const struct healthcheck_event *e);
    void *ctx;
};

struct healthcheck;

/* Check every dest of every service of the director's IPVS by TCP connect. On
 * failure: remove the dest (or weight 0); on recovery: restore it as configured.
 *  - a check: SYN from the director's address towards the dest (port: the dest's;
 *    the service's for DR/TUN dests); success at the SYN-ACK (the connection is then
 *    closed with a FIN); failure on RST, ICMP unreachable or no answer within
 *    timeout. Local (-m to the director itself) and port-less dests are not checked.
 *  - every interval a round starts (the first at once): the dest list is read again
 *    from IPVS (dests added or removed by ipvsadm are followed; a dest the checker
 *    removed stays checked), and every dest whose previous check has ended is checked.
 *  - retries consecutive failures (at least 1) take the dest out; the first success
 *    after that puts it back with the configuration saved before (ip_vs_add_dest, or
 *    ip_vs_edit_dest with the saved weight when quiescing). */
/* keepalived's checkers (cfg->vs), each on its own timer, from the start on:
 *  - a check passes or fails as keepalived's does: TCP_CHECK at the SYN-ACK; HTTP_GET
 *    and SSL_GET (no TLS modelled: an HTTP_GET on its port) send a request on a new
 *    connection per url and read the answer's status from http_status; MISC_CHECK
 *    reads its exit code from the schedule at once (the script takes no time).
 *  - after a failure while up, retry more checks delay_before_retry apart; the one
 *    after them takes the checker down; a success takes it up; then delay_loop
 *    (tcp_epilog in check_tcp.c). A real server is alive while all its checkers are.
 *  - a real server that dies is removed (weight 0 with inhibit_on_failure), one that
 *    comes alive added back, unless the sorry server stands in; the live weight
 *    falling below quorum - hysteresis (or to 0) loses the quorum: the sorry server is
 *    added and the live real servers taken out; reaching quorum + hysteresis gains it
 *    back (ipwrapper.c). alpha: checked real servers start dead (taken out at 0).
 * Real servers that are no dest of their service at the start are not checked. */
struct healthcheck *healthcheck_start(struct net *director, const struct healthcheck_cfg *cfg);
/* Detection log: one line per transition, in order, as events.txt has them:
 *   "at <seconds>.<3 digits>s healthcheck <director> <TCP|UDP|SCTP|FWM:<mark>>
 *    <vip>:<vport> <rip>:<rport>: down, dest removed|up, dest added back\n"
 * (quiescing: "down, weight 0" and "up, weight restored"); keepalived's checkers add
 * their verdict in brackets, "sorry server added|removed", "quorum lost|gained" (the
 * service's address twice) and "weight N" (misc_dynamic). */
void healthcheck_report(const struct healthcheck *hc, GString *out);
/* One transition's line of that log. */
void healthcheck_event_line(const struct healthcheck *hc, const struct healthcheck_event *e,
                            GString *out);
void healthcheck_free(struct healthcheck *hc);

enum hc_action {                    /* a real server's first (plots.c marks those) */
    HC_DEST_REMOVED, HC_DEST_ADDED, HC_WEIGHT_ZERO, HC_WEIGHT_RESTORED, HC_WEIGHT_SET,
    HC_SORRY_ADDED, HC_SORRY_REMOVED, HC_QUORUM_LOST, HC_QUORUM_GAINED,
    HC_MARKED,                      /* alive or not, IPVS untouched: the sorry server serves */
};

struct healthcheck_event {
    sim_time_t at;
    uint16_t protocol;
    be32 vaddr;
    be16 vport;
    uint32_t fwmark;
    be32 daddr;                     /* 0: the service's (quorum) */
    be16 dport;
    bool up;
    uint8_t action;                 /* enum hc_action */
    int weight;                     /* HC_WEIGHT_SET */
    char why[64];                   /* keepalived's checkers: the verdict ("" otherwise) */
};
/* The transitions so far (count in *n). */
const struct healthcheck_event *healthcheck_events(const struct healthcheck *hc, size_t *n);
/* Checks started, failed, so far. */
uint64_t healthcheck_checks(const struct healthcheck *hc, uint64_t *failures);

/* ---- SYN flood source --------------------------------------------------------------- */

struct synflood_cfg {
    be32 net;
    uint8_t prefix;                 /* spoofed sources drawn from net/prefix */
    be32 target;
    be16 target_port;
    double rate;                    /* SYNs per second */
    sim_time_t start, duration;
    const char *name;               /* stream "synflood:<name>"; NULL: "synflood@<start ns>" */
};

struct synflood;
/* SYNs with exponential gaps (rate per second) from start for duration, each from a
 * random address of net/prefix (its network and broadcast addresses excluded when
 * prefix < 31) and a random port 1024..65535, random ISN, MSS 1460; never completed.
 * The flood host drops every answer to those addresses silently. */
struct synflood *synflood_start(struct net *net, const struct synflood_cfg *cfg);
uint64_t synflood_sent(const struct synflood *f);
void synflood_free(struct synflood *f);

#endif
