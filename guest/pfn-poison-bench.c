// SPDX-License-Identifier: GPL-2.0
/*
 * pfn-poison-bench: the performance figures of poison handling in pfn ranges
 * without struct page, through the series' test_pfn_poison module. Every
 * ratio is measured in this one run; nothing here passes or fails on time.
 *
 *  1. memory_failure() on a registered pfn among 1, 1,000 and 100,000
 *     registered ranges (hwpoison-inject corrupt-pfn, then unpoison-pfn).
 *  2. Faulting 1 GiB a page at a time: with nothing poisoned (the check in
 *     vmf_insert_pfn() patched out) against with poison elsewhere in the
 *     range, interleaved chunk by chunk: past the faulted pages, on both
 *     sides of them, and in the 2 MiB of physical memory of every fault.
 *  3. Huge mappings: faults per entry size for 1 GiB, and what one poisoned
 *     page costs. With 64 KiB pages a PMD maps 512 MiB and there is no PUD
 *     level: 1 GiB is two PMD entries.
 *  4. Memory for the poison state, from the pfn_poison slab cache.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "test_pfn_poison_uapi.h"
#include "lab-util.h"

#define DEVICE		"/dev/test_pfn_poison"
#define CORRUPT_PFN	"/sys/kernel/debug/hwpoison/corrupt-pfn"
#define UNPOISON_PFN	"/sys/kernel/debug/hwpoison/unpoison-pfn"
#define SZ_1G		(1UL << 30)

static long psize;
static unsigned long pmd_sz;	/* 2 MiB with 4 KiB pages, 512 MiB with 64 KiB */
static int fd;
static struct pfn_poison_info info;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "pfn-poison-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int write_u64(const char *path, unsigned long long val)
{
	char buf[32];
	int f, len, ret = 0;

	f = open(path, O_WRONLY);
	if (f < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%#llx", val);
	if (write(f, buf, len) != len)
		ret = -errno;
	close(f);
	return ret;
}

static struct pfn_poison_stats stats(void)
{
	struct pfn_poison_stats s;

	if (ioctl(fd, PFN_POISON_IOC_STATS, &s))
		die("PFN_POISON_IOC_STATS");
	return s;
}

static char *map_aligned(unsigned long len, unsigned long align)
{
	char *area, *p;

	area = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)area + align - 1) & ~(align - 1));
	if (p > area)
		munmap(area, p - area);
	munmap(p + len, area + align - p);
	p = mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap " DEVICE);
	return p;
}

/* Poison (@on) or unpoison @pfn through hwpoison-inject, or die. */
static void poison_pfn(unsigned long pfn, int on)
{
	if (write_u64(on ? CORRUPT_PFN : UNPOISON_PFN, pfn))
		die(on ? "corrupt-pfn" : "unpoison-pfn");
}

/*
 * 1. Seconds per memory_failure() + unpoison among @nr ranges. A second pfn
 * stays poisoned meanwhile: the first poison and the last unpoison flip
 * the static key of the fault path, which patches the kernel's text and
 * waits for it (timers, under QEMU's instruction count too), a cost a
 * machine pays when its first page goes bad, not per failure.
 */
static double failure_cost(unsigned long nr, int rounds)
{
	unsigned long pfn = info.base / psize + 4096;
	double t;
	int i;

	if (ioctl(fd, PFN_POISON_IOC_DUMMY_RANGES, nr - 1))
		die("PFN_POISON_IOC_DUMMY_RANGES");
	poison_pfn(pfn + 1, 1);
	t = now();
	for (i = 0; i < rounds; i++) {
		poison_pfn(pfn, 1);
		poison_pfn(pfn, 0);
	}
	t = (now() - t) / rounds;
	poison_pfn(pfn + 1, 0);
	if (ioctl(fd, PFN_POISON_IOC_DUMMY_RANGES, 0))
		die("PFN_POISON_IOC_DUMMY_RANGES 0");
	return t;
}

