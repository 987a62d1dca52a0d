/* SPDX-License-Identifier: MIT */
/*
 * The live view's screen with ncurses: the table, the detail pane, the key
 * help, and key handling. It draws from struct top_view and never talks to
 * mstatd. The alternate screen of initscr() and endwin() give the terminal
 * back as it was.
 */
#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/top.h"

enum {
	TOP_PAIR_ALERT = 1, /* near the memory limit, or OOM-killed recently */
	TOP_PAIR_WARN,	    /* throttled */
	TOP_PAIR_STATUS,    /* the agent is not connected */
};

/* Rows at or above this memory use show in the alert colour. */
#define TOP_MEM_ALERT_PERCENT 90.0
/* A throttled share of the last interval above this shows in the warning colour. */
#define TOP_THROTTLE_WARN_PERCENT 1.0
/* How long a row stays marked after its container had an OOM kill. */
#define TOP_OOM_RECENT_NS (INT64_C(60) * 1000000000)
#define TOP_DETAIL_LINES  14

static const char *const top_help_lines[] = {
	"Keys of mstat top",
	"",
	"  q            quit",
	"  h or ?       show or hide this help",
	"  Up/Down j/k  select a container; PgUp/PgDn, Home/End",
	"  Enter or d   show or hide the detail pane of the selection",
	"  /            filter by name (Enter keeps it, Esc clears it)",
	"  a            show all containers or running ones only",
	"  r            reverse the sort order",
	"  + / -        redraw less or more often",
	"  space        pause or resume redrawing",
	"  C then KEY   show or hide the column of sort KEY",
	"",
	"Sort keys: n name, s state, c CPU %, m memory, % memory %, i network,",
	"  b block I/O, p pids, Q CPU % of quota, t throttled time, w working set,",
	"  S swap, 1/2/3 PSI cpu/memory/io, o OOM kills, R restarts, u uptime,",
	"  g cgroup",
	"",
	"Colours: red near the memory limit or OOM-killed in the last minute,",
	"  yellow throttled. NO_COLOR=1 turns colour off.",
};

int top_screen_start(struct top_view *v)
{
	const char *no_color = getenv("NO_COLOR");

	if (!initscr())
		return -ENOTTY;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);

	v->color = false;
	if (has_colors() && !(no_color && no_color[0])) {
		start_color();
		use_default_colors();
		init_pair(TOP_PAIR_ALERT, COLOR_RED, -1);
		init_pair(TOP_PAIR_WARN, COLOR_YELLOW, -1);
		init_pair(TOP_PAIR_STATUS, COLOR_WHITE, COLOR_RED);
		v->color = true;
	}
	return 0;
}

void top_screen_end(void)
{
	endwin();
}

static int64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The key that keeps a selection on one container: its id, else its name. */
static const char *row_key(const Mstat__Stats__ContainerStats *s)
{
	if (s->container_id)
		return s->container_id;
	return s->name ? s->name : "";
}

/* The attribute of a row's line: its colour, and reverse when selected. */
static attr_t row_attr(const struct top_view *v, const struct top_row *r, bool selected)
{
	const Mstat__Stats__ContainerStats *s = r->stats;
	attr_t a = selected ? A_REVERSE : A_NORMAL;
	bool oom_recent =
	    r->oom_kill_ns && v->options.now_ns - (int64_t)r->oom_kill_ns < TOP_OOM_RECENT_NS;

	if (!v->color)
		return oom_recent ? a | A_BOLD : a;
	if (oom_recent || (s->has_mem_percent && s->mem_percent >= TOP_MEM_ALERT_PERCENT))
		return a | COLOR_PAIR(TOP_PAIR_ALERT) | A_BOLD;
	if (s->has_cpu_throttled_percent && s->cpu_throttled_percent > TOP_THROTTLE_WARN_PERCENT)
		return a | COLOR_PAIR(TOP_PAIR_WARN);
	return a;
}

static void draw_title(const struct top_view *v, int width)
{
	char line[512];
	const char *sort = top_column_get(v->options.sort)->header;

	snprintf(line, sizeof(line),
		 "mstat top - %zu containers, %zu shown - every %.1fs - sort %s%s%s%s%s%s",
		 v->model.n_rows, v->n_order, v->interval_ms / 1000.0, sort,
		 v->options.reverse ? " (reversed)" : "", v->options.all ? " - all" : "",
		 v->options.filter[0] ? " - filter: " : "", v->options.filter,
		 v->paused ? " - PAUSED" : "");
	mvaddnstr(0, 0, line, width);
	if (!v->connected) {
		attr_t a = v->color ? COLOR_PAIR(TOP_PAIR_STATUS) | A_BOLD : A_REVERSE | A_BOLD;

		attron(a);
		mvaddnstr(1, 0, v->status, width);
		attroff(a);
	}
}

