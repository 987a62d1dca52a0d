/* SPDX-License-Identifier: MIT */
/*
 * Execution of a parsed template on JSON data, with the value semantics of
 * Go's text/template on data decoded into interface{} values: a missing map
 * key is "no value" rather than an error, and printing follows fmt's %v.
 * A NULL json_t pointer stands for "no value" throughout this file.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "cli/template_ast.h"

struct tpl_exec {
	const struct tpl *t;
	unsigned flags;
	json_t *dot;
	struct mst_err *err;
};

static int tpl_exec_fail(struct tpl_exec *x, const char *fmt, const char *a, const char *b)
{
	return err_setx(x->err, EINVAL, "template \"%s\": %s%s%s", x->t->src, fmt, a ? a : "",
			b ? b : "");
}

/* Go's type name for a decoded JSON value, as its errors print it. */
static const char *tpl_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "map[string]interface {}";
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_NULL:
		return "interface {}";
	}
	return "interface {}";
}

static int tpl_eval_field(struct tpl_exec *x, const struct tpl_arg *a, json_t **ret)
{
	json_t *cur = json_incref(x->dot);
	char where[256] = "";

	for (size_t i = 0; i < a->n_fields; i++) {
		const char *name = a->fields[i];

		if (cur && json_is_null(cur)) {
			json_decref(cur);
			snprintf(where, sizeof(where), " (at .%s)", name);
			return tpl_exec_fail(x, "nil pointer evaluating interface {}.", name,
					     where);
		}
		if (cur && !json_is_object(cur)) {
			char type[64];
			snprintf(type, sizeof(type), " in type %s", tpl_type_name(cur));
			json_decref(cur);
			return tpl_exec_fail(x, "can't evaluate field ", name, type);
		}
		/* A missing key, and any field below it, is "no value". */
		json_t *next = cur ? json_incref(json_object_get(cur, name)) : NULL;
		json_decref(cur);
		cur = next;
	}
	*ret = cur;
	return 0;
}

static int tpl_eval_pipe(struct tpl_exec *x, const struct tpl_pipe *p, json_t **ret);

static int tpl_eval_arg(struct tpl_exec *x, const struct tpl_arg *a, json_t **ret)
{
	switch (a->kind) {
	case TPL_ARG_FIELD:
		return tpl_eval_field(x, a, ret);
	case TPL_ARG_STRING:
		*ret = json_string(a->string);
		break;
	case TPL_ARG_NUMBER:
		*ret = json_integer(a->number);
		break;
	case TPL_ARG_BOOL:
		*ret = json_boolean(a->number);
		break;
	case TPL_ARG_PIPE:
		return tpl_eval_pipe(x, a->pipe, ret);
	case TPL_ARG_FUNC:
		return tpl_exec_fail(x, "a function cannot be an argument", NULL, NULL);
	}
	if (!*ret)
		return err_set(x->err, ENOMEM, "executing a template failed");
	return 0;
}

static int tpl_func_json(struct tpl_exec *x, json_t *v, json_t **ret)
{
	char *text;

	if (!v) {
		*ret = json_string("null");
	} else {
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		*ret = text ? json_string(text) : NULL;
		free(text);
	}
	if (!*ret)
		return err_set(x->err, ENOMEM, "executing a template failed");
	return 0;
}

static int tpl_func_index(struct tpl_exec *x, json_t **args, size_t n, json_t **ret)
{
	json_t *item = args[0];

	for (size_t i = 1; i < n; i++) {
		json_t *key = args[i];

		if (!item || json_is_null(item))
			return tpl_exec_fail(x, "error calling index: index of untyped nil", NULL,
					     NULL);
		if (json_is_object(item) && json_is_string(key)) {
			item = json_object_get(item, json_string_value(key));
		} else if (json_is_array(item) && json_is_integer(key)) {
			json_int_t k = json_integer_value(key);
			if (k < 0 || (size_t)k >= json_array_size(item)) {
				char num[32];
				snprintf(num, sizeof(num), "%lld", (long long)k);
				return tpl_exec_fail(
				    x, "error calling index: index out of range: ", num, NULL);
			}
			item = json_array_get(item, (size_t)k);
		} else {
			return tpl_exec_fail(
			    x, "error calling index: cannot index ", tpl_type_name(item),
			    key && json_is_string(key) ? " with a string" : " with this key");
		}
	}
	*ret = json_incref(item);
	return 0;
}

