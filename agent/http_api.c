/* SPDX-License-Identifier: MIT */
/*
 * The read-write API under /v1, served on the unix socket. Reads come from
 * the published container view; changes go to the main loop as commands.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "agent/api_json.h"
#include "agent/http.h"
#include "agent/view.h"
#include "common/parse.h"

#define CONTAINERS_PREFIX "/v1/containers/"

enum MHD_Result http_reply_lookup_error(struct MHD_Connection *conn, const char *name, int error)
{
	if (error == -ENOTUNIQ)
		return http_reply_error(
		    conn, MHD_HTTP_BAD_REQUEST,
		    "id prefix '%s' matches several containers; give more digits", name);
	return http_reply_error(conn, MHD_HTTP_NOT_FOUND, "No such container: %s", name);
}

static enum MHD_Result api_list(struct api_server *s, struct MHD_Connection *conn)
{
	struct ctr_view *v;
	uint64_t now = agent_now_real();
	json_t *arr;
	bool all;

	if (http_query_bool(conn, "all", false, &all) < 0)
		return http_reply_error(
		    conn, MHD_HTTP_BAD_REQUEST,
		    "invalid query parameter 'all': expected 1, 0, true or false");
	arr = json_array();
	if (!arr)
		return MHD_NO;

	v = pub_get_view(s->pub);
	for (size_t i = 0; v && i < v->n; i++) {
		const struct ctr_record *r = &v->items[i].rec;

		/* As `docker ps`: restarting containers count as running. */
		if (!all && r->status != CTR_STATUS_RUNNING && r->status != CTR_STATUS_RESTARTING)
			continue;
		json_array_append_new(arr, api_json_list_entry(r, now));
	}
	ctr_view_unref(v);
	return http_reply_json(conn, MHD_HTTP_OK, arr);
}

static enum MHD_Result api_inspect(struct api_server *s, struct MHD_Connection *conn,
				   const char *name)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	enum MHD_Result ret;
	int error = 0;

	item = ctr_view_find(v, name, &error);
	if (!item)
		ret = http_reply_lookup_error(conn, name, error);
	else
		ret = http_reply_json(conn, MHD_HTTP_OK, api_json_inspect(&item->rec));
	ctr_view_unref(v);
	return ret;
}

enum MHD_Result http_run_command(struct api_server *s, struct MHD_Connection *conn,
				 struct api_cmd *cmd)
{
	enum MHD_Result ret;
	json_t *reply;

	cmdq_call(s->commands, cmd);
	reply = cmd->reply;
	cmd->reply = NULL;
	ret = http_reply_json(conn, (unsigned)cmd->status, reply);
	api_cmd_clear(cmd);
	return ret;
}

static enum MHD_Result api_create(struct api_server *s, struct MHD_Connection *conn,
				  const char *body, size_t body_len)
{
	struct api_cmd cmd = { .type = API_CMD_CREATE };
	struct mst_err err = { 0 };
	const char *name;
	json_error_t jerr;
	json_t *root;
	int r;

	if (http_query_get(conn, "name", &name) < 0)
		return http_reply_error(conn, MHD_HTTP_BAD_REQUEST,
					"invalid container name: it contains a NUL byte (%%00); "
					"names match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
	if (!body || body_len == 0)
		return http_reply_error(conn, MHD_HTTP_BAD_REQUEST,
					"missing request body: send the container as JSON");
	root = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return http_reply_error(conn, MHD_HTTP_BAD_REQUEST, "invalid JSON at line %d: %s",
					jerr.line, jerr.text);
	r = api_spec_from_json(root, &cmd.spec, &cmd.options, &err);
	if (r == 0)
		cmd.warnings = api_create_warnings(root);
	json_decref(root);
	if (r < 0)
		return http_reply_error(conn, r == -ENOMEM ? 500 : MHD_HTTP_BAD_REQUEST, "%s",
					err.msg);

	/* The name is checked by rt_spec_validate() in the main loop. */
	if (name && name[0]) {
		cmd.target = strdup(name);
		if (!cmd.target) {
			api_cmd_clear(&cmd);
			return MHD_NO;
		}
	}
	return http_run_command(s, conn, &cmd);
}

/* Fills the parameters of a command from the query string. */
static enum MHD_Result parse_params(struct MHD_Connection *conn, struct api_cmd *cmd, bool *ret_ok)
{
	const char *v;
	uint64_t t;

	*ret_ok = false;
	if (cmd->type == API_CMD_STOP || cmd->type == API_CMD_RESTART) {
		cmd->timeout_s = 10;
		v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "t");
		if (v && (parse_u64_str(v, &t) < 0 || t > 3600))
			return http_reply_error(conn, MHD_HTTP_BAD_REQUEST,
						"invalid query parameter 't': '%s' is not whole "
						"seconds from 0 to 3600",
						v);
		if (v)
			cmd->timeout_s = (unsigned)t;
	} else if (cmd->type == API_CMD_KILL) {
		cmd->signal = SIGKILL;
		v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "signal");
		if (v && parse_signal(v, &cmd->signal) < 0)
			return http_reply_error(conn, MHD_HTTP_BAD_REQUEST,
						"invalid query parameter 'signal': '%s' is not a "
						"signal name or number",
						v);
	} else if (cmd->type == API_CMD_REMOVE) {
		if (http_query_bool(conn, "force", false, &cmd->force) < 0)
			return http_reply_error(conn, MHD_HTTP_BAD_REQUEST,
						"invalid query parameter 'force': expected 1, 0, "
						"true or false");
	}
	*ret_ok = true;
	return MHD_YES;
}

