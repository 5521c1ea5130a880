/* `ipvsim demo`: the first end-to-end example. A client host sends TCP segments
 * and UDP datagrams across a forwarding host to a server host, which echoes the UDP
 * datagrams back; every interface is captured to pcap. */
#ifndef IPVSIM_APP_RUN_DEMO_H
#define IPVSIM_APP_RUN_DEMO_H

int cmd_demo(int argc, char **argv);

#endif
