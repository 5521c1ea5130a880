/* A scenario file, loaded: plain data, every value in base units (nanoseconds,
 * bytes, bits per second), every default applied, and the position of every value
 * kept so that a later check (an ipvsadm line that the IPVS model refuses, an
 * unknown server name in an event) can still name file, line and column.
 * The contract is README ("Scenarios"); the schema is docs/scenario.schema.json. */
#ifndef IPVSIM_APP_SCENARIO_SCENARIO_H
#define IPVSIM_APP_SCENARIO_SCENARIO_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "model/apps/dist.h"
#include "model/apps/workload.h"
#include "sim/proto.h"
#include "sim/time.h"

/* Where a value stands in its file (1-based; columns count characters, a tab is
 * one). A value given with --set has line = col = 0 and set = the override's number
 * (1-based): scn_error_at then names "--set KEY" instead of a place. */
struct scn_pos {
    int line, col;
    int set;
    const char *file;               /* NULL: the scenario file; else a file it references
                                     * (a saved rule set, README "Saved rule sets"),
                                     * owned by the scenario (s->files) */
};

/* A command line with its position (ipvs and netfilter lines, event args). A line
 * of a saved rule set (a multi-line string or a referenced file) keeps where its
 * source line stands; scn_line_pos maps an offset in text back to it. */
struct scn_line {
    char *text;                     /* the command line as applied */
    struct scn_pos pos;             /* in the scenario: of the string's first character
                                     * inside the quotes; in a referenced file (pos.file):
                                     * of the source line's first character */
    size_t base;                    /* in the scenario: where the source line starts in the
                                     * string's decoded text (0 for a one-line string) */
    size_t head, skip;              /* text's first head bytes are not in the source (the
                                     * "-t nat " of an iptables-save rule), and the source
                                     * line's first skip bytes are not in text (its
                                     * "[pkts:bytes] "): text[head + k] is source[skip + k] */
    unsigned saved_line;            /* its line in the saved text; 0: a line of its own */
    char *src;                      /* the source line, from a referenced file (columns) */
};

/* A listener of a server ("listen": "tcp:443", or an object with its own keys). */
struct scn_listener {
    uint8_t protocol;               /* IPPROTO_TCP or IPPROTO_UDP */
    uint16_t port;
    int workers;                    /* 0: the server's workers and queue */
    uint32_t queue_limit;           /* its own queue's (workers > 0); default the server's */
    bool has_service_time;
    struct dist service_time;       /* default: the server's */
    struct scn_pos pos;
};

struct scn_server {
    char *name;
    be32 ip;                        /* either family (an IPv6 address as its key,
                                     * sim/in6_key.h) */
    be32 ip6;                       /* dual-stack: its IPv6 address (a key) beside an
                                     * IPv4 ip; 0 when not given */
    uint16_t port;                  /* "port" (TCP and UDP); with "listen": the first
                                     * listener's */
    GArray *listeners;              /* struct scn_listener of "listen"; empty: "port" */
    int workers;                    /* default 8 */
    struct dist service_time;       /* default exp(10ms) */
    uint32_t queue_limit;           /* waiting requests; default 128; full: refuse */
    bool close_after_response;      /* default false: waits for the client's FIN */
    GArray *sysctls;                /* struct scn_sysctl: its own net.ipv4 ones */
    GArray *http_status;            /* struct scn_http_status, by time (stable) */
    struct scn_pos pos;
};

/* A server's answer to an HTTP_GET health check of path, from at on. */
struct scn_http_status {
    char *path;
    int status;
    sim_time_t at;
};

