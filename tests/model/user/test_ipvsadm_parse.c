/* The ipvsadm command parser: every option, good and bad (ipvsadm's message and
 * the column of the offending token), popt's ways of writing options, ipvsadm's
 * defaults, the control plane's refusals in libipvs's words, atomicity, and the
 * round trip parse -> save -> parse, with a real ipvsadm-save -n paste. */
#include <string.h>
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "model/net.h"
#include "sim/world.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* The expected column is where marker starts in the line (1-based). */
struct bad_case {
    const char *line;
    const char *marker;
    const char *message;
};

static int marker_col(const char *line, const char *marker)
{
    const char *at = strstr(line, marker);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    return (int)(at - line) + 1;
}

static void expect_parse_error(const struct bad_case *c)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = { 0 };
    int ret = ipvsadm_parse(c->line, &cmd, &err);
    CU_ASSERT_EQUAL(ret, -1);
    CU_ASSERT_STRING_EQUAL(err.message, c->message);
    CU_ASSERT_EQUAL(err.column, marker_col(c->line, c->marker));
    if (ret != -1 || strcmp(err.message, c->message) != 0 ||
        err.column != marker_col(c->line, c->marker))
        fprintf(stderr, "\n  line: %s\n  got:  %d: %s\n", c->line, err.column, err.message);
}

static struct ipvsadm_cmd parse_ok(const char *line)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = { 0 };
    int ret = ipvsadm_parse(line, &cmd, &err);
    CU_ASSERT_EQUAL(ret, 0);
    if (ret)
        fprintf(stderr, "\n  line: %s\n  error: %d: %s\n", line, err.column, err.message);
    return cmd;
}

struct fx {
    struct world w;
    struct net *net;
};

static void fx_init(struct fx *f)
{
    world_init(&f->w, 1);
    struct host *h = host_new(&f->w, "lvs");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    f->net = net_new(h, NULL);
}

static void apply_ok(struct fx *f, const char *line)
{
    struct ipvsadm_error err = { 0 };
    int ret = ipvsadm_apply(f->net, line, &err);
    CU_ASSERT_EQUAL(ret, 0);
    if (ret)
        fprintf(stderr, "\n  line: %s\n  error: %d: %s\n", line, err.column, err.message);
}

static void apply_lines(struct fx *f, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        apply_ok(f, *l);
    g_strfreev(lines);
}

static void expect_apply_error(struct fx *f, const struct bad_case *c)
{
    struct ipvsadm_error err = { 0 };
    CU_ASSERT_EQUAL(ipvsadm_apply(f->net, c->line, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, c->message);
    CU_ASSERT_EQUAL(err.column, marker_col(c->line, c->marker));
    if (strcmp(err.message, c->message) != 0 || err.column != marker_col(c->line, c->marker))
        fprintf(stderr, "\n  line: %s\n  got:  %d: %s\n", c->line, err.column, err.message);
}

static char *save_text(struct fx *f)
{
    GString *s = g_string_new(NULL);
    ipvsadm_save(s, f->net->ipvs, 0);
    return g_string_free(s, FALSE);
}

/* ---- good lines ----------------------------------------------------------------------- */

static void test_service_defaults(void)
{
    struct ipvsadm_cmd c = parse_ok("-A -t 10.0.0.100:80");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_ADD);
    CU_ASSERT_EQUAL(c.svc.protocol, IPPROTO_TCP);
    CU_ASSERT_EQUAL(c.svc.addr, topo_ip("10.0.0.100"));
    CU_ASSERT_EQUAL(c.svc.port, htons(80));
    CU_ASSERT_STRING_EQUAL(c.svc.sched_name, "wlc");
    CU_ASSERT_EQUAL(c.svc.flags, 0);
    CU_ASSERT_EQUAL(c.svc.netmask, 0xffffffffu);
    c = parse_ok("ipvsadm -A -u 10.0.0.100:53 -s rr -p");
    CU_ASSERT_EQUAL(c.svc.protocol, IPPROTO_UDP);
    CU_ASSERT_STRING_EQUAL(c.svc.sched_name, "rr");
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_PERSISTENT);
    CU_ASSERT_EQUAL(c.svc.timeout, 360);                /* -p without a value */
    c = parse_ok("/sbin/ipvsadm -E -f 5 -p 600 -M 255.255.255.0 -s sh -b sh-fallback,sh-port");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_EDIT);
    CU_ASSERT_EQUAL(c.svc.fwmark, 5);
    CU_ASSERT_EQUAL(c.svc.timeout, 600);
    CU_ASSERT_EQUAL(c.svc.netmask, topo_ip("255.255.255.0"));
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2);
    c = parse_ok("-A --sctp-service 10.0.0.1:5060 -s mh -b mh-port");
    CU_ASSERT_EQUAL(c.svc.protocol, IPPROTO_SCTP);
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_SCHED2);
    c = parse_ok("-A -t 10.0.0.1:0 -p -b flag-1,flag-3");
    CU_ASSERT_EQUAL(c.svc.port, 0);
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED3);
    c = parse_ok("-A -u 10.0.0.1:53 -p -o");
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_ONEPACKET);
    CU_ASSERT_EQUAL(c.svc.timeout, 360);
    c = parse_ok("-A -f 9 -o");                        /* fwmark: -o allowed */
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_ONEPACKET);
}