/*
 * 2. Faulting 1 GiB a page at a time through two mappings, a chunk of one
 * with nothing poisoned, then the same chunk of the other with the pfns of
 * @poison poisoned (none, or pages neither mapping touches: @poison's
 * pfns, and with @per_region the first page of each 2 MiB of the chunk,
 * where the kernel then has to search the poisoned pfns), in alternating
 * order (ABBA over the chunks and the repeats), the two mappings swapping
 * roles from one chunk to the next; the poison is put in place and taken
 * away around the chunk that has it, untimed. Under plain TCG the
 * host's speed swings by tens of percent within seconds, and pairs of
 * chunks a few milliseconds apart see the same speed, so their ratio is
 * the cost of the difference; with QEMU counting instructions (make
 * bench's default) every rerun counts the same.
 *
 * The first poison and the last unpoison flip a static key, which patches
 * the kernel's text: QEMU's TCG then translates the fault path anew, which
 * a real CPU does not do. A few untimed faults in a third mapping after
 * each change take that cost out of the chunks. Both chunks of a pair get
 * the same untimed steps before them, the empty set of pfns included:
 * when only the poisoned one had them, the warm-up's cache and TLB state
 * made it faster by itself (nothing against nothing read -0.7%).
 */
/* 1024 pages: 4 MiB with 4 KiB pages, 64 MiB with 64 KiB pages. */
#define CHUNK		(1024UL * psize)
#define NR_CHUNKS	(SZ_1G / CHUNK)
#define MAX_CHUNKS	(SZ_1G / (1024UL * 4096))
#define REPEATS		4
#define NR_RECORDS	10000	/* for 4. */
/* The granule of the kernel's summary of where poison is (pfn_poison_regions). */
#define REGION		(2UL << 20)

struct compare {
	double a, b;	/* seconds in all */
	double median;	/* of the ratios b/a of pairs of chunks */
};

struct poison_set {
	int nr;
	unsigned long pfn[2];
	int per_region;	/* and the first page of each 2 MiB of the chunk */
};

/*
 * Touch a chunk, less the first page of each 2 MiB and the last page of
 * the GiB: those are the pages that a poison set may hold.
 */
static double touch_chunk(volatile char *p, unsigned long chunk)
{
	unsigned long off;
	double t = now();

	for (off = chunk * CHUNK; off < (chunk + 1) * CHUNK; off += psize)
		if (off % REGION && off != SZ_1G - psize)
			(void)p[off];
	return now() - t;
}

static void set_poison(const struct poison_set *ps, unsigned long chunk, int on)
{
	unsigned long off;
	int i;

	for (i = 0; i < ps->nr; i++)
		poison_pfn(ps->pfn[i], on);
	if (ps->per_region)
		for (off = chunk * CHUNK; off < (chunk + 1) * CHUNK; off += REGION)
			poison_pfn((info.base + off) / psize, on);
}

