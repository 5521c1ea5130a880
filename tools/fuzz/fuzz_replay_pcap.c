/* A replay's pcap file (app/scenario/replay.c, replay_read_pcap): any bytes, read
 * through libpcap from memory.
 *
 * Checks beyond the sanitizers: a refused file always says why; an accepted one
 * gives its conversations in time order, each with a first packet among those read,
 * TCP or UDP, at least one request, and its packet counts adding up. */
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/scenario/replay.h"
#include "tools/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 18)
        return 0;
    /* fmemopen of an empty buffer fails: an empty file is one of no bytes anyway */
    uint8_t one = 0;
    FILE *fp = fmemopen(size ? (void *)data : &one, size ? size : 1, "rb");
    if (!fp)
        return 0;
    GArray *convs = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    GArray *packets = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    struct replay_pcap_stats st;
    struct replay_fault f;
    bool ok = replay_read_pcap(fp, convs, packets, &st, &f);
    if (!ok && f.why[0] == '\0') {
        fprintf(stderr, "refused without a reason (packet %llu)\n", (unsigned long long)f.packet);
        abort();
    }
    if (ok && (convs->len == 0 || convs->len != packets->len ||
               st.not_ipv4 + st.other_proto + st.fragments > st.packets)) {
        fprintf(stderr, "%u conversations, %u first packets, %llu packets\n", convs->len,
                packets->len, (unsigned long long)st.packets);
        abort();
    }
    for (guint i = 0; ok && i < convs->len; i++) {
        const struct client_script_conn *e = &g_array_index(convs, struct client_script_conn, i);
        uint64_t p = g_array_index(packets, uint64_t, i);
        bool ordered = i == 0 || g_array_index(convs, struct client_script_conn, i - 1).at <= e->at;
        if (!ordered || p < 1 || p > st.packets || e->requests < 1 || e->at < 0 ||
            (e->proto != IPPROTO_TCP && e->proto != IPPROTO_UDP)) {
            fprintf(stderr, "conversation %u: packet %llu of %llu, proto %u, requests %u\n", i,
                    (unsigned long long)p, (unsigned long long)st.packets, e->proto, e->requests);
            abort();
        }
    }
    g_array_free(convs, TRUE);
    g_array_free(packets, TRUE);
    return 0;
}
