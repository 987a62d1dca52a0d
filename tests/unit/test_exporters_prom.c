/* SPDX-License-Identifier: MIT */
/*
 * Tests of the Prometheus text renderer and the output buffer. They check
 * exact series lines for a hand-built snapshot, no series for absent values,
 * one HELP and TYPE per family with its series grouped under it, and exact
 * integers up to 2^64-1. `promtool check metrics` runs when it is installed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/parse.h"
#include "exporters/prom.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/test_exporters_fixture.h"

#define V1_LABELS "id=\"" FIXTURE_V1_CGROUP "\",name=\"" FIXTURE_V1_NAME "\""
#define V2_LABELS "id=\"" FIXTURE_V2_CGROUP "\",name=\"" FIXTURE_V2_NAME_ESCAPED "\""

static char *render(const struct snapshot *snap, const struct prom_agent_info *agent)
{
	struct outbuf b;

	outbuf_init(&b);
	CU_ASSERT_EQUAL_FATAL(prom_render_text(snap, agent, &b), 0);
	if (!b.data)
		return strdup("");
	return b.data;
}

/* True when `line` is one whole line of out. */
static bool has_line(const char *out, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = out; (p = strstr(p, line)); p++) {
		bool starts = p == out || p[-1] == '\n';
		bool ends = p[len] == '\n';

		if (starts && ends)
			return true;
	}
	return false;
}

static void expect_lines(const char *out, const char *const *lines)
{
	for (const char *const *l = lines; *l; l++) {
		if (!has_line(out, *l))
			fprintf(stderr, "\n  missing line: %s\n", *l);
		CU_ASSERT_TRUE(has_line(out, *l));
	}
}

/* True when out has a series of `family` whose labels include
 * id="<cgroup>". */
static bool has_series_for(const char *out, const char *family, const char *cgroup)
{
	char prefix[256], id[128];
	size_t plen;

	snprintf(prefix, sizeof(prefix), "%s{", family);
	snprintf(id, sizeof(id), "id=\"%s\"", cgroup);
	plen = strlen(prefix);
	for (const char *line = out; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (strncmp(line, prefix, plen) == 0 && memmem(line, len, id, strlen(id)))
			return true;
		line += len + (end ? 1 : 0);
	}
	return false;
}

static void test_prom_v1_series_exact(void)
{
	static const char *const lines[] = {
		"container_cpu_usage_seconds_total{cpu=\"total\"," V1_LABELS "} 1.5",
		"container_cpu_user_seconds_total{" V1_LABELS "} 1",
		"container_cpu_system_seconds_total{" V1_LABELS "} 0.4",
		"container_cpu_cfs_periods_total{" V1_LABELS "} 100",
		"container_cpu_cfs_throttled_periods_total{" V1_LABELS "} 7",
		"container_cpu_cfs_throttled_seconds_total{" V1_LABELS "} 0.25",
		"container_memory_usage_bytes{" V1_LABELS "} 104857600",
		"container_memory_max_usage_bytes{" V1_LABELS "} 209715200",
		"container_memory_working_set_bytes{" V1_LABELS "} 83886080",
		"container_memory_rss{" V1_LABELS "} 41943040",
		"container_memory_cache{" V1_LABELS "} 52428800",
		"container_memory_swap{" V1_LABELS "} 4096",
		"container_memory_mapped_file{" V1_LABELS "} 1048576",
		"container_memory_failcnt{" V1_LABELS "} 3",
		"container_memory_failures_total{failure_type=\"pgfault\"," V1_LABELS
		",scope=\"container\"} 12345",
		"container_memory_failures_total{failure_type=\"pgmajfault\"," V1_LABELS
		",scope=\"container\"} 67",
		"container_memory_failures_total{failure_type=\"pgfault\"," V1_LABELS
		",scope=\"hierarchy\"} 12345",
		"container_memory_failures_total{failure_type=\"pgmajfault\"," V1_LABELS
		",scope=\"hierarchy\"} 67",
		"container_oom_events_total{" V1_LABELS "} 1",
		"container_spec_cpu_period{" V1_LABELS "} 100000",
		"container_spec_cpu_quota{" V1_LABELS "} 50000",
		"container_spec_cpu_shares{" V1_LABELS "} 512",
		"container_spec_memory_limit_bytes{" V1_LABELS "} 268435456",
		"container_spec_memory_swap_limit_bytes{" V1_LABELS "} 268435456",
		"container_fs_reads_bytes_total{device=\"8:0\"," V1_LABELS "} 4096",
		"container_fs_reads_bytes_total{device=\"253:1\"," V1_LABELS "} 8192",
		"container_fs_writes_bytes_total{device=\"8:0\"," V1_LABELS "} 1048576",
		"container_fs_writes_bytes_total{device=\"253:1\"," V1_LABELS "} 0",
		"container_fs_reads_total{device=\"8:0\"," V1_LABELS "} 1",
		"container_fs_reads_total{device=\"253:1\"," V1_LABELS "} 2",
		"container_fs_writes_total{device=\"8:0\"," V1_LABELS "} 256",
		"container_fs_writes_total{device=\"253:1\"," V1_LABELS "} 0",
		"container_network_receive_bytes_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 1000",
		"container_network_receive_bytes_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth1\",name=\"web\"} 500",
		"container_network_receive_packets_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 10",
		"container_network_receive_errors_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 1",
		"container_network_receive_packets_dropped_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 2",
		"container_network_transmit_bytes_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 2000",
		"container_network_transmit_bytes_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth1\",name=\"web\"} 250",
		"container_network_transmit_packets_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 20",
		"container_network_transmit_errors_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 3",
		"container_network_transmit_packets_dropped_total{id=\"" FIXTURE_V1_CGROUP
		"\",interface=\"eth0\",name=\"web\"} 4",
		"container_threads{" V1_LABELS "} 5",
		"container_threads_max{" V1_LABELS "} 100",
		"container_start_time_seconds{" V1_LABELS "} 1700000000.123456789",
		"container_last_seen{" V1_LABELS "} 1700000100.5",
		NULL,
	};
	struct snapshot *snap = fixture_snapshot();
	char *out = render(snap, NULL);

	expect_lines(out, lines);
	free(out);
	fixture_free(snap);
}

