/* SPDX-License-Identifier: MIT */
/*
 * Spins on one CPU for a bounded time, for CPU-quota tests.
 * Usage: cpuburn SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec start, now;
	volatile unsigned long spin = 0;

	if (seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "cpuburn: invalid duration '%s': expected 0 < SECONDS <= 3600\n",
			argc > 1 ? argv[1] : "");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
	return 0;
}
