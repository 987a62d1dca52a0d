/* SPDX-License-Identifier: MIT */
/*
 * The three Prometheus encoders behind one interface: the text format 0.0.4,
 * OpenMetrics 1.0.0 text and the delimited protobuf format. The family tables
 * of prom.c call them and never know which format is being written.
 * Internal to exporters/.
 */
#ifndef MSTAT_EXPORTERS_PROM_ENC_H
#define MSTAT_EXPORTERS_PROM_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporters/prom.h"

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	_PROM_TYPE_MAX,
};

struct prom_label {
	const char *name;
	const char *value;
};

enum prom_value_kind {
	PROM_VALUE_U64,		  /* printed as an exact integer */
	PROM_VALUE_NS_AS_SECONDS, /* nanoseconds printed as exact decimal seconds */
	PROM_VALUE_DOUBLE,
};

struct prom_value {
	enum prom_value_kind kind;
	uint64_t u; /* PROM_VALUE_U64 and PROM_VALUE_NS_AS_SECONDS */
	double d;   /* PROM_VALUE_DOUBLE */
};

/* Encoder state of one rendering. */
struct prom_enc {
	enum prom_format format;
	struct outbuf *out;
	/* The family being written. */
	const char *name;
	enum prom_type type;
	size_t family_mark; /* out->len before the family's header */
	size_t n_series;
	struct outbuf metrics; /* protobuf: the family's encoded Metric fields */
};

void prom_enc_init(struct prom_enc *enc, enum prom_format format, struct outbuf *out);

/* Starts a family. unit is the OpenMetrics unit ("seconds", "bytes") or NULL;
 * it is written only when the name ends with it, as OpenMetrics requires. */
void prom_enc_family_begin(struct prom_enc *enc, const char *name, enum prom_type type,
			   const char *help, const char *unit);

/* Writes one series of the current family. Labels are sorted by name on the
 * way out; at most PROM_ENC_MAX_LABELS are written. */
void prom_enc_series(struct prom_enc *enc, const struct prom_label *labels, size_t n_labels,
		     struct prom_value v);

/* Ends the family. A family without series leaves no trace in the output. */
void prom_enc_family_end(struct prom_enc *enc);

/* Ends the rendering (the OpenMetrics "# EOF" line) and returns out->error. */
int prom_enc_finish(struct prom_enc *enc);

#define PROM_ENC_MAX_LABELS 32

/* Appends s to b, replacing each byte of an invalid UTF-8 sequence by U+FFFD
 * because Prometheus rejects label values that are not UTF-8. With escape,
 * backslash, double quote and line feed become \\, \" and \n as both text
 * formats require. */
void prom_append_label_value(struct outbuf *b, const char *s, bool escape);

#endif
