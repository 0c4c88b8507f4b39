#!/bin/bash
# build: configure and build the x86_64 test kernel in build/obj-x86_64.
#   config = x86_64_defconfig + kvm_guest.config + config/x86_64.config
# (merge_config.sh, then olddefconfig); every option the lab fragment sets must
# survive olddefconfig, or the build fails naming it. With LAB_KERNEL=perf,
# config/x86_64-perf.config goes on top, into build/obj-x86_64-perf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step build

JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
KMAKE=(make -s -C "$TREE" O="$OUT" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

mkdir -p "$OUT"
inputs=$(cat "$TREE/arch/x86/configs/x86_64_defconfig" "$TREE/kernel/configs/kvm_guest.config" \
	"${FRAGMENTS[@]}" "$TREE/Makefile" | sha256sum | cut -d' ' -f1)
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.lab-config-inputs" 2>/dev/null)" != "$inputs" ]; then
	info "configuring: x86_64_defconfig + kvm_guest.config + ${FRAGMENTS[*]#$LAB/}"
	"${KMAKE[@]}" x86_64_defconfig >"$LOGDIR/config.log"
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" \
		kernel/configs/kvm_guest.config "${FRAGMENTS[@]}") >>"$LOGDIR/config.log" 2>&1 ||
		die "merge_config.sh failed (see $LOGDIR/config.log)"
	"${KMAKE[@]}" olddefconfig >>"$LOGDIR/config.log" 2>&1 || die "olddefconfig failed (see $LOGDIR/config.log)"
	echo "$inputs" >"$OUT/.lab-config-inputs"
fi

# Every option the fragments set must have stuck (the last setting counts).
if ! unstuck_options "$TREE/scripts/config" "$OUT/.config" "${FRAGMENTS[@]}" >"$LOGDIR/config.unstuck"; then
	while read -r l; do warn "$l (a dependency is missing?)"; done <"$LOGDIR/config.unstuck"
	rm -f "$OUT/.lab-config-inputs"
	die "options from ${FRAGMENTS[*]#$LAB/} did not stick"
fi

info "building bzImage with $JOBS jobs (ccache: $CCACHE_DIR)"
start=$(date +%s)
if ! "${KMAKE[@]}" bzImage >"$LOGDIR/build.log" 2>&1; then
	grep -E 'error|Error' "$LOGDIR/build.log" | head -n 20 >&2
	die "kernel build failed (see $LOGDIR/build.log)"
fi
info "kernel built in $(( $(date +%s) - start )) s: $OUT/arch/x86/boot/bzImage"
