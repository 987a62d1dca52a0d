/* SPDX-License-Identifier: MIT */
/*
 * The `mstat` subcommands. Each takes its own argv (argv[0] is the
 * subcommand name) and returns the process exit status: 0 on success,
 * CLI_EXIT_ERROR for errors of mstat itself, otherwise what docker's
 * command returns (1 when an operation failed, the container's status for
 * `run`).
 */
#ifndef MSTAT_CLI_COMMANDS_H
#define MSTAT_CLI_COMMANDS_H

#include "cli/cli_util.h"

int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_stop(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_inspect(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);
int cmd_top(struct cli *cli, int argc, char **argv);
int cmd_update(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_restart(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);
int cmd_attach(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);

/* Maps the message of a failed start to docker's exit status: 127 for a
 * command not found, 126 for one that cannot be executed, else 125
 * (cmd_run.c). */
int run_start_status(const char *message);

#endif
