# tests/lib.sh: sourced by every integration test tests/tNNNN-name.sh
#
#   . "$(dirname "$0")/lib.sh"
#   need_hosts 2                  # uses the shared bed (tests/run brings it up); sets P1, P2
#   log_must on h1 zfs create "$P1/src"
#   assert_eq h2 "$(on h1 ssh h2 hostname)" "ssh to h2"
#   test_done
#
# Output is TAP-like: "ok - ..." / "not ok - ...", diagnostics on "# ..." lines.
# log_must / log_mustnot stop the test at the first failure (exit 1); assert_* record the failure
# and go on; test_done exits 0 or 1. Exit 77 means skipped.
# (A failure inside $(...) cannot stop the test but is still counted by test_done.)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BED=$REPO/tests/bed
export BED_DIR=${BED_DIR:-/var/tmp/zrep-bed}
TEST_NAME=$(basename "$0" .sh)
_LIB_FAILS=0
_LIB_FAILFILE=${TMPDIR:-/tmp}/zrep-test-fails.$$
declare -A _LIB_POOL=()

# ---------------------------------------------------------------- output
_lib_q() { local a s=""; for a in "$@"; do s+="$(printf '%q' "$a") "; done; printf '%s' "${s% }"; }

pass() { echo "ok - $*" >&"$(_lib_fd)"; }
_lib_fd() { if [[ $BASHPID != "$$" ]]; then echo 2; else echo 1; fi; }

# fail MSG: a failed check (the test goes on). In a subshell, e.g. inside $(...) whose stdout is
# captured, the line goes to stderr and the failure is counted through a file.
fail() {
	if [[ $BASHPID != "$$" ]]; then
		echo "not ok - $*" >&2
		echo x >>"$_LIB_FAILFILE"
	else
		echo "not ok - $*"
		_LIB_FAILS=$(( _LIB_FAILS + 1 ))
	fi
	return 0
}

# abort MSG: a failure after which the test cannot go on
abort() { fail "$*"; echo "# $TEST_NAME: aborted" >&2; exit 1; }

_lib_show() {  # FILE: its content as diagnostics
	[[ -s $1 ]] || return 0
	if [[ $BASHPID != "$$" ]]; then sed 's/^/#   | /' "$1" >&2; else sed 's/^/#   | /' "$1"; fi
}

# ---------------------------------------------------------------- hosts
on() { "$BED" exec "$@"; }
# host_pkill HOST SIG ERE: signals the processes of HOST (its network namespace) whose command
# line matches ERE; never another bed's (the beds of one machine share a pid namespace).
host_pkill() {
	local ns p
	ns=$(. "$BED_DIR/env"; echo "$BED_PFX-$1")
	for p in $(ip netns pids "$ns" 2>/dev/null); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -Eq "$3" && kill "-$2" "$p" 2>/dev/null
	done
	return 0
}

pool_of() {
	if [[ -z ${_LIB_POOL[$1]:-} ]]; then
		_LIB_POOL[$1]=$("$BED" pool "$1") || abort "pool_of $1: no such host"
	fi
	echo "${_LIB_POOL[$1]}"
}

# hosts of the running bed, one per line (h1, h2, ...)
bed_hosts() { "$BED" status 2>/dev/null | awk '$1 ~ /^h[0-9]+$/ {print $1}'; }

# need_hosts N: the shared bed must be up with at least N hosts; sets P1..PN (pool names)
need_hosts() {
	local n=$1 st have i
	st=$("$BED" status 2>&1) || abort "need_hosts $n: no bed is up in $BED_DIR (run the test through tests/run, or first: tests/bed up $n)"
	have=$(grep -c '^h[0-9]* ' <<<"$st")
	(( have >= n )) || abort "need_hosts $n: the bed in $BED_DIR has only $have host(s)"
	if grep -qE '^h[0-9]+ (degraded|down) ' <<<"$st"; then
		"$BED" heal >&2 || abort "need_hosts $n: the bed is not healthy and could not be healed"
	fi
	for (( i = 1; i <= have; i++ )); do
		declare -g "P$i=$(pool_of "h$i")"
	done
}

# ---------------------------------------------------------------- checks
# log_must CMD...: CMD must succeed; stdout passes through, stderr too (also shown on failure)
log_must() {
	local err rc=0
	err=$(mktemp)
	"$@" 2>"$err" || rc=$?
	if (( rc != 0 )); then
		fail "log_must: $(_lib_q "$@") (exit $rc)"
		_lib_show "$err"
		rm -f "$err"
		echo "# $TEST_NAME: aborted" >&2
		exit 1
	fi
	cat "$err" >&2
	rm -f "$err"
}