static int tpl_func_join(struct tpl_exec *x, json_t *list, json_t *sep, json_t **ret)
{
	struct strbuf b;
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return tpl_exec_fail(x, "error calling join: expected a list, got ",
				     list ? tpl_type_name(list) : "no value", NULL);
	if (!json_is_string(sep))
		return tpl_exec_fail(x, "error calling join: the separator must be a string", NULL,
				     NULL);

	strbuf_init(&b);
	json_array_foreach(list, i, v)
	{
		if (i > 0)
			strbuf_puts(&b, json_string_value(sep));
		tpl_print_value(v, &b);
	}
	*ret = b.error ? NULL : json_string(strbuf_str(&b));
	strbuf_free(&b);
	if (!*ret)
		return err_set(x->err, ENOMEM, "executing a template failed");
	return 0;
}

static int tpl_func_case(struct tpl_exec *x, json_t *v, bool upper, json_t **ret)
{
	if (!json_is_string(v))
		return tpl_exec_fail(x, upper ? "error calling upper: " : "error calling lower: ",
				     "expected a string, got ", v ? tpl_type_name(v) : "no value");

	char *s = strdup(json_string_value(v));
	if (!s)
		return err_set(x->err, ENOMEM, "executing a template failed");
	for (char *p = s; *p; p++)
		*p = (char)(upper ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
	*ret = json_string(s);
	free(s);
	if (!*ret)
		return err_set(x->err, ENOMEM, "executing a template failed");
	return 0;
}

static int tpl_call(struct tpl_exec *x, enum tpl_func f, json_t **args, size_t n, json_t **ret)
{
	static const size_t min_args[_TPL_FUNC_MAX] = {
		[TPL_FUNC_JSON] = 1,  [TPL_FUNC_INDEX] = 1, [TPL_FUNC_JOIN] = 2,
		[TPL_FUNC_UPPER] = 1, [TPL_FUNC_LOWER] = 1,
	};
	size_t max_args = f == TPL_FUNC_INDEX ? SIZE_MAX : min_args[f];

	if (n < min_args[f] || n > max_args) {
		char want[64];
		snprintf(want, sizeof(want), ": expected %zu, got %zu", min_args[f], n);
		return tpl_exec_fail(x, "wrong number of arguments for ", tpl_func_names[f], want);
	}

	/* Table headers keep the column title whatever function formats it. */
	if ((x->flags & TPL_HEADER) && f != TPL_FUNC_INDEX) {
		*ret = json_incref(args[0]);
		return 0;
	}

	switch (f) {
	case TPL_FUNC_JSON:
		return tpl_func_json(x, args[0], ret);
	case TPL_FUNC_INDEX:
		return tpl_func_index(x, args, n, ret);
	case TPL_FUNC_JOIN:
		return tpl_func_join(x, args[0], args[1], ret);
	case TPL_FUNC_UPPER:
		return tpl_func_case(x, args[0], true, ret);
	case TPL_FUNC_LOWER:
		return tpl_func_case(x, args[0], false, ret);
	case _TPL_FUNC_MAX:
		break;
	}
	return tpl_exec_fail(x, "unknown function", NULL, NULL);
}

/* Evaluates one command; piped is the previous command's result (owned by
 * the caller) when has_piped. */
static int tpl_eval_cmd(struct tpl_exec *x, const struct tpl_cmd *cmd, json_t *piped,
			bool has_piped, json_t **ret)
{
	const struct tpl_arg *first = &cmd->args[0];

	if (first->kind != TPL_ARG_FUNC) {
		if (has_piped)
			return tpl_exec_fail(x, "a value can only be piped into a function", NULL,
					     NULL);
		return tpl_eval_arg(x, first, ret);
	}

	size_t n = cmd->n_args - 1 + (has_piped ? 1 : 0);
	json_t **args = calloc(n ? n : 1, sizeof(*args));
	int r = 0;

	if (!args)
		return err_set(x->err, ENOMEM, "executing a template failed");
	for (size_t i = 1; i < cmd->n_args && r == 0; i++)
		r = tpl_eval_arg(x, &cmd->args[i], &args[i - 1]);
	if (r == 0 && has_piped)
		args[n - 1] = json_incref(piped);
	if (r == 0)
		r = tpl_call(x, first->func, args, n, ret);

	for (size_t i = 0; i < n; i++)
		json_decref(args[i]);
	free(args);
	return r;
}

static int tpl_eval_pipe(struct tpl_exec *x, const struct tpl_pipe *p, json_t **ret)
{
	json_t *value = NULL;

	for (size_t i = 0; i < p->n_cmds; i++) {
		json_t *next = NULL;
		int r = tpl_eval_cmd(x, &p->cmds[i], value, i > 0, &next);
		json_decref(value);
		if (r < 0)
			return r;
		value = next;
	}
	*ret = value;
	return 0;
}

int tpl_execute(const struct tpl *t, json_t *data, unsigned flags, struct strbuf *out,
		struct mst_err *err)
{
	struct tpl_exec x = { .t = t, .flags = flags, .dot = data, .err = err };

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct tpl_node *node = &t->nodes[i];
		json_t *value = NULL;

		if (node->text) {
			strbuf_append(out, node->text, node->text_len);
			continue;
		}
		int r = tpl_eval_pipe(&x, node->pipe, &value);
		if (r < 0)
			return r;
		tpl_print_value(value, out);
		json_decref(value);
	}
	if (out->error)
		return err_set(err, -out->error, "executing a template failed");
	return 0;
}

