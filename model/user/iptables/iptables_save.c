/* The `iptables -S` printer: tables, chains and rules in the syntax iptables_apply
 * reads, names quoted where a bare word would not read back the same, so that parsing
 * the output gives the same tables again. The extensions print their own options
 * (with xt_save_string for strings). */
#include "model/user/iptables/iptables_parse.h"

#include <stdio.h>
#include <string.h>
#include "model/net.h"
#include "sim/in6.h"
#include "model/user/iptables/xtables.h"

/* ---- iptables -S ------------------------------------------------------------------ */

/* A chain or interface name as -S prints it: bare, as iptables does, unless it holds a
 * character that tokenize() takes as quoting (a double or a single quote, a
 * backslash) or a blank (an interface name may hold one); then it is quoted as xt_save_string quotes, so that the output reads back
 * (found by fuzzing: a chain named a"b was printed bare, an unterminated quote; an
 * interface named \3 came back as 3, one ending in a blank lost it). */
static void save_chain_name(GString *out, const char *name)
{
    if (strpbrk(name, "\"'\\ \t\n\v\f\r"))
        xt_save_string(out, name);
    else
        g_string_append_printf(out, " %s", name);
}

void xt_save_string(GString *out, const char *s)
{
    size_t plain = strspn(s, "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (plain > 0 && s[plain] == '\0') {
        g_string_append_printf(out, " %s", s);
        return;
    }
    g_string_append(out, " \"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\' || *s == '\'')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
    g_string_append_c(out, '"');
}

static void save_ipv4_addr(GString *out, char letter, be32 addr, be32 mask, bool invert)
{
    if (!mask && !invert && !addr)
        return;
    char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, a, sizeof a);
    uint32_t h = ntohl(mask);
    int bits = 0;
    while (bits < 32 && (h & (0x80000000u >> bits)))
        bits++;
    bool cidr = bits == 32 || (h << bits) == 0;
    if (cidr)
        snprintf(m, sizeof m, "%d", bits);
    else
        inet_ntop(AF_INET, &mask, m, sizeof m);
    g_string_append_printf(out, "%s -%c %s/%s", invert ? " !" : "", letter, a, m);
}

static void save_iface(GString *out, char letter, const char *iface, const uint8_t *mask,
                       bool invert)
{
    if (mask[0] == 0)
        return;
    g_string_append_printf(out, "%s -%c", invert ? " !" : "", letter);
    char name[IFNAMSIZ + 2];
    size_t n = 0;
    for (unsigned i = 0; i < IFNAMSIZ; i++) {
        if (mask[i]) {
            if (iface[i])
                name[n++] = iface[i];
        } else {
            if (iface[i - 1])
                name[n++] = '+';
            break;
        }
    }
    name[n] = '\0';
    save_chain_name(out, name);
}

/* ip6tables-save: "addr/len" (a mask that is no prefix printed as an address), always
 * with the length; nothing for ::/0. */
static void save_ipv6_addr(GString *out, char letter, const struct in6_addr *addr,
                           const struct in6_addr *mask, bool invert)
{
    static const struct in6_addr zero;
    if (ipv6_addr_equal(mask, &zero) && !invert && ipv6_addr_equal(addr, &zero))
        return;
    char a[IN6_ADDRSTRLEN], m[IN6_ADDRSTRLEN];
    in6_ntop(addr, a);
    int bits = 0;
    while (bits < 128 && (mask->s6_addr[bits / 8] & (0x80u >> (bits % 8))))
        bits++;
    bool cidr = true;
    for (int b = bits; b < 128; b++)
        if (mask->s6_addr[b / 8] & (0x80u >> (b % 8)))
            cidr = false;
    if (cidr)
        snprintf(m, sizeof m, "%d", bits);
    else
        in6_ntop(mask, m);
    g_string_append_printf(out, "%s -%c %s/%s", invert ? " !" : "", letter, a, m);
}

static void save_ip_part(GString *out, const struct ipt_ip *ip)
{
    if (ip->af == NFPROTO_IPV6) {
        save_ipv6_addr(out, 's', &ip->src6, &ip->smsk6, ip->invflags & IPT_INV_SRCIP);
        save_ipv6_addr(out, 'd', &ip->dst6, &ip->dmsk6, ip->invflags & IPT_INV_DSTIP);
    } else {
        save_ipv4_addr(out, 's', ip->src, ip->smsk, ip->invflags & IPT_INV_SRCIP);
        save_ipv4_addr(out, 'd', ip->dst, ip->dmsk, ip->invflags & IPT_INV_DSTIP);
    }
    save_iface(out, 'i', ip->iniface, ip->iniface_mask, ip->invflags & IPT_INV_VIA_IN);
    save_iface(out, 'o', ip->outiface, ip->outiface_mask, ip->invflags & IPT_INV_VIA_OUT);
    if (ip->proto) {
        const char *name = xt_proto_name(ip->proto);
        if (ip->af == NFPROTO_IPV6 && ip->proto == NEXTHDR_ICMP)
            name = "ipv6-icmp";         /* /etc/protocols' name, as ip6tables-save prints */
        if (ip->invflags & XT_INV_PROTO)
            g_string_append(out, " !");
        if (name)
            g_string_append_printf(out, " -p %s", name);
        else
            g_string_append_printf(out, " -p %u", ip->proto);
    }
    if (ip->af != NFPROTO_IPV6 && (ip->flags & IPT_F_FRAG))
        g_string_append_printf(out, "%s -f", ip->invflags & IPT_INV_FRAG ? " !" : "");
}

