// SPDX-License-Identifier: GPL-2.0
/*
 * poison-demo: tell, step by step, what happens when memory a process uses
 * goes bad. Run inside the lab's QEMU guest by 'make demo'.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab-util.h"

static sigjmp_buf jump;
static siginfo_t got;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	got = *si;
	siglongjmp(jump, 1);
}

static const char *code_name(int code)
{
	switch (code) {
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR (action required: this data is lost)";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO (action optional)";
	default: return "something else";
	}
}

/* Print the kernel's new log lines that mention the memory failure. */
static void show_kernel_log(int kmsg)
{
	char rec[1024];
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		char *msg;

		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || !strstr(msg, "emory failure"))
			continue;
		printf("     kernel says: %s", msg + 1);
	}
}

int main(void)
{
	long psize = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	volatile char *mem;
	uint64_t ent = 0, phys;
	char buf[32];
	int fd, kmsg, len;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigaction(SIGBUS, &sa, NULL);

	printf("\n== A process meets a memory error ==\n\n");
	mem = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return perror("mmap"), 1;
	strcpy((char *)mem, "hello");
	strcpy((char *)mem + psize, "world");

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, (uintptr_t)mem / psize * 8) != 8)
		return perror("pagemap"), 1;
	close(fd);
	phys = (ent & ((1ULL << 55) - 1)) * psize;
	printf("1. The process maps two pages and writes \"hello\" and \"world\" into them.\n"
	       "   The first page is at virtual address %p, physical address 0x%llx.\n"
	       "   (Pages are %s here; a huge page, one PMD entry, would map %s.)\n\n",
	       mem, (unsigned long long)phys, size_str(psize), size_str(pmd_size()));

	printf("2. The hardware finds that this physical page is corrupted (poisoned).\n"
	       "   Here we play the hardware and tell the kernel, as a firmware error\n"
	       "   report would:  echo 0x%llx > /sys/devices/system/memory/hard_offline_page\n",
	       (unsigned long long)phys);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	fd = open("/sys/devices/system/memory/hard_offline_page", O_WRONLY);
	len = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)phys);
	if (fd < 0 || write(fd, buf, len) != len)
		return perror("hard_offline_page"), 1;
	close(fd);
	if (kmsg >= 0)
		show_kernel_log(kmsg);
	printf("   The kernel has taken the page away from the process; nothing\n"
	       "   happens to the process yet, because it is not using the page.\n\n");

	printf("3. The process now reads its first page again...\n");
	if (sigsetjmp(jump, 1) == 0) {
		printf("   read: \"%s\"  (unexpected: no SIGBUS!)\n", (char *)mem);
		return 1;
	}
	printf("   ...and the kernel stops it with SIGBUS instead of giving it bad data:\n"
	       "     si_code     = %s\n"
	       "     si_addr     = %p (%s)\n"
	       "     si_addr_lsb = %d (the lost range is 2^%d = %d bytes, %s)\n\n",
	       code_name(got.si_code), got.si_addr,
	       got.si_addr == mem ? "exactly the page it touched" : "NOT the page it touched!",
	       got.si_addr_lsb, got.si_addr_lsb, 1 << got.si_addr_lsb,
	       (1L << got.si_addr_lsb) == psize ? "one page" : "NOT one page!");

	printf("4. Its other page is untouched and still reads \"%s\".\n\n",
	       (char *)mem + psize);
	if (got.si_code != BUS_MCEERR_AR || got.si_addr != mem ||
	    (1L << got.si_addr_lsb) != psize || strcmp((char *)mem + psize, "world"))
		return 1;
	printf("A program that handles SIGBUS like this can recover: throw away the\n"
	       "lost page and carry on. A VMM such as QEMU forwards it to its guest.\n");
	return 0;
}
