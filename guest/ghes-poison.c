// SPDX-License-Identifier: GPL-2.0
/*
 * ghes-poison: memory errors reported by firmware, through the kernel's
 * real GHES code, for memory without struct page.
 *
 * The lab's guest has a HEST with a polled GHES (guest/hest.dsl); this test
 * plays the firmware and writes CPER records with a platform memory error
 * section (guest/ghes-record.h). GHES polls them, logs them and hands them
 * to memory_failure():
 *  - a pfn of the test module's range (registered, no struct page): the
 *    module is notified, the ras trace event says "non struct page pfn",
 *    a process that asked for early kill gets BUS_MCEERR_AO at once, one
 *    with late kill nothing, and both get BUS_MCEERR_AR when they touch it;
 *  - an ordinary RAM page, for comparison: the same signals;
 *  - an address no one owns: "Invalid address in generic error data", and
 *    nothing else happens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_pfn_poison_uapi.h"
#include "ghes-record.h"
#include "lab-util.h"
#include "lab-sigbus.h"

#define DEVICE		"/dev/test_pfn_poison"
#define UNPOISON	"/sys/kernel/debug/hwpoison/unpoison-pfn"
#define TRACE		"/sys/kernel/tracing/"
#define UNOWNED		0x1000000000ULL	/* 64 GiB: no RAM, no range */

FIXTURE(ghes) {
	uint64_t reg;
	long psize;
	int kmsg;
	int dev;
	struct pfn_poison_info info;
	char *map;		/* 2 MiB of the module's range */
	uint64_t poisoned;	/* physical address to unpoison */
};

FIXTURE_SETUP(ghes)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	self->psize = sysconf(_SC_PAGESIZE);
	self->reg = ghes_register();
	if (!self->reg)
		SKIP(return, "no GHES in the HEST (lab: guest/hest.dsl)");
	ASSERT_EQ(1, ghes_record_consumed(self->reg)) TH_LOG("a record is pending");
	self->dev = open(DEVICE, O_RDWR);
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", DEVICE, strerror(errno));
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_INFO, &self->info));
	self->map = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->dev, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_RESET_STATS));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg);
	lseek(self->kmsg, 0, SEEK_END);
	nr_sigbus = 0;
}

FIXTURE_TEARDOWN(ghes)
{
	char buf[32];

	if (self->poisoned) {
		snprintf(buf, sizeof(buf), "%#llx",
			 (unsigned long long)self->poisoned / self->psize);
		write_str(UNPOISON, buf);
	}
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, 2 << 20);
	if (self->dev > 0)
		close(self->dev);
	if (self->kmsg > 0)
		close(self->kmsg);
	prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0);
}

/* Report page @i of the module's range; wait for GHES to consume it. */
static void report_module_page(struct __test_metadata *_metadata,
			       FIXTURE_DATA(ghes) *self, int i)
{
	uint64_t phys = self->info.base + i * self->psize;

	self->map[i * self->psize] = 'x';	/* mapped now */
	self->poisoned = phys;
	ASSERT_EQ(0, ghes_report_memory_error(self->reg, phys));
	ASSERT_TRUE(WAIT_FOR(ghes_record_consumed(self->reg) == 1));
}

