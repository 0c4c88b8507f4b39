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
	info "checking sha256 of $SRC_TARBALL"
	sum=$(sha256sum "$SRC_TARBALL" | cut -d' ' -f1)
	if [ "$sum" != "$SRC_SHA256" ]; then
		[ "${LAB_ALLOW_OTHER_BASE:-0}" = 1 ] ||
			die "checksum mismatch for $SRC_TARBALL: got $sum, series/BASE says $SRC_SHA256 (set LAB_ALLOW_OTHER_BASE=1 to build on it anyway)"
		warn "checksum mismatch: building on $sum, NOT the base in series/BASE"
	fi
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
   [ "$(git_t config lab.tarball-sha256 || true)" = "" ]; then
	make_base
fi

# --- apply the stack --------------------------------------------------------
load_stack
all_patches() { for n in "${STACK[@]}"; do series_patches "$n"; done; }
dir_ids() { series_patches "$1" | xargs cat | patch_ids | sort; }
branch_ids() { git_t format-patch --stdout "$1..$2" | patch_ids | sort; }
has_branch() { git_t rev-parse -q --verify "refs/heads/$1" >/dev/null; }
stack_ids=$(all_patches | xargs cat | patch_ids | sort -u)

# Never throw work away: no uncommitted edit, and every commit on every
# branch since base is a patch of series/.
if [ "${LAB_FORCE:-0}" != 1 ]; then
	[ -z "$(git_t status --porcelain --untracked-files=no)" ] ||
		die "build/linux has uncommitted edits; commit and 'make export', or LAB_FORCE=1 to discard them"
	for b in $(git_t for-each-ref --format='%(refname:short)' refs/heads); do
		extra=$(branch_ids base "$b" | comm -23 - <(echo "$stack_ids"))
		[ -z "$extra" ] || die "branch $b of build/linux has $(echo "$extra" | wc -l) commit(s) that are not in series/; run 'make export' first, or LAB_FORCE=1 to discard them"
	done
fi

# The first series whose branch is missing, not based on the one before,
# or not exactly its directory: it and every later one are made anew.
k=${#STACK[@]}
for i in "${!STACK[@]}"; do
	n=${STACK[$i]}
	p=$(prev_ref "$i")
	if ! has_branch "$n" || ! git_t merge-base --is-ancestor "$p" "$n" ||
	   [ "$(dir_ids "$n")" != "$(branch_ids "$p" "$n")" ]; then
		k=$i
		break
	fi
done

# git am every patch of series NAME on the current branch; name the one that fails.
am_series() {
	local p
	for p in $(series_patches "$1"); do
		if ! git_t am -q --keep-cr "$p" >"$LOGDIR/am.log" 2>&1; then
			cat "$LOGDIR/am.log" >&2
			git_t am --abort >/dev/null 2>&1 || true
			die "series $1: patch $(basename "$p") does not apply on $(prev_ref "$2")"
		fi
	done
}

git_t am --abort >/dev/null 2>&1 || true
for ((i = k; i < ${#STACK[@]}; i++)); do
	n=${STACK[$i]}
	info "series $n: $(series_patches "$n" | wc -l) patches with git am on $(prev_ref "$i")"
	git_t checkout -q -f -B "$n" "$(prev_ref "$i")"
	am_series "$n" "$i"
done
top=${STACK[-1]}
[ "$(git_t symbolic-ref -q --short HEAD || true)" = "$top" ] || git_t checkout -q -f "$top"
# Branches that are no series (an old layout's, say) hold nothing that
# series/ lacks, as checked above.
for b in $(git_t for-each-ref --format='%(refname:short)' refs/heads); do
	printf '%s\n' "${STACK[@]}" | grep -qx "$b" && continue
	git_t worktree list --porcelain | grep -qx "branch refs/heads/$b" && continue
	git_t branch -q -D "$b" && info "deleted branch $b: it is not a series of series/ORDER"
done
if [ "$k" -eq ${#STACK[@]} ]; then
	info "build/linux has the stack of series/ (${STACK[*]}): nothing to apply"
else
	info "build/linux: ${STACK[*]}; HEAD $top $(git_t rev-parse --short HEAD)"
fi
