/* SPDX-License-Identifier: MIT */
/*
 * Tests of the three exposition formats against golden files in
 * tests/fixtures/exporters/: text 0.0.4, OpenMetrics 1.0.0 and the delimited
 * protobuf format, which the test decodes with protobuf-c and prints one
 * series per line. Also: the protobuf page carries the same series and values
 * as the text page, label escaping and UTF-8 repair, empty snapshots, Accept
 * and Accept-Encoding negotiation, and a gzip round trip through zlib.
 * MSTAT_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "exporters/prom.h"
#include "proto/metrics.pb-c.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/test_exporters_fixture.h"

static const struct prom_agent_info fixture_agent = {
	.version = "1.2.3",
	.scrapes = 9,
	.collector_errors = 1,
	.scrapes_by_format = { 4, 2, 3 },
};

static struct outbuf render_format(const struct snapshot *snap, const struct prom_agent_info *agent,
				   enum prom_format f)
{
	struct outbuf b;

	outbuf_init(&b);
	CU_ASSERT_EQUAL(prom_render(snap, agent, f, &b), 0);
	return b;
}

/* Reads a whole file; returns NULL when it cannot. */
static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rbe");
	char *data = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *grown = realloc(data, cap);
			if (!grown) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = grown;
		}
		size_t n = fread(data + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	fclose(f);
	data[len] = '\0';
	*ret_len = len;
	return data;
}

/* Compares data with the golden file, or writes it with MSTAT_UPDATE_GOLDEN=1. */
static void expect_golden(const char *name, const char *data, size_t len)
{
	const char *dir = getenv("MSTAT_FIXTURES");
	char path[4096];
	size_t golden_len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof(path), "%s/exporters/%s", dir, name);
	if (getenv("MSTAT_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wbe");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
		fclose(f);
		return;
	}

	char *golden = read_file(path, &golden_len);
	if (!golden)
		fprintf(stderr, "\n  golden file missing: %s\n", path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(golden);
	bool same = golden_len == len && memcmp(golden, data, len) == 0;
	if (!same)
		fprintf(stderr, "\n  output differs from %s (%zu bytes, golden %zu)\n", path, len,
			golden_len);
	CU_ASSERT_TRUE(same);
	free(golden);
}

/* Decodes a delimited protobuf page into one line per series:
 * "TYPE name{labels} value", after a "# family name TYPE help" line. */
static int proto_dump(const char *data, size_t len, struct outbuf *out)
{
	const uint8_t *p = (const uint8_t *)data, *end = p + len;

	while (p < end) {
		uint64_t msg_len = 0;
		int shift = 0;

		do {
			if (p >= end || shift > 63)
				return -EINVAL;
			msg_len |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
		} while (*p++ & 0x80);
		if (msg_len > (uint64_t)(end - p))
			return -EINVAL;

		Io__Prometheus__Client__MetricFamily *fam =
		    io__prometheus__client__metric_family__unpack(NULL, msg_len, p);
		if (!fam)
			return -EINVAL;
		const char *type =
		    fam->type == IO__PROMETHEUS__CLIENT__METRIC_TYPE__COUNTER ? "counter"
		    : fam->type == IO__PROMETHEUS__CLIENT__METRIC_TYPE__GAUGE ? "gauge"
									      : "other";
		outbuf_printf(out, "# family %s %s unit=%s %s\n", fam->name, type,
			      fam->unit ? fam->unit : "-", fam->help);
		for (size_t i = 0; i < fam->n_metric; i++) {
			const Io__Prometheus__Client__Metric *m = fam->metric[i];
			double v = m->counter ? m->counter->value
				   : m->gauge ? m->gauge->value
					      : NAN;

			outbuf_printf(out, "%s{", fam->name);
			for (size_t j = 0; j < m->n_label; j++)
				outbuf_printf(out, "%s%s=[%s]", j ? "," : "", m->label[j]->name,
					      m->label[j]->value);
			outbuf_printf(out, "} %.17g%s\n", v,
				      m->has_timestamp_ms ? " with timestamp" : "");
		}
		io__prometheus__client__metric_family__free_unpacked(fam, NULL);
		p += msg_len;
	}
	return 0;
}

static void test_text_golden(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct outbuf b = render_format(snap, &fixture_agent, PROM_FORMAT_TEXT);

	expect_golden("fixture.txt", b.data, b.len);
	outbuf_free(&b);
	fixture_free(snap);
}

