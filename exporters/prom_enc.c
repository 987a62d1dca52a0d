/* SPDX-License-Identifier: MIT */
/*
 * Encoders for the Prometheus text format 0.0.4, OpenMetrics 1.0.0 text and
 * the protobuf format (io.prometheus.client.MetricFamily messages, each
 * preceded by its length as a varint). Protobuf messages are packed by
 * protobuf-c from proto/metrics.proto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporters/prom_enc.h"
#include "proto/metrics.pb-c.h"

static const char *const prom_type_text[_PROM_TYPE_MAX] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
};

static void append_str(struct outbuf *b, const char *s)
{
	outbuf_append(b, s, strlen(s));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Returns the length of the valid UTF-8 sequence at s (1 to 4), or 0 when the
 * byte at s starts no valid sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static size_t utf8_sequence_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		unsigned char lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		unsigned char lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80
			   ? 4
			   : 0;
	}
	return 0;
}

/* Returns the end of the run at p that is copied unchanged: valid UTF-8
 * with no byte to escape. */
static const unsigned char *plain_run_end(const unsigned char *p, bool escape)
{
	while (*p) {
		if (*p < 0x80) {
			if (escape && (*p == '\\' || *p == '"' || *p == '\n'))
				break;
			p++;
			continue;
		}
		size_t n = utf8_sequence_len(p);
		if (n == 0)
			break;
		p += n;
	}
	return p;
}

void prom_append_label_value(struct outbuf *b, const char *s, bool escape)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		/* Whole runs in one append: label values rarely need escaping. */
		const unsigned char *end = plain_run_end(p, escape);
		if (end > p) {
			outbuf_append(b, (const char *)p, (size_t)(end - p));
			p = end;
			continue;
		}

		size_t n = utf8_sequence_len(p);
		if (n == 0) {
			outbuf_append(b, "\xef\xbf\xbd", 3);
			p++;
		} else if (escape && *p == '\\') {
			outbuf_append(b, "\\\\", 2);
			p++;
		} else if (escape && *p == '"') {
			outbuf_append(b, "\\\"", 2);
			p++;
		} else if (escape && *p == '\n') {
			outbuf_append(b, "\\n", 2);
			p++;
		} else {
			outbuf_append(b, (const char *)p, n);
			p += n;
		}
	}
}

/* Writes HELP text: backslash and line feed escaped, and in OpenMetrics the
 * double quote too. */
static void append_help(struct outbuf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			outbuf_append(b, "\\\\", 2);
		else if (*s == '\n')
			outbuf_append(b, "\\n", 2);
		else if (quote && *s == '"')
			outbuf_append(b, "\\\"", 2);
		else
			outbuf_append(b, s, 1);
	}
}

/* Prints nanoseconds as seconds in exact decimal ("1.5", "0.000000007"), so
 * that no digit is lost to a binary double on the way out. */
static void append_ns_as_seconds(struct outbuf *b, uint64_t ns)
{
	unsigned long long sec = ns / 1000000000u;
	unsigned long long frac = ns % 1000000000u;
	char digits[16];
	int len;

	if (frac == 0) {
		outbuf_printf(b, "%llu", sec);
		return;
	}
	len = snprintf(digits, sizeof(digits), "%09llu", frac);
	while (len > 0 && digits[len - 1] == '0')
		len--;
	outbuf_printf(b, "%llu.%.*s", sec, len, digits);
}

static void append_value_text(struct outbuf *b, struct prom_value v)
{
	switch (v.kind) {
	case PROM_VALUE_NS_AS_SECONDS:
		append_ns_as_seconds(b, v.u);
		break;
	case PROM_VALUE_DOUBLE: {
		/* The shorter form when it reads back as the same double; 17
		 * significant digits make every double round-trip. */
		char digits[32];

		snprintf(digits, sizeof(digits), "%.15g", v.d);
		if (strtod(digits, NULL) != v.d)
			snprintf(digits, sizeof(digits), "%.17g", v.d);
		append_str(b, digits);
		break;
	}
	default:
		outbuf_printf(b, "%llu", (unsigned long long)v.u);
		break;
	}
}

static double value_as_double(struct prom_value v)
{
	switch (v.kind) {
	case PROM_VALUE_NS_AS_SECONDS:
		return (double)(v.u / 1000000000u) + (double)(v.u % 1000000000u) / 1e9;
	case PROM_VALUE_DOUBLE:
		return v.d;
	default:
		return (double)v.u;
	}
}

