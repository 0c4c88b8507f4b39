// SPDX-License-Identifier: GPL-2.0
/*
 * vm-guest: the program of the VM that lab:vm-gpu-poison starts with QEMU
 * inside the lab's machine (L2, with guest/vm-guest-init as its /init).
 *
 * It does what a workload in a VM with an assigned Grace Hopper GPU does to
 * the GPU's memory: it maps the BAR that nvgrace-gpu presents it as (BAR 4,
 * usemem), writes "hello" and "world" into pages N and N + 1 (N: 100, or
 * vmguest.page= on the kernel command line; pages of its kernel's size,
 * which it says), says so, and
 * waits for a line on its console. Then it reads both pages again and says
 * what it got: the data, or the SIGBUS its kernel sent it. One line a fact,
 * each starting with "VMGUEST:", for the test in the lab machine (L1) to
 * check.
 *
 * With vmguest.bench=N (guest/vm-gpu-bench), N rounds instead: it says
 * the guest physical addresses of page N + i of the GPU's memory and of a
 * page of its own RAM, waits for a line (L1 poisons both meanwhile), and
 * times the read of each to the SIGBUS, on its kernel's clock.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lab-util.h"

#define BAR		4	/* nvgrace-gpu's usemem region */

static sigjmp_buf jump;
static volatile siginfo_t got;
static struct timespec got_at;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	clock_gettime(CLOCK_MONOTONIC, &got_at);
	got = *si;
	siglongjmp(jump, 1);
}

/* Copy @len bytes at @p, or 0 and the SIGBUS in @got. */
static int read_page(volatile char *p, char *buf, size_t len)
{
	size_t i;

	if (sigsetjmp(jump, 1))
		return 0;
	for (i = 0; i < len; i++)
		buf[i] = p[i];
	return 1;
}

static const char *code_name(int code)
{
	switch (code) {
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	case BUS_ADRERR: return "BUS_ADRERR";
	case BUS_OBJERR: return "BUS_OBJERR";
	case SI_KERNEL: return "SI_KERNEL";
	default: return "other";
	}
}

/* The first PCI device with a BAR @BAR of at least 1 MiB: its sysfs dir. */
static int find_bar(char *dir, size_t len, uint64_t *start, uint64_t *size)
{
	struct dirent *d;
	DIR *pci = opendir("/sys/bus/pci/devices");
	char path[512], line[256];
	FILE *f;
	int i, found = 0;

	if (!pci)
		return 0;
	while (!found && (d = readdir(pci))) {
		uint64_t s, e, flags;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		for (i = 0; i <= BAR && fgets(line, sizeof(line), f); i++) {
			if (i < BAR || sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &flags) != 3)
				continue;
			if (e > s && e - s + 1 >= (1 << 20)) {
				snprintf(dir, len, "/sys/bus/pci/devices/%s", d->d_name);
				*start = s;
				*size = e - s + 1;
				found = 1;
			}
		}
		fclose(f);
	}
	closedir(pci);
	return found;
}

/* @key (as "vmguest.page=") on the kernel command line, or @def. */
static int cmdline_int(const char *key, int def)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	int n = def;

	if (f && fgets(line, sizeof(line), f) && (p = strstr(line, key)))
		n = atoi(p + strlen(key));
	if (f)
		fclose(f);
	return n;
}

static volatile struct timespec load_at;

/* Nanoseconds from a load of @p to the SIGBUS, or -1 if it read. */
static long long time_to_sigbus(volatile char *p)
{
	if (sigsetjmp(jump, 1))
		return (got_at.tv_sec - load_at.tv_sec) * 1000000000LL +
		       got_at.tv_nsec - load_at.tv_nsec;
	clock_gettime(CLOCK_MONOTONIC, (struct timespec *)&load_at);
	(void)*p;
	return -1;
}