struct scn_client {
    char *name;
    char *host;                     /* NULL: its own host; "director": runs on the director
                                     * (written "director" or the director's name) */
    uint32_t count;                 /* addresses; default 1 (1 when host is set) */
    be32 net;                       /* the group's network address (host bits 0); default
                                     * 10.N.0.0/16 for the N-th group (1-based). Its
                                     * addresses are the first count host addresses: net+1,
                                     * net+2, ... (net itself for a /31 or /32). 0 with host */
    uint8_t prefix;
    be32 target_ip;
    uint16_t target_port;
    uint8_t protocol;               /* IPPROTO_TCP (default) or IPPROTO_UDP */
    struct dist arrival;            /* inter-arrival time of new connections (open loop);
                                     * default poisson(10/s); a DIST_BURST or a trace needs
                                     * a cursor (dist.h) */
    uint32_t users;                 /* closed loop when > 0 (then arrival is zeroed) */
    struct dist think;              /* closed loop think time; default exp(1s) */
    struct dist request, response;  /* bytes; default 300B and 10KB */
    uint32_t requests_per_conn;     /* default 1 */
    sim_time_t connect_timeout;     /* default 3s */
    sim_time_t response_timeout;    /* per request, an application timeout (default
                                     * DEFAULT_RESPONSE_TIMEOUT); 0: none */
    sim_time_t start, stop;         /* when the group runs; default 0 .. duration */
    GArray *script;                 /* struct client_script_conn, by time; NULL: the group
                                     * runs arrivals (or users), not a script (a replay's
                                     * conversations are one: scenario_script.c) */
    bool loop;                      /* a replay or an arrival trace repeats (default: no) */
    sim_time_t loop_period;         /* a looping replay's period (scenario_script.c) */
    GArray *sysctls;                /* struct scn_sysctl: its host's net.ipv4 ones */
    struct scn_pos pos;
};

/* A client's default wait for a response (README, "Scenarios"). Linux never ends it:
 * once the server has acknowledged the request, a crashed server leaves the client's
 * socket nothing to retransmit (keepalive is off by default and would take 2 h 11
 * min), where a connect ends after tcp_syn_retries (6): 127 s. So clients set their
 * own: 30 s is ab's (-s) and vegeta's default, between wrk's 2 s and nginx's
 * proxy_read_timeout of 60 s, under the kernel's connect give-up, and above the
 * ~25 s that 7 backed-off retransmissions of a lost request take (RTO from 200 ms,
 * doubling), so a lossy path alone does not trip it. */
#define DEFAULT_RESPONSE_TIMEOUT "30s"

struct scn_link {
    sim_time_t latency;
    uint64_t bandwidth;             /* bit/s, 0 = infinite */
    double loss;
    uint32_t queue;                 /* frames, 0 = default */
};

struct scn_hook {
    char *name;
    int hook;                       /* NF_INET_* */
    int priority;
    unsigned verdict;               /* NF_ACCEPT for an observer */
    char *host;                     /* NULL: the director (the default); else a server's name */
    int family;                     /* "family": 0 ipv4 (the default), 1 ipv6, 2 both */
    struct scn_pos pos;
};

enum scn_event_kind {
    EV_SERVER_DOWN,                 /* crash: silent */
    EV_SERVER_REFUSE,               /* answers RST to new connections */
    EV_SERVER_UP,
    EV_IPVSADM,                     /* args: an ipvsadm line */
    EV_IPTABLES,                    /* args: an iptables line */
    EV_SYSCTL,                      /* key = value */
    EV_LINK,                        /* link: latency/loss/bandwidth change */
    EV_SYN_FLOOD,                   /* rate, duration, source net */
    EV_HOOK_REGISTER,               /* re-register a user hook by name */
    EV_HOOK_UNREGISTER,
    EV_DIRECTOR_DOWN,               /* server: the director's host name; value 1: graceful
                                     * (keepalived stopped, the host stays up), 0: crash */
    EV_DIRECTOR_UP,                 /* server: the director's host name */
    EV_SERVER_SLOW,                 /* server, listener; rate: the factor k (> 0) */
    EV_SERVER_SET,                  /* server, listener; service_time and/or workers */
};

struct scn_event {
    sim_time_t at;
    enum scn_event_kind kind;
    char *server;                   /* server events */
    struct scn_line args;           /* ipvsadm / iptables line */
    char *key;                      /* sysctl name (as in struct scn_sysctl); link name
                                     * ("clients"/"servers"); hook name (one of hooks) */
    long value;                     /* sysctl value */
    struct scn_link link;           /* link changes: fields given */
    bool link_has[4];               /* latency, bandwidth, loss, queue given */
    double rate;                    /* syn flood: SYNs per second */
    sim_time_t duration;            /* syn flood; default: to the end of the run */
    be32 flood_net;                 /* spoofed sources; default 198.18.0.0/15 */
    uint8_t flood_prefix;
    be32 target_ip;                 /* syn flood */
    uint16_t target_port;
    /* server_slow / server_set: the listener ("tcp:443" in key; listener -1 and key
     * NULL: the whole server), server_set's changes (workers 0: unchanged) */
    int listener;
    bool has_service_time;
    struct dist service_time;
    int workers;
    struct scn_pos pos;             /* of the event's object */
};

