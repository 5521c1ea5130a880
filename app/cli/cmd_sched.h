/* `ipvsim sched`: the scheduler playground. One director, one service on
 * 10.0.0.100:80 (TCP, or UDP with --hold udp), dests added as `ipvsadm -a` adds
 * them, and a real client packet per pick handed to the scheduler; prints the dest
 * each new connection gets, as the kernel's scheduler would choose it. */
#ifndef IPVSIM_APP_CLI_CMD_SCHED_H
#define IPVSIM_APP_CLI_CMD_SCHED_H

#include <glib.h>

/* The command: prints the picks on stdout, errors on stderr; 0, or 2 for bad input. */
int cmd_sched(int argc, char **argv);

/* The same with the output collected: argv[0] is the command name ("sched"); the
 * picks line goes to out, messages to err. argv is not modified. */
int cmd_sched_run(int argc, char **argv, GString *out, GString *err);

#endif
