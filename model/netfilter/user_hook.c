/* User hook functions: what a module registering its own nf_hook_ops does
 * (net/netfilter/core.c nf_register_net_hook), with a fixed verdict. See user_hook.h. */
#include "model/netfilter/user_hook.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include "model/net.h"

static unsigned user_hook_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct nf_user_hook *uh = priv;
    uh->calls++;
    /* A hook that steals a packet owns it; this one has nothing to do with it. */
    if (uh->verdict == NF_STOLEN)
        consume_skb(st->net, skb);
    else
        skb->drop_reason = "scenario hook: fixed verdict";     /* read only if the verdict drops */
    return uh->verdict;
}

static bool parse_errno(const char *s, int *err)
{
    static const struct { const char *name; int value; } names[] = {
        { "EPERM", EPERM }, { "EHOSTUNREACH", EHOSTUNREACH }, { "ENETUNREACH", ENETUNREACH },
        { "ECONNREFUSED", ECONNREFUSED }, { "EACCES", EACCES },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (strcmp(s, names[i].name) == 0) {
            *err = -names[i].value;
            return true;
        }
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v >= 0 || v < -4095)
        return false;
    *err = (int)v;
    return true;
}

static bool parse_queue(const char *rest, unsigned *verdict)
{
    char *end;
    unsigned long num = 0;
    *verdict = NF_QUEUE;
    if (*rest == '\0')
        return true;
    if (*rest++ != ':')
        return false;
    num = strtoul(rest, &end, 10);
    if (end == rest || num > 65535)
        return false;
    *verdict = NF_QUEUE_NR(num);
    if (*end == '\0')
        return true;
    if (strcmp(end, ":bypass") != 0)
        return false;
    *verdict |= NF_VERDICT_FLAG_QUEUE_BYPASS;
    return true;
}

bool nf_user_verdict_parse(const char *s, unsigned *verdict)
{
    static const struct { const char *name; unsigned v; } plain[] = {
        { "accept", NF_ACCEPT }, { "observe", NF_ACCEPT }, { "drop", NF_DROP },
        { "stolen", NF_STOLEN }, { "repeat", NF_REPEAT }, { "stop", NF_STOP },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(plain); i++)
        if (g_ascii_strcasecmp(s, plain[i].name) == 0) {
            *verdict = plain[i].v;
            return true;
        }
    if (g_ascii_strncasecmp(s, "drop:", 5) == 0) {
        int err;
        if (!parse_errno(s + 5, &err))
            return false;
        *verdict = NF_DROP_ERR(err);
        return true;
    }
    if (g_ascii_strncasecmp(s, "queue", 5) == 0)
        return parse_queue(s + 5, verdict);
    return false;
}

struct nf_user_hook *nf_user_hook_find(const struct net *net, const char *name)
{
    for (struct nf_user_hook *uh = net->user_hooks; uh; uh = uh->next)
        if (strcmp(uh->name, name) == 0)
            return uh;
    return NULL;
}

struct nf_user_hook *nf_user_hook_find_pf(const struct net *net, const char *name, uint8_t pf)
{
    for (struct nf_user_hook *uh = net->user_hooks; uh; uh = uh->next)
        if (uh->ops.pf == pf && strcmp(uh->name, name) == 0)
            return uh;
    return NULL;
}

struct nf_user_hook *nf_user_hook_add(struct net *net, const char *name, unsigned hooknum,
                                      int priority, unsigned verdict, int *err)
{
    return nf_user_hook_add_pf(net, name, NFPROTO_IPV4, hooknum, priority, verdict, err);
}

struct nf_user_hook *nf_user_hook_add_pf(struct net *net, const char *name, uint8_t pf,
                                         unsigned hooknum, int priority, unsigned verdict,
                                         int *err)
{
    if (hooknum >= NF_INET_NUMHOOKS || strlen(name) >= USER_HOOK_NAMSIZ || !*name ||
        (pf != NFPROTO_IPV4 && pf != NFPROTO_IPV6)) {
        *err = -EINVAL;
        return NULL;
    }
    if (nf_user_hook_find_pf(net, name, pf)) {
        *err = -EEXIST;
        return NULL;
    }
    struct nf_user_hook *uh = g_new0(struct nf_user_hook, 1);
    g_strlcpy(uh->name, name, sizeof uh->name);
    uh->verdict = verdict;
    uh->ops = (struct nf_hook_ops){
        .hook = user_hook_fn, .name = uh->name, .owner = "user", .priv = uh,
        .pf = pf, .hooknum = hooknum, .priority = priority,
    };
    *err = nf_user_hook_register(net, uh);
    if (*err) {
        g_free(uh);
        return NULL;
    }
    /* Append, keeping creation order for listings. */
    struct nf_user_hook **tail = &net->user_hooks;
    while (*tail)
        tail = &(*tail)->next;
    *tail = uh;
    return uh;
}

void nf_user_hook_unregister(struct net *net, struct nf_user_hook *uh)
{
    if (!uh->registered)
        return;
    nf_unregister_net_hook(net, &uh->ops);
    uh->registered = false;
}

int nf_user_hook_register(struct net *net, struct nf_user_hook *uh)
{
    if (uh->registered)
        return -EEXIST;
    int err = nf_register_net_hook(net, &uh->ops);
    uh->registered = err == 0;
    return err;
}

void nf_user_hooks_exit(struct net *net)
{
    struct nf_user_hook *uh = net->user_hooks;
    while (uh) {
        struct nf_user_hook *next = uh->next;
        nf_user_hook_unregister(net, uh);
        g_free(uh);
        uh = next;
    }
    net->user_hooks = NULL;
}
