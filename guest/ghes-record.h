/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Playing the firmware for the lab's GHES (guest/hest.dsl, and on arm64
 * guest/hest-arm64.dsl, polled and SEA-notified): write a CPER record with a
 * platform memory error section into the error status block through
 * /dev/mem, the way firmware would, for the kernel's own GHES code to find
 * at its next poll or notification. Shared by the lab's GHES tests, demo
 * and benchmark.
 */
#ifndef LAB_GHES_RECORD_H
#define LAB_GHES_RECORD_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEST_TABLE	"/sys/firmware/acpi/tables/HEST"
#define HEST_GHES	9	/* subtable type: Generic Hardware Error Source */
#define GHES_BLOCK_OFF	4096	/* the status block, after the register */

/* CPER, as in include/linux/cper.h and include/acpi/actbl1.h */
struct ghes_status {
	uint32_t block_status;
	uint32_t raw_data_offset;
	uint32_t raw_data_length;
	uint32_t data_length;
	uint32_t error_severity;
} __attribute__((packed));

struct ghes_section {
	uint8_t section_type[16];
	uint32_t error_severity;
	uint16_t revision;
	uint8_t validation_bits;
	uint8_t flags;
	uint32_t error_data_length;
	uint8_t fru_id[16];
	uint8_t fru_text[20];
} __attribute__((packed));

struct ghes_mem_err {
	uint64_t validation_bits;
	uint64_t error_status;
	uint64_t physical_addr;
	uint64_t physical_addr_mask;
	uint16_t node, card, module, bank, device, row, column, bit_pos;
	uint64_t requestor_id, responder_id, target_id;
	uint8_t error_type;
	uint8_t extended;
	uint16_t rank, mem_array_handle, mem_dev_handle;
} __attribute__((packed));

struct ghes_record {
	struct ghes_status status;
	struct ghes_section section;
	struct ghes_mem_err mem;
} __attribute__((packed));

/* CPER_SEC_PLATFORM_MEM: a5bc1114-6f64-4ede-b863-3e83ed7c83b1, as guid_t */
static const uint8_t cper_sec_platform_mem[16] = {
	0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
	0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1,
};

/* Notification types of a GHES (ACPI 6.5, table 18.14) the lab uses. */
#define GHES_NOTIFY_POLLED	0
#define GHES_NOTIFY_SEA		8

/*
 * The physical address of the error status register of the first GHES in
 * the HEST whose notification is of @type, or 0 if there is none.
 */
static inline uint64_t ghes_register_notified(uint8_t type)
{
	unsigned char t[4096];
	uint32_t len, off;
	uint64_t addr = 0;
	ssize_t n;
	int fd;

	fd = open(HEST_TABLE, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, t, sizeof(t));
	close(fd);
	if (n < 40)
		return 0;
	memcpy(&len, t + 4, 4);
	if (len > (uint32_t)n)
		return 0;
	/*
	 * After the header and the error source count, GHES entries of 64
	 * bytes: the error status GAS's address at 24, the notification type
	 * at 32. The lab's HESTs have nothing else; the walk stops at anything.
	 */
	for (off = 40; off + 64 <= len && t[off] == HEST_GHES && t[off + 1] == 0; off += 64) {
		if (t[off + 32] == type) {
			memcpy(&addr, t + off + 24, 8);
			break;
		}
	}
	return addr;
}

/* The register of the polled GHES (guest/hest.dsl, guest/hest-arm64.dsl). */
static inline uint64_t ghes_register(void)
{
	return ghes_register_notified(GHES_NOTIFY_POLLED);
}

/*
 * The firmware's memory: a register and its status block, mapped through
 * /dev/mem, which (unlike its read() and write(), which arm64 allows on the
 * kernel's linear map only) reaches memory the kernel does not own on every
 * architecture. Without O_SYNC: on x86 the mapping then takes the memory
 * type GHES mapped it with (write-back), where an uncached one would be
 * refused as a conflict. It may be device memory (arm64: no unaligned
 * access): it is only touched 32 bits at a time.
 */