/* popt's spellings: clusters, attached values, --name=value, the optional -p value. */
static void test_popt_forms(void)
{
    struct ipvsadm_cmd c = parse_ok("-At 10.0.0.1:80 -srr");
    CU_ASSERT_EQUAL(c.svc.port, htons(80));
    CU_ASSERT_STRING_EQUAL(c.svc.sched_name, "rr");
    c = parse_ok("--add-service --tcp-service=10.0.0.1:443 --scheduler=sh --persistent=600 "
                 "--netmask=255.255.0.0 --sched-flags=sh-port");
    CU_ASSERT_EQUAL(c.svc.port, htons(443));
    CU_ASSERT_EQUAL(c.svc.timeout, 600);
    CU_ASSERT_EQUAL(c.svc.netmask, topo_ip("255.255.0.0"));
    CU_ASSERT_EQUAL(c.svc.flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED2);
    c = parse_ok("-A -t 10.0.0.1:80 -p300");
    CU_ASSERT_EQUAL(c.svc.timeout, 300);
    c = parse_ok("-A -t 10.0.0.1:80 -p -s rr");          /* "-s" is not -p's value */
    CU_ASSERT_EQUAL(c.svc.timeout, 360);
    CU_ASSERT_STRING_EQUAL(c.svc.sched_name, "rr");
    c = parse_ok("  -a\t-t 10.0.0.1:80  -r 192.168.1.2:8080 -mw5   -x 10 -y 5  ");
    CU_ASSERT_EQUAL(c.dest.conn_flags, IP_VS_CONN_F_MASQ);
    CU_ASSERT_EQUAL(c.dest.weight, 5);
    CU_ASSERT_EQUAL(c.dest.u_threshold, 10);
    CU_ASSERT_EQUAL(c.dest.l_threshold, 5);
    c = parse_ok("-A -t 10.0.0.1:80 --sort");            /* a no-op */
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_ADD);
}

/* inet_aton's forms and the built-in port names (ipvsadm-save without -n). */
static void test_address_forms(void)
{
    struct ipvsadm_cmd c = parse_ok("-A -t 10.1:80");
    CU_ASSERT_EQUAL(c.svc.addr, topo_ip("10.0.0.1"));
    c = parse_ok("-A -t 0x0a000002:http");
    CU_ASSERT_EQUAL(c.svc.addr, topo_ip("10.0.0.2"));
    CU_ASSERT_EQUAL(c.svc.port, htons(80));
    c = parse_ok("-A -t 012.0.0.3:https");                /* octal 012 = 10 */
    CU_ASSERT_EQUAL(c.svc.addr, topo_ip("10.0.0.3"));
    CU_ASSERT_EQUAL(c.svc.port, htons(443));
    c = parse_ok("-A -u 10.0.0.4:domain");
    CU_ASSERT_EQUAL(c.svc.port, htons(53));
}