/* Draws the header and rows between lines top and bottom (exclusive). */
static void draw_table(struct top_view *v, int top, int bottom, int width)
{
	enum top_column cols[_TOP_COL_MAX];
	unsigned name_width;
	size_t n_cols = top_layout_columns(&v->options, (unsigned)width, cols, &name_width);
	size_t visible = bottom - top > 1 ? (size_t)(bottom - top - 1) : 0;
	size_t selected = SIZE_MAX;
	char line[1024];

	top_format_header(cols, n_cols, name_width, &v->options, line, sizeof(line));
	attron(A_REVERSE | A_BOLD);
	mvhline(top, 0, ' ', width);
	mvaddnstr(top, 0, line, width);
	attroff(A_REVERSE | A_BOLD);

	for (size_t i = 0; i < v->n_order; i++)
		if (strcmp(row_key(v->order[i]->stats), v->selected_id) == 0)
			selected = i;
	if (selected != SIZE_MAX && selected < v->scroll)
		v->scroll = selected;
	if (selected != SIZE_MAX && visible > 0 && selected >= v->scroll + visible)
		v->scroll = selected - visible + 1;
	if (v->scroll > v->n_order)
		v->scroll = 0;

	for (size_t i = 0; i < visible && v->scroll + i < v->n_order; i++) {
		const struct top_row *r = v->order[v->scroll + i];
		attr_t a = row_attr(v, r, v->scroll + i == selected);

		top_format_line(r, cols, n_cols, name_width, &v->options, line, sizeof(line));
		attron(a);
		if (a & A_REVERSE)
			mvhline(top + 1 + (int)i, 0, ' ', width);
		mvaddnstr(top + 1 + (int)i, 0, line, width);
		attroff(a);
	}
}

static const struct top_row *selected_row(const struct top_view *v)
{
	for (size_t i = 0; i < v->n_order; i++) {
		if (strcmp(row_key(v->order[i]->stats), v->selected_id) == 0)
			return v->order[i];
	}
	return NULL;
}

static void draw_help(int height, int width)
{
	int n = (int)(sizeof(top_help_lines) / sizeof(top_help_lines[0]));

	for (int i = 0; i < n && 2 + i < height; i++) {
		move(2 + i, 0);
		clrtoeol();
		mvaddnstr(2 + i, 2, top_help_lines[i], width - 2);
	}
}

static void draw_footer(const struct top_view *v, int height, int width)
{
	char line[256];

	if (v->input == TOP_INPUT_FILTER)
		snprintf(line, sizeof(line), "Filter: %s_", v->filter_edit);
	else if (v->input == TOP_INPUT_COLUMN)
		snprintf(line, sizeof(line),
			 "Column: press the sort key of the column to show or hide");
	else
		snprintf(line, sizeof(line),
			 "q quit  h help  / filter  Enter detail  a all  r reverse  +/- interval  "
			 "space pause");
	move(height - 1, 0);
	clrtoeol();
	mvaddnstr(height - 1, 0, line, width);
}

void top_screen_draw(struct top_view *v)
{
	int height, width, table_bottom;
	const struct top_row *sel;

	getmaxyx(stdscr, height, width);
	v->options.now_ns = now_realtime_ns();
	erase();
	if (height < 4 || width < 20) {
		mvaddnstr(0, 0, "terminal too small", width);
		refresh();
		return;
	}
	draw_title(v, width);
	sel = v->detail ? selected_row(v) : NULL;
	table_bottom = height - 1;
	if (sel && height >= TOP_DETAIL_LINES + 8)
		table_bottom = height - 1 - TOP_DETAIL_LINES;
	else
		sel = NULL;
	if (v->help)
		draw_help(height - 1, width);
	else
		draw_table(v, 2, table_bottom, width);
	if (sel && !v->help)
		top_screen_draw_detail(v, sel, table_bottom, TOP_DETAIL_LINES, width);
	draw_footer(v, height, width);
	refresh();
}

