/* User hook functions from a scenario's "hooks" list: an observer (it counts and
 * accepts) or a fixed verdict (DROP, optionally with an errno; QUEUE to a number,
 * with or without the bypass flag; STOLEN; REPEAT; STOP; ACCEPT), registered at any
 * hook point and priority, so ordering lessons and regression tests can be written.
 * Each appears in traces as "<name>" with owner "user". */
#ifndef IPVSIM_MODEL_USER_HOOK_H
#define IPVSIM_MODEL_USER_HOOK_H

#include <stdbool.h>
#include <stdint.h>
#include "model/netfilter/core.h"

struct net;

#define USER_HOOK_NAMSIZ 48

struct nf_user_hook {
    struct nf_hook_ops ops;
    char name[USER_HOOK_NAMSIZ];
    unsigned verdict;               /* returned on every call */
    bool registered;
    uint64_t calls;
    struct nf_user_hook *next;      /* the net's list, in creation order */
};

/* Parse a verdict as a scenario writes it: "accept" (the observer), "drop",
 * "drop:-113" / "drop:EHOSTUNREACH", "queue", "queue:5", "queue:5:bypass", "stolen",
 * "repeat", "stop". Returns false for anything else. */
bool nf_user_verdict_parse(const char *s, unsigned *verdict);

/* Create and register a user hook on the IPv4 hook table; NULL with *err set
 * (-EINVAL, -E2BIG, -EEXIST for a name already used on this host and family). */
struct nf_user_hook *nf_user_hook_add(struct net *net, const char *name, unsigned hooknum,
                                      int priority, unsigned verdict, int *err);
/* The same on family pf's table (NFPROTO_IPV4 or NFPROTO_IPV6): a hook on both
 * families is two registrations of one name, as a module registers an ops per family. */
struct nf_user_hook *nf_user_hook_add_pf(struct net *net, const char *name, uint8_t pf,
                                         unsigned hooknum, int priority, unsigned verdict,
                                         int *err);
/* The first by name (either family), or the one of family pf. */
struct nf_user_hook *nf_user_hook_find(const struct net *net, const char *name);
struct nf_user_hook *nf_user_hook_find_pf(const struct net *net, const char *name, uint8_t pf);
/* Unregister (it stays known by name, so it can be registered again). */
void nf_user_hook_unregister(struct net *net, struct nf_user_hook *uh);
/* Register again: it goes where a new registration goes in this era. */
int nf_user_hook_register(struct net *net, struct nf_user_hook *uh);

void nf_user_hooks_exit(struct net *net);

#endif