static void test_dest_defaults(void)
{
    struct ipvsadm_cmd c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_ADDDEST);
    CU_ASSERT_EQUAL(c.dest.addr, topo_ip("192.168.1.2"));
    CU_ASSERT_EQUAL(c.dest.port, htons(80));             /* the service's port */
    CU_ASSERT_EQUAL(c.dest.conn_flags, IP_VS_CONN_F_DROUTE);
    CU_ASSERT_EQUAL(c.dest.weight, 1);
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -g");
    CU_ASSERT_EQUAL(c.dest.port, htons(80));             /* DR cannot change the port */
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -i");
    CU_ASSERT_EQUAL(c.dest.port, htons(80));
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -m -w 0");
    CU_ASSERT_EQUAL(c.dest.port, htons(8080));
    CU_ASSERT_EQUAL(c.dest.weight, 0);
    c = parse_ok("-a -f 5 -r 192.168.1.2:8080 -i");        /* fwmark: the port stays */
    CU_ASSERT_EQUAL(c.dest.port, htons(8080));
    c = parse_ok("-e -t 10.0.0.1:80 -r 192.168.1.2 --masquerading --weight 3");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_EDITDEST);
    CU_ASSERT_EQUAL(c.dest.conn_flags, IP_VS_CONN_F_MASQ);
    c = parse_ok("-d -t 10.0.0.1:80 -r 192.168.1.2");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_DELDEST);
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2 --fullnat");
    CU_ASSERT_EQUAL(c.dest.conn_flags, IP_VS_CONN_F_FULLNAT);
}

static void test_tunnel_options(void)
{
    struct ipvsadm_cmd c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2 -i --tun-type gue "
                                    "--tun-port 6080 --tun-csum");
    CU_ASSERT_EQUAL(c.dest.conn_flags, IP_VS_CONN_F_TUNNEL);
    CU_ASSERT_EQUAL(c.dest.tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GUE);
    CU_ASSERT_EQUAL(c.dest.tun_port, htons(6080));
    CU_ASSERT_EQUAL(c.dest.tun_flags, IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2 -i --tun-type gue --tun-port 6080 --tun-remcsum");
    CU_ASSERT_EQUAL(c.dest.tun_flags, IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2 -i --tun-type gre --tun-nocsum");
    CU_ASSERT_EQUAL(c.dest.tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GRE);
    CU_ASSERT_EQUAL(c.dest.tun_flags, 0);
    c = parse_ok("-a -t 10.0.0.1:80 -r 192.168.1.2 -i --tun-type ipip");
    CU_ASSERT_EQUAL(c.dest.tun_type, IP_VS_CONN_F_TUNNEL_TYPE_IPIP);
}

static void test_other_commands(void)
{
    struct ipvsadm_cmd c = parse_ok("--set 900 0 300");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_TIMEOUT);
    CU_ASSERT_EQUAL(c.tcp_timeout, 900);
    CU_ASSERT_EQUAL(c.tcpfin_timeout, 0);
    CU_ASSERT_EQUAL(c.udp_timeout, 300);
    CU_ASSERT_EQUAL(parse_ok("-C").cmd, IPVSADM_CMD_FLUSH);
    CU_ASSERT_EQUAL(parse_ok("--clear").cmd, IPVSADM_CMD_FLUSH);
    CU_ASSERT_EQUAL(parse_ok("-Z").cmd, IPVSADM_CMD_ZERO);
    CU_ASSERT_EQUAL(parse_ok("-Z -u 10.0.0.1:53").svc.protocol, IPPROTO_UDP);
    CU_ASSERT_EQUAL(parse_ok("-D -t 10.0.0.1:80").cmd, IPVSADM_CMD_DEL);
    CU_ASSERT_EQUAL(parse_ok("").cmd, IPVSADM_CMD_NONE);
    CU_ASSERT_EQUAL(parse_ok("   \t ").cmd, IPVSADM_CMD_NONE);
    CU_ASSERT_EQUAL(parse_ok("ipvsadm").cmd, IPVSADM_CMD_NONE);
    CU_ASSERT_EQUAL(parse_ok("# saved by hand").cmd, IPVSADM_CMD_NONE);
}

/* ---- bad lines ---------------------------------------------------------------------------- */

