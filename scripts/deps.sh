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
      libc6-dev-arm64-cross liburcu-dev)

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

if [ ${#missing[@]} -eq 0 ] && [ $src_ok = 1 ]; then
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