/* Sorts labels by name (insertion sort: a series has a handful), as
 * client_golang and cAdvisor print them. */
static size_t sort_labels(const struct prom_label *labels, size_t n,
			  const struct prom_label **sorted)
{
	if (n > PROM_ENC_MAX_LABELS)
		n = PROM_ENC_MAX_LABELS;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && strcmp(sorted[j - 1]->name, labels[i].name) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = &labels[i];
	}
	return n;
}

void prom_enc_init(struct prom_enc *enc, enum prom_format format, struct outbuf *out)
{
	memset(enc, 0, sizeof(*enc));
	enc->format = format;
	enc->out = out;
	outbuf_init(&enc->metrics);
}

/* Returns the length of the family name as OpenMetrics writes it: without
 * _total for a counter. */
static size_t om_family_name_len(const char *name, enum prom_type type)
{
	size_t len = strlen(name);

	if (type == PROM_COUNTER && has_suffix(name, "_total"))
		len -= strlen("_total");
	return len;
}

/* Tells whether unit is the last word of the first name_len bytes of name, as
 * OpenMetrics requires of a family with a UNIT line. */
static bool unit_applies(const char *name, size_t name_len, const char *unit)
{
	size_t unit_len = unit ? strlen(unit) : 0;

	return unit_len > 0 && name_len > unit_len + 1 &&
	       strncmp(name + name_len - unit_len, unit, unit_len) == 0 &&
	       name[name_len - unit_len - 1] == '_';
}

/* OpenMetrics names a counter family without its _total suffix. A counter
 * whose name lacks the suffix (cAdvisor's container_memory_failcnt) is
 * declared "unknown" there, so that its series keeps the name it has in the
 * other formats. */
static void om_family_header(struct prom_enc *enc, const char *help, const char *unit)
{
	struct outbuf *b = enc->out;
	size_t name_len = om_family_name_len(enc->name, enc->type);
	const char *type = prom_type_text[enc->type];

	if (enc->type == PROM_COUNTER && name_len == strlen(enc->name))
		type = "unknown";
	outbuf_printf(b, "# TYPE %.*s %s\n", (int)name_len, enc->name, type);
	if (unit_applies(enc->name, name_len, unit))
		outbuf_printf(b, "# UNIT %.*s %s\n", (int)name_len, enc->name, unit);
	outbuf_printf(b, "# HELP %.*s ", (int)name_len, enc->name);
	append_help(b, help, true);
	outbuf_append(b, "\n", 1);
}

void prom_enc_family_begin(struct prom_enc *enc, const char *name, enum prom_type type,
			   const char *help, const char *unit)
{
	struct outbuf *b = enc->out;

	enc->name = name;
	enc->type = type;
	enc->n_series = 0;
	enc->family_mark = b->len;

	switch (enc->format) {
	case PROM_FORMAT_OPENMETRICS:
		om_family_header(enc, help, unit);
		break;
	case PROM_FORMAT_PROTOBUF: {
		Io__Prometheus__Client__MetricFamily fam =
		    IO__PROMETHEUS__CLIENT__METRIC_FAMILY__INIT;

		/* The header fields now, the Metric fields at the end: protobuf
		 * allows the fields of a message in any order. */
		fam.name = (char *)name;
		fam.help = (char *)help;
		fam.has_type = 1;
		fam.type = type == PROM_COUNTER ? IO__PROMETHEUS__CLIENT__METRIC_TYPE__COUNTER
						: IO__PROMETHEUS__CLIENT__METRIC_TYPE__GAUGE;
		if (unit_applies(name, om_family_name_len(name, type), unit))
			fam.unit = (char *)unit;
		enc->metrics.len = 0;
		size_t len = io__prometheus__client__metric_family__get_packed_size(&fam);
		outbuf_reserve(&enc->metrics, len);
		if (!enc->metrics.error) {
			io__prometheus__client__metric_family__pack(&fam,
								    (uint8_t *)enc->metrics.data);
			enc->metrics.len = len;
		}
		break;
	}
	default:
		append_str(b, "# HELP ");
		append_str(b, name);
		outbuf_append(b, " ", 1);
		append_help(b, help, false);
		outbuf_printf(b, "\n# TYPE %s %s\n", name, prom_type_text[type]);
		break;
	}
}

static void text_series(struct prom_enc *enc, const struct prom_label **sorted, size_t n,
			struct prom_value v)
{
	struct outbuf *b = enc->out;