/* vmguest.bench=@rounds: GPU pages @first on of @bar, which lies at @gpa. */
static int bench(volatile char *bar, uint64_t gpa, int first, int rounds, long psize)
{
	char line[64], *ram;
	long long gpu_ns, ram_ns;
	int i, gpu_code;

	ram = mmap(NULL, rounds * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		printf("VMGUEST: FAIL: mmap: %s\n", strerror(errno));
		return 1;
	}
	madvise(ram, rounds * psize, MADV_NOHUGEPAGE);
	for (i = 0; i < rounds; i++) {
		ram[i * psize] = 1;
		bar[(first + i) * psize] = 1;
	}
	for (i = 0; i < rounds; i++) {
		printf("VMGUEST: round %d: gpu %#" PRIx64 ", ram %#" PRIx64 "\n", i,
		       gpa + (first + i) * psize, phys_of(ram + i * psize));
		if (!fgets(line, sizeof(line), stdin)) {
			printf("VMGUEST: FAIL: console closed\n");
			return 1;
		}
		gpu_ns = time_to_sigbus(bar + (first + i) * psize);
		gpu_code = got.si_code;
		ram_ns = time_to_sigbus(ram + i * psize);
		printf("VMGUEST: round %d took: gpu %lld ns %s, ram %lld ns %s\n", i,
		       gpu_ns, code_name(gpu_code), ram_ns, code_name(got.si_code));
	}
	printf("VMGUEST: done\n");
	return 0;
}

int main(void)
{
	const int PAGE_BAD = cmdline_int("vmguest.page=", 100), PAGE_GOOD = PAGE_BAD + 1;
	const int rounds = cmdline_int("vmguest.bench=", 0);
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	long psize = sysconf(_SC_PAGESIZE);
	char dir[300], path[400], buf[8], line[64];
	uint64_t start, size;
	volatile char *bar;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!find_bar(dir, sizeof(dir), &start, &size)) {
		printf("VMGUEST: FAIL: no PCI device with a BAR %d of 1 MiB or more\n", BAR);
		return 1;
	}
	/* Memory decoding on: no driver of this kernel claims the device. */
	snprintf(path, sizeof(path), "%s/enable", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		printf("VMGUEST: FAIL: %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/resource%d", dir, BAR);
	fd = open(path, O_RDWR | O_SYNC);
	bar = fd < 0 ? MAP_FAILED : mmap(NULL, (PAGE_GOOD + rounds + 1) * psize,
					 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		printf("VMGUEST: FAIL: mapping %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (rounds) {
		sigaction(SIGBUS, &sa, NULL);
		return bench(bar, start, PAGE_BAD, rounds, psize);
	}
	memcpy((char *)bar + PAGE_BAD * psize, "hello", 6);
	memcpy((char *)bar + PAGE_GOOD * psize, "world", 6);
	sigaction(SIGBUS, &sa, NULL);
	/* The page size last: the VM's kernel need not have the lab machine's. */
	printf("VMGUEST: ready: %s BAR %d at %#" PRIx64 " (%" PRIu64 " MiB), page %d at %#" PRIx64
	       ", mapped at %p, page size %ld\n", dir + strlen("/sys/bus/pci/devices/"), BAR, start,
	       size >> 20, PAGE_BAD, start + PAGE_BAD * psize,
	       (void *)(bar + PAGE_BAD * psize), psize);

	/* The test poisons the page in L1, then sends a line. */
	if (!fgets(line, sizeof(line), stdin)) {
		printf("VMGUEST: FAIL: console closed\n");
		return 1;
	}
	if (read_page(bar + PAGE_BAD * psize, buf, 6))
		printf("VMGUEST: page %d reads \"%.5s\"\n", PAGE_BAD, buf);
	else
		printf("VMGUEST: page %d: SIGBUS %s (%d) at %#lx, si_addr_lsb %d\n",
		       PAGE_BAD, code_name(got.si_code), got.si_code,
		       (unsigned long)got.si_addr, got.si_addr_lsb);
	if (read_page(bar + PAGE_GOOD * psize, buf, 6))
		printf("VMGUEST: page %d reads \"%.5s\"\n", PAGE_GOOD, buf);
	else
		printf("VMGUEST: page %d: SIGBUS %s (%d)\n", PAGE_GOOD,
		       code_name(got.si_code), got.si_code);
	printf("VMGUEST: done\n");
	return 0;
}