static void test_openmetrics_golden(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct outbuf b = render_format(snap, &fixture_agent, PROM_FORMAT_OPENMETRICS);

	CU_ASSERT_TRUE(b.len > 6 && strcmp(b.data + b.len - 6, "# EOF\n") == 0);
	CU_ASSERT_PTR_NULL(strstr(b.data, "# TYPE container_cpu_usage_seconds_total "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "# TYPE container_cpu_usage_seconds counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "# UNIT container_cpu_usage_seconds seconds\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "# TYPE container_memory_failcnt unknown\n"));
	/* OpenMetrics requires unique family names across types too. */
	char families[128][128];
	size_t n_families = 0;
	for (const char *l = strstr(b.data, "# TYPE "); l; l = strstr(l + 1, "\n# TYPE ")) {
		char name[128];

		CU_ASSERT_EQUAL_FATAL(sscanf(l[0] == '\n' ? l + 1 : l, "# TYPE %127s", name), 1);
		for (size_t i = 0; i < n_families; i++) {
			if (strcmp(families[i], name) == 0)
				fprintf(stderr, "\n  family repeated: %s\n", name);
			CU_ASSERT_STRING_NOT_EQUAL(families[i], name);
		}
		CU_ASSERT_FATAL(n_families < 128);
		snprintf(families[n_families++], sizeof(families[0]), "%s", name);
	}
	CU_ASSERT_TRUE(n_families > 60);
	expect_golden("fixture.om", b.data, b.len);
	outbuf_free(&b);
	fixture_free(snap);
}

static void test_protobuf_golden(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct outbuf b = render_format(snap, &fixture_agent, PROM_FORMAT_PROTOBUF);
	struct outbuf dump;

	outbuf_init(&dump);
	CU_ASSERT_EQUAL_FATAL(proto_dump(b.data, b.len, &dump), 0);
	CU_ASSERT_PTR_NULL(strstr(dump.data, "with timestamp"));
	expect_golden("fixture.pb.txt", dump.data, dump.len);
	outbuf_free(&dump);
	outbuf_free(&b);
	fixture_free(snap);
}

/* Counts the series lines (no '#') of a text page. */
static size_t count_text_series(const char *s)
{
	size_t n = 0;

	for (const char *line = s; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (*line != '#' && *line != '\n')
			n++;
	return n;
}

/* Every protobuf series has a text line with the same name and value. */
static void test_protobuf_matches_text(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct outbuf text = render_format(snap, &fixture_agent, PROM_FORMAT_TEXT);
	struct outbuf pb = render_format(snap, &fixture_agent, PROM_FORMAT_PROTOBUF);
	const uint8_t *p = (const uint8_t *)pb.data, *end = p + pb.len;
	size_t n_proto = 0;

	while (p < end) {
		uint64_t msg_len = 0;
		int shift = 0;

		do {
			msg_len |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
		} while (*p++ & 0x80);
		Io__Prometheus__Client__MetricFamily *fam =
		    io__prometheus__client__metric_family__unpack(NULL, msg_len, p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(fam);
		for (size_t i = 0; i < fam->n_metric; i++) {
			const Io__Prometheus__Client__Metric *m = fam->metric[i];
			double v = m->counter ? m->counter->value : m->gauge->value;
			char prefix[512];
			bool found = false;

			/* The text line of the series starts with the name and the
			 * first label, which is unique per family in the fixture
			 * together with the value. */
			snprintf(prefix, sizeof(prefix), "%s%s", fam->name, m->n_label ? "{" : " ");
			for (const char *l = strstr(text.data, prefix); l && !found;
			     l = strstr(l + 1, prefix)) {
				const char *eol = strchr(l, '\n');
				const char *sp = eol;

				while (sp > l && sp[-1] != ' ')
					sp--;
				found = (l == text.data || l[-1] == '\n') &&
					fabs(strtod(sp, NULL) - v) <= fabs(v) * 1e-15;
			}
			if (!found)
				fprintf(stderr, "\n  no text line for %s = %.17g\n", fam->name, v);
			CU_ASSERT_TRUE(found);
			n_proto++;
		}
		io__prometheus__client__metric_family__free_unpacked(fam, NULL);
		p += msg_len;
	}
	CU_ASSERT_EQUAL(n_proto, count_text_series(text.data));
	outbuf_free(&text);
	outbuf_free(&pb);
	fixture_free(snap);
}

static void test_empty_snapshot_each_format(void)
{
	struct snapshot *snap = snapshot_new(0);
	struct outbuf b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
	b = render_format(NULL, NULL, PROM_FORMAT_TEXT);
	CU_ASSERT_EQUAL(b.len, 0);
	outbuf_free(&b);

	b = render_format(NULL, NULL, PROM_FORMAT_OPENMETRICS);
	CU_ASSERT_STRING_EQUAL(b.data, "# EOF\n");
	outbuf_free(&b);

	b = render_format(NULL, NULL, PROM_FORMAT_PROTOBUF);
	CU_ASSERT_EQUAL(b.len, 0);
	outbuf_free(&b);

	/* A snapshot without entries: only the agent figures, pinned by the
	 * golden files. */
	b = render_format(snap, &fixture_agent, PROM_FORMAT_TEXT);
	expect_golden("empty.txt", b.data, b.len);
	outbuf_free(&b);
	b = render_format(snap, &fixture_agent, PROM_FORMAT_OPENMETRICS);
	expect_golden("empty.om", b.data, b.len);
	outbuf_free(&b);
	snapshot_unref(snap);
}

/* A name with a quote, backslashes, a line feed, UTF-8 and one invalid byte. */
#define ESCAPE_NAME "q\"b\\\\n\nü日\xff!"
/* The same in the text formats: escaped, with U+FFFD for the invalid byte. */
#define ESCAPE_TEXT_LINE                                                                           \
	"container_threads{id=\"/mstat/esc\",name=\"q\\\"b\\\\\\\\n\\nü日\xef\xbf\xbd!\"} 1\n"

static void test_label_escaping(void)
{
	struct snapshot *snap = snapshot_new(1);
	struct outbuf b, dump;

	CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
	snap->entries[0].meta.id = "/mstat/esc";
	snap->entries[0].meta.name = ESCAPE_NAME;
	sample_set(&snap->entries[0].cur, SAMPLE_PIDS_CURRENT, 1);

	b = render_format(snap, NULL, PROM_FORMAT_TEXT);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, ESCAPE_TEXT_LINE));
	expect_golden("escape.txt", b.data, b.len);
	outbuf_free(&b);

	b = render_format(snap, NULL, PROM_FORMAT_OPENMETRICS);
	expect_golden("escape.om", b.data, b.len);
	outbuf_free(&b);

	b = render_format(snap, NULL, PROM_FORMAT_PROTOBUF);
	outbuf_init(&dump);
	CU_ASSERT_EQUAL(proto_dump(b.data, b.len, &dump), 0);
	/* Protobuf carries the value unescaped, with the invalid byte replaced. */
	CU_ASSERT_PTR_NOT_NULL(strstr(dump.data, "name=[q\"b\\\\n\nü日\xef\xbf\xbd!]"));
	outbuf_free(&dump);
	outbuf_free(&b);

	snap->entries[0].meta.id = NULL;
	snap->entries[0].meta.name = NULL;
	snapshot_unref(snap);
}

/* Only allow-listed container labels become container_label_KEY labels. */
static void test_container_labels_allow_list(void)
{
	char *labels[] = { "team=web", "a.b=1", "a_b=2", "secret=x", "empty=", NULL };
	char *allow[] = { "team", "a.b", "a_b", "empty", "absent" };
	struct prom_agent_info agent = { .label_allow = allow, .n_label_allow = 5 };
	struct snapshot *snap = snapshot_new(1);
	struct outbuf b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
	snap->entries[0].meta.id = "/mstat/l";
	snap->entries[0].meta.name = "l";
	snap->entries[0].meta.labels = labels;
	sample_set(&snap->entries[0].cur, SAMPLE_PIDS_CURRENT, 2);

	b = render_format(snap, &agent, PROM_FORMAT_TEXT);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data,
				      "container_threads{container_label_a_b=\"1\","
				      "container_label_empty=\"\",container_label_team=\"web\","
				      "id=\"/mstat/l\",name=\"l\"} 2\n"));
	CU_ASSERT_PTR_NULL(strstr(b.data, "secret"));
	outbuf_free(&b);

	/* Without an allow-list, no container label is exported. */
	b = render_format(snap, NULL, PROM_FORMAT_TEXT);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "container_threads{id=\"/mstat/l\",name=\"l\"} 2\n"));
	outbuf_free(&b);

	snap->entries[0].meta.id = NULL;
	snap->entries[0].meta.name = NULL;
	snap->entries[0].meta.labels = NULL;
	snapshot_unref(snap);
}