static int tpl_check_pipe(const struct tpl *t, const struct tpl_pipe *p, const char *const *names,
			  struct mst_err *err)
{
	for (size_t i = 0; i < p->n_cmds; i++) {
		for (size_t j = 0; j < p->cmds[i].n_args; j++) {
			const struct tpl_arg *a = &p->cmds[i].args[j];
			bool known = false;

			if (a->kind == TPL_ARG_PIPE) {
				int r = tpl_check_pipe(t, a->pipe, names, err);
				if (r < 0)
					return r;
			}
			if (a->kind != TPL_ARG_FIELD || a->n_fields == 0)
				continue;
			for (const char *const *n = names; *n; n++)
				known = known || strcmp(*n, a->fields[0]) == 0;
			if (!known)
				return err_setx(err, EINVAL,
						"invalid template \"%s\": unknown field .%s",
						t->src, a->fields[0]);
		}
	}
	return 0;
}

int tpl_check_fields(const struct tpl *t, const char *const *names, struct mst_err *err)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (!t->nodes[i].pipe)
			continue;
		int r = tpl_check_pipe(t, t->nodes[i].pipe, names, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Prints a real as the JSON literal that docker's inspect fallback prints.
 * The digits are the shortest that read back as the same value. The
 * exponent form is used only below 1e-4 and from 1e21, as Go's encoding/json
 * writes floats, so an integer too large for int64 prints as an integer. */
static void tpl_print_real(double v, struct strbuf *out)
{
	char digits[40];
	int precision = 1;

	if (isnan(v)) {
		strbuf_puts(out, "NaN");
		return;
	}
	if (isinf(v)) {
		strbuf_puts(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (; precision < 17; precision++) {
		snprintf(digits, sizeof(digits), "%.*e", precision - 1, v);
		if (strtod(digits, NULL) == v)
			break;
	}
	snprintf(digits, sizeof(digits), "%.*e", precision - 1, v);

	int exponent = atoi(strchr(digits, 'e') + 1);
	if (exponent < -4 || exponent >= 21) {
		strbuf_puts(out, digits);
		return;
	}
	int decimals = precision - 1 - exponent;
	strbuf_printf(out, "%.*f", decimals > 0 ? decimals : 0, v);
}

static int tpl_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void tpl_print_nested(json_t *v, struct strbuf *out);

static void tpl_print_map(json_t *v, struct strbuf *out)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	const char *key;
	json_t *member;

	if (!keys) {
		out->error = -ENOMEM;
		return;
	}
	json_object_foreach(v, key, member) keys[i++] = key;
	qsort(keys, n, sizeof(*keys), tpl_key_cmp);

	strbuf_puts(out, "map[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_putc(out, ' ');
		strbuf_printf(out, "%s:", keys[i]);
		tpl_print_nested(json_object_get(v, keys[i]), out);
	}
	strbuf_putc(out, ']');
	free(keys);
}

static void tpl_print_nested(json_t *v, struct strbuf *out)
{
	size_t i;
	json_t *item;

	switch (json_typeof(v)) {
	case JSON_NULL:
		strbuf_puts(out, "<nil>");
		break;
	case JSON_STRING:
		strbuf_append(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_printf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		tpl_print_real(json_real_value(v), out);
		break;
	case JSON_TRUE:
		strbuf_puts(out, "true");
		break;
	case JSON_FALSE:
		strbuf_puts(out, "false");
		break;
	case JSON_ARRAY:
		strbuf_putc(out, '[');
		json_array_foreach(v, i, item)
		{
			if (i > 0)
				strbuf_putc(out, ' ');
			tpl_print_nested(item, out);
		}
		strbuf_putc(out, ']');
		break;
	case JSON_OBJECT:
		tpl_print_map(v, out);
		break;
	}
}

void tpl_print_value(json_t *v, struct strbuf *out)
{
	/* text/template unwraps a nil interface{} into an invalid value, which
	 * prints as "<no value>"; inside a map or slice fmt prints "<nil>". */
	if (!v || json_is_null(v)) {
		strbuf_puts(out, "<no value>");
		return;
	}
	tpl_print_nested(v, out);
}
