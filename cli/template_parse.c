/* SPDX-License-Identifier: MIT */
/*
 * Parser for the supported text/template subset. Actions are tokenized the
 * way Go does, so "}}" inside a string literal does not end an action.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/template.h"
#include "cli/template_ast.h"

#define TPL_SUPPORTED                                                                              \
	"supported are {{.Field.Sub}}, {{json .Field}}, {{index .Map \"key\"}}, "                  \
	"{{join .List \"sep\"}}, upper, lower and pipes"

const char *const tpl_func_names[_TPL_FUNC_MAX] = {
	[TPL_FUNC_JSON] = "json",   [TPL_FUNC_INDEX] = "index", [TPL_FUNC_JOIN] = "join",
	[TPL_FUNC_UPPER] = "upper", [TPL_FUNC_LOWER] = "lower",
};

/* Go template keywords; each would need control flow that is not supported. */
static const char *const tpl_keywords[] = {
	"if",	    "else",  "end",   "range",	  "with", "define",
	"template", "block", "break", "continue", "nil",  NULL,
};

struct tpl_parser {
	const char *src;
	const char *p;
	struct mst_err *err;
};

static int tpl_fail(struct tpl_parser *pr, const char *detail, const char *token, size_t len)
{
	size_t at = (size_t)(pr->p - pr->src) + 1;

	if (token)
		return err_setx(pr->err, EINVAL,
				"invalid template \"%s\": %s \"%.*s\" at character %zu; %s",
				pr->src, detail, (int)len, token, at, TPL_SUPPORTED);
	return err_setx(pr->err, EINVAL, "invalid template \"%s\": %s at character %zu", pr->src,
			detail, at);
}

static bool tpl_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool tpl_is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void tpl_skip_space(struct tpl_parser *pr)
{
	while (tpl_is_space(*pr->p))
		pr->p++;
}

/* Returns the length of the action's closing delimiter at the current
 * position ("}}" or " -}}" with the trim marker), or 0. */
static size_t tpl_action_end(const struct tpl_parser *pr, bool *ret_trim)
{
	if (pr->p[0] == '}' && pr->p[1] == '}') {
		*ret_trim = false;
		return 2;
	}
	if (pr->p > pr->src && tpl_is_space(pr->p[-1]) && strncmp(pr->p, "-}}", 3) == 0) {
		*ret_trim = true;
		return 3;
	}
	return 0;
}

static void tpl_arg_free(struct tpl_arg *a)
{
	for (size_t i = 0; i < a->n_fields; i++)
		free(a->fields[i]);
	free(a->fields);
	free(a->string);
	tpl_pipe_free(a->pipe);
}

void tpl_pipe_free(struct tpl_pipe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_cmds; i++) {
		for (size_t j = 0; j < p->cmds[i].n_args; j++)
			tpl_arg_free(&p->cmds[i].args[j]);
		free(p->cmds[i].args);
	}
	free(p->cmds);
	free(p);
}

static int tpl_parse_field(struct tpl_parser *pr, struct tpl_arg *a)
{
	a->kind = TPL_ARG_FIELD;
	while (*pr->p == '.') {
		const char *name = ++pr->p;
		while (tpl_is_ident(*pr->p))
			pr->p++;
		size_t len = (size_t)(pr->p - name);
		if (len == 0) {
			if (a->n_fields == 0 && *pr->p != '.')
				return 0; /* "." alone is the data itself */
			return tpl_fail(pr, "a field name is missing after '.'", NULL, 0);
		}

		char **fields = realloc(a->fields, (a->n_fields + 1) * sizeof(*fields));
		if (!fields)
			return err_set(pr->err, ENOMEM, "parsing a template failed");
		a->fields = fields;
		a->fields[a->n_fields] = strndup(name, len);
		if (!a->fields[a->n_fields])
			return err_set(pr->err, ENOMEM, "parsing a template failed");
		a->n_fields++;
	}
	return 0;
}

