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
# The arm64 guest's programs: Debian's arm64 busybox-static, and
# qemu-system-arm with the libraries of its dependencies (QEMU inside the
# arm64 guest, lab:vm-gpu-poison), unpacked into build/arm64-root
# (installing them would replace the x86 ones), with dpkg's arm64
# architecture added so that apt-get can download them.
ARM64_ROOT=$BUILD/arm64-root
ARM64_PKGS=(busybox-static qemu-system-arm)
# (the libraries: packages lib* and zlib*)

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

arm64_packages() {
	local d=$BUILD/arm64-debs want p
	want=$(printf '%s\n' "${ARM64_PKGS[@]}" lib zlib | sha256sum | cut -d' ' -f1)
	[ "$(cat "$ARM64_ROOT/.lab-packages" 2>/dev/null)" = "$want" ] && return 0
	[ "$(id -u)" = 0 ] || die "need root to add dpkg's arm64 architecture (${ARM64_PKGS[*]/%/:arm64})"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		apt-get update -q >"$LOGDIR/apt-update.log" 2>&1 ||
			die "apt-get update failed (see $LOGDIR/apt-update.log)"
	fi
	# The packages and, of what they depend on, the arm64 libraries.
	p=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "${ARM64_PKGS[@]/%/:arm64}" |
		sed -n 's/^\(\(lib\|zlib\)[^ ]*\):arm64$/\1:arm64/p' | sort -u) ||
		die "apt-cache depends ${ARM64_PKGS[*]/%/:arm64} failed"
	# build/busybox-arm64 was the old layout's.
	rm -rf "$d" "$ARM64_ROOT" "$BUILD/busybox-arm64" && mkdir -p "$d" "$ARM64_ROOT"
	(cd "$d" && apt-get download -q "${ARM64_PKGS[@]/%/:arm64}" $p) >"$LOGDIR/apt-arm64.log" 2>&1 ||
		die "apt-get download of arm64 packages failed (see $LOGDIR/apt-arm64.log)"
	for p in "$d"/*.deb; do
		dpkg-deb -x "$p" "$ARM64_ROOT" || die "cannot unpack $p"
	done
	[ -x "$ARM64_ROOT/bin/busybox" ] || die "no bin/busybox in busybox-static:arm64"
	[ -x "$ARM64_ROOT/usr/bin/qemu-system-aarch64" ] || die "no qemu-system-aarch64 in qemu-system-arm:arm64"
	rm -rf "$d"
	echo "$want" >"$ARM64_ROOT/.lab-packages"
	info "arm64 programs: $ARM64_ROOT ($(du -sh "$ARM64_ROOT" | cut -f1))"
}

# Debian's kernel configurations for amd64 and arm64 (package
# linux-config-6.12 of each architecture, at the base's version), unpacked
# into build/debian-config: the hygiene step compiles the stack with them.
DEBIAN_CONFIG=$BUILD/debian-config
debian_configs() {
	local d=$BUILD/debian-config-debs v a
	[ "$(cat "$DEBIAN_CONFIG/.lab-version" 2>/dev/null)" = "$SRC_VERSION" ] && return 0
	v=$SRC_VERSION
	if ! apt-cache madison linux-config-6.12 | awk '{print $3}' | grep -qx "$v"; then
		v=$(apt-cache madison linux-config-6.12 | awk '{print $3}' | sort -V | tail -n1)
		[ -n "$v" ] || die "apt serves no linux-config-6.12"
		warn "linux-config-6.12 $SRC_VERSION is not available from apt: using $v"
	fi
	rm -rf "$d" "$DEBIAN_CONFIG" && mkdir -p "$d" "$DEBIAN_CONFIG"
	(cd "$d" && for a in amd64 arm64; do apt-get download -q "linux-config-6.12:$a=$v" || exit 1; done) \
		>"$LOGDIR/apt-debian-config.log" 2>&1 ||
		die "apt-get download of linux-config-6.12 failed (see $LOGDIR/apt-debian-config.log)"
	for p in "$d"/*.deb; do
		dpkg-deb --fsys-tarfile "$p" | tar -x -C "$DEBIAN_CONFIG" --strip-components=4 \
			--wildcards './usr/src/linux-config-6.12/config.*' ||
			die "cannot unpack $p"
	done
	for a in amd64 arm64; do
		xz -d "$DEBIAN_CONFIG/config.${a}_none_$a.xz" ||
			die "linux-config-6.12:$a has no config.${a}_none_$a"
	done
	rm -rf "$d" "$DEBIAN_CONFIG"/*.xz
	echo "$SRC_VERSION" >"$DEBIAN_CONFIG/.lab-version"
	info "Debian's configurations $v: $DEBIAN_CONFIG"
}

if [ ${#missing[@]} -eq 0 ] && [ $src_ok = 1 ]; then
	arm64_packages
	debian_configs
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
arm64_packages
debian_configs
