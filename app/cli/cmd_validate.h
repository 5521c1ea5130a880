/* `ipvsim validate SCENARIO...`: load and check each scenario, run nothing. Prints
 * "FILE: ok" for each good one and the error ("FILE:LINE:COL: MESSAGE") for each bad
 * one; exit status 2 when any failed. */
#ifndef IPVSIM_APP_CLI_CMD_VALIDATE_H
#define IPVSIM_APP_CLI_CMD_VALIDATE_H

int cmd_validate(int argc, char **argv);

#endif
