/* SPDX-License-Identifier: MIT */
/*
 * The caller's terminal for `mstat run -it`, `attach` and `exec -it`: raw
 * mode, the window size, the detach key sequence, and the attached session
 * over the agent's upgraded connection.
 */
#ifndef MSTAT_CLI_TTY_H
#define MSTAT_CLI_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "cli/cli_util.h"

/* Docker's default detach sequence. */
#define TTY_DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"
#define TTY_DETACH_KEYS_MAX	16

/* A detach sequence and how much of it the input has matched so far. */
struct tty_detach {
	uint8_t keys[TTY_DETACH_KEYS_MAX];
	size_t n;	/* 0: detaching by keys is off */
	size_t matched; /* bytes of keys held back, not yet sent */
};

/* Parses docker's --detach-keys form: comma-separated keys, each a single
 * character or "ctrl-X" with X one of a-z, @, [, \, ], ^ and _. "" turns
 * detaching off. Returns 0 or -EINVAL with a message naming the key. */
int tty_detach_parse(const char *spec, struct tty_detach *ret, struct mst_err *err);

/* Copies in to out, holding back a partial match of the sequence until the
 * next bytes decide it. Returns the bytes written to out, which needs room
 * for len + TTY_DETACH_KEYS_MAX. Sets *ret_detached, and drops the rest of
 * in, when the whole sequence has been typed. */
size_t tty_detach_feed(struct tty_detach *d, const uint8_t *in, size_t len, uint8_t *out,
		       bool *ret_detached);

/* Puts fd into raw mode and stores the old settings in *ret_saved. */
int tty_raw_enter(int fd, struct termios *ret_saved);
void tty_raw_leave(int fd, const struct termios *saved);

/* Reads the window size of the terminal on fd. Returns 0 or a negative
 * errno (-ENOTTY for a pipe). */
int tty_window_size(int fd, unsigned *ret_rows, unsigned *ret_cols);

struct tty_attach_opts {
	bool tty;	     /* the container has a terminal: raw bytes, raw mode */
	bool send_stdin;     /* forward this process's stdin */
	bool logs;	     /* start with the output of the current run */
	bool proxy_signals;  /* without tty: send SIGINT, SIGTERM ... to the container */
	const char *exec_id; /* attach to this exec instead of the container */
	struct tty_detach detach;
	/* Called once the stream is set up, before any input is sent, to start
	 * the container or command; non-zero aborts the session. May be NULL. */
	int (*on_attached)(void *userdata);
	void *userdata;
};

enum tty_attach_end {
	TTY_ATTACH_ENDED,    /* the output ended: the container or command exited */
	TTY_ATTACH_DETACHED, /* the detach keys, or SIGTERM, SIGHUP with a terminal */
	TTY_ATTACH_ABORTED,  /* on_attached() returned non-zero */
};

/* Attaches this process's stdin, stdout and stderr to container id (or to
 * an exec of it) until the output ends or the user detaches. Restores the
 * terminal before it returns. Returns an enum tty_attach_end, or a negative
 * errno with a message. */
int tty_attach(struct cli *cli, const char *id, const struct tty_attach_opts *o,
	       struct mst_err *err);

#endif
