// SPDX-License-Identifier: GPL-2.0
/*
 * gpu-poison-demo: the whole chain, on the lab's Grace-like machine. A VMM
 * maps the GPU's memory through VFIO and nvgrace-gpu, as QEMU does, and
 * gives part of it to a tiny KVM guest. The firmware reports a memory error
 * in one of its pages (a CPER record for the lab's polled GHES). Run in
 * the guest by 'make demo', after poison-demo.
 */
#define _GNU_SOURCE
#include <linux/kvm.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "vfio/vfio_util.h"
#include "ghes-record.h"
#include "lab-util.h"

#define SZ_1G		(1UL << 30)
#define BAD		100		/* the page of usemem that goes bad */
#define SLOT_GPA	0x10000		/* the guest sees usemem 96..111 here */
#define SLOT_FIRST	96
#define SLOT_PAGES	16
#ifdef __aarch64__
#define ARM64_CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
				 KVM_REG_ARM_CORE_REG(x))
#endif

static sigjmp_buf jump;
static volatile int armed;
static volatile siginfo_t got;
static long psize;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	got = *si;
	if (armed)
		siglongjmp(jump, 1);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Print the kernel's new log lines that tell this story. */
static void kernel_says(int kmsg)
{
	static const char *const keys[] = {
		"Hardware error from", "physical_address:", "Memory failure",
		"nvgrace", "MCE: Killing",
	};
	char rec[1024], *msg;
	unsigned int i;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		msg = strchr(rec, ';');
		/* The text ends at the first newline; dictionary lines follow. */
		if (msg && strchr(msg, '\n'))
			*strchr(msg, '\n') = '\0';
		for (i = 0; msg && i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strstr(msg, keys[i])) {
				printf("     kernel: %s\n", msg + 1);
				break;
			}
	}
}

/*
 * A VM with 64 KiB of RAM at 0 for its code, and SLOT_PAGES of the GPU's
 * memory at SLOT_GPA (both a whole number of pages, 4 or 64 KiB, as KVM
 * wants its memslots). Its code reads the byte at SLOT_GPA + (page of
 * usemem - SLOT_FIRST) * the page size and hands it to the VMM:
 *  - x86, in real mode: the offset in BX; the byte goes out to port 0x10;
 *  - arm64, at EL1 with the MMU off: the address in x1; the byte is stored
 *    at MMIO_EXIT, which no memslot backs: an MMIO exit; then it loops, so
 *    that the next run (KVM steps over the store) reads x1 again.
 */
struct vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
};

#ifdef __aarch64__
/* Past both memslots, whatever the page size (16 pages of 64 KiB end at 0x110000). */
#define MMIO_EXIT	0x10000000
static const uint32_t guest_code[] = {
	0x39400020,	/* 0: ldrb w0, [x1] */
	0x39000040,	/* 4: strb w0, [x2] */
	0x17fffffe,	/* 8: b 0 */
};
#else
static const unsigned char guest_code[] = {
	0xb8, SLOT_GPA >> 4 & 0xff, SLOT_GPA >> 12,	/* mov ax, SLOT_GPA >> 4 */
	0x8e, 0xd8,					/* mov ds, ax */
	0x8a, 0x07,					/* mov al, [bx] */
	0xe6, 0x10,					/* out 0x10, al */
	0xf4,						/* hlt */
};
#endif

static int vm_create(struct vm *v, char *gpu_mem)
{
	struct kvm_userspace_memory_region slot = { 0 };
	char *ram;
	int size;

	v->kvm = open("/dev/kvm", O_RDWR);
	if (v->kvm < 0)
		return -1;
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->vm < 0 || ram == MAP_FAILED)
		return -1;
	memcpy(ram, guest_code, sizeof(guest_code));
	slot.memory_size = 0x10000;
	slot.userspace_addr = (uintptr_t)ram;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		return -1;
	slot.slot = 1;
	slot.guest_phys_addr = SLOT_GPA;
	slot.memory_size = SLOT_PAGES * psize;
	slot.userspace_addr = (uintptr_t)gpu_mem + SLOT_FIRST * psize;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		return -1;
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v->vcpu < 0 || size < 0)
		return -1;
#ifdef __aarch64__
	{
		struct kvm_vcpu_init init;
		uint64_t x2 = MMIO_EXIT;
		struct kvm_one_reg r = { .id = ARM64_CORE_REG(regs.regs[2]),
					 .addr = (uintptr_t)&x2 };

		/* Reset: PC 0, EL1 with the MMU off and interrupts masked. */
		if (ioctl(v->vm, KVM_ARM_PREFERRED_TARGET, &init) ||
		    ioctl(v->vcpu, KVM_ARM_VCPU_INIT, &init) ||
		    ioctl(v->vcpu, KVM_SET_ONE_REG, &r))
			return -1;
	}