static const struct bad_case option_errors[] = {
    { "-A -t 10.0.0.1:80 -s rr -s wlc", "-s wlc", "multiple 'scheduler' options specified" },
    { "-A -t 10.0.0.1:80 -f 3", "-f 3", "multiple 'service-address' options specified" },
    { "-A -t 80", "80", "illegal virtual server address[:port] specified" },
    { "-A -t 10.0.0.1:", "10.0.0.1:", "illegal virtual server address[:port] specified" },
    { "-A -t 10.0.0.1:65536", "10.0.0.1", "illegal virtual server address[:port] specified" },
    { "-A -t web.example.com:80", "web",
      "illegal virtual server address[:port] specified (host names are not resolved: give the "
      "address in numbers)" },
    { "-A -t 10.0.0.1:gopher", "10.0.0.1:gopher",
      "illegal virtual server address[:port] specified (unknown port name `gopher': give the port "
      "in numbers)" },
    { "-A -u 10.0.0.1:53 -p 99999999", "99999999", "invalid timeout value `99999999' specified" },
    { "-A -u 10.0.0.1:53 -px", "x", "invalid timeout value `x' specified" },
    { "-A -f 0x5", "0x5", "invalid fwmark value `0x5' specified" },
    { "-A -f -3", "-3", "invalid fwmark value `-3' specified" },
    { "-A -t 10.0.0.1:80 -p -M 255.255.255.256", "255.255.255.256",
      "illegal virtual server persistent mask specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -w 65536", "65536", "illegal weight specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 --weight=abc", "abc", "illegal weight specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -x -1", "-1", "illegal u_threshold specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -y 1x", "1x", "illegal l_threshold specified" },
    { "-a -t 10.0.0.1:80 -r host2", "host2",
      "illegal real server address[:port] specified (host names are not resolved: give the "
      "address in numbers)" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -r 10.0.0.3", "-r 10.0.0.3",
      "multiple 'real-server' options specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -m -g", "-g", "multiple 'forwarding-method' options specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan", "vxlan", "illegal tunnel type specified" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 70000", "70000",
      "illegal tunnel port specified" },
    { "-A -t 10.0.0.1:80 --bogus", "--bogus", "--bogus: unknown option" },
    { "-A -t 10.0.0.1:80 -q", "-q", "-q: unknown option" },
    { "-A -t 10.0.0.1:80 -nq", "q", "-nq: unknown option" },
    { "-A -t 10.0.0.1:80 -s", "-s", "-s: missing argument" },
    { "-A -t 10.0.0.1:80 --scheduler", "--scheduler", "--scheduler: missing argument" },
    { "-A -t 10.0.0.1:80 --stats=1", "--stats", "--stats: option does not take an argument" },
    { "-t 10.0.0.1:80 -A", "-t",
      "a command must come first (-A, -E, -D, -C, -a, -e, -d, -Z or --set)" },
    { "10.0.0.1", "10.0.0.1", "a command must come first (-A, -E, -D, -C, -a, -e, -d, -Z or --set)" },
    { "-A -t 10.0.0.1:80 -E", "-E", "invalid option `-E'" },
    { "ipvsadm -Sn", "-Sn", "`-Sn' does not change the configuration: only -A, -E, -D, -C, -a, "
                            "-e, -d, -Z and --set are accepted here" },
    { "--start-daemon master", "--start", "the connection sync daemon is not modelled by ipvsim" },
    { "-A -t 10.0.0.1:80 extra", "extra", "unexpected argument extra" },
    { "-C now", "now", "unexpected argument now" },
    { "--set 900 120", "--set", "--set option requires 3 timeout values" },
    { "--set 900 abc 300", "abc", "invalid timeout value `abc' specified" },
    { "--set 900 120 300 60", "60", "unexpected argument 60" },
    { "-A -t 10.0.0.1:80 --pe sip", "--pe", "persistence engines (--pe) are not modelled by ipvsim" },
    { "-A -t 10.0.0.1:80 -6", "-6", "-6 used before -f" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 --mcast-port 70000", "70000", "illegal mcast-port specified" },
    { "-A -t 10.0.0.1:80 --syncid 256", "256", "illegal syncid specified" },
    { "-A -t 10.0.0.1:80 --mcast-group 10.9.9.9", "10.9.9.9",
      "invalid IPv4 mcast-group `10.9.9.9'" },
};

static void test_option_errors(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(option_errors); i++)
        expect_parse_error(&option_errors[i]);
}