static void test_prom_v2_series_exact(void)
{
	static const char *const lines[] = {
		"container_cpu_usage_seconds_total{cpu=\"total\"," V2_LABELS "} 3",
		"container_cpu_user_seconds_total{" V2_LABELS "} 2",
		"container_cpu_system_seconds_total{" V2_LABELS "} 1",
		"container_memory_usage_bytes{" V2_LABELS "} 50000000",
		"container_memory_working_set_bytes{" V2_LABELS "} 40000000",
		"container_memory_rss{" V2_LABELS "} 25000000",
		"container_memory_cache{" V2_LABELS "} 20000000",
		"container_memory_mapped_file{" V2_LABELS "} 2000000",
		"container_memory_failures_total{failure_type=\"pgfault\"," V2_LABELS
		",scope=\"container\"} 999",
		"container_memory_failures_total{failure_type=\"pgfault\"," V2_LABELS
		",scope=\"hierarchy\"} 999",
		"container_oom_events_total{" V2_LABELS "} 0",
		"container_spec_cpu_period{" V2_LABELS "} 100000",
		"container_spec_cpu_shares{" V2_LABELS "} 2597",
		/* cAdvisor renders an unlimited limit as 0. */
		"container_spec_memory_limit_bytes{" V2_LABELS "} 0",
		"container_threads{" V2_LABELS "} 3",
		"container_threads_max{" V2_LABELS "} 0",
		"container_last_seen{" V2_LABELS "} 1700000100.25",
		NULL,
	};
	struct snapshot *snap = fixture_snapshot();
	char *out = render(snap, NULL);

	expect_lines(out, lines);
	free(out);
	fixture_free(snap);
}

