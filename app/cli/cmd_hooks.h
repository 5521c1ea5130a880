/* `ipvsim hooks [--kernel VERSION] [--diff VERSION] [SCENARIO]`: every hook point's
 * hook functions in traversal order, with priority, function and owner (the view
 * `nft list hooks` gives); --diff: what changed from one kernel to the other. */
#ifndef IPVSIM_APP_CLI_CMD_HOOKS_H
#define IPVSIM_APP_CLI_CMD_HOOKS_H

#include <glib.h>

struct net;

int cmd_hooks(int argc, char **argv);

/* Append the table of net's hook points to out. */
void hooks_print(const struct net *net, GString *out);
/* Load every built-in an era has (defrag, conntrack, NAT, the five iptables tables,
 * IPVS with one virtual service so that lazy eras register its hooks) on net. */
void hooks_load_everything(struct net *net);

#endif