/* Checks made after all options are read, in ipvsadm's order. */
static const struct bad_case check_errors[] = {
    { "-A -t 10.0.0.1:80 -b sh-port", "sh-port", "incompatible scheduler flag `sh-port'" },
    { "-A -t 10.0.0.1:80 -s mh -b mh-port,sh-port", "mh-port",
      "incompatible scheduler flag `sh-port'" },
    { "-A -t 10.0.0.1:80 -s sh -b sh-port,bogus", "sh-port", "invalid scheduler flag `bogus'" },
    { "-A -s rr", "-A", "You need to supply the 'service-address' option for the 'add-service' "
                        "command" },
    { "-a -t 10.0.0.1:80 -w 2", "-a", "You need to supply the 'real-server' option for the "
                                      "'add-server' command" },
    { "-A -r 10.0.0.2 -t 10.0.0.1:80", "-r", "Illegal 'real-server' option with the "
                                             "'add-service' command" },
    { "-D -t 10.0.0.1:80 -s rr", "-s", "Illegal 'scheduler' option with the 'delete-service' "
                                       "command" },
    { "-A -t 10.0.0.1:80 -n", "-n", "Illegal 'numeric' option with the 'add-service' command" },
    { "-C -t 10.0.0.1:80", "-t", "Illegal 'service-address' option with the 'flush' command" },
    { "-d -t 10.0.0.1:80 -r 10.0.0.2 -w 3", "-w", "Illegal 'weight' option with the "
                                                  "'delete-server' command" },
    { "-A -t 10.0.0.1:80 -g", "-g", "Illegal 'forwarding-method' option with the "
                                    "'add-service' command" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -p", "-p", "Illegal 'persistent' option with the "
                                                "'add-server' command" },
    { "-Z --stats", "--stats", "Illegal 'stats' option with the 'zero' command" },
    { "-Ln -s rr", "-s", "Illegal 'scheduler' option with the 'list' command" },
    { "-L -r 10.0.0.2", "-r", "Illegal 'real-server' option with the 'list' command" },
    { "--set 1 2 3 -t 10.0.0.1:80", "-t", "Illegal 'service-address' option with the 'set' "
                                          "command" },
    { "-A -t 10.0.0.1 -s rr", "10.0.0.1", "Zero port specified for non-persistent service" },
    { "-E -t 10.0.0.1:0", "10.0.0.1", "Zero port specified for non-persistent service" },
    { "-A -t 10.0.0.1:53 -o", "-o", "One-Packet Scheduling is only for UDP virtual services" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gue", "--tun-type",
      "Tunnel options conflict with forward method" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-csum", "--tun-csum",
      "Tunnel options conflict with forward method" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 5000", "--tun-port",
      "Illegal 'tun-port' option with the 'ipip' tunnel type" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue", "-a",
      "You need to supply the 'tun-port' option for the 'gue' tunnel type" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-csum --tun-remcsum",
      "--tun-remcsum",
      "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum", "--tun-remcsum",
      "Illegal 'tun-remcsum' option with the 'gre' tunnel type" },
    { "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-port 1", "--tun-port",
      "Illegal 'tun-port' option with the 'gre' tunnel type" },
};

static void test_check_errors(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(check_errors); i++)
        expect_parse_error(&check_errors[i]);
}

/* ---- applying ----------------------------------------------------------------------------- */

