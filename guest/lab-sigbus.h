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

/* Wait up to 5 s (50 polls) for @cond; 1 if it came true. */
#define WAIT_FOR(cond) ({						\
	int __i, __ok = 0;						\
	for (__i = 0; __i < 5000 && !(__ok = !!(cond)); __i++)		\
		usleep(1000);						\
	__ok; })

/* Append what can be read from @fd to @buf, a string of @size bytes. */
static const char *read_more(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);
	ssize_t n;

	while (len < size - 1024 && (n = read(fd, buf + len, 1023)) > 0)
		len += n;
	buf[len] = '\0';
	return buf;
}

/*
 * The kernel log since @kmsg was opened, as one string: each call adds
 * the records that came since the last one (each test runs in a process
 * of its own, so the buffer starts empty).
 */
static const char *kernel_log(int kmsg)
{
	static char log[65536];

	return read_more(kmsg, log, sizeof(log));
}

#endif /* LAB_SIGBUS_H */
