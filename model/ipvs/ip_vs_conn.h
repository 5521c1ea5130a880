/* The IPVS connection table (ip_vs_conn.c): lookups in both directions,
 * persistence templates, creation and binding to a dest, and expiry (each packet
 * moves the deadline to now + the state's timeout; ip_vs_conn_timer.c). */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_CONN_H
#define IPVSIM_MODEL_IPVS_IP_VS_CONN_H

#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_core.h"
#include "sim/in6_key.h"

/* What identifies a new connection or a template (struct ip_vs_conn_param).
 * laddr/lport: a FULLNAT connection's local address and port (ipvsim extra). */
struct ip_vs_conn_param {
    uint16_t protocol;
    be32 caddr, vaddr;
    be16 cport, vport;
    be32 laddr;
    be16 lport;
};

#define IP_VS_CONN_EXPIRE_RETRY (60 * SEC)   /* still controlling others: try later */
#define IP_VS_CONN_INITIAL_TIMEOUT (3 * SEC) /* until the first state transition */

void ip_vs_conn_tab_init(struct netns_ipvs *ipvs);
void ip_vs_conn_tab_exit(struct netns_ipvs *ipvs);

/* Client -> VIP lookup (ip_vs_conn_in_get). */
struct ip_vs_conn *ip_vs_conn_in_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 caddr,
                                     be16 cport, be32 vaddr, be16 vport);
/* Server -> client lookup (ip_vs_conn_out_get): the reply's source and destination. */
struct ip_vs_conn *ip_vs_conn_out_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 saddr,
                                      be16 sport, be32 daddr, be16 dport);
/* Template lookup (ip_vs_ct_in_get). */
struct ip_vs_conn *ip_vs_ct_in_get(struct netns_ipvs *ipvs, const struct ip_vs_conn_param *p);

/* A new connection bound to dest (NULL for bypass), hashed unless ONE_PACKET, with
 * the 3 s initial timeout. NULL at the connection limit. */
struct ip_vs_conn *ip_vs_conn_new(struct netns_ipvs *ipvs, const struct ip_vs_conn_param *p,
                                  be32 daddr, be16 dport, unsigned flags,
                                  struct ip_vs_dest *dest, uint32_t fwmark);

/* End of packet processing (ip_vs_conn_put): the deadline becomes now + timeout. */
void ip_vs_conn_put(struct ip_vs_conn *cp);
/* Expire as soon as possible (ip_vs_conn_expire_now): at an event of the current
 * time; the timeout is kept, so a later put would restart it. */
void ip_vs_conn_expire_now(struct ip_vs_conn *cp);
/* Delete now, within the call (ip_vs_conn_del): a connection that still controls
 * others only gets the 60 s retry; a controlled one gets timeout 0 so that its
 * controller goes too once it controls nothing and is not an ASSURED template. */
void ip_vs_conn_del(struct ip_vs_conn *cp);
/* Link a connection to the template that chose its dest. */
void ip_vs_control_add(struct ip_vs_conn *cp, struct ip_vs_conn *ctl);
/* Make a template never match again; it times out in place. */
void ip_vs_conn_invalidate_template(struct ip_vs_conn *ct);

/* Change the protocol state, moving the conn between ActiveConn and InActConn. */
void ip_vs_conn_set_state(struct ip_vs_conn *cp, int state, bool active);
/* The connection moved into ESTABLISHED (not: is in it): its template becomes
 * ASSURED (4.19+; a no-op in older eras). */
void ip_vs_control_assure_ct(struct ip_vs_conn *cp);

/* The transmitter (ip_vs_bind_xmit), derived from the forwarding method; NULL for
 * templates, which never carry packets. */
static inline ip_vs_xmit_fn ip_vs_conn_xmit(const struct ip_vs_conn *cp)
{
    if (cp->flags & IP_VS_CONN_F_TEMPLATE)
        return NULL;
    return in6_is_key(cp->daddr) ? ip_vs_xmit_for_v6(cp->flags) : ip_vs_xmit_for(cp->flags);
}

/* Every connection, in creation order (listings). */
void ip_vs_conn_for_each(struct netns_ipvs *ipvs, void (*fn)(struct ip_vs_conn *cp, void *ctx),
                         void *ctx);
uint64_t ip_vs_conn_count(const struct netns_ipvs *ipvs);
/* Seconds left before expiry, as /proc/net/ip_vs_conn shows it. */
unsigned ip_vs_conn_expires_in(const struct ip_vs_conn *cp);
/* Delete every connection whose dest is no longer available (after a delete with
 * expire_nodest_conn), as the kernel's deferred work does from 5.9 on, and the
 * templates left controlling nothing. */
void ip_vs_conn_expire_nodest(struct netns_ipvs *ipvs);
/* Delete every entry, templates included (ip_vs_conn_flush). */
void ip_vs_conn_flush(struct netns_ipvs *ipvs);

/* At most limit entries (connections and templates; 0 = no limit): at the limit a
 * new connection cannot be made, as when the kernel's allocation fails, and its
 * packet is dropped (answered with port unreachable by 2.6, through ip_vs_leave).
 * ip_vs_conn_refused counts them. */
void ip_vs_conn_set_limit(struct netns_ipvs *ipvs, uint64_t limit);
uint64_t ip_vs_conn_refused(const struct netns_ipvs *ipvs);

#endif
