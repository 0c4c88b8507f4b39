// SPDX-License-Identifier: GPL-2.0
/*
 * gpu-poison-demo: the driver's part of the chain. A VMM maps the memory of
 * the lab's Grace-like GPU through VFIO and nvgrace-gpu, as QEMU does; one
 * of its pages goes bad. Run in the guest by 'make demo', after poison-demo.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>

#include "vfio/vfio_util.h"

#define SZ_1G	(1UL << 30)

static sigjmp_buf jump;
static siginfo_t got;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	got = *si;
	siglongjmp(jump, 1);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Print the kernel's new log lines about the memory failure. */
static void kernel_says(int kmsg)
{
	char rec[1024], *msg;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (msg && strstr(msg, "emory failure"))
			printf("     kernel says: %s", msg + 1);
	}
}

/* Open the GPU and map 1 GiB of usemem at a 1 GiB-aligned address. */
static char *open_and_map(const char *bdf, struct vfio_dev *d,
			  struct vfio_region *r)
{
	void *va;

	if (vfio_open_device(bdf, d) ||
	    vfio_region_info(d, VFIO_PCI_BAR4_REGION_INDEX, r) ||
	    !r->sparse || r->area_size < SZ_1G)
		return NULL;
	va = vfio_reserve_va(SZ_1G, SZ_1G, 0);
	if (va == MAP_FAILED)
		return NULL;
	va = vfio_map_region(d, r, va, SZ_1G, 0, MAP_SHARED);
	return va == MAP_FAILED ? NULL : va;
}

int main(void)
{
	const char *bdf = getenv("VFIO_SELFTESTS_BDF");
	const char *base = getenv("NVGRACE_GPU_MEM_BASE");
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	long psize = sysconf(_SC_PAGESIZE), f0, i;
	char driver[64] = "?", buf[32];
	unsigned long long phys;
	struct vfio_region r;
	struct vfio_dev d;
	int fd, kmsg, len;
	char *mem, *bad;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigaction(SIGBUS, &sa, NULL);
	if (!bdf || !base)
		return printf("VFIO_SELFTESTS_BDF and NVGRACE_GPU_MEM_BASE must be set\n"), 1;

	printf("\n== A VMM's GPU memory meets a memory error ==\n\n");
	mem = open_and_map(bdf, &d, &r);
	if (!mem)
		return printf("opening %s through VFIO failed: %s\n", bdf, strerror(errno)), 1;
	vfio_pci_link_name(bdf, "driver", driver, sizeof(driver));
	printf("1. The VMM opens the GPU %s (driver %s) through VFIO, as QEMU does:\n"
	       "   container, group %s, device. Its memory is region %u (BAR4),\n"
	       "   %llu MiB, of which %llu MiB can be mapped. It maps 1 GiB of it.\n\n",
	       bdf, driver, d.group_path, r.index, (unsigned long long)r.size >> 20,
	       (unsigned long long)r.area_size >> 20);

	bad = mem + 100 * psize;
	f0 = minflt();
	for (i = 0; i < (long)(SZ_1G / psize); i++)
		mem[i * psize] = 0;
	strcpy(bad, "hello");
	strcpy(bad + psize, "world");
	printf("2. It writes to every page, \"hello\" and \"world\" in pages 100 and 101:\n"
	       "   %ld page fault(s) for 262144 pages: nvgrace-gpu maps it with one 1 GiB entry.\n\n",
	       minflt() - f0);

	phys = strtoull(base, NULL, 0) + 100 * psize;
	printf("3. The hardware finds GPU memory page 100 (physical 0x%llx) corrupted.\n"
	       "   This memory has no struct page; nvgrace-gpu registered it with\n"
	       "   memory_failure(). We play the hardware:\n"
	       "     echo 0x%llx > /sys/devices/system/memory/hard_offline_page\n", phys, phys);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	fd = open("/sys/devices/system/memory/hard_offline_page", O_WRONLY);
	len = snprintf(buf, sizeof(buf), "0x%llx", phys);
	if (fd < 0 || write(fd, buf, len) != len)
		return perror("hard_offline_page"), 1;
	close(fd);
	if (kmsg >= 0)
		kernel_says(kmsg);
	printf("   The kernel unmapped just that page's 2 MiB; nothing else happens yet.\n\n");

	printf("4. The VMM (for its guest) reads page 100 again...\n");
	if (sigsetjmp(jump, 1) == 0) {
		(void)*(volatile char *)bad;
		return printf("   it read the page: no SIGBUS!\n"), 1;
	}
	printf("   ...and gets SIGBUS from nvgrace-gpu's fault handler, not bad data:\n"
	       "     si_code %s, si_addr %s, si_addr_lsb %d\n"
	       "   (a VMM forwards this to its guest as a memory error at that page)\n\n",
	       got.si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "NOT BUS_MCEERR_AR",
	       got.si_addr == bad ? "= the page it read" : "NOT the page it read",
	       got.si_addr_lsb);
	if (got.si_code != BUS_MCEERR_AR || got.si_addr != bad)
		return 1;

	f0 = minflt();
	for (i = 0; i < (long)(SZ_1G / psize); i++)
		if (i != 100)
			(void)*(volatile char *)(mem + i * psize);
	printf("5. Page 101 still reads \"%s\". Reading all other pages takes %ld faults:\n"
	       "   511 at 4 KiB around the bad page, 511 at 2 MiB for the rest.\n",
	       bad + psize, minflt() - f0);
	errno = 0;
	printf("   pread() of page 100 through the device file: %s\n\n",
	       vfio_region_read(&d, &r, buf, 8, 100 * psize) < 0 ?
	       strerror(errno) : "data (the kernel read poison!)");
	if (errno != EIO || strcmp(bad + psize, "world"))
		return 1;

	munmap(mem, SZ_1G);
	vfio_close_device(&d);
	mem = open_and_map(bdf, &d, &r);
	printf("6. The VMM closes the GPU and opens it again: page 100 is still refused: ");
	if (!mem)
		return printf("reopening failed\n"), 1;
	if (sigsetjmp(jump, 1) == 0) {
		(void)*(volatile char *)(mem + 100 * psize);
		return printf("no SIGBUS!\n"), 1;
	}
	printf("%s.\n", got.si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "wrong signal");
	return got.si_code == BUS_MCEERR_AR ? 0 : 1;
}