/* Moves the selection by delta rows within v->order. */
static void move_selection(struct top_view *v, long delta)
{
	long cur = 0, next;

	if (v->n_order == 0)
		return;
	for (size_t i = 0; i < v->n_order; i++) {
		if (strcmp(row_key(v->order[i]->stats), v->selected_id) == 0)
			cur = (long)i;
	}
	next = cur + delta;
	if (next < 0)
		next = 0;
	if (next >= (long)v->n_order)
		next = (long)v->n_order - 1;

	snprintf(v->selected_id, sizeof(v->selected_id), "%s", row_key(v->order[next]->stats));
}

static void handle_filter_key(struct top_view *v, int key)
{
	size_t len = strlen(v->filter_edit);

	if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		v->input = TOP_INPUT_NORMAL;
		return;
	}
	if (key == 27) { /* Esc clears the filter */
		v->filter_edit[0] = '\0';
		v->input = TOP_INPUT_NORMAL;
	} else if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len > 0) {
		v->filter_edit[len - 1] = '\0';
	} else if (key >= 32 && key < 127 && len + 1 < sizeof(v->filter_edit)) {
		v->filter_edit[len] = (char)key;
		v->filter_edit[len + 1] = '\0';
	}
	memcpy(v->options.filter, v->filter_edit, sizeof(v->options.filter));
}

static void change_interval(struct top_view *v, bool longer)
{
	unsigned ms = longer ? v->interval_ms * 2 : v->interval_ms / 2;

	if (ms < TOP_MIN_INTERVAL_MS)
		ms = TOP_MIN_INTERVAL_MS;
	if (ms > TOP_MAX_INTERVAL_MS)
		ms = TOP_MAX_INTERVAL_MS;
	v->interval_ms = ms;
}

/* Keys that select, scroll or open panes. Returns false for other keys. */
static bool handle_motion_key(struct top_view *v, int key, int page)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		move_selection(v, -1);
		return true;
	case KEY_DOWN:
	case 'j':
		move_selection(v, 1);
		return true;
	case KEY_PPAGE:
		move_selection(v, -page);
		return true;
	case KEY_NPAGE:
		move_selection(v, page);
		return true;
	case KEY_HOME:
		move_selection(v, -(long)v->n_order);
		return true;
	case KEY_END:
		move_selection(v, (long)v->n_order);
		return true;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 'd':
		v->detail = !v->detail;
		/* No selection, or the selected container is hidden now: the
		 * first row shown. */
		if (v->detail && !selected_row(v))
			move_selection(v, 0);
		return true;
	case 27:
		v->detail = v->help = false;
		return true;
	default:
		return false;
	}
}

static void handle_normal_key(struct top_view *v, int key, int page)
{
	int column;

	if (handle_motion_key(v, key, page))
		return;
	switch (key) {
	case 'q':
		v->quit = true;
		break;
	case 'h':
	case '?':
		v->help = !v->help;
		break;
	case '/':
		v->input = TOP_INPUT_FILTER;
		memcpy(v->filter_edit, v->options.filter, sizeof(v->filter_edit));
		break;
	case 'a':
		v->options.all = !v->options.all;
		break;
	case 'r':
		v->options.reverse = !v->options.reverse;
		break;
	case '+':
		change_interval(v, true);
		break;
	case '-':
		change_interval(v, false);
		break;
	case ' ':
		v->paused = !v->paused;
		break;
	case 'C':
		v->input = TOP_INPUT_COLUMN;
		break;
	default:
		column = top_column_by_key(key);
		if (column >= 0) {
			v->options.reverse = v->options.sort == (enum top_column)column
						 ? !v->options.reverse
						 : false;
			v->options.sort = (enum top_column)column;
		}
		break;
	}
}

bool top_screen_handle_keys(struct top_view *v)
{
	int key, height = getmaxy(stdscr);
	int page = height > 4 ? height - 4 : 1;
	bool changed = false;

	while ((key = getch()) != ERR) {
		int column;

		changed = true;
		if (key == KEY_RESIZE)
			continue;
		if (v->input == TOP_INPUT_FILTER) {
			handle_filter_key(v, key);
		} else if (v->input == TOP_INPUT_COLUMN) {
			column = top_column_by_key(key);
			if (column > TOP_COL_NAME)
				v->options.enabled[column] = !v->options.enabled[column];
			v->input = TOP_INPUT_NORMAL;
		} else {
			handle_normal_key(v, key, page);
		}
		if (v->quit)
			break;
	}
	return changed;
}
