/* SPDX-License-Identifier: MIT */
/*
 * Parsers for cgroup v1 and v2 files and for the proc files the collectors
 * read. They work on buffers only: no file access, no allocation, no logging.
 * Every number goes through the strict parsers of common/parse.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "collectors/cgparse.h"
#include "common/parse.h"

#define NSEC_PER_SEC 1000000000ULL

struct keyed_state {
	const struct cgparse_key *keys;
	size_t n_keys;
	uint64_t values[CGPARSE_MAX_KEYS];
	size_t name_len[CGPARSE_MAX_KEYS]; /* strlen of each key name, measured once */
	uint64_t found;			   /* bit i set when keys[i] was seen */
};

/* Sets *ret_line to the line at *p without its newline and moves *p past it.
 * A last line without a newline is still returned. */
static bool next_line(const char **p, const char *end, const char **ret_line, size_t *ret_len)
{
	if (*p >= end)
		return false;

	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *line_end = nl ? nl : end;

	*ret_line = *p;
	*ret_len = (size_t)(line_end - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Sets *ret_tok to the next run of non-blank bytes in [*p, end). */
static bool next_token(const char **p, const char *end, const char **ret_tok, size_t *ret_len)
{
	const char *q = *p;

	while (q < end && is_blank(*q))
		q++;
	if (q == end) {
		*p = q;
		return false;
	}

	const char *tok = q;
	while (q < end && !is_blank(*q))
		q++;
	*ret_tok = tok;
	*ret_len = (size_t)(q - tok);
	*p = q;
	return true;
}

static bool line_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(line[i]))
			return false;
	return true;
}

/* Adds v to *sum and returns -ERANGE on overflow. */
static int add_checked(uint64_t *sum, uint64_t v)
{
	return __builtin_add_overflow(*sum, v, sum) ? -ERANGE : 0;
}

/* Parses "MAJ:MIN". */
static int parse_devnum(const char *s, size_t len, uint32_t *ret_major, uint32_t *ret_minor)
{
	const char *colon = memchr(s, ':', len);
	uint64_t major, minor;

	if (!colon)
		return -EINVAL;
	int r = parse_u64(s, (size_t)(colon - s), &major);
	if (r < 0)
		return r;
	r = parse_u64(colon + 1, len - (size_t)(colon + 1 - s), &minor);
	if (r < 0)
		return r;
	if (major > UINT32_MAX || minor > UINT32_MAX)
		return -ERANGE;

	*ret_major = (uint32_t)major;
	*ret_minor = (uint32_t)minor;
	return 0;
}

static int keyed_line(const char *key, size_t key_len, const char *value, size_t value_len,
		      void *userdata)
{
	struct keyed_state *st = userdata;

	for (size_t i = 0; i < st->n_keys; i++) {
		uint64_t v;

		/* Lengths first: v1 memory.stat has about 70 lines for 12 keys. */
		if (st->name_len[i] != key_len || memcmp(key, st->keys[i].name, key_len) != 0)
			continue;

		int r = parse_u64(value, value_len, &v);
		if (r < 0)
			return r;
		if (__builtin_mul_overflow(v, (uint64_t)st->keys[i].scale, &st->values[i]))
			return -ERANGE;
		st->found |= UINT64_C(1) << i;
		return 0;
	}
	return 0;
}

static int keyed_parse(const char *buf, size_t len, const struct cgparse_key *keys, size_t n_keys,
		       struct keyed_state *st)
{
	if (n_keys > CGPARSE_MAX_KEYS)
		return -EINVAL;

	st->found = 0;
	st->keys = keys;
	st->n_keys = n_keys;
	for (size_t i = 0; i < n_keys; i++)
		st->name_len[i] = strlen(keys[i].name);
	return parse_kv_lines(buf, len, keyed_line, st);
}

int cgparse_keyed(const char *buf, size_t len, const struct cgparse_key *keys, size_t n_keys,
		  struct sample *s)
{
	struct keyed_state st;

	int r = keyed_parse(buf, len, keys, n_keys, &st);
	if (r < 0)
		return r;

	for (size_t i = 0; i < n_keys; i++)
		if (st.found & (UINT64_C(1) << i))
			sample_set(s, keys[i].key, st.values[i]);
	return 0;
}

int cgparse_cfs_quota(const char *buf, size_t len, uint64_t *ret_quota_us)
{
	int64_t v;

	int r = parse_i64(buf, len, &v);
	if (r < 0)
		return r;
	if (v == -1) {
		*ret_quota_us = MST_UNLIMITED;
		return 0;
	}
	if (v < 0)
		return -EINVAL;

	*ret_quota_us = (uint64_t)v;
	return 0;
}

