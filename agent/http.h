/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the HTTP handlers: responses, query parameters and the
 * streaming endpoints. Handlers run in libmicrohttpd's connection threads
 * and use only struct api_server.
 */
#ifndef MSTAT_AGENT_HTTP_H
#define MSTAT_AGENT_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>

#include "agent/agent.h"

/* Queues a response with status and an optional JSON body (reference taken). */
enum MHD_Result http_reply_json(struct MHD_Connection *conn, unsigned status, json_t *body);

/* Queues {"message": ...} with status. */
enum MHD_Result http_reply_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends cmd to the main loop, sends its reply to the client and clears cmd. */
enum MHD_Result http_run_command(struct api_server *s, struct MHD_Connection *conn,
				 struct api_cmd *cmd);

/* Replies to a failed lookup of container name: 400 for an id prefix that
 * matches several containers (error -ENOTUNIQ), else 404 with docker's
 * "No such container" message. */
enum MHD_Result http_reply_lookup_error(struct MHD_Connection *conn, const char *name, int error);

/* Reads a boolean query parameter as docker does: "1" or "true" is true, "0",
 * "false" or "" is false, an absent one is def. Returns -EINVAL otherwise. */
int http_query_bool(struct MHD_Connection *conn, const char *key, bool def, bool *ret);

/* Replies 400 to a query whose since parameter comes after its until. */
enum MHD_Result http_reply_reversed_times(struct MHD_Connection *conn);

/* Sets *ret to the value of query parameter key, or NULL when it is absent.
 * Returns -EINVAL for a value with a NUL byte in it (%00), which C strings
 * would cut short. */
int http_query_get(struct MHD_Connection *conn, const char *key, const char **ret);

/* Streaming endpoints (http_stream.c). */
enum MHD_Result api_logs(struct api_server *s, struct MHD_Connection *conn, const char *name);
enum MHD_Result api_container_stats(struct api_server *s, struct MHD_Connection *conn,
				    const char *name);
enum MHD_Result api_all_stats(struct api_server *s, struct MHD_Connection *conn);
enum MHD_Result api_metrics(struct api_server *s, struct MHD_Connection *conn);

/* POST .../attach (an upgrade to a raw stream) and .../resize
 * (http_attach.c). */
enum MHD_Result api_attach(struct api_server *s, struct MHD_Connection *conn, const char *name);
enum MHD_Result api_resize(struct api_server *s, struct MHD_Connection *conn, const char *name);

/* POST /v1/containers/NAME/exec, and POST /v1/exec/ID/start, /resize and
 * GET /v1/exec/ID/json (http_attach.c). Sets *ret_handled when url is one. */
enum MHD_Result api_exec_route(struct api_server *s, struct MHD_Connection *conn,
			       const char *method, const char *url, const char *body,
			       size_t body_len, bool *ret_handled);

/* GET /v1/events: container events as JSON lines (http_events.c). */
enum MHD_Result api_events(struct api_server *s, struct MHD_Connection *conn);

/* The read-write API of the unix socket (http_api.c). Returns MHD_NO when the
 * path is not part of it, so the caller replies 404. */
enum MHD_Result api_route(struct api_server *s, struct MHD_Connection *conn, const char *method,
			  const char *url, const char *body, size_t body_len, bool *ret_handled);

#endif
