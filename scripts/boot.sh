#!/bin/bash
# boot: boot the test kernel in QEMU (TCG) with the lab's initramfs.
#   boot.sh test   kselftests and KUnit; console -> build/logs/console-test.log,
#                  kselftest TAP -> build/logs/output-test.log (second serial port)
#   boot.sh panic  a slab page poisoned with vm.panic_on_unrecoverable_memory_failure
#                  set: the kernel must panic (results.py checks the console)
#   boot.sh demo   the demo, its story on the terminal
#   boot.sh bench  the benchmark, its figures on the terminal
# The guest is killed after LAB_TIMEOUT seconds and the last console lines shown.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step boot

mode=${1:-test}
KERNEL=$OUT/$KIMAGE
sfx=${LAB_ARCH/x86_64/}
CONSOLE=$LOGDIR/console-$mode${sfx:+-$sfx}.log
TAP=$LOGDIR/output-$mode${sfx:+-$sfx}.log
TIMEOUT=${LAB_TIMEOUT:-1200}
[ -f "$KERNEL" ] || die "no kernel at $KERNEL: run 'make build${sfx:+-$sfx}'"
[ -f "$CPIO" ] || die "no initramfs at $CPIO: run 'make initramfs${sfx:+-$sfx}'"

# Two vCPUs, but one for the bench: under QEMU's instruction count two
# interleave differently from run to run (GHES's poll timer and the
# kworker it queues to), and a figure with them moved by 1%.
smp=2
[ "$mode" = bench ] && smp=1

if [ "$LAB_ARCH" = arm64 ]; then
	# The Grace-like machine: QEMU virt with EL2 (KVM runs in the guest),
	# GICv3, UEFI (edk2, Debian's qemu-efi-aarch64), which gives the kernel
	# QEMU's ACPI tables; the lab's own tables come in the initramfs.
	# -cpu max with the cheap pointer authentication of QEMU's own design
	# (TCG emulates QARMA slowly).
	# 8 GiB of RAM at 1 GiB; the kernel takes the first 2 GiB (mem=2G) and
	# never sees the rest. With 64 KiB pages a PMD entry maps 512 MiB, so
	# the two ranges of memory without struct page are 512 MiB aligned and
	# hold at least two such entries:
	#   3 GiB - 5 GiB          the GPU's memory (guest/grace-gpu-arm64.asl):
	#                          usemem 1 GiB, resmem 1 GiB
	#   5 GiB - 7 GiB          test_pfn_poison's range (four PMD entries)
	#   above                  edk2's own memory and where it loads the
	#                          initramfs: the kernel keeps what it needs
	# and a DIMM at 9 GiB that nothing describes to UEFI and the kernel
	# never onlines (no ACPI memory hotplug): the firmware's memory, where
	# the two GHES have their registers and status blocks
	# (guest/hest-arm64.dsl). Not RAM above mem=: arm64 refuses to map for
	# ACPI what UEFI calls conventional memory.
	# The GPU: pci-testdev behind a PCI bridge in slot 5 (so that it can
	# be reset: a secondary bus reset), behind SMMUv3. The kselftest TAP
	# goes to a virtio console (virt has one PL011), with ioeventfd=off:
	# QEMU takes the guest's notification as the guest writes it, not at
	# some later turn of its main loop. Under the bench's instruction
	# count, that turn made two runs differ from the first write on.
	GPU_MEM_BASE=0xC0000000
	append="console=ttyAMA0 acpi=force mem=2G lab.mode=$mode panic=-1 printk.time=1"
	append+=" test_pfn_poison.base=0x140000000 test_pfn_poison.size=0x80000000"
	append+=" lab.gpu=0000:01:00.0 lab.gpu_mem_base=$GPU_MEM_BASE"
	# An address nothing decodes, past the DIMM's region (QEMU's virt
	# reserves a GiB a slot after maxmem): a load there is a synchronous
	# external abort (guest/ghes-sea.c).
	append+=" lab.out=hvc0 lab.sea_trigger=0x2c0000000"
	# The GPU behind SMMUv3 (ACPI IORT), as on Grace: QEMU inside the guest
	# assigns it to a VM of its own with vfio-pci (lab:vm-gpu-poison).
	qemu=(qemu-system-aarch64 -machine virt,gic-version=3,virtualization=on,iommu=smmuv3
	      -accel tcg -cpu max,pauth-impdef=on -smp $smp -m 8G,slots=1,maxmem=9G
	      -object memory-backend-ram,id=fwmem,size=1G -device pc-dimm,memdev=fwmem
	      -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd
	      -display none -no-reboot -monitor none -nic none
	      -device pci-bridge,id=gpu-slot,chassis_nr=1,addr=05.0,shpc=off
	      -device pci-testdev,bus=gpu-slot,addr=00.0
	      -device virtio-serial-pci,addr=06.0,ioeventfd=off
	      -kernel "$KERNEL" -initrd "$CPIO")
	tapdev=(-chardev "file,id=out,path=$TAP" -device virtconsole,chardev=out)
	stdiodev=(-chardev "stdio,id=out,logfile=$TAP" -device virtconsole,chardev=out)
