/* SPDX-License-Identifier: MIT */
/*
 * Sample helpers that are not inline. A sample is a fixed-size value, so
 * nothing here allocates.
 */
#include <string.h>

#include "collectors/sample.h"

void sample_reset(struct sample *s)
{
	memset(s, 0, sizeof(*s));
}