struct scn_healthcheck {
    bool enabled;                   /* the key is there, its type is not "none" or it
                                     * has services */
    bool tcp;                       /* type "tcp": the connect check of every service not
                                     * in services */
    sim_time_t interval, timeout;
    int retries;
    bool quiesce;                   /* on failure set weight 0 instead of removing */
    struct hc_vs_cfg *vs;           /* "services": keepalived's checkers */
    size_t n_vs;
    GPtrArray *allocs;              /* what vs points into (freed with the scenario) */
};

/* director.backup: a second director with keepalived's VRRP and the IPVS sync daemon
 * (app/run/run_ha.c). */
struct scn_backup {
    bool enabled;                   /* the key is there */
    char *name;                     /* default "lvs2" */
    be32 dip;                       /* its address on the server LAN; 0 = automatic */
    bool sync;                      /* run the IPVS sync daemon; default true */
    int sync_threshold[2];          /* net.ipv4.vs.sync_threshold on both; default 3 50 */
    uint8_t syncid;                 /* default 0 */
    sim_time_t advert_int;          /* VRRP advert_int; default 1s */
    bool preempt;                   /* the director takes the VIP back; default true */
    struct scn_link link;           /* the "sync" link between the two directors */
    struct scn_pos pos;
};

struct scn_sysctl {
    char *key;                      /* the IPVS ones by their short name ("sloppy_tcp", also
                                     * when written "net.ipv4.vs.sloppy_tcp"); the others in
                                     * full: "net.ipv4.ip_forward" */
    long value;
    struct scn_pos pos;
};

struct scenario {
    char *path;                     /* as given */
    char *name;
    char *description;
    uint64_t seed;                  /* default 1 */
    sim_time_t duration;            /* default 60s */
    char *kernel;                   /* era name, default "6.x" */
    GArray *sysctls;                /* struct scn_sysctl */
    struct {
        char *name;                 /* default "lvs1" */
        be32 vip;                   /* 0 when not given; either family */
        be32 dip;                   /* director address on the server LAN; 0 = automatic */
        be32 vip6;                  /* a second VIP, IPv6 (a key), beside an IPv4 vip */
        be32 dip6;                  /* its IPv6 address on the server LAN; 0 = automatic */
        int ip_forward;             /* default 1 */
        uint64_t memory;            /* bytes IPVS may use; 0 = unlimited (defense strategies) */
    } director;
    struct scn_backup backup;       /* director.backup */
    GArray *servers;                /* struct scn_server */
    GArray *clients;                /* struct scn_client */
    struct scn_link link_clients, link_servers;
    GArray *ipvs;                   /* struct scn_line */
    GArray *netfilter;              /* struct scn_line (iptables or ip6tables lines) */
    GArray *netfilter6;             /* struct scn_line: ip6tables (netfilter6) */
    GArray *hooks;                  /* struct scn_hook */
    struct scn_healthcheck healthcheck;
    GArray *events;                 /* struct scn_event, sorted by time (stable) */
    GPtrArray *capture_points;      /* "host:iface" strings ("director:" becomes the
                                     * director's name), or "all" */
    uint32_t snaplen;               /* default 65535 */
    struct {                        /* "limits" (README, "Robustness"); 0 = no limit */
        uint64_t connections;       /* IPVS connection table entries; default 0 */
        uint64_t events;            /* pending events; default SCN_LIMIT_EVENTS */
        uint64_t packets;           /* packet buffers in use at once; default SCN_LIMIT_PACKETS */
        uint64_t capture_bytes;     /* bytes per pcap file; default SCN_LIMIT_CAPTURE */
        uint64_t conversations;     /* conversation records; default SCN_LIMIT_CONVERSATIONS */
        uint64_t event_rate;        /* events in one simulated second; default SCN_LIMIT_EVENT_RATE */
        uint64_t output_bytes;      /* the pcap files and the trace together; default SCN_LIMIT_OUTPUT */
    } limits;
    cJSON *expect;                  /* the raw expect array (inside root), NULL when absent */
    GPtrArray *warnings;            /* "FILE:LINE:COL: warning: ..." lines (no newline): what
                                     * loads but may surprise (scenario_print_warnings) */
    cJSON *root;                    /* the whole document (owned), overrides applied */
    char *text;                     /* the file's text (for positions) */
    /* loader-private */
    GHashTable *positions;          /* cJSON* -> where it is (see scn_pos_of) */
    GPtrArray *set_keys;            /* the KEY of each --set, for messages */
    GPtrArray *traces;              /* the value arrays of trace distributions */
    GPtrArray *files;               /* the paths of referenced saved rule sets (scn_pos.file) */
};