/* What the control plane refuses, in libipvs's words, pointing at the culprit. */
static void test_kernel_errors(void)
{
    struct fx f;
    fx_init(&f);
    apply_ok(&f, "-A -t 10.0.0.1:80 -s rr");
    apply_ok(&f, "-a -t 10.0.0.1:80 -r 192.168.1.1 -m");
    static const struct bad_case cases[] = {
        { "-A -t 10.0.0.1:80 -s wlc", "10.0.0.1:80", "Service already exists" },
        { "-A -t 10.0.0.1:81 -s bogus", "bogus", "Scheduler or persistence engine not found "
          "(kernel 6.x has: rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh mh twos)" },
        { "-E -t 10.0.0.9:80", "10.0.0.9", "No such service" },
        { "-E -t 10.0.0.1:80 -s nosuch", "nosuch", "Scheduler or persistence engine not found "
          "(kernel 6.x has: rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh mh twos)" },
        { "-D -u 10.0.0.1:80", "10.0.0.1", "No such service" },
        { "-Z -f 4", "4", "No such service" },
        { "-a -t 10.0.0.9:80 -r 192.168.1.1", "10.0.0.9", "Service not defined" },
        { "-a -t 10.0.0.1:80 -r 192.168.1.1 -m -w 3", "192.168.1.1", "Destination already exists" },
        { "-e -t 10.0.0.1:80 -r 192.168.1.7", "192.168.1.7", "No such destination" },
        { "-d -t 10.0.0.1:80 -r 192.168.1.7", "192.168.1.7", "No such destination" },
        { "-d -t 10.0.0.2:80 -r 192.168.1.7", "10.0.0.2", "Service not defined" },
        { "-a -t 10.0.0.1:80 -r 10.0.0.3 -x 1 -y 7", "7", "Numerical result out of range" },
        { "-a -t 10.0.0.1:80 -r 224.0.0.5", "224.0.0.5",
          "Invalid operation.  Possibly wrong module version, address not unicast, ..." },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        expect_apply_error(&f, &cases[i]);
    world_destroy(&f.w);
}

static void fx_init_era(struct fx *f, const char *era)
{
    world_init(&f->w, 1);
    struct host *h = host_new(&f->w, "lvs");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    f->net = net_new(h, kernel_profile_find(era));
}

/* A scheduler or service flag younger than the era's kernel is refused as the
 * kernel of that era refuses an unknown scheduler; the message lists the era's
 * schedulers (model/profile.c). */
static void test_era_schedulers_and_flags(void)
{
    struct fx f;
    fx_init_era(&f, "2.6.34");
    static const struct bad_case old[] = {
        { "-A -t 10.0.0.1:80 -s fo", "fo", "Scheduler or persistence engine not found "
          "(kernel 2.6.34 has: rr wrr lc wlc sed nq lblc lblcr dh sh)" },
        { "-A -t 10.0.0.1:80 -s ovf", "ovf", "Scheduler or persistence engine not found "
          "(kernel 2.6.34 has: rr wrr lc wlc sed nq lblc lblcr dh sh)" },
        { "-A -t 10.0.0.1:80 -s sh -b sh-port", "sh-port",
          "scheduler flags (-b) do not exist in kernel 2.6.34 (came in 3.11)" },
        { "-A -u 10.0.0.1:53 -s rr -o", "-o",
          "One-Packet Scheduling (-o) does not exist in kernel 2.6.34 (came in 2.6.35)" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(old); i++)
        expect_apply_error(&f, &old[i]);
    apply_ok(&f, "-A -t 10.0.0.1:80 -s sh");
    world_destroy(&f.w);

    fx_init_era(&f, "4.9");
    static const struct bad_case mid = { "-A -t 10.0.0.1:80 -s mh", "mh",
        "Scheduler or persistence engine not found "
        "(kernel 4.9 has: rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh)" };
    expect_apply_error(&f, &mid);
    apply_ok(&f, "-A -t 10.0.0.1:80 -s ovf -b flag-1");
    apply_ok(&f, "-A -u 10.0.0.1:53 -s rr -o");
    world_destroy(&f.w);

    fx_init_era(&f, "5.10");
    static const struct bad_case late = { "-A -t 10.0.0.1:80 -s twos", "twos",
        "Scheduler or persistence engine not found "
        "(kernel 5.10 has: rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh mh)" };
    expect_apply_error(&f, &late);
    apply_ok(&f, "-A -t 10.0.0.1:80 -s mh -b mh-port");
    /* -E to a scheduler the era lacks keeps the service as it was */
    static const struct bad_case edit = { "-E -t 10.0.0.1:80 -s twos", "twos",
        "Scheduler or persistence engine not found "
        "(kernel 5.10 has: rr wrr lc wlc sed nq fo ovf lblc lblcr dh sh mh)" };
    expect_apply_error(&f, &edit);
    world_destroy(&f.w);

    fx_init_era(&f, "6.x");
    apply_ok(&f, "-A -t 10.0.0.1:80 -s twos");
    world_destroy(&f.w);
}

/* A failing line changes nothing at all. */
static void test_failure_changes_nothing(void)
{
    struct fx f;
    fx_init(&f);
    apply_lines(&f, "-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 192.168.1.1 -m -w 2");
    char *before = save_text(&f);
    static const char *const bad[] = {
        "-E -t 10.0.0.1:80 -s rr -q",
        "-e -t 10.0.0.1:80 -r 192.168.1.1 -m -w 9 -y 3",
        "-a -t 10.0.0.1:80 -r 192.168.1.1 -w 5",
        "-D -t 10.0.0.1:80 -s rr",
        "-C junk",
        "--set 1 2",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct ipvsadm_error err;
        CU_ASSERT_EQUAL(ipvsadm_apply(f.net, bad[i], &err), -1);
        char *after = save_text(&f);
        CU_ASSERT_STRING_EQUAL(after, before);
        g_free(after);
    }
    g_free(before);
    world_destroy(&f.w);
}

/* -L parses (what it prints comes from its options), lists through
 * ipvsadm_list_cmd, and changes nothing: applied as configuration it is refused. */
static void test_list_command(void)
{
    struct ipvsadm_cmd c = parse_ok("-Ln --stats");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_LIST);
    CU_ASSERT_EQUAL(c.list_fmt, IPVSADM_FMT_STATS);
    CU_ASSERT_FALSE(c.list_one);
    c = parse_ok("-l -n -t 10.0.0.1:80 --rate --exact");
    CU_ASSERT_EQUAL(c.cmd, IPVSADM_CMD_LIST);
    CU_ASSERT_EQUAL(c.list_fmt, IPVSADM_FMT_RATE | IPVSADM_FMT_EXACT);
    CU_ASSERT_TRUE(c.list_one);
    CU_ASSERT_TRUE(parse_ok("-Lnc").list_conns);
    CU_ASSERT_TRUE(parse_ok("-L --timeout").list_timeout);

    struct fx f;
    fx_init(&f);
    apply_lines(&f, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.1 -m");
    static const struct bad_case refused = { "-Ln --stats", "-Ln",
        "a listing (-L) changes nothing: give it as an event (\"do\": \"ipvsadm\"), whose "
        "log shows what it prints" };
    expect_apply_error(&f, &refused);
    GString *out = g_string_new(NULL);
    struct ipvsadm_error err = { 0 };
    c = parse_ok("-Ln -t 10.0.0.1:80");
    CU_ASSERT_EQUAL(ipvsadm_list_cmd(out, f.net, &c, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "TCP  10.0.0.1:80 rr\n  -> 192.168.1.1:80"));
    c = parse_ok("-Ln -t 10.0.0.1:81");
    CU_ASSERT_EQUAL(ipvsadm_list_cmd(out, f.net, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "No such service");
    CU_ASSERT_EQUAL(err.column, 8);
    g_string_truncate(out, 0);
    c = parse_ok("-L --timeout");
    CU_ASSERT_EQUAL(ipvsadm_list_cmd(out, f.net, &c, &err), 0);
    CU_ASSERT_STRING_EQUAL(out->str, "Timeout (tcp tcpfin udp): 900 120 300\n");
    g_string_free(out, TRUE);
    world_destroy(&f.w);
}

/* ipvsadm's -e and -E do not merge: what is not given takes the default again. */
static void test_edit_resets_defaults(void)
{
    struct fx f;
    fx_init(&f);
    apply_lines(&f, "-A -t 10.0.0.1:80 -s rr -p 60\n"
                    "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 4 -x 10");
    apply_ok(&f, "-e -t 10.0.0.1:80 -r 192.168.1.1:8080 -m");
    apply_ok(&f, "-E -t 10.0.0.1:80");
    char *s = save_text(&f);
    CU_ASSERT_STRING_EQUAL(s, "-A -t 10.0.0.1:80 -s wlc\n"
                              "-a -t 10.0.0.1:80 -r 192.168.1.1:8080 -m -w 1\n");
    g_free(s);
    struct ip_vs_service *svc = ip_vs_service_get(f.net->ipvs, IPPROTO_TCP, topo_ip("10.0.0.1"),
                                                  htons(80), 0);
    CU_ASSERT_EQUAL(ip_vs_lookup_dest(svc, topo_ip("192.168.1.1"), htons(8080))->u_threshold, 0);
    apply_ok(&f, "--set 3600 0 0");
    CU_ASSERT_EQUAL(f.net->ipvs->tcp_timeouts[1], 3600);
    apply_ok(&f, "-C");
    CU_ASSERT_EQUAL(f.net->ipvs->num_services, 0);
    world_destroy(&f.w);
}

/* What a real director's `ipvsadm-save -n` printed (sorted as ipvsadm sorts):
 * applying it and saving again gives the same bytes. */
static const char real_save[] =
    "-A -t 192.168.10.100:80 -s wlc -p 300\n"
    "-a -t 192.168.10.100:80 -r 192.168.10.11:80 -g -w 1\n"
    "-a -t 192.168.10.100:80 -r 192.168.10.12:80 -g -w 1\n"
    "-A -t 192.168.10.100:443 -s wrr\n"
    "-a -t 192.168.10.100:443 -r 10.1.1.11:443 -m -w 3\n"
    "-a -t 192.168.10.100:443 -r 10.1.1.12:8443 -m -w 0\n"
    "-A -u 192.168.10.100:53 -s rr -o\n"
    "-a -u 192.168.10.100:53 -r 10.1.1.21:53 -m -w 1\n"
    "-a -u 192.168.10.100:53 -r 10.1.1.22:53 -m -w 1\n"
    "-A -f 42 -s sh -p 3600 -M 255.255.255.0 -b sh-fallback,sh-port\n"
    "-a -f 42 -r 10.1.1.31:0 -i -w 2 --tun-type ipip\n"
    "-a -f 42 -r 10.1.1.32:0 -i -w 2 --tun-type gue --tun-port 6080 --tun-csum\n"
    "-a -f 42 -r 10.1.1.33:0 -i -w 1 --tun-type gre --tun-nocsum\n";

static void test_real_save_paste(void)
{
    struct fx f;
    fx_init(&f);
    char **lines = g_strsplit(real_save, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *with = g_strconcat("ipvsadm ", *l, NULL);   /* both spellings work */
        apply_ok(&f, (l - lines) % 2 ? with : *l);
        g_free(with);
    }
    g_strfreev(lines);
    char *s = save_text(&f);
    CU_ASSERT_STRING_EQUAL(s, real_save);
    g_free(s);
    world_destroy(&f.w);
}

/* Any configuration: parse -> save -> parse again gives the same save. */
static void test_round_trip(void)
{
    struct fx a, b;
    fx_init(&a);
    fx_init(&b);
    apply_lines(&a, "-A -t 10.0.0.1:80 -s rr\n"
                    "-a -t 10.0.0.1:80 -r 192.168.1.1\n"
                    "-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -m -w 7 -x 100 -y 50\n"
                    "--add-service --udp-service 10.0.0.1:53 --scheduler mh -b mh-fallback -o\n"
                    "-a -u 10.0.0.1:53 -r 192.168.1.3 -i --tun-type gue --tun-port 5555 --tun-remcsum\n"
                    "-A -f 77 -p 20 -M 255.255.0.0\n"
                    "-a -f 77 -r 192.168.1.4 -m\n"
                    "-A -t 10.0.0.2:0 -s lblc -p\n"
                    "-a -t 10.0.0.2:0 -r 192.168.1.5:3128 -m -w 65535");
    char *first = save_text(&a);
    apply_lines(&b, first);
    char *second = save_text(&b);
    CU_ASSERT_STRING_EQUAL(second, first);
    g_free(first);
    g_free(second);
    world_destroy(&a.w);
    world_destroy(&b.w);
}

IPVSIM_SUITE(ipvsadm_parse)
{
    CU_pSuite s = CU_add_suite("ipvsadm_parse", NULL, NULL);
    ADD_TEST(s, test_service_defaults);
    ADD_TEST(s, test_popt_forms);
    ADD_TEST(s, test_address_forms);
    ADD_TEST(s, test_dest_defaults);
    ADD_TEST(s, test_tunnel_options);
    ADD_TEST(s, test_other_commands);
    ADD_TEST(s, test_option_errors);
    ADD_TEST(s, test_check_errors);
    ADD_TEST(s, test_kernel_errors);
    ADD_TEST(s, test_era_schedulers_and_flags);
    ADD_TEST(s, test_failure_changes_nothing);
    ADD_TEST(s, test_edit_resets_defaults);
    ADD_TEST(s, test_list_command);
    ADD_TEST(s, test_real_save_paste);
    ADD_TEST(s, test_round_trip);
}
