#!/bin/bash
# tree: the kernel working tree build/linux = pristine base (tag "base") + the
# stack of series/: one branch per series of series/ORDER, each based on the
# one before, the first on base; the last is checked out. Only the branches
# that differ from their directory (and those after them) are made anew.
#
# The base commit is made reproducibly (fixed identity and date), so its hash is
# the same on every machine for the same tarball; the cover letter quotes it.
# Re-running with nothing changed takes seconds. Commits on any branch, or
# edits in the tree, that are not in series/ are never thrown away silently:
# export them first (make export) or discard them with LAB_FORCE=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step tree

git_t() { git -C "$TREE" "$@"; }

[ -f "$SRC_TARBALL" ] || die "missing $SRC_TARBALL: run 'make deps' (package $SRC_PKG)"

make_base() {
	local v
	v=$(src_installed)
	if [ "$v" != "$SRC_VERSION" ]; then
		[ "${LAB_ALLOW_OTHER_BASE:-0}" = 1 ] ||
			die "$SRC_PKG ${v:-(not installed)} is installed, series/BASE says $SRC_VERSION: run 'make deps' (or LAB_ALLOW_OTHER_BASE=1 to build on it anyway)"
		warn "$SRC_PKG ${v:-(not installed)}: building NOT on the base of series/BASE ($SRC_VERSION)"
	fi
	sum=$(src_sha256)
	info "extracting $SRC_TARBALL into $TREE"
	rm -rf "$TREE" "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	tar -C "$TREE.tmp" --strip-components=1 -xf "$SRC_TARBALL"
	# Debian's packaging rule at the end of the top-level .gitignore ignores
	# every top-level path ("/*", "!/debian/"); drop it so that new files are
	# seen by git add, as in upstream.
	sed -i '/^# Debian packaging: ignore everything at the top level/,$d' "$TREE.tmp/.gitignore"
	sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$TREE.tmp/.gitignore"  # trailing blank lines
	sed -i '${/^#$/d}' "$TREE.tmp/.gitignore"
	grep -qx '/\*' "$TREE.tmp/.gitignore" && die "could not drop Debian's '/*' rule from .gitignore"
	mv "$TREE.tmp" "$TREE"

	info "committing the base (git add -f: the tarball lacks upstream's !.kunitconfig etc.)"
	git_t init -q -b lab
	git_t config user.name "$LAB_NAME"
	git_t config user.email "$LAB_EMAIL"
	git_t config core.abbrev 12
	git_t config gc.auto 0
	git_t add -f -A .
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git_t commit -q --no-verify \
		-m "Base: $SRC_PKG $SRC_VERSION" \
		-m "Debian source tarball $(basename "$SRC_TARBALL"), sha256 $sum.
Top-level .gitignore: Debian's packaging rule ('/*', '!/debian/') dropped."
	git_t tag -f base >/dev/null
	git_t checkout -q --detach base
	git_t branch -q -D lab

	info "checking that the base tracks exactly the tarball's files"
	tar -tf "$SRC_TARBALL" | grep -v '/$' | sed 's|^[^/]*/||' | sort >"$LOGDIR/tarball.files"
	git_t ls-files | sort >"$LOGDIR/base.files"
	if ! cmp -s "$LOGDIR/tarball.files" "$LOGDIR/base.files"; then
		diff "$LOGDIR/tarball.files" "$LOGDIR/base.files" | head -n 20 >&2
		die "base commit does not track exactly the tarball's files"
	fi
	info "base $(git_t rev-parse --short base): $(wc -l <"$LOGDIR/base.files") files"
	git_t config lab.tarball-sha256 "$sum"
}

if [ ! -d "$TREE/.git" ] || ! git_t rev-parse -q --verify base >/dev/null ||
   [ "$(git_t config lab.tarball-sha256 || true)" != "$(src_sha256)" ]; then
	# A tree that is not on this tarball's base (another base, or an
	# unfinished extraction) is remade only when told: it may hold work.
	[ ! -e "$TREE" ] || [ "${LAB_FORCE:-0}" = 1 ] ||
		die "build/linux is not on the base of $SRC_TARBALL (another base, or a broken tree): move it away, or LAB_FORCE=1 to remake it"
	rm -rf "$BUILD/bisect"
	make_base
fi

# --- apply the stack --------------------------------------------------------
load_stack
has_branch() { git_t rev-parse -q --verify "refs/heads/$1" >/dev/null; }
# Keys of what a series' directory holds and of what a branch holds from P
# to N (scripts/lib.sh patch_keys: message, author, date and diff, in order).
dir_keys() { series_patches "$1" | xargs cat | patch_keys; }
branch_keys() { git_t format-patch --stdout --zero-commit --no-signature "$1..$2" | patch_keys; }
stack_keys=$(for n in "${STACK[@]}"; do dir_keys "$n"; done | sort -u)

