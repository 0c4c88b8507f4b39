// SPDX-License-Identifier: GPL-2.0
/*
 * vm-gpu-poison: a VM survives a memory error in the GPU memory assigned to
 * it, with Debian's own QEMU as the VMM.
 *
 * Inside the lab's machine (L1), QEMU (from /vm, put there by
 * scripts/initramfs.sh) runs a small VM (L2: the lab's kernel again, and
 * guest/vm-guest-init with guest/vm-guest.c) with KVM, and assigns it the
 * Grace-like GPU with vfio-pci, through the machine's IOMMU and
 * nvgrace-gpu. The VM writes pages 100 and 101 of the GPU's memory (BAR 4,
 * usemem) and waits. The test then plays the firmware: a CPER record for
 * page 100 in the polled GHES, as ghes-poison does. Checked, in order:
 *  1. L1: memory_failure() finds nvgrace-gpu's range and unmaps the page
 *     ("recovery action for non struct page pfn: Recovered"); QEMU, which
 *     asks for early kill, is sent BUS_MCEERR_AO at once (x86 QEMU injects
 *     it as an action-optional machine check; arm64 QEMU only notes it);
 *  2. the VM reads page 100: KVM sends QEMU's vCPU thread BUS_MCEERR_AR at
 *     the page's address in QEMU, which QEMU says, with the guest physical
 *     address it injects the error at (x86: a machine check; arm64: an SEA
 *     with a GHES record);
 *  3. L2's kernel logs the error at that guest physical address, its
 *     process gets SIGBUS, page 101 still reads "world", the VM shuts
 *     down cleanly and QEMU exits with status 0.
 * L1's console is checked for kernel reports by the lab (results.py).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ghes-record.h"
#include "lab-util.h"
#include "lab-vm.h"

#define PAGE_BAD	100
/* What x86 QEMU says when it injects an error (arm64 QEMU says nothing). */
#define SIGBUS_TO_GUEST	"Guest MCE Memory Error at QEMU addr"

FIXTURE(vm) {
	struct vm *vm;
	uint64_t reg;
	uint64_t gpu_mem;
	const char *bdf;
	long psize;
	int kmsg;
};

FIXTURE_SETUP(vm)
{
	char path[128], link[64];
	const char *base = getenv("NVGRACE_GPU_MEM_BASE");
	ssize_t n;

	self->psize = sysconf(_SC_PAGESIZE);
	self->bdf = getenv("VFIO_SELFTESTS_BDF");
	if (!self->bdf || !base)
		SKIP(return, "no GPU (VFIO_SELFTESTS_BDF, NVGRACE_GPU_MEM_BASE)");
	if (access(QEMU, X_OK))
		SKIP(return, "no QEMU in %s (scripts/initramfs.sh)", VM);
	/* The lab gives the GPU an IOMMU (not VFIO's no-IOMMU mode). */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", self->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n) TH_LOG("%s is in no IOMMU group: QEMU's vfio-pci needs one", self->bdf);
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("no %s: %s has no IOMMU (no-IOMMU mode?)",
						path, self->bdf);
	self->gpu_mem = strtoull(base, NULL, 0);
	self->reg = ghes_register();
	ASSERT_NE(0, self->reg) TH_LOG("no polled GHES in the HEST");
	ASSERT_EQ(1, ghes_record_consumed(self->reg)) TH_LOG("a record is pending");
	self->vm = calloc(1, sizeof(*self->vm));
	ASSERT_NE(NULL, self->vm);
	self->vm->pid = -1;
	/* Who gets which SIGBUS: the signal_generate event, SIGBUS only. */
	ASSERT_EQ(0, write_str(TRACE "events/signal/signal_generate/filter", "sig == 7"));
	ASSERT_EQ(0, write_str(TRACE "events/signal/signal_generate/enable", "1"));
	ASSERT_EQ(0, write_str(TRACE "trace", ""));
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg);
	lseek(self->kmsg, 0, SEEK_END);
}

