/* kc-traffic: the deterministic traffic of the kernel check's guest.
 *
 *   kc-traffic client SRC:SPORT DST:DPORT REQUEST RESPONSE
 *       connect from SRC:SPORT (the address is a local route of the client's
 *       namespace, as ipvsim's client hosts own their group's network), send
 *       REQUEST bytes, read RESPONSE bytes, close (the client's FIN goes first,
 *       as ipvsim's client closes first); prints
 *       "SRC:SPORT ok BYTES" or "SRC:SPORT fail WHY"; exit 0 only when exactly
 *       RESPONSE bytes came back.
 *   kc-traffic serve NAME PORT SCRIPT LOG
 *       answer connections one at a time on PORT: look the peer's address:port up
 *       in SCRIPT (lines "ADDR:PORT REQUEST RESPONSE"), read REQUEST bytes, write
 *       RESPONSE bytes, wait for the client to close, close; append
 *       "NAME ADDR:PORT REQUEST RESPONSE ok" to LOG.
 *   kc-traffic uclient SRC:SPORT DST:DPORT REQUEST RESPONSE
 *   kc-traffic userve NAME PORT SCRIPT LOG
 *       the same over UDP: one datagram of REQUEST bytes, one of RESPONSE bytes back,
 *       sent from the address the query came to (IP_PKTINFO), as a DNS server does:
 *       with DR and TUN that is the VIP, not the server's own address.
 *   kc-traffic serve6 ... / userve6 ...
 *       the servers over IPv6 (an IPv6-only socket; IPV6_PKTINFO for UDP).
 *
 * Addresses are A.B.C.D:PORT or, for IPv6, [ADDR]:PORT as ipvsadm writes them (the
 * script's keys and the logs too).
 *
 * Every wait is bounded (5 s), so a connection the kernel drops fails the case
 * instead of hanging the virtual machine. Linked statically: the guest has no libc
 * of its own for it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WAIT_MS 5000

/* "A.B.C.D:PORT" or "[IPV6]:PORT" (ipvsadm's notation) as a socket address; its length
 * in *len. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[INET6_ADDRSTRLEN];
    const char *colon = strrchr(s, ':');
    const char *h = s;
    size_t n = colon ? (size_t)(colon - s) : 0;
    if (!colon)
        return -1;
    if (s[0] == '[') {
        if (n < 2 || colon[-1] != ']')
            return -1;
        h = s + 1;
        n -= 2;
    }
    if (n >= sizeof host)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons((uint16_t)port);
        *len = sizeof *sa;
        return inet_pton(AF_INET6, host, &sa->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *sa = (struct sockaddr_in *)ss;
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    *len = sizeof *sa;
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* A socket address as parse_addr reads it (the script's keys, the logs). */
static void format_addr(const struct sockaddr_storage *ss, char out[64])
{
    char a[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &sa->sin6_addr, a, sizeof a);
        snprintf(out, 64, "[%s]:%u", a, ntohs(sa->sin6_port));
    } else {
        const struct sockaddr_in *sa = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &sa->sin_addr, a, sizeof a);
        snprintf(out, 64, "%s:%u", a, ntohs(sa->sin_port));
    }
}

/* A listening or receiving socket of family af on port: IPv6 only for AF_INET6 (an
 * IPv4 case has its own AF_INET socket). */
static int bound_socket(int af, int type, const char *port)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    if (af == AF_INET6) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons((uint16_t)atoi(port));
        len = sizeof *sa;
    } else {
        struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
        sa->sin_family = AF_INET;
        sa->sin_port = htons((uint16_t)atoi(port));
        len = sizeof *sa;
    }
    int one = 1;
    int fd = socket(af, type, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
        bind(fd, (struct sockaddr *)&ss, len) < 0)
        return -1;
    return fd;
}

static int wait_for(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    int n = poll(&p, 1, WAIT_MS);
    if (n == 0)
        errno = ETIMEDOUT;
    return n > 0 ? 0 : -1;
}

