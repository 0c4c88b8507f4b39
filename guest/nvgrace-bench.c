// SPDX-License-Identifier: GPL-2.0
/*
 * nvgrace-bench: what huge mappings buy a VMM that maps the GPU memory of
 * the lab's Grace-like GPU through VFIO, and what one poisoned page costs.
 * Run in the guest by 'make bench' (guest/init), after pfn-poison-bench.
 *
 *  1. Touch every page of 1 GiB of usemem mapped at an address that allows
 *     1 GiB entries, one that allows PMD entries at most, and one that
 *     allows pages only: faults and time of each, and their ratios. With
 *     4 KiB pages a PMD maps 2 MiB; with 64 KiB pages 512 MiB, and there
 *     are no 1 GiB entries (no PUD level): the first two are alike.
 *  2. Poison one page, map again at the 1 GiB-aligned address and touch
 *     every other page: how many faults, so how much is mapped small.
 *
 * Faults are counted with getrusage() (every fault that maps an entry is
 * one minor fault). Ratios are from this one run.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#include "vfio/vfio_util.h"
#include "lab-util.h"

#define SZ_1G	(1UL << 30)

static long psize;
static sigjmp_buf jump;
static int sigbus_code;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigbus_code = si->si_code;
	siglongjmp(jump, 1);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct touch_result {
	long faults;
	double seconds;
};

/*
 * Map @len bytes of @r at an address @skew bytes past a 1 GiB boundary and
 * read one byte of every page but @skip (-1: none).
 */
static int touch_all(struct vfio_dev *d, struct vfio_region *r, size_t len,
		     size_t skew, long skip, struct touch_result *res)
{
	volatile char *p;
	void *va;
	long f0;
	double t0;
	size_t i;

	va = vfio_reserve_va(len, SZ_1G, skew);
	if (va == MAP_FAILED)
		return -errno;
	p = vfio_map_region(d, r, va, len, 0, MAP_SHARED);
	if (p == MAP_FAILED) {
		munmap(va, len);
		return -errno;
	}
	f0 = minflt();
	t0 = now();
	for (i = 0; i < len / psize; i++)
		if ((long)i != skip)
			(void)p[i * psize];
	res->seconds = now() - t0;
	res->faults = minflt() - f0;
	munmap((void *)p, len);
	return 0;
}

