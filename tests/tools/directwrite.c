/* SPDX-License-Identifier: MIT */
/*
 * Writes MIB mebibytes to PATH with O_DIRECT in 1 MiB aligned blocks and
 * fsyncs, for block I/O accounting tests. The page cache is bypassed, so the
 * bytes reach the block device while the writer's cgroup is charged.
 * Usage: directwrite PATH MIB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: directwrite PATH MIB\n");
		return 2;
	}
	long mib = atol(argv[2]);
	if (mib <= 0 || mib > 4096) {
		fprintf(stderr, "directwrite: invalid size '%s': expected MiB from 1 to 4096\n",
			argv[2]);
		return 2;
	}

	void *buf;
	if (posix_memalign(&buf, 4096, 1 << 20) != 0) {
		fprintf(stderr, "directwrite: out of memory\n");
		return 1;
	}
	memset(buf, 0x5a, 1 << 20);

	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "directwrite: open %s: %s\n", argv[1], strerror(errno));
		return errno == EINVAL ? 3 : 1; /* 3: the file system has no O_DIRECT */
	}
	for (long i = 0; i < mib; i++) {
		ssize_t n = write(fd, buf, 1 << 20);
		if (n != 1 << 20) {
			fprintf(stderr, "directwrite: write %s: %s\n", argv[1],
				n < 0 ? strerror(errno) : "short write");
			return 1;
		}
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "directwrite: fsync %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