# Never throw work away: no rebase or git am under way, no uncommitted edit,
# HEAD on a branch, and every commit of every branch since base is a patch
# of series/, message and all.
if [ "${LAB_FORCE:-0}" != 1 ]; then
	for state in rebase-merge rebase-apply; do
		[ ! -e "$(git_t rev-parse --git-path "$state")" ] ||
			die "build/linux has a rebase or git am under way: finish or abort it first"
	done
	[ -z "$(git_t status --porcelain --untracked-files=no)" ] ||
		die "build/linux has uncommitted edits; commit and 'make export', or LAB_FORCE=1 to discard them"
	git_t symbolic-ref -q HEAD >/dev/null || git_t merge-base --is-ancestor HEAD base ||
		[ -n "$(git_t for-each-ref --contains HEAD refs/heads)" ] ||
		die "build/linux has a detached HEAD that no branch holds: put it on a branch and 'make export', or LAB_FORCE=1"
	for b in $(git_t for-each-ref --format='%(refname:short)' refs/heads); do
		extra=$(branch_keys base "$b" | sort -u | comm -23 - <(echo "$stack_keys") | wc -l)
		[ "$extra" -eq 0 ] || die "branch $b of build/linux has $extra commit(s) that series/ does not have as they are; run 'make export' first, or LAB_FORCE=1 to discard them"
	done
fi

# The first series whose branch is missing, not based on the one before,
# or not exactly its directory: it and every later one are made anew.
k=${#STACK[@]}
for i in "${!STACK[@]}"; do
	n=${STACK[$i]}
	p=$(prev_ref "$i")
	if ! has_branch "$n" || ! git_t merge-base --is-ancestor "$p" "$n" ||
	   [ "$(dir_keys "$n")" != "$(branch_keys "$p" "$n")" ]; then
		k=$i
		break
	fi
done

# git am every patch of series ${STACK[I]} on the current branch; name the one that fails.
am_series() {
	local p
	for p in $(series_patches "${STACK[$1]}"); do
		if ! git_t am -q --keep-cr "$p" >"$LOGDIR/am.log" 2>&1; then
			cat "$LOGDIR/am.log" >&2
			git_t am --abort >/dev/null 2>&1 || true
			die "series ${STACK[$1]}: patch $(basename "$p") does not apply on $(prev_ref "$1")"
		fi
	done
}

[ "$k" -eq ${#STACK[@]} ] || git_t am --abort >/dev/null 2>&1 || true
for ((i = k; i < ${#STACK[@]}; i++)); do
	n=${STACK[$i]}
	info "series $n: $(series_patches "$n" | wc -l) patches with git am on $(prev_ref "$i")"
	git_t checkout -q -f -B "$n" "$(prev_ref "$i")"
	am_series "$i"
done
top=${STACK[-1]}
[ "$(git_t symbolic-ref -q --short HEAD || true)" = "$top" ] || git_t checkout -q -f "$top"
# Branches that are no series (an old layout's, say) hold nothing that
# series/ lacks, as checked above.
for b in $(git_t for-each-ref --format='%(refname:short)' refs/heads); do
	printf '%s\n' "${STACK[@]}" | grep -qFx -- "$b" && continue
	git_t worktree list --porcelain | grep -qFx "branch refs/heads/$b" && continue
	git_t branch -q -D "$b" && info "deleted branch $b: it is not a series of series/ORDER"
done
if [ "$k" -eq ${#STACK[@]} ]; then
	info "build/linux has the stack of series/ (${STACK[*]}): nothing to apply"
else
	info "build/linux: ${STACK[*]}; HEAD $top $(git_t rev-parse --short HEAD)"
fi

# A new base (series/BASE names another Debian version) on which every patch
# applied: the cover letters still name the old one. Export the stack, so
# that series/ says what was built and tested; git diff series/ shows it.
base_commit=$(git_t rev-parse base)
stale=()
for n in "${STACK[@]}"; do
	grep -qx "base-commit: $base_commit" "$LAB/series/$n/0000-cover-letter.patch" || stale+=("$n")
done
if [ ${#stale[@]} -gt 0 ]; then
	info "cover letters of ${stale[*]} name another base: exporting the stack on $SRC_PKG $SRC_VERSION"
	"$LAB/scripts/export.sh"
	warn "series/ now describes the stack on $SRC_VERSION: review 'git diff series/' and commit it"
fi