static int write_pfn(const char *file, unsigned long pfn)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/hwpoison/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = dprintf(fd, "%#lx", pfn) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int main(void)
{
	const char *bdf = getenv("VFIO_SELFTESTS_BDF");
	const char *base = getenv("NVGRACE_GPU_MEM_BASE");
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	struct touch_result pud, pmd, pte, poisoned;
	struct vfio_dev d;
	struct vfio_region r;
	unsigned long pfn, pmd_sz, huge;
	volatile char *p;
	long bad, pages, want, pmd_pages;
	char label[64];
	size_t len;
	void *va;
	int ret;

	setvbuf(stdout, NULL, _IONBF, 0);
	psize = sysconf(_SC_PAGESIZE);
	pmd_sz = pmd_size();
	pmd_pages = pmd_sz / psize;
	/* The biggest entry that can map the 1 GiB-aligned mapping. */
	huge = pmd_sz * (psize / 8) <= SZ_1G ? pmd_sz * (psize / 8) : pmd_sz;
	now();		/* the vDSO's first call faults: not in a count */
	if (!bdf || !base) {
		printf("nvgrace-bench: VFIO_SELFTESTS_BDF and NVGRACE_GPU_MEM_BASE must be set\n");
		return 1;
	}
	ret = vfio_open_device(bdf, &d);
	if (ret) {
		printf("nvgrace-bench: opening %s: %s: %s\n", bdf, d.step, strerror(-ret));
		return 1;
	}
	ret = vfio_region_info(&d, VFIO_PCI_BAR4_REGION_INDEX, &r);
	if (ret || !r.sparse || r.area_size < pmd_sz) {
		printf("nvgrace-bench: %s has no usemem region (is it bound to nvgrace_gpu_vfio_pci?)\n", bdf);
		return 1;
	}
	len = r.area_size < SZ_1G ? r.area_size & ~(pmd_sz - 1) : SZ_1G;
	pages = len / psize;

	printf("\n== nvgrace-gpu: faulting in %zu MiB of GPU memory (usemem) through VFIO ==\n",
	       len >> 20);
	printf("  (pages of %s, PMD entries of %s)\n", size_str(psize), size_str(pmd_sz));
	if (touch_all(&d, &r, len, 0, -1, &pud) ||
	    touch_all(&d, &r, len, pmd_sz, -1, &pmd) ||
	    touch_all(&d, &r, len, psize, -1, &pte)) {
		printf("nvgrace-bench: mapping usemem failed: %s\n", strerror(errno));
		return 1;
	}
	printf("  %-30s%7ld faults  %8.3f s\n", "mapped at 1 GiB alignment:", pud.faults, pud.seconds);
	snprintf(label, sizeof(label), "mapped at %s alignment:", size_str(pmd_sz));
	printf("  %-30s%7ld faults  %8.3f s\n", label, pmd.faults, pmd.seconds);
	snprintf(label, sizeof(label), "mapped at %s alignment:", size_str(psize));
	printf("  %-30s%7ld faults  %8.3f s\n", label, pte.faults, pte.seconds);
	snprintf(label, sizeof(label), "ratio %s / %s entries:", size_str(psize), size_str(huge));
	printf("  %-30s%7.0fx faults %7.1fx time (target: >= 100x fewer faults)\n", label,
	       (double)pte.faults / (pud.faults ? pud.faults : 1),
	       pte.seconds / pud.seconds);
	/* The same against PMD entries, where they are not the biggest already. */
	snprintf(label, sizeof(label), "ratio %s / %s entries:", size_str(psize), size_str(pmd_sz));
	if (huge != pmd_sz)
		printf("  %-30s%7.0fx faults %7.1fx time\n", label,
		       (double)pte.faults / (pmd.faults ? pmd.faults : 1),
		       pte.seconds / pmd.seconds);

	/*
	 * One page in the middle of the second PMD of the second half (with
	 * 4 KiB pages); in the second half if that has a single PMD.
	 */
	bad = pages / 2 + 7;
	if (bad + pmd_pages < pages)
		bad += pmd_pages;
	pfn = strtoul(base, NULL, 0) / psize + bad;
	printf("\n== one poisoned page (usemem page %ld, pfn %#lx) ==\n", bad, pfn);
	ret = write_pfn("corrupt-pfn", pfn);
	if (ret) {
		printf("nvgrace-bench: corrupt-pfn: %s\n", strerror(-ret));
		return 1;
	}
	ret = touch_all(&d, &r, len, 0, bad, &poisoned);
	sigaction(SIGBUS, &sa, NULL);
	va = vfio_reserve_va(len, SZ_1G, 0);
	p = vfio_map_region(&d, &r, va, len, 0, MAP_SHARED);
	sigbus_code = 0;
	if (p != MAP_FAILED && !sigsetjmp(jump, 1))
		(void)p[bad * psize];
	write_pfn("unpoison-pfn", pfn);
	if (ret || p == MAP_FAILED) {
		printf("nvgrace-bench: mapping usemem failed\n");
		return 1;
	}
	printf("  touching the other %ld pages: %ld faults  %8.3f s\n",
	       pages - 1, poisoned.faults, poisoned.seconds);
	want = pmd_pages - 1 + len / pmd_sz - 1;
	printf("  with only the poisoned page's %s at %s: %ld + %ld = %ld faults: %s\n",
	       size_str(pmd_sz), size_str(psize), pmd_pages - 1, len / pmd_sz - 1, want,
	       poisoned.faults <= want ? "met" : "NOT met");
	printf("  touching the poisoned page: %s\n",
	       sigbus_code == BUS_MCEERR_AR ? "SIGBUS BUS_MCEERR_AR" : "no BUS_MCEERR_AR!");
	munmap((void *)p, len);
	vfio_close_device(&d);
	return sigbus_code == BUS_MCEERR_AR && poisoned.faults <= want ? 0 : 1;
}
