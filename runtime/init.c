/* SPDX-License-Identifier: MIT */
/*
 * mstat-init, PID 1 of every container: starts the command, forwards the
 * signals it receives to it, reaps every zombie, and when the command exits
 * writes its status to the exit file and exits with docker's exit code.
 * Linked statically so that it runs inside any root filesystem.
 *
 * Usage (by the runtime only): mstat-init --exit-fd FD [--tty] -- COMMAND [ARG]...
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/exit_status.h"
#include "runtime/init_signals.h"

/* Exit code when mstat-init itself is misused or fails, as docker uses 125
 * for errors of the runtime rather than of the command. */
#define INIT_EXIT_FAILURE 125

static int parse_args(int argc, char **argv, int *ret_exit_fd, bool *ret_tty, char ***ret_command)
{
	bool tty = argc > 3 && strcmp(argv[3], "--tty") == 0;
	int dashes = tty ? 4 : 3;
	uint64_t fd;

	if (argc < dashes + 2 || strcmp(argv[1], "--exit-fd") != 0 ||
	    strcmp(argv[dashes], "--") != 0)
		return -EINVAL;
	if (parse_u64_str(argv[2], &fd) < 0 || fd > INT32_MAX)
		return -EINVAL;
	*ret_exit_fd = (int)fd;
	*ret_tty = tty;
	*ret_command = argv + dashes + 1;
	return 0;
}

/* Runs in the forked child: with tty, starts a session whose controlling
 * terminal is stdin, so that the terminal's ^C and SIGWINCH reach the
 * command and not the init. Then unblocks every signal and execs the command
 * with a PATH lookup. Exits 127 when it is not found and 126 when it cannot
 * be executed, as docker does. */
static _Noreturn void exec_command(char **command, bool tty)
{
	sigset_t none;

	if (tty && (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)) {
		fprintf(stderr, "mstat-init: make the terminal the controlling terminal: %s\n",
			strerror(errno));
		_exit(INIT_EXIT_FAILURE);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(command[0], command);

	int saved = errno;
	fprintf(stderr, "mstat-init: exec %s: %s\n", command[0], strerror(saved));
	_exit(saved == ENOENT ? 127 : 126);
}

static void write_exit_file(int fd, int wait_status)
{
	char line[32];
	int len = rt_exit_status_format(wait_status, line, sizeof(line));

	if (len < 0)
		return;
	if (pwrite(fd, line, (size_t)len, 0) != len || fsync(fd) < 0)
		fprintf(stderr, "mstat-init: write the exit file: %s\n", strerror(errno));
	(void)close(fd);
}

/* Reaps every exited child; returns true and the status when one of them is
 * the command. */
static bool reap_children(pid_t command, int *ret_status)
{
	bool command_exited = false;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == command) {
			*ret_status = status;
			command_exited = true;
		}
	}
	return command_exited;
}

/* Waits for signals: SIGCHLD reaps, every other one goes to the command. As
 * PID 1 the init ignores signals with a default action, so the blocked set
 * is the only way it learns of them. Returns the command's wait status. */
static int supervise(pid_t command, const sigset_t *waited)
{
	for (;;) {
		siginfo_t info;
		int status = 0;
		int sig = sigwaitinfo(waited, &info);

		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			(void)kill(command, sig);
			continue;
		}
		if (reap_children(command, &status))
			return status;
	}
}

/* Gives every signal its default action. The agent may ignore some (SIGPIPE,
 * even SIGCHLD), and an ignored disposition survives execve(): the command
 * must not inherit it, and the init must not have its children auto-reaped. */
static void reset_signal_actions(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	}
}

int main(int argc, char **argv)
{
	sigset_t waited;
	char **command;
	int exit_fd;
	bool tty;

	if (parse_args(argc, argv, &exit_fd, &tty, &command) < 0) {
		fprintf(stderr, "usage: mstat-init --exit-fd FD [--tty] -- COMMAND [ARG]...\n"
				"mstat-init is started by mstatd as PID 1 of a container.\n");
		return INIT_EXIT_FAILURE;
	}
	/* The command must not inherit the exit file, and a non-dumpable init
	 * keeps processes in the container from reaching it through ptrace. */
	if (fcntl(exit_fd, F_SETFD, FD_CLOEXEC) < 0) {
		fprintf(stderr, "mstat-init: exit file descriptor %d: %s\n", exit_fd,
			strerror(errno));
		return INIT_EXIT_FAILURE;
	}
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Executed through a descriptor, the init is named after the descriptor
	 * number ("4"); give ps and /proc/1/comm the real name. */
	(void)prctl(PR_SET_NAME, "mstat-init", 0, 0, 0);

	/* The runtime starts the init with these signals blocked already, so no
	 * signal sent since the clone is lost. Blocking them here again keeps the
	 * init correct when something else starts it. */
	reset_signal_actions();
	rt_init_blocked_signals(&waited);
	if (sigprocmask(SIG_BLOCK, &waited, NULL) < 0) {
		fprintf(stderr, "mstat-init: block signals: %s\n", strerror(errno));
		return INIT_EXIT_FAILURE;
	}

	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "mstat-init: fork: %s\n", strerror(errno));
		write_exit_file(exit_fd, W_EXITCODE(INIT_EXIT_FAILURE, 0));
		return INIT_EXIT_FAILURE;
	}
	if (pid == 0)
		exec_command(command, tty);

	int status = supervise(pid, &waited);
	write_exit_file(exit_fd, status);
	return rt_exit_code_from_wait_status(status);
}
