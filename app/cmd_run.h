/* `ipvsim run SCENARIO [-o DIR] [--seed N] [--set KEY=VALUE]... [--pcap all|HOST:IFACE]...
 * [--trace] [--quiet]`: one run, its results under results/<name>/. */
#ifndef IPVSIM_APP_CMD_RUN_H
#define IPVSIM_APP_CMD_RUN_H

int cmd_run(int argc, char **argv);

#endif
