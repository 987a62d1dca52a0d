/* SPDX-License-Identifier: MIT */
/*
 * Docker's human-readable formats, computed on the client as the docker CLI
 * and daemon compute them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/humanize.h"

#define NS_PER_SEC INT64_C(1000000000)

void human_duration(int64_t ns, char *buf, size_t size)
{
	int64_t seconds = ns / NS_PER_SEC;
	int64_t minutes = seconds / 60;
	/* go-units rounds hours to the nearest (d.Hours() + 0.5) from here on */
	int64_t hours = (int64_t)((double)ns / 3600e9 + 0.5);

	if (seconds < 1)
		snprintf(buf, size, "Less than a second");
	else if (seconds == 1)
		snprintf(buf, size, "1 second");
	else if (seconds < 60)
		snprintf(buf, size, "%lld seconds", (long long)seconds);
	else if (minutes == 1)
		snprintf(buf, size, "About a minute");
	else if (minutes < 60)
		snprintf(buf, size, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf(buf, size, "About an hour");
	else if (hours < 48)
		snprintf(buf, size, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, size, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, size, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, size, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf(buf, size, "%lld years", (long long)(ns / NS_PER_SEC / 3600 / 24 / 365));
}

static void since_text(int64_t from_ns, int64_t now_ns, char *buf, size_t size)
{
	human_duration(now_ns > from_ns ? now_ns - from_ns : 0, buf, size);
}

void container_status_text(const struct container_times *t, int64_t now_ns, char *buf, size_t size)
{
	const char *state = t->state ? t->state : "";
	char since[64];

	if (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0) {
		since_text(t->started_ns, now_ns, since, sizeof(since));
		snprintf(buf, size, "Up %s%s", since,
			 strcmp(state, "paused") == 0 ? " (Paused)" : "");
	} else if (strcmp(state, "restarting") == 0) {
		since_text(t->finished_ns, now_ns, since, sizeof(since));
		snprintf(buf, size, "Restarting (%d) %s ago", t->exit_code, since);
	} else if (strcmp(state, "removing") == 0) {
		snprintf(buf, size, "Removal In Progress");
	} else if (strcmp(state, "dead") == 0) {
		snprintf(buf, size, "Dead");
	} else if (t->started_ns == 0) {
		snprintf(buf, size, "Created");
	} else if (t->finished_ns == 0) {
		snprintf(buf, size, "%s", "");
	} else {
		since_text(t->finished_ns, now_ns, since, sizeof(since));
		snprintf(buf, size, "Exited (%d) %s ago", t->exit_code, since);
	}
}

/* Reads exactly n digits. */
static int read_digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -EINVAL;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*ret = v;
	return 0;
}

static int expect_char(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* Parses "Z", "+hh:mm" or "-hh:mm" into seconds east of UTC. */
static int parse_zone(const char **p, int64_t *ret_offset)
{
	int sign, hh, mm;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*ret_offset = 0;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return -EINVAL;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (read_digits(p, 2, &hh) < 0 || expect_char(p, ':') < 0 || read_digits(p, 2, &mm) < 0)
		return -EINVAL;
	*ret_offset = sign * (hh * 3600 + mm * 60);
	return 0;
}

int parse_rfc3339(const char *s, int64_t *ret_ns)
{
	const char *p = s;
	struct tm tm = { 0 };
	int year, mon, mday, hour, min, sec;
	int64_t frac_ns = 0, offset;

	if (read_digits(&p, 4, &year) < 0 || expect_char(&p, '-') < 0 ||
	    read_digits(&p, 2, &mon) < 0 || expect_char(&p, '-') < 0 ||
	    read_digits(&p, 2, &mday) < 0 || (*p != 'T' && *p != 't') ||
	    (p++, read_digits(&p, 2, &hour)) < 0 || expect_char(&p, ':') < 0 ||
	    read_digits(&p, 2, &min) < 0 || expect_char(&p, ':') < 0 ||
	    read_digits(&p, 2, &sec) < 0)
		return -EINVAL;

	if (*p == '.') {
		int64_t scale = NS_PER_SEC / 10;
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac_ns += (*p - '0') * scale;
	}
	if (parse_zone(&p, &offset) < 0 || *p != '\0')
		return -EINVAL;
	if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 60)
		return -EINVAL;

	/* Go's zero time.Time, which docker sends for "never" */
	if (year <= 1) {
		*ret_ns = 0;
		return 0;
	}

	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	*ret_ns = ((int64_t)t - offset) * NS_PER_SEC + frac_ns;
	return 0;
}

/* Returns the length of the valid UTF-8 sequence at s, or 0 when invalid. */
static size_t utf8_sequence_len(const unsigned char *s, size_t avail)
{
	size_t n;
	unsigned min;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, min = 0x80, cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, min = 0x800, cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t utf8_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	for (size_t i = 0; i < len; chars++) {
		size_t n = utf8_sequence_len(p + i, len - i);
		i += n ? n : 1;
	}
	return chars;
}

void go_quote(const char *s, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	strbuf_putc(out, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n = utf8_sequence_len(p + i, len - i);

		if (n == 0) {
			strbuf_printf(out, "\\x%02x", c);
			i++;
			continue;
		}
		if (n > 1) {
			strbuf_append(out, s + i, n);
			i += n;
			continue;
		}
		switch (c) {
		case '"':
			strbuf_puts(out, "\\\"");
			break;
		case '\\':
			strbuf_puts(out, "\\\\");
			break;
		case '\a':
			strbuf_puts(out, "\\a");
			break;
		case '\b':
			strbuf_puts(out, "\\b");
			break;
		case '\f':
			strbuf_puts(out, "\\f");
			break;
		case '\n':
			strbuf_puts(out, "\\n");
			break;
		case '\r':
			strbuf_puts(out, "\\r");
			break;
		case '\t':
			strbuf_puts(out, "\\t");
			break;
		case '\v':
			strbuf_puts(out, "\\v");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				strbuf_printf(out, "\\x%02x", c);
			else
				strbuf_putc(out, (char)c);
		}
		i++;
	}
	strbuf_putc(out, '"');
}

void ellipsis(const char *s, size_t max_chars, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	if (max_chars == 0)
		return;
	if (utf8_width(s, len) <= max_chars) {
		strbuf_append(out, s, len);
		return;
	}

	/* Keep max_chars - 1 characters, then the ellipsis. With max_chars 1
	 * docker keeps the first character and adds nothing. */
	size_t keep = max_chars == 1 ? 1 : max_chars - 1;
	size_t i = 0;
	for (size_t chars = 0; chars < keep && i < len; chars++) {
		size_t n = utf8_sequence_len(p + i, len - i);
		i += n ? n : 1;
	}
	strbuf_append(out, s, i);
	if (max_chars > 1)
		strbuf_puts(out, "\xe2\x80\xa6");
}
