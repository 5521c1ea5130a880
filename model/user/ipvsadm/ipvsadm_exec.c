/* Applying a parsed ipvsadm line: the control plane calls for each command
 * (ipvsadm_exec), and what ipvsadm prints when the kernel refuses one, libipvs's
 * ipvs_strerror words and the column of the line to point at; also the FULLNAT
 * local addresses of a service (an ipvsim extra, DPVS's -P/-Q), and ipvsadm_apply,
 * parsing and applying in one. The line itself is read in ipvsadm.c. */
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/ipvsadm/ipvsadm_print.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "model/net.h"

/* ---- applying: the control plane, and libipvs's words for its errors ---------------------- */

/* ipvs_strerror: a message per (operation, errno), then generic ones. */
static const char *ipvs_strerror(enum ipvsadm_command cmd, int err)
{
    static const struct { enum ipvsadm_command cmd; int err; const char *msg; } table[] = {
        { IPVSADM_CMD_ADD, EEXIST, "Service already exists" },
        { IPVSADM_CMD_ADD, ENOENT, "Scheduler or persistence engine not found" },
        { IPVSADM_CMD_EDIT, ESRCH, "No such service" },
        { IPVSADM_CMD_EDIT, ENOENT, "Scheduler or persistence engine not found" },
        { IPVSADM_CMD_DEL, ESRCH, "No such service" },
        { IPVSADM_CMD_ZERO, ESRCH, "No such service" },
        { IPVSADM_CMD_ADDDEST, ESRCH, "Service not defined" },
        { IPVSADM_CMD_ADDDEST, EEXIST, "Destination already exists" },
        { IPVSADM_CMD_EDITDEST, ESRCH, "Service not defined" },
        { IPVSADM_CMD_EDITDEST, ENOENT, "No such destination" },
        { IPVSADM_CMD_DELDEST, ESRCH, "Service not defined" },
        { IPVSADM_CMD_DELDEST, ENOENT, "No such destination" },
        { IPVSADM_CMD_ADDLADDR, ESRCH, "Service not defined" },
        { IPVSADM_CMD_ADDLADDR, EEXIST, "Local address already exists" },
        { IPVSADM_CMD_ADDLADDR, ENOSPC, "Too many local addresses" },
        { IPVSADM_CMD_ADDLADDR, EINVAL, "Not a local address of this host" },
        { IPVSADM_CMD_DELLADDR, ESRCH, "Service not defined" },
        { IPVSADM_CMD_DELLADDR, ENOENT, "No such local address" },
        { IPVSADM_CMD_NONE, EPERM, "Permission denied (you must be root)" },
        { IPVSADM_CMD_NONE, EINVAL, "Invalid operation.  Possibly wrong module version, "
                                    "address not unicast, ..." },
        { IPVSADM_CMD_NONE, ENOPROTOOPT, "Protocol not available" },
        { IPVSADM_CMD_NONE, ENOMEM, "Memory allocation problem" },
        { IPVSADM_CMD_NONE, EOPNOTSUPP, "Operation not supported with IPv6" },
        { IPVSADM_CMD_NONE, EAFNOSUPPORT, "Operation not supported with specified address family" },
        { IPVSADM_CMD_NONE, EMSGSIZE, "Module is wrong version" },
        /* strerror()'s words, fixed here so that no libc decides them */
        { IPVSADM_CMD_NONE, ERANGE, "Numerical result out of range" },
        { IPVSADM_CMD_NONE, EFAULT, "Bad address" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
        if ((table[i].cmd == IPVSADM_CMD_NONE || table[i].cmd == cmd) && table[i].err == err)
            return table[i].msg;
    return "Unknown error";
}

/* Where to point for an error the kernel returned. */
static int error_column(const struct ipvsadm_cmd *c, int err)
{
    int col = 0;
    switch (err) {
    case ESRCH: col = c->col_svc; break;
    case EEXIST: col = c->cmd == IPVSADM_CMD_ADD ? c->col_svc : c->col_dest; break;
    case ENOENT: col = c->cmd == IPVSADM_CMD_ADD || c->cmd == IPVSADM_CMD_EDIT
                           ? c->col_sched : c->col_dest; break;
    case ERANGE: col = c->col_lthresh ? c->col_lthresh : c->col_uthresh; break;
    case EINVAL: col = c->col_laddr ? c->col_laddr : c->col_dest; break;
    case EAFNOSUPPORT: col = c->col_dest; break;
    default: break;
    }
    if ((c->cmd == IPVSADM_CMD_ADDLADDR || c->cmd == IPVSADM_CMD_DELLADDR) &&
        (err == EEXIST || err == ENOENT || err == ENOSPC))
        col = c->col_laddr;
    return col ? col : c->col_cmd;
}

/* FULLNAT local addresses of a service (ipvsim extra): kept in the service, in the
 * order added; an address must be one of the director's. */
static int svc_add_laddr(struct netns_ipvs *ipvs, struct ip_vs_service *svc, be32 addr)
{
    for (unsigned i = 0; i < svc->n_laddrs; i++)
        if (svc->laddrs[i] == addr)
            return -EEXIST;
    if (svc->n_laddrs == IP_VS_FNAT_MAX_LADDRS)
        return -ENOSPC;
    if (!inet_addr_local(ipvs->net, addr))
        return -EINVAL;
    svc->laddrs[svc->n_laddrs++] = addr;
    return 0;
}

static int svc_del_laddr(struct ip_vs_service *svc, be32 addr)
{
    for (unsigned i = 0; i < svc->n_laddrs; i++) {
        if (svc->laddrs[i] != addr)
            continue;
        memmove(&svc->laddrs[i], &svc->laddrs[i + 1],
                sizeof svc->laddrs[0] * (svc->n_laddrs - i - 1));
        svc->n_laddrs--;
        svc->laddr_next = 0;
        return 0;
    }
    return -ENOENT;
}

static int exec_service(struct netns_ipvs *ipvs, const struct ipvsadm_cmd *c)
{
    const struct ip_vs_service_user *u = &c->svc;
    if (c->cmd == IPVSADM_CMD_ADD)
        return ip_vs_add_service(ipvs, u, NULL);
    struct ip_vs_service *svc =
        ip_vs_service_get_af(ipvs, u->af, u->protocol, u->addr, u->port, u->fwmark);
    if (!svc)
        return -ESRCH;
    switch (c->cmd) {
    case IPVSADM_CMD_EDIT: return ip_vs_edit_service(svc, u);
    case IPVSADM_CMD_DEL: return ip_vs_del_service(svc);
    case IPVSADM_CMD_ZERO: ip_vs_zero_service(svc); return 0;
    case IPVSADM_CMD_ADDDEST: return ip_vs_add_dest(svc, &c->dest);
    case IPVSADM_CMD_EDITDEST: return ip_vs_edit_dest(svc, &c->dest);
    case IPVSADM_CMD_ADDLADDR: return svc_add_laddr(ipvs, svc, c->laddr);
    case IPVSADM_CMD_DELLADDR: return svc_del_laddr(svc, c->laddr);
    default: return ip_vs_del_dest(svc, c->dest.addr, c->dest.port);
    }
}

static int exec_cmd(struct netns_ipvs *ipvs, const struct ipvsadm_cmd *c)
{
    switch (c->cmd) {
    case IPVSADM_CMD_NONE:
        return 0;
    case IPVSADM_CMD_FLUSH:
        return ip_vs_flush(ipvs);
    case IPVSADM_CMD_TIMEOUT:
        return ip_vs_set_timeout(ipvs, c->tcp_timeout, c->tcpfin_timeout, c->udp_timeout);
    case IPVSADM_CMD_ZERO:
        /* no service address: every counter */
        if (!c->svc.fwmark && !c->svc.addr && !c->svc.port) {
            ip_vs_zero_all(ipvs);
            return 0;
        }
        return exec_service(ipvs, c);
    default:
        return exec_service(ipvs, c);
    }
}

/* Service options the era's kernel does not have yet: one-packet scheduling and
 * the scheduler flags (model/profile.c says since when). An ipvsadm of today would
 * send them and an old kernel would keep the bits without acting on them; ipvsim
 * refuses them instead, so that a scenario cannot rely on what its kernel lacks. */
static int era_option_check(const struct kernel_profile *prof, const struct ipvsadm_cmd *c,
                            struct ipvsadm_error *err)
{
    const char *what = NULL, *feature = NULL;
    int col = 0;
    if (c->cmd != IPVSADM_CMD_ADD && c->cmd != IPVSADM_CMD_EDIT)
        return 0;
    if ((c->svc.flags & IP_VS_SVC_F_ONEPACKET) && !kernel_profile_has_svc_flag(prof, "ops")) {
        what = "One-Packet Scheduling (-o) does";
        feature = "ops";
        col = c->col_ops;
    } else if ((c->svc.flags & (IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 | IP_VS_SVC_F_SCHED3)) &&
               !kernel_profile_has_svc_flag(prof, "sh-fallback")) {
        what = "scheduler flags (-b) do";
        feature = "sh-fallback";
        col = c->col_sched_flags;
    }
    if (!what)
        return 0;
    if (err) {
        g_snprintf(err->message, sizeof err->message, "%s not exist in kernel %s (came in %s)",
                   what, prof->name, kernel_feature_since(feature));
        err->column = col ? col : c->col_cmd;
    }
    return -1;
}

/* Why the control plane refused a dest of the other family than its service's
 * (dest_family_check: -EINVAL, for which ipvsadm has only its generic words); NULL
 * when the families agree. */
static const char *mixed_family_reason(const struct net *net, const struct ipvsadm_cmd *cmd)
{
    if ((cmd->cmd != IPVSADM_CMD_ADDDEST && cmd->cmd != IPVSADM_CMD_EDITDEST) ||
        inet_key_family(cmd->dest.addr) == (cmd->svc.af == AF_INET6 ? AF_INET6 : AF_INET))
        return NULL;
    if (!net->prof->ipvs_mixed_af_tun)
        return "a real server of the other family than its service's: kernel %s has none "
               "(LVS-TUN to one came in 3.18)";
    if ((cmd->dest.conn_flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_TUNNEL)
        return "a real server of the other family than its service's: only LVS-TUN (-i) "
               "carries it (IPv6-in-IPv4 or IPv4-in-IPv6); NAT (-m) and DR (-g) need the "
               "service's family";
    if (net->ipvs && net->ipvs->sync_state)
        return "a real server of the other family than its service's: not while the sync "
               "daemon runs (its messages have one family per connection)";
    return NULL;
}

/* ipvs_strerror's words, and for a scheduler the kernel could not find, the ones
 * the era's kernel has (a typo or a scheduler younger than the kernel); for a dest
 * refused for its family, why. */
static void exec_error(const struct net *net, const struct ipvsadm_cmd *cmd, int err,
                       struct ipvsadm_error *out)
{
    const struct kernel_profile *prof = net->prof;
    g_strlcpy(out->message, ipvs_strerror(cmd->cmd, err), sizeof out->message);
    out->column = error_column(cmd, err);
    const char *why = err == EINVAL ? mixed_family_reason(net, cmd) : NULL;
    if (err == EAFNOSUPPORT && (cmd->dest.conn_flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_FULLNAT)
        why = "FULLNAT (--fullnat, an ipvsim extra) is modelled for IPv4 services only";
    if (why) {
        size_t n = strlen(out->message);
        g_strlcpy(out->message + n, " (", sizeof out->message - n);
        n = strlen(out->message);
        g_snprintf(out->message + n, sizeof out->message - n, why, prof->name);
        g_strlcat(out->message, ")", sizeof out->message);
    }
    if (err != ENOENT || (cmd->cmd != IPVSADM_CMD_ADD && cmd->cmd != IPVSADM_CMD_EDIT))
        return;
    GString *names = g_string_new(NULL);
    for (const char *const *n = ip_vs_scheduler_names(); *n; n++)
        if (kernel_profile_has_scheduler(prof, *n))
            g_string_append_printf(names, " %s", *n);
    g_snprintf(out->message + strlen(out->message), sizeof out->message - strlen(out->message),
               " (kernel %s has:%s)", prof->name, names->str);
    g_string_free(names, TRUE);
}

int ipvsadm_exec(struct net *net, const struct ipvsadm_cmd *cmd, struct ipvsadm_error *err)
{
    if (cmd->cmd == IPVSADM_CMD_NONE)
        return 0;
    if (cmd->cmd == IPVSADM_CMD_LIST) {
        if (err) {
            err->column = cmd->col_cmd;
            g_strlcpy(err->message, "a listing (-L) changes nothing: give it as an event "
                      "(\"do\": \"ipvsadm\"), whose log shows what it prints",
                      sizeof err->message);
        }
        return -1;
    }
    if (era_option_check(net->prof, cmd, err))
        return -1;
    int ret = exec_cmd(ip_vs_net(net), cmd);
    if (ret == 0)
        return 0;
    if (err)
        exec_error(net, cmd, -ret, err);
    return -1;
}

int ipvsadm_apply(struct net *net, const char *line, struct ipvsadm_error *err)
{
    struct ipvsadm_cmd cmd;
    if (ipvsadm_parse(line, &cmd, err))
        return -1;
    return ipvsadm_exec(net, &cmd, err);
}

int ipvsadm_list_cmd(GString *out, struct net *net, const struct ipvsadm_cmd *cmd,
                     struct ipvsadm_error *err)
{
    const struct netns_ipvs *ipvs = net->ipvs;
    if (cmd->list_timeout) {
        ipvsadm_list_timeout(out, ipvs);
        return 0;
    }
    if (cmd->list_conns) {
        ipvsadm_list_conns(out, ipvs, cmd->list_fmt);
        return 0;
    }
    if (!cmd->list_one) {
        ipvsadm_list(out, ipvs, cmd->list_fmt);
        return 0;
    }
    const struct ip_vs_service_user *u = &cmd->svc;
    const struct ip_vs_service *svc =
        ipvs ? ip_vs_service_get_af(net->ipvs, u->af, u->protocol, u->addr, u->port, u->fwmark)
             : NULL;
    if (!svc) {
        if (err) {
            err->column = cmd->col_svc;
            g_strlcpy(err->message, "No such service", sizeof err->message);
        }
        return -1;
    }
    ipvsadm_list_service(out, svc, cmd->list_fmt);
    return 0;
}
