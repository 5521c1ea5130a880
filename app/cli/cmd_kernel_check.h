/* `ipvsim kernel-check SCENARIO... [-o DIR] [--connections N] [--keep-vm-files]`:
 * replay a scenario's first connections on the real Linux kernel Debian ships (6.1)
 * in a QEMU virtual machine and compare with ipvsim. The work is done by
 * tools/kernel-check/kernel-check (beside the source tree's build, or under
 * PREFIX/share/ipvsim once installed), which this command runs with --ipvsim set to
 * this binary. Exit status: the tool's (0 all match, 1 a mismatch or no virtual
 * machine, 2 bad input or a feature that cannot be mirrored). */
#ifndef IPVSIM_APP_CLI_CMD_KERNEL_CHECK_H
#define IPVSIM_APP_CLI_CMD_KERNEL_CHECK_H

int cmd_kernel_check(int argc, char **argv);

#endif
