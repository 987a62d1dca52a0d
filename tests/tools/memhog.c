/* SPDX-License-Identifier: MIT */
/*
 * Allocates and touches memory in 1 MiB steps, for memory-limit tests.
 * Usage: memhog MIB [HOLD_MS]. Prints the MiB reached after each step so
 * that a test can tell how far it got before an OOM kill; exits 0 when done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: memhog MIB [HOLD_MS]\n");
		return 2;
	}
	char *end;
	errno = 0;
	unsigned long mib = strtoul(argv[1], &end, 10);
	if (errno || *end || mib == 0 || mib > 1024 * 1024) {
		fprintf(stderr, "memhog: invalid size '%s': expected MiB from 1 to 1048576\n",
			argv[1]);
		return 2;
	}
	unsigned long hold_ms = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;

	for (unsigned long i = 1; i <= mib; i++) {
		char *p = malloc(1 << 20);
		if (!p) {
			fprintf(stderr, "memhog: malloc failed at %lu MiB\n", i);
			return 1;
		}
		memset(p, (int)(i & 0xff) | 1, 1 << 20);
		printf("%lu\n", i);
		fflush(stdout);
	}
	if (hold_ms) {
		struct timespec ts = { (time_t)(hold_ms / 1000),
				       (long)(hold_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 0;
}
