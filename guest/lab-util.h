/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers that the lab's guest programs share. */
#ifndef LAB_UTIL_H
#define LAB_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write @s to the file at @path (sysfs, debugfs, tracefs): 0 or -errno. */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

/* Physical address of the page at @addr, or 0 (root sees pfns in pagemap). */
static inline uint64_t phys_of(void *addr)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)addr / psize * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & (1ULL << 63)))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * psize;
}

/*
 * What a PMD entry maps: THP's figure, or else a page of 8-byte entries
 * that each map a page: 2 MiB with 4 KiB pages, 512 MiB with 64 KiB pages
 * (arm64, where with 48-bit addresses there is no PUD level).
 */
static inline unsigned long pmd_size(void)
{
	unsigned long psize = sysconf(_SC_PAGESIZE), size = 0;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");

	if (f) {
		if (fscanf(f, "%lu", &size) != 1)
			size = 0;
		fclose(f);
	}
	return size ? size : psize * (psize / 8);
}

/*
 * @bytes in words, in the largest unit that divides it: "4 KiB", "2 MiB",
 * "1 GiB". The string lasts for the next seven calls.
 */
static inline const char *size_str(unsigned long bytes)
{
	static char buf[8][24];
	static unsigned int next;
	char *s = buf[next++ % 8];

	if (bytes && !(bytes % (1UL << 30)))
		snprintf(s, sizeof(buf[0]), "%lu GiB", bytes >> 30);
	else if (bytes && !(bytes % (1UL << 20)))
		snprintf(s, sizeof(buf[0]), "%lu MiB", bytes >> 20);
	else if (bytes && !(bytes % (1UL << 10)))
		snprintf(s, sizeof(buf[0]), "%lu KiB", bytes >> 10);
	else
		snprintf(s, sizeof(buf[0]), "%lu bytes", bytes);
	return s;
}

static inline int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The median of the @n values of @v, which it sorts (v[0] is then the least). */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Wait up to @ms milliseconds (polls of 1 ms) for @cond; 1 if it came true. */
#define WAIT_FOR_MS(cond, ms) ({					\
	int __i, __ok = 0;						\
	for (__i = 0; __i < (ms) && !(__ok = !!(cond)); __i++)		\
		usleep(1000);						\
	__ok; })

/*
 * Append what can be read from @fd to @buf, a string of @size bytes. Reads
 * of 8 KiB: /dev/kmsg gives one record a read and refuses a shorter buffer
 * than the record.
 */
static inline const char *read_more(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);
	ssize_t n;

	while (len + 8192 < size && (n = read(fd, buf + len, 8192)) > 0)
		len += n;
	buf[len] = '\0';
	return buf;
}

/*
 * The kernel log since @kmsg was opened, as one string: each call adds
 * the records that came since the last one (each test runs in a process
 * of its own, so the buffer starts empty).
 */
static inline const char *kernel_log(int kmsg)
{
	static char log[1 << 17];

	return read_more(kmsg, log, sizeof(log));
}

#endif /* LAB_UTIL_H */
