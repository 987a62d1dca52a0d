/* SPDX-License-Identifier: MIT */
/*
 * Parsed form of a template, shared by the parser and the executor.
 */
#ifndef MSTAT_CLI_TEMPLATE_AST_H
#define MSTAT_CLI_TEMPLATE_AST_H

#include <stddef.h>

enum tpl_func {
	TPL_FUNC_JSON,
	TPL_FUNC_INDEX,
	TPL_FUNC_JOIN,
	TPL_FUNC_UPPER,
	TPL_FUNC_LOWER,
	_TPL_FUNC_MAX,
};

enum tpl_arg_kind {
	TPL_ARG_FIELD, /* .A.B; no names for "." */
	TPL_ARG_STRING,
	TPL_ARG_NUMBER,
	TPL_ARG_BOOL,
	TPL_ARG_FUNC, /* a function name, only first in a command */
	TPL_ARG_PIPE, /* a parenthesized pipeline */
};

struct tpl_pipe;

struct tpl_arg {
	enum tpl_arg_kind kind;
	char **fields; /* TPL_ARG_FIELD */
	size_t n_fields;
	char *string;	       /* TPL_ARG_STRING, decoded */
	long long number;      /* TPL_ARG_NUMBER; TPL_ARG_BOOL as 0 or 1 */
	enum tpl_func func;    /* TPL_ARG_FUNC */
	struct tpl_pipe *pipe; /* TPL_ARG_PIPE */
};

struct tpl_cmd {
	struct tpl_arg *args;
	size_t n_args;
};

struct tpl_pipe {
	struct tpl_cmd *cmds;
	size_t n_cmds;
};

struct tpl_node {
	char *text; /* literal text; NULL for an action */
	size_t text_len;
	struct tpl_pipe *pipe; /* the action's pipeline */
};

struct tpl {
	char *src;
	struct tpl_node *nodes;
	size_t n_nodes;
};

extern const char *const tpl_func_names[_TPL_FUNC_MAX];

void tpl_pipe_free(struct tpl_pipe *p);

#endif
