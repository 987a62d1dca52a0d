/* SPDX-License-Identifier: MIT */
/*
 * The init's signal set, in one place for the runtime and mstat-init.
 */
#include <signal.h>
#include <stddef.h>

#include "runtime/init_signals.h"

static const int synchronous_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT
};

void rt_init_blocked_signals(sigset_t *ret)
{
	sigfillset(ret);
	for (size_t i = 0; i < sizeof(synchronous_signals) / sizeof(synchronous_signals[0]); i++)
		sigdelset(ret, synchronous_signals[i]);
}
