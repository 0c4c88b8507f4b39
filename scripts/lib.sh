# lib.sh: sourced by every step script. Paths, base description, messages.
# shellcheck shell=bash
LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$LAB/build
TREE=$BUILD/linux
# LAB_ARCH: the machine a step is for: x86_64 (the default), or arm64, the
# Grace-like one (its kernel also serves the hygiene step's arm64 checks).
# Each kernel is allnoconfig + config/$LAB_ARCH.config: the guest, no more.
LAB_ARCH=${LAB_ARCH:-x86_64}
# LAB_KERNEL=perf: the kernel without debug options, for make bench.
LAB_KERNEL=${LAB_KERNEL:-}
OUT=$BUILD/obj-$LAB_ARCH${LAB_KERNEL:+-$LAB_KERNEL}
FRAGMENTS=("$LAB/config/$LAB_ARCH.config")
[ -z "$LAB_KERNEL" ] || FRAGMENTS+=("$LAB/config/$LAB_ARCH-$LAB_KERNEL.config")
case "$LAB_ARCH" in
x86_64)
	KARCH=(ARCH=x86_64) KCC=gcc KIMAGE=arch/x86/boot/bzImage
	GUEST_TESTS=$LAB/config/guest-tests.txt
	;;
arm64)
	KARCH=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) KCC=aarch64-linux-gnu-gcc
	KIMAGE=arch/arm64/boot/Image
	GUEST_TESTS=$LAB/config/guest-tests-arm64.txt
	# LAB_ARM64_PAGES=4k: the machine with 4 KiB pages instead of 64 KiB
	# (config/arm64-4k.config), in objects and an initramfs of its own.
	case "${LAB_ARM64_PAGES:-64k}" in
	64k) ;;
	4k)
		FRAGMENTS+=("$LAB/config/arm64-4k.config")
		OUT+=-4k
		;;
	*) printf '[lab] ERROR: LAB_ARM64_PAGES=%s: 64k or 4k\n' "$LAB_ARM64_PAGES" >&2; exit 1 ;;
	esac
	;;
*) printf '[lab] ERROR: LAB_ARCH=%s: x86_64 or arm64\n' "$LAB_ARCH" >&2; exit 1 ;;
esac
# Each kernel has an initramfs of its own (build/initramfs-x86_64.cpio,
# ...-x86_64-perf.cpio, ...-arm64.cpio): it carries the kernel's modules.
CPIO=${OUT/\/obj-/\/initramfs-}.cpio
LOGDIR=$BUILD/logs
mkdir -p "$LOGDIR"

# The base: read from series/BASE (key: value lines).
base_field() { sed -n "s/^$1: *//p" "$LAB/series/BASE"; }
SRC_PKG=$(base_field package)
SRC_VERSION=$(base_field version)
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
# The version of the package that is installed, and the tarball's sha256
# (what the cover letters quote): apt checked the package against Debian's
# signed archive, so series/BASE need not repeat a checksum, and moving to
# the next Debian version is one line of it.
src_installed() { dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true; }
src_sha256() { sha256sum "$SRC_TARBALL" | cut -d' ' -f1; }

