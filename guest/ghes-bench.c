// SPDX-License-Identifier: GPL-2.0
/*
 * ghes-bench: how long a memory error takes from the firmware's record to
 * the SIGBUS in the process that maps the page, for a pfn without struct
 * page (the test module's range) and for an ordinary RAM page. Run in the
 * guest by 'make bench'.
 *
 * The lab's GHES is polled (guest/hest.dsl), so a record waits for the
 * next poll. That wait is taken out: the timer event of the poll is traced
 * with the monotonic clock, and the figure is the time from that poll to
 * the BUS_MCEERR_AO that an early-kill process gets. Ratios are from this
 * one run.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "test_pfn_poison_uapi.h"
#include "ghes-record.h"
#include "lab-util.h"

#define TRACE	"/sys/kernel/tracing/"
#define ROUNDS	15

static volatile double sig_at;
static volatile int sig_code;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "ghes-bench: touched a poisoned page\n";

	sig_at = now();
	sig_code = si->si_code;
	/* Returning would retry the access forever (a page of a last run?). */
	if (si->si_code == BUS_MCEERR_AR) {
		write(1, msg, sizeof(msg) - 1);
		_exit(1);
	}
}

/* The first poll of GHES at or after @t, from the trace (monotonic). */
static double poll_after(double t)
{
	static char buf[1 << 16];
	double ts, best = 0;
	char *line, *p;
	ssize_t n;
	int fd;

	fd = open(TRACE "trace", O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		p = strstr(line, ": timer_expire_entry:");
		if (!p || line[0] == '#')
			continue;
		while (p > line && p[-1] != ' ')
			p--;
		ts = strtod(p, NULL);
		if (ts >= t && (!best || ts < best))
			best = ts;
	}
	return best;
}

/*
 * Report the page at physical address @phys and return
 * the time from GHES's poll to the BUS_MCEERR_AO, in seconds (0: failed).
 */
static double one_error(uint64_t reg, uint64_t phys)
{
	double t0, poll;

	write_str(TRACE "trace", "");
	sig_code = 0;
	t0 = now();
	if (ghes_report_memory_error(reg, phys))
		return 0;
	while (!sig_code && now() - t0 < 5)
		usleep(100);
	poll = poll_after(t0);
	if (sig_code != BUS_MCEERR_AO || !poll || sig_at < poll)
		return 0;
	return sig_at - poll;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	long psize = sysconf(_SC_PAGESIZE);
	double dev[ROUNDS], ram[ROUNDS], md, mr;
	struct pfn_poison_info info;
	uint64_t reg, phys;
	char *map, *page;
	int fd, i;

	setvbuf(stdout, NULL, _IONBF, 0);
	reg = ghes_register();
	fd = open("/dev/test_pfn_poison", O_RDWR);
	if (!reg || fd < 0 || ioctl(fd, PFN_POISON_IOC_INFO, &info))
		return printf("ghes-bench: needs the lab's GHES and test_pfn_poison\n"), 1;
	map = mmap(NULL, 64 * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   info.size - 64 * psize);
	if (map == MAP_FAILED)
		return perror("mmap"), 1;
	sigaction(SIGBUS, &sa, NULL);
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
	if (write_str(TRACE "trace_clock", "mono") ||
	    write_str(TRACE "events/timer/timer_expire_entry/filter",
		      "function.function == ghes_poll_func") ||
	    write_str(TRACE "events/timer/timer_expire_entry/enable", "1"))
		return printf("ghes-bench: cannot trace the GHES poll timer\n"), 1;

	printf("\n== A firmware memory error record, from GHES's poll to the SIGBUS ==\n");
	for (i = 0; i < ROUNDS; i++) {
		/* A page of the test module's range, mapped (last 64 pages). */
		map[i * psize] = 1;
		dev[i] = one_error(reg, info.base + info.size - (64 - i) * psize);
		/* An ordinary page of this process. */
		page = mmap(NULL, psize, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		page[0] = 1;
		phys = phys_of(page);
		ram[i] = phys ? one_error(reg, phys) : 0;
		if (!dev[i] || !ram[i])
			return printf("ghes-bench: round %d: no BUS_MCEERR_AO\n", i), 1;
	}
	write_str(TRACE "events/timer/timer_expire_entry/enable", "0");
	printf("  round:");
	for (i = 0; i < ROUNDS; i++)
		printf(" %.0f/%.0f", dev[i] * 1e6, ram[i] * 1e6);
	printf(" us (pfn without struct page / RAM page)\n");
	md = median(dev, ROUNDS);
	mr = median(ram, ROUNDS);
	printf("  pfn without struct page (test module): median %7.0f us (%.0f-%.0f)\n",
	       md * 1e6, dev[0] * 1e6, dev[ROUNDS - 1] * 1e6);
	printf("  ordinary RAM page:                     median %7.0f us (%.0f-%.0f)\n",
	       mr * 1e6, ram[0] * 1e6, ram[ROUNDS - 1] * 1e6);
	printf("  ratio: %.2f (target: at most 2), %d records each, poll interval 100 ms\n",
	       md / mr, ROUNDS);
	return 0;
}