/* Send n bytes of a fixed pattern. */
static int send_bytes(int fd, long n)
{
    static char buf[16384];
    memset(buf, 'k', sizeof buf);
    while (n > 0) {
        if (wait_for(fd, POLLOUT) < 0)
            return -1;
        ssize_t w = send(fd, buf, n < (long)sizeof buf ? (size_t)n : sizeof buf, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (w > 0)
            n -= w;
    }
    return 0;
}

/* Read until the peer closes, or until limit bytes (limit < 0: no limit). */
static long recv_bytes(int fd, long limit)
{
    static char buf[16384];
    long got = 0;
    while (limit < 0 || got < limit) {
        if (wait_for(fd, POLLIN) < 0)
            return -1;
        size_t want = sizeof buf;
        if (limit >= 0 && limit - got < (long)want)
            want = (size_t)(limit - got);
        ssize_t r = recv(fd, buf, want, 0);
        if (r == 0)
            break;
        if (r < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (r > 0)
            got += r;
    }
    return got;
}

static int client(const char *src, const char *dst, long request, long response)
{
    struct sockaddr_storage s, d;
    socklen_t slen, dlen;
    if (parse_addr(src, &s, &slen) < 0 || parse_addr(dst, &d, &dlen) < 0 ||
        s.ss_family != d.ss_family) {
        fprintf(stderr, "kc-traffic: bad address\n");
        return 2;
    }
    int one = 1;
    int fd = socket(s.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&s, slen) < 0) {
        printf("%s fail bind: %s\n", src, strerror(errno));
        return 1;
    }
    if (connect(fd, (struct sockaddr *)&d, dlen) < 0 && errno != EINPROGRESS) {
        printf("%s fail connect: %s\n", src, strerror(errno));
        return 1;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (wait_for(fd, POLLOUT) < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
        soerr) {
        printf("%s fail connect: %s\n", src, strerror(soerr ? soerr : errno));
        return 1;
    }
    if (send_bytes(fd, request) < 0) {
        printf("%s fail send: %s\n", src, strerror(errno));
        return 1;
    }
    long got = recv_bytes(fd, response);
    close(fd);
    if (got < 0) {
        printf("%s fail recv: %s\n", src, strerror(errno));
        return 1;
    }
    printf("%s %s %ld\n", src, got == response ? "ok" : "fail", got);
    return got == response ? 0 : 1;
}

/* The script's request and response sizes for peer; -1 when it is not there. who
 * gets the peer as ADDR:PORT, the script's key and the log's. */
static int lookup(const char *script, const struct sockaddr_storage *sa, char who_out[64],
                  long *request, long *response)
{
    format_addr(sa, who_out);
    const char *peer = who_out;
    FILE *f = fopen(script, "r");
    if (!f)
        return -1;
    char key[64];
    int found = -1;
    while (found < 0 && fscanf(f, "%63s %ld %ld", key, request, response) == 3)
        if (strcmp(key, peer) == 0)
            found = 0;
    fclose(f);
    return found;
}

static int serve(int af, const char *name, const char *port, const char *script,
                 const char *logpath)
{
    int lfd = bound_socket(af, SOCK_STREAM, port);
    if (lfd < 0 || listen(lfd, 64) < 0) {
        fprintf(stderr, "kc-traffic: %s: listen on %s: %s\n", name, port, strerror(errno));
        return 1;
    }
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
        if (fd < 0)
            continue;
        char who[64];
        long request = 0, response = 0;
        const char *outcome = "ok";
        if (lookup(script, &peer, who, &request, &response) < 0)
            outcome = "unknown-peer";
        else if (recv_bytes(fd, request) != request)
            outcome = "short-request";
        else if (send_bytes(fd, response) < 0)
            outcome = "send-failed";
        else if (recv_bytes(fd, -1) != 0)
            outcome = "no-close";
        close(fd);
        FILE *log = fopen(logpath, "a");
        if (log) {
            fprintf(log, "%s %s %ld %ld %s\n", name, who, request, response, outcome);
            fclose(log);
        }
    }
}

static int uclient(const char *src, const char *dst, long request, long response)
{
    struct sockaddr_storage s, d;
    socklen_t slen, dlen;
    static char buf[65536];
    if (parse_addr(src, &s, &slen) < 0 || parse_addr(dst, &d, &dlen) < 0 ||
        s.ss_family != d.ss_family || request > (long)sizeof buf) {
        fprintf(stderr, "kc-traffic: bad address or size\n");
        return 2;
    }
    int fd = socket(s.ss_family, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&s, slen) < 0 ||
        connect(fd, (struct sockaddr *)&d, dlen) < 0) {
        printf("%s fail bind/connect: %s\n", src, strerror(errno));
        return 1;
    }
    memset(buf, 'k', (size_t)request);
    if (send(fd, buf, (size_t)request, 0) != request) {
        printf("%s fail send: %s\n", src, strerror(errno));
        return 1;
    }
    long got = wait_for(fd, POLLIN) < 0 ? -1 : recv(fd, buf, sizeof buf, 0);
    close(fd);
    if (got < 0) {
        printf("%s fail recv: %s\n", src, strerror(errno));
        return 1;
    }
    printf("%s %s %ld\n", src, got == response ? "ok" : "fail", got);
    return got == response ? 0 : 1;
}

