// SPDX-License-Identifier: GPL-2.0
/*
 * ghes-sea: a memory error that a task consumed, reported synchronously,
 * as arm64 servers (NVIDIA Grace among them) report it.
 *
 * On arm64 a load of poisoned memory raises a synchronous external abort
 * (SEA). do_sea() asks APEI whether firmware claims it: apei_claim_sea() ->
 * ghes_notify_sea() reads the status blocks of the GHES whose notification
 * is SEA (the lab's: guest/hest-arm64.dsl), and finds the CPER record that
 * firmware wrote there. The record is queued and processed by irq_work
 * before the abort returns; as the notification is synchronous,
 * ghes_do_memory_failure() queues memory_failure(pfn, MF_ACTION_REQUIRED)
 * and GHES adds task work to the task that took the abort, which runs it
 * before the task returns to user space: the task gets SIGBUS
 * BUS_MCEERR_AR at its mapping of the page, whatever its early-kill policy.
 *
 * What is real and what is played, in QEMU under TCG, which cannot poison
 * memory:
 *  - The abort is real: the task loads from a physical address nothing
 *    decodes (LAB_SEA_TRIGGER, lab.sea_trigger= on the kernel command line,
 *    mapped through /dev/mem); QEMU raises a synchronous external abort for
 *    the decode error, as a CPU does for poison. It is not the poisoned
 *    page's address: QEMU has no way to fail loads from memory that exists.
 *  - The record is played: the test writes it before the load, as firmware
 *    writes it when the abort happens. It names a page of the test module's
 *    range (registered, no struct page) that the task maps.
 *  - Everything from the exception vector on is the kernel's own code.
 * The test sets late kill: only memory_failure() with MF_ACTION_REQUIRED
 * run for this task signals it at once at the page it did not touch.
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
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_pfn_poison_uapi.h"
#include "ghes-record.h"
#include "lab-util.h"
#include "lab-sigbus.h"

#define DEVICE		"/dev/test_pfn_poison"
#define POISON_PAGE	9
/*
 * Where in the module's range: away from the first 2 MiB, where
 * ghes-poison leaves pages that firmware reported (unpoison refuses them).
 */
#define MAP_OFFSET	(32UL << 20)
/*
 * The mapping there: 2 MiB, or with big pages at least 64 of them, so that
 * it holds page POISON_PAGE + 20 and the 8 pages around it (64 KiB pages:
 * 4 MiB).
 */
#define MAP_LEN(psize)	((psize) * 64 > (2UL << 20) ? (psize) * 64 : (2UL << 20))

FIXTURE(sea) {
	uint64_t reg;
	long psize;
	int kmsg;
	int dev;
	struct pfn_poison_info info;
	char *map;		/* MAP_LEN of the module's range, at MAP_OFFSET */
	volatile char *trigger;	/* a page nothing decodes */
};

FIXTURE_SETUP(sea)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	const char *env = getenv("LAB_SEA_TRIGGER");
	uint64_t trigger;
	int fd;

	self->psize = sysconf(_SC_PAGESIZE);
	self->reg = ghes_register_notified(GHES_NOTIFY_SEA);
	if (!self->reg)
		SKIP(return, "no GHES notified by SEA in the HEST (lab: arm64, guest/hest-arm64.dsl)");
	if (!env)
		SKIP(return, "LAB_SEA_TRIGGER (an address nothing decodes) is not set");
	trigger = strtoull(env, NULL, 0);
	ASSERT_EQ(1, ghes_record_consumed(self->reg)) TH_LOG("a record is pending");

	fd = open("/dev/mem", O_RDONLY | O_SYNC);
	ASSERT_LE(0, fd);
	self->trigger = mmap(NULL, self->psize, PROT_READ, MAP_SHARED, fd, trigger);
	close(fd);
	ASSERT_NE(MAP_FAILED, self->trigger) TH_LOG("/dev/mem at %#llx: %s",
		(unsigned long long)trigger, strerror(errno));

	self->dev = open(DEVICE, O_RDWR);
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", DEVICE, strerror(errno));
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_INFO, &self->info));
	ASSERT_LE(MAP_OFFSET + MAP_LEN(self->psize), self->info.size);
	self->map = mmap(NULL, MAP_LEN(self->psize), PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->dev, MAP_OFFSET);
	ASSERT_NE(MAP_FAILED, self->map);
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_RESET_STATS));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0));
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg);
	lseek(self->kmsg, 0, SEEK_END);
	nr_sigbus = 0;
}

FIXTURE_TEARDOWN(sea)
{
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, MAP_LEN(self->psize));
	if (self->trigger && self->trigger != MAP_FAILED)
		munmap((void *)self->trigger, self->psize);
	if (self->dev > 0)
		close(self->dev);
	if (self->kmsg > 0)
		close(self->kmsg);
	prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0);
}

