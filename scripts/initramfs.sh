#!/bin/bash
# initramfs: a busybox initramfs with /init (guest/init), the kselftest runner
# and the tests of config/guest-tests.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step initramfs

KST=$OUT/kselftest/kselftest_install
STAGE=$BUILD/initramfs
CPIO=$BUILD/initramfs.cpio
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q dynamic && BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1 && BUSYBOX=$b && break
done
[ -n "$BUSYBOX" ] || die "no static busybox (package busybox-static): run 'make deps'"
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

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
info "$CPIO: $(du -h "$CPIO" | cut -f1)"