FIXTURE_TEARDOWN(vm)
{
	if (self->vm)
		vm_kill(self->vm);
	free(self->vm);
	write_str(TRACE "events/signal/signal_generate/enable", "0");
	write_str(TRACE "events/signal/signal_generate/filter", "0");
	if (self->kmsg > 0)
		close(self->kmsg);
}

/* The waits below add up to 720 s at the most (L2's boot: 20 to 60 s). */
TEST_F_TIMEOUT(vm, gpu_page_error, 780)
{
	struct vm *vm = self->vm;
	unsigned long long gpa = 0, l2_va = 0, qemu_va = 0, guest_pa = 0, map;
	long l2_psize = 0;
	uint64_t phys = self->gpu_mem + PAGE_BAD * self->psize;
	unsigned long pfn = phys / self->psize;
	char want[160], code[32] = "";
	const char *p;
	int status = -1, lsb = -1;

	vm->echo = 1;
	ASSERT_LT(0, vm_start(vm, self->bdf, PAGE_BAD));
	ASSERT_TRUE(vm_wait(vm, 0, "VMGUEST: ready", 300))
		TH_LOG("the VM did not get its GPU memory ready");
	p = strstr(vm->console, "VMGUEST: ready");
	ASSERT_EQ(3, sscanf(p, "VMGUEST: ready: %*s BAR 4 at %*s (%*d MiB), page %*d at %llx, mapped at %llx, page size %ld",
			    &gpa, &l2_va, &l2_psize));
	/* Page 100 is the same memory for both only with pages of one size. */
	ASSERT_EQ(self->psize, l2_psize)
		TH_LOG("the VM's kernel has pages of %ld bytes, this one of %ld", l2_psize, self->psize);
	map = region4_map(vm->pid);
	ASSERT_NE(0, map) TH_LOG("QEMU has no mapping of the GPU's region 4");
	printf("QEMU maps the GPU's memory at %#llx; the VM's page 100 is at %#llx (pages of %ld KiB)\n",
	       map, gpa, self->psize >> 10);

	/* 1. The firmware reports page 100 of the GPU's memory. */
	ASSERT_EQ(0, ghes_report_memory_error(self->reg, phys));
	snprintf(want, sizeof(want), "%#lx: recovery action for non struct page pfn: Recovered", pfn);
	ASSERT_TRUE(WAIT_FOR(strstr(kernel_log(self->kmsg), want)))
		TH_LOG("no \"%s\" in L1's log", want);
	snprintf(want, sizeof(want), "memory failure in usemem at offset %#lx",
		 (unsigned long)(PAGE_BAD * self->psize));
	EXPECT_NE(NULL, strstr(kernel_log(self->kmsg), want)) TH_LOG("no \"%s\" in L1's log", want);
	/* QEMU asked for early kill: BUS_MCEERR_AO (5) to its main thread. */
	EXPECT_TRUE(WAIT_FOR(strstr(signals_sent(), "code=5 comm=qemu-system-")))
		TH_LOG("QEMU (early kill) was not sent BUS_MCEERR_AO: %s", signals_sent());
#if defined(__x86_64__)
	/* x86 QEMU injects it at once, as an action-optional machine check. */
	EXPECT_TRUE(vm_wait(vm, 1, "of type BUS_MCEERR_AO injected", 60));
	/*
	 * Which the VM's kernel can only take if its CPU reports software
	 * error recovery (MCG_CAP.SER_P). The lab's KVM is AMD's (TCG
	 * emulates SVM, not VMX), where Debian's QEMU 7.2 gives the VM no
	 * SER_P but still injects the error as an Intel CPU reports a
	 * patrol scrub error: the VM's kernel finds an uncorrected error
	 * in kernel mode and panics. QEMU's doing, on an AMD host only;
	 * said, and the rest is not tested here.
	 */
	vm_wait(vm, 0, "Kernel panic", 10);
	p = line_with(vm->console, "mce: [Hardware Error]: Machine check: Uncorrected");
	if (p && line_with(vm->console, "Kernel panic - not syncing: Fatal") &&
	    line_with(vm->qemu, "of type BUS_MCEERR_AO injected") &&
	    _metadata->exit_code == KSFT_PASS) {
		const char *q = line_with(vm->qemu, "of type BUS_MCEERR_AO injected");

		while (q > vm->qemu && q[-1] != '\n')	/* QEMU's whole line */
			q--;
		SKIP(return, "QEMU (\"%.*s\") panicked the VM (\"%.*s\"): QEMU 7.2 on "
		     "the lab's AMD KVM gives it no MCG_CAP.SER_P", (int)strcspn(q, "\r\n"), q,
		     (int)strcspn(p, "\r\n"), p);
	}
#else
	vm_read(vm, 2000);	/* arm64 QEMU notes the page, injects nothing */
#endif

	/* 2. The VM reads the page. */
	ASSERT_EQ(3, write(vm->in, "go\n", 3));
	EXPECT_TRUE(vm_wait(vm, 0, "VMGUEST: done", 240));
	EXPECT_TRUE(vm_wait(vm, 0, "VMGUEST: exit status 0", 30));
	status = vm_stop(vm, 30);
	EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("QEMU ended with status %#x (-1: killed, it did not end)", status);
	EXPECT_EQ(0, vm->overflow) TH_LOG("QEMU said more than the test keeps");

	/* KVM sent QEMU's vCPU thread BUS_MCEERR_AR (4) ... */
	EXPECT_NE(NULL, strstr(signals_sent(), "code=4 comm=CPU 0/KVM"))
		TH_LOG("no BUS_MCEERR_AR to QEMU's vCPU thread: %s", signals_sent());
#if defined(__x86_64__)
	/* ... at the page's address in QEMU, which QEMU turned into the VM's. */
	/* QEMU's line for the action-required error, not the earlier one. */
	p = strstr(vm->qemu, SIGBUS_TO_GUEST);
	while (p && !memmem(p, strcspn(p, "\n"), "of type BUS_MCEERR_AR", 21))
		p = strstr(p + 1, SIGBUS_TO_GUEST);
	ASSERT_NE(NULL, p) TH_LOG("QEMU injected no BUS_MCEERR_AR");
	ASSERT_EQ(2, sscanf(p, SIGBUS_TO_GUEST " %llx and GUEST addr %llx", &qemu_va, &guest_pa));
	EXPECT_EQ(map + PAGE_BAD * self->psize, qemu_va);
	EXPECT_EQ(gpa, guest_pa);
#else
	(void)qemu_va;
	(void)guest_pa;
#endif

	/*
	 * 3. L2's kernel logged the error at the page's guest physical
	 * address: x86, the machine check's; arm64, the GHES record's, which
	 * QEMU wrote for the address in QEMU that KVM's SIGBUS gave it.
	 */
#if defined(__x86_64__)
	snprintf(want, sizeof(want), "Uncorrected hardware memory error in user-access at %llx", gpa);
#else
	snprintf(want, sizeof(want), "physical_address: 0x%016llx", gpa);
#endif
	EXPECT_NE(NULL, strstr(vm->console, want))
		TH_LOG("L2's kernel did not log the error at %#llx", gpa);
	p = strstr(vm->console, "VMGUEST: page 100: SIGBUS");
	ASSERT_NE(NULL, p) TH_LOG("L2's process was not stopped at page 100");
	ASSERT_EQ(1, sscanf(p, "VMGUEST: page 100: SIGBUS %31s", code));
	if (!strcmp(code, "BUS_MCEERR_AR")) {
		unsigned long long at = 0;

		sscanf(strstr(p, " at "), " at %llx, si_addr_lsb %d", &at, &lsb);
		EXPECT_EQ(l2_va, at);
	}
	printf("L2's process got SIGBUS %s at page 100 (si_addr_lsb %d)\n", code, lsb);
	EXPECT_NE(NULL, strstr(vm->console, "VMGUEST: page 101 reads \"world\""));
}

TEST_HARNESS_MAIN