static char *map_1g(void)
{
	char *p = mmap(NULL, SZ_1G, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

#define WARM_PAGES	16

/* Fault in the next WARM_PAGES pages of @warm, untimed. */
static void warm_up(volatile char *warm, unsigned long *next)
{
	int i;

	for (i = 0; i < WARM_PAGES; i++, *next += psize)
		(void)warm[*next + psize];
}

/* Touch chunk @chunk of @p with @ps poisoned, the fault path warmed after each change. */
static double touch_chunk_poisoned(volatile char *p, unsigned long chunk,
				   const struct poison_set *ps,
				   volatile char *warm, unsigned long *next)
{
	double t;

	set_poison(ps, chunk, 1);
	warm_up(warm, next);
	t = touch_chunk(p, chunk);
	set_poison(ps, chunk, 0);
	warm_up(warm, next);
	return t;
}

static struct compare compare(const struct poison_set *none, const struct poison_set *ps)
{
	static double ratio[REPEATS * MAX_CHUNKS / 2];
	struct compare c = {};
	unsigned long i, r, n = 0;

	for (r = 0; r < REPEATS; r++) {
		char *map[2] = { map_1g(), map_1g() }, *warm = map_1g();
		unsigned long next = 0;
		double pa = 0, pb = 0;

		for (i = 0; i < NR_CHUNKS; i++) {
			/*
			 * The two mappings swap roles from one chunk to the
			 * next (where a VMA lies costs its faults something:
			 * nothing against nothing read -0.7% with fixed roles),
			 * and which goes first alternates (ABBA).
			 */
			char *a = map[i & 1], *b = map[!(i & 1)];
			double ta, tb;

			if ((i >> 1 ^ r) & 1) {
				tb = touch_chunk_poisoned(b, i, ps, warm, &next);
				ta = touch_chunk_poisoned(a, i, none, warm, &next);
			} else {
				ta = touch_chunk_poisoned(a, i, none, warm, &next);
				tb = touch_chunk_poisoned(b, i, ps, warm, &next);
			}
			c.a += ta;
			c.b += tb;
			pa += ta;
			pb += tb;
			/* A ratio per pair of chunks, one of each role. */
			if (i & 1) {
				ratio[n++] = pb / pa;
				pa = pb = 0;
			}
		}
		munmap(map[0], SZ_1G);
		munmap(map[1], SZ_1G);
		munmap(warm, SZ_1G);
	}
	c.median = median(ratio, n);
	return c;
}

static void print_compare(const char *what, struct compare c)
{
	printf("   %-28s %6.3f vs %6.3f s per GiB, median ratio %.4f (%+.2f%%)\n",
	       what, c.a / REPEATS, c.b / REPEATS, c.median, (c.median - 1) * 100);
}

static long slab_value(const char *file)
{
	char path[128], buf[64];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/pfn_poison/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atol(buf);
	fclose(f);
	return v;
}

/* 4. Bytes of slab memory that hold poisoned pfns. */
static long poison_bytes(void)
{
	long slabs = slab_value("slabs"), order = slab_value("order");

	if (slabs < 0 || order < 0)
		return -1;
	return slabs * (psize << order);
}

int main(void)
{
	unsigned long nrs[] = { 1, 1000, 100000 };
	struct compare noise, one, both, every;
	struct poison_set none = { 0 }, last, ends, regions;
	double cost[3], ratio;
	struct pfn_poison_stats s;
	unsigned long i, last_pfn, bad_off, pmd_pages, stride;
	long before, after;
	char sizes[96];
	char *map;

	setvbuf(stdout, NULL, _IOLBF, 0);
	psize = sysconf(_SC_PAGESIZE);
	pmd_sz = pmd_size();
	pmd_pages = pmd_sz / psize;
	/*
	 * The poisoned page of 3.: in the PMD at 600 MiB, the 301st of 512
	 * with 4 KiB pages, the second of two with 64 KiB pages.
	 */
	bad_off = (300 * (2UL << 20)) / pmd_sz * pmd_sz + 5 * psize;
	fd = open(DEVICE, O_RDWR);
	if (fd < 0)
		die(DEVICE);
	if (ioctl(fd, PFN_POISON_IOC_INFO, &info))
		die("PFN_POISON_IOC_INFO");
	if (info.size < SZ_1G)
		die("the range is smaller than 1 GiB");
	last_pfn = (info.base + SZ_1G - psize) / psize;
	printf("range %#llx-%#llx\n\n", info.base, info.base + info.size - 1);

	printf("1. memory_failure() + unpoison on a registered pfn, by registered ranges\n");
	failure_cost(1, 5);	/* warm up */
	for (i = 0; i < 3; i++) {
		cost[i] = failure_cost(nrs[i], 200);
		printf("   %6lu ranges: %8.1f us\n", nrs[i], cost[i] * 1e6);
	}
	ratio = cost[2] / cost[0];
	printf("   ratio 100000/1: %.2f (target: at most 2)  %s\n\n", ratio,
	       ratio <= 2 ? "MET" : "NOT MET");

	printf("2. Faulting 1 GiB at %s (THP off), %d times; %s chunks with nothing\n"
	       "   poisoned and with poison elsewhere in the range compared interleaved\n",
	       size_str(psize), REPEATS, size_str(CHUNK));
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("PR_SET_THP_DISABLE");
	last = (struct poison_set){ .nr = 1, .pfn = { last_pfn } };
	ends = (struct poison_set){ .nr = 2, .pfn = { info.base / psize, last_pfn } };
	regions = (struct poison_set){ .nr = 1, .pfn = { last_pfn }, .per_region = 1 };
	noise = compare(&none, &none);
	print_compare("nothing vs nothing:", noise);
	one = compare(&none, &last);
	print_compare("one pfn poisoned past them:", one);
	both = compare(&none, &ends);
	print_compare("poison on both sides:", both);
	every = compare(&none, &regions);
	print_compare("poison in every 2 MiB:", every);
	printf("   nothing against itself: %+.2f%%\n"
	       "   overhead with a pfn poisoned past the faults: %+.2f%% (target: at most +1%%)  %s\n"
	       "   with poison on both sides of every fault: %+.2f%% (target: at most +1%%)  %s\n"
	       "   with poison in the 2 MiB of every fault (a search of the poisoned pfns each,\n"
	       "   the worst case; no target): %+.2f%%\n\n",
	       (noise.median - 1) * 100,
	       (one.median - 1) * 100, one.median <= 1.01 ? "MET" : "NOT MET",
	       (both.median - 1) * 100, both.median <= 1.01 ? "MET" : "NOT MET",
	       (every.median - 1) * 100);
	if (prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0))
		die("PR_SET_THP_DISABLE");

	printf("3. Huge mappings of 1 GiB\n");
	map = map_aligned(SZ_1G, SZ_1G);
	ioctl(fd, PFN_POISON_IOC_RESET_STATS);
	for (i = 0; i < SZ_1G; i += psize)
		(void)*(volatile char *)(map + i);
	s = stats();
	snprintf(sizes, sizeof(sizes), "%llu at 1 GiB, %llu at %s, %llu at %s",
		 s.faults[PFN_POISON_PUD], s.faults[PFN_POISON_PMD], size_str(pmd_sz),
		 s.faults[PFN_POISON_PTE], size_str(psize));
	printf("   touching every %s page: %llu faults (%s)\n", size_str(psize),
	       s.faults[0] + s.faults[1] + s.faults[2], sizes);
	printf("   %s mappings would take %lu faults: %.0fx more\n", size_str(psize),
	       SZ_1G / psize,
	       (double)(SZ_1G / psize) / (s.faults[0] + s.faults[1] + s.faults[2]));
	ioctl(fd, PFN_POISON_IOC_RESET_STATS);
	poison_pfn(info.base / psize + bad_off / psize, 1);
	for (i = 0; i < SZ_1G; i += psize)
		if (i != bad_off)
			(void)*(volatile char *)(map + i);
	s = stats();
	snprintf(sizes, sizeof(sizes), "%llu faults at 1 GiB, %llu at %s, %llu at %s",
		 s.faults[PFN_POISON_PUD], s.faults[PFN_POISON_PMD], size_str(pmd_sz),
		 s.faults[PFN_POISON_PTE], size_str(psize));
	printf("   after one poisoned page, touching every other page again:\n"
	       "   %s (target: at most %lu at %s)  %s\n\n",
	       sizes, pmd_pages - 1, size_str(psize),
	       s.faults[PFN_POISON_PTE] <= pmd_pages - 1 ? "MET" : "NOT MET");
	write_u64(UNPOISON_PFN, info.base / psize + bad_off / psize);
	munmap(map, SZ_1G);

	printf("4. Memory for the poison state (slab cache pfn_poison: object %ld bytes, %ld with debug)\n",
	       slab_value("object_size"), slab_value("slab_size"));
	/* Empty slabs that earlier poison left are allocator cache: drop them. */
	write_u64("/sys/kernel/slab/pfn_poison/shrink", 1);
	before = poison_bytes();
	printf("   nothing poisoned: no object is allocated (nothing is until the first poison);\n"
	       "   the cache keeps %ld bytes of empty slabs that the allocator holds on to\n",
	       before);
	/*
	 * 10,000 records: a slab is a page, 64 KiB with 64 KiB pages, and
	 * each CPU may hold a partial one; with 1,000 records those slabs
	 * alone could read 131 bytes per record.
	 */
	stride = info.size / psize / NR_RECORDS;
	for (i = 0; i < NR_RECORDS; i++)
		poison_pfn(info.base / psize + stride * i, 1);
	after = poison_bytes();
	/* All of the cache, empty slabs included: an upper bound. */
	printf("   %d pfns poisoned: %ld bytes of slabs in all, %.1f per poisoned page\n"
	       "   (target: at most 100 bytes per poisoned page; a bitmap costs %lu bytes per GiB)  %s\n",
	       NR_RECORDS, after, (double)after / NR_RECORDS, SZ_1G / psize / 8,
	       (double)after / NR_RECORDS <= 100 ? "MET" : "NOT MET");
	for (i = 0; i < NR_RECORDS; i++)
		write_u64(UNPOISON_PFN, info.base / psize + stride * i);
	return 0;
}
