/* Recorded traffic for a client group's "replay" (README, "Replay your own traffic"):
 * the conversations of a pcap file or of a CSV file, each with its first-packet
 * time, client address and port, protocol, destination, request and response bytes
 * and requests. The readers know nothing of the scenario: times are as recorded
 * (scenario_script.c makes them relative and checks each conversation against its
 * group), and a fault names the place in the file. */
#ifndef IPVSIM_APP_SCENARIO_REPLAY_H
#define IPVSIM_APP_SCENARIO_REPLAY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model/apps/workload.h"

/* Where a file is at fault, and why. */
struct replay_fault {
    int line, col;                  /* CSV: 1-based */
    uint64_t packet;                /* pcap: the packet's number (1-based; 0: the file header) */
    long offset;                    /* pcap: the byte offset of its record (-1: unknown) */
    char why[256];
};

/* What a pcap held besides the conversations. */
struct replay_pcap_stats {
    uint64_t packets;
    uint64_t not_ipv4;              /* ARP, IPv6, ...: skipped */
    uint64_t other_proto;           /* IPv4 but neither TCP nor UDP (ICMP, ...): skipped */
    uint64_t no_syn;                /* TCP segments of connections whose SYN is not there */
    uint64_t fragments;             /* IPv4 fragments after the first */
};

/* A UDP flow (a 4-tuple) starts a new conversation when its client sends after an
 * answer, or after this long without a datagram. */
#define REPLAY_UDP_IDLE (5 * SEC)

/* Does the file start as a pcap or pcapng file does? */
bool replay_is_pcap(const void *head, size_t n);

/* The conversations of a CSV text (struct client_script_conn, in file order) and
 * the line of each (int). A protocol column's absence leaves proto 0 (the group's);
 * a destination's absence daddr 0; requests is 1 unless a column gives it. */
bool replay_read_csv(const char *text, GArray *convs, GArray *lines, struct replay_fault *f);

/* The conversations of a pcap (or pcapng) stream, by the time of their first packet
 * (stable: file order among equal times), and the number of each one's first packet
 * (uint64_t). TCP: a connection from its SYN (client: its sender), by 4-tuple;
 * request and response bytes from the sequence numbers (retransmissions count
 * once), requests: the times the client sends new data after the server did (or
 * first). UDP: a flow by 4-tuple (client: the first sender), ended by an answer or
 * REPLAY_UDP_IDLE. Link types: Ethernet (802.1Q tags skipped), raw IP, Linux cooked
 * (v1 and v2). fp is closed. */
bool replay_read_pcap(FILE *fp, GArray *convs, GArray *packets, struct replay_pcap_stats *st,
                      struct replay_fault *f);

#endif
