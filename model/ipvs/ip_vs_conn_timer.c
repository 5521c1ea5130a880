/* Connection expiry (net/netfilter/ipvs/ip_vs_conn.c ip_vs_conn_expire,
 * __ip_vs_conn_put_timer). The kernel gives each connection a timer and moves it with
 * every packet (mod_timer). A queue event per connection would cost a queue node
 * (48 B) per live entry, so connections armed with the same timeout share a FIFO
 * list instead: a packet moves its connection to the tail of its list, O(1), and
 * the list's one queue event fires for whatever is at the head. A connection still
 * expires at exactly now + timeout of its last packet. */
#include "model/ipvs/ip_vs_conn_tab.h"

#include <stdio.h>
#include <stdlib.h>
#include "model/net.h"
#include "sim/host.h"
#include "sim/sim.h"

static void conn_timer_fire(struct sim *s, void *obj, uint64_t arg);

/* The list for a timeout value: few values are ever in use (one per protocol state,
 * persistence timeouts, the retry), so a scan is cheap; an emptied list is reused. */
static uint32_t timer_list_for(struct ip_vs_conn_tab *t, sim_time_t timeout)
{
    uint32_t spare = IP_VS_CONN_NO_TIMER;
    for (uint32_t i = 0; i < t->n_timers; i++) {
        if (t->timers[i].timeout == timeout)
            return i;
        if (!t->timers[i].l.head && spare == IP_VS_CONN_NO_TIMER)
            spare = i;
    }
    if (spare == IP_VS_CONN_NO_TIMER) {
        if (t->n_timers == IP_VS_CONN_NO_TIMER - 1) {
            fprintf(stderr, "ipvs: too many distinct connection timeouts\n");
            abort();
        }
        spare = t->n_timers++;
        t->timers = g_renew(struct conn_timer_list, t->timers, t->n_timers);
        t->timers[spare] = (struct conn_timer_list){ .event = 0 };
    } else if (t->timers[spare].event) {
        /* Its event may be later than the first deadline of the new timeout. */
        sim_cancel(host_sim(t->ipvs->net->host), t->timers[spare].event);
        t->timers[spare].event = 0;
    }
    t->timers[spare].timeout = timeout;
    return spare;
}

static void list_arm(struct ip_vs_conn_tab *t, uint32_t idx)
{
    struct conn_timer_list *l = &t->timers[idx];
    if (l->l.head && !l->event)
        l->event = host_timer(t->ipvs->net->host, conn_at(t, l->l.head)->expires,
                              conn_timer_fire, t, idx);
}

void conn_timer_del(struct ip_vs_conn *cp)
{
    if (cp->timer_list == IP_VS_CONN_NO_TIMER)
        return;
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    struct conn_timer_list *l = &t->timers[cp->timer_list];
    conn_list_del(t, &l->l, offsetof(struct ip_vs_conn, t_list), cp);
    cp->timer_list = IP_VS_CONN_NO_TIMER;
    /* The list's event stays: early for the new head, it will re-arm then. */
}

void conn_timer_arm(struct ip_vs_conn *cp, sim_time_t delay)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    sim_time_t deadline = ip_vs_now(cp->ipvs) + delay;
    if (cp->timer_list != IP_VS_CONN_NO_TIMER) {
        struct conn_timer_list *l = &t->timers[cp->timer_list];
        /* Already last in the right list: only the deadline moves (a burst of
         * packets of one connection ends here). */
        if (l->timeout == delay && l->l.tail == cp->ref) {
            cp->expires = deadline;
            return;
        }
        conn_timer_del(cp);
    }
    uint32_t idx = timer_list_for(t, delay);
    struct conn_timer_list *l = &t->timers[idx];
    cp->expires = deadline;
    cp->timer_list = idx;
    conn_list_append(t, &l->l, offsetof(struct ip_vs_conn, t_list), cp);
    list_arm(t, idx);
}

/* Expire every head whose deadline has come, in list order, then wait for the
 * next head. Expiring may append to any list, this one included (a template that
 * still controls connections is re-armed), so the list is re-read each time. */
static void conn_timer_fire(struct sim *s, void *obj, uint64_t arg)
{
    struct ip_vs_conn_tab *t = obj;
    uint32_t idx = (uint32_t)arg;
    t->timers[idx].event = 0;
    uint32_t ref;
    while ((ref = t->timers[idx].l.head) != 0 && conn_at(t, ref)->expires <= s->now) {
        struct ip_vs_conn *cp = conn_at(t, ref);
        conn_timer_del(cp);
        ip_vs_conn_expire(cp);
    }
    list_arm(t, idx);
}

void conn_timers_free(struct ip_vs_conn_tab *t)
{
    g_free(t->timers);
    t->timers = NULL;
    t->n_timers = 0;
}