static void test_prom_absent_values_no_series(void)
{
	static const char *const absent[] = {
		/* unlimited quota: cAdvisor prints neither the quota nor CFS stats */
		"container_spec_cpu_quota",
		"container_cpu_cfs_periods_total",
		"container_cpu_cfs_throttled_periods_total",
		"container_cpu_cfs_throttled_seconds_total",
		/* keys absent from the v2 sample */
		"container_memory_max_usage_bytes",
		"container_memory_swap",
		"container_spec_memory_swap_limit_bytes",
		"container_memory_failcnt",
		"container_fs_reads_bytes_total",
		"container_fs_writes_bytes_total",
		"container_fs_reads_total",
		"container_fs_writes_total",
		"container_network_receive_bytes_total",
		"container_network_transmit_packets_dropped_total",
		/* created_ns 0 means unknown */
		"container_start_time_seconds",
		NULL,
	};
	struct snapshot *snap = fixture_snapshot();
	char *out = render(snap, NULL);

	for (const char *const *f = absent; *f; f++) {
		if (has_series_for(out, *f, FIXTURE_V2_CGROUP))
			fprintf(stderr, "\n  unexpected series: %s for %s\n", *f,
				FIXTURE_V2_CGROUP);
		CU_ASSERT_FALSE(has_series_for(out, *f, FIXTURE_V2_CGROUP));
		/* The v1 entry has them all, so the check itself can see a series. */
		CU_ASSERT_TRUE(has_series_for(out, *f, FIXTURE_V1_CGROUP));
	}
	CU_ASSERT_FALSE(
	    has_line(out, "container_memory_failures_total{failure_type=\"pgmajfault\"," V2_LABELS
			  ",scope=\"container\"} 0"));
	free(out);
	fixture_free(snap);
}

/* Parses a label block starting at '{' and returns the byte after '}', or
 * NULL when a label name, an escape or the sorted order is wrong. */
static const char *check_labels(const char *p)
{
	char prev[64] = "";

	if (*p != '{')
		return p;
	p++;
	while (*p != '}') {
		char name[64];
		size_t n = 0;

		if (!(isalpha((unsigned char)*p) || *p == '_'))
			return NULL;
		while ((isalnum((unsigned char)*p) || *p == '_') && n + 1 < sizeof(name))
			name[n++] = *p++;
		name[n] = '\0';
		if (prev[0] && strcmp(prev, name) >= 0)
			return NULL;
		snprintf(prev, sizeof(prev), "%s", name);
		if (p[0] != '=' || p[1] != '"')
			return NULL;
		for (p += 2; *p != '"'; p++) {
			if (*p == '\n' || *p == '\0')
				return NULL;
			if (*p == '\\') {
				p++;
				if (*p != '\\' && *p != '"' && *p != 'n')
					return NULL;
			}
		}
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

/* Checks one sample line of the current family: name, labels, one space, a
 * number and nothing else (no timestamp). */
static bool check_sample_line(const char *line, const char *family)
{
	size_t flen = strlen(family);
	const char *p;
	char *end;

	if (strncmp(line, family, flen) != 0 || (line[flen] != '{' && line[flen] != ' '))
		return false;
	p = check_labels(line + flen);
	if (!p || *p != ' ')
		return false;
	p++;
	if (*p == '\0' || *p == '\n' || isspace((unsigned char)*p))
		return false;
	errno = 0;
	(void)strtod(p, &end);
	return errno == 0 && *end == '\0';
}

static void test_prom_families_grouped_once(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct prom_agent_info agent = { .version = "0.1.0", .scrapes = 3, .collector_errors = 0 };
	char *out = render(snap, &agent);
	char seen[128][96];
	size_t n_seen = 0, n_samples = 0;
	char family[96] = "";
	bool expect_type = false;
	char *save = NULL;

	CU_ASSERT_TRUE(strlen(out) > 0 && out[strlen(out) - 1] == '\n');
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96], type[16];

		if (strncmp(line, "# HELP ", 7) == 0) {
			CU_ASSERT_FALSE(expect_type);
			CU_ASSERT_EQUAL_FATAL(sscanf(line, "# HELP %95s", name), 1);
			for (size_t i = 0; i < n_seen; i++) {
				if (strcmp(seen[i], name) == 0)
					fprintf(stderr, "\n  family repeated: %s\n", name);
				CU_ASSERT_STRING_NOT_EQUAL(seen[i], name);
			}
			CU_ASSERT_FATAL(n_seen < 128);
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", name);
			snprintf(family, sizeof(family), "%s", name);
			expect_type = true;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			CU_ASSERT_TRUE(expect_type);
			CU_ASSERT_EQUAL_FATAL(sscanf(line, "# TYPE %95s %15s", name, type), 2);
			CU_ASSERT_STRING_EQUAL(name, family);
			CU_ASSERT_TRUE(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0);
			expect_type = false;
		} else {
			CU_ASSERT_FALSE(expect_type);
			if (!check_sample_line(line, family))
				fprintf(stderr, "\n  bad line under %s: %s\n", family, line);
			CU_ASSERT_TRUE(check_sample_line(line, family));
			n_samples++;
		}
	}
	/* 57 container families and 7 agent families have a series here. */
	CU_ASSERT_EQUAL(n_seen, 64);
	CU_ASSERT_TRUE(n_samples > n_seen);
	free(out);
	fixture_free(snap);
}

