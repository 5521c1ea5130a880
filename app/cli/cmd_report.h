/* `ipvsim report RESULTS_DIR`: write RESULTS_DIR/index.html, the page of an earlier
 * run or comparison (app/report/report_html.h). Exit status: 0 written; 2 not an
 * ipvsim results directory, or one of no kind the page knows (nothing written); 1 the
 * page cannot be written. */
#ifndef IPVSIM_APP_CLI_CMD_REPORT_H
#define IPVSIM_APP_CLI_CMD_REPORT_H

int cmd_report(int argc, char **argv);

#endif
