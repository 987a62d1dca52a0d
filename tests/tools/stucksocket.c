/* SPDX-License-Identifier: MIT */
/*
 * Binds a unix datagram socket at PATH and never reads from it, for SECONDS,
 * so that senders fill its queue and then block: a journald that hangs.
 * Usage: stucksocket PATH SECONDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char *end;
	long seconds;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: stucksocket PATH SECONDS\n");
		return 2;
	}
	seconds = strtol(argv[2], &end, 10);
	if (*end != '\0' || seconds <= 0 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "stucksocket: invalid arguments\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "stucksocket: binding %s failed: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sleep((unsigned)seconds);
	close(fd);
	unlink(argv[1]);
	return 0;
}
