/* `ipvsim import keepalived`: a scenario made of a keepalived.conf
 * (model/user/keepalived/keepalived_conf.h reads it):
 *  - every virtual_server (each member of its group) is an ipvsadm -A line with its
 *    scheduler (none given: ipvsadm's wlc), persistence and granularity; every
 *    real_server an -a line with its forwarding method (lb_kind; keepalived's
 *    default NAT), weight and thresholds;
 *  - every real server address and sorry server is a server (rs1, rs2, ... sorry1,
 *    ...), listening on its first port;
 *  - the checkers go to healthcheck.services (type "none": nothing else is checked);
 *  - the first vrrp_instance gives director.vip (its first virtual_ipaddress) and
 *    director.backup (advert_int, nopreempt; sync with global_defs lvs_sync_daemon);
 *  - one client group per TCP or UDP service address, a default workload to edit.
 * What cannot be carried over is a warning "FILE:LINE:COL: warning: ...". */
#ifndef IPVSIM_APP_IMPORT_IMPORT_KEEPALIVED_H
#define IPVSIM_APP_IMPORT_IMPORT_KEEPALIVED_H

#include <cjson/cJSON.h>
#include <glib.h>
#include "model/user/keepalived/keepalived_conf.h"

/* The scenario named name, or NULL with err set (a position in file when there is
 * one, else 0:0). Warnings are appended to warnings. */
cJSON *import_keepalived(const struct kconf *k, const char *file, const char *name,
                         GPtrArray *warnings, struct kconf_error *err);

/* JSON text as the scenarios are written: an object or array on one line when it
 * fits in 100 columns, else one member per line, two spaces deeper; ends with '\n'. */
char *import_json_text(const cJSON *root);

#endif