#endif
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	return v->run == MAP_FAILED ? -1 : 0;
}

/*
 * Run the guest to read usemem page @page: the byte it read, or -1 with
 * errno (EINTR if a signal stopped it).
 */
#ifdef __aarch64__
static int vm_read(struct vm *v, int page)
{
	uint64_t x1 = SLOT_GPA + (page - SLOT_FIRST) * psize;
	struct kvm_one_reg r = { .id = ARM64_CORE_REG(regs.regs[1]),
				 .addr = (uintptr_t)&x1 };

	if (ioctl(v->vcpu, KVM_SET_ONE_REG, &r) || ioctl(v->vcpu, KVM_RUN, 0))
		return -1;
	if (v->run->exit_reason != KVM_EXIT_MMIO || v->run->mmio.phys_addr != MMIO_EXIT) {
		errno = EPROTO;
		return -1;
	}
	return v->run->mmio.data[0];
}
#else
static int vm_read(struct vm *v, int page)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	regs.rbx = (page - SLOT_FIRST) * psize;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(v->vcpu, KVM_SET_REGS, &regs))
		return -1;
	if (ioctl(v->vcpu, KVM_RUN, 0))
		return -1;
	if (v->run->exit_reason != KVM_EXIT_IO || v->run->io.port != 0x10) {
		errno = EPROTO;
		return -1;
	}
	return *((unsigned char *)v->run + v->run->io.data_offset);
}
#endif

