#!/bin/bash
# hygiene: checks on the stack of series/ itself, written as TAP to
# build/logs/hygiene.tap (scripts/results.py counts them with the tests):
#   am          each series applies with git am on the base plus the series
#               before it, and only those, and gives its branch's tree
#   cover       each cover letter is written, names the base, carries
#               base-commit: and prerequisite-patch-id: lines for exactly the
#               series before it (and names that one), and its To:/Cc: are
#               what scripts/get_maintainer.pl says for its patches
#   checkpatch  scripts/checkpatch.pl --strict on every patch (config/checkpatch.conf)
#   w1-build    after each patch of the stack in turn, the directories that
#               build what it touches build with W=1 and no warning that its
#               parent did not have, and every .c file it changes was compiled
#               (bisectability); a patch that changes a header is built in the
#               directories of its own series' .c files
#   sparse      make C=2 on every .c file the stack touches: no new warning
#   kernel-doc  scripts/kernel-doc -Wall on every .c/.h it touches: no new warning
#   abi         the structures of include/ that the base has keep their
#               members in place (scripts/abi-layout.py): new ones at the end
#   debian      the kernel .c files the stack changes, compiled at its top
#               with Debian's amd64 and arm64 configurations (package
#               linux-config-6.12, make deps) plus config/debian*.config,
#               W=1: no error, and no warning that the base did not have
#   arm64 ...   the arm64 machine's kernel: W=1 on the stack's files, the
#               driver without CONFIG_MEMORY_FAILURE, the arm64 kselftests
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
load_stack
top=${STACK[-1]}
patches=() pseries=()
for s in "${STACK[@]}"; do
	for p in $(series_patches "$s"); do patches+=("$p"); pseries+=("$s"); done
done
mapfile -t commits < <(git -C "$TREE" rev-list --reverse "base..$top")
n=0
: >"$TAPF.tmp"
tap() { # tap ok|not-ok NAME [DIAG-FILE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2" >>"$TAPF.tmp"
	else
		echo "not ok $n $2" >>"$TAPF.tmp"
		warn "$2"
		# (sed alone: with head, a long file's SIGPIPE would end the step)
		[ -z "${3:-}" ] || sed -n '1,40s/^/    /p' "$3" >&2
	fi
}
finish() {
	{ echo "TAP version 13"; echo "1..$n"; cat "$TAPF.tmp"; } >"$TAPF"
	rm -f "$TAPF.tmp"
	info "$(grep -c '^ok' "$TAPF" || true) ok, $(grep -c '^not ok' "$TAPF" || true) not ok: $TAPF"
}
trap finish EXIT

