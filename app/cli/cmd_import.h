/* `ipvsim import keepalived FILE [-o SCENARIO.json]`: a scenario made of a
 * keepalived.conf (app/import/import_keepalived.h), written to SCENARIO.json (or
 * printed), checked by loading it first. Warnings ("FILE:LINE:COL: warning: ...")
 * on stderr; a malformed file: "FILE:LINE:COL: MESSAGE", exit status 2, nothing
 * written; a file that cannot be written: exit status 1. */
#ifndef IPVSIM_APP_CLI_CMD_IMPORT_H
#define IPVSIM_APP_CLI_CMD_IMPORT_H

int cmd_import(int argc, char **argv);

#endif
