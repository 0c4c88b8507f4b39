#!/bin/bash
# tree: the kernel working tree build/linux = pristine base (tag "base") + series/.
#
# The base commit is made reproducibly (fixed identity and date), so its hash is
# the same on every machine for the same tarball; the cover letter quotes it.
# Re-running with nothing changed takes seconds. Commits or edits in the tree
# that are not in series/ are never thrown away silently: export them first
# (make export) or discard them with LAB_FORCE=1.
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

# --- apply series/ ---------------------------------------------------------
mapfile -t patches < <(ls "$LAB"/series/[0-9]*.patch 2>/dev/null | grep -v '/0000-' || true)
ids() { git patch-id --stable | cut -d' ' -f1 | sort; }
series_ids=$( [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}" | ids)
tree_ids=$(git_t format-patch --stdout base..HEAD | ids)
series_sum=$( (cat /dev/null "${patches[@]}") | sha256sum | cut -d' ' -f1)
dirty=$(git_t status --porcelain --untracked-files=no)

# git am every patch of series/ in the work tree $1; name the one that fails.
am_series() {
	local p
	for p in "${patches[@]}"; do
		if ! git -C "$1" am -q --keep-cr "$p" >"$LOGDIR/am.log" 2>&1; then
			cat "$LOGDIR/am.log" >&2
			git -C "$1" am --abort >/dev/null 2>&1 || true
			warn "patch does not apply: $(basename "$p")"
			return 1
		fi
	done
}

if [ "$series_ids" = "$tree_ids" ] && [ -z "$dirty" ]; then
	if [ ${#patches[@]} -eq 0 ]; then
		info "series/ is empty: build/linux is the base"
		exit 0
	fi
	if [ "$(git_t config lab.applied || true)" = "$series_sum" ]; then
		info "build/linux is base + series/ (${#patches[@]} patches): nothing to do"
		exit 0
	fi
	# Same changes, but committed by hand: prove that series/ itself applies.
	info "proving that series/ applies with git am on the base (scratch worktree)"
	scratch=$BUILD/am-check
	git_t worktree remove --force "$scratch" 2>/dev/null || rm -rf "$scratch"
	git_t worktree prune
	git_t worktree add -q --detach "$scratch" base
	am_series "$scratch" || { git_t worktree remove --force "$scratch"; exit 1; }
	git_t worktree remove --force "$scratch"
	git_t config lab.applied "$series_sum"
	info "series/ applies: ${#patches[@]} patches"
	exit 0
fi

if [ "${LAB_FORCE:-0}" != 1 ]; then
	if [ -n "$dirty" ]; then
		die "build/linux has uncommitted edits; commit and 'make export', or LAB_FORCE=1 to discard them"
	fi
	extra=$(git_t format-patch --stdout base..HEAD | ids | comm -23 - <(echo "$series_ids"))
	if [ -n "$extra" ]; then
		die "build/linux has commits that are not in series/; run 'make export' first, or LAB_FORCE=1 to discard them"
	fi
fi

info "resetting to base and applying ${#patches[@]} patches with git am"
git_t am --abort >/dev/null 2>&1 || true
git_t checkout -q -f -B lab base
am_series "$TREE" || exit 1
git_t config lab.applied "$series_sum"
info "build/linux: base + ${#patches[@]} patches, HEAD $(git_t rev-parse --short HEAD)"
