# lib.sh: sourced by every step script. Paths, base description, messages.
# shellcheck shell=bash
LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$LAB/build
TREE=$BUILD/linux
# LAB_KERNEL=perf: the kernel without debug options, for make bench.
LAB_KERNEL=${LAB_KERNEL:-}
OUT=$BUILD/obj-x86_64${LAB_KERNEL:+-$LAB_KERNEL}
FRAGMENTS=("$LAB/config/x86_64.config")
[ -z "$LAB_KERNEL" ] || FRAGMENTS+=("$LAB/config/x86_64-$LAB_KERNEL.config")
LOGDIR=$BUILD/logs
mkdir -p "$LOGDIR"

# The base: read from series/BASE (key: value lines).
base_field() { sed -n "s/^$1: *//p" "$LAB/series/BASE"; }
SRC_PKG=$(base_field package)
SRC_VERSION=$(base_field version)
SRC_SHA256=$(base_field sha256)
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz

# The project identity that signs the series.
LAB_NAME="Grace Poison Lab"
LAB_EMAIL="lab@grace-poison.invalid"

STEP=${STEP:-lab}
step() { STEP=$1; }
info() { printf '[%s] %s\n' "$STEP" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$STEP" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$STEP" "$*" >&2; exit 1; }

# The kselftests the guest runs (COLLECTION:TEST), from config/guest-tests.txt.
guest_kselftests() { grep -v -e '^#' -e '^kunit' -e '^\s*$' "$LAB/config/guest-tests.txt"; }

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
