#!/bin/bash
# vmatests: build and run the kernel's userspace VMA tests (tools/testing/vma,
# which compile mm/vma.c and mm/mmap_prepare.c against stubs) and write their
# results as TAP to build/logs/vma.tap: one line per TEST() of its main(), a
# failure being a "Test NAME FAILED" line or the program failing as a whole.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step vmatests

DIR=$TREE/tools/testing/vma
TAPF=$LOGDIR/vma.tap
log=$LOGDIR/vmatests.log
[ -f "$DIR/vma.c" ] || die "no $DIR: run 'make tree'"
mapfile -t tests < <(sed -n 's/^\tTEST(\([a-z0-9_]*\));$/\1/p' "$DIR/vma.c")
[ ${#tests[@]} -gt 0 ] || die "no TEST() lines in $DIR/vma.c"

rc=0
if ! make -C "$DIR" -j"${JOBS:-$(nproc)}" >"$log" 2>&1; then
	grep -E 'error' "$log" | head -n 20 >&2
	{ echo "TAP version 13"; echo "1..1"; echo "not ok 1 vma: tools/testing/vma does not build"; } >"$TAPF"
	warn "tools/testing/vma does not build (see $log)"
	exit 0
fi
(cd "$DIR" && timeout 300 ./vma) >>"$log" 2>&1 || rc=$?
{
	echo "TAP version 13"
	echo "1..$(( ${#tests[@]} + 1 ))"
	n=0
	for t in "${tests[@]}"; do
		n=$((n + 1))
		if grep -qx "Test $t FAILED" "$log"; then
			echo "not ok $n vma: $t"
		else
			echo "ok $n vma: $t"
		fi
	done
	summary=$(grep -E '^[0-9]+ tests run, [0-9]+ passed, [0-9]+ failed\.$' "$log" || true)
	if [ "$rc" = 0 ] && [ -n "$summary" ]; then
		echo "ok $((n + 1)) vma: the program ($summary)"
	else
		echo "not ok $((n + 1)) vma: the program exited with $rc (${summary:-no summary line})"
	fi
} >"$TAPF"
info "$(grep -c '^ok' "$TAPF") ok, $(grep -c '^not ok' "$TAPF" || true) not ok: $TAPF"
