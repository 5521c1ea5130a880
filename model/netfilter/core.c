/* The netfilter hook core (net/netfilter/core.c): registration in traversal order
 * (nf_register_net_hook), nf_hook_slow, and the per-host teardown. */
#include "model/netfilter/core.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <strings.h>
#include "model/net.h"
#include "model/trace.h"

/* A hook that keeps answering NF_REPEAT would spin a 2.6-era kernel forever; the
 * model gives up after this many calls and drops the packet, so a run ends. */
#define NF_REPEAT_LIMIT 1000

static const char *const hook_names[NF_INET_NUMHOOKS] = {
    "PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING",
};

const char *nf_hook_name(unsigned hook)
{
    return hook < NF_INET_NUMHOOKS ? hook_names[hook] : "?";
}

static int cmp_drop_stat(const void *a, const void *b)
{
    const struct nf_drop_stat *x = *(const struct nf_drop_stat *const *)a;
    const struct nf_drop_stat *y = *(const struct nf_drop_stat *const *)b;
    if (x->hook != y->hook)
        return x->hook < y->hook ? -1 : 1;
    int c = strcmp(x->func, y->func);
    return c ? c : strcmp(x->reason, y->reason);
}

const struct nf_drop_stat **nf_drop_stats_sorted(const struct net *net, guint *n)
{
    *n = net->nf_drops ? net->nf_drops->len : 0;
    const struct nf_drop_stat **v = g_new(const struct nf_drop_stat *, *n + 1);
    for (guint i = 0; i < *n; i++)
        v[i] = &g_array_index(net->nf_drops, struct nf_drop_stat, i);
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_drop_stat);
    return v;
}

int nf_hook_parse(const char *s)
{
    static const char *const alt[NF_INET_NUMHOOKS] = {
        "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
    };
    if (strncasecmp(s, "NF_INET_", 8) == 0)
        s += 8;
    for (int i = 0; i < NF_INET_NUMHOOKS; i++)
        if (strcasecmp(s, hook_names[i]) == 0 || strcasecmp(s, alt[i]) == 0)
            return i;
    return -1;
}

