#!/bin/bash
# kunit: KUnit suites that need a kernel of their own, run with the kernel's
# kunit.py on UML (User Mode Linux): each .kunitconfig of config/kunit-uml.txt.
# UML has no CONFIG_MEMORY_FAILURE, so this is where the stubs are tested.
# The KTAP goes to build/logs/kunit-uml.ktap, which scripts/results.py reads.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step kunit

JOBS=${JOBS:-$(nproc)}
KOUT=$BUILD/obj-kunit-um
KTAP=$LOGDIR/kunit-uml.ktap
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
: >"$KTAP"
while read -r kc; do
	[ -f "$TREE/$kc" ] || die "$kc: no such kunitconfig in build/linux"
	info "kunit.py run --kunitconfig=$kc (UML)"
	start=$(date +%s)
	# Debian's python3 (the tool needs nothing else).
	if ! (cd "$TREE" && PATH=/usr/bin:$PATH python3 tools/testing/kunit/kunit.py run \
		--kunitconfig="$kc" --build_dir="$KOUT" --jobs="$JOBS" \
		--make_options CC="ccache gcc" --timeout=300 --raw_output=kunit) \
		>"$LOGDIR/kunit-uml.log" 2>&1; then
		# A failing suite is for results.py to count; a kernel that did not
		# build or boot is not.
		grep -q '^KTAP version\|^TAP version' "$LOGDIR/kunit-uml.log" || {
			tail -n 20 "$LOGDIR/kunit-uml.log" >&2
			die "kunit.py could not run $kc (see $LOGDIR/kunit-uml.log)"
		}
	fi
	cat "$LOGDIR/kunit-uml.log" >>"$KTAP"
	info "$kc: $(( $(date +%s) - start )) s"
done < <(grep -v -e '^#' -e '^\s*$' "$LAB/config/kunit-uml.txt")
