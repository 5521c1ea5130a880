/* A scenario's expectations (its "expect" array, docs/expect.md): parsing with
 * positions, the trace sinks a run needs to measure them, and their evaluation.
 *
 * The path of a packet is read from the trace of its host: a hook point counts as
 * visited when a hook function registered there was called for the packet, or, at a
 * point with no hook function, when the stack went through it: the function that
 * calls NF_HOOK (ip_rcv, ip_local_deliver, ip_forward, __ip_local_out, IPVS's
 * ip_vs_nat_send_or_cont / ip_vs_send_or_cont or 2.6.34's IP_VS_XMIT, ip_output)
 * followed by the function NF_HOOK continues with (ip_rcv_finish,
 * ip_local_deliver_finish, ip_forward_finish, ip_output by way of dst_output,
 * ip_finish_output). Consecutive calls at one point are one visit. */
#ifndef IPVSIM_APP_REPORT_EXPECT_H
#define IPVSIM_APP_REPORT_EXPECT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"

struct expect_set;

/* Parse s->expect (absent: an empty set). NULL with err set ("FILE:LINE:COL:
 * expect[N]...: message") for a malformed entry. */
struct expect_set *expect_parse(const struct scenario *s, struct scn_error *err);
void expect_set_free(struct expect_set *es);
unsigned expect_count(const struct expect_set *es);

/* After run_world_build, before the run: check the host and server names the entries
 * use (false with err when one is unknown), take the hook registrations hook_order
 * entries look at, and install the trace sinks path and fingerprint entries need on
 * their hosts (none otherwise). all_fingerprints: measure every host's fingerprint
 * (--print-fingerprint). */
bool expect_attach(struct expect_set *es, struct run_world *rw, bool all_fingerprints,
                   struct scn_error *err);
/* Remove the sinks (before run_world_free). */
void expect_detach(struct expect_set *es, struct run_world *rw);

/* After the run (conv_log_close done): one line per entry,
 *   "  PASS  WHAT: expected X, saw Y" or "  FAIL  WHAT: expected X, saw Y[ -- COMMENT]"
 * appended to out; a failed hook_order or fingerprint adds a line saying where what was
 * seen parts from what was expected. Returns the number of entries that failed. */
unsigned expect_evaluate(struct expect_set *es, struct run_world *rw, GString *out, bool colour);

/* A warning line ("FILE:LINE:COL: warning: expect[N].metric: ...") for each metric or
 * ratio_of whose path summary (of the built world, or of the run) will not hold. */
void expect_lint(const struct expect_set *es, const cJSON *summary, GPtrArray *out);

/* A host's fingerprint sink (its value, calls and marks), NULL when not measured. */
struct fp_sink;
const struct fp_sink *expect_fingerprint_sink(const struct expect_set *es, const struct host *h);

#endif