static void test_prom_u64_max_exact(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct snapshot_entry *e = &snap->entries[FIXTURE_V1];
	char *out;

	sample_set(&e->cur, SAMPLE_MEM_USAGE, UINT64_MAX);
	sample_set(&e->cur, SAMPLE_MEM_PGFAULT, UINT64_MAX);
	e->cur.blkdev[0].read_bytes = UINT64_MAX;
	out = render(snap, NULL);

	CU_ASSERT_TRUE(
	    has_line(out, "container_memory_usage_bytes{" V1_LABELS "} 18446744073709551615"));
	CU_ASSERT_TRUE(
	    has_line(out, "container_memory_failures_total{failure_type=\"pgfault\"," V1_LABELS
			  ",scope=\"container\"} 18446744073709551615"));
	CU_ASSERT_TRUE(has_line(out, "container_fs_reads_bytes_total{device=\"8:0\"," V1_LABELS
				     "} 18446744073709551615"));
	free(out);
	fixture_free(snap);
}

static void test_prom_limits_unlimited_zero(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct snapshot_entry *e = &snap->entries[FIXTURE_V1];
	char *out;

	/* A v1 limit that was never set reads as LONG_MAX rounded to a page. */
	sample_set(&e->cur, SAMPLE_MEM_LIMIT, 9223372036854771712ULL);
	sample_set(&e->cur, SAMPLE_MEM_SWAP_LIMIT, MST_UNLIMITED);
	sample_set(&e->cur, SAMPLE_PIDS_LIMIT, MST_UNLIMITED);
	out = render(snap, NULL);

	CU_ASSERT_TRUE(has_line(out, "container_spec_memory_limit_bytes{" V1_LABELS "} 0"));
	CU_ASSERT_TRUE(has_line(out, "container_spec_memory_swap_limit_bytes{" V1_LABELS "} 0"));
	CU_ASSERT_TRUE(has_line(out, "container_threads_max{" V1_LABELS "} 0"));
	/* 2^62 itself is a real limit. */
	free(out);
	sample_set(&e->cur, SAMPLE_MEM_LIMIT, UINT64_C(1) << 62);
	out = render(snap, NULL);
	CU_ASSERT_TRUE(
	    has_line(out, "container_spec_memory_limit_bytes{" V1_LABELS "} 4611686018427387904"));
	free(out);
	fixture_free(snap);
}

static void test_prom_agent_metrics(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct prom_agent_info agent = { .version = "0.1.0",
					 .scrapes = 18446744073709551615ULL,
					 .collector_errors = 2 };
	char *out = render(snap, &agent);

	CU_ASSERT_TRUE(has_line(out, "mstat_build_info{version=\"0.1.0\"} 1"));
	CU_ASSERT_TRUE(has_line(out, "mstat_scrapes_total 18446744073709551615"));
	CU_ASSERT_TRUE(has_line(out, "# TYPE mstat_scrapes_total counter"));
	CU_ASSERT_TRUE(has_line(out, "mstat_collector_errors 2"));
	CU_ASSERT_TRUE(has_line(out, "mstat_targets 2"));
	CU_ASSERT_TRUE(has_line(out, "mstat_last_pass_duration_seconds 0.001234567"));
	free(out);

	/* Before the first pass there is no snapshot: only the agent's figures. */
	out = render(NULL, &agent);
	CU_ASSERT_TRUE(has_line(out, "mstat_scrapes_total 18446744073709551615"));
	CU_ASSERT_PTR_NULL(strstr(out, "container_"));
	CU_ASSERT_PTR_NULL(strstr(out, "mstat_targets"));
	free(out);

	out = render(NULL, NULL);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
	fixture_free(snap);
}

