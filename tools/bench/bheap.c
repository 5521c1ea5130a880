/* The binary-heap baseline: the textbook array heap, moving a hole instead of
 * swapping, which is how a careful implementation would write it. */
#include "tools/bench/bheap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline bool before(const struct bheap_item *x, const struct bheap_item *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

void bheap_init(struct bheap *h)
{
    memset(h, 0, sizeof *h);
}

void bheap_destroy(struct bheap *h)
{
    free(h->a);
    memset(h, 0, sizeof *h);
}

static void grow(struct bheap *h)
{
    size_t cap = h->cap ? h->cap * 2 : 64;
    struct bheap_item *a = realloc(h->a, cap * sizeof *a);
    if (!a) {
        fprintf(stderr, "bheap: out of memory\n");
        abort();
    }
    h->a = a;
    h->cap = cap;
}

void bheap_push(struct bheap *h, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg)
{
    if (h->n == h->cap)
        grow(h);
    struct bheap_item it = { t, h->next_seq++, fn, obj, arg };
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&it, &h->a[parent]))
            break;
        h->a[i] = h->a[parent];
        i = parent;
    }
    h->a[i] = it;
}

bool bheap_pop(struct bheap *h, struct bheap_item *out)
{
    if (h->n == 0)
        return false;
    *out = h->a[0];
    struct bheap_item last = h->a[--h->n];
    size_t n = h->n, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&h->a[c + 1], &h->a[c]))
            c++;
        if (!before(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (n)
        h->a[i] = last;
    return true;
}
