#!/bin/bash
# hygiene: checks on series/ itself, written as TAP to build/logs/hygiene.tap
# (scripts/results.py counts them with the tests):
#   checkpatch  scripts/checkpatch.pl --strict on every patch (config/checkpatch.conf)
#   w1-build    after each patch in turn, the directories it touches build with
#               W=1 and no warning that its parent did not have (bisectability)
#   sparse      make C=2 on every .c file the series touches: no new warning
#   kernel-doc  scripts/kernel-doc -Wall on every .c/.h it touches: no new warning
# The whole kernel is linked by the build step. The per-patch builds use their
# own worktree (build/bisect) and objects (build/obj-bisect).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step hygiene

TAPF=$LOGDIR/hygiene.tap
WT=$BUILD/bisect
BOBJ=$BUILD/obj-bisect
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
mapfile -t patches < <(ls "$LAB"/series/[0-9]*.patch 2>/dev/null | grep -v '/0000-' || true)
mapfile -t commits < <(git -C "$TREE" rev-list --reverse base..HEAD)
n=0
: >"$TAPF.tmp"
tap() { # tap ok|not-ok NAME [DIAG-FILE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2" >>"$TAPF.tmp"
	else
		echo "not ok $n $2" >>"$TAPF.tmp"
		warn "$2"
		[ -z "${3:-}" ] || { sed 's/^/    /' "$3" | head -n 40 >&2; }
	fi
}
finish() {
	{ echo "TAP version 13"; echo "1..$n"; cat "$TAPF.tmp"; } >"$TAPF"
	rm -f "$TAPF.tmp"
	info "$(grep -c '^ok' "$TAPF" || true) ok, $(grep -c '^not ok' "$TAPF" || true) not ok: $TAPF"
}
trap finish EXIT