[ ${#commits[@]} -eq ${#patches[@]} ] ||
	die "build/linux has ${#commits[@]} commits from base to $top, series/ ${#patches[@]} patches: run 'make tree'"
git -C "$TREE" worktree prune
# build/bisect: a worktree of this build/linux (a remade tree leaves a stale one).
if [ "$(cd "$WT" 2>/dev/null && realpath "$(git rev-parse --git-common-dir 2>/dev/null)")" != "$(realpath "$TREE/.git")" ]; then
	rm -rf "$WT"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$WT" base
fi
wt() { git -C "$WT" "$@"; }
# stack_upto I: "base + " the series before ${STACK[I]}
stack_upto() { local j; printf base; for ((j = 0; j < $1; j++)); do printf ' + %s' "${STACK[$j]}"; done; }

# --- each series applies on the base plus the series before it -------------
wt am --abort >/dev/null 2>&1 || true
wt checkout -q -f --detach base
failed=
for i in "${!STACK[@]}"; do
	s=${STACK[$i]}
	on=$(stack_upto "$i")
	if [ -n "$failed" ]; then
		tap not-ok "am $s: not tried, $failed does not apply"
		continue
	fi
	for p in $(series_patches "$s"); do
		if ! wt am -q --keep-cr "$p" >"$LOGDIR/am-$s.log" 2>&1; then
			wt am --abort >/dev/null 2>&1 || true
			tap not-ok "am $s: $(basename "$p") does not apply on $on" "$LOGDIR/am-$s.log"
			failed=$s
			break
		fi
	done
	[ -z "$failed" ] || continue
	if [ "$(wt rev-parse 'HEAD^{tree}')" != "$(git -C "$TREE" rev-parse "$s^{tree}")" ]; then
		tap not-ok "am $s: applies on $on, but the result is not branch $s of build/linux (make tree)"
	else
		tap ok "am $s: $(series_patches "$s" | wc -l) patches apply with git am on $on"
	fi
done

# --- cover letters -----------------------------------------------------------
base_commit=$(git -C "$TREE" rev-parse base)
src_sum=$(src_sha256)
for i in "${!STACK[@]}"; do
	s=${STACK[$i]}
	cover=$LAB/series/$s/0000-cover-letter.patch
	if [ ! -f "$cover" ] || grep -q '\*\*\* .* HERE \*\*\*' "$cover" ||
	   ! grep -qF "$SRC_VERSION" "$cover" || ! grep -qF "$src_sum" "$cover"; then
		tap not-ok "cover $s: missing, has git's placeholders, or does not name $SRC_PKG $SRC_VERSION and its sha256"
	else
		tap ok "cover $s: written, names the base"
	fi
	prev=$(prev_ref "$i")
	[ -f "$cover" ] || continue
	# What git format-patch --base writes for the series on the ones before
	# it (their branches are series/ itself: see the am rows). Not git
	# patch-id of the patch files: git 2.39's text parser gives other ids for
	# some patches than format-patch computes from the commits.
	want=$(git -C "$TREE" format-patch --stdout --cover-letter --base=base "$prev..$s" |
		sed -n 's/^prerequisite-patch-id: //p' | sort)
	have=$(sed -n 's/^prerequisite-patch-id: //p' "$cover" | sort)
	# The text, from the headers to git's shortlog.
	body=$(sed -n "/^\$/,/^$LAB_NAME ([0-9]*):\$/p" "$cover")
	if ! grep -qx "base-commit: $base_commit" "$cover"; then
		tap not-ok "cover $s: no 'base-commit: $base_commit' (the base)"
	elif [ "$want" != "$have" ]; then
		tap not-ok "cover $s: its prerequisite-patch-id lines do not match the series before it ($prev): make export SERIES=$s"
	elif [ "$i" -gt 0 ] && ! grep -qwF -- "$prev" <<<"$body"; then
		tap not-ok "cover $s: does not say in words what it needs: name the series before it, $prev"
	else
		tap ok "cover $s: base-commit and $(echo "$have" | grep -c . || true) prerequisite-patch-id lines: $(stack_upto "$i")"
	fi
	if ! recipients "$s" $(series_patches "$s") >"$LOGDIR/recipients-$s.want" 2>&1; then
		tap not-ok "cover $s: scripts/get_maintainer.pl failed" "$LOGDIR/recipients-$s.want"
		continue
	fi
	python3 - "$cover" >"$LOGDIR/recipients-$s.have" <<'PY'
import re, sys
head = open(sys.argv[1]).read().partition('\n\n')[0]
for m in re.finditer(r'^(To|Cc): .*(?:\n\s.*)*', head, re.M):
    print(m.group(0))
PY
	if cmp -s "$LOGDIR/recipients-$s.want" "$LOGDIR/recipients-$s.have"; then
		tap ok "cover $s: To/Cc as scripts/get_maintainer.pl gives them ($(grep -c . "$LOGDIR/recipients-$s.want") lines)"
	else
		diff "$LOGDIR/recipients-$s.have" "$LOGDIR/recipients-$s.want" >"$LOGDIR/recipients-$s.diff" || true
		tap not-ok "cover $s: To/Cc differ from what scripts/get_maintainer.pl gives (make export SERIES=$s)" "$LOGDIR/recipients-$s.diff"
	fi
done

# --- checkpatch ------------------------------------------------------------
mapfile -t cpopts < <(sed -e 's/#.*//' -e '/^\s*$/d' "$LAB/config/checkpatch.conf")
for i in "${!patches[@]}"; do
	p=${patches[$i]} s=${pseries[$i]}
	log=$LOGDIR/checkpatch-$s-$(basename "$p" .patch).log
	# Debian's python3 first: spdxcheck.py needs its python3-ply and python3-git.
	(cd "$TREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		${cpopts[@]+"${cpopts[@]}"} "$p") >"$log" 2>&1 || true
	if grep -qE '^(ERROR|WARNING|CHECK):|^Traceback' "$log"; then
		tap not-ok "checkpatch $s/$(basename "$p")" "$log"
	else
		tap ok "checkpatch $s/$(basename "$p")"
	fi
done

# --- the files and directories each patch touches ---------------------------
# build_dir_of FILE: the directory whose Makefile builds FILE: its own, or
# for a directory without one, the one that includes its objects; "?DIR"
# when there is none (a hole in the check, reported as a failure).
build_dir_of() {
	local d
	d=$(dirname "$1")
	if [ -f "$TREE/$d/Makefile" ] || [ -f "$TREE/$d/Kbuild" ]; then
		echo "$d"
		return
	fi
	case "$d" in
	virt/kvm) echo arch/x86/kvm ;;   # KVM := ../../../virt/kvm in its Makefile
	*) echo "?$d" ;;
	esac
}
not_kernel() { case "$1" in tools/*|Documentation/*|scripts/*|samples/*|usr/*|LICENSES/*|MAINTAINERS) return 0 ;; esac; return 1; }
stack_index() { local k; for k in "${!STACK[@]}"; do [ "${STACK[$k]}" != "$1" ] || { echo "$k"; return; }; done; }
# consumers_of I: the directories that build the kernel .c files series I
# changes: where the users of a header it changes are. A header patch is
# built there, in its own series' directories; the other series' directories
# are built by their own patches, and the whole kernel by the build step.
consumers_of() {
	git -C "$TREE" diff --name-only --diff-filter=AM "$(prev_ref "$1")" "${STACK[$1]}" -- '*.c' |
	while read -r f; do not_kernel "$f" || build_dir_of "$f"; done | sort -u
}
dirs_of() { # dirs_of COMMIT I: the directories to build with W=1 after COMMIT, of series I
	git -C "$TREE" diff-tree --no-commit-id --name-only -r "$1" | while read -r f; do
		not_kernel "$f" && continue
		case "$f" in
		include/*|arch/*/include/*) consumers_of "$2" ;;  # headers: their users
		*) build_dir_of "$f" ;;
		esac
	done | grep . | sort -u || true
}
# Files that no x86_64 configuration compiles: mm/nommu.c is the !MMU
# counterpart of mm/mmap.c. A patch that changes one is checked in the
# files around it only; its row says so.
NOT_ON_X86=" mm/nommu.c "
# compiled_of: the .c files commit $1 adds or changes, which must be compiled after it
compiled_of() {
	git -C "$TREE" diff-tree --no-commit-id --name-only --diff-filter=AM -r "$1" -- '*.c' |
	while read -r f; do not_kernel "$f" || [[ "$NOT_ON_X86" == *" $f "* ]] || echo "$f"; done
}
# uncompiled_of: the files of commit $1 that no x86_64 configuration compiles
uncompiled_of() {
	git -C "$TREE" diff-tree --no-commit-id --name-only --diff-filter=AM -r "$1" -- '*.c' |
	while read -r f; do [[ "$NOT_ON_X86" == *" $f "* ]] && echo "$f"; done || true
}

# --- ABI: what modules built for the base rely on ----------------------------
# Every structure of include/ that the base has and the stack changes keeps
# the members the base has, at their place: new members at the end only
# (Debian's 6.12 ABI; out-of-tree modules). scripts/abi-layout.py compares
# the definitions' text at base and at the top of the stack.
if python3 "$LAB/scripts/abi-layout.py" "$TREE" base "$top" >"$LOGDIR/abi.log" 2>&1; then
	tap ok "abi: $(grep -c '^ok' "$LOGDIR/abi.log" || true) structures of include/ that the stack changes keep the base's members in place"
else
	tap not-ok "abi: a structure of include/ moves members the base has" "$LOGDIR/abi.log"
fi

# --- W=1 build after each patch --------------------------------------------
mkdir -p "$BOBJ"
# -Werror (CONFIG_WERROR, CONFIG_KVM_WERROR) off: warnings are compared, not fatal.
bmake() { make -C "$WT" O="$BOBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" \
	CONFIG_WERROR= CONFIG_KVM_WERROR= "$@"; }
# Warnings of a build, without line numbers, so moved code is not "new".
warnings() { { grep -E 'warning:|error:' "$1" || true; } | sed -E 's/:[0-9]+(:[0-9]+)?:/:/; s/^.*\/(build\/bisect|obj-bisect)\///' | sort -u; }
# A build prints the warnings of what it recompiles only. $DB keeps, per
# file, the warnings of its last compile in $BOBJ, and lives as long as the
# objects do: the parent's state of every file a build recompiles is there
# before that build. Every build in $BOBJ goes through bmake_db.
DB=$BOBJ/.lab-w1-warnings.db
[ -f "$DB" ] || : >"$DB"
db_update() { # db_update LOG STAMP: the build that wrote LOG began at STAMP
	warnings "$1" >"$DB.log"
	{ cut -d: -f1 "$DB.log"
	  find "$BOBJ" -name '*.o' -newer "$2" | sed "s|^$BOBJ/||; s|\.o\$|.c|"
	} | sort -u >"$DB.files"
	{ grep -v -F -f <(sed 's/$/:/' "$DB.files") "$DB" || true; cat "$DB.log"; } | sort -u >"$DB.new"
	mv "$DB.new" "$DB"
}
bmake_db() { # bmake_db LOG MAKE-ARGS...: bmake, its output in LOG, and the DB updated
	local log=$1 rc=0
	shift
	# The test kernel's configuration, each time: a build at a commit
	# that lacks an option (one the stack adds later) drops it from the
	# .config, and the commit that adds it would then build without it.
	cmp -s "$OUT/.config" "$BOBJ/.config" || cp "$OUT/.config" "$BOBJ/.config"
	touch "$BOBJ/.lab-stamp"
	bmake "$@" >"$log" 2>&1 || rc=$?
	db_update "$log" "$BOBJ/.lab-stamp"
	return $rc
}
last_built= last_dirs=
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	name=${pseries[$i]}/$(basename "${patches[$i]}")
	mapfile -t dirs < <(dirs_of "$c" "$(stack_index "${pseries[$i]}")")
	if [ ${#dirs[@]} -eq 0 ]; then
		tap ok "w1-build $name # SKIP touches no kernel directory"
		continue
	fi
	if printf '%s\n' "${dirs[@]}" | grep -q '^?'; then
		tap not-ok "w1-build $name: no Makefile builds $(printf '%s\n' "${dirs[@]}" | sed -n 's/^?//p' | tr '\n' ' ')(teach build_dir_of in scripts/hygiene.sh)"
		continue
	fi
	targets=("${dirs[@]/%//}")
	before=$LOGDIR/w1-$i-parent.log
	after=$LOGDIR/w1-$i.log
	# The parent: unless the last build was of that very commit, in at
	# least these directories, and went through (then it has nothing to
	# do, and the warnings it would record are recorded already).
	if [ "$last_built" != "$(git -C "$TREE" rev-parse "$c~1")" ] ||
	   [ -n "$(comm -23 <(printf '%s\n' "${dirs[@]}" | sort) <(tr ' ' '\n' <<<"$last_dirs" | sort))" ]; then
		git -C "$WT" checkout -q --detach "$c~1"
		bmake_db "$before" -s W=1 "${targets[@]}" || true
	else
		echo "parent $c~1 built just before, in ${last_dirs}" >"$before"
	fi
	cp "$DB" "$DB.parent"
	git -C "$WT" checkout -q --detach "$c"
	last_built= last_dirs="${dirs[*]}"
	if ! bmake_db "$after" -s W=1 "${targets[@]}"; then
		tap not-ok "w1-build $name: ${dirs[*]} do not build" "$after"
		continue
	fi
	last_built=$(git -C "$TREE" rev-parse "$c")
	comm -13 "$DB.parent" <(warnings "$after") >"$after.new"
	# Every .c file the patch changes must have been compiled just now.
	for f in $(compiled_of "$c"); do
		[ "$BOBJ/${f%.c}.o" -nt "$BOBJ/.lab-stamp" ] || echo "$f: not compiled by the build of ${dirs[*]} (not in the test kernel's configuration?)"
	done >>"$after.new"
	if [ -s "$after.new" ]; then
		tap not-ok "w1-build $name: new W=1 warnings, or changed files not compiled, in ${dirs[*]}" "$after.new"
	else
		nc=$(uncompiled_of "$c" | tr '\n' ' ')
		tap ok "w1-build $name (${dirs[*]})${nc:+; not compiled on x86_64: $nc}"
	fi
done

# --- sparse, per series -----------------------------------------------------
# make C=2 would check every file of a directory: scripts/sparse-only.sh runs
# sparse on the files a series touches only, each compiled from the
# directory that builds it (virt/kvm/ from arch/x86/kvm/), at the series
# before it and at its tip. It logs what it checked, so a file that was not
# checked is a failure, not a silent pass.
series_files() { # series_files I PATHSPEC...: kernel files series I adds or changes
	git -C "$TREE" diff --name-only --diff-filter=AM "$(prev_ref "$1")" "${STACK[$1]}" -- "${@:2}" |
	while read -r f; do not_kernel "$f" || echo "$f"; done
}
sparse_at() { # sparse_at COMMIT LOG FILE...: the files that exist at COMMIT
	local c=$1 log=$2 f
	shift 2
	mapfile -t have < <(for f in "$@"; do git -C "$TREE" cat-file -e "$c:$f" 2>/dev/null && echo "$f"; done)
	: >"$log" && : >"$log.checked" && : >"$log.make"
	[ ${#have[@]} -gt 0 ] || return 0
	wt checkout -q --detach "$c"
	# W=1 as in the per-patch builds, whose objects ccache then has. Each
	# file's own object where the per-patch builds compiled it in its own
	# directory (not the whole directory, which would recompile every
	# file that changed since the last build there); else the directory
	# that builds it: kbuild compiles an object named on the command line
	# even where the configuration does not, and such a file must stay
	# "not checked", as a directory build leaves it.
	LAB_SPARSE_FILES="${have[*]}" LAB_SPARSE_LOG=$log LAB_SPARSE_SRCTREE=$WT \
		bmake_db "$log.make" -k -s W=1 C=2 CHECK="$LAB/scripts/sparse-only.sh" \
		$(for f in "${have[@]}"; do
			d=$(build_dir_of "$f") o=${f%.c}.o
			if [ "$d" = "$(dirname "$f")" ] && [ -f "$BOBJ/$d/.$(basename "$o").cmd" ]; then
				echo "$o"
			else
				echo "$d/"
			fi
		done | sort -u)
}
for i in "${!STACK[@]}"; do
	s=${STACK[$i]}
	mapfile -t files < <(series_files "$i" '*.c' | while read -r f; do
		[[ "$NOT_ON_X86" == *" $f "* ]] || echo "$f"; done)
	if [ ${#files[@]} -eq 0 ]; then
		tap ok "sparse $s # SKIP changes no kernel .c file"
		continue
	fi
	before=$LOGDIR/sparse-$s-before.log
	after=$LOGDIR/sparse-$s.log
	sparse_at "$(prev_ref "$i")" "$before" "${files[@]}" || true
	if ! sparse_at "$s" "$after" "${files[@]}" && grep -q 'error:' "$after.make"; then
		tap not-ok "sparse $s: the files it touches do not build" "$after.make"
		continue
	fi
	comm -13 <(warnings "$before") <(warnings "$after") >"$after.new"
	for f in "${files[@]}"; do
		grep -qx "$f" "$after.checked" || echo "$f: sparse did not check it"
	done >>"$after.new"
	if [ -s "$after.new" ]; then
		tap not-ok "sparse $s: new warnings, or files not checked" "$after.new"
	else
		tap ok "sparse $s: no new warning in ${files[*]}"
	fi
done

# --- kernel-doc, per series ---------------------------------------------------
kd() { # kd COMMIT FILE: the kernel-doc warnings of FILE at COMMIT, without line numbers
	(cd "$TREE" && git show "$1:$2" >"$LOGDIR/kd.tmp" 2>/dev/null &&
		scripts/kernel-doc -none -Wall "$LOGDIR/kd.tmp" 2>&1 |
		sed -E "s|$LOGDIR/kd.tmp:[0-9]+:||" | sort -u) || true
}
for i in "${!STACK[@]}"; do
	s=${STACK[$i]}
	mapfile -t files < <(series_files "$i" '*.c' '*.h')
	if [ ${#files[@]} -eq 0 ]; then
		tap ok "kernel-doc $s # SKIP changes no kernel .c or .h file"
		continue
	fi
	for f in "${files[@]}"; do
		comm -13 <(kd "$(prev_ref "$i")" "$f") <(kd "$s" "$f") | sed "s|^|$f: |"
	done >"$LOGDIR/kernel-doc-$s.new"
	if [ -s "$LOGDIR/kernel-doc-$s.new" ]; then
		tap not-ok "kernel-doc $s: new warnings" "$LOGDIR/kernel-doc-$s.new"
	else
		tap ok "kernel-doc $s: no new warning in ${files[*]}"
	fi
done

# --- Debian's configurations ------------------------------------------------
# What users build: Debian's amd64 and arm64 kernels, drivers as modules.
# Only the objects of the .c files the stack changes are compiled (kbuild
# prepares what they need first), in build/bisect at the top of the stack,
# into build/obj-debian-ARCH; where one has a warning, it is compiled once
# more at the base, and only a warning that the base did not have fails.
# A file without a Makefile of its own (virt/kvm/) is compiled with the
# directory that builds it; a file that the configuration does not build
# is named in the row.
debian_row() { # debian_row DEBARCH MAKE-ARGS...
	local a=$1 cfg=$BUILD/debian-config/config.$1_none_$1 dobj=$BUILD/obj-debian-$1 f o
	local log=$LOGDIR/debian-$1.log frags=("$LAB/config/debian.config")
	shift
	[ -f "$LAB/config/debian-$a.config" ] && frags+=("$LAB/config/debian-$a.config")
	if [ ! -f "$cfg" ]; then
		tap not-ok "debian $a: no $cfg: run 'make deps'"
		return
	fi
	dmake() { make -C "$WT" O="$dobj" -j"$JOBS" "$@" CONFIG_WERROR=; }
	# configure SRC-COMMIT: Debian's configuration and ours on top, at that commit
	configure() {
		wt checkout -q -f --detach "$1"
		mkdir -p "$dobj"
		(cd "$WT" && env "${ARCHARGS[@]}" scripts/kconfig/merge_config.sh -m -O "$dobj" "$cfg" "${frags[@]}") &&
			dmake "${ARCHARGS[@]}" -s olddefconfig
	}
	ARCHARGS=("$@")
	mapfile -t files < <(git -C "$TREE" diff --name-only --diff-filter=AM base "$top" -- '*.c' |
		while read -r f; do
			not_kernel "$f" || [[ "$NOT_ON_X86" == *" $f "* ]] && continue
			case "$f" in arch/*) [[ "$f" == arch/${DEBARCH[$a]}/* ]] || continue ;; esac
			echo "$f"
		done)
	# objects_of FILE...: each file's object where its directory has a Makefile, else that directory.
	objects_of() {
		local f d
		for f; do
			d=$(build_dir_of "$f")
			case "$d" in arch/x86/kvm) d=arch/${DEBARCH[$a]}/kvm ;; esac
			if [ "$d" = "$(dirname "$f")" ]; then echo "${f%.c}.o"; else echo "$d/"; fi
		done | sort -u
	}
	mapfile -t targets < <(objects_of "${files[@]}")
	if ! { configure "$top" && unstuck_options "$TREE/scripts/config" "$dobj/.config" "${frags[@]}"; } >"$log.config" 2>&1; then
		tap not-ok "debian $a: configuration" "$log.config"
		return
	fi
	touch "$dobj/.lab-stamp"
	if ! dmake "${ARCHARGS[@]}" -k -s W=1 "${targets[@]}" >"$log" 2>&1; then
		tap not-ok "debian $a: the stack's files do not compile with Debian's configuration" "$log"
		return
	fi
	local built=() unbuilt=()
	for f in "${files[@]}"; do
		o=$dobj/${f%.c}.o
		if [ "$o" -nt "$dobj/.lab-stamp" ]; then built+=("$f"); else unbuilt+=("$f"); fi
	done
	# Warnings in the files the stack changes, its headers included.
	warnings "$log" | grep -F -f <(echo "$touched_all" | sed 's/$/:/') >"$log.top" || true
	: >"$log.new"
	if [ -s "$log.top" ]; then
		# The base's warnings in those files, for comparison.
		mapfile -t wfiles < <(cut -d: -f1 "$log.top" | sed 's|.*/\.\./||' | grep '\.c$' | sort -u)
		mapfile -t btargets < <(objects_of $(for f in "${wfiles[@]}"; do
			git -C "$TREE" cat-file -e "base:$f" 2>/dev/null && echo "$f"; done))
		: >"$log.base"
		if [ ${#btargets[@]} -gt 0 ]; then
			configure base >>"$log.config" 2>&1 &&
				dmake "${ARCHARGS[@]}" -k -s W=1 "${btargets[@]}" >"$log.base" 2>&1 || true
		fi
		comm -13 <(warnings "$log.base") "$log.top" >"$log.new"
		wt checkout -q -f --detach "$top"
	fi
	if [ -s "$log.new" ]; then
		tap not-ok "debian $a: new W=1 warnings with Debian's configuration" "$log.new"
	else
		tap ok "debian $a: ${#built[@]} .c files of the stack compile with Debian's configuration, W=1, no new warning${unbuilt[*]:+; not built by it: ${unbuilt[*]}}"
	fi
}
declare -A DEBARCH=([amd64]=x86 [arm64]=arm64)
touched_all=$(git -C "$TREE" diff --name-only base "$top" | grep -v '^tools/\|^Documentation/' || true)
debian_row amd64 ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc"
debian_row arm64 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc"

# --- arm64 -----------------------------------------------------------------
# nvgrace-gpu runs on arm64 (NVIDIA Grace). The arm64 machine's kernel
# (build/obj-arm64, allnoconfig + config/arm64.config, built from the head
# of the stack by 'make build-arm64') serves here too, not a second arm64
# kernel: every .c file the stack changes that it compiles is compiled once
# more to assembly (foo.s, which leaves its objects alone) with W=1, and
# must have no warning in a file the series touch. Then the driver once more
# without CONFIG_MEMORY_FAILURE, where the registry is stubs; and the arm64
# kselftests that 'make selftests-arm64' built must have had no warning.
AOBJ=$BUILD/obj-arm64
[ "${LAB_ARM64_PAGES:-64k}" = 64k ] || AOBJ+=-$LAB_ARM64_PAGES
amake() { make -C "$TREE" O="$1" -j"$JOBS" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc" CONFIG_WERROR= "${@:2}"; }
alog=$LOGDIR/arm64-w1.log
asm=()
for f in $(echo "$touched_all" | grep '\.c$' || true); do
	[ -f "$AOBJ/${f%.c}.o" ] && asm+=("${f%.c}.s")
done
if [ "$(git -C "$TREE" rev-parse HEAD)" != "$(git -C "$TREE" rev-parse "$top")" ] ||
		! git -C "$TREE" diff --quiet HEAD; then
	tap not-ok "arm64 W=1: build/linux is not at $top, as the arm64 kernel must be"
elif [ ! -f "$AOBJ/vmlinux" ]; then
	tap not-ok "arm64 W=1: no arm64 kernel in $AOBJ: run 'make build-arm64' first"
elif [ ${#asm[@]} -eq 0 ]; then
	tap not-ok "arm64 W=1: the arm64 kernel compiles none of the stack's .c files"
elif ! amake "$AOBJ" -s W=1 "${asm[@]}" >"$alog" 2>&1; then
	tap not-ok "arm64 W=1: ${asm[*]} do not compile" "$alog"
else
	warnings "$alog" | grep -F -f <(echo "$touched_all" | sed 's/$/:/') >"$alog.touched" || true
	if [ -s "$alog.touched" ]; then
		tap not-ok "arm64 W=1: warnings in files the series touches" "$alog.touched"
	else
		tap ok "arm64 W=1: the ${#asm[@]} .c files of the stack that the arm64 kernel builds, no warning in the series' files ($(warnings "$alog" | wc -l) elsewhere)"
	fi
fi
(cd "$AOBJ" && rm -f "${asm[@]}")
# The stubs: the users of the registry and the KUnit suite, which tests
# the stubs in such a kernel (make kunit runs it on UML).
printf '%s\n' "# CONFIG_MEMORY_FAILURE is not set" CONFIG_VFIO_PCI=m \
	CONFIG_NVGRACE_GPU_VFIO_PCI=m CONFIG_KUNIT=y \
	CONFIG_MEMORY_FAILURE_KUNIT_TEST=m >"$BUILD/arm64-nomf.config"
alog=$LOGDIR/arm64-nomf.log
nomf_targets="drivers/vfio/pci/ mm/memory.o mm/huge_memory.o mm/memory-failure-kunit.o"
NOMF=$AOBJ-nomf
mkdir -p "$NOMF"
if ! { amake "$NOMF" -s allnoconfig &&
	(cd "$TREE" && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O "$NOMF" "$NOMF/.config" \
		"$LAB/config/arm64.config" "$BUILD/arm64-nomf.config") &&
	amake "$NOMF" -s olddefconfig &&
	unstuck_options "$TREE/scripts/config" "$NOMF/.config" "$BUILD/arm64-nomf.config"; } >"$NOMF.log" 2>&1; then
	tap not-ok "arm64 without MEMORY_FAILURE: configuration" "$NOMF.log"
elif ! amake "$NOMF" -s W=1 $nomf_targets >"$alog" 2>&1; then
	tap not-ok "arm64 without MEMORY_FAILURE: $nomf_targets do not build" "$alog"
elif warnings "$alog" | grep -F -f <(echo "$touched_all" | sed 's/$/:/') >"$alog.touched"; then
	tap not-ok "arm64 without MEMORY_FAILURE: warnings in files the series touches" "$alog.touched"
else
	tap ok "arm64 without MEMORY_FAILURE: $nomf_targets build with W=1, no warning in the series' files"
fi

# The series' kselftests, which 'make selftests-arm64' cross-built for the
# arm64 machine with their own Makefiles: no warning in the series' tests.
# (On a rerun that recompiled nothing the log is empty: the tests' warnings
# were read when they were compiled, by the run that did it.)
klog=$LOGDIR/selftests-arm64.log
if [ ! -f "$klog" ] || [ ! -x "$AOBJ/kselftest/kselftest_install/kvm/pfnmap_hwpoison_test" ]; then
	tap not-ok "arm64 kselftests: not built: run 'make selftests-arm64' first"
elif grep -E 'warning:|error:' "$klog" | grep -F -f <(git -C "$TREE" diff --name-only base "$top" -- \
		'tools/testing/selftests/*.[ch]' | sed 's|.*/||; s/$/:/') >"$klog.ours"; then
	tap not-ok "arm64 kselftests: warnings in the series' tests" "$klog.ours"
else
	tap ok "arm64 kselftests: $(grep -c . "$AOBJ/kselftest/kselftest_install/kselftest-list.txt") built, no warning in the series' tests"
fi

exit 0
