/* SPDX-License-Identifier: MIT */
/*
 * The signals mstat-init receives through sigwaitinfo(), blocked from the
 * moment the runtime's child exists until the command is forked. Shared by the
 * runtime and the static mstat-init.
 */
#ifndef MSTAT_RUNTIME_INIT_SIGNALS_H
#define MSTAT_RUNTIME_INIT_SIGNALS_H

#include <signal.h>

/* Fills ret with every signal except the synchronous fault signals (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT): blocking those would hide
 * a crash of the init itself. */
void rt_init_blocked_signals(sigset_t *ret);

#endif