int main(void)
{
	const char *bdf = getenv("VFIO_SELFTESTS_BDF");
	const char *base = getenv("NVGRACE_GPU_MEM_BASE");
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	unsigned long long phys;
	struct vfio_region r;
	struct vfio_dev d;
	char *mem, *bad, buf[8];
	uint64_t reg;
	long f0, i;
	struct utsname uts;
	struct vm v;
	long faults, faults2;
	unsigned long pmd = pmd_size();
	char entries[160];
	int kmsg, c, rd_err;
	void *va;

	setvbuf(stdout, NULL, _IONBF, 0);
	psize = sysconf(_SC_PAGESIZE);
	sigaction(SIGBUS, &sa, NULL);
	reg = ghes_register();
	if (!bdf || !base || !reg)
		return printf("no GPU or no GHES (VFIO_SELFTESTS_BDF, NVGRACE_GPU_MEM_BASE, HEST)\n"), 1;

	uname(&uts);
	printf("\n== A VM's GPU memory meets a memory error, from firmware to guest ==\n"
	       "   (on a%s %s machine)\n\n", strcmp(uts.machine, "aarch64") ? "n" :
	       " Grace-like", uts.machine);
	if (vfio_open_device(bdf, &d) ||
	    vfio_region_info(&d, VFIO_PCI_BAR4_REGION_INDEX, &r) || r.area_size < SZ_1G)
		return printf("opening %s through VFIO failed: %s\n", bdf, strerror(errno)), 1;
	va = vfio_reserve_va(SZ_1G, SZ_1G, 0);
	mem = va == MAP_FAILED ? MAP_FAILED : vfio_map_region(&d, &r, va, SZ_1G, 0, MAP_SHARED);
	if (mem == MAP_FAILED)
		return perror("mmap of the GPU memory"), 1;
	bad = mem + BAD * psize;
	f0 = minflt();
	for (i = 0; i < (long)(SZ_1G / psize); i++)
		mem[i * psize] = 0;
	faults = minflt() - f0;
	strcpy(bad, "hello");
	strcpy(bad + psize, "world");
	/*
	 * Up to two faults an entry: arm64 takes a second one for the first
	 * write. With 64 KiB pages a PMD maps 512 MiB and there is no PUD
	 * level: 1 GiB is two entries.
	 */
	if (faults == 1)
		snprintf(entries, sizeof(entries), "one 1 GiB entry");
	else if (faults <= 2 * (long)(SZ_1G / pmd))
		snprintf(entries, sizeof(entries), "%s entries (PMDs; no 1 GiB pfn mappings here)",
			 size_str(pmd));
	else
		snprintf(entries, sizeof(entries), "%s pages, no huge entries", size_str(psize));
	printf("1. The VMM opens the GPU %s through VFIO (%s, driver nvgrace-gpu)\n"
	       "   and maps 1 GiB of its memory (region 4): %ld page fault(s) for %ld\n"
	       "   pages of %s: %s.\n"
	       "   It writes \"hello\" and \"world\" to pages %d and %d, and gives pages\n"
	       "   %d-%d to its VM at guest address 0x%x.\n",
	       bdf, d.group_path, faults, (long)(SZ_1G / psize), size_str(psize), entries,
	       BAD, BAD + 1, SLOT_FIRST, SLOT_FIRST + SLOT_PAGES - 1, SLOT_GPA);
	if (vm_create(&v, mem))
		return perror("KVM"), 1;
	c = vm_read(&v, BAD);
	printf("   The guest reads its copy of page %d: '%c'.\n\n", BAD, c);
	if (c != 'h')
		return 1;

	phys = strtoull(base, NULL, 0) + BAD * psize;
	printf("2. The hardware finds GPU page %d (physical 0x%llx) bad. The firmware\n"
	       "   writes an error record (CPER, platform memory error) for the\n"
	       "   kernel's GHES, which polls for it (we play the firmware through\n"
	       "   /dev/mem). GHES logs it and passes it to memory_failure(), which\n"
	       "   finds nvgrace-gpu's registered range, tells the driver and unmaps\n"
	       "   the page:\n", BAD, phys);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	lseek(kmsg, 0, SEEK_END);
	if (ghes_report_memory_error(reg, phys))
		return perror("writing the error record"), 1;
	for (i = 0; i < 5000 && ghes_record_consumed(reg) != 1; i++)
		usleep(1000);
	usleep(100 * 1000);
	kernel_says(kmsg);

	printf("\n3. The VMM itself reads page %d...\n", BAD);
	if (sigsetjmp(jump, 1) == 0) {
		armed = 1;
		(void)*(volatile char *)bad;
		return printf("   it read the page: no SIGBUS!\n"), 1;
	}
	armed = 0;
	printf("   ...and gets SIGBUS %s at %s, si_addr_lsb %d,\n"
	       "   from nvgrace-gpu's fault handler, not bad data.\n\n",
	       got.si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "(wrong code)",
	       got.si_addr == bad ? "that page" : "the WRONG address", got.si_addr_lsb);
	if (got.si_code != BUS_MCEERR_AR || got.si_addr != bad)
		return 1;

	got.si_code = 0;
	printf("4. The guest reads page %d again. KVM asks nvgrace-gpu for it, which\n"
	       "   refuses, and stops the vCPU ", BAD);
	c = vm_read(&v, BAD);
	printf("(KVM_RUN: %s).\n"
	       "   The VMM's vCPU thread gets SIGBUS %s at %s\n"
	       "   (its address in the VMM), si_addr_lsb %d: QEMU would now inject\n"
	       "   a memory error into its guest at that page.\n\n",
	       c < 0 ? strerror(errno) : "returned data!",
	       got.si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "(none or wrong code)",
	       got.si_addr == bad ? "that page" : "the WRONG address", got.si_addr_lsb);
	if (c >= 0 || got.si_code != BUS_MCEERR_AR || got.si_addr != bad)
		return 1;

	c = vm_read(&v, BAD + 1);
	rd_err = vfio_region_read(&d, &r, buf, 8, BAD * psize) < 0 ? errno : 0;
	f0 = minflt();
	for (i = 0; i < (long)(SZ_1G / psize); i++)
		if (i != BAD)
			(void)*(volatile char *)(mem + i * psize);
	faults2 = minflt() - f0;
	/* At most: the bad page's PMD in pages, the others refaulted whole. */
	if (faults2 <= (long)(pmd / psize) - 1 + 2 * (long)(SZ_1G / pmd))
		snprintf(entries, sizeof(entries),
			 "%s pages\n   in the bad page's %s, %s entries for the rest%s",
			 size_str(psize), size_str(pmd), size_str(pmd),
			 faults == 1 ? " (refaulted where a 1 GiB entry was)" : "");
	else
		snprintf(entries, sizeof(entries),
			 "more than %s pages\n   in the bad page's %s and %s entries for the rest take",
			 size_str(psize), size_str(pmd), size_str(pmd));
	printf("5. Nothing else is lost: the guest reads page %d: '%c'; the VMM reads\n"
	       "   \"%s\" there, and all the other pages with %ld faults: %s.\n"
	       "   pread() of the bad page through the device file: %s.\n",
	       BAD + 1, c, bad + psize, faults2, entries,
	       rd_err ? strerror(rd_err) : "data (the kernel read poison!)");
	return c == 'w' && !strcmp(bad + psize, "world") && rd_err == EIO ? 0 : 1;
}
