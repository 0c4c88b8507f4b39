#!/bin/bash
# selftests: build and install the kselftests the guest runs, statically linked
# (the guest is a busybox initramfs with no libc), plus the lab's own tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step selftests

JOBS=${JOBS:-$(nproc)}
KST=$OUT/kselftest/kselftest_install
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

# One test at a time, with its collection's Makefile, on the kernel's uapi
# headers: the guests run a few tests of mm, vfio and kvm, not the whole
# collections (kselftest-install would build every test of the three).
# Installed as kselftest-install lays them out, with the tree's runner.
info "the kselftests of ${GUEST_TESTS#$LAB/} (static)"
start=$(date +%s)
log=$LOGDIR/selftests-$LAB_ARCH.log
make -s -C "$TREE" O="$OUT" "${KARCH[@]}" headers_install >"$log" 2>&1 ||
	die "headers_install failed (see $log)"
mkdir -p "$KST"
cp -a "$TREE/tools/testing/selftests/run_kselftest.sh" "$TREE/tools/testing/selftests/kselftest" "$KST/"
: >"$KST/kselftest-list.txt"
for t in $(guest_kselftests | grep -v '^lab:'); do
	c=${t%%:*}
	mkdir -p "$KST/$c"
	make -s -C "$TREE/tools/testing/selftests/$c" -j"$JOBS" "${KARCH[@]}" \
		OUTPUT="$KST/$c" KHDR_INCLUDES="-isystem $OUT/usr/include" \
		EXTRA_CFLAGS=-static "$KST/$c/${t#*:}" >>"$log" 2>&1 || {
		grep -E 'error' "$log" | head -n 20 >&2
		die "building $t failed (see $log)"
	}
	[ ! -f "$TREE/tools/testing/selftests/$c/settings" ] ||
		cp "$TREE/tools/testing/selftests/$c/settings" "$KST/$c/"
done

# The lab's own tests: a "lab" collection beside the kernel's.
mkdir -p "$KST/lab"
for src in "$LAB"/guest/*.c; do
	name=$(basename "$src" .c)
	ccache "$KCC" -static -O2 -Wall -Werror -I "$TREE/tools/testing/selftests" \
		-I "$TREE/lib" -I "$OUT/usr/include" -o "$KST/lab/$name" "$src" -lpthread ||
		die "building guest/$name.c failed"
done

# lab:vm-gpu-poison boots a VM inside the guest: the runner's 45 s are too
# few (its harness timeout, 780 s, is what bounds it: the guest's busybox
# has no /usr/bin/timeout, which the runner's limit needs).
echo "timeout=800" >"$KST/lab/settings"

# Every test the guest runs must exist, and the runner know it.
while read -r t; do
	[ -x "$KST/${t%%:*}/${t#*:}" ] || die "test $t was not built (see $log)"
	grep -qx "$t" "$KST/kselftest-list.txt" || echo "$t" >>"$KST/kselftest-list.txt"
done < <(guest_kselftests)
info "built in $(( $(date +%s) - start )) s: $KST"