static enum MHD_Result container_command(struct api_server *s, struct MHD_Connection *conn,
					 enum api_cmd_type type, const char *name)
{
	struct api_cmd cmd = { .type = type };
	enum MHD_Result ret;
	bool ok;

	ret = parse_params(conn, &cmd, &ok);
	if (!ok)
		return ret;
	cmd.target = strdup(name);
	if (!cmd.target)
		return MHD_NO;
	return http_run_command(s, conn, &cmd);
}

static const struct {
	const char *action;
	enum api_cmd_type type;
} post_actions[] = {
	{ "start", API_CMD_START }, { "stop", API_CMD_STOP },	    { "kill", API_CMD_KILL },
	{ "wait", API_CMD_WAIT },   { "restart", API_CMD_RESTART },
};

static enum MHD_Result api_update(struct api_server *s, struct MHD_Connection *conn,
				  const char *name, const char *body, size_t body_len)
{
	struct api_cmd cmd = { .type = API_CMD_UPDATE };
	struct mst_err err = { 0 };
	json_error_t jerr;
	json_t *root;
	int r;

	if (!body || body_len == 0)
		return http_reply_error(
		    conn, MHD_HTTP_BAD_REQUEST,
		    "missing request body: send the new limits as JSON, such as "
		    "{\"Memory\": 268435456}");
	root = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return http_reply_error(conn, MHD_HTTP_BAD_REQUEST, "invalid JSON at line %d: %s",
					jerr.line, jerr.text);
	r = api_update_from_json(root, &cmd.spec.limits, &cmd.options.restart, &cmd.update_fields,
				 &err);
	json_decref(root);
	if (r < 0)
		return http_reply_error(conn, r == -ENOMEM ? 500 : MHD_HTTP_BAD_REQUEST, "%s",
					err.msg);
	cmd.target = strdup(name);
	if (!cmd.target) {
		api_cmd_clear(&cmd);
		return MHD_NO;
	}
	return http_run_command(s, conn, &cmd);
}

/* Routes /v1/containers/NAME[/ACTION]. */
static enum MHD_Result route_container(struct api_server *s, struct MHD_Connection *conn,
				       const char *method, const char *rest, const char *body,
				       size_t body_len, bool *ret_handled)
{
	char name[RT_NAME_MAX + 8];
	const char *slash = strchr(rest, '/');
	const char *action = slash ? slash + 1 : "";
	size_t name_len = slash ? (size_t)(slash - rest) : strlen(rest);
	bool get =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;

	*ret_handled = true;
	if (name_len == 0 || name_len >= sizeof(name) || strchr(action, '/')) {
		*ret_handled = false;
		return MHD_NO;
	}
	memcpy(name, rest, name_len);
	name[name_len] = '\0';

	if (action[0] == '\0' && strcmp(method, MHD_HTTP_METHOD_DELETE) == 0)
		return container_command(s, conn, API_CMD_REMOVE, name);
	if (strcmp(action, "json") == 0 && get)
		return api_inspect(s, conn, name);
	if (strcmp(action, "logs") == 0 && get)
		return api_logs(s, conn, name);
	if (strcmp(action, "stats") == 0 && get)
		return api_container_stats(s, conn, name);
	if (strcmp(action, "update") == 0 && post)
		return api_update(s, conn, name, body, body_len);
	if (strcmp(action, "attach") == 0 && post)
		return api_attach(s, conn, name);
	if (strcmp(action, "resize") == 0 && post)
		return api_resize(s, conn, name);
	for (size_t i = 0; post && i < sizeof(post_actions) / sizeof(post_actions[0]); i++)
		if (strcmp(action, post_actions[i].action) == 0)
			return container_command(s, conn, post_actions[i].type, name);

	*ret_handled = false;
	return MHD_NO;
}

enum MHD_Result api_route(struct api_server *s, struct MHD_Connection *conn, const char *method,
			  const char *url, const char *body, size_t body_len, bool *ret_handled)
{
	bool get =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;

	enum MHD_Result ret = api_exec_route(s, conn, method, url, body, body_len, ret_handled);

	if (*ret_handled)
		return ret;
	*ret_handled = true;
	if (strcmp(url, "/v1/containers") == 0 && get)
		return api_list(s, conn);
	if (strcmp(url, "/v1/containers/create") == 0 && post)
		return api_create(s, conn, body, body_len);
	if (strcmp(url, "/v1/stats") == 0 && get)
		return api_all_stats(s, conn);
	if (strcmp(url, "/v1/events") == 0 && get)
		return api_events(s, conn);
	if (strncmp(url, CONTAINERS_PREFIX, strlen(CONTAINERS_PREFIX)) == 0 &&
	    strcmp(url, "/v1/containers/create") != 0)
		return route_container(s, conn, method, url + strlen(CONTAINERS_PREFIX), body,
				       body_len, ret_handled);

	*ret_handled = false;
	return MHD_NO;
}
