/* SPDX-License-Identifier: MIT */
/*
 * Terminal helpers of the attached commands: raw mode, the window size and
 * docker's detach key sequence. The key parser and matcher are pure, so the
 * unit tests feed them bytes.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli/tty.h"

/* Parses one key of the sequence. */
static int parse_key(const char *key, size_t len, uint8_t *ret)
{
	static const char ctrl_chars[] = "@[\\]^_";

	if (len == 1) {
		*ret = (uint8_t)key[0];
		return 0;
	}
	if (len != 6 || strncmp(key, "ctrl-", 5) != 0)
		return -EINVAL;
	if (key[5] >= 'a' && key[5] <= 'z') {
		*ret = (uint8_t)(key[5] - 'a' + 1);
		return 0;
	}
	if (strchr(ctrl_chars, key[5])) {
		/* ctrl-@ is NUL, ctrl-[ is ESC, ..., ctrl-_ is 0x1f. */
		*ret = (uint8_t)(key[5] & 0x1f);
		return 0;
	}
	return -EINVAL;
}

int tty_detach_parse(const char *spec, struct tty_detach *ret, struct mst_err *err)
{
	struct tty_detach d = { 0 };
	const char *p = spec;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (d.n == TTY_DETACH_KEYS_MAX)
			return err_setx(err, EINVAL,
					"invalid detach keys \"%s\": more than %d keys", spec,
					TTY_DETACH_KEYS_MAX);
		if (parse_key(p, len, &d.keys[d.n]) < 0)
			return err_setx(err, EINVAL,
					"invalid detach key \"%.*s\" in \"%s\": expected a single "
					"character or ctrl-X with X one of a-z, @, [, \\, ], ^, _",
					(int)len, p, spec);
		d.n++;
		p += len;
		if (*p == ',' && *++p == '\0')
			return err_setx(err, EINVAL, "invalid detach keys \"%s\": ends with ','",
					spec);
	}
	*ret = d;
	return 0;
}

size_t tty_detach_feed(struct tty_detach *d, const uint8_t *in, size_t len, uint8_t *out,
		       bool *ret_detached)
{
	size_t written = 0;

	*ret_detached = false;
	for (size_t i = 0; i < len; i++) {
		if (d->n == 0) {
			out[written++] = in[i];
			continue;
		}
		if (in[i] == d->keys[d->matched]) {
			if (++d->matched == d->n) {
				d->matched = 0;
				*ret_detached = true;
				return written;
			}
			continue;
		}
		/* A mismatch releases what was held back; the byte itself may
		 * start a new match. */
		memcpy(out + written, d->keys, d->matched);
		written += d->matched;
		d->matched = 0;
		if (in[i] == d->keys[0]) {
			d->matched = 1;
			if (d->n == 1) {
				d->matched = 0;
				*ret_detached = true;
				return written;
			}
			continue;
		}
		out[written++] = in[i];
	}
	return written;
}

int tty_raw_enter(int fd, struct termios *ret_saved)
{
	struct termios raw;

	if (tcgetattr(fd, ret_saved) < 0)
		return -errno;
	raw = *ret_saved;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return -errno;
	return 0;
}

void tty_raw_leave(int fd, const struct termios *saved)
{
	(void)tcsetattr(fd, TCSADRAIN, saved);
}

int tty_window_size(int fd, unsigned *ret_rows, unsigned *ret_cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return -errno;
	if (ws.ws_row == 0 || ws.ws_col == 0)
		return -ENOTTY;
	*ret_rows = ws.ws_row;
	*ret_cols = ws.ws_col;
	return 0;
}
