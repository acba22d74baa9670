#!/usr/bin/env bash
# t0100-bed: the test bed itself (tests/bed). Runs on a bed of its own (BED_DIR below), so it
# neither needs nor disturbs the shared one: up/down 3 times with checks, the per-host daemon
# controls, and recovery from crashed beds.
set -uo pipefail
# its own bed, beside the shared one (BED_DIR=/x/y -> /x/y-selftest)
export BED_DIR=${BED_DIR:-/var/tmp/zrep-bed}-selftest
. "$(dirname "$0")/lib.sh"

if [[ ${BED_ZFS:-fuse} == kernel ]] && zpool list -H -o name tank_h1 >/dev/null 2>&1; then
	skip_test "kernel ZFS: a pool tank_h1 exists already (another bed is up)"
fi

FAKEBIN=$(mktemp -d /var/tmp/zrep-bed-selftest-bin.XXXXXX)
cat >"$FAKEBIN/zrep" <<'EOF'
#!/bin/sh
echo "fake-zrep on $(uname -n)"
EOF
chmod 755 "$FAKEBIN/zrep"
export BED_PATH=$FAKEBIN
trap '"$BED" down >/dev/null 2>&1; rm -rf "$FAKEBIN"' EXIT

# the machine's own files must not change
etc_ssh_sum() { find /etc/ssh -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum; }
ETC_SSH_BEFORE=$(etc_ssh_sum)
ROOT_SSH_BEFORE=$([[ -e /root/.ssh ]] && echo present || echo absent)
LOCK_BEFORE=$([[ -e /var/run/zrep.lock ]] && echo present || echo absent)

