/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers that the lab's guest programs share. */
#ifndef LAB_UTIL_H
#define LAB_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

#endif /* LAB_UTIL_H */