/* The defaults of "limits": they stop a runaway run long before memory or the disk
 * run out (10^7 events are about 0.5 GB, 10^6 packet buffers about 0.5 GB). */
#define SCN_LIMIT_EVENTS 10000000ull
#define SCN_LIMIT_PACKETS 1000000ull
#define SCN_LIMIT_CAPTURE "1GB"
/* Runaway runs that need no memory to run away: a clock that stops (a retry at the
 * same instant, a 1 ns period) or arrivals far beyond any real load. The margins
 * over the curated scenarios are in README, "Limits". */
#define SCN_LIMIT_CONVERSATIONS 2000000ull
#define SCN_LIMIT_EVENT_RATE 10000000ull
#define SCN_LIMIT_OUTPUT "4GB"

/* Whether the LEN bytes at KEY name one of the "limits" (not its "comment"): what
 * --limit KEY=VALUE may set. */
bool scenario_is_limit_key(const char *key, size_t len);

/* The longest duration a scenario may hold (a million hours, 3.6e18 ns): any two of
 * them, or one and a time of the run, add without overflowing sim_time_t. */
#define SCN_DURATION_MAX ((sim_time_t)1000000 * 3600 * SEC)

/* A load error: what the user sees is "FILE:LINE:COL: MESSAGE". */
struct scn_error {
    char file[256];
    struct scn_pos pos;
    char msg[512];
    bool environment;               /* not the scenario's fault: a file could not be created
                                     * (exit status 1, and msg stands without FILE:LINE:COL) */
};

/* Load and validate a scenario file. overrides are "key=value" strings from --set
 * (dotted paths into the document, e.g. "seed=7", "clients.0.count=100",
 * "sysctl.expire_nodest_conn=1"), applied before validation. NULL on error with
 * err filled in. */
struct scenario *scenario_load(const char *path, const char *const *overrides,
                               struct scn_error *err);
void scenario_free(struct scenario *s);

/* Print an error the way every command does: "FILE:LINE:COL: MESSAGE\n" (to stderr;
 * "FILE: MESSAGE" when there is no place: an unreadable file, a --set value). */
void scn_error_print(const struct scn_error *err);

/* Print the scenario's warnings to stderr, one a line (every command that loads a
 * scenario to run or validate it). */
void scenario_print_warnings(const struct scenario *s);

/* Fill err for a problem found after loading (an ipvsadm line the IPVS model
 * refuses...): file = the scenario's path, the place pos; a value that came from
 * --set is named "--set KEY: MESSAGE" instead. */
void scn_error_at(struct scn_error *err, const struct scenario *s, struct scn_pos pos,
                  const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* Where a node of s->root stands (for the expect entries' messages); {0, 0} if unknown. */
/* The status sv answers an HTTP_GET of path with at now (its http_status; 200). */
int scenario_http_status(const struct scn_server *sv, const char *path, sim_time_t now);
struct scn_pos scn_pos_of(const struct scenario *s, const cJSON *node);

/* Where obj's value for key stands (obj's own place when the key is absent, as for a
 * default): an error about one key points at that key, not at a sibling or the object. */
struct scn_pos scn_pos_of_key(const struct scenario *s, const cJSON *obj, const char *key);

/* Position of a byte offset inside a string value that starts at pos (for errors
 * inside ipvsadm/iptables lines; escapes in the JSON text are accounted for). */
struct scn_pos scn_pos_in_string(const struct scenario *s, struct scn_pos start, size_t offset);

/* Position of a byte offset inside a command line's text: in its referenced file, or
 * in the scenario (escapes accounted for); an offset inside what the loader added
 * (l->head) stands for the source line's start. */
struct scn_pos scn_line_pos(const struct scenario *s, const struct scn_line *l, size_t offset);

/* Fill err for a command line that tool ("ipvsadm", "iptables") refused with msg,
 * offset bytes into l->text: "FILE:LINE:COL: TOOL: MSG", with "(line N of the saved
 * text)" after TOOL for a line of a multi-line string in the scenario. */
void scn_line_error(struct scn_error *err, const struct scenario *s, const struct scn_line *l,
                    size_t offset, const char *tool, const char *msg);

/* The i-th address of a client group (0: the first), either family (an IPv6 one as
 * its key, interned). */
be32 scn_client_addr(const struct scn_client *cl, uint32_t i);

#endif
