#!/bin/bash
# export: regenerate series/NAME/ from branch NAME of build/linux for every
# series of series/ORDER (or only SERIES=NAME), with git format-patch
# --cover-letter --base=base: the cover letter carries base-commit: and one
# prerequisite-patch-id: line per patch of the series before it. Each cover
# letter keeps its subject and text; its To: and Cc: are what
# scripts/get_maintainer.pl says for the patches. series/BASE and
# series/ORDER are left alone: to add a series, name it in ORDER and make
# its branch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step export

[ -d "$TREE/.git" ] || die "no kernel tree in $TREE: run 'make tree'"
git -C "$TREE" diff --quiet HEAD || die "build/linux has uncommitted edits: commit them first"
git_t() { git -C "$TREE" "$@"; }
only=${SERIES:-}
names=$(order_names)
[ -z "$only" ] || grep -qFx -- "$only" <<<"$names" ||
	die "SERIES=$only is not a series of series/ORDER ($(echo $names))"
# A series named in ORDER that has a branch but no directory yet gets one
# (and its cover letter git's placeholders, to be written).
for n in $names; do
	[ -z "$only" ] || [ "$only" = "$n" ] || continue
	if [ ! -d "$LAB/series/$n" ] && git_t rev-parse -q --verify "refs/heads/$n" >/dev/null; then
		mkdir -p "$LAB/series/$n"
		git_t format-patch -q --zero-commit --no-signature -o "$LAB/series/$n" \
			"$(git_t rev-parse "$n~1")..$n"   # replaced below
	fi
done
load_stack
src_sum=$(src_sha256)

for i in "${!STACK[@]}"; do
	n=${STACK[$i]}
	[ -z "$only" ] || [ "$only" = "$n" ] || continue
	p=$(prev_ref "$i")
	git_t rev-parse -q --verify "refs/heads/$n" >/dev/null || die "series $n has no branch in build/linux"
	git_t merge-base --is-ancestor "$p" "$n" ||
		die "branch $n is not based on $p: rebase it (git rebase --update-refs moves every branch of the stack)"
	count=$(git_t rev-list --count "$p..$n")
	[ "$count" -gt 0 ] || die "branch $n has no commits over $p"
	new=$BUILD/series.new/$n
	rm -rf "$new"
	mkdir -p "$new"
	git_t format-patch -q --cover-letter --base=base --zero-commit --no-signature \
		-o "$new" "$p..$n"
	recipients "$n" $(ls "$new"/0*.patch | grep -v '/0000-') >"$new/recipients" ||
		die "get_maintainer.pl failed for series $n"
	python3 - "$new/0000-cover-letter.patch" "$LAB/series/$n/0000-cover-letter.patch" \
		"$LAB_NAME" "$new/recipients" "$SRC_VERSION" "$src_sum" <<'PY'
import re, sys
new, old, name, rcpt, version, sha256 = sys.argv[1:]
def split(path):
    text = open(path).read()
    head, _, body = text.partition('\n\n')
    subj = re.search(r'^Subject: (.*(?:\n .*)*)', head, re.M).group(1)
    subj = re.sub(r'\n ', ' ', subj)
    subj = re.sub(r'^\[[^]]*\] ', '', subj)
    m = re.search(r'^%s \(\d+\):$' % re.escape(name), body, re.M)
    blurb = body[:m.start()] if m else body
    return text, subj, blurb
text, _, _ = split(new)
head, _, body = text.partition('\n\n')
head = re.sub(r'^(To|Cc): .*(\n\s.*)*\n?', '', head, flags=re.M).rstrip('\n')
text = head + '\n' + open(rcpt).read().rstrip('\n') + '\n\n' + body
try:
    old_text, subj, blurb = split(old)
except (OSError, AttributeError):
    subj = None          # a new series: keep git's placeholders
if subj:
    # Keep the old date, so that an unchanged cover letter exports unchanged.
    date = re.search(r'^Date: .*$', old_text, re.M)
    if date:
        text = re.sub(r'^Date: .*$', lambda _: date.group(0), text, count=1, flags=re.M)
    text = text.replace('*** SUBJECT HERE ***', subj, 1)
    # The base the text names, in its section "Base and prerequisites"
    # (a changelog may name older ones): the Debian version and the
    # tarball's checksum, as series/BASE and the installed package say.
    def base_section(m):
        t = re.sub(r'\b6\.12\.\d+-\d+~deb\d+u\d+\b', version, m.group(0))
        return re.sub(r'\b[0-9a-f]{64}\b', sha256, t)
    blurb = re.sub(r'^Base and prerequisites\n-+\n(?:.+\n)+', base_section, blurb, count=1, flags=re.M)
    text = re.sub(r'\*\*\* BLURB HERE \*\*\*\n*', lambda _: blurb.rstrip('\n') + '\n\n', text, count=1)
open(new, 'w').write(text)
PY
	rm -f "$new/recipients" "$LAB/series/$n"/0*.patch
	mv "$new"/*.patch "$LAB/series/$n/"
	rm -rf "$new"
	info "series/$n/: $count patches + cover letter (on $p)"
	grep -q '\*\*\* SUBJECT HERE' "$LAB/series/$n/0000-cover-letter.patch" &&
		warn "write the cover letter: series/$n/0000-cover-letter.patch still has git's placeholders"
done
rm -rf "$BUILD/series.new"
exit 0
