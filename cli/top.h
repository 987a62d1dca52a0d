/* SPDX-License-Identifier: MIT */
/*
 * The live view (`mstat top`, and `mstat` alone on a terminal): its state,
 * shared by the event loop in top.c and the ncurses screen in top_screen.c.
 * The screen code never talks to mstatd and the loop never draws.
 */
#ifndef MSTAT_CLI_TOP_H
#define MSTAT_CLI_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/top_layout.h"
#include "cli/top_model.h"

#define TOP_MIN_INTERVAL_MS  250
#define TOP_MAX_INTERVAL_MS  60000
#define TOP_DETAIL_MAX_LINES 24

enum top_input {
	TOP_INPUT_NORMAL,
	TOP_INPUT_FILTER, /* typing the name filter after '/' */
	TOP_INPUT_COLUMN, /* the key after 'C' toggles a column */
};

struct top_view {
	struct top_model model;
	struct top_options options;
	unsigned interval_ms; /* how often the screen is redrawn */
	bool paused;	      /* the screen keeps its content until unpaused */
	bool help;
	bool detail;
	bool quit;
	bool color;   /* colour pairs are set up */
	bool unicode; /* the locale's character set is UTF-8 */
	enum top_input input;
	char filter_edit[sizeof(((struct top_options *)0)->filter)];
	char selected_id[65]; /* container id (or name) of the selected row */
	size_t scroll;	      /* first row shown */
	bool connected;
	char status[640];	/* why the agent is not connected; "" when it is */
	struct top_row **order; /* the shown rows in order; room for model.n_rows */
	size_t n_order;
};

/* Starts and ends the full-screen mode; top_screen_end() restores the
 * terminal as it was. top_screen_start() returns 0 or -ENOTTY. */
int top_screen_start(struct top_view *v);
void top_screen_end(void);

/* Redraws the whole screen from v. */
void top_screen_draw(struct top_view *v);

/* Draws the detail pane of row r on lines top to top + lines - 1. */
void top_screen_draw_detail(const struct top_view *v, const struct top_row *r, int top, int lines,
			    int width);

/* Formats the detail pane of r, one line per element of lines (at most
 * max_lines). Returns the number of lines, 0 when max_lines is below 8. */
size_t top_format_detail(const struct top_view *v, const struct top_row *r, char (*lines)[256],
			 size_t max_lines);

/* Reads and handles every pending key. Returns true when one changed what
 * the screen shows. */
bool top_screen_handle_keys(struct top_view *v);

/* Re-sorts and re-filters v->order from the model; keeps the selection on
 * the same container. Returns 0 or -ENOMEM. */
int top_view_refresh_order(struct top_view *v);

#endif
