/* Capture taps through libpcap's dump API, nanosecond precision. */
#include "sim/pcap_tap.h"

#include <errno.h>
#include <glib.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PCAP_TAP_MAX_SNAPLEN 262144     /* libpcap's own ceiling (MAXIMUM_SNAPLEN) */

struct pcap_tap {
    pcap_t *pcap;                   /* a "dead" handle: link type and precision only */
    pcap_dumper_t *dumper;
    uint8_t *buf;                   /* scratch for one frame, snaplen bytes */
    uint32_t snaplen;
    uint64_t frames;
    uint64_t bytes;                 /* written to the file so far, headers included */
    uint64_t limit;                 /* at most this many bytes; 0 = no limit */
    uint64_t skipped;               /* frames left out once the limit was reached */
    uint64_t *budget;               /* bytes left for every tap that shares it, or NULL */
    bool failed;                    /* a write failed at some point */
    int err_no;                     /* errno seen at the first failure */
    const char *what;               /* what failed first */
    char *path;
};

struct pcap_tap *pcap_tap_open(const char *path, uint32_t snaplen, char *err, size_t errlen)
{
    if (snaplen == 0 || snaplen > PCAP_TAP_MAX_SNAPLEN)
        snaplen = snaplen == 0 ? PCAP_TAP_DEFAULT_SNAPLEN : PCAP_TAP_MAX_SNAPLEN;
    pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)snaplen,
                                                     PCAP_TSTAMP_PRECISION_NANO);
    if (!p) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot create a pcap handle", path);
        return NULL;
    }
    pcap_dumper_t *d = pcap_dump_open(p, path);
    if (!d) {
        if (err && errlen)
            snprintf(err, errlen, "%s", pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    struct pcap_tap *t = g_new0(struct pcap_tap, 1);
    t->pcap = p;
    t->dumper = d;
    t->snaplen = snaplen;
    t->buf = g_malloc(snaplen);
    t->path = g_strdup(path);
    t->bytes = 24;                  /* the file header */
    return t;
}

static void tap_fail(struct pcap_tap *t, const char *what, int e)
{
    if (t->failed)
        return;
    t->failed = true;
    t->what = what;
    t->err_no = e;
}

void pcap_tap_write(struct pcap_tap *t, sim_time_t when, const struct sk_buff *skb)
{
    if (!t)
        return;
    if (when < 0)
        when = 0;
    uint32_t wire = skb_wire_len(skb);
    uint64_t rec = 16 + (uint64_t)(wire < t->snaplen ? wire : t->snaplen);
    if (t->skipped || (t->limit && t->bytes + rec > t->limit) ||
        (t->budget && rec > *t->budget)) {
        t->skipped++;               /* the capture stopped at its size limit */
        return;
    }
    t->bytes += rec;
    if (t->budget)
        *t->budget -= rec;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    /* With nanosecond precision libpcap takes tv_usec as nanoseconds. */
    h.ts.tv_sec = (time_t)(when / SEC);
    h.ts.tv_usec = (suseconds_t)(when % SEC);
    h.len = skb_wire_len(skb);
    h.caplen = skb_copy_wire(skb, t->buf, t->snaplen);
    errno = 0;
    pcap_dump((u_char *)t->dumper, &h, t->buf);
    FILE *f = pcap_dump_file(t->dumper);
    if (ferror(f))
        tap_fail(t, "write", errno);
    t->frames++;
}

int pcap_tap_close_err(struct pcap_tap *t, char *err, size_t errlen)
{
    if (!t)
        return 0;
    errno = 0;
    if (pcap_dump_flush(t->dumper) != 0 || ferror(pcap_dump_file(t->dumper)))
        tap_fail(t, "flush", errno);
    /* Everything was flushed: the fclose inside pcap_dump_close has nothing left to
     * write, so its (unreported) result cannot hide a lost record. */
    pcap_dump_close(t->dumper);
    pcap_close(t->pcap);
    int rc = 0;
    if (t->failed) {
        rc = -1;
        if (err && errlen)
            snprintf(err, errlen, "%s: %s failed: %s", t->path, t->what,
                     t->err_no ? strerror(t->err_no) : "I/O error");
    }
    g_free(t->buf);
    g_free(t->path);
    g_free(t);
    return rc;
}

int pcap_tap_close(struct pcap_tap *t)
{
    return pcap_tap_close_err(t, NULL, 0);
}

uint64_t pcap_tap_frames(const struct pcap_tap *t)
{
    return t ? t->frames : 0;
}

const char *pcap_tap_path(const struct pcap_tap *t)
{
    return t ? t->path : "";
}

void pcap_tap_set_limit(struct pcap_tap *t, uint64_t bytes)
{
    if (t)
        t->limit = bytes;
}

void pcap_tap_set_budget(struct pcap_tap *t, uint64_t *left)
{
    if (!t)
        return;
    t->budget = left;
    if (left)                       /* the file header is written already */
        *left = *left > t->bytes ? *left - t->bytes : 0;
}

uint64_t pcap_tap_bytes(const struct pcap_tap *t)
{
    return t ? t->bytes : 0;
}

uint64_t pcap_tap_skipped(const struct pcap_tap *t)
{
    return t ? t->skipped : 0;
}