# The stack: series/ORDER names the series in the order they apply, one a
# line ('#' starts a comment). Each is a directory series/NAME of
# 'git format-patch --cover-letter' output and a branch NAME in build/linux,
# based on the branch of the series before it (the first on tag "base").
# order_names prints the names ORDER gives, or dies on a line that is no
# name; stack_names also dies naming a directory that ORDER does not name,
# or a name without its directory of patches.
order_names() {
	local order=$LAB/series/ORDER names n
	[ -f "$order" ] || die "series/ORDER is missing: it names the series in the order they apply"
	names=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$order")
	[ -n "$names" ] || die "series/ORDER names no series"
	for n in $names; do
		[[ "$n" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
			die "series/ORDER: '$n' is not a series name (letters, digits, '.', '_', '-')"
		[ "$(grep -cFx -- "$n" <<<"$names")" -eq 1 ] || die "series/ORDER names '$n' twice"
	done
	[ "$(wc -l <<<"$names")" -eq "$(wc -w <<<"$names")" ] || die "series/ORDER: one name a line"
	echo "$names"
}
stack_names() {
	local names d n
	names=$(order_names) || exit 1
	for n in $names; do
		[ -d "$LAB/series/$n" ] || die "series/ORDER names '$n', but series/$n/ does not exist"
		[ -n "$(series_patches "$n")" ] || die "series/$n/ has no patches"
	done
	for d in "$LAB"/series/*/; do
		d=$(basename "$d")
		grep -qFx -- "$d" <<<"$names" ||
			die "series/$d/ is not named in series/ORDER: add it there, or remove the directory"
	done
	echo "$names"
}
# load_stack: STACK=(the names, in order); exits if series/ORDER is wrong.
load_stack() { local t; t=$(stack_names) || exit 1; mapfile -t STACK <<<"$t"; }
# series_patches NAME: the patch files of one series, in order, without the cover letter.
series_patches() { ls "$LAB/series/$1"/0*.patch 2>/dev/null | { grep -v '/0000-' || true; }; }
# prev_ref I: the ref series ${STACK[I]} is based on: the branch of the
# series before it, or base for the first.
prev_ref() { if [ "$1" -eq 0 ]; then echo base; else echo "${STACK[$(($1 - 1))]}"; fi; }
# patch_keys: for the patches on stdin (git format-patch output, one or many
# in a row), one key a line, in order, that changes with anything a commit
# holds: author, date, subject (without its [PATCH n/m]), message and diff.
patch_keys() {
	python3 -c '
import email, email.policy, hashlib, re, sys
data = sys.stdin.buffer.read()
for mail in re.split(rb"^(?=From [0-9a-f]{40} )", data, flags=re.M):
    if not mail.strip():
        continue
    m = email.message_from_bytes(mail, policy=email.policy.compat32)
    subj = re.sub(r"\s*\n\s+", " ", m.get("Subject", ""))
    subj = re.sub(r"^\[[^]]*\] ", "", subj)
    key = "\0".join((m.get("From", ""), m.get("Date", ""), subj)).encode()
    body = m.get_payload(decode=False)
    body = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else b""
    print(hashlib.sha256(key + b"\0" + body.rstrip(b"\n")).hexdigest())
'
}

# recipients BRANCH PATCH...: the To: and Cc: header lines for a cover
# letter of these patches, as scripts/get_maintainer.pl names their
# recipients with the MAINTAINERS file of BRANCH: maintainers To,
# reviewers and lists Cc, in the script's order.
recipients() {
	local m=$LOGDIR/MAINTAINERS.$1
	git -C "$TREE" show "$1:MAINTAINERS" >"$m" || return 1
	shift
	(cd "$TREE" && perl scripts/get_maintainer.pl --mpath "$m" --no-git --no-git-fallback --no-fixes "$@") |
	python3 -c '
import re, sys
to, cc = [], []
for line in sys.stdin:
    m = re.match(r"(.*?) \((.*)\)$", line.strip())
    addr, roles = (m.group(1), m.group(2)) if m else (line.strip(), "")
    # An M: line (maintainer, supporter, odd fixer, unknown when the entry
    # has no S:) is To; R: and L: lines are Cc.
    cc_only = all(re.match(r"(reviewer|.*list)\b", r) for r in roles.split(",") if r)
    dest = cc if roles and cc_only else to
    dest.append(addr)
for key, addrs in (("To", to), ("Cc", cc)):
    if addrs:
        print(key + ": " + ",\n    ".join(addrs))
'
}

# The project identity that signs the series.
LAB_NAME="Grace Poison Lab"
LAB_EMAIL="lab@grace-poison.invalid"

STEP=${STEP:-lab}
step() { STEP=$1; }
info() { printf '[%s] %s\n' "$STEP" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$STEP" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$STEP" "$*" >&2; exit 1; }

# The kselftests the guest runs (COLLECTION:TEST), from config/guest-tests.txt.
guest_kselftests() { grep -v -e '^#' -e '^kunit' -e '^\s*$' "$GUEST_TESTS"; }

# unstuck_options SCRIPTS_CONFIG DOTCONFIG FRAGMENT...: print "OPT: wants W, has
# G" for every option the fragments set (the last setting counts) that the
# .config does not have after olddefconfig; return 1 if there is any.
unstuck_options() {
	local cfg=$1 dotconfig=$2 line opt want got bad=0
	shift 2
	while read -r line; do
		case "$line" in
		CONFIG_*=*) opt=${line%%=*}; want=${line#*=} ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want=n ;;
		*) continue ;;
		esac
		got=$("$cfg" --file "$dotconfig" --state "${opt#CONFIG_}")
		want=${want//\"/}
		[ "$got" = undef ] && got=n
		[ "$got" = "$want" ] && continue
		echo "$opt: wants '$want', has '$got'"
		bad=1
	done < <(cat "$@" | grep -E '^(CONFIG_|# CONFIG_)' | tac |
		awk '{ o = $1 == "#" ? $2 : substr($1, 1, index($1, "=") - 1) } !seen[o]++' | tac)
	return $bad
}
