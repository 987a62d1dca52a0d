/* SPDX-License-Identifier: MIT */
/*
 * Restart policies: names, parsing and the restart decision with its delay.
 */
#include "common/restart.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/parse.h"

static const char *const restart_mode_names[_RESTART_MODE_MAX] = {
	[RESTART_NO] = "no",
	[RESTART_ALWAYS] = "always",
	[RESTART_UNLESS_STOPPED] = "unless-stopped",
	[RESTART_ON_FAILURE] = "on-failure",
};

const char *restart_mode_to_string(enum restart_mode mode)
{
	if ((unsigned)mode >= _RESTART_MODE_MAX)
		return "unknown";
	return restart_mode_names[mode];
}

int restart_mode_from_string(const char *s, enum restart_mode *ret)
{
	for (unsigned i = 0; i < _RESTART_MODE_MAX; i++)
		if (strcmp(s, restart_mode_names[i]) == 0) {
			*ret = (enum restart_mode)i;
			return 0;
		}
	return -EINVAL;
}

int restart_policy_parse(const char *s, struct restart_policy *ret)
{
	struct restart_policy p = { .mode = RESTART_NO, .max_retries = 0 };
	const char *colon = strchr(s, ':');
	char name[32];
	size_t name_len = colon ? (size_t)(colon - s) : strlen(s);
	uint64_t count;

	if (name_len >= sizeof(name))
		return -EINVAL;
	memcpy(name, s, name_len);
	name[name_len] = '\0';
	if (restart_mode_from_string(name, &p.mode) < 0)
		return -EINVAL;
	if (colon) {
		if (p.mode != RESTART_ON_FAILURE)
			return -EINVAL;
		if (parse_u64_str(colon + 1, &count) < 0 || count > RESTART_MAX_RETRIES)
			return -EINVAL;
		p.max_retries = (unsigned)count;
	}
	*ret = p;
	return 0;
}

void restart_policy_format(const struct restart_policy *p, char *buf, size_t size)
{
	if (p->mode == RESTART_ON_FAILURE && p->max_retries > 0)
		snprintf(buf, size, "on-failure:%u", p->max_retries);
	else
		snprintf(buf, size, "%s", restart_mode_to_string(p->mode));
}

bool restart_should(const struct restart_policy *p, int exit_code, bool manually_stopped,
		    uint64_t restarts_done)
{
	if (manually_stopped)
		return false;
	switch (p->mode) {
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	case RESTART_ON_FAILURE:
		if (p->max_retries > 0 && restarts_done >= p->max_retries)
			return false;
		return exit_code != 0;
	case RESTART_NO:
	case _RESTART_MODE_MAX:
		break;
	}
	return false;
}

uint64_t restart_next_delay(uint64_t prev_delay_ns, uint64_t ran_ns)
{
	uint64_t next;

	if (prev_delay_ns == 0 || ran_ns >= RESTART_STABLE_RUN_NS)
		return RESTART_DELAY_FIRST_NS;
	next = prev_delay_ns * 2;
	return next > RESTART_DELAY_MAX_NS ? RESTART_DELAY_MAX_NS : next;
}