else
# The firmware tables the lab adds: the Grace-like GPU's ACPI description
# (guest/grace-gpu.asl) and a HEST with a polled GHES (guest/hest.dsl).
for t in grace-gpu.asl hest.dsl; do
	iasl -p "$BUILD/${t%.*}" "$LAB/guest/$t" >"$LOGDIR/iasl.log" 2>&1 ||
		die "iasl failed on guest/$t (see $LOGDIR/iasl.log)"
done

# The guest: pc machine, 8 GiB (3 GiB below 4 GiB, 5 GiB above).
# -cpu with svm+npt: the guest gets a working /dev/kvm through nested SVM;
# and x86-64-v2 (popcnt, SSE4.2, ...), which the KVM selftests are built for;
# pdpe1gb, without which KVM maps a guest at 2 MiB at most (the stage-2
# sizes that pfnmap_hwpoison_test measures).
CPU=qemu64,+svm,+npt,+pdpe1gb,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,+lahf-lm
# Memory the kernel does not online, hidden with memmap=:
#   1 GiB - 3 GiB  the GPU's memory, as guest/grace-gpu.asl describes it:
#                  nvgrace-gpu makes the first GiB usemem, the second resmem.
#                  Below 4 GiB because QEMU's DSDT (revision 1) makes ACPI
#                  integers 32 bits wide. QEMU keeps its ACPI tables in the
#                  last 128 KiB: nothing writes to resmem.
#   5 GiB - 6 GiB  test_pfn_poison's range (1 GiB aligned, for PUD mappings)
#   6 GiB + 64 KiB the polled GHES's error status register and block, and
#                  in its second half memory for the /dev/mem test
# The GPU: pci-testdev (no guest driver claims it) in slot 5, behind
# virtio-iommu (described by QEMU's ACPI VIOT), which QEMU inside the guest
# needs to assign it to a VM of its own (lab:vm-gpu-poison; virtio-iommu
# has no interrupt remapping, hence allow_unsafe_interrupts). On the root
# bus: the Linux driver asks virtio-iommu for a device's own requester ID,
# and QEMU knows a device behind a conventional PCI bridge by the bridge's
# only, so a bridge would leave it without an IOMMU. The price: the pc
# machine cannot reset it (the arm64 machine's GPU, behind a bridge and
# SMMUv3, can). guest/init binds it to nvgrace-gpu with driver_override.
GPU_MEM_BASE=0x40000000
append="console=ttyS0 lab.mode=$mode panic=-1 printk.time=1"
append+=" memmap=1G\$0x140000000"
append+=" test_pfn_poison.base=0x140000000 test_pfn_poison.size=0x40000000"
append+=" memmap=2G\$$GPU_MEM_BASE lab.gpu=0000:00:05.0 lab.gpu_mem_base=$GPU_MEM_BASE"
append+=" memmap=64K\$0x180000000 vfio_iommu_type1.allow_unsafe_interrupts=1"
# The last 32 KiB of that, which the GHES does not use: /dev/mem's mapping
# is compared there with what read() and write() of /dev/mem see.
append+=" lab.devmem=0x180008000,0x8000"
qemu=(qemu-system-x86_64 -machine pc -accel tcg -cpu "$CPU"
      -smp $smp -m 8G -display none -no-reboot -monitor none -nic none
      -device pci-testdev,addr=05.0 -device virtio-iommu-pci
      -acpitable "file=$BUILD/grace-gpu.aml" -acpitable "file=$BUILD/hest.aml"
      -kernel "$KERNEL" -initrd "$CPIO")
