/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM of the lab machine's own, with Debian's QEMU as its VMM and the
 * Grace-like GPU assigned to it with vfio-pci (lab:vm-gpu-poison and the
 * demo's last act): start it, talk to its console, read what QEMU says,
 * and what the kernel did (its log, the SIGBUS signals it sent: tracing).
 * QEMU, its libraries and firmware, the VM's kernel and initramfs are in
 * /vm (scripts/initramfs.sh); the VM runs guest/vm-guest-init and
 * guest/vm-guest.
 */
#ifndef LAB_VM_H
#define LAB_VM_H

#include <errno.h>
#include <fcntl.h>
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

#include "lab-util.h"

#define VM		"/vm"
#define TRACE		"/sys/kernel/tracing/"
#define REGION4_OFFSET	(4ULL << 40)	/* VFIO_PCI_INDEX_TO_OFFSET(4) */

#if defined(__x86_64__)
#define QEMU		VM "/qemu-system-x86_64"
#elif defined(__aarch64__)
#define QEMU		VM "/qemu-system-aarch64"
#endif

struct vm {
	pid_t pid;
	int in, out, err;	/* L2's console (QEMU's stdio), QEMU's stderr */
	char console[1 << 18];
	char qemu[1 << 14];
	size_t console_len, qemu_len;
	size_t console_shown, qemu_shown;
	int echo;		/* show every line, "L2| " and "qemu| " */
	int overflow;		/* a buffer filled up: what came after is lost */
	const char *monitor;	/* QEMU's monitor on FIFOs @monitor.in, .out, or none */
	int mon_in, mon_out;	/* open once the banner was read (vm_monitor()) */
	int bench;		/* vmguest.bench=: rounds of guest/vm-guest's bench */
};

static inline void show_new(const char *who, const char *buf, size_t *shown, size_t len)
{
	const char *p = buf + *shown, *nl;

	while ((nl = memchr(p, '\n', buf + len - p))) {
		int n = nl - p;

		if (n && p[n - 1] == '\r')
			n--;
		printf("%s| %.*s\n", who, n, p);
		p = nl + 1;
	}
	*shown = p - buf;
}

/* Read what QEMU printed for up to @ms ms; 0 once both pipes are closed. */
static inline int vm_read(struct vm *vm, int ms)
{
	struct pollfd pfd[2] = {
		{ .fd = vm->out, .events = POLLIN },
		{ .fd = vm->err, .events = POLLIN },
	};
	char *buf[2] = { vm->console, vm->qemu };
	size_t *len[2] = { &vm->console_len, &vm->qemu_len };
	size_t size[2] = { sizeof(vm->console), sizeof(vm->qemu) };
	char scratch[4096];
	int i, open = 0, full;
	ssize_t n;

	if (poll(pfd, 2, ms) < 0)
		return 1;
	for (i = 0; i < 2; i++) {
		if (pfd[i].fd < 0)
			continue;
		open++;
		if (!(pfd[i].revents & (POLLIN | POLLHUP)))
			continue;
		/* Full: go on draining the pipe, so that QEMU never blocks. */
		full = *len[i] == size[i] - 1;
		if (full)
			n = read(pfd[i].fd, scratch, sizeof(scratch));
		else
			n = read(pfd[i].fd, buf[i] + *len[i], size[i] - 1 - *len[i]);
		if (n <= 0) {
			close(pfd[i].fd);
			*(i ? &vm->err : &vm->out) = -1;
			open--;
			continue;
		}
		if (full) {
			vm->overflow = 1;
			continue;
		}
		*len[i] += n;
		buf[i][*len[i]] = '\0';
	}
	if (vm->echo) {
		show_new("L2", vm->console, &vm->console_shown, vm->console_len);
		show_new("qemu", vm->qemu, &vm->qemu_shown, vm->qemu_len);
	}
	return open;
}

/* A whole line with @what in @buf, or NULL. */
static inline const char *line_with(const char *buf, const char *what)
{
	const char *p = strstr(buf, what);

	return p && strchr(p, '\n') ? p : NULL;
}

/*
 * Wait up to @secs for a line with @what in L2's console (or QEMU's
 * words); 1 if seen.
 */
static inline int vm_wait(struct vm *vm, int qemu, const char *what, int secs)
{
	time_t end = time(NULL) + secs;

	while (!line_with(qemu ? vm->qemu : vm->console, what)) {
		if (time(NULL) > end || !vm_read(vm, 200))
			return 0;
	}
	return 1;
}

static inline pid_t vm_start(struct vm *vm, const char *bdf, int page)
{
	int in[2], out[2], err[2];
	char dev[96], append[192], monitor[128] = "none";
	pid_t pid;
	char *argv[] = {
		QEMU, "-L", VM "/share", "-nodefaults", "-no-user-config",
#if defined(__x86_64__)
		/*
		 * An Intel CPU: QEMU injects machine checks as an Intel CPU
		 * reports them, which a kernel that sees an AMD CPU (under
		 * KVM QEMU gives the guest the host's vendor, the lab's
		 * machine is qemu64, AMD) takes for unrecoverable.
		 */
		"-machine", "pc,accel=kvm", "-cpu", "Nehalem,vendor=GenuineIntel",
#elif defined(__aarch64__)
		/*
		 * ras=on: a GHES (SEA) of QEMU's, which needs ACPI and so
		 * UEFI, in which QEMU writes the record of an error it
		 * injects.
		 */
		"-machine", "virt,gic-version=3,ras=on,accel=kvm", "-cpu", "host",
		"-bios", VM "/share/QEMU_EFI.fd",
#endif
		"-serial", "stdio", "-append", append,
		"-name", "l2,debug-threads=on",	/* vCPU threads "CPU n/KVM" */
		"-smp", "1", "-m", "256", "-display", "none", "-monitor", monitor,
		"-no-reboot", "-kernel", VM "/kernel", "-initrd", VM "/initramfs.cpio",
		"-device", dev, NULL,
	};

	snprintf(dev, sizeof(dev), "vfio-pci,host=%s,rombar=0", bdf);
	snprintf(append, sizeof(append), "%s panic=-1 kunit.enable=0 printk.time=1 vmguest.page=%d",
#if defined(__x86_64__)
		 "console=ttyS0",
#else
		 "console=ttyAMA0 acpi=force",
#endif
		 page);
	/*
	 * The bench: the VM's kernel keeps its messages in its log, off its
	 * console (a UART: an exit to QEMU a character), where the dozen lines
	 * of each error's record took four fifths of a round's time.
	 */
	if (vm->bench)
		snprintf(append + strlen(append), sizeof(append) - strlen(append),
			 " vmguest.bench=%d loglevel=1", vm->bench);
	/* FIFOs: the lab's kernel has no unix or inet sockets. */
	if (vm->monitor) {
		snprintf(monitor, sizeof(monitor), "%s.in", vm->monitor);
		if (mkfifo(monitor, 0600) && errno != EEXIST)
			return -1;
		snprintf(monitor, sizeof(monitor), "%s.out", vm->monitor);
		if (mkfifo(monitor, 0600) && errno != EEXIST)
			return -1;
		snprintf(monitor, sizeof(monitor), "pipe:%s", vm->monitor);
	}
	/* Close-on-exec: QEMU gets these as 0-2 only, nothing else of ours. */
	if (pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]), close(in[1]);
		return -1;
	}
	if (pipe2(err, O_CLOEXEC)) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return -1;
	}
	/* A write to the console of a VM that is gone: an error, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		setenv("LD_LIBRARY_PATH", VM "/lib", 1);
		execv(QEMU, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(in[1]), close(out[0]), close(err[0]);
		return -1;
	}
	vm->in = in[1];
	vm->out = out[0];
	vm->err = err[0];
	vm->pid = pid;
	return pid;
}

/* Kill QEMU, if it runs, and reap it. */
static inline void vm_kill(struct vm *vm)
{
	if (vm->pid > 0) {
		kill(vm->pid, SIGKILL);
		waitpid(vm->pid, NULL, 0);
	}
	vm->pid = -1;
}