now() { echo "${EPOCHREALTIME/./}"; }
secs() { local d=$(( $(now) - $1 )); printf '%d.%02d' $(( d / 1000000 )) $(( d % 1000000 / 10000 )); }
alive_nz() {  # alive and not a zombie
	local st
	kill -0 "$1" 2>/dev/null || return 1
	read -r st <"/proc/$1/stat" 2>/dev/null || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

PFX="" RECORDED=()
record_state() {  # remember what the running bed made, for the checks after down
	# shellcheck disable=SC1091
	PFX=$(. "$BED_DIR/env" && echo "$BED_PFX")
	RECORDED=()
	local f p
	for f in "$BED_DIR"/h*/holder.pid "$BED_DIR"/h*/zfs.pid "$BED_DIR"/h*/sshd.pid; do
		[[ -e $f ]] || continue  # no zfs.pid with BED_ZFS=kernel (one kernel zfs for all hosts)
		read -r p <"$f" && RECORDED+=("$p")
	done
}

UP_TIMES=() DOWN_TIMES=()
bed_up() {  # up 2, timed
	local t0; t0=$(now)
	log_must "$BED" up 2
	UP_TIMES+=("$(secs "$t0")")
	record_state
	if [[ ${BED_ZFS:-fuse} == kernel ]]; then
		assert_eq 4 "${#RECORDED[@]}" "up: 4 processes recorded (holder, sshd per host)"
	else
		assert_eq 6 "${#RECORDED[@]}" "up: 6 processes recorded (holder, zfs-fuse, sshd per host)"
	fi
}
bed_down() {
	local t0; t0=$(now)
	log_must "$BED" down
	DOWN_TIMES+=("$(secs "$t0")")
}

check_up() {  # CYCLE
	local c=$1 h o
	need_hosts 2
	for h in h1 h2; do
		assert_eq "$h" "$(on "$h" uname -n)" "$c: uname -n inside $h"
		assert_eq "$(pool_of "$h")" "$(on "$h" zpool list -H -o name "$(pool_of "$h")")" "$c: zpool list works on $h"
	done
	assert_eq h2 "$(on h1 ssh h2 hostname)" "$c: ssh h2 hostname from h1"
	assert_eq h1 "$(on h2 ssh h1 hostname)" "$c: ssh h1 hostname from h2"
	log_must on h1 zfs create "$P1/indep"
	assert_eq "$P1/indep" "$(on h1 zfs list -H -o name "$P1/indep" 2>&1)" "$c: dataset created on h1"
	log_mustnot on h2 zfs list -H -o name "$P2/indep"
	pass "$c: the dataset is absent on h2 (independent pools)"
	o=$(on h1 ssh h2 'echo $PATH')
	assert_match "^$FAKEBIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\$" "$o" "$c: PATH over ssh starts with BED_PATH"
	assert_eq "fake-zrep on h2" "$(on h1 ssh h2 zrep)" "$c: zrep found over ssh via BED_PATH"
	assert_eq "fake-zrep on h1" "$(on h1 zrep)" "$c: zrep found by bed exec via BED_PATH"
}

check_down() {  # CYCLE
	local c=$1 p left
	left=$(ip netns list | awk '{print $1}' | grep -E "^$PFX-" || true)
	assert_eq "" "$left" "$c: no network namespace of the bed left"
	left=""
	for p in "${RECORDED[@]}"; do alive_nz "$p" && left+=" $p"; done
	assert_eq "" "$left" "$c: no recorded process alive"
	left=$(grep -E "$BED_DIR/| $BED_DIR | /run/netns/$PFX-|zrepbed-run-|zrepbed-mnt-" /proc/self/mountinfo || true)
	assert_eq "" "$left" "$c: no mount of the bed in the root mount namespace"
	assert_eq absent "$([[ -e $BED_DIR ]] && echo present || echo absent)" "$c: state dir removed"
}

# ---------------------------------------------------------------- start clean
log_must "$BED" down
log_mustnot "$BED" status
pass "status without a bed exits 1"

# ---------------------------------------------------------------- 3 cycles of up 2 / down
for cycle in 1 2 3; do
	bed_up
	check_up "cycle $cycle"
	if (( cycle == 1 )); then
		# exec details
		on h1 sh -c 'exit 3'; assert_eq 3 "$?" "exec passes the exit status through"
		assert_eq "in-h2" "$(echo in | on h2 sed 's/$/-h2/')" "exec passes stdin through"
		assert_eq "$PWD" "$(on h1 pwd)" "exec keeps the working directory"
		assert_eq err "$(on h1 sh -c 'echo err >&2' 2>&1 >/dev/null)" "exec passes stderr through"
		if [[ ${BED_ZFS:-fuse} == kernel ]]; then want="tank_h1 tank_h2"; else want="tank tank"; fi
		assert_eq "$want" "$("$BED" pool h1) $("$BED" pool h2)" "bed pool prints the pool names"
		log_mustnot "$BED" pool h3
		log_mustnot "$BED" exec h3 true
		# private /run: the zrep lock file
		log_must on h1 touch /var/run/zrep.lock
		log_mustnot on h2 test -e /var/run/zrep.lock
		assert_eq "$LOCK_BEFORE" "$([[ -e /var/run/zrep.lock ]] && echo present || echo absent)" \
			"/var/run/zrep.lock of h1 is private to h1"
		log_must on h1 test -L /var/lock
		st=$("$BED" status)
		assert_match $'h1 up .*\nh2 up ' "$st" "status shows both hosts up"
	fi
	if (( cycle == 2 )); then
		# zfs daemon stop/start keeps the pool's data
		log_must on h1 sh -c "zfs create $P1/keep && echo payload >/$P1/keep/f && zfs snapshot $P1/keep@s1"
		log_must "$BED" kill-zfs h1
		log_mustnot on h1 zpool list "$P1"
		assert_match 'h1 degraded .*zfs=down' "$("$BED" status)" "status shows zfs of h1 down"
		log_must "$BED" start-zfs h1
		assert_eq payload "$(on h1 cat "/$P1/keep/f")" "after kill-zfs/start-zfs the data is there"
		assert_eq "$P1/keep@s1" "$(on h1 zfs list -H -o name -t snapshot "$P1/keep@s1")" "and the snapshot"
		log_must "$BED" kill-zfs h1 --hard
		log_mustnot on h1 cat "/$P1/keep/f"
		log_must "$BED" start-zfs h1
		assert_eq payload "$(on h1 cat "/$P1/keep/f")" "after kill-zfs --hard/start-zfs the data is there"
		log_must on h1 sh -c "echo more >/$P1/keep/g"
		# sshd stop/start
		log_must "$BED" stop-sshd h2
		log_mustnot on h1 ssh h2 true
		log_must "$BED" start-sshd h2
		assert_eq h2 "$(on h1 ssh h2 hostname)" "ssh works again after start-sshd"
		# link down/up
		log_must "$BED" link-down h2
		log_mustnot on h1 ssh -o ConnectTimeout=2 h2 true
		log_must "$BED" link-up h2
		assert_eq h2 "$(on h1 ssh h2 hostname)" "ssh works again after link-up"
		# heal restarts everything that is down
		log_must "$BED" stop-sshd h1
		log_must "$BED" kill-zfs h2 --hard
		log_must "$BED" heal
		assert_match $'h1 up .*\nh2 up ' "$("$BED" status)" "heal: both hosts up again"
		assert_eq "yes yes" "$(on h1 zfs get -H -o value mounted "$P1") $(on h2 zfs get -H -o value mounted "$P2")" \
			"heal: both pools mounted"
		# recreate-pool: empty pool
		log_must "$BED" recreate-pool h1
		assert_eq "$P1" "$(on h1 zfs list -H -o name -t all -r "$P1")" "recreate-pool leaves an empty pool"
		# the test library's helpers
		log_must on h1 sh -c "zfs create $P1/a && mkdir -p /$P1/a/d && printf 'x y\n' >'/$P1/a/d/f 1' && ln -s f /$P1/a/l"
		log_must on h2 sh -c "zfs create $P2/b && mkdir -p /$P2/b/d && printf 'x y\n' >'/$P2/b/d/f 1' && ln -s f /$P2/b/l"
		s1=$(checksum_tree h1 "/$P1/a") s2=$(checksum_tree h2 "/$P2/b")
		assert_match '^[0-9a-f]{64}$' "$s1" "checksum_tree prints a checksum"
		assert_eq "$s1" "$s2" "checksum_tree: same trees, same checksum"
		log_must on h2 sh -c "printf 'x z\n' >'/$P2/b/d/f 1'"
		[[ $s1 != "$(checksum_tree h2 "/$P2/b")" ]] && pass "checksum_tree: a changed byte changes it" || fail "checksum_tree: a changed byte changes it"
		log_must remount h1 "$P1/a"
		log_must on h1 test -f "/$P1/a/d/f 1"
		log_must on h2 touch /var/run/zrep.lock
		log_must reset_pools
		assert_eq "$P1 $P2" "$(on h1 zfs list -H -o name -t all -r "$P1") $(on h2 zfs list -H -o name -t all -r "$P2")" \
			"reset_pools empties both pools"
		log_mustnot on h2 test -e /var/run/zrep.lock
	fi
	if (( cycle == 3 )); then
		# processes a test left running inside a host die with the bed
		on h1 sleep 1000 &
		RECORDED+=("$!")
		on h2 sh -c "cd /$P2 && exec sleep 1000" &
		RECORDED+=("$!")
		sleep 0.5
	fi
	bed_down
	check_down "cycle $cycle"
	echo "# timing: cycle $cycle: up 2 ${UP_TIMES[-1]} s, down ${DOWN_TIMES[-1]} s"
done

# ---------------------------------------------------------------- crashed beds
# 1. the holders die (kill -9), daemons and state stay
bed_up
OLD=("${RECORDED[@]}")
for f in "$BED_DIR"/h*/holder.pid; do read -r p <"$f"; kill -KILL "$p"; done
assert_match 'h1 down ' "$("$BED" status)" "status: h1 down after its holder died"
log_mustnot on h1 true
bed_up
check_up "crash 1 (holders killed)"
left=""; for p in "${OLD[@]}"; do alive_nz "$p" && left+=" $p"; done
assert_eq "" "$left" "crash 1: up killed every process of the crashed bed"

# 2. every recorded process dies (kill -9), state stays
OLD=("${RECORDED[@]}")
kill -KILL "${OLD[@]}"
bed_up
check_up "crash 2 (all processes killed)"

# 3. the state dir vanishes while everything runs: up finds the namespaces by name
OLD=("${RECORDED[@]}")
rm -rf "$BED_DIR"
bed_up
check_up "crash 3 (state dir removed)"
left=""; for p in "${OLD[@]}"; do alive_nz "$p" && left+=" $p"; done
assert_eq "" "$left" "crash 3: up killed every process of the lost bed"

bed_down
check_down "after crashes"
log_must "$BED" down
pass "down again: idempotent"
log_mustnot "$BED" status

assert_eq "$ETC_SSH_BEFORE" "$(etc_ssh_sum)" "/etc/ssh of the machine unchanged"
assert_eq "$ROOT_SSH_BEFORE" "$([[ -e /root/.ssh ]] && echo present || echo absent)" "/root/.ssh untouched"

echo "# timing: up 2: ${UP_TIMES[*]} s"
echo "# timing: down: ${DOWN_TIMES[*]} s"
test_done