static int userve(int af, const char *name, const char *port, const char *script,
                  const char *logpath)
{
    int one = 1;
    int fd = bound_socket(af, SOCK_DGRAM, port);
    if (fd < 0 || (af == AF_INET6 ?
                   setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) :
                   setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one)) < 0) {
        fprintf(stderr, "kc-traffic: %s: udp port %s: %s\n", name, port, strerror(errno));
        return 1;
    }
    static char buf[65536];
    for (;;) {
        struct sockaddr_storage peer;
        char ctl[CMSG_SPACE(sizeof(struct in6_pktinfo))];
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr m = { .msg_name = &peer, .msg_namelen = sizeof peer, .msg_iov = &iov,
                            .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
        ssize_t n = recvmsg(fd, &m, 0);
        if (n < 0)
            continue;
        char who[64];
        long request = 0, response = 0;
        const char *outcome = "ok";
        if (lookup(script, &peer, who, &request, &response) < 0)
            outcome = "unknown-peer";
        else if (n != request)
            outcome = "short-request";
        else if (response > (long)sizeof buf)
            outcome = "response-too-large";     /* kernel-check refuses these first */
        else {
            /* Answer from the address the query was sent to (the pktinfo came in m). */
            memset(buf, 'k', (size_t)response);
            iov.iov_len = (size_t)response;
            m.msg_namelen = sizeof peer;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
                if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
                    ((struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex = 0;
                if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
                    ((struct in6_pktinfo *)CMSG_DATA(c))->ipi6_ifindex = 0;
            }
            if (sendmsg(fd, &m, 0) != response)
                outcome = "send-failed";
        }
        FILE *log = fopen(logpath, "a");
        if (log) {
            fprintf(log, "%s %s %ld %ld %s\n", name, who, request, response, outcome);
            fclose(log);
        }
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 6 && strcmp(argv[1], "client") == 0)
        return client(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
    if (argc == 6 && strcmp(argv[1], "serve") == 0)
        return serve(AF_INET, argv[2], argv[3], argv[4], argv[5]);
    if (argc == 6 && strcmp(argv[1], "serve6") == 0)
        return serve(AF_INET6, argv[2], argv[3], argv[4], argv[5]);
    if (argc == 6 && strcmp(argv[1], "uclient") == 0)
        return uclient(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
    if (argc == 6 && strcmp(argv[1], "userve") == 0)
        return userve(AF_INET, argv[2], argv[3], argv[4], argv[5]);
    if (argc == 6 && strcmp(argv[1], "userve6") == 0)
        return userve(AF_INET6, argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: kc-traffic client|uclient SRC:SPORT DST:DPORT REQUEST RESPONSE\n"
                    "       kc-traffic serve|userve|serve6|userve6 NAME PORT SCRIPT LOG\n");
    return 2;
}
