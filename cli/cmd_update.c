/* SPDX-License-Identifier: MIT */
/*
 * `mstat update`: one update request per container. As with docker update,
 * each name is printed when its request succeeds, every container is tried,
 * and the exit status is 1 when any of them failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/run_opts.h"

/* Sends the update to one container. Returns 0, or a negative errno with the
 * message in err. */
static int update_one(struct cli *cli, const char *body, const char *name, struct mst_err *err)
{
	char *path;
	int r;

	if (name[0] == '\0')
		return err_setx(err, EINVAL, "container name must not be empty");
	path = cli_container_path(name, "/update");
	if (!path)
		return err_set(err, ENOMEM, "building the request for %s failed", name);
	r = api_request(&cli->api, "POST", path, body, NULL, NULL, err);
	free(path);
	return r;
}

int cmd_update(struct cli *cli, int argc, char **argv)
{
	struct update_opts o;
	struct mst_err err = { 0 };
	json_t *body;
	char *text;
	bool failed = false;

	if (update_opts_parse(argc, argv, &o, &err) < 0)
		return cli_usage_error("update", "%s", err.msg);
	if (o.help) {
		fputs(update_usage, stdout);
		return 0;
	}
	body = update_opts_body(&o);
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		update_opts_free(&o);
		fprintf(stderr, "mstat: building the update request failed: out of memory\n");
		return CLI_EXIT_ERROR;
	}

	for (size_t i = 0; i < o.n_names; i++) {
		int r = update_one(cli, text, o.names[i], &err);

		if (r == 0) {
			printf("%s\n", o.names[i]);
			fflush(stdout);
			continue;
		}
		cli_print_error(&err);
		failed = true;
		/* mstatd unreachable: the other names would fail the same way */
		if (!api_error_is_remote(&err) && r != -EINVAL)
			break;
	}
	free(text);
	update_opts_free(&o);
	return failed ? 1 : 0;
}
