/* SPDX-License-Identifier: MIT */
/* The --format template engine on an inspect object: fields, json, index,
 * Go's printing of maps, arrays and missing values, and rejected templates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "tests/unit/cunit_main.h"

static json_t *inspect;

static json_t *load_fixture(const char *name)
{
	const char *dir = getenv("MSTAT_FIXTURES");
	char path[4096];
	json_error_t jerr;

	if (!dir) {
		fprintf(stderr, "MSTAT_FIXTURES is not set; run the test through ctest\n");
		exit(77);
	}
	snprintf(path, sizeof(path), "%s/cli/%s", dir, name);
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root) {
		fprintf(stderr, "loading %s failed: %s\n", path, jerr.text);
		exit(1);
	}
	return root;
}

/* Renders src on data; returns the output, or the error message prefixed
 * with "ERROR: ". The result stays valid until the next call. */
static const char *render_on(const char *src, json_t *data, unsigned flags)
{
	static char result[4096];
	struct mst_err err = { 0 };
	struct strbuf out;
	struct tpl *t;

	if (tpl_parse(src, &t, &err) < 0) {
		snprintf(result, sizeof(result), "ERROR: %s", err.msg);
		return result;
	}
	strbuf_init(&out);
	if (tpl_execute(t, data, flags, &out, &err) < 0)
		snprintf(result, sizeof(result), "ERROR: %s", err.msg);
	else
		snprintf(result, sizeof(result), "%s", strbuf_str(&out));
	strbuf_free(&out);
	tpl_free(t);
	return result;
}

static const char *render(const char *src)
{
	return render_on(src, inspect, 0);
}

static void test_fields(void)
{
	CU_ASSERT_STRING_EQUAL(render("{{.State.Pid}}"), "4242");
	CU_ASSERT_STRING_EQUAL(render("pid={{.State.Pid}} name={{.Name}}\n"),
			       "pid=4242 name=/web\n");
	CU_ASSERT_STRING_EQUAL(render("{{.HostConfig.Memory}}"), "1073741824");
	CU_ASSERT_STRING_EQUAL(render("{{.HostConfig.MemorySwap}}"), "-1");
	CU_ASSERT_STRING_EQUAL(render("{{.State.Running}} {{.State.OOMKilled}}"), "true false");
	CU_ASSERT_STRING_EQUAL(render("{{.Mstat.Ratio}}"), "0.25");
	CU_ASSERT_STRING_EQUAL(render("[{{.State.Error}}]"), "[]");
	CU_ASSERT_STRING_EQUAL(render("no actions"), "no actions");
	CU_ASSERT_STRING_EQUAL(render(""), "");
}

static void test_composite_values(void)
{
	CU_ASSERT_STRING_EQUAL(render("{{.Config.Env}}"), "[PATH=/usr/bin:/bin LANG=C.UTF-8]");
	CU_ASSERT_STRING_EQUAL(render("{{.Mstat.Labels}}"), "map[a:1 b:2]");
	CU_ASSERT_STRING_EQUAL(render("{{.Mstat}}"),
			       "map[CgroupPath:<nil> Labels:map[a:1 b:2] OOMKillCount:3 Ratio:0.25 "
			       "Rootfs:]");
	CU_ASSERT_STRING_EQUAL(render("{{.Args}}"), "[-c sleep 1000]");
}

static void test_json(void)
{
	CU_ASSERT_STRING_EQUAL(render("{{json .Config.Cmd}}"), "[\"sh\",\"-c\",\"sleep 1000\"]");
	CU_ASSERT_STRING_EQUAL(render("{{json .State.Pid}}"), "4242");
	CU_ASSERT_STRING_EQUAL(render("{{json .Name}}"), "\"/web\"");
	CU_ASSERT_STRING_EQUAL(render("{{json .Missing}}"), "null");
	CU_ASSERT_STRING_EQUAL(render("{{json .Mstat.Labels}}"), "{\"b\":\"2\",\"a\":\"1\"}");
	/* Member order is the server's, as docker's typed structs keep it. */
	const char *state = render("{{json .State}}");
	CU_ASSERT_PTR_NOT_NULL(strstr(state, "{\"Status\":\"running\",\"Running\":true,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(state, "\"Pid\":4242,"));
	CU_ASSERT_STRING_EQUAL(render("{{.State | json}}"), state);
}

static void test_index_and_join(void)
{
	CU_ASSERT_STRING_EQUAL(render("{{index .Config.Env 1}}"), "LANG=C.UTF-8");
	CU_ASSERT_STRING_EQUAL(render("{{index .Mstat.Labels \"a\"}}"), "1");
	CU_ASSERT_STRING_EQUAL(render("{{index .Mstat `Labels` \"b\"}}"), "2");
	CU_ASSERT_STRING_EQUAL(render("{{index .Mstat.Labels \"zz}}\"}}"), "<no value>");
	CU_ASSERT_STRING_EQUAL(render("{{json (index .Config.Cmd 0)}}"), "\"sh\"");
	CU_ASSERT_STRING_EQUAL(render("{{join .Config.Cmd \" \"}}"), "sh -c sleep 1000");
	CU_ASSERT_STRING_EQUAL(render("{{upper .State.Status}}"), "RUNNING");

	const char *out = render("{{index .Config.Env 5}}");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ERROR: template \"{{index .Config.Env 5}}\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "index out of range: 5"));
}

