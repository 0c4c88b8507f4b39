/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the lab's tests of memory errors (kselftest harness): catch SIGBUS
 * around a touch of a page, wait for the kernel, read its log.
 */
#ifndef LAB_SIGBUS_H
#define LAB_SIGBUS_H

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lab-util.h"

static sigjmp_buf jump;
static volatile int armed;		/* a touch is under way: jump back */
static volatile siginfo_t got;
static volatile int nr_sigbus;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	got = *si;
	nr_sigbus++;
	if (armed)
		siglongjmp(jump, 1);
}

/* Read a byte at @p: the si_code of the SIGBUS it raised, or 0. */
static int touch(volatile char *p)
{
	if (sigsetjmp(jump, 1)) {
		armed = 0;
		return got.si_code;
	}
	armed = 1;
	(void)*p;
	armed = 0;
	return 0;
}

/* Wait up to 5 s for @cond; 1 if it came true. */
#define WAIT_FOR(cond) WAIT_FOR_MS(cond, 5000)

#endif /* LAB_SIGBUS_H */
