#!/bin/bash
# selftests: build and install the kselftests the guest runs, statically linked
# (the guest is a busybox initramfs with no libc), plus the lab's own tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step selftests

JOBS=${JOBS:-$(nproc)}
KST=$OUT/kselftest/kselftest_install
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
collections=$(guest_kselftests | cut -d: -f1 | grep -vx lab | sort -u | tr '\n' ' ')

info "kselftest-install TARGETS=\"$collections\" (static)"
start=$(date +%s)
if ! make -C "$TREE" O="$OUT" -j"$JOBS" TARGETS="$collections" \
	CC="ccache gcc" EXTRA_CFLAGS=-static \
	kselftest-install >"$LOGDIR/selftests.log" 2>&1; then
	grep -E 'error' "$LOGDIR/selftests.log" | head -n 20 >&2
	die "kselftest build failed (see $LOGDIR/selftests.log)"
fi

# The lab's own tests: a "lab" collection beside the kernel's.
mkdir -p "$KST/lab"
for src in "$LAB"/guest/*.c; do
	name=$(basename "$src" .c)
	ccache gcc -static -O2 -Wall -Werror -I "$TREE/tools/testing/selftests" \
		-I "$TREE/lib" -I "$OUT/usr/include" -o "$KST/lab/$name" "$src" -lpthread ||
		die "building guest/$name.c failed"
done

# Every test the guest runs must exist; make the runner know the lab's.
while read -r t; do
	[ -x "$KST/${t%%:*}/${t#*:}" ] || die "test $t was not built (see $LOGDIR/selftests.log)"
	grep -qx "$t" "$KST/kselftest-list.txt" || echo "$t" >>"$KST/kselftest-list.txt"
done < <(guest_kselftests)
info "built in $(( $(date +%s) - start )) s: $KST"