	append_str(b, enc->name);
	if (n > 0) {
		outbuf_append(b, "{", 1);
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				outbuf_append(b, ",", 1);
			append_str(b, sorted[i]->name);
			outbuf_append(b, "=\"", 2);
			prom_append_label_value(b, sorted[i]->value, true);
			outbuf_append(b, "\"", 1);
		}
		outbuf_append(b, "}", 1);
	}
	outbuf_append(b, " ", 1);
	append_value_text(b, v);
	outbuf_append(b, "\n", 1);
}

static void append_varint(struct outbuf *b, uint64_t v)
{
	char buf[10];
	size_t n = 0;

	do {
		buf[n] = (char)(v & 0x7f);
		v >>= 7;
		if (v)
			buf[n] |= (char)0x80;
		n++;
	} while (v);
	outbuf_append(b, buf, n);
}

/* Packs one Metric and appends it to enc->metrics as field 4 of the family. */
static void proto_series(struct prom_enc *enc, const struct prom_label **sorted, size_t n,
			 struct prom_value v)
{
	Io__Prometheus__Client__LabelPair pairs[PROM_ENC_MAX_LABELS];
	Io__Prometheus__Client__LabelPair *pair_ptrs[PROM_ENC_MAX_LABELS];
	Io__Prometheus__Client__Metric metric = IO__PROMETHEUS__CLIENT__METRIC__INIT;
	Io__Prometheus__Client__Counter counter = IO__PROMETHEUS__CLIENT__COUNTER__INIT;
	Io__Prometheus__Client__Gauge gauge = IO__PROMETHEUS__CLIENT__GAUGE__INIT;
	struct outbuf values;
	size_t offsets[PROM_ENC_MAX_LABELS];

	/* Clean every label value into one buffer first: appending may move it. */
	outbuf_init(&values);
	for (size_t i = 0; i < n; i++) {
		offsets[i] = values.len;
		prom_append_label_value(&values, sorted[i]->value, false);
		outbuf_append(&values, "", 1);
	}
	if (values.error) {
		enc->metrics.error = values.error;
		outbuf_free(&values);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		io__prometheus__client__label_pair__init(&pairs[i]);
		pairs[i].name = (char *)sorted[i]->name;
		pairs[i].value = values.data + offsets[i];
		pair_ptrs[i] = &pairs[i];
	}
	metric.n_label = n;
	metric.label = pair_ptrs;
	if (enc->type == PROM_COUNTER) {
		counter.has_value = 1;
		counter.value = value_as_double(v);
		metric.counter = &counter;
	} else {
		gauge.has_value = 1;
		gauge.value = value_as_double(v);
		metric.gauge = &gauge;
	}

	size_t len = io__prometheus__client__metric__get_packed_size(&metric);
	outbuf_append(&enc->metrics, "\x22", 1); /* field 4, length-delimited */
	append_varint(&enc->metrics, len);
	outbuf_reserve(&enc->metrics, len);
	if (!enc->metrics.error) {
		io__prometheus__client__metric__pack(&metric, (uint8_t *)enc->metrics.data +
								  enc->metrics.len);
		enc->metrics.len += len;
	}
	outbuf_free(&values);
}

void prom_enc_series(struct prom_enc *enc, const struct prom_label *labels, size_t n_labels,
		     struct prom_value v)
{
	const struct prom_label *sorted[PROM_ENC_MAX_LABELS];
	size_t n = sort_labels(labels, n_labels, sorted);

	enc->n_series++;
	if (enc->format == PROM_FORMAT_PROTOBUF)
		proto_series(enc, sorted, n, v);
	else
		text_series(enc, sorted, n, v);
}

void prom_enc_family_end(struct prom_enc *enc)
{
	struct outbuf *b = enc->out;

	if (enc->format == PROM_FORMAT_PROTOBUF) {
		if (enc->metrics.error)
			b->error = enc->metrics.error;
		if (enc->n_series > 0 && !enc->metrics.error) {
			append_varint(b, enc->metrics.len);
			outbuf_append(b, enc->metrics.data, enc->metrics.len);
		}
		enc->metrics.len = 0;
		return;
	}
	if (enc->n_series == 0 && !b->error) {
		b->len = enc->family_mark;
		if (b->data)
			b->data[b->len] = '\0';
	}
}

int prom_enc_finish(struct prom_enc *enc)
{
	if (enc->format == PROM_FORMAT_OPENMETRICS)
		append_str(enc->out, "# EOF\n");
	outbuf_free(&enc->metrics);
	return enc->out->error;
}
