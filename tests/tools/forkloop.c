/* SPDX-License-Identifier: MIT */
/*
 * Tries to hold up to N sleeping child processes at once, for pids-limit
 * tests, and prints how many forks succeeded and failed. Bounded: it stops
 * after N attempts and every child exits after HOLD_MS.
 * Usage: forkloop N HOLD_MS.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: forkloop N HOLD_MS\n");
		return 2;
	}
	int n = atoi(argv[1]);
	long hold_ms = atol(argv[2]);
	int ok = 0, failed = 0, first_errno = 0;

	if (n <= 0 || n > 10000 || hold_ms < 0 || hold_ms > 60000) {
		fprintf(stderr,
			"forkloop: invalid arguments: N from 1 to 10000, HOLD_MS up to 60000\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };
			nanosleep(&ts, NULL);
			_exit(0);
		}
		if (pid < 0) {
			if (!first_errno)
				first_errno = errno;
			failed++;
		} else {
			ok++;
		}
	}
	printf("forked %d failed %d%s%s\n", ok, failed, first_errno ? " first error: " : "",
	       first_errno ? strerror(first_errno) : "");
	fflush(stdout);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