int cgparse_cpu_max(const char *buf, size_t len, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
	const char *p = buf, *end = buf + len, *tok;
	size_t tok_len;
	uint64_t quota, period;

	if (len > 0 && buf[len - 1] == '\n')
		end--;

	if (!next_token(&p, end, &tok, &tok_len))
		return -EINVAL;
	int r = parse_limit(tok, tok_len, &quota);
	if (r < 0)
		return r;

	if (!next_token(&p, end, &tok, &tok_len))
		return -EINVAL;
	r = parse_u64(tok, tok_len, &period);
	if (r < 0)
		return r;

	if (next_token(&p, end, &tok, &tok_len))
		return -EINVAL;

	*ret_quota_us = quota;
	*ret_period_us = period;
	return 0;
}

int cgparse_ticks_to_ns(uint64_t ticks, unsigned long hz, uint64_t *ret_ns)
{
	if (hz == 0)
		return -EINVAL;

	unsigned __int128 ns = (unsigned __int128)ticks * NSEC_PER_SEC / hz;
	if (ns > UINT64_MAX)
		return -ERANGE;

	*ret_ns = (uint64_t)ns;
	return 0;
}

int cgparse_cpuacct_stat(const char *buf, size_t len, unsigned long user_hz, struct sample *s)
{
	static const struct cgparse_key keys[] = {
		{ "user", SAMPLE_CPU_USER_NS, 1 },
		{ "system", SAMPLE_CPU_SYSTEM_NS, 1 },
	};
	const size_t n_keys = sizeof(keys) / sizeof(keys[0]);
	struct keyed_state st;
	uint64_t ns[2];

	int r = keyed_parse(buf, len, keys, n_keys, &st);
	if (r < 0)
		return r;

	for (size_t i = 0; i < n_keys; i++) {
		if (!(st.found & (UINT64_C(1) << i)))
			continue;
		r = cgparse_ticks_to_ns(st.values[i], user_hz, &ns[i]);
		if (r < 0)
			return r;
	}

	for (size_t i = 0; i < n_keys; i++)
		if (st.found & (UINT64_C(1) << i))
			sample_set(s, keys[i].key, ns[i]);
	return 0;
}

int cgparse_weight_to_shares(uint64_t weight, uint64_t *ret_shares)
{
	if (weight < 1 || weight > 10000)
		return -EINVAL;

	*ret_shares = 2 + (weight - 1) * 262142 / 9999;
	return 0;
}

/* Parses one io.stat line into d, skipping unknown "key=value" pairs. */
static int parse_io_stat_line(const char *line, size_t len, struct sample_blkdev *d)
{
	const char *p = line, *end = line + len, *tok;
	size_t tok_len;

	if (!next_token(&p, end, &tok, &tok_len))
		return -EINVAL;
	int r = parse_devnum(tok, tok_len, &d->major, &d->minor);
	if (r < 0)
		return r;

	while (next_token(&p, end, &tok, &tok_len)) {
		const char *eq = memchr(tok, '=', tok_len);
		uint64_t *field = NULL;

		if (!eq)
			return -EINVAL;

		size_t key_len = (size_t)(eq - tok);
		if (key_eq(tok, key_len, "rbytes"))
			field = &d->read_bytes;
		else if (key_eq(tok, key_len, "wbytes"))
			field = &d->write_bytes;
		else if (key_eq(tok, key_len, "rios"))
			field = &d->read_ops;
		else if (key_eq(tok, key_len, "wios"))
			field = &d->write_ops;
		if (!field)
			continue;

		r = parse_u64(eq + 1, tok_len - key_len - 1, field);
		if (r < 0)
			return r;
	}
	return 0;
}

int cgparse_io_stat(const char *buf, size_t len, struct sample *s)
{
	struct sample_blkdev devs[SAMPLE_MAX_BLKDEVS];
	uint64_t rbytes = 0, wbytes = 0, rios = 0, wios = 0;
	const char *p = buf, *end = buf + len, *line;
	size_t line_len;
	unsigned n = 0;

	while (next_line(&p, end, &line, &line_len)) {
		struct sample_blkdev d = { 0 };

		if (line_is_blank(line, line_len))
			continue;

		int r = parse_io_stat_line(line, line_len, &d);
		if (r < 0)
			return r;
		if (add_checked(&rbytes, d.read_bytes) < 0 ||
		    add_checked(&wbytes, d.write_bytes) < 0 || add_checked(&rios, d.read_ops) < 0 ||
		    add_checked(&wios, d.write_ops) < 0)
			return -ERANGE;
		if (n < SAMPLE_MAX_BLKDEVS)
			devs[n++] = d;
	}

	memcpy(s->blkdev, devs, n * sizeof(devs[0]));
	s->n_blkdev = n;
	sample_set(s, SAMPLE_IO_READ_BYTES, rbytes);
	sample_set(s, SAMPLE_IO_WRITE_BYTES, wbytes);
	sample_set(s, SAMPLE_IO_READ_OPS, rios);
	sample_set(s, SAMPLE_IO_WRITE_OPS, wios);
	return 0;
}

