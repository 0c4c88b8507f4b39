// SPDX-License-Identifier: GPL-2.0
/*
 * vm-gpu-bench: a memory error in the GPU's memory that a VM was given,
 * against one in the VM's own RAM, as the VM's process sees it: the time
 * from its load of the bad page to the SIGBUS its kernel sends it. Run by
 * 'make bench', last, on the arm64 machine (on x86 it says why not).
 *
 * Inside the lab's machine (L1), Debian's QEMU runs a VM (L2) with the
 * GPU assigned with vfio-pci, as lab:vm-gpu-poison does, and
 * guest/vm-guest in its bench mode. Each round, L2 says the guest physical
 * addresses of a page of the GPU's memory and of a page of its RAM; L1
 * reports both through its GHES, as firmware would (the RAM page at the
 * address that QEMU's monitor gives for it: gpa2hpa), waits until
 * memory_failure() has handled both, and tells L2 to read them. The load
 * exits to KVM, which finds the page refused (the GPU's: by
 * vmf_insert_pfn(); the RAM's: a hwpoison entry), sends QEMU's vCPU thread
 * BUS_MCEERR_AR, QEMU injects an SEA with a GHES record of its own, and
 * L2's kernel sends its process SIGBUS. L2 times it on its own clock,
 * which under the bench's instruction count counts the instructions of
 * both levels. The figures: medians of ROUNDS rounds, and their ratio.
 *
 * Not on x86: the lab's KVM there is AMD's, where Debian's QEMU 7.2 gives
 * the VM no MCG_CAP.SER_P, and the VM panics on the first machine check
 * QEMU injects (lab:vm-gpu-poison says so, and skips).
 */
#define _GNU_SOURCE
#include "ghes-record.h"
#include "lab-util.h"
#include "lab-vm.h"

#define ROUNDS		21
#define FIRST_PAGE	400	/* of usemem: pages no earlier bench poisoned */
#define MONITOR		"/tmp/vm-gpu-bench.monitor"

static struct vm vm;

/* The last @n lines of @buf. */
static const char *tail(const char *buf, int n)
{
	const char *p = buf + strlen(buf);

	while (p > buf && n >= 0)
		if (*--p == '\n')
			n--;
	return p;
}

static int fail(const char *what)
{
	printf("  vm-gpu-bench: %s\n", what);
	printf("  QEMU said: %s\n  the VM's console, last lines: %s\n",
	       tail(vm.qemu, 10), tail(vm.console, 10));
	vm_kill(&vm);
	return 1;
}

/* Report @phys through the GHES; 1 once memory_failure() has handled it. */
static int report(uint64_t reg, int kmsg, uint64_t phys, long psize)
{
	char want[64];

	snprintf(want, sizeof(want), "%#lx: recovery action for ", (unsigned long)(phys / psize));
	return !ghes_report_memory_error(reg, phys) &&
	       WAIT_FOR(strstr(kernel_log(kmsg), want));
}

int main(void)
{
	const char *bdf = getenv("VFIO_SELFTESTS_BDF");
	const char *base = getenv("NVGRACE_GPU_MEM_BASE");
	long psize = sysconf(_SC_PAGESIZE);
	unsigned long long gpu_gpa, ram_gpa, ram_phys, gpu_mem;
	double gpu[ROUNDS], ram[ROUNDS], mg, mr;	/* ns */
	char want[64], cmd[64], out[1024], gcode[32], rcode[32];
	const char *p;
	uint64_t reg;
	int i, kmsg;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("\n== A memory error in a VM's GPU memory against one in its RAM, from the VM's\n"
	       "   load to the SIGBUS in its process (Debian's QEMU, KVM, nvgrace-gpu) ==\n");
#if !defined(__aarch64__)
	printf("  not run on x86: the lab's KVM is AMD's, where QEMU 7.2 gives the VM no\n"
	       "  MCG_CAP.SER_P and the VM panics on the machine check (see lab:vm-gpu-poison)\n");
	return 0;
#endif
	if (!bdf || !base || access(QEMU, X_OK))
		return fail("needs the GPU (lab.gpu=, lab.gpu_mem_base=) and QEMU in " VM);
	gpu_mem = strtoull(base, NULL, 0);
	reg = ghes_register();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (!reg || kmsg < 0)
		return fail("needs the lab's polled GHES and /dev/kmsg");
	lseek(kmsg, 0, SEEK_END);
	vm.monitor = MONITOR;
	vm.bench = ROUNDS;
	if (vm_start(&vm, bdf, FIRST_PAGE) <= 0)
		return fail("cannot start QEMU");
	for (i = 0; i < ROUNDS; i++) {
		snprintf(want, sizeof(want), "VMGUEST: round %d: gpu ", i);
		if (!vm_wait(&vm, 0, want, i ? 120 : 300))
			return fail("the VM did not say which pages");
		if (sscanf(line_with(vm.console, want) + strlen(want), "%llx, ram %llx",
			   &gpu_gpa, &ram_gpa) != 2 || !ram_gpa)
			return fail("the VM's line has no addresses");
		snprintf(cmd, sizeof(cmd), "gpa2hpa %#llx", ram_gpa);
		if (vm_monitor(&vm, cmd, out, sizeof(out)) || !(p = strstr(out, " is 0x")))
			return fail("QEMU's monitor gave no address for the VM's RAM page");
		ram_phys = strtoull(p + 4, NULL, 16);
		if (!report(reg, kmsg, gpu_mem + (FIRST_PAGE + i) * psize, psize) ||
		    !report(reg, kmsg, ram_phys, psize))
			return fail("memory_failure() did not handle a record");
		if (write(vm.in, "go\n", 3) != 3)
			return fail("the VM's console is closed");
		snprintf(want, sizeof(want), "VMGUEST: round %d took: gpu ", i);
		if (!vm_wait(&vm, 0, want, 120) ||
		    sscanf(line_with(vm.console, want) + strlen(want), "%lf ns %31s ram %lf ns %31s",
			   &gpu[i], gcode, &ram[i], rcode) != 4)
			return fail("the VM did not say what its loads took");
		if (gpu[i] < 0 || ram[i] < 0)
			return fail("a load of a poisoned page read");
		printf("  round %d: GPU page %#llx: %lld us, %.*s; RAM page %#llx (host %#llx): %lld us, %s\n",
		       i, gpu_gpa, (long long)gpu[i] / 1000, (int)strcspn(gcode, ","), gcode,
		       ram_gpa, ram_phys, (long long)ram[i] / 1000, rcode);
	}
	if (!vm_wait(&vm, 0, "VMGUEST: exit status 0", 60))
		return fail("the VM's program did not end well");
	vm_stop(&vm, 30);
	mg = median(gpu, ROUNDS);
	mr = median(ram, ROUNDS);
	printf("  GPU memory: median %lld us; RAM: median %lld us; ratio %.2f (target: at most 2)  %s\n",
	       (long long)mg / 1000, (long long)mr / 1000, mg / mr, mg <= 2 * mr ? "MET" : "NOT MET");
	return 0;
}
