// SPDX-License-Identifier: GPL-2.0
/*
 * vm-gpu-demo: the demo's last act. What lab:vm-gpu-poison checks, told in
 * plain words with QEMU's, the VM's and the kernel's own lines: Debian's
 * QEMU runs a VM with the Grace-like GPU assigned to it, one page of the
 * GPU's memory goes bad, and the VM lives on. Run in the guest by 'make
 * demo', after gpu-poison-demo (which poisoned usemem page 100: this act
 * uses page 300). Exits non-zero if the VM does not get through.
 */
#define _GNU_SOURCE
#include <stdarg.h>

#include "ghes-record.h"
#include "lab-util.h"
#include "lab-vm.h"

#define PAGE	300

static struct vm vm;

/* Quote the lines of @buf (from @from on) that contain one of @keys. */
static void quote(const char *who, const char *buf, const char *const *keys)
{
	const char *p = buf, *nl;
	int i;

	for (; (nl = strchr(p, '\n')); p = nl + 1) {
		for (i = 0; keys[i]; i++) {
			const char *k = memmem(p, nl - p, keys[i], strlen(keys[i]));
			int n = nl - p;

			if (!k)
				continue;
			const char *l = p;

			while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
				n--;
			/* /dev/kmsg records: "level,seq,time,-;text" */
			if (!strcmp(who, "kernel") && memchr(p, ';', n)) {
				l = (const char *)memchr(p, ';', n) + 1;
				n -= l - p;
			}
			printf("     %s: %.*s\n", who, n, l);
			break;
		}
	}
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("   ");
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	vm_kill(&vm);
	return 1;
}

int main(void)
{
	static const char *const l1_keys[] = { "nvgrace", "Memory failure", NULL };
	static const char *const l2_keys[] = {
		"GHES", "physical_address", "Hardware error from", "mce:", NULL,
	};
	static const char *const qemu_keys[] = { "qemu-system", NULL };
	const char *bdf = getenv("VFIO_SELFTESTS_BDF");
	const char *base = getenv("NVGRACE_GPU_MEM_BASE");
	long psize = sysconf(_SC_PAGESIZE);
	unsigned long long gpa = 0, l2_va = 0, map;
	long l2_psize = 0;
	uint64_t reg = ghes_register(), phys;
	size_t seen = 0, l1_seen = 0, qemu_seen = 0;
	int kmsg, status = -1;
	const char *p;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!bdf || !base || !reg || access(QEMU, X_OK))
		return printf("no GPU, GHES or QEMU (VFIO_SELFTESTS_BDF, NVGRACE_GPU_MEM_BASE, HEST, %s)\n",
			      VM), 1;
	phys = strtoull(base, NULL, 0) + PAGE * psize;
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	lseek(kmsg, 0, SEEK_END);
	write_str(TRACE "events/signal/signal_generate/filter", "sig == 7");
	write_str(TRACE "events/signal/signal_generate/enable", "1");
	write_str(TRACE "trace", "");

	printf("\n== A VM survives a memory error in its GPU's memory, with QEMU as its VMM ==\n\n");
	printf("1. QEMU (Debian's own: %s) starts a VM with KVM\n"
	       "   and gives it the GPU %s with vfio-pci, through the SMMU and\n"
	       "   nvgrace-gpu. The VM's program writes \"hello\" and \"world\" to\n"
	       "   pages %d and %d of the GPU's memory, which the VM sees as the\n"
	       "   device's BAR 4.\n",
	       QEMU, bdf, PAGE, PAGE + 1);
	if (vm_start(&vm, bdf, PAGE) <= 0 || !vm_wait(&vm, 0, "VMGUEST: ready", 300))
		return fail("the VM did not get ready");
	p = strstr(vm.console, "VMGUEST: ready");
	if (sscanf(p, "VMGUEST: ready: %*s BAR 4 at %*s (%*d MiB), page %*d at %llx, mapped at %llx, page size %ld",
		   &gpa, &l2_va, &l2_psize) != 3)
		return fail("the VM's program said something else: %.100s", p);
	/* Page 300 is the same memory for both only with pages of one size. */
	if (l2_psize != psize)
		return fail("the VM's pages are of %s, this machine's of %s",
			    size_str(l2_psize), size_str(psize));
	map = region4_map(vm.pid);
	printf("   The VM is up; its page %d is at guest physical 0x%llx, QEMU maps\n"
	       "   the GPU's memory at 0x%llx. Pages are of %s, in the VM as here;\n"
	       "   a PMD entry maps %s.\n     VM: %.*s\n", PAGE, gpa, map,
	       size_str(psize), size_str(pmd_size()), (int)strcspn(p, "\r\n"), p);
	seen = vm.console_len;
	if (strstr(vm.qemu, "VFIO_MAP_DMA failed")) {
		printf("   QEMU warned when it set the VM up:\n");
		quote("QEMU", vm.qemu, (const char *const[]){ "vfio_dma_map", NULL });
		printf("   It maps the GPU's memory for the device's own DMA too (peer to\n"
		       "   peer), which looks up every page of it: a page poisoned before\n"
		       "   (by the act before this one) fails that with EHWPOISON. QEMU goes\n"
		       "   on without peer-to-peer DMA to that BAR.\n");
	}
	printf("\n");
	qemu_seen = vm.qemu_len;

	printf("2. The hardware finds that page bad (physical 0x%llx). The firmware\n"
	       "   reports it through GHES; memory_failure() finds nvgrace-gpu's range,\n"
	       "   unmaps the page from QEMU and, as QEMU asked for early kill, sends\n"
	       "   QEMU BUS_MCEERR_AO:\n", (unsigned long long)phys);
	if (ghes_report_memory_error(reg, phys))
		return fail("could not write the firmware record");
	if (!WAIT_FOR(strstr(kernel_log(kmsg), "recovery action for non struct page pfn")))
		return fail("memory_failure() did not handle the page");
	quote("kernel", kernel_log(kmsg), l1_keys);
	l1_seen = strlen(kernel_log(kmsg));
	vm_read(&vm, 2000);
