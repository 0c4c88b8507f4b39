// SPDX-License-Identifier: GPL-2.0
/*
 * hwpoison-smoke: the lab's own check that the base kernel's poison path works.
 *
 * An anonymous page is poisoned, by MADV_HWPOISON and by writing its physical
 * address to /sys/devices/system/memory/hard_offline_page; touching it must
 * raise SIGBUS with si_code BUS_MCEERR_AR, si_addr the page, and si_addr_lsb
 * PAGE_SHIFT. With the early-kill policy the hard offline itself must raise
 * BUS_MCEERR_AO at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lab-util.h"

#define HARD_OFFLINE "/sys/devices/system/memory/hard_offline_page"

static sigjmp_buf jump;
static volatile siginfo_t last;
static volatile int nr_sigbus;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	last = *si;
	nr_sigbus++;
	siglongjmp(jump, 1);
}

static unsigned long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static int page_shift(void)
{
	return __builtin_ctzl(page_size());
}

static int hard_offline(uint64_t phys)
{
	char buf[32];
	int fd, len, ret = 0;

	fd = open(HARD_OFFLINE, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)phys);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

FIXTURE(anon)
{
	char *page;
	char *neighbour;
};

FIXTURE_SETUP(anon)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO,
	};
	char *map;

	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	map = mmap(NULL, 2 * page_size(), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 0xa5, 2 * page_size());
	self->page = map;
	self->neighbour = map + page_size();
	nr_sigbus = 0;
}

FIXTURE_TEARDOWN(anon)
{
	munmap(self->page, 2 * page_size());
}

/* Touch @p; return 1 if it raised SIGBUS, 0 if the read went through. */
static int touch(volatile char *p)
{
	if (sigsetjmp(jump, 1))
		return 1;
	(void)*p;
	return 0;
}

static void expect_ar_at(struct __test_metadata *_metadata, void *addr)
{
	EXPECT_EQ(SIGBUS, last.si_signo);
	EXPECT_EQ(BUS_MCEERR_AR, last.si_code);
	EXPECT_EQ(addr, last.si_addr);
	EXPECT_EQ(page_shift(), last.si_addr_lsb);
}

TEST_F(anon, madv_hwpoison)
{
	int ret = 0;

	/* madvise() may itself raise AR for the calling process: catch it. */
	if (!sigsetjmp(jump, 1)) {
		ret = madvise(self->page, page_size(), MADV_HWPOISON);
		if (ret && errno == EPERM)
			SKIP(return, "MADV_HWPOISON needs CAP_SYS_ADMIN");
	}
	ASSERT_EQ(0, ret);
	if (nr_sigbus) {
		ASSERT_EQ(1, nr_sigbus);
		expect_ar_at(_metadata, self->page);
	}

	ASSERT_EQ(1, touch(self->page));
	expect_ar_at(_metadata, self->page);

	/* The neighbour keeps its data and raises nothing. */
	nr_sigbus = 0;
	ASSERT_EQ(0, touch(self->neighbour));
	EXPECT_EQ((char)0xa5, self->neighbour[page_size() - 1]);
}

TEST_F(anon, hard_offline_late_kill)
{
	uint64_t phys = phys_of(self->page);
	int ret;

	ASSERT_NE(0, phys);
	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0));
	ret = hard_offline(phys);
	if (ret == -ENOENT)
		SKIP(return, HARD_OFFLINE " missing (CONFIG_MEMORY_HOTPLUG?)");
	ASSERT_EQ(0, ret);
	/* Late kill: nothing until the page is touched. */
	ASSERT_EQ(0, nr_sigbus);

	ASSERT_EQ(1, touch(self->page));
	expect_ar_at(_metadata, self->page);

	nr_sigbus = 0;
	ASSERT_EQ(0, touch(self->neighbour));
	EXPECT_EQ((char)0xa5, self->neighbour[0]);
}

TEST_F(anon, hard_offline_early_kill)
{
	uint64_t phys = phys_of(self->page);
	int ret = 0;

	ASSERT_NE(0, phys);
	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
	if (!sigsetjmp(jump, 1))
		ret = hard_offline(phys);
	if (ret == -ENOENT)
		SKIP(return, HARD_OFFLINE " missing (CONFIG_MEMORY_HOTPLUG?)");
	ASSERT_EQ(0, ret);
	/* Early kill: told at once, with "action optional". */
	ASSERT_EQ(1, nr_sigbus);
	EXPECT_EQ(BUS_MCEERR_AO, last.si_code);
	EXPECT_EQ(self->page, last.si_addr);
	EXPECT_EQ(page_shift(), last.si_addr_lsb);

	ASSERT_EQ(1, touch(self->page));
	expect_ar_at(_metadata, self->page);
}

TEST_HARNESS_MAIN