/* Returns the entry for a device in devs[0..*n), appending a zeroed one when
 * there is room. Returns NULL when the list is full. */
static struct sample_blkdev *blkdev_slot(struct sample_blkdev *devs, unsigned *n, uint32_t major,
					 uint32_t minor)
{
	for (unsigned i = 0; i < *n; i++)
		if (devs[i].major == major && devs[i].minor == minor)
			return &devs[i];
	if (*n == SAMPLE_MAX_BLKDEVS)
		return NULL;

	struct sample_blkdev *d = &devs[(*n)++];
	memset(d, 0, sizeof(*d));
	d->major = major;
	d->minor = minor;
	return d;
}

/* Parses one "MAJ:MIN OP N" line of a v1 blkio file. Sets *ret_is_write to
 * -1 for operations other than Read and Write, which are skipped. */
static int parse_blkio_line(const char *line, size_t len, uint32_t *ret_major, uint32_t *ret_minor,
			    int *ret_is_write, uint64_t *ret_value)
{
	const char *p = line, *end = line + len, *dev, *op, *val, *extra;
	size_t dev_len, op_len, val_len, extra_len;

	if (!next_token(&p, end, &dev, &dev_len) || !next_token(&p, end, &op, &op_len) ||
	    !next_token(&p, end, &val, &val_len) || next_token(&p, end, &extra, &extra_len))
		return -EINVAL;

	int r = parse_devnum(dev, dev_len, ret_major, ret_minor);
	if (r < 0)
		return r;
	r = parse_u64(val, val_len, ret_value);
	if (r < 0)
		return r;

	if (key_eq(op, op_len, "Read"))
		*ret_is_write = 0;
	else if (key_eq(op, op_len, "Write"))
		*ret_is_write = 1;
	else
		*ret_is_write = -1;
	return 0;
}

int cgparse_blkio_v1(const char *buf, size_t len, enum cgparse_blkio_kind kind, struct sample *s)
{
	struct sample_blkdev devs[SAMPLE_MAX_BLKDEVS];
	uint64_t total[2] = { 0, 0 }; /* read, write */
	const char *p = buf, *end = buf + len, *line;
	size_t line_len;
	unsigned n = s->n_blkdev;

	if (kind >= _CGPARSE_BLKIO_KIND_MAX)
		return -EINVAL;
	memcpy(devs, s->blkdev, n * sizeof(devs[0]));

	while (next_line(&p, end, &line, &line_len)) {
		uint32_t major, minor;
		uint64_t value;
		int is_write;

		if (line_is_blank(line, line_len))
			continue;
		/* The last line, "Total N", sums every device and operation. */
		if (line_len >= 6 && memcmp(line, "Total ", 6) == 0)
			continue;

		int r = parse_blkio_line(line, line_len, &major, &minor, &is_write, &value);
		if (r < 0)
			return r;
		if (is_write < 0)
			continue;
		if (add_checked(&total[is_write], value) < 0)
			return -ERANGE;

		struct sample_blkdev *d = blkdev_slot(devs, &n, major, minor);
		if (!d)
			continue;
		if (kind == CGPARSE_BLKIO_BYTES && is_write)
			d->write_bytes = value;
		else if (kind == CGPARSE_BLKIO_BYTES)
			d->read_bytes = value;
		else if (is_write)
			d->write_ops = value;
		else
			d->read_ops = value;
	}

	memcpy(s->blkdev, devs, n * sizeof(devs[0]));
	s->n_blkdev = n;
	if (kind == CGPARSE_BLKIO_BYTES) {
		sample_set(s, SAMPLE_IO_READ_BYTES, total[0]);
		sample_set(s, SAMPLE_IO_WRITE_BYTES, total[1]);
	} else {
		sample_set(s, SAMPLE_IO_READ_OPS, total[0]);
		sample_set(s, SAMPLE_IO_WRITE_OPS, total[1]);
	}
	return 0;
}

/* Checks an interface name the way the kernel's dev_valid_name() does for
 * ASCII: 1 to IF_NAMESIZE - 1 bytes, not "." or "..", and no '/', ':' or
 * white space. */
