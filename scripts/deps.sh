#!/bin/bash
# deps: install with apt-get what the lab needs and is missing.
# Pins linux-source-6.12 to the version named in series/BASE; falls back, loudly,
# to the newest 6.12 that apt serves.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step deps

PKGS=(build-essential git make gcc libc6-dev bc flex bison cpio kmod xz-utils
      libelf-dev libssl-dev dwarves python3 rsync ccache sparse
      libcap-dev libnuma-dev liburing-dev python3-ply python3-git
      qemu-system-x86 busybox-static acpica-tools gcc-aarch64-linux-gnu
      libc6-dev-arm64-cross liburcu-dev qemu-system-arm qemu-efi-aarch64)
# The arm64 guest's busybox: Debian's arm64 busybox-static, unpacked into
# build/ (installing it would replace the x86 one), with dpkg's arm64
# architecture added so that apt-get can download it.
BB_ARM64=$BUILD/busybox-arm64/bin/busybox

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

src_ok=0
if dpkg-query -W -f='${Status} ${Version}' "$SRC_PKG" 2>/dev/null |
		grep -q "ok installed $SRC_VERSION\$"; then
	src_ok=1
elif ls /usr/src/linux-source-6.12.tar.xz >/dev/null 2>&1 && [ "${LAB_ALLOW_OTHER_BASE:-0}" = 1 ]; then
	src_ok=1
fi

arm64_busybox() {
	local d=$BUILD/busybox-arm64
	[ -x "$BB_ARM64" ] && return 0
	[ "$(id -u)" = 0 ] || die "need root to add dpkg's arm64 architecture (busybox-static:arm64)"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		apt-get update -q >"$LOGDIR/apt-update.log" 2>&1 ||
			die "apt-get update failed (see $LOGDIR/apt-update.log)"
	fi
	rm -rf "$d" && mkdir -p "$d"
	(cd "$d" && apt-get download -q busybox-static:arm64) >"$LOGDIR/apt-busybox.log" 2>&1 ||
		die "apt-get download busybox-static:arm64 failed (see $LOGDIR/apt-busybox.log)"
	dpkg-deb -x "$d"/busybox-static_*_arm64.deb "$d" && [ -x "$BB_ARM64" ] ||
		die "no bin/busybox in busybox-static:arm64"
	info "arm64 busybox: $BB_ARM64"
}

if [ ${#missing[@]} -eq 0 ] && [ $src_ok = 1 ]; then
	arm64_busybox
	info "all packages present"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "need root to apt-get install: ${missing[*]} $SRC_PKG"
export DEBIAN_FRONTEND=noninteractive
info "apt-get update"
apt-get update -q >"$LOGDIR/apt-update.log" 2>&1 ||
	die "apt-get update failed (see $LOGDIR/apt-update.log)"

src="$SRC_PKG=$SRC_VERSION"
if ! apt-cache madison "$SRC_PKG" | awk '{print $3}' | grep -qx "$SRC_VERSION"; then
	newest=$(apt-cache madison "$SRC_PKG" | awk '{print $3}' | sort -V | tail -n1)
	[ -n "$newest" ] || die "apt serves no $SRC_PKG at all"
	warn "**************************************************************"
	warn "$SRC_PKG $SRC_VERSION is not available from apt;"
	warn "falling back to $newest. series/BASE does NOT describe this tree."
	warn "**************************************************************"
	src="$SRC_PKG=$newest"
fi

info "apt-get install ${missing[*]} $src"
apt-get install -y -q --no-install-recommends "${missing[@]}" "$src" \
	>"$LOGDIR/apt-install.log" 2>&1 ||
	die "apt-get install failed (see $LOGDIR/apt-install.log): $(tail -n 3 "$LOGDIR/apt-install.log")"
info "installed"
arm64_busybox
