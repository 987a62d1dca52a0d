/* SPDX-License-Identifier: MIT */
/*
 * mstat-init, PID 1 of every container: starts the command, forwards the
 * signals it receives to it, reaps every zombie, and when the command exits
 * writes its status to the exit file and exits with docker's exit code.
 * Linked statically so that it runs inside any root filesystem.
 *
 * Usage (by the runtime only):
 *   mstat-init --exit-fd FD [--report-fd FD] [--tty] -- COMMAND [ARG]...
 * With --report-fd, the runtime's setup pipe stays open until the command's
 * exec: it closes without data when the exec succeeds, and carries a struct
 * rt_child_error when it fails, so that the start itself reports a missing
 * command, as docker does.
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
#include "runtime/spawn_child.h"

/* Exit code when mstat-init itself is misused or fails, as docker uses 125
 * for errors of the runtime rather than of the command. */
#define INIT_EXIT_FAILURE 125

struct init_args {
	int exit_fd;
	int report_fd; /* -1 without --report-fd */
	bool tty;
	char **command;
};

static int parse_fd(const char *s, int *ret)
{
	uint64_t fd;

	if (parse_u64_str(s, &fd) < 0 || fd > INT32_MAX)
		return -EINVAL;
	*ret = (int)fd;
	return 0;
}

static int parse_args(int argc, char **argv, struct init_args *ret)
{
	struct init_args a = { .exit_fd = -1, .report_fd = -1 };
	int i = 1;

	if (argc < 3 || strcmp(argv[1], "--exit-fd") != 0 || parse_fd(argv[2], &a.exit_fd) < 0)
		return -EINVAL;
	for (i = 3; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--tty") == 0)
			a.tty = true;
		else if (strcmp(argv[i], "--report-fd") == 0 && i + 1 < argc &&
			 parse_fd(argv[i + 1], &a.report_fd) == 0)
			i++;
		else
			return -EINVAL;
	}
	if (i + 1 >= argc)
		return -EINVAL;
	a.command = argv + i + 1;
	*ret = a;
	return 0;
}

/* Sends a failed step of the command's start to the runtime, when it waits
 * for one. */
static void report_failure(int report_fd, int code, const char *step, const char *arg)
{
	struct rt_child_error e;

	if (report_fd < 0)
		return;
	memset(&e, 0, sizeof(e));
	e.code = code;
	snprintf(e.step, sizeof(e.step), "%s %s", step, arg ? arg : "");
	ssize_t n = write(report_fd, &e, sizeof(e));
	(void)n; /* best effort: the exit code carries the same fact */
}

/* Runs in the forked child: with tty, starts a session whose controlling
 * terminal is stdin, so that the terminal's ^C and SIGWINCH reach the
 * command and not the init. Then unblocks every signal and execs the command
 * with a PATH lookup. Exits 127 when it is not found and 126 when it cannot
 * be executed, as docker does. */
static _Noreturn void exec_command(const struct init_args *a)
{
	sigset_t none;

	if (a->tty && (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)) {
		int saved = errno;

		fprintf(stderr, "mstat-init: make the terminal the controlling terminal: %s\n",
			strerror(saved));
		report_failure(a->report_fd, saved, "make the terminal the controlling terminal of",
			       a->command[0]);
		_exit(INIT_EXIT_FAILURE);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(a->command[0], a->command);

	int saved = errno;
	fprintf(stderr, "mstat-init: exec %s: %s\n", a->command[0], strerror(saved));
	report_failure(a->report_fd, saved, "exec", a->command[0]);
	_exit(saved == ENOENT ? 127 : 126);
}

/* Writes the exit file without fsync(): its readers are the agent at the
 * exit and a restarted agent after a crash of its own, and both read it from
 * the page cache. After a power loss the container is gone anyway, and an
 * empty file reads as "no status". The fsync() took a median of 0.55 ms, up
 * to 5 ms, on the test VM, between the command's exit and the agent's
 * notice of it. */
static void write_exit_file(int fd, int wait_status)
{
	char line[32];
	int len = rt_exit_status_format(wait_status, line, sizeof(line));

	if (len < 0)
		return;
	if (pwrite(fd, line, (size_t)len, 0) != len)
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
	struct init_args a;
	sigset_t waited;

	if (parse_args(argc, argv, &a) < 0) {
		fprintf(stderr,
			"usage: mstat-init --exit-fd FD [--report-fd FD] [--tty] -- COMMAND "
			"[ARG]...\n"
			"mstat-init is started by mstatd as PID 1 of a container.\n");
		return INIT_EXIT_FAILURE;
	}
	int exit_fd = a.exit_fd;

	/* The command must not inherit the exit file, and a non-dumpable init
	 * keeps processes in the container from reaching it through ptrace. The
	 * report pipe closes at the command's exec. */
	if (fcntl(exit_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    (a.report_fd >= 0 && fcntl(a.report_fd, F_SETFD, FD_CLOEXEC) < 0)) {
		fprintf(stderr,
			"mstat-init: marking descriptors %d and %d close-on-exec failed: %s\n",
			exit_fd, a.report_fd, strerror(errno));
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
		report_failure(a.report_fd, errno, "fork the command", a.command[0]);
		write_exit_file(exit_fd, W_EXITCODE(INIT_EXIT_FAILURE, 0));
		return INIT_EXIT_FAILURE;
	}
	if (pid == 0)
		exec_command(&a);
	/* Only the command's copy stays open, and its exec closes it. */
	if (a.report_fd >= 0)
		(void)close(a.report_fd);

	int status = supervise(pid, &waited);
	write_exit_file(exit_fd, status);
	return rt_exit_code_from_wait_status(status);
}
