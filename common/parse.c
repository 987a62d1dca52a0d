/* SPDX-License-Identifier: MIT */
/*
 * Strict number, size and signal parsing. Every number that mstat reads from
 * the kernel or from a user goes through here, so that "max", overflow and
 * trailing garbage are handled the same way everywhere.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/parse.h"

/* Drops one trailing newline, the only trailing byte kernel files carry. */
static size_t strip_newline(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\n')
		len--;
	return len;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses exactly len bytes of digits; no newline handling. */
static int parse_digits(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -EINVAL;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int parse_u64(const char *s, size_t len, uint64_t *ret)
{
	return parse_digits(s, strip_newline(s, len), ret);
}

int parse_u64_str(const char *s, uint64_t *ret)
{
	return parse_digits(s, strlen(s), ret);
}

int parse_i64(const char *s, size_t len, int64_t *ret)
{
	bool negative = false;
	uint64_t v;

	len = strip_newline(s, len);
	if (len > 0 && s[0] == '-') {
		negative = true;
		s++;
		len--;
	}

	int r = parse_digits(s, len, &v);
	if (r < 0)
		return r;

	if (negative) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return -ERANGE;
		*ret = (int64_t)v;
	}
	return 0;
}

int parse_limit(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v;

	len = strip_newline(s, len);
	if (len == 3 && memcmp(s, "max", 3) == 0) {
		*ret = MST_UNLIMITED;
		return 0;
	}

	int r = parse_digits(s, len, &v);
	if (r < 0)
		return r;
	*ret = v >= MST_V1_UNLIMITED_MIN ? MST_UNLIMITED : v;
	return 0;
}

/* Parses "INT[.FRAC]" at s into an integer part and a fraction scaled to
 * 10^frac_digits_max; sets *end past the number. Rejects a fraction with
 * more digits than frac_digits_max. */
static int parse_decimal(const char *s, unsigned frac_digits_max, uint64_t *ret_int,
			 uint64_t *ret_frac, const char **end)
{
	const char *p = s;
	uint64_t ipart, frac = 0;
	unsigned nfrac = 0;

	while (is_digit(*p))
		p++;
	int r = parse_digits(s, (size_t)(p - s), &ipart);
	if (r < 0)
		return r;

	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		for (; is_digit(*p); p++) {
			if (nfrac == frac_digits_max)
				return -ERANGE;
			frac = frac * 10 + (uint64_t)(*p - '0');
			nfrac++;
		}
	}
	for (; nfrac < frac_digits_max; nfrac++)
		frac *= 10;

	*ret_int = ipart;
	*ret_frac = frac;
	*end = p;
	return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "kmgtp";
	uint64_t ipart, frac, mult = 1;
	const char *p;

	int r = parse_decimal(s, 9, &ipart, &frac, &p);
	if (r < 0)
		return r;

	/* docker accepts one space between the number and the unit. */
	if (*p == ' ')
		p++;
	const char *u = *p ? strchr(units, *p | 0x20) : NULL;
	if (u) {
		mult = UINT64_C(1) << (10 * (1 + (u - units)));
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0')
		return -EINVAL;

	/* frac is in billionths of the unit; the fraction of a byte is dropped. */
	unsigned __int128 v =
	    (unsigned __int128)ipart * mult + (unsigned __int128)frac * mult / UINT64_C(1000000000);
	if (v > UINT64_MAX)
		return -ERANGE;
	*ret = (uint64_t)v;
	return 0;
}

int parse_nano(const char *s, uint64_t *ret)
{
	uint64_t ipart, frac;
	const char *p;

	int r = parse_decimal(s, 9, &ipart, &frac, &p);
	if (r < 0)
		return r;
	if (*p != '\0')
		return -EINVAL;
	if (ipart > (UINT64_MAX - frac) / UINT64_C(1000000000))
		return -ERANGE;
	*ret = ipart * UINT64_C(1000000000) + frac;
	return 0;
}

struct signal_name {
	const char *name;
	int number;
};

static const struct signal_name signal_names[] = {
	{ "HUP", SIGHUP },	 { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },	 { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
	{ "FPE", SIGFPE },	 { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },	 { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },	 { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
	{ "XCPU", SIGXCPU },	 { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },	 { "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },
	{ "SYS", SIGSYS },	 { NULL, 0 },
};

int parse_signal(const char *s, int *ret)
{
	uint64_t n;

	if (parse_u64_str(s, &n) == 0) {
		if (n == 0 || n >= (uint64_t)NSIG)
			return -EINVAL;
		*ret = (int)n;
		return 0;
	}

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (const struct signal_name *sn = signal_names; sn->name; sn++) {
		if (strcasecmp(s, sn->name) == 0) {
			*ret = sn->number;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_kv_lines(const char *buf, size_t len, parse_kv_cb cb, void *userdata)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(line_end - p));

		if (sp && sp > p) {
			const char *v = sp + 1;
			int r = cb(p, (size_t)(sp - p), v, (size_t)(line_end - v), userdata);
			if (r < 0)
				return r;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

bool key_eq(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(key, name, len) == 0;
}
