/* The traversal fingerprint of a host (docs/expect.md): a 64-bit FNV-1a hash over
 * the run's hook calls on that host, in call order. Each call contributes, in this
 * order:
 *   the hook point         1 byte (NF_INET_PRE_ROUTING = 0 ... NF_INET_POST_ROUTING = 4)
 *   the priority           4 bytes, two's complement, little-endian
 *   the function name      its bytes and a terminating NUL
 *   the verdict            4 bytes, little-endian: the raw value the hook returned (code
 *                          in the low byte, a queue number or errno above it)
 * A call that re-enters the stack (IPVS re-injecting a packet at LOCAL_OUT) is counted
 * before the calls made inside it: records are hashed in the order the calls began,
 * each once its verdict is known. The value is printed as 16 lowercase hex digits.
 *
 * It costs nothing unless installed: it is a trace sink, put on a host's net only
 * when a fingerprint was asked for.
 *
 * Marks say where two runs part when their fingerprints differ: mark j is the low 16
 * bits of the hash after the first (j + 1) * every calls. Unpinned, every starts at 1
 * and doubles (every other mark dropped) whenever there would be more than
 * FP_MARKS_MAX marks, so a run ends with at most 32 whatever its length (16 bits: a false match
 * only puts the parting later). Pinned (the
 * "every" of an expect entry), it stays, and the call at each multiple of every is kept
 * so that the report can show the first call after the last mark both runs share. */
#ifndef IPVSIM_APP_REPORT_FINGERPRINT_H
#define IPVSIM_APP_REPORT_FINGERPRINT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "model/trace.h"
#include "sim/time.h"

#define FP_FNV_OFFSET 0xcbf29ce484222325ull
#define FP_FNV_PRIME 0x100000001b3ull

#define FP_MARKS_MAX 32

/* One hook call: what is hashed, and where it happened (for reports). */
struct fp_call {
    int hook, priority;
    const char *func;               /* in starts: interned (g_intern_string) */
    unsigned verdict;
    sim_time_t time;
    uint64_t pkt, flow;
};

struct fp_sink {
    struct trace_sink sink;         /* emit = fp_feed */
    uint64_t hash;
    uint64_t calls;                 /* hook calls hashed */
    GArray *queue;                  /* calls begun, not all hashed yet (struct fp_call) */
    GArray *open;                   /* indexes into queue of the calls not returned */
    uint64_t every;                 /* a mark after every `every` calls */
    bool every_fixed;               /* pinned: never widened, starts kept */
    GArray *marks;                  /* uint16_t */
    GArray *starts;                 /* struct fp_call: calls 0, every, 2 * every, ... (pinned) */
};

void fp_sink_init(struct fp_sink *f);
void fp_sink_free(struct fp_sink *f);
/* Mark every `every` calls from the start, and keep the calls that begin each stretch
 * (before the first call). */
void fp_sink_pin_every(struct fp_sink *f, uint64_t every);
/* Feed one trace event (only hook enter/verdict events count); usable from another
 * sink that forwards its events. */
void fp_feed(struct fp_sink *f, const struct trace_event *ev);
/* The hash of the calls so far (calls still open are left out). */
uint64_t fp_value(const struct fp_sink *f);
/* The marks as text: 4 hex digits each, separated by a space. */
void fp_marks_format(const struct fp_sink *f, GString *out);
/* Parse that text into an array of uint16_t; NULL if it is not that. */
GArray *fp_marks_parse(const char *s);
/* 16 hex digits and a NUL into buf[17]; returns buf. */
char *fp_format(uint64_t v, char *buf);
/* Parse 16 hex digits; false otherwise. */
bool fp_parse(const char *s, uint64_t *v);

#endif
