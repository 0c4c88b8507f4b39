#!/bin/bash
# run: run lab steps in order under one lock, timing each.
#   run.sh STEP [STEP...]   a step is scripts/STEP.sh, or "boot-MODE"; with
#                           "-arm64" after it, the step for the arm64 machine
# Two runs at once on one checkout would share build/: the second is refused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step run

exec 9>"$BUILD/.lock"
flock -n 9 || die "another lab run is using $BUILD (pid $(cat "$BUILD/.lock.pid" 2>/dev/null || echo '?')); wait for it"
echo $$ >"$BUILD/.lock.pid"

total=$(date +%s)
for s in "$@"; do
	t=$(date +%s)
	arch=x86_64 sfx=
	case "$s" in *-arm64) arch=arm64 sfx=-arm64 s=${s%-arm64} ;; esac
	case "$s" in
	boot-*) LAB_ARCH=$arch "$LAB/scripts/boot.sh" "${s#boot-}" ;;
	results)
		python3 "$LAB/scripts/results.py" --console "$LOGDIR/console-test.log" \
			--output "$LOGDIR/output-test.log" --tap "$LOGDIR/hygiene.tap" \
			--tap "$LOGDIR/vma.tap" \
			--panic-console "$LOGDIR/console-panic.log" \
			--panic-output "$LOGDIR/output-panic.log" \
			--expect "$LAB/config/guest-tests.txt" \
			--machine "arm64,$LOGDIR/console-test-arm64.log,$LOGDIR/output-test-arm64.log,$LAB/config/guest-tests-arm64.txt" |
			tee "$LOGDIR/results.txt"
		rc=${PIPESTATUS[0]}
		printf '[run] %s took %d s; all steps %d s\n' "$s" $(( $(date +%s) - t )) \
			$(( $(date +%s) - total )) >&2
		tail -n 1 "$LOGDIR/results.txt"
		exit "$rc"
		;;
	*) LAB_ARCH=$arch "$LAB/scripts/$s.sh" ;;
	esac
	printf '[run] %s took %d s\n' "$s$sfx" $(( $(date +%s) - t ))
done
printf '[run] all steps took %d s\n' $(( $(date +%s) - total ))