const char *nf_verdict_name(unsigned verdict)
{
    static const char *const names[] = { "DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "STOP" };
    unsigned code = verdict & NF_VERDICT_MASK;
    return code <= NF_STOP ? names[code] : "UNKNOWN";
}

/* ---- registration ------------------------------------------------------------ */

/* Where new ops go: after every entry that runs before them. Entries of lower
 * priority always do; entries of equal priority do only in FIFO eras. */
static unsigned insert_pos(const struct nf_hook_entries *e, int prio, enum nf_tie_rule tie)
{
    unsigned i = 0;
    while (i < e->num && (e->ops[i]->priority < prio ||
                          (tie == NF_TIE_FIFO && e->ops[i]->priority == prio)))
        i++;
    return i;
}

int nf_hook_entries_insert(struct nf_hook_entries *e, const struct nf_hook_ops *ops,
                           enum nf_tie_rule tie)
{
    for (unsigned i = 0; i < e->num; i++)
        if (e->ops[i] == ops)
            return -EEXIST;
    if (e->num >= NF_MAX_HOOK_ENTRIES)
        return -E2BIG;
    if (e->num == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->ops = g_renew(const struct nf_hook_ops *, e->ops, e->cap);
    }
    unsigned pos = insert_pos(e, ops->priority, tie);
    memmove(&e->ops[pos + 1], &e->ops[pos], (e->num - pos) * sizeof e->ops[0]);
    e->ops[pos] = ops;
    e->num++;
    return 0;
}

bool nf_hook_entries_remove(struct nf_hook_entries *e, const struct nf_hook_ops *ops)
{
    for (unsigned i = 0; i < e->num; i++) {
        if (e->ops[i] == ops) {
            memmove(&e->ops[i], &e->ops[i + 1], (e->num - i - 1) * sizeof e->ops[0]);
            e->num--;
            return true;
        }
    }
    return false;
}

/* The table of a family (net/netfilter/core.c nf_hook_entry_head). */
static struct nf_hook_entries *nf_hook_table(struct net *net, uint8_t pf)
{
    return pf == NFPROTO_IPV6 ? net->nf.hooks_ipv6 : net->nf.hooks_ipv4;
}

int nf_register_net_hook(struct net *net, const struct nf_hook_ops *ops)
{
    if (ops->hooknum >= NF_INET_NUMHOOKS || !ops->hook)
        return -EINVAL;
    return nf_hook_entries_insert(&nf_hook_table(net, ops->pf)[ops->hooknum], ops, net->prof->tie);
}

void nf_unregister_net_hook(struct net *net, const struct nf_hook_ops *ops)
{
    if (ops->hooknum < NF_INET_NUMHOOKS)
        nf_hook_entries_remove(&nf_hook_table(net, ops->pf)[ops->hooknum], ops);
}

const struct nf_hook_entries *nf_hook_entries_of_pf(const struct net *net, uint8_t pf, unsigned hook)
{
    if (hook >= NF_INET_NUMHOOKS)
        return NULL;
    return pf == NFPROTO_IPV6 ? &net->nf.hooks_ipv6[hook] : &net->nf.hooks_ipv4[hook];
}

const struct nf_hook_entries *nf_hook_entries_of(const struct net *net, unsigned hook)
{
    return nf_hook_entries_of_pf(net, NFPROTO_IPV4, hook);
}

void nf_hook_entries_free(struct nf_hook_entries *e)
{
    g_free(e->ops);
    memset(e, 0, sizeof *e);
}

void netfilter_net_exit(struct net *net)
{
    for (unsigned i = 0; i < NF_INET_NUMHOOKS; i++) {
        nf_hook_entries_free(&net->nf.hooks_ipv4[i]);
        nf_hook_entries_free(&net->nf.hooks_ipv6[i]);
    }
    for (guint i = 0; net->nf_drops && i < net->nf_drops->len; i++) {
        struct nf_drop_stat *d = &g_array_index(net->nf_drops, struct nf_drop_stat, i);
        g_free(d->func);
        g_free(d->reason);
    }
    if (net->nf_drops)
        g_array_free(net->nf_drops, TRUE);
    net->nf_drops = NULL;
}

/* ---- traversal --------------------------------------------------------------- */

/* Call one hook function, reporting the call to the trace sink when there is one:
 * TRACE_HOOK_ENTER before it (so what the hook does inside, a packet re-injected at
 * LOCAL_OUT, comes after the line of the hook that did it), TRACE_HOOK with the
 * verdict when it returns. */
static unsigned call_hook(const struct nf_hook_ops *ops, struct sk_buff *skb,
                          const struct nf_hook_state *st)
{
    struct net *net = st->net;
    struct trace_sink *sink = net->trace;
    if (!sink)
        return ops->hook(ops->priv, skb, st);
    struct trace_event ev = {
        .time = net_now(net), .host = net->host->name, .pkt = skb->id, .flow = skb->flow,
        .kind = TRACE_HOOK_ENTER, .func = ops->name, .owner = ops->owner, .hook = (int)st->hook,
        .priority = ops->priority,
    };
    trace_hdr_of(skb, &ev.before);
    ev.after = ev.before;
    sink->emit(sink->ctx, &ev);
    unsigned v = ops->hook(ops->priv, skb, st);
    ev.kind = TRACE_HOOK;
    ev.verdict = v;
    /* After STOLEN or QUEUE the packet may be gone: its headers are not read. */
    unsigned code = v & net->prof->verdict_mask;
    if (code != NF_STOLEN && code != NF_QUEUE)
        trace_hdr_of(skb, &ev.after);
    sink->emit(sink->ctx, &ev);
    return v;
}

static void count_verdict(struct net *net, unsigned hook, unsigned code)
{
    net->nf_verdicts[hook][code <= NF_STOP ? code : NF_STOP + 1]++;
}

/* A verdict the era's core does not act on: the kernel returns 0 and nobody owns
 * the packet any more (it leaks). The model frees it and counts the leak. */
static int nf_lost(struct net *net, struct sk_buff *skb, const char *why)
{
    trace_drop(net, skb, "nf_hook_slow", why);
    net->nf_leaked++;
    kfree_skb(net, skb);
    return 0;
}

/* No nfqueue listener is modelled: a queued packet is dropped, or continues with
 * the next hook when the era has the bypass flag and the verdict carries it. */
static int nf_queue(struct net *net, struct sk_buff *skb, unsigned verdict)
{
    if (net->prof->queue_bypass && (verdict & NF_VERDICT_FLAG_QUEUE_BYPASS))
        return 1;
    trace_drop(net, skb, "nf_queue", "no queue listener");
    kfree_skb(net, skb);
    return 0;
}

/* Count a drop under (hook point, hook function, reason): a few distinct keys per
 * host, so a linear search; an entry is created (the strings copied: a rule's reason
 * goes with the rule) only the first time a key is seen. */
static void count_drop(struct net *net, unsigned hook, const char *func, const char *reason)
{
    if (!net->nf_drops)
        net->nf_drops = g_array_new(FALSE, FALSE, sizeof(struct nf_drop_stat));
    for (guint i = 0; i < net->nf_drops->len; i++) {
        struct nf_drop_stat *d = &g_array_index(net->nf_drops, struct nf_drop_stat, i);
        if (d->hook == hook && strcmp(d->reason, reason) == 0 && strcmp(d->func, func) == 0) {
            d->count++;
            return;
        }
    }
    struct nf_drop_stat d = { hook, g_strdup(func), g_strdup(reason), 1 };
    g_array_append_val(net->nf_drops, d);
}

static int nf_drop(struct net *net, struct sk_buff *skb, unsigned verdict, unsigned hook,
                   const char *func)
{
    int err = net->prof->drop_errno ? -(int)(verdict >> NF_VERDICT_QBITS) : 0;
    const char *why = skb->drop_reason ? skb->drop_reason : "NF_DROP";
    count_drop(net, hook, func, why);
    trace_drop(net, skb, "nf_hook_slow", why);
    kfree_skb(net, skb);
    return err ? err : -EPERM;
}

/* The 2.6.34 core compares whole verdict values (NF_DROP_ERR did not exist) and
 * masks 16 bits only to recognise NF_QUEUE. */
static int nf_legacy_verdict(struct net *net, struct sk_buff *skb, unsigned v, int *repeat,
                             unsigned hook, const char *func)
{
    if (v == NF_ACCEPT)
        return 2;                   /* next hook */
    if (v == NF_STOP)
        return 1;
    if (v == NF_REPEAT) {
        *repeat = 1;
        return 2;
    }
    if (v == NF_DROP)
        return nf_drop(net, skb, v, hook, func);
    if ((v & 0xffff) == NF_QUEUE) {
        trace_drop(net, skb, "nf_queue", "no queue handler (QUEUE means DROP)");
        kfree_skb(net, skb);
        return 0;
    }
    if (v == NF_STOLEN)
        return 0;
    return nf_lost(net, skb, "unknown verdict");
}

/* The modern core switches on the low byte. Returns 2 to continue with the next
 * hook, else nf_hook's result. */
static int nf_modern_verdict(struct net *net, struct sk_buff *skb, unsigned v, int *repeat,
                             unsigned hook, const char *func)
{
    const struct kernel_profile *p = net->prof;
    switch (v & NF_VERDICT_MASK) {
    case NF_ACCEPT:
        return 2;
    case NF_DROP:
        return nf_drop(net, skb, v, hook, func);
    case NF_QUEUE:
        return nf_queue(net, skb, v) == 1 ? 2 : 0;
    case NF_STOLEN:
        return 0;
    case NF_REPEAT:
        if (p->repeat_loops) {
            *repeat = 1;
            return 2;
        }
        return nf_lost(net, skb, "NF_REPEAT not handled by this era's core");
    case NF_STOP:
        if (p->stop_accepts)
            return 1;
        return nf_lost(net, skb, "NF_STOP not handled by this era's core");
    default:
        return nf_lost(net, skb, "unknown verdict");
    }
}

static int nf_hook_slow(struct sk_buff *skb, const struct nf_hook_state *st,
                        const struct nf_hook_entries *e)
{
    struct net *net = st->net;
    bool legacy = net->prof->verdict_mask == 0xffff;
    unsigned repeats = 0;
    for (unsigned i = 0; i < e->num; i++) {
        skb->drop_reason = NULL;
        unsigned v = call_hook(e->ops[i], skb, st);
        count_verdict(net, st->hook, v & net->prof->verdict_mask & 0xff);
        int repeat = 0;
        const char *func = e->ops[i]->name;
        int r = legacy ? nf_legacy_verdict(net, skb, v, &repeat, st->hook, func)
                       : nf_modern_verdict(net, skb, v, &repeat, st->hook, func);
        if (r != 2)
            return r;
        if (repeat) {
            if (++repeats == NF_REPEAT_LIMIT) {
                trace_drop(net, skb, "nf_hook_slow", "NF_REPEAT loop, given up");
                net->nf_leaked++;
                kfree_skb(net, skb);
                return 0;
            }
            i--;                    /* call the same hook again */
        }
    }
    return 1;
}

/* Kept out of line so that nf_hook, which most packets leave at once (a host
 * without rules has no hook functions), needs no stack frame. */
static __attribute__((noinline)) int nf_hook_run(uint8_t pf, unsigned hook, struct net *net,
                                                 struct sk_buff *skb, struct net_device *in,
                                                 struct net_device *out, nf_okfn okfn)
{
    struct nf_hook_state st = {
        .hook = hook, .pf = pf, .in = in, .out = out, .net = net, .okfn = okfn,
    };
    return nf_hook_slow(skb, &st, &nf_hook_table(net, pf)[hook]);
}

/* The kernel's nf_hook (include/linux/netfilter.h) tests for an empty hook point
 * before it calls nf_hook_slow; so does this one. */
int nf_hook(unsigned hook, struct net *net, struct sk_buff *skb, struct net_device *in,
            struct net_device *out, nf_okfn okfn)
{
    return nf_hook_pf(NFPROTO_IPV4, hook, net, skb, in, out, okfn);
}

int nf_hook_pf(uint8_t pf, unsigned hook, struct net *net, struct sk_buff *skb,
               struct net_device *in, struct net_device *out, nf_okfn okfn)
{
    if (nf_hook_table(net, pf)[hook].num == 0) {
        /* the packet passes the hook point all the same: a trace shows it */
        trace_hook_empty(net, skb, hook);
        return 1;
    }
    return nf_hook_run(pf, hook, net, skb, in, out, okfn);
}