tapdev=(-serial "file:$TAP")
stdiodev=(-chardev "stdio,id=out,logfile=$TAP" -serial chardev:out)
fi
rm -f "$CONSOLE" "$TAP"
case "$mode" in
test)
	qemu+=(-serial "file:$CONSOLE" "${tapdev[@]}")
	;;
panic)
	# KUnit ran in the test boot; a guest that does not panic is a
	# failed test, not a broken lab: results.py reports it.
	append+=" kunit.enable=0"
	TIMEOUT=${LAB_TIMEOUT:-300}
	qemu+=(-serial "file:$CONSOLE" "${tapdev[@]}")
	;;
bench)
	# The guest's clock counts instructions (QEMU -icount shift=0: one
	# nanosecond an instruction, sleep=off: no idle time added), so that a
	# figure does not depend on how fast the host runs at that moment
	# and a rerun prints it again; LAB_BENCH_CLOCK=wall times it as plain
	# TCG runs. Instructions are not cycles: cache misses and TLB refills
	# cost nothing here. With it, the same random numbers (-seed: what
	# the CPU's RNG instructions return) and a real-time clock that starts
	# at the same date and runs on the instruction count: what else a run
	# takes from the host. Two runs then execute the same instructions.
	case "${LAB_BENCH_CLOCK:-icount}" in
	icount) qemu+=(-icount shift=0,sleep=off -seed 1
		       -rtc base=2026-01-01T00:00:00,clock=vm) ;;
	wall) ;;
	*) die "LAB_BENCH_CLOCK=$LAB_BENCH_CLOCK: icount or wall" ;;
	esac
	append+=" quiet lab.clock=${LAB_BENCH_CLOCK:-icount}"
	qemu+=(-serial "file:$CONSOLE" "${stdiodev[@]}")
	;;
demo)
	append+=" quiet"
	qemu+=(-serial "file:$CONSOLE" "${stdiodev[@]}")
	;;
*) die "unknown mode '$mode' (test, panic, demo or bench)" ;;
esac

info "booting $LAB_ARCH ($mode) under TCG, at most $TIMEOUT s"
start=$(date +%s)
rc=0
timeout -k 10 "$TIMEOUT" "${qemu[@]}" -append "$append" </dev/null || rc=$?
took=$(( $(date +%s) - start ))
if [ "$mode" = panic ]; then
	[ $rc = 0 ] || warn "qemu exited with $rc after $took s (a timeout is 124)"
	info "guest stopped after $took s; results.py checks how ($CONSOLE)"
	exit 0
fi
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "---- last console lines ($CONSOLE) ----" >&2
	tail -n 40 "$CONSOLE" >&2
	die "guest did not finish within $TIMEOUT s: killed"
fi
[ $rc = 0 ] || die "qemu exited with $rc (see $CONSOLE)"
grep -q "LAB: guest done" "$CONSOLE" "$TAP" 2>/dev/null || {
	echo "---- last console lines ($CONSOLE) ----" >&2
	tail -n 40 "$CONSOLE" >&2
	die "guest stopped before it was done (crash or panic?)"
}
if [ "$mode" = demo ] && ! grep -q "LAB: demo passed" "$TAP"; then
	die "the demo did not show what it should (see $TAP and $CONSOLE)"
fi
if [ "$mode" = bench ] && ! grep -q "LAB: bench done" "$TAP"; then
	die "the benchmark did not finish (see $TAP and $CONSOLE)"
fi
info "guest finished in $took s"