static void test_missing_values(void)
{
	/* Go prints a missing map key, and anything read below it, as <no value>. */
	CU_ASSERT_STRING_EQUAL(render("{{.State.Nope}}"), "<no value>");
	CU_ASSERT_STRING_EQUAL(render("{{.Nope.Deeper.Still}}"), "<no value>");
	CU_ASSERT_STRING_EQUAL(render("{{.Mstat.CgroupPath}}"), "<no value>");

	const char *out = render("{{.Mstat.CgroupPath.X}}");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "nil pointer evaluating interface {}.X"));
	out = render("{{.Name.First}}");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "can't evaluate field First in type string"));
}

static void test_trim_and_comments(void)
{
	CU_ASSERT_STRING_EQUAL(render("a  \n {{- .State.Pid -}} \n b"), "a4242b");
	CU_ASSERT_STRING_EQUAL(render("a{{/* note */}}b"), "ab");
	CU_ASSERT_STRING_EQUAL(render("{{ .State.Pid }}"), "4242");
	CU_ASSERT_STRING_EQUAL(render("{{.State.ExitCode}}-{{-3}}"), "0--3");
}

/* Each rejected template and a piece of its message. */
static void test_rejected(void)
{
	static const struct {
		const char *src;
		const char *message;
	} cases[] = {
		{ "{{range .Config.Env}}{{.}}{{end}}", "the action is not supported: \"range\"" },
		{ "{{if .State.Running}}up{{end}}", "the action is not supported: \"if\"" },
		{ "{{printf \"%d\" .State.Pid}}", "the function is not supported: \"printf\"" },
		{ "{{$x := 1}}", "variables are not supported: \"$x\"" },
		{ "{{.State.Pid", "unclosed action" },
		{ "{{}}", "missing value" },
		{ "{{\"open}}", "unterminated string" },
		{ "{{.State.Pid .Name}}", "arguments can only follow a function name" },
		{ "{{index .Config.Env 1.5}}", "only decimal integers are supported" },
		{ "{{.State | .Name}}", "a value can only be piped into a function" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *out = render(cases[i].src);
		char quoted[256];

		snprintf(quoted, sizeof(quoted), "\"%s\"", cases[i].src);
		if (!strstr(out, cases[i].message))
			fprintf(stderr, "\ncase %zu: got \"%s\"\n", i, out);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, cases[i].message));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, quoted));
		CU_ASSERT_EQUAL(strncmp(out, "ERROR: ", 7), 0);
	}
}

static void test_header_mode(void)
{
	json_t *header = json_pack("{s:s, s:s}", "Name", "NAME", "CPUPerc", "CPU %");

	CU_ASSERT_STRING_EQUAL(render_on("{{json .Name}}\t{{upper .CPUPerc}}", header, TPL_HEADER),
			       "NAME\tCPU %");
	CU_ASSERT_STRING_EQUAL(render_on("{{json .Name}}", header, 0), "\"NAME\"");
	json_decref(header);
}

static void test_check_fields(void)
{
	static const char *const names[] = { "Name", "ID", NULL };
	struct mst_err err = { 0 };
	struct tpl *t;

	CU_ASSERT_EQUAL_FATAL(tpl_parse("{{.Name}} {{json (index .ID 0)}} {{.}}", &t, &err), 0);
	CU_ASSERT_EQUAL(tpl_check_fields(t, names, &err), 0);
	tpl_free(t);

	CU_ASSERT_EQUAL_FATAL(tpl_parse("{{.Name}} {{.Nmae}}", &t, &err), 0);
	CU_ASSERT_EQUAL(tpl_check_fields(t, names, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown field .Nmae"));
	tpl_free(t);
}

static void test_print_numbers(void)
{
	static const struct {
		double value;
		const char *text;
	} cases[] = {
		{ 1e6, "1000000" },
		{ 1.5, "1.5" },
		{ 0.1, "0.1" },
		{ 1e21, "1e+21" },
		{ 1.5e-7, "1.5e-07" },
		{ -2.0, "-2" },
		{ 18446744073709551615.0, "18446744073709551616" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf out;
		json_t *v = json_real(cases[i].value);

		strbuf_init(&out);
		tpl_print_value(v, &out);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&out), cases[i].text);
		strbuf_free(&out);
		json_decref(v);
	}
}

static const struct cunit_test tests[] = {
	{ "template fields", test_fields },
	{ "template maps and arrays", test_composite_values },
	{ "template json function", test_json },
	{ "template index and join", test_index_and_join },
	{ "template missing values", test_missing_values },
	{ "template trim and comments", test_trim_and_comments },
	{ "template rejected forms", test_rejected },
	{ "template header mode", test_header_mode },
	{ "template field check", test_check_fields },
	{ "template number printing", test_print_numbers },
	{ NULL, NULL },
};

int main(void)
{
	inspect = load_fixture("inspect.json");
	int r = cunit_run("cli template", tests);
	json_decref(inspect);
	return r;
}
