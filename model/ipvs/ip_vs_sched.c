/* The scheduler registry (the kernel's ip_vs_sched.c): the 14 schedulers in a fixed
 * table, looked up by name, and binding to / unbinding from a service. The kernel
 * loads a scheduler module on demand; here every scheduler is always there. */
#include <string.h>
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/sched/sched_util.h"

static const struct ip_vs_scheduler *const ip_vs_schedulers[] = {
    &ip_vs_rr_scheduler,   &ip_vs_wrr_scheduler,  &ip_vs_lc_scheduler,   &ip_vs_wlc_scheduler,
    &ip_vs_sed_scheduler,  &ip_vs_nq_scheduler,   &ip_vs_fo_scheduler,   &ip_vs_ovf_scheduler,
    &ip_vs_lblc_scheduler, &ip_vs_lblcr_scheduler, &ip_vs_dh_scheduler,  &ip_vs_sh_scheduler,
    &ip_vs_mh_scheduler,   &ip_vs_twos_scheduler,
};

#define NSCHED (sizeof ip_vs_schedulers / sizeof ip_vs_schedulers[0])

static const char *const ip_vs_scheduler_name_list[NSCHED + 1] = {
    "rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "lblc", "lblcr", "dh", "sh", "mh", "twos",
    NULL,
};

const struct ip_vs_scheduler *ip_vs_scheduler_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < NSCHED; i++)
        if (strcmp(ip_vs_schedulers[i]->name, name) == 0)
            return ip_vs_schedulers[i];
    return NULL;
}

const char *const *ip_vs_scheduler_names(void)
{
    return ip_vs_scheduler_name_list;
}

/* init_service first; the service gets the scheduler only when that succeeded (mh
 * refuses a service with more dests than its table has slots). */
int ip_vs_bind_scheduler(struct ip_vs_service *svc, const struct ip_vs_scheduler *s)
{
    if (s->init_service) {
        int ret = s->init_service(svc);
        if (ret)
            return ret;
    }
    svc->scheduler = s;
    return 0;
}

void ip_vs_unbind_scheduler(struct ip_vs_service *svc)
{
    const struct ip_vs_scheduler *s = svc->scheduler;
    if (!s)
        return;
    if (s->done_service)
        s->done_service(svc);
    svc->scheduler = NULL;
    svc->sched_data = NULL;
}