static bool netif_name_valid(const char *name, size_t len)
{
	if (len == 0 || len >= IF_NAMESIZE)
		return false;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' || strchr(" \t\n\v\f\r", name[i]))
			return false;
	return true;
}

/* The 16 counters of a net/dev line, in file order. */
enum {
	NETDEV_RX_BYTES = 0,
	NETDEV_RX_PACKETS = 1,
	NETDEV_RX_ERRS = 2,
	NETDEV_RX_DROP = 3,
	NETDEV_TX_BYTES = 8,
	NETDEV_TX_PACKETS = 9,
	NETDEV_TX_ERRS = 10,
	NETDEV_TX_DROP = 11,
	NETDEV_N_FIELDS = 16,
};

/* Parses one "NAME: 16 counters" line into ifc. */
static int parse_net_dev_line(const char *line, size_t len, struct sample_netif *ifc)
{
	const char *colon = memchr(line, ':', len);
	const char *name = line, *p, *end = line + len, *tok;
	uint64_t v[NETDEV_N_FIELDS];
	size_t tok_len;

	if (!colon)
		return -EINVAL;
	while (name < colon && is_blank(*name))
		name++;
	if (!netif_name_valid(name, (size_t)(colon - name)))
		return -EINVAL;

	p = colon + 1;
	for (int i = 0; i < NETDEV_N_FIELDS; i++) {
		if (!next_token(&p, end, &tok, &tok_len))
			return -EINVAL;
		int r = parse_u64(tok, tok_len, &v[i]);
		if (r < 0)
			return r;
	}
	if (next_token(&p, end, &tok, &tok_len))
		return -EINVAL;

	memset(ifc, 0, sizeof(*ifc));
	memcpy(ifc->name, name, (size_t)(colon - name));
	ifc->rx_bytes = v[NETDEV_RX_BYTES];
	ifc->rx_packets = v[NETDEV_RX_PACKETS];
	ifc->rx_errors = v[NETDEV_RX_ERRS];
	ifc->rx_dropped = v[NETDEV_RX_DROP];
	ifc->tx_bytes = v[NETDEV_TX_BYTES];
	ifc->tx_packets = v[NETDEV_TX_PACKETS];
	ifc->tx_errors = v[NETDEV_TX_ERRS];
	ifc->tx_dropped = v[NETDEV_TX_DROP];
	return 0;
}

static int netif_add_totals(uint64_t totals[8], const struct sample_netif *ifc)
{
	const uint64_t v[8] = { ifc->rx_bytes, ifc->rx_packets, ifc->rx_errors, ifc->rx_dropped,
				ifc->tx_bytes, ifc->tx_packets, ifc->tx_errors, ifc->tx_dropped };

	for (int i = 0; i < 8; i++)
		if (add_checked(&totals[i], v[i]) < 0)
			return -ERANGE;
	return 0;
}

int cgparse_net_dev(const char *buf, size_t len, struct sample *s)
{
	static const enum sample_key total_keys[8] = {
		SAMPLE_NET_RX_BYTES,   SAMPLE_NET_RX_PACKETS, SAMPLE_NET_RX_ERRORS,
		SAMPLE_NET_RX_DROPPED, SAMPLE_NET_TX_BYTES,   SAMPLE_NET_TX_PACKETS,
		SAMPLE_NET_TX_ERRORS,  SAMPLE_NET_TX_DROPPED,
	};
	struct sample_netif ifs[SAMPLE_MAX_NETIFS];
	uint64_t totals[8] = { 0 };
	const char *p = buf, *end = buf + len, *line;
	size_t line_len;
	unsigned n = 0;

	/* Two header lines, both with '|' between the receive and transmit columns. */
	for (int i = 0; i < 2; i++)
		if (!next_line(&p, end, &line, &line_len) || !memchr(line, '|', line_len))
			return -EINVAL;

	while (next_line(&p, end, &line, &line_len)) {
		struct sample_netif ifc;

		if (line_is_blank(line, line_len))
			continue;

		int r = parse_net_dev_line(line, line_len, &ifc);
		if (r < 0)
			return r;
		if (strcmp(ifc.name, "lo") == 0)
			continue;
		r = netif_add_totals(totals, &ifc);
		if (r < 0)
			return r;
		if (n < SAMPLE_MAX_NETIFS)
			ifs[n++] = ifc;
	}

	memcpy(s->netif, ifs, n * sizeof(ifs[0]));
	s->n_netif = n;
	for (int i = 0; i < 8; i++)
		sample_set(s, total_keys[i], totals[i]);
	return 0;
}