struct ghes_fw {
	volatile uint32_t *reg;		/* the register, 64 bits */
	volatile uint32_t *block;	/* the status block, GHES_BLOCK_OFF after it */
	void *map;
	size_t len;
};

static inline int ghes_fw_map(struct ghes_fw *fw, uint64_t reg)
{
	/*
	 * mmap() takes an offset of whole pages: with 64 KiB pages, the
	 * SEA source's register (guest/hest-arm64.dsl, 8 KiB after the
	 * polled one's) is in the middle of one.
	 */
	uint64_t start = reg & ~((uint64_t)sysconf(_SC_PAGESIZE) - 1);
	int fd;

	fw->len = reg - start + GHES_BLOCK_OFF + 4096;
	fd = open("/dev/mem", O_RDWR);
	if (fd < 0)
		return -errno;
	fw->map = mmap(NULL, fw->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, start);
	close(fd);
	if (fw->map == MAP_FAILED)
		return -errno;
	fw->reg = (volatile uint32_t *)((char *)fw->map + (reg - start));
	fw->block = (volatile uint32_t *)((char *)fw->reg + GHES_BLOCK_OFF);
	return 0;
}

static inline void ghes_fw_unmap(struct ghes_fw *fw)
{
	munmap(fw->map, fw->len);
}

/*
 * Report an uncorrectable, recoverable memory error at physical address
 * @phys through the GHES whose register is at @reg. The record is written
 * first and marked valid last (block_status), as firmware does.
 * Returns 0 or -errno.
 */
static inline int ghes_report_memory_error(uint64_t reg, uint64_t phys)
{
	uint32_t w[(sizeof(struct ghes_record) + 3) / 4] = { 0 };
	struct ghes_record rec = { 0 }, *r = &rec;
	uint64_t block = reg + GHES_BLOCK_OFF;
	struct ghes_fw fw = { 0 };
	unsigned int i;
	int ret;

	r->status.data_length = sizeof(r->section) + sizeof(r->mem);
	r->status.error_severity = 0;		/* CPER_SEV_RECOVERABLE */
	memcpy(r->section.section_type, cper_sec_platform_mem, 16);
	r->section.error_severity = 0;		/* CPER_SEV_RECOVERABLE */
	r->section.revision = 0x0201;
	r->section.flags = 0x01;		/* CPER_SEC_PRIMARY */
	r->section.error_data_length = sizeof(r->mem);
	r->mem.validation_bits = 0x2 | 0x4;	/* CPER_MEM_VALID_PA(_MASK) */
	r->mem.physical_addr = phys;
	r->mem.physical_addr_mask = ~0xfffULL;
	r->mem.error_type = 3;			/* multi-bit ECC */

	memcpy(w, r, sizeof(*r));
	ret = ghes_fw_map(&fw, reg);
	if (ret)
		return ret;
	/* Everything but block_status, then the register, then the status. */
	for (i = 1; i < sizeof(w) / 4; i++)
		fw.block[i] = w[i];
	fw.reg[0] = (uint32_t)block;
	fw.reg[1] = (uint32_t)(block >> 32);
	__sync_synchronize();
	fw.block[0] = 0x1 | (1 << 4);	/* uncorrectable, one error entry */
	__sync_synchronize();
	ghes_fw_unmap(&fw);
	return 0;
}

/* Has GHES consumed the record (cleared block_status)? 1, 0 or -errno. */
static inline int ghes_record_consumed(uint64_t reg)
{
	struct ghes_fw fw = { 0 };
	int ret;

	ret = ghes_fw_map(&fw, reg);
	if (ret)
		return ret;
	ret = !fw.block[0];
	ghes_fw_unmap(&fw);
	return ret;
}

#endif /* LAB_GHES_RECORD_H */
