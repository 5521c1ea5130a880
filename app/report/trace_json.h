/* Trace events as JSON lines (`ipvsim trace --format jsonl`): one object per line,
 * the same events and nesting as the text form (app/report/trace_text.h), keys in a fixed
 * order so the output is byte-stable.
 *
 *   t        integer, simulated time in nanoseconds
 *   host     the host's name
 *   conn     the conversation (0: none, e.g. health checks, conntrack timers)
 *   pkt      the packet's number (simulation-wide; 0 for events without a packet)
 *   depth    hook calls open around this event (0 at the stack's top level)
 *   kind     "func"        a stack function (ip_rcv, ip_forward, ip_output, ...)
 *            "hook"        a hook function's call, with its verdict
 *            "hook_enter"  a hook call that has events inside it: written before them
 *                          (its "hook" object follows them, at the same depth)
 *            "note"        a decision (IPVS, conntrack, NAT, iptables, routing)
 *            "drop"        the packet was freed, with the reason
 *   func     the function's name
 *   hook, priority, owner          for "hook"/"hook_enter": the hook point (PRE_ROUTING,
 *                                  LOCAL_IN, FORWARD, LOCAL_OUT, POST_ROUTING), the
 *                                  registration's priority and module
 *   verdict, verdict_raw           for "hook": ACCEPT, DROP, STOLEN, QUEUE, REPEAT, STOP
 *                                  and the raw 32-bit value
 *   detail   for "note"/"drop"
 *   ip       the packet's headers before the event, when it has an IPv4 header:
 *            src, dst, proto ("tcp", "udp", "icmp", "ip"), sport, dport (TCP/UDP),
 *            icmp_type, icmp_code (ICMP), flags (TCP, e.g. "SA"), ttl, len (IP total
 *            length), mark (when not 0), outer_src, outer_dst (IPIP: the outer header;
 *            the other fields are the inner packet's), mac_src, mac_dst (ip_rcv: the
 *            frame received; the dev_queue_xmit note: the frame sent)
 *   changed  for "hook": the fields of "ip" the call changed, each as [before, after] */
#ifndef IPVSIM_APP_REPORT_TRACE_JSON_H
#define IPVSIM_APP_REPORT_TRACE_JSON_H

#include <glib.h>
#include "app/report/trace_text.h"

/* Append ev's object and '\n'. */
void trace_json_format(GString *out, const struct trace_event *ev, int depth, enum trace_role role);

/* A JSON string literal (quotes and escapes). */
void json_append_string(GString *out, const char *s);

#endif