/* Sums the first seven counters of the aggregate "cpu " line (user to
 * softirq), leaving out steal and guest time as docker's daemon does. */
static int parse_stat_cpu_total(const char *line, size_t len, uint64_t *ret_ticks)
{
	const char *p = line + 3, *end = line + len, *tok;
	size_t tok_len;
	uint64_t sum = 0;

	for (int i = 0; i < 7; i++) {
		uint64_t v;

		if (!next_token(&p, end, &tok, &tok_len))
			return -EINVAL;
		int r = parse_u64(tok, tok_len, &v);
		if (r < 0)
			return r;
		if (add_checked(&sum, v) < 0)
			return -ERANGE;
	}
	*ret_ticks = sum;
	return 0;
}

int cgparse_proc_stat(const char *buf, size_t len, unsigned long user_hz, uint64_t *ret_ns,
		      unsigned *ret_online)
{
	const char *p = buf, *end = buf + len, *line;
	size_t line_len;
	uint64_t ticks = 0, ns;
	unsigned online = 0;
	bool have_total = false;
	int stopped = 0;

	while (next_line(&p, end, &line, &line_len)) {
		if (line_len < 4 || memcmp(line, "cpu", 3) != 0) {
			stopped = 1;
			break;
		}
		if (line[3] == ' ') {
			int r = parse_stat_cpu_total(line, line_len, &ticks);
			if (r < 0)
				return r;
			have_total = true;
		} else if (line[3] >= '0' && line[3] <= '9') {
			online++;
		} else {
			stopped = 1;
			break;
		}
	}
	if (!have_total)
		return -EINVAL;

	int r = cgparse_ticks_to_ns(ticks, user_hz, &ns);
	if (r < 0)
		return r;

	*ret_ns = ns;
	*ret_online = online;
	return stopped;
}

int cgparse_meminfo_total(const char *buf, size_t len, uint64_t *ret_bytes)
{
	const char *p = buf, *end = buf + len, *line, *tok;
	size_t line_len, tok_len;
	uint64_t kib;

	while (next_line(&p, end, &line, &line_len)) {
		if (line_len < 9 || memcmp(line, "MemTotal:", 9) != 0)
			continue;

		const char *q = line + 9, *line_end = line + line_len;

		if (!next_token(&q, line_end, &tok, &tok_len))
			return -EINVAL;
		int r = parse_u64(tok, tok_len, &kib);
		if (r < 0)
			return r;
		if (!next_token(&q, line_end, &tok, &tok_len) || !key_eq(tok, tok_len, "kB"))
			return -EINVAL;
		if (kib > UINT64_MAX / 1024)
			return -ERANGE;

		*ret_bytes = kib * 1024;
		return 0;
	}
	return -EINVAL;
}

/* Finds "total=N" among the tokens after a pressure line's first word. */
static int parse_pressure_total(const char *p, const char *end, uint64_t *ret_us)
{
	static const char prefix[] = "total=";
	const size_t prefix_len = sizeof(prefix) - 1;
	const char *tok;
	size_t tok_len;

	while (next_token(&p, end, &tok, &tok_len)) {
		if (tok_len > prefix_len && memcmp(tok, prefix, prefix_len) == 0)
			return parse_u64(tok + prefix_len, tok_len - prefix_len, ret_us);
	}
	return -EINVAL;
}

int cgparse_pressure(const char *buf, size_t len, enum sample_key some_key,
		     enum sample_key full_key, struct sample *s)
{
	const char *p = buf, *end = buf + len, *line;
	uint64_t total_ns[2] = { 0, 0 };
	bool found[2] = { false, false };
	size_t line_len;

	while (next_line(&p, end, &line, &line_len)) {
		const char *q = line, *word;
		size_t word_len;
		uint64_t us;
		int which;

		if (line_is_blank(line, line_len))
			continue;
		if (!next_token(&q, line + line_len, &word, &word_len))
			return -EINVAL;
		if (word_len == 4 && memcmp(word, "some", 4) == 0)
			which = 0;
		else if (word_len == 4 && memcmp(word, "full", 4) == 0)
			which = 1;
		else
			continue; /* a kind a later kernel may add */

		int r = parse_pressure_total(q, line + line_len, &us);
		if (r < 0)
			return r;
		if (__builtin_mul_overflow(us, (uint64_t)1000, &total_ns[which]))
			return -ERANGE;
		found[which] = true;
	}

	if (found[0])
		sample_set(s, some_key, total_ns[0]);
	if (found[1])
		sample_set(s, full_key, total_ns[1]);
	return 0;
}
