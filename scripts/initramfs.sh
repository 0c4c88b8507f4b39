#!/bin/bash
# initramfs: a busybox initramfs with /init (guest/init), the kselftest runner
# and the tests of config/guest-tests.txt (arm64: guest-tests-arm64.txt, and
# in front of it the ACPI tables the arm64 machine adds).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step initramfs

KST=$OUT/kselftest/kselftest_install
STAGE=$BUILD/initramfs-$LAB_ARCH
BUSYBOX=
if [ "$LAB_ARCH" = arm64 ]; then
	[ -x "$BUILD/busybox-arm64/bin/busybox" ] && BUSYBOX=$BUILD/busybox-arm64/bin/busybox
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
cp -a "$KST/run_kselftest.sh" "$KST/kselftest-list.txt" "$KST/kselftest" "$STAGE/kselftest/"
guest_kselftests >"$STAGE/kselftest/lab-tests.txt"
while read -r t; do
	c=${t%%:*}
	mkdir -p "$STAGE/kselftest/$c"
	cp -a "$KST/$c/${t#*:}" "$STAGE/kselftest/$c/"
	[ -f "$KST/$c/settings" ] && cp -a "$KST/$c/settings" "$STAGE/kselftest/$c/"
done <"$STAGE/kselftest/lab-tests.txt"
cp -a "$KST"/lab/* "$STAGE/lab/"   # the demo and the benchmark

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
	(cd "$STAGE-acpi" && find kernel | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$CPIO.tmp"
fi
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >>"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
info "$CPIO: $(du -h "$CPIO" | cut -f1)"
