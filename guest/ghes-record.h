/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Playing the firmware for the lab's polled GHES (guest/hest.dsl): write a
 * CPER record with a platform memory error section into the error status
 * block through /dev/mem, the way firmware would, for the kernel's own GHES
 * code to find at its next poll. Shared by the lab's GHES test, demo and
 * benchmark.
 */
#ifndef LAB_GHES_RECORD_H
#define LAB_GHES_RECORD_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
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

/*
 * The physical address of the error status register of the first GHES in
 * the HEST, or 0 if there is none.
 */
static inline uint64_t ghes_register(void)
{
	unsigned char t[4096];
	uint32_t len, off = 40;	/* table header + error source count */
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
	/* Subtables of other types are not walked: the lab's HEST has one. */
	if (off + 64 <= len && t[off] == HEST_GHES && t[off + 1] == 0)
		memcpy(&addr, t + off + 24, 8);	/* error status GAS address */
	return addr;
}

/*
 * Report an uncorrectable, recoverable memory error at physical address
 * @phys through the GHES whose register is at @reg. The record is written
 * first and marked valid last (block_status), as firmware does.
 * Returns 0 or -errno.
 */
static inline int ghes_report_memory_error(uint64_t reg, uint64_t phys)
{
	struct ghes_record r = { 0 };
	uint64_t block = reg + GHES_BLOCK_OFF;
	uint32_t status;
	int fd, ret = 0;

	r.status.data_length = sizeof(r.section) + sizeof(r.mem);
	r.status.error_severity = 0;		/* CPER_SEV_RECOVERABLE */
	memcpy(r.section.section_type, cper_sec_platform_mem, 16);
	r.section.error_severity = 0;		/* CPER_SEV_RECOVERABLE */
	r.section.revision = 0x0201;
	r.section.flags = 0x01;			/* CPER_SEC_PRIMARY */
	r.section.error_data_length = sizeof(r.mem);
	r.mem.validation_bits = 0x2 | 0x4;	/* CPER_MEM_VALID_PA(_MASK) */
	r.mem.physical_addr = phys;
	r.mem.physical_addr_mask = ~0xfffULL;
	r.mem.error_type = 3;			/* multi-bit ECC */

	fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0)
		return -errno;
	/* Everything but block_status, then the register, then the status. */
	if (pwrite(fd, (char *)&r + 4, sizeof(r) - 4, block + 4) != sizeof(r) - 4 ||
	    pwrite(fd, &block, 8, reg) != 8)
		ret = -errno;
	status = 0x1 | (1 << 4);	/* uncorrectable, one error entry */
	if (!ret && pwrite(fd, &status, 4, block) != 4)
		ret = -errno;
	close(fd);
	return ret;
}

/* Has GHES consumed the record (cleared block_status)? 1, 0 or -errno. */
static inline int ghes_record_consumed(uint64_t reg)
{
	uint32_t status;
	int fd, ret;

	fd = open("/dev/mem", O_RDONLY | O_SYNC);
	if (fd < 0)
		return -errno;
	ret = pread(fd, &status, 4, reg + GHES_BLOCK_OFF) == 4 ? !status : -errno;
	close(fd);
	return ret;
}

#endif /* LAB_GHES_RECORD_H */