static void test_negotiate_accept(void)
{
	static const struct {
		const char *accept;
		enum prom_format expect;
	} cases[] = {
		{ NULL, PROM_FORMAT_TEXT },
		{ "", PROM_FORMAT_TEXT },
		{ "*/*", PROM_FORMAT_TEXT },
		{ "text/plain", PROM_FORMAT_TEXT },
		{ "application/json", PROM_FORMAT_TEXT },
		{ ",,;;===", PROM_FORMAT_TEXT },
		/* Prometheus 2.42 without and with --enable-feature=native-histograms. */
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
		  "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		  PROM_FORMAT_OPENMETRICS },
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
		  "encoding=delimited;q=0.8,application/openmetrics-text;version=1.0.0;q=0.7,"
		  "text/plain;version=0.0.4;q=0.3",
		  PROM_FORMAT_PROTOBUF },
		/* Weights decide, not the order. */
		{ "text/plain;q=0.9, application/openmetrics-text;q=0.95",
		  PROM_FORMAT_OPENMETRICS },
		{ "application/openmetrics-text;q=0.5, text/plain;version=0.0.4",
		  PROM_FORMAT_TEXT },
		/* Equal weights: the earlier one. */
		{ "text/plain;q=0.5, application/openmetrics-text;q=0.5", PROM_FORMAT_TEXT },
		/* q=0 means not acceptable; a malformed q drops the element. */
		{ "application/openmetrics-text;q=0, text/plain;q=0.1", PROM_FORMAT_TEXT },
		{ "application/openmetrics-text;q=1.5, text/plain;q=0.1", PROM_FORMAT_TEXT },
		{ "application/openmetrics-text;q=abc", PROM_FORMAT_TEXT },
		/* Unsupported variants are skipped. */
		{ "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
		  "encoding=text",
		  PROM_FORMAT_TEXT },
		{ "application/openmetrics-text;version=2.0.0", PROM_FORMAT_TEXT },
		{ "APPLICATION/OpenMetrics-Text; version=\"1.0.0\"", PROM_FORMAT_OPENMETRICS },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum prom_format got = prom_negotiate(cases[i].accept);

		if (got != cases[i].expect)
			fprintf(stderr, "\n  Accept \"%s\": got %s\n",
				cases[i].accept ? cases[i].accept : "(none)",
				prom_format_name(got));
		CU_ASSERT_EQUAL(got, cases[i].expect);
	}
}

