#!/bin/bash
# export: regenerate series/ from build/linux (base..HEAD) with git format-patch,
# keeping the cover letter's subject and text. series/BASE is left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step export

[ -d "$TREE/.git" ] || die "no kernel tree in $TREE: run 'make tree'"
git -C "$TREE" diff --quiet HEAD || die "build/linux has uncommitted edits: commit them first"
n=$(git -C "$TREE" rev-list --count base..HEAD)
new=$BUILD/series.new
rm -rf "$new"
mkdir -p "$new"
if [ "$n" -gt 0 ]; then
	git -C "$TREE" format-patch -q --cover-letter --base=base --zero-commit \
		--no-signature -o "$new" base..HEAD
	old=$LAB/series/0000-cover-letter.patch
	python3 - "$new/0000-cover-letter.patch" "$old" "$LAB_NAME" <<'PY'
import re, sys
new, old, name = sys.argv[1:]
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
try:
    old_text, subj, blurb = split(old)
except (OSError, AttributeError):
    sys.exit(0)          # no cover letter yet: keep git's placeholders
# Keep the old date, so that an unchanged cover letter exports unchanged.
date = re.search(r'^Date: .*$', old_text, re.M)
if date:
    text = re.sub(r'^Date: .*$', lambda _: date.group(0), text, count=1, flags=re.M)
text = text.replace('*** SUBJECT HERE ***', subj, 1)
text = re.sub(r'\*\*\* BLURB HERE \*\*\*\n*', lambda _: blurb.rstrip('\n') + '\n\n', text, count=1)
open(new, 'w').write(text)
PY
fi
rm -f "$LAB"/series/[0-9]*.patch
[ "$n" -eq 0 ] || mv "$new"/*.patch "$LAB/series/"
rm -rf "$new"
info "series/: $n patches$([ "$n" -gt 0 ] && echo " + cover letter")"
grep -q '\*\*\* SUBJECT HERE' "$LAB/series/0000-cover-letter.patch" 2>/dev/null &&
	warn "write the cover letter: series/0000-cover-letter.patch still has git's placeholders"
exit 0
