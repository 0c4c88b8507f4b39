#!/bin/bash
# build: configure and build a test kernel in build/obj-$LAB_ARCH.
#   x86_64: allnoconfig + config/x86_64.config
#   arm64:  allnoconfig + config/arm64.config (cross-built)
# (merge_config.sh, then olddefconfig); every option the lab fragment sets must
# survive olddefconfig, or the build fails naming it. With LAB_KERNEL=perf,
# config/x86_64-perf.config goes on top, into build/obj-x86_64-perf.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step build
[ "$LAB_ARCH" = x86_64 ] || step "build-$LAB_ARCH"

JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
KMAKE=(make -s -C "$TREE" O="$OUT" -j"$JOBS" "${KARCH[@]}" CC="ccache $KCC" HOSTCC="ccache gcc")
log=$LOGDIR/build-$LAB_ARCH${LAB_KERNEL:+-$LAB_KERNEL}.log
clog=$LOGDIR/config-$LAB_ARCH${LAB_KERNEL:+-$LAB_KERNEL}.log

mkdir -p "$OUT"
inputs=$(cat "${FRAGMENTS[@]}" "$TREE/Makefile" | sha256sum | cut -d' ' -f1)
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.lab-config-inputs" 2>/dev/null)" != "$inputs" ]; then
	info "configuring: allnoconfig + ${FRAGMENTS[*]#$LAB/}"
	"${KMAKE[@]}" allnoconfig >"$clog"
	(cd "$TREE" && env "${KARCH[@]}" scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" \
		"${FRAGMENTS[@]}") >>"$clog" 2>&1 || die "merge_config.sh failed (see $clog)"
	"${KMAKE[@]}" olddefconfig >>"$clog" 2>&1 || die "olddefconfig failed (see $clog)"
	echo "$inputs" >"$OUT/.lab-config-inputs"
fi

# Every option the fragments set must have stuck (the last setting counts).
if ! unstuck_options "$TREE/scripts/config" "$OUT/.config" "${FRAGMENTS[@]}" >"$clog.unstuck"; then
	while read -r l; do warn "$l (a dependency is missing?)"; done <"$clog.unstuck"
	rm -f "$OUT/.lab-config-inputs"
	die "options from ${FRAGMENTS[*]#$LAB/} did not stick"
fi

info "building $(basename "$KIMAGE") and modules with $JOBS jobs (ccache: $CCACHE_DIR)"
start=$(date +%s)
if ! "${KMAKE[@]}" "$(basename "$KIMAGE")" modules >"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -n 20 >&2
	die "kernel build failed (see $log)"
fi
# modpost must have seen every symbol the modules use: an undefined one is
# a missing EXPORT_SYMBOL that a distribution kernel would hit at load.
if grep -E '^(ERROR|WARNING): modpost: ' "$log" >"$log.modpost"; then
	cat "$log.modpost" >&2
	die "modpost: $(wc -l <"$log.modpost") problem(s) (see $log)"
fi
# The modules, stripped, with modules.dep (depmod), for the initramfs.
rm -rf "$OUT/modules"
"${KMAKE[@]}" INSTALL_MOD_PATH="$OUT/modules" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	die "modules_install failed (see $log)"
info "kernel built in $(( $(date +%s) - start )) s: $OUT/$KIMAGE, $(find "$OUT/modules" -name '*.ko' | wc -l) modules"