# log_mustnot CMD...: CMD must fail (non-zero exit)
log_mustnot() {
	local err rc=0
	err=$(mktemp)
	"$@" 2>"$err" || rc=$?
	cat "$err" >&2
	rm -f "$err"
	if (( rc == 0 )); then
		fail "log_mustnot: $(_lib_q "$@") succeeded"
		echo "# $TEST_NAME: aborted" >&2
		exit 1
	fi
}

assert_eq() {  # EXPECTED ACTUAL MSG
	if [[ $1 == "$2" ]]; then pass "$3"
	else
		fail "$3"
		printf '#   expected: %q\n#   actual:   %q\n' "$1" "$2" >&"$(_lib_fd)"
	fi
}

assert_match() {  # REGEX STRING MSG (bash =~, extended regex)
	if [[ $2 =~ $1 ]]; then pass "$3"
	else
		fail "$3"
		printf '#   regex:  %s\n#   string: %q\n' "$1" "$2" >&"$(_lib_fd)"
	fi
}

skip_test() { echo "ok - # SKIP $TEST_NAME: $*"; exit 77; }
# skip_part REASON: this zfs lacks what part of the test needs; the test checks the fallback
# instead and goes on. tests/run lists the reason under the test (a PART line).
skip_part() { echo "# skipped part: $*"; }
# short_run: true when TEST_SHORT=1 (make test's OpenZFS lane: every process costs 10-40 times
# more under qemu's TCG). A test then runs what the zfs decides once, not zrep's own logic in
# every variation: the zfs-fuse lane has run that in full. short_part names what is left out.
short_run() { [[ ${TEST_SHORT:-} == 1 ]]; }
short_part() { skip_part "TEST_SHORT=1: $* (the zfs-fuse lane runs it in full)"; }

test_done() {
	local n=$_LIB_FAILS
	if [[ -f $_LIB_FAILFILE ]]; then n=$(( n + $(wc -l <"$_LIB_FAILFILE") )); rm -f "$_LIB_FAILFILE"; fi
	if (( n > 0 )); then echo "# $TEST_NAME: $n failure(s)"; exit 1; fi
	echo "# $TEST_NAME: passed"
	exit 0
}

# ---------------------------------------------------------------- bed helpers
# reset_pools: every host of the bed gets an empty pool (destroyed and created again: no
# datasets, snapshots, holds or properties survive) and no /var/run/zrep.lock; daemons a test
# stopped are restarted first.
reset_pools() {
	local st h
	st=$("$BED" status 2>&1) || { echo "reset_pools: no bed is up" >&2; return 1; }
	if grep -qE '^h[0-9]+ (degraded|down) ' <<<"$st"; then
		"$BED" heal >&2 || { echo "reset_pools: the bed could not be healed" >&2; return 1; }
	fi
	for h in $(awk '$1 ~ /^h[0-9]+$/ {print $1}' <<<"$st"); do
		"$BED" exec "$h" rm -f /var/run/zrep.lock || return 1
		"$BED" recreate-pool "$h" || return 1
	done
}

# remount hK DS: unmount DS and its mounted descendants, mount them all again (defeats FUSE caches
# before comparing file contents). Datasets that are not mounted (a replica received with
# `zfs receive -u` on OpenZFS) are mounted too, so tests can compare their files.
remount() {
	local h=$1 ds=$2 list all i try
	mapfile -t list < <(on "$h" zfs list -H -o name,mounted -r -t filesystem "$ds" | awk -F'\t' '$2 == "yes" {print $1}')
	for (( i = ${#list[@]} - 1; i >= 0; i-- )); do
		for (( try = 1; try <= 5; try++ )); do
			on "$h" zfs umount "${list[i]}" && break
			(( try < 5 )) || { echo "remount: cannot unmount ${list[i]} on $h" >&2; return 1; }
			sleep 0.5
		done
	done
	mapfile -t all < <(on "$h" zfs list -H -o name,canmount -r -t filesystem "$ds" | awk -F'\t' '$2 == "on" {print $1}')
	for (( i = 0; i < ${#all[@]}; i++ )); do
		on "$h" zfs mount "${all[i]}" || { echo "remount: cannot mount ${all[i]} on $h" >&2; return 1; }
	done
}

# checksum_tree hK DIR: one stable checksum of everything under DIR on hK: names, types, modes,
# owners, symlink targets and file contents (not times). Compare it across hosts.
# shellcheck disable=SC2016
checksum_tree() {
	on "$1" bash -c '
		set -o pipefail
		cd -- "$1" || exit 1
		export LC_ALL=C
		{
			find . -mindepth 1 -printf "%y %m %U:%G %p -> %l\0" | sort -z
			find . -mindepth 1 -type f -print0 | sort -z | xargs -0r sha256sum --
		} | sha256sum | cut -d" " -f1
	' checksum_tree "$2"
}