static void test_negotiate_gzip(void)
{
	CU_ASSERT_FALSE(prom_accepts_gzip(NULL));
	CU_ASSERT_FALSE(prom_accepts_gzip(""));
	CU_ASSERT_TRUE(prom_accepts_gzip("gzip"));
	CU_ASSERT_TRUE(prom_accepts_gzip("deflate, gzip;q=0.5"));
	CU_ASSERT_FALSE(prom_accepts_gzip("gzip;q=0"));
	CU_ASSERT_FALSE(prom_accepts_gzip("identity"));
	CU_ASSERT_TRUE(prom_accepts_gzip("*"));
	CU_ASSERT_FALSE(prom_accepts_gzip("*, gzip;q=0"));
	CU_ASSERT_FALSE(prom_accepts_gzip("gzip;q=x"));
}

static void test_gzip_round_trip(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct outbuf text = render_format(snap, &fixture_agent, PROM_FORMAT_TEXT);
	struct outbuf packed;
	z_stream z = { 0 };
	char *plain = malloc(text.len + 16);

	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	outbuf_init(&packed);
	CU_ASSERT_EQUAL_FATAL(prom_gzip(text.data, text.len, &packed), 0);
	CU_ASSERT_TRUE(packed.len > 18 && packed.len < text.len);
	CU_ASSERT_EQUAL((unsigned char)packed.data[0], 0x1f); /* gzip magic */
	CU_ASSERT_EQUAL((unsigned char)packed.data[1], 0x8b);

	CU_ASSERT_EQUAL_FATAL(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)packed.data;
	z.avail_in = (uInt)packed.len;
	z.next_out = (Bytef *)plain;
	z.avail_out = (uInt)text.len + 16;
	CU_ASSERT_EQUAL(inflate(&z, Z_FINISH), Z_STREAM_END);
	CU_ASSERT_EQUAL(z.total_out, text.len);
	CU_ASSERT_EQUAL(memcmp(plain, text.data, text.len), 0);
	inflateEnd(&z);

	free(plain);
	outbuf_free(&packed);
	outbuf_free(&text);
	fixture_free(snap);
}

static const struct cunit_test tests[] = {
	{ "text golden", test_text_golden },
	{ "openmetrics golden", test_openmetrics_golden },
	{ "protobuf golden", test_protobuf_golden },
	{ "protobuf matches text", test_protobuf_matches_text },
	{ "empty snapshot each format", test_empty_snapshot_each_format },
	{ "label escaping each format", test_label_escaping },
	{ "container labels allow-list", test_container_labels_allow_list },
	{ "negotiate Accept", test_negotiate_accept },
	{ "negotiate Accept-Encoding", test_negotiate_gzip },
	{ "gzip round trip", test_gzip_round_trip },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("exporters_formats", tests);
}