/* An entry with no values leaves no HELP or TYPE line behind. */
static void test_prom_empty_family_omitted(void)
{
	struct snapshot *snap = fixture_snapshot();
	char *out;

	snap->n_entries = 1;
	snap->n_collectors = 0;
	memset(&snap->entries[FIXTURE_V2].cur, 0, sizeof(struct sample));
	snap->entries[FIXTURE_V2].cur.real_ns = 1700000100000000000ULL;
	out = render(snap, NULL);

	CU_ASSERT_STRING_EQUAL(out, "# HELP container_last_seen Time the agent last read the "
				    "cgroup, in seconds since the Unix epoch.\n"
				    "# TYPE container_last_seen gauge\n"
				    "container_last_seen{" V2_LABELS "} 1700000100\n"
				    "# HELP mstat_targets Targets in the newest snapshot.\n"
				    "# TYPE mstat_targets gauge\n"
				    "mstat_targets 1\n"
				    "# HELP mstat_last_pass_duration_seconds Duration of the last "
				    "collection pass, in seconds.\n"
				    "# TYPE mstat_last_pass_duration_seconds gauge\n"
				    "mstat_last_pass_duration_seconds 0.001234567\n");
	free(out);
	fixture_free(snap);
}

static void test_outbuf_growth(void)
{
	struct outbuf b;
	char chunk[1000];
	char big[10000];

	memset(chunk, 'a', sizeof(chunk));
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	outbuf_init(&b);
	for (int i = 0; i < 20; i++)
		outbuf_append(&b, chunk, sizeof(chunk));
	CU_ASSERT_EQUAL(b.len, 20000);
	CU_ASSERT_EQUAL(b.data[b.len], '\0');
	outbuf_printf(&b, "%s|%d", big, 42);
	CU_ASSERT_EQUAL(b.len, 20000 + 9999 + 3);
	CU_ASSERT_STRING_EQUAL(b.data + 20000 + 9999, "|42");
	CU_ASSERT_EQUAL(b.error, 0);
	CU_ASSERT_TRUE(b.cap > b.len);
	outbuf_free(&b);
	CU_ASSERT_PTR_NULL(b.data);

	/* After an error, appends do nothing. */
	outbuf_init(&b);
	outbuf_append(&b, "x", 1);
	b.error = -ENOMEM;
	outbuf_append(&b, "y", 1);
	outbuf_printf(&b, "%s", "z");
	CU_ASSERT_EQUAL(b.len, 1);
	CU_ASSERT_STRING_EQUAL(b.data, "x");
	outbuf_free(&b);
}

static bool promtool_available(void)
{
	const char *path = getenv("PATH");
	char dir[4096], file[4200];

	if (!path)
		return false;
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(file, sizeof(file), "%s/promtool", dir[0] ? dir : ".");
		if (access(file, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* promtool's linter reports one inherited cAdvisor name: the counter
 * container_memory_failcnt has no _total suffix. Any other line fails. */
static void test_prom_promtool_check(void)
{
	char tmpl[] = "/tmp/mstat-prom-XXXXXX";
	char cmd[256], line[512];
	struct snapshot *snap;
	struct prom_agent_info agent = { .version = "0.1.0", .scrapes = 1 };
	char *out;
	FILE *p;
	int fd;

	if (!promtool_available()) {
		printf("\n  promtool not installed (Debian package prometheus): check skipped\n");
		return;
	}
	snap = fixture_snapshot();
	out = render(snap, &agent);
	fd = mkostemp(tmpl, O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, out, strlen(out)), (ssize_t)strlen(out));
	close(fd);

	snprintf(cmd, sizeof(cmd), "timeout 60 promtool check metrics < %s 2>&1", tmpl);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (int i = 0; i < 1000 && fgets(line, sizeof(line), p); i++) {
		bool known = strncmp(line, "container_memory_failcnt ", 25) == 0;

		if (!known)
			fprintf(stderr, "\n  promtool: %s", line);
		CU_ASSERT_TRUE(known);
	}
	(void)pclose(p);
	unlink(tmpl);
	free(out);
	fixture_free(snap);
}

static const struct cunit_test tests[] = {
	{ "prom v1 series exact", test_prom_v1_series_exact },
	{ "prom v2 series exact", test_prom_v2_series_exact },
	{ "prom absent values no series", test_prom_absent_values_no_series },
	{ "prom families grouped once", test_prom_families_grouped_once },
	{ "prom u64 max exact", test_prom_u64_max_exact },
	{ "prom unlimited limits zero", test_prom_limits_unlimited_zero },
	{ "prom agent metrics", test_prom_agent_metrics },
	{ "prom empty family omitted", test_prom_empty_family_omitted },
	{ "outbuf growth and error", test_outbuf_growth },
	{ "prom promtool check", test_prom_promtool_check },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("exporters_prom", tests);
}