if [ ${#patches[@]} -eq 0 ]; then
	info "series/ is empty: nothing to check"
	echo "ok 1 series/ is empty # SKIP nothing to check" >>"$TAPF.tmp"; n=1
	exit 0
fi
[ ${#commits[@]} -eq ${#patches[@]} ] ||
	die "build/linux has ${#commits[@]} commits over base, series/ ${#patches[@]} patches: run 'make tree'"

# --- cover letter ----------------------------------------------------------
cover=$LAB/series/0000-cover-letter.patch
if [ -f "$cover" ] && ! grep -q '\*\*\* .* HERE \*\*\*' "$cover" &&
   grep -qF "$SRC_VERSION" "$cover" && grep -qF "$SRC_SHA256" "$cover"; then
	tap ok "cover letter: written, names the base"
else
	tap not-ok "cover letter: missing, has git's placeholders, or does not name $SRC_PKG $SRC_VERSION and its sha256"
fi

# --- checkpatch ------------------------------------------------------------
mapfile -t cpopts < <(sed -e 's/#.*//' -e '/^\s*$/d' "$LAB/config/checkpatch.conf")
for p in "${patches[@]}"; do
	log=$LOGDIR/checkpatch-$(basename "$p" .patch).log
	# Debian's python3 first: spdxcheck.py needs its python3-ply and python3-git.
	(cd "$TREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		${cpopts[@]+"${cpopts[@]}"} "$p") >"$log" 2>&1 || true
	if grep -qE '^(ERROR|WARNING|CHECK):|^Traceback' "$log"; then
		tap not-ok "checkpatch $(basename "$p")" "$log"
	else
		tap ok "checkpatch $(basename "$p")"
	fi
done

# --- the files and directories each patch touches ---------------------------
touched_c=$(git -C "$TREE" diff --name-only --diff-filter=AM base HEAD -- '*.c' | grep -v '^tools/\|^samples/\|^scripts/' || true)
consumers=$(for f in $touched_c; do dirname "$f"; done | sort -u)
dirs_of() { # the buildable kernel directories commit $1 touches
	git -C "$TREE" diff-tree --no-commit-id --name-only -r "$1" | while read -r f; do
		case "$f" in
		tools/*|Documentation/*|scripts/*|samples/*|usr/*|LICENSES/*|MAINTAINERS) ;;
		include/*|arch/*/include/*) echo "$consumers" ;;  # headers: their users
		*) d=$(dirname "$f"); [ -f "$TREE/$d/Makefile" ] || [ -f "$TREE/$d/Kbuild" ] && echo "$d" ;;
		esac
	done | grep . | sort -u || true
}

# --- W=1 build after each patch --------------------------------------------
git -C "$TREE" worktree prune
[ -d "$WT/.git" ] || [ -f "$WT/.git" ] || git -C "$TREE" worktree add -q --detach "$WT" base
mkdir -p "$BOBJ"
if ! cmp -s "$OUT/.config" "$BOBJ/.config"; then
	cp "$OUT/.config" "$BOBJ/.config"
fi
# -Werror (CONFIG_WERROR, CONFIG_KVM_WERROR) off: warnings are compared, not fatal.
bmake() { make -C "$WT" O="$BOBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" \
	CONFIG_WERROR= CONFIG_KVM_WERROR= "$@"; }
# Warnings of a build, without line numbers, so moved code is not "new".
warnings() { { grep -E 'warning:|error:' "$1" || true; } | sed -E 's/:[0-9]+(:[0-9]+)?:/:/; s/^.*\/(build\/bisect|obj-bisect)\///' | sort -u; }
# A build prints the warnings of what it recompiles only. $DB keeps, per
# source file, the warnings of its last compile: the parent's state of every
# file a build recompiles is there before that build.
DB=$LOGDIR/w1-warnings.db
: >"$DB"
db_update() { # db_update LOG: the files LOG recompiled with warnings
	warnings "$1" >"$DB.log"
	cut -d: -f1 "$DB.log" | sort -u >"$DB.files"
	{ grep -v -F -f <(sed 's/$/:/' "$DB.files") "$DB" || true; cat "$DB.log"; } | sort -u >"$DB.new"
	mv "$DB.new" "$DB"
}
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	name=$(basename "${patches[$i]}")
	mapfile -t dirs < <(dirs_of "$c")
	if [ ${#dirs[@]} -eq 0 ]; then
		tap ok "w1-build $name # SKIP touches no kernel directory"
		continue
	fi
	targets=("${dirs[@]/%//}")
	before=$LOGDIR/w1-$i-parent.log
	after=$LOGDIR/w1-$i.log
	git -C "$WT" checkout -q --detach "$c~1"
	bmake -s W=1 "${targets[@]}" >"$before" 2>&1 || true
	db_update "$before"
	cp "$DB" "$DB.parent"
	git -C "$WT" checkout -q --detach "$c"
	if ! bmake -s W=1 "${targets[@]}" >"$after" 2>&1; then
		tap not-ok "w1-build $name: ${dirs[*]} do not build" "$after"
		continue
	fi
	db_update "$after"
	comm -13 "$DB.parent" <(warnings "$after") >"$after.new"
	if [ -s "$after.new" ]; then
		tap not-ok "w1-build $name: new W=1 warnings in ${dirs[*]}" "$after.new"
	else
		tap ok "w1-build $name (${dirs[*]})"
	fi
done

# --- sparse and kernel-doc on the files the series touches -------------------
# One sparse run over all of them at the base (those that exist there), one
# at the head.
objs_at() { for f in $touched_c; do
	git -C "$TREE" cat-file -e "$1:$f" 2>/dev/null && echo "${f%.c}.o"; done; }
sparse_at() { # sparse_at COMMIT LOG
	: >"$2"
	mapfile -t objs < <(objs_at "$1")
	[ ${#objs[@]} -gt 0 ] || return 0
	git -C "$WT" checkout -q --detach "$1"
	bmake -k -s C=2 "${objs[@]}" >"$2" 2>&1
}
if [ -n "$touched_c" ]; then
	# Warnings can point into headers (a lock imbalance, say): compare all
	# that the run over these files prints, wherever they point.
	sparse_at base "$LOGDIR/sparse-before.log" || true
	nfiles=$(echo $touched_c | wc -w)
	if ! sparse_at "${commits[-1]}" "$LOGDIR/sparse-after.log" &&
	   grep -q 'error:' "$LOGDIR/sparse-after.log"; then
		tap not-ok "sparse: the $nfiles files the series touches do not build" "$LOGDIR/sparse-after.log"
	else
		comm -13 <(warnings "$LOGDIR/sparse-before.log") \
			<(warnings "$LOGDIR/sparse-after.log") >"$LOGDIR/sparse.new"
		if [ -s "$LOGDIR/sparse.new" ]; then
			tap not-ok "sparse: new warnings in the $nfiles files the series touches" "$LOGDIR/sparse.new"
		else
			tap ok "sparse: no new warning in the $nfiles files the series touches ($(echo $touched_c))"
		fi
	fi
fi
# --- arm64 -----------------------------------------------------------------
# nvgrace-gpu runs on arm64 (NVIDIA Grace): mm/, VFIO, GHES, KVM and the test module
# cross-built at the head with W=1 (arm64 defconfig + config/arm64.config),
# no warning in a file the series touches; and the driver once more without
# CONFIG_MEMORY_FAILURE, where the registry is stubs.
touched_all=$(git -C "$TREE" diff --name-only base HEAD | grep -v '^tools/\|^Documentation/' || true)
git -C "$WT" checkout -q --detach "${commits[-1]}"
amake() { make -C "$WT" O="$1" -j"$JOBS" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc" CONFIG_WERROR= "${@:2}"; }
arm64_config() { # arm64_config OBJDIR FRAGMENT...: the last fragment's options must stick
	mkdir -p "$1"
	amake "$1" -s defconfig >"$1.log" 2>&1 &&
	(cd "$WT" && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O "$1" "$1/.config" "${@:2}") >>"$1.log" 2>&1 &&
	amake "$1" -s olddefconfig >>"$1.log" 2>&1 &&
	unstuck_options "$WT/scripts/config" "$1/.config" "${@: -1}" >>"$1.log"
}
AOBJ=$BUILD/obj-arm64
alog=$LOGDIR/arm64-w1.log
if ! arm64_config "$AOBJ" "$LAB/config/arm64.config"; then
	tap not-ok "arm64: configuration" "$AOBJ.log"
elif ! amake "$AOBJ" -s W=1 mm/ drivers/vfio/ drivers/acpi/apei/ arch/arm64/kvm/ lib/test_pfn_poison.o >"$alog" 2>&1; then
	tap not-ok "arm64 W=1: mm/ drivers/vfio/ drivers/acpi/apei/ arch/arm64/kvm/ lib/test_pfn_poison.o do not build" "$alog"
else
	warnings "$alog" | grep -F -f <(echo "$touched_all" | sed 's/$/:/') >"$alog.touched" || true
	if [ -s "$alog.touched" ]; then
		tap not-ok "arm64 W=1: warnings in files the series touches" "$alog.touched"
	else
		tap ok "arm64 W=1: mm/ drivers/vfio/ drivers/acpi/apei/ arch/arm64/kvm/ lib/test_pfn_poison.o, no warning in the series' files ($(warnings "$alog" | wc -l) elsewhere)"
	fi
fi
printf '%s\n' "# CONFIG_MEMORY_FAILURE is not set" CONFIG_VFIO_PCI=y \
	CONFIG_NVGRACE_GPU_VFIO_PCI=y >"$BUILD/arm64-nomf.config"
alog=$LOGDIR/arm64-nomf.log
if ! arm64_config "$AOBJ-nomf" "$LAB/config/arm64.config" "$BUILD/arm64-nomf.config"; then
	tap not-ok "arm64 without MEMORY_FAILURE: configuration" "$AOBJ-nomf.log"
elif ! amake "$AOBJ-nomf" -s W=1 drivers/vfio/pci/ >"$alog" 2>&1; then
	tap not-ok "arm64 without MEMORY_FAILURE: drivers/vfio/pci/ does not build" "$alog"
elif warnings "$alog" | grep -F -f <(echo "$touched_all" | sed 's/$/:/') >"$alog.touched"; then
	tap not-ok "arm64 without MEMORY_FAILURE: warnings in files the series touches" "$alog.touched"
else
	tap ok "arm64 without MEMORY_FAILURE: drivers/vfio/pci/ builds with W=1, no warning in the series' files"
fi

for f in $(git -C "$TREE" diff --name-only --diff-filter=AM base HEAD -- '*.c' '*.h' | grep -v '^tools/' || true); do
	kd() { (cd "$TREE" && git show "$1:$f" >"$LOGDIR/kd.$2.tmp" 2>/dev/null &&
		scripts/kernel-doc -none -Wall "$LOGDIR/kd.$2.tmp" 2>&1 |
		sed -E "s|$LOGDIR/kd.$2.tmp:[0-9]+:||" | sort -u) || true; }
	comm -13 <(kd base b) <(kd HEAD a) >"$LOGDIR/kernel-doc.new"
	if [ -s "$LOGDIR/kernel-doc.new" ]; then
		tap not-ok "kernel-doc $f: new warnings" "$LOGDIR/kernel-doc.new"
	else
		tap ok "kernel-doc $f"
	fi
done
exit 0