/*
 * The abort alone, with no record: no GHES claims it, and arm64 sends the
 * task SIGBUS BUS_OBJERR at the address it loaded from. This shows that the
 * trigger raises a real SEA; nothing reaches memory_failure().
 */
TEST_F(sea, abort_without_record)
{
	struct pfn_poison_stats st;
	const char *log;

	EXPECT_EQ(BUS_OBJERR, touch(self->trigger));
	EXPECT_EQ((void *)self->trigger, got.si_addr);
	usleep(100 * 1000);
	log = kernel_log(self->kmsg);
	EXPECT_EQ(NULL, strstr(log, "Memory failure:")) TH_LOG("log: %.400s", log);
	EXPECT_EQ(NULL, strstr(log, "Hardware error from APEI"));
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_STATS, &st));
	EXPECT_EQ(0, st.notified);
}

/*
 * The record first, then the abort: memory_failure() runs in this task,
 * with MF_ACTION_REQUIRED, before the load is retried.
 */
static void record_then_abort(struct __test_metadata *_metadata,
			      FIXTURE_DATA(sea) *self, unsigned long nr)
{
	char *page = self->map + nr * self->psize, want[128];
	uint64_t phys = self->info.base + MAP_OFFSET + nr * self->psize;
	unsigned long pfn = phys / self->psize;
	struct pfn_poison_stats st;
	const char *log;
	int i;

	for (i = 0; i < 16; i++)	/* mapped now, the neighbours too */
		self->map[(nr - 8 + i) * self->psize] = (char)i;

	ASSERT_EQ(0, ghes_report_memory_error(self->reg, phys));
	/* An SEA-notified GHES is not polled: the record waits for the abort. */
	usleep(200 * 1000);
	ASSERT_EQ(0, ghes_record_consumed(self->reg));
	EXPECT_EQ(0, nr_sigbus);

	/* The abort: the signal is for the poisoned page, not the trigger. */
	EXPECT_EQ(BUS_MCEERR_AR, touch(self->trigger));
	EXPECT_EQ(page, (char *)got.si_addr);
	EXPECT_EQ(__builtin_ctzl(self->psize), got.si_addr_lsb);
	EXPECT_EQ(1, nr_sigbus);
	EXPECT_EQ(1, ghes_record_consumed(self->reg));

	/* The driver was told; the page is unmapped and refused. */
	ASSERT_EQ(0, ioctl(self->dev, PFN_POISON_IOC_STATS, &st));
	EXPECT_EQ(1, st.notified);
	EXPECT_EQ(pfn, st.last_pfn);
	EXPECT_EQ(BUS_MCEERR_AR, touch(page));
	EXPECT_EQ(page, (char *)got.si_addr);
	for (i = 0; i < 16; i++) {
		if (i != 8)
			EXPECT_EQ((char)i, self->map[(nr - 8 + i) * self->psize]);
	}

	snprintf(want, sizeof(want), "%#lx: recovery action for non struct page pfn: Recovered", pfn);
	EXPECT_TRUE(WAIT_FOR(strstr(kernel_log(self->kmsg), want)))
		TH_LOG("no \"%s\" in the log", want);
	/*
	 * The record came through the SEA source: its status block is clear
	 * (above). GHES prints at most two records in 5 s, so the record
	 * may not be in the log; if one is, it must be this source's.
	 */
	log = kernel_log(self->kmsg);
	snprintf(want, sizeof(want), "Sending SIGBUS to ghes-sea:%d", getpid());
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("log: %.600s", log);
	if (strstr(log, "Hardware error from APEI Generic Hardware Error Source:"))
		EXPECT_NE(NULL, strstr(log, "Hardware error from APEI Generic Hardware Error Source: 1"));
	EXPECT_EQ(NULL, strstr(log, "APEI work queued but not completed"));
}

/* A late-kill task, which only MF_ACTION_REQUIRED in its context signals. */
TEST_F(sea, record_then_abort_action_required)
{
	record_then_abort(_metadata, self, POISON_PAGE);
}

/*
 * An early-kill task, as QEMU is: memory_failure() run from a kworker
 * would signal it too, but with BUS_MCEERR_AO, as a task that merely maps
 * the page, and the task would then retry its access. It must get
 * BUS_MCEERR_AR, at the page, from memory_failure() in its own context.
 */
TEST_F(sea, early_kill_gets_action_required)
{
	ASSERT_EQ(0, prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
	record_then_abort(_metadata, self, POISON_PAGE + 20);
}

TEST_HARNESS_MAIN
