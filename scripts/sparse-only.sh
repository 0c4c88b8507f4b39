#!/bin/sh
# sparse-only: a CHECK program for make C=2 that runs sparse on the files
# named in $LAB_SPARSE_FILES only (paths from the top of the tree). It
# appends what sparse prints to $LAB_SPARSE_LOG, apart from the compiler's
# warnings, and each file it checked to $LAB_SPARSE_LOG.checked. The source
# file is the last argument.
for src; do :; done
for f in $LAB_SPARSE_FILES; do
	case "$src" in
	*/"$f"|"$f")
		echo "$f" >>"$LAB_SPARSE_LOG.checked"
		exec sparse "$@" 2>>"$LAB_SPARSE_LOG"
		;;
	esac
done
exit 0