static const char *standard_name(int verdict)
{
    switch (verdict) {
    case NF_ACCEPT: return "ACCEPT";
    case NF_DROP: return "DROP";
    case NF_QUEUE: return "QUEUE";
    default: return "RETURN";
    }
}

static void save_rule_body(GString *out, const struct ipt_entry *e, bool counters)
{
    save_ip_part(out, &e->ip);
    for (unsigned i = 0; i < e->nmatches; i++) {
        const struct xtables_match *ext = xtables_match_of(e->matches[i].match);
        g_string_append_printf(out, " -m %s", e->matches[i].match->name);
        if (ext && ext->save)
            ext->save(&e->matches[i], out);
    }
    if (counters)
        g_string_append_printf(out, " -c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                               e->counters.pcnt, e->counters.bcnt);
    const struct xt_entry_target *t = &e->target;
    char jump = e->ip.flags & IPT_F_GOTO ? 'g' : 'j';
    if (!t->target)
        return;
    if (t->target == &xt_standard_target) {
        g_string_append_printf(out, " -%c", jump);
        if (t->chain)
            save_chain_name(out, t->chain->name);
        else
            g_string_append_printf(out, " %s", standard_name(t->verdict));
        return;
    }
    const struct xtables_target *ext = xtables_target_of(t->target);
    g_string_append_printf(out, " -j %s", t->target->name);
    if (ext && ext->save)
        ext->save(t, out);
}

void iptables_save_rule(const struct ipt_entry *e, GString *out)
{
    save_rule_body(out, e, false);
}

/* Built-in chains in hook order, then the user chains (kept sorted by name). */
static unsigned table_chains(const struct xt_table *t, const struct xt_chain **v, unsigned cap)
{
    unsigned n = 0;
    for (unsigned h = 0; h < NF_INET_NUMHOOKS && n < cap; h++)
        if (t->builtin[h])
            v[n++] = t->builtin[h];
    for (unsigned i = 0; i < t->user_chains->len && n < cap; i++)
        v[n++] = g_ptr_array_index(t->user_chains, i);
    return n;
}

static void save_table_prefixed(const struct xt_table *t, GString *out, bool counters,
                                const char *prefix)
{
    unsigned cap = NF_INET_NUMHOOKS + t->user_chains->len;
    const struct xt_chain **chains = g_new(const struct xt_chain *, cap);
    unsigned n = table_chains(t, chains, cap);
    for (unsigned i = 0; i < n; i++) {
        const struct xt_chain *c = chains[i];
        if (c->hook < 0) {
            g_string_append_printf(out, "%s-N", prefix);
            save_chain_name(out, c->name);
            g_string_append_c(out, '\n');
            continue;
        }
        g_string_append_printf(out, "%s-P %s %s", prefix, c->name, standard_name(c->policy));
        if (counters)
            g_string_append_printf(out, " -c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                                   c->policy_counters.pcnt, c->policy_counters.bcnt);
        g_string_append_c(out, '\n');
    }
    for (unsigned i = 0; i < n; i++)
        for (unsigned r = 0; r < chains[i]->rules->len; r++) {
            g_string_append_printf(out, "%s-A", prefix);
            save_chain_name(out, chains[i]->name);
            save_rule_body(out, g_ptr_array_index(chains[i]->rules, r), counters);
            g_string_append_c(out, '\n');
        }
    g_free(chains);
}

void iptables_save_table(const struct xt_table *t, GString *out, bool counters)
{
    save_table_prefixed(t, out, counters, "");
}

static void save_tables(struct xt_table *const *tables, GString *out)
{
    for (unsigned id = 0; id < XT_TABLE_MAX; id++) {
        const struct xt_table *t = tables[id];
        if (!t || !t->registered)
            continue;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "-t %s ", t->def->name);
        save_table_prefixed(t, out, false, prefix);
    }
}

void iptables_save(const struct net *net, GString *out)
{
    if (net->xt)
        save_tables(net->xt->tables, out);
}

void ip6tables_save(const struct net *net, GString *out)
{
    if (net->xt)
        save_tables(net->xt->tables6, out);
}
