/* SPDX-License-Identifier: MIT */
/*
 * Pseudo-terminals for containers started with a terminal: the agent keeps
 * the master, and the container's standard descriptors are the slave.
 * Neither end becomes the controlling terminal of the caller (O_NOCTTY).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/runtime.h"

int rt_pty_resize(int master_fd, unsigned rows, unsigned cols)
{
	struct winsize ws = { 0 };

	if (rows == 0 || cols == 0 || rows > USHRT_MAX || cols > USHRT_MAX)
		return -EINVAL;
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	if (ioctl(master_fd, TIOCSWINSZ, &ws) < 0)
		return -errno;
	return 0;
}

int rt_pty_open(unsigned rows, unsigned cols, int *ret_master, int *ret_slave)
{
	char name[64];
	int master, slave, r;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name))) {
		r = -errno;
		goto fail;
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		r = -errno;
		goto fail;
	}
	r = rt_pty_resize(master, rows ? rows : RT_PTY_DEFAULT_ROWS,
			  cols ? cols : RT_PTY_DEFAULT_COLS);
	if (r < 0) {
		(void)close(slave);
		goto fail;
	}
	*ret_master = master;
	*ret_slave = slave;
	return 0;

fail:
	(void)close(master);
	return r ? r : -EIO;
}
