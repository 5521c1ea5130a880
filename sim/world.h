/* The world: the clock, the packet pool, and every host and link of a run. */
#ifndef IPVSIM_SIM_WORLD_H
#define IPVSIM_SIM_WORLD_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/host.h"
#include "sim/link.h"
#include "sim/sim.h"
#include "sim/skb.h"

struct world {
    struct sim sim;
    struct skb_pool pool;
    GPtrArray *hosts;               /* struct host *, in creation order */
    GPtrArray *links;               /* struct link *, in creation order */
    /* Name -> object, for lookups only: never iterated (order would not be stable). */
    GHashTable *host_by_name;
    GHashTable *link_by_name;
};

void world_init(struct world *w, uint64_t seed);
/* Frees every host (calling its model's destroy, in creation order, before anything
 * is freed) and link, closes the taps still open, drops pending events and the
 * packet pool. Tap write errors are lost here: call world_close_taps first to see
 * them. */
void world_destroy(struct world *w);

struct host *world_host(const struct world *w, const char *name);
struct link *world_link(const struct world *w, const char *name);

/* Close every device's capture tap (hosts and devices in creation order) and clear
 * dev->tap. Returns how many taps had a write error; err (if errlen > 0) then names
 * the first one. */
unsigned world_close_taps(struct world *w, char *err, size_t errlen);

#endif
