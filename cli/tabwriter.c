/* SPDX-License-Identifier: MIT */
/*
 * Elastic tabstops as in Go's text/tabwriter with flags 0 and padchar ' '.
 * A column block is a run of consecutive lines that have a cell in that
 * column. Each block is sized and padded before the columns to its right.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/humanize.h"
#include "cli/tabwriter.h"

struct tw_cell {
	const char *text;
	size_t size;  /* bytes */
	size_t width; /* code points */
};

struct tw_line {
	struct tw_cell *cells;
	size_t n_cells;
};

struct tw_state {
	struct tw_line *lines;
	size_t n_lines;
	size_t minwidth;
	size_t padding;
	size_t *widths; /* stack of the widths of the columns being formatted */
	size_t n_widths;
	struct strbuf *out;
};

static void tw_pad(struct tw_state *s, size_t text_width, size_t cell_width)
{
	for (size_t i = text_width; i < cell_width; i++)
		strbuf_putc(s->out, ' ');
}

static void tw_write_lines(struct tw_state *s, size_t line0, size_t line1)
{
	for (size_t i = line0; i < line1; i++) {
		const struct tw_line *line = &s->lines[i];

		for (size_t j = 0; j < line->n_cells; j++) {
			const struct tw_cell *c = &line->cells[j];

			strbuf_append(s->out, c->text, c->size);
			if (j < s->n_widths)
				tw_pad(s, c->width, s->widths[j]);
		}
		/* Every line but the block's unterminated last one ended in '\n'. */
		if (i + 1 < s->n_lines)
			strbuf_putc(s->out, '\n');
	}
}

/* A line has a cell in `column` when a tab terminates that cell, that is
 * when the column is not its last cell. */
static int tw_has_column(const struct tw_line *line, size_t column)
{
	return line->n_cells > 0 && column < line->n_cells - 1;
}

static void tw_format(struct tw_state *s, size_t line0, size_t line1)
{
	size_t column = s->n_widths;

	for (size_t this = line0; this < line1; this ++) {
		if (!tw_has_column(&s->lines[this], column))
			continue;

		tw_write_lines(s, line0, this);
		line0 = this;

		size_t width = s->minwidth;
		for (; this < line1 && tw_has_column(&s->lines[this], column); this ++) {
			size_t w = s->lines[this].cells[column].width + s->padding;
			if (w > width)
				width = w;
		}

		s->widths[s->n_widths++] = width;
		tw_format(s, line0, this);
		s->n_widths--;
		line0 = this;
		if (this == line1)
			break;
	}
	tw_write_lines(s, line0, line1);
}

/* Splits one line (without its '\n') into tab-terminated cells plus the
 * trailing cell. */
static int tw_split_line(const char *text, size_t len, struct tw_line *ret)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\t';
	ret->cells = calloc(n, sizeof(*ret->cells));
	if (!ret->cells)
		return -ENOMEM;

	size_t start = 0;
	ret->n_cells = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\t')
			continue;
		struct tw_cell *c = &ret->cells[ret->n_cells++];
		c->text = text + start;
		c->size = i - start;
		c->width = utf8_width(c->text, c->size);
		start = i + 1;
	}
	return 0;
}

/* Formats one block: lines[0..n) where only the last may lack a '\n'. */
static int tw_format_block(struct tw_state *s)
{
	size_t max_cells = 0;

	for (size_t i = 0; i < s->n_lines; i++)
		if (s->lines[i].n_cells > max_cells)
			max_cells = s->lines[i].n_cells;
	s->widths = calloc(max_cells + 1, sizeof(*s->widths));
	if (!s->widths)
		return -ENOMEM;
	s->n_widths = 0;
	tw_format(s, 0, s->n_lines);
	free(s->widths);
	s->widths = NULL;
	return 0;
}

static void tw_free_lines(struct tw_state *s)
{
	for (size_t i = 0; i < s->n_lines; i++)
		free(s->lines[i].cells);
	s->n_lines = 0;
}

int tabwriter_format(const char *text, size_t len, size_t minwidth, size_t padding,
		     struct strbuf *out)
{
	struct tw_state s = { .minwidth = minwidth, .padding = padding, .out = out };
	size_t n_newlines = 0;
	int r = 0;

	for (size_t i = 0; i < len; i++)
		n_newlines += text[i] == '\n';
	s.lines = calloc(n_newlines + 2, sizeof(*s.lines));
	if (!s.lines)
		return -ENOMEM;

	/* A block ends after a line with a single cell (as Go's Write flushes
	 * there) or at the end of the text. The block's line list then gets an
	 * empty last line, so that its last real line is printed with '\n'. */
	size_t start = 0;
	for (size_t i = 0; i <= len && r == 0; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len && s.n_lines == 0)
			break;
		r = tw_split_line(text + start, i - start, &s.lines[s.n_lines]);
		if (r < 0)
			break;
		s.n_lines++;
		start = i + 1;

		int ends_block = i == len || s.lines[s.n_lines - 1].n_cells == 1;
		if (!ends_block)
			continue;
		if (i < len)
			s.lines[s.n_lines++] = (struct tw_line){ 0 }; /* the empty last line */
		r = tw_format_block(&s);
		tw_free_lines(&s);
	}

	tw_free_lines(&s);
	free(s.lines);
	if (r == 0 && out->error)
		r = out->error;
	return r;
}