TEST_F(ghes, registered_pfn_early_kill)
{
	struct pfn_poison_stats st;
	char *page = self->map + 5 * self->psize, want[128];
	static char trace[65536];
	uint64_t pfn = self->info.base / self->psize + 5;
	const char *log;
	int tfd;

	ASSERT_EQ(0, write_str(TRACE "events/ras/memory_failure_event/enable", "1"));
	ASSERT_EQ(0, write_str(TRACE "trace", ""));
	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
	report_module_page(_metadata, self, 5);

	/* Early kill: BUS_MCEERR_AO as soon as memory_failure() ran. */
	ASSERT_TRUE(WAIT_FOR(nr_sigbus));
	EXPECT_EQ(BUS_MCEERR_AO, got.si_code);
	EXPECT_EQ(page, (char *)got.si_addr);
	EXPECT_EQ(__builtin_ctzl(self->psize), got.si_addr_lsb);

	/* The driver was told, with the pfn. */
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_STATS, &st));
	EXPECT_EQ(1, st.notified);
	EXPECT_EQ(pfn, st.last_pfn);

	/*
	 * GHES logged the record and memory_failure() handled the pfn; it
	 * logs the outcome after it has sent the signal.
	 */
	snprintf(want, sizeof(want), "%#lx: recovery action for non struct page pfn: Recovered",
		 (unsigned long)pfn);
	EXPECT_TRUE(WAIT_FOR(strstr(kernel_log(self->kmsg), want)))
		TH_LOG("no \"%s\" in the log", want);
	log = kernel_log(self->kmsg);
	EXPECT_NE(NULL, strstr(log, "Hardware error from APEI Generic Hardware Error Source"));
	EXPECT_EQ(NULL, strstr(log, "Invalid address in generic error data"));

	/* The ras trace event, with the new page type. */
	tfd = open(TRACE "trace", O_RDONLY);
	ASSERT_LE(0, tfd);
	trace[0] = '\0';
	log = read_more(tfd, trace, sizeof(trace));
	close(tfd);
	write_str(TRACE "events/ras/memory_failure_event/enable", "0");
	snprintf(want, sizeof(want), "pfn %#lx: recovery action for non struct page pfn",
		 (unsigned long)pfn);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("trace: %.300s", log);

	/* And the next access: BUS_MCEERR_AR at the page. */
	EXPECT_EQ(BUS_MCEERR_AR, touch(page));
	EXPECT_EQ(page, (char *)got.si_addr);
	EXPECT_EQ(0, touch(page + self->psize));
}

TEST_F(ghes, registered_pfn_late_kill)
{
	struct pfn_poison_stats st;
	char *page = self->map + 7 * self->psize;

	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0));
	report_module_page(_metadata, self, 7);
	ASSERT_TRUE(WAIT_FOR(ioctl(self->dev, PFN_POISON_IOC_STATS, &st) == 0 &&
			     st.notified == 1));
	/* Late kill: no signal, even some time after memory_failure(). */
	usleep(200 * 1000);
	EXPECT_EQ(0, nr_sigbus);
	EXPECT_EQ(BUS_MCEERR_AR, touch(page));
	EXPECT_EQ(page, (char *)got.si_addr);
	EXPECT_EQ(1, nr_sigbus);
}

/* The same record for an ordinary RAM page: what the kernel always did. */
TEST_F(ghes, ram_page_for_comparison)
{
	char *page = mmap(NULL, self->psize, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t phys;

	ASSERT_NE(MAP_FAILED, page);
	page[0] = 'x';
	phys = phys_of(page);
	ASSERT_NE(0, phys);
	self->poisoned = phys;
	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
	ASSERT_EQ(0, ghes_report_memory_error(self->reg, phys));
	ASSERT_TRUE(WAIT_FOR(nr_sigbus));
	EXPECT_EQ(BUS_MCEERR_AO, got.si_code);
	EXPECT_EQ(page, (char *)got.si_addr);
	EXPECT_EQ(BUS_MCEERR_AR, touch(page));
	EXPECT_TRUE(WAIT_FOR(strstr(kernel_log(self->kmsg),
				    "recovery action for dirty LRU page")));
}

/* An address no one owns: warned about and dropped, nothing else. */
TEST_F(ghes, unowned_address_dropped)
{
	struct pfn_poison_stats st;
	char want[96];
	const char *log;

	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
	self->map[0] = 'x';
	ASSERT_EQ(0, ghes_report_memory_error(self->reg, UNOWNED));
	ASSERT_TRUE(WAIT_FOR(ghes_record_consumed(self->reg) == 1));
	usleep(200 * 1000);
	log = kernel_log(self->kmsg);
	snprintf(want, sizeof(want), "Invalid address in generic error data: %#llx",
		 (unsigned long long)UNOWNED);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("no \"%s\" in the log", want);
	EXPECT_EQ(NULL, strstr(log, "Memory failure:"));
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_STATS, &st));
	EXPECT_EQ(0, st.notified);
	EXPECT_EQ(0, nr_sigbus);
	EXPECT_EQ(0, touch(self->map));
}

TEST_HARNESS_MAIN
