/* The world: owner of the clock, the packet pool, the hosts and the links. */
#include "sim/world.h"

#include <stdio.h>
#include <string.h>
#include "sim/pcap_tap.h"

void world_init(struct world *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    sim_init(&w->sim, seed);
    skb_pool_init(&w->pool);
    w->pool.stop = &w->sim.stop;    /* the packet limit ends the run */
    w->hosts = g_ptr_array_new();
    w->links = g_ptr_array_new();
    w->host_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    w->link_by_name = g_hash_table_new(g_str_hash, g_str_equal);
}

void world_destroy(struct world *w)
{
    if (!w->hosts)
        return;
    /* 1. Every model lets go of its state while all hosts, links and the pool are
     *    still there (a model may free packets it holds). */
    for (guint i = 0; i < w->hosts->len; i++) {
        struct host *h = g_ptr_array_index(w->hosts, i);
        if (h->ops && h->ops->destroy)
            h->ops->destroy(h);
        h->ops = NULL;
        h->model = NULL;
    }
    world_close_taps(w, NULL, 0);
    /* 2. Links (they unplug their devices), then hosts; both detached from the world
     *    first so that they do not unregister one by one. */
    for (guint i = 0; i < w->links->len; i++) {
        struct link *l = g_ptr_array_index(w->links, i);
        l->world = NULL;
        link_free(l);
    }
    for (guint i = 0; i < w->hosts->len; i++) {
        struct host *h = g_ptr_array_index(w->hosts, i);
        h->world = NULL;
        host_free(h);
    }
    g_ptr_array_free(w->hosts, TRUE);
    g_ptr_array_free(w->links, TRUE);
    g_hash_table_destroy(w->host_by_name);
    g_hash_table_destroy(w->link_by_name);
    w->hosts = w->links = NULL;
    w->host_by_name = w->link_by_name = NULL;
    /* 3. Pending events reference packets of the pool: both go together. */
    sim_destroy(&w->sim);
    skb_pool_destroy(&w->pool);
}

struct host *world_host(const struct world *w, const char *name)
{
    return name ? g_hash_table_lookup(w->host_by_name, name) : NULL;
}

struct link *world_link(const struct world *w, const char *name)
{
    return name ? g_hash_table_lookup(w->link_by_name, name) : NULL;
}

unsigned world_close_taps(struct world *w, char *err, size_t errlen)
{
    unsigned failed = 0;
    for (guint i = 0; i < w->hosts->len; i++) {
        struct host *h = g_ptr_array_index(w->hosts, i);
        for (unsigned d = 0; d < h->ndevs; d++) {
            struct net_device *dev = h->devs[d];
            if (!dev->tap)
                continue;
            struct pcap_tap *t = dev->tap;
            dev->tap = NULL;
            char msg[256];
            if (pcap_tap_close_err(t, msg, sizeof msg) != 0) {
                if (failed == 0 && err && errlen > 0)
                    snprintf(err, errlen, "capture on %s/%s: %s", h->name, dev->name, msg);
                failed++;
            }
        }
    }
    return failed;
}
