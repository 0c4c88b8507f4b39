#!/bin/sh
# sparse-only: a CHECK program for make C=2 that runs sparse on the files
# named in $LAB_SPARSE_FILES only (paths from the top of the source tree
# $LAB_SPARSE_SRCTREE). It appends what sparse prints to $LAB_SPARSE_LOG,
# apart from the compiler's warnings, and each file it checked to
# $LAB_SPARSE_LOG.checked. The source file is the last argument (kbuild's
# cmd_checksrc: an absolute path with O=, or arch/x86/kvm/../../../virt/...).
for src; do :; done
src=$(realpath -m "$src")
for f in $LAB_SPARSE_FILES; do
	if [ "$src" = "$(realpath -m "$LAB_SPARSE_SRCTREE/$f")" ]; then
		echo "$f" >>"$LAB_SPARSE_LOG.checked"
		exec sparse "$@" 2>>"$LAB_SPARSE_LOG"
	fi
done
exit 0