/*
 * Let QEMU end for up to @secs, reading what it says, then kill it if it
 * has not; its wait status, or -1 if it had to be killed.
 */
static inline int vm_stop(struct vm *vm, int secs)
{
	time_t end = time(NULL) + secs;
	int status = -1;
	pid_t done = 0;

	while (time(NULL) <= end && vm_read(vm, 500))
		;
	while (!done && time(NULL) <= end) {
		done = waitpid(vm->pid, &status, WNOHANG);
		if (!done)
			usleep(100000);
	}
	if (done != vm->pid) {
		vm_kill(vm);
		status = -1;
	}
	vm->pid = -1;
	if (vm->mon_out > 0) {
		close(vm->mon_in);
		close(vm->mon_out);
		vm->mon_in = vm->mon_out = 0;
	}
	if (vm->out >= 0)
		close(vm->out);
	if (vm->err >= 0)
		close(vm->err);
	close(vm->in);
	vm->out = vm->err = -1;
	return status;
}

/* Where QEMU mapped the GPU's region 4 (its VFIO device file), or 0. */
static inline unsigned long long region4_map(pid_t pid)
{
	unsigned long long start = 0, s, off;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!start && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%*x %*s %llx", &s, &off) == 2 &&
		    off == REGION4_OFFSET && strstr(line, "vfio"))
			start = s;
	}
	fclose(f);
	return start;
}

/* Read from @fd into @buf (a string of @size bytes) until @what is in it past @from. */
static inline int read_until(int fd, char *buf, size_t size, size_t from, const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = strlen(buf);
	ssize_t n;

	while (!strstr(buf + from, what)) {
		if (len + 1 >= size || poll(&pfd, 1, 10000) <= 0)
			return -1;
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return -1;
		len += n;
		buf[len] = '\0';
	}
	return 0;
}

/*
 * Ask QEMU's human monitor (on the FIFOs @vm->monitor.in and .out) @cmd:
 * what it answers, up to its next prompt, is in @out. 0, or -1.
 */
static inline int vm_monitor(struct vm *vm, const char *cmd, char *out, size_t size)
{
	char path[128];

	out[0] = '\0';
	if (!vm->monitor)
		return -1;
	if (!vm->mon_out) {
		/* QEMU has both open (O_RDWR): neither open blocks. */
		snprintf(path, sizeof(path), "%s.in", vm->monitor);
		vm->mon_in = open(path, O_WRONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "%s.out", vm->monitor);
		vm->mon_out = open(path, O_RDONLY | O_CLOEXEC);
		if (vm->mon_in < 0 || vm->mon_out < 0 ||
		    read_until(vm->mon_out, out, size, 0, "(qemu) "))
			return -1;
		out[0] = '\0';
	}
	if (write(vm->mon_in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(vm->mon_in, "\n", 1) != 1)
		return -1;
	return read_until(vm->mon_out, out, size, 0, "(qemu) ");
}

/* Wait up to 10 s for @cond; 1 if it came true. */
#define WAIT_FOR(cond) WAIT_FOR_MS(cond, 10000)

/* The SIGBUS signals the kernel sent since the test began (trace). */
static inline const char *signals_sent(void)
{
	static char buf[1 << 16];
	int fd = open(TRACE "trace", O_RDONLY);

	buf[0] = '\0';
	if (fd >= 0) {
		read_more(fd, buf, sizeof(buf));
		close(fd);
	}
	return buf;
}

#endif /* LAB_VM_H */
