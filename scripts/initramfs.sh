#!/bin/bash
# initramfs: a busybox initramfs with /init (guest/init), the kselftest runner
# and the tests of config/guest-tests.txt (arm64: guest-tests-arm64.txt, and
# in front of it the ACPI tables the arm64 machine adds).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step initramfs

KST=$OUT/kselftest/kselftest_install
STAGE=${CPIO%.cpio}
BUSYBOX=
if [ "$LAB_ARCH" = arm64 ]; then
	[ -x "$BUILD/arm64-root/bin/busybox" ] && BUSYBOX=$BUILD/arm64-root/bin/busybox
else
	for b in /bin/busybox /usr/bin/busybox; do
		[ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1 && BUSYBOX=$b && break
	done
fi
[ -n "$BUSYBOX" ] || die "no static $LAB_ARCH busybox (package busybox-static): run 'make deps'"
[ -f "$KST/run_kselftest.sh" ] || die "no kselftest install in $KST: run 'make selftests'"

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,lab,kselftest}
cp "$BUSYBOX" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
install -m 755 "$LAB/guest/init" "$STAGE/init"
# The kernel's modules (scripts/build.sh), which guest/init loads with modprobe.
sfx=${LAB_ARCH/x86_64/}
[ -d "$OUT/modules/lib/modules" ] || die "no modules in $OUT/modules: run 'make build${sfx:+-$sfx}'"
mkdir -p "$STAGE/lib"
cp -a "$OUT/modules/lib/modules" "$STAGE/lib/"
cp -a "$KST/run_kselftest.sh" "$KST/kselftest-list.txt" "$KST/kselftest" "$STAGE/kselftest/"
guest_kselftests >"$STAGE/kselftest/lab-tests.txt"
while read -r t; do
	c=${t%%:*}
	mkdir -p "$STAGE/kselftest/$c"
	cp -a "$KST/$c/${t#*:}" "$STAGE/kselftest/$c/"
	[ -f "$KST/$c/settings" ] && cp -a "$KST/$c/settings" "$STAGE/kselftest/$c/"
done <"$STAGE/kselftest/lab-tests.txt"
cp -a "$KST"/lab/* "$STAGE/lab/"   # the demo and the benchmark

# The VM that lab:vm-gpu-poison runs inside the machine (L2), in /vm:
# Debian's QEMU for the machine's architecture with the libraries it links
# (in /vm/lib, found through LD_LIBRARY_PATH; the ELF interpreter where the
# binary looks for it), the firmware it loads, the lab's kernel once more
# and an initramfs of L2's own: busybox, guest/vm-guest-init as /init and
# guest/vm-guest.
first_of() { local f; for f; do [ -e "$f" ] && echo "$f" && return 0; done; return 1; }
# pack DIR [TOP]: the files of DIR (under TOP, or all) as a cpio, the same
# bytes for the same files: one mtime for all (2026-01-01, the bench's clock
# too) and inode numbers counted from 1, so that a bench run boots exactly
# what the one before it booted (scripts/boot.sh).
pack() {
	(cd "$1" && find "${2:-.}" -exec touch -h -d @1767225600 {} + &&
	 find "${2:-.}" | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet)
}
vm_payload() {
	local vm=$STAGE/vm l2=$STAGE-vm root=/ triplet=x86_64-linux-gnu qemu interp f
	if [ "$LAB_ARCH" = arm64 ]; then
		root=$BUILD/arm64-root triplet=aarch64-linux-gnu
		qemu=$root/usr/bin/qemu-system-aarch64
	else
		qemu=/usr/bin/qemu-system-x86_64
	fi
	[ -x "$qemu" ] || die "no $qemu: run 'make deps'"
	rm -rf "$l2" && mkdir -p "$vm/lib" "$vm/share" "$l2"/{bin,proc,sys,dev}
	cp "$BUSYBOX" "$l2/bin/busybox"
	ln -s busybox "$l2/bin/sh"
	install -m 755 "$LAB/guest/vm-guest-init" "$l2/init"
	cp "$KST/lab/vm-guest" "$l2/vm-guest"
	pack "$l2" >"$vm/initramfs.cpio"
	cp "$OUT/$KIMAGE" "$vm/kernel"
	cp "$qemu" "$vm/"
	# The libraries: DT_NEEDED, followed, in the multiarch directories.
	local todo=("$qemu") seen=" " n p
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]} todo=("${todo[@]:1}")
		for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[[ "$seen" == *" $n "* ]] && continue
			seen+="$n "
			p=$(first_of "$root"/{usr/,}lib/"$triplet/$n") ||
				die "$n, which $(basename "$f") needs, is not in $root"
			cp -L "$p" "$vm/lib/"
			todo+=("$p")
		done
	done
	interp=$(readelf -l "$qemu" | sed -n 's/.*interpreter: \([^]]*\)].*/\1/p')
	mkdir -p "$STAGE$(dirname "$interp")"
	cp -L "$root$interp" "$STAGE$interp"
	if [ "$LAB_ARCH" = arm64 ]; then
		# L2 boots with UEFI: QEMU's GHES (virt,ras=on) needs ACPI.
		cp -L /usr/share/qemu-efi-aarch64/QEMU_EFI.fd "$vm/share/"
	else
		for f in bios-256k.bin kvmvapic.bin linuxboot_dma.bin; do
			p=$(first_of /usr/share/qemu/$f /usr/share/seabios/$f) ||
				die "QEMU's $f is missing (packages qemu-system-x86, seabios)"
			cp -L "$p" "$vm/share/"
		done
	fi
	info "QEMU and its VM in /vm: $(du -sh "$vm" | cut -f1)"
}
vm_payload

: >"$CPIO.tmp"
if [ "$LAB_ARCH" = arm64 ]; then
	# The firmware tables QEMU's virt machine cannot be given (no
	# -acpitable there): the Grace-like GPU's node and the HEST. The
	# kernel adds them from an uncompressed cpio in front of the
	# initramfs (Documentation/admin-guide/acpi/initrd_table_override.rst).
	rm -rf "$STAGE-acpi" && mkdir -p "$STAGE-acpi/kernel/firmware/acpi"
	for t in grace-gpu-arm64.asl hest-arm64.dsl; do
		iasl -p "$STAGE-acpi/kernel/firmware/acpi/${t%.*}" "$LAB/guest/$t" \
			>"$LOGDIR/iasl-arm64.log" 2>&1 ||
			die "iasl failed on guest/$t (see $LOGDIR/iasl-arm64.log)"
	done
	pack "$STAGE-acpi" kernel >"$CPIO.tmp"
fi
pack "$STAGE" >>"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
info "$CPIO: $(du -h "$CPIO" | cut -f1)"