#if defined(__aarch64__)
	printf("   QEMU on arm64 only notes the page: the VM is not told yet.\n\n");
#else
	printf("   QEMU on x86 injects it into the VM as a machine check:\n");
	quote("QEMU", vm.qemu + qemu_seen, qemu_keys);
	qemu_seen = vm.qemu_len;
	printf("\n");
#endif

	printf("3. The VM's program reads page %d again. KVM finds the page refused\n"
	       "   and sends QEMU's vCPU thread BUS_MCEERR_AR; QEMU turns its address\n"
	       "   into the guest's and injects the error into the VM%s:\n", PAGE,
#if defined(__aarch64__)
	       " (an SEA, with a\n   CPER record in QEMU's own GHES)"
#else
	       " (a machine check)"
#endif
	       );
	if (write(vm.in, "go\n", 3) != 3 || !vm_wait(&vm, 0, "VMGUEST: exit status", 300))
		return fail("the VM did not finish its reads");
	if (!strstr(signals_sent(), "code=4 comm=CPU 0/KVM"))
		return fail("QEMU's vCPU thread got no BUS_MCEERR_AR");
	printf("     trace: SIGBUS BUS_MCEERR_AR to QEMU's thread \"CPU 0/KVM\"\n");
	quote("kernel", kernel_log(kmsg) + l1_seen, l1_keys);
	quote("QEMU", vm.qemu + qemu_seen, qemu_keys);
	quote("VM", vm.console + seen, l2_keys);
	p = strstr(vm.console, "VMGUEST: page");
	if (!p)
		return fail("the VM's program said nothing");
	printf("\n4. The VM's program is stopped with SIGBUS instead of reading bad\n"
	       "   data, and its other page is intact:\n");
	quote("VM", p, (const char *const[]){ "VMGUEST: page", NULL });

	status = vm_stop(&vm, 30);
	if (status == -1)
		return fail("QEMU did not end");
	printf("\n5. The VM shuts down cleanly; QEMU exits with status %d.\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) ||
	    !strstr(vm.console, "VMGUEST: page 300: SIGBUS") ||
	    !strstr(vm.console, "VMGUEST: page 301 reads \"world\""))
		return fail("not what should have happened");
	return 0;
}