/* Appends the UTF-8 encoding of a code point. */
static size_t tpl_utf8_encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the escape after a backslash into out; returns the bytes written,
 * or 0 when the escape is invalid. */
static size_t tpl_decode_escape(struct tpl_parser *pr, char *out)
{
	static const char simple_from[] = "\\\"'abfnrtv";
	static const char simple_to[] = "\\\"'\a\b\f\n\r\t\v";
	char c = *pr->p++;
	const char *hit = c ? strchr(simple_from, c) : NULL;
	int digits;

	if (hit) {
		out[0] = simple_to[hit - simple_from];
		return 1;
	}
	switch (c) {
	case 'x':
		digits = 2;
		break;
	case 'u':
		digits = 4;
		break;
	case 'U':
		digits = 8;
		break;
	default:
		return 0;
	}

	unsigned long cp = 0;
	for (int i = 0; i < digits; i++) {
		char h = *pr->p++;
		if (!isxdigit((unsigned char)h))
			return 0;
		cp = cp * 16 + (unsigned long)(isdigit((unsigned char)h)
						   ? h - '0'
						   : tolower((unsigned char)h) - 'a' + 10);
	}
	if (c == 'x') {
		out[0] = (char)cp;
		return 1;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return tpl_utf8_encode(cp, out);
}

static int tpl_parse_string(struct tpl_parser *pr, struct tpl_arg *a)
{
	char quote = *pr->p++;
	size_t cap = strlen(pr->p) + 1;
	char *s = malloc(cap);
	size_t len = 0;

	if (!s)
		return err_set(pr->err, ENOMEM, "parsing a template failed");
	for (;;) {
		char c = *pr->p;
		if (c == '\0' || (quote == '"' && c == '\n')) {
			free(s);
			return tpl_fail(pr, "unterminated string", NULL, 0);
		}
		pr->p++;
		if (c == quote)
			break;
		if (c == '\\' && quote == '"') {
			size_t n = tpl_decode_escape(pr, s + len);
			if (n == 0) {
				free(s);
				return tpl_fail(pr, "invalid escape in string", NULL, 0);
			}
			len += n;
			continue;
		}
		s[len++] = c;
	}
	s[len] = '\0';
	a->kind = TPL_ARG_STRING;
	a->string = s;
	return 0;
}

static int tpl_parse_number(struct tpl_parser *pr, struct tpl_arg *a)
{
	const char *start = pr->p;
	char *end;

	errno = 0;
	long long v = strtoll(start, &end, 10);
	if (end == start || errno == ERANGE || tpl_is_ident(*end) || *end == '.')
		return tpl_fail(pr, "only decimal integers are supported, not", start,
				strcspn(start, " \t\r\n|)}"));
	pr->p = end;
	a->kind = TPL_ARG_NUMBER;
	a->number = v;
	return 0;
}

static int tpl_parse_word(struct tpl_parser *pr, struct tpl_arg *a)
{
	const char *word = pr->p;

	while (tpl_is_ident(*pr->p))
		pr->p++;
	size_t len = (size_t)(pr->p - word);

	if ((len == 4 && strncmp(word, "true", 4) == 0) ||
	    (len == 5 && strncmp(word, "false", 5) == 0)) {
		a->kind = TPL_ARG_BOOL;
		a->number = len == 4;
		return 0;
	}
	for (int f = 0; f < _TPL_FUNC_MAX; f++) {
		if (strlen(tpl_func_names[f]) == len &&
		    strncmp(word, tpl_func_names[f], len) == 0) {
			a->kind = TPL_ARG_FUNC;
			a->func = (enum tpl_func)f;
			return 0;
		}
	}
	pr->p = word;
	for (const char *const *k = tpl_keywords; *k; k++)
		if (strlen(*k) == len && strncmp(word, *k, len) == 0)
			return tpl_fail(pr, "the action is not supported:", word, len);
	return tpl_fail(pr, "the function is not supported:", word, len);
}

static int tpl_parse_pipe(struct tpl_parser *pr, bool in_parens, struct tpl_pipe **ret);

static int tpl_parse_operand(struct tpl_parser *pr, struct tpl_arg *a)
{
	char c = *pr->p;

	if (c == '.')
		return tpl_parse_field(pr, a);
	if (c == '"' || c == '`')
		return tpl_parse_string(pr, a);
	if (c == '-' || c == '+' || isdigit((unsigned char)c))
		return tpl_parse_number(pr, a);
	if (isalpha((unsigned char)c) || c == '_')
		return tpl_parse_word(pr, a);
	if (c == '$')
		return tpl_fail(pr, "variables are not supported:", pr->p,
				strcspn(pr->p, " \t\r\n|)}"));
	if (c == '(') {
		pr->p++;
		a->kind = TPL_ARG_PIPE;
		int r = tpl_parse_pipe(pr, true, &a->pipe);
		if (r < 0)
			return r;
		if (*pr->p == '.')
			return tpl_fail(pr, "a field of a parenthesized value is not supported",
					NULL, 0);
		return 0;
	}
	return tpl_fail(pr, "unexpected character", pr->p, 1);
}

/* True when the command ends here: at '|', at ')' inside parentheses, or at
 * the end of the action. */
static bool tpl_command_ends(struct tpl_parser *pr, bool in_parens)
{
	bool trim;

	return *pr->p == '|' || *pr->p == '\0' || (in_parens && *pr->p == ')') ||
	       (!in_parens && tpl_action_end(pr, &trim) > 0);
}

static int tpl_parse_cmd(struct tpl_parser *pr, bool in_parens, struct tpl_cmd *cmd)
{
	for (;;) {
		tpl_skip_space(pr);
		if (tpl_command_ends(pr, in_parens))
			break;

		struct tpl_arg *args = realloc(cmd->args, (cmd->n_args + 1) * sizeof(*args));
		if (!args)
			return err_set(pr->err, ENOMEM, "parsing a template failed");
		cmd->args = args;
		memset(&cmd->args[cmd->n_args], 0, sizeof(*args));
		cmd->n_args++;
		int r = tpl_parse_operand(pr, &cmd->args[cmd->n_args - 1]);
		if (r < 0)
			return r;
		if (!tpl_is_space(*pr->p) && !tpl_command_ends(pr, in_parens))
			return tpl_fail(pr, "unexpected character", pr->p, 1);
	}

	if (cmd->n_args == 0)
		return tpl_fail(pr, "missing value", NULL, 0);
	for (size_t i = 1; i < cmd->n_args; i++)
		if (cmd->args[i].kind == TPL_ARG_FUNC)
			return tpl_fail(pr,
					"a function must come first in a command; use parentheses, "
					"as in (json .Field)",
					NULL, 0);
	if (cmd->args[0].kind != TPL_ARG_FUNC && cmd->n_args > 1)
		return tpl_fail(pr, "arguments can only follow a function name", NULL, 0);
	return 0;
}

static int tpl_parse_pipe(struct tpl_parser *pr, bool in_parens, struct tpl_pipe **ret)
{
	struct tpl_pipe *pipe = calloc(1, sizeof(*pipe));
	int r = 0;

	if (!pipe)
		return err_set(pr->err, ENOMEM, "parsing a template failed");
	for (;;) {
		struct tpl_cmd *cmds = realloc(pipe->cmds, (pipe->n_cmds + 1) * sizeof(*cmds));
		if (!cmds) {
			r = err_set(pr->err, ENOMEM, "parsing a template failed");
			break;
		}
		pipe->cmds = cmds;
		memset(&pipe->cmds[pipe->n_cmds], 0, sizeof(*cmds));
		pipe->n_cmds++;
		r = tpl_parse_cmd(pr, in_parens, &pipe->cmds[pipe->n_cmds - 1]);
		if (r < 0 || *pr->p != '|')
			break;
		pr->p++;
	}

	if (r == 0 && *pr->p == '\0')
		r = tpl_fail(pr, in_parens ? "unclosed '('" : "unclosed action", NULL, 0);
	if (r == 0 && in_parens)
		pr->p++; /* the ')' */
	if (r < 0) {
		tpl_pipe_free(pipe);
		return r;
	}
	*ret = pipe;
	return 0;
}

static int tpl_add_node(struct tpl *t, const char *text, size_t len, struct tpl_pipe *pipe)
{
	struct tpl_node *nodes = realloc(t->nodes, (t->n_nodes + 1) * sizeof(*nodes));

	if (!nodes)
		return -ENOMEM;
	t->nodes = nodes;
	nodes[t->n_nodes] = (struct tpl_node){ .pipe = pipe, .text_len = len };
	if (text) {
		nodes[t->n_nodes].text = strndup(text, len);
		if (!nodes[t->n_nodes].text)
			return -ENOMEM;
	}
	t->n_nodes++;
	return 0;
}

/* Skips a comment action; pr->p is at the slash and star that open it. */
static int tpl_skip_comment(struct tpl_parser *pr, bool *ret_trim)
{
	const char *end = strstr(pr->p + 2, "*/");

	if (!end)
		return tpl_fail(pr, "unclosed comment", NULL, 0);
	pr->p = end + 2;
	size_t n = tpl_action_end(pr, ret_trim);
	if (n == 0 && *pr->p == ' ') {
		pr->p++;
		n = tpl_action_end(pr, ret_trim);
	}
	if (n == 0)
		return tpl_fail(pr, "a comment must end with \"*/}}\"", NULL, 0);
	pr->p += n;
	return 0;
}

/* Parses one action; pr->p is just after "{{" and any left trim marker. */
static int tpl_parse_action(struct tpl_parser *pr, struct tpl *t, bool *ret_trim)
{
	struct tpl_pipe *pipe = NULL;

	if (strncmp(pr->p, "/*", 2) == 0)
		return tpl_skip_comment(pr, ret_trim);

	int r = tpl_parse_pipe(pr, false, &pipe);
	if (r < 0)
		return r;
	pr->p += tpl_action_end(pr, ret_trim);

	if (tpl_add_node(t, NULL, 0, pipe) < 0) {
		tpl_pipe_free(pipe);
		return err_set(pr->err, ENOMEM, "parsing a template failed");
	}
	return 0;
}

int tpl_parse(const char *src, struct tpl **ret, struct mst_err *err)
{
	struct tpl *t = calloc(1, sizeof(*t));
	struct tpl_parser pr = { .err = err };
	bool trim_next = false;
	int r = 0;

	if (!t || !(t->src = strdup(src))) {
		free(t);
		return err_set(err, ENOMEM, "parsing a template failed");
	}
	pr.src = t->src;
	pr.p = t->src;

	while (*pr.p && r == 0) {
		if (trim_next) {
			tpl_skip_space(&pr);
			trim_next = false;
			if (!*pr.p)
				break;
		}
		const char *text = pr.p;
		const char *open = strstr(pr.p, "{{");
		size_t len = open ? (size_t)(open - text) : strlen(text);

		pr.p = open ? open + 2 : text + len;
		if (open && pr.p[0] == '-' && tpl_is_space(pr.p[1])) {
			pr.p += 2;
			while (len > 0 && tpl_is_space(text[len - 1]))
				len--;
		}
		if (len > 0 && tpl_add_node(t, text, len, NULL) < 0)
			r = err_set(err, ENOMEM, "parsing a template failed");
		if (r == 0 && open)
			r = tpl_parse_action(&pr, t, &trim_next);
	}

	if (r < 0) {
		tpl_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nodes; i++) {
		free(t->nodes[i].text);
		tpl_pipe_free(t->nodes[i].pipe);
	}
	free(t->nodes);
	free(t->src);
	free(t);
}
