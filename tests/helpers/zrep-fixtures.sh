# tests/helpers/zrep-fixtures.sh: zrep state made by hand with zfs commands, exactly the on-disk
# contract of the reference (§2 properties, §3 snapshot names), so the status/list/clear/
# changeconfig/sentsync tests do not depend on init or sync. Source after tests/lib.sh.
#
# Pool-agnostic: callers name datasets with $P1 (h1's pool) and $P2 (h2's pool), set by
# need_hosts (zfs-fuse bed: both "tank"; in-kernel OpenZFS bed: tank_h1, tank_h2). On the
# in-kernel bed all hosts share one zfs, so every host sees every pool: listings of "every zrep
# filesystem" include the other host's (see shared_zfs, all_of). Mount-agnostic: a destination
# may be received unmounted (OpenZFS `zfs receive -u`); use mounted_dir to reach a dataset's files.

T0=1706706309   # 2024-01-31 13:05:09 UTC
T1=1706706400   # 2024-01-31 13:06:40 UTC

# zset HOST DS PROP=VALUE...: zfs set each TAG property (names given without the tag)
zset() {
	local h=$1 ds=$2 pv; shift 2
	for pv in "$@"; do on "$h" zfs set "${ZTAG:-zrep}:$pv" "$ds" || return 1; done
}

# make_master SRC DESTFS: a master on h1 (config for h1 -> h2:DESTFS), no snapshot yet
make_master() {
	local src=$1 dst=$2
	on h1 zfs create "$src" || return 1
	zset h1 "$src" "src-fs=$src" src-host=h1 "dest-fs=$dst" dest-host=h2 savecount=5 || return 1
	zset h1 "$src" master=yes
}

# make_pair SRC DST: what `init` + one `sync` leave behind (SRC in h1's pool, DST in h2's):
#   h1: SRC master; SRC@zrep_000000 (sent=T0, set on the source only, as init does);
#       SRC@zrep_000001 (sent=T1)
#   h2: DST received with send -p (config as received properties); DST@zrep_000001 sent=T1
# (DST may or may not end up mounted, depending on the zfs: use mounted_dir to reach its files.)
make_pair() {
	local src=$1 dst=$2 t=${ZTAG:-zrep}
	on h1 zfs create "$src" || return 1
	zset h1 "$src" "src-fs=$src" src-host=h1 "dest-fs=$dst" dest-host=h2 savecount=5 || return 1
	on h1 zfs snapshot "$src@${t}_000000" || return 1
	on h1 zfs send -p "$src@${t}_000000" | on h2 zfs recv "$dst" || return 1
	zset h1 "$src@${t}_000000" "sent=$T0" || return 1
	zset h1 "$src" master=yes || return 1
	on h1 zfs snapshot "$src@${t}_000001" || return 1
	on h1 zfs send -I "$src@${t}_000000" "$src@${t}_000001" | on h2 zfs recv -F "$dst" || return 1
	zset h2 "$dst@${t}_000001" "sent=$T1" || return 1
	zset h1 "$src@${t}_000001" "sent=$T1"
}

# mounted_dir HOST DS: mounts DS on HOST if it is not mounted (a replica received with
# `zfs receive -u`), then prints its mountpoint (never assume /POOL/DS)
mounted_dir() {
	local h=$1 ds=$2 mp
	if [[ $(on "$h" zfs get -H -o value mounted "$ds") != yes ]]; then
		on "$h" zfs mount "$ds" || return 1
	fi
	mp=$(on "$h" zfs get -H -o value mountpoint "$ds") || return 1
	[[ $mp == /* ]] || { echo "mounted_dir: $ds on $h has no mount point ($mp)" >&2; return 1; }
	printf '%s\n' "$mp"
}

# shared_zfs: true when the hosts share one zfs and each sees the other's pool (the in-kernel
# OpenZFS bed: pools tank_h1, tank_h2 in one kernel); false on the zfs-fuse bed (a zfs per host).
# Decided once, kept in SHARED_ZFS: call it at the top level of the test after need_hosts (a first
# call inside $(...) would not keep the answer).
shared_zfs() {
	if [[ -z ${SHARED_ZFS:-} ]]; then
		SHARED_ZFS=no
		if [[ $P1 != "$P2" ]] && on h2 zfs list -H -o name "$P1" >/dev/null 2>&1; then SHARED_ZFS=yes; fi
	fi
	[[ $SHARED_ZFS == yes ]]
}

# all_of HOST TEXT1 TEXT2: the output of a listing of every zrep filesystem (status -a, list, ...)
# on HOST, given TEXT1, its lines for h1's filesystems, and TEXT2, those for h2's: HOST's own
# lines; on a shared zfs both, in zfs's order (by name: the pool with the smaller name first).
# TEXT1/TEXT2: lines without the last newline; may be empty. Regex fragments work as well.
all_of() {
	local h=$1 a=$2 b=$3 t
	if ! shared_zfs; then
		if [[ $h == h1 ]]; then printf '%s' "$a"; else printf '%s' "$b"; fi
		return 0
	fi
	if [[ $(printf '%s\n' "$P1/" "$P2/" | LC_ALL=C sort | head -n1) != "$P1/" ]]; then t=$a a=$b b=$t; fi
	if [[ -n $a && -n $b ]]; then printf '%s\n%s' "$a" "$b"; else printf '%s' "$a$b"; fi
}

# rq STRING: STRING quoted for a bash =~ (extended) regex
rq() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

# state HOST: every dataset and snapshot, and every local or received property, of HOST
# (for "bad input changes nothing" checks)
state() {
	on "$1" zfs list -H -o name -t all
	on "$1" zfs get -H -o name,property,value,source -s local,received all
}

# live_pid HOST: starts a sleeping process in HOST whose command line is a shell zrep's (zrep
# takes a lock-pid whose process is not a zrep for a reused pid) and prints its PID (stop it
# with kill_pid)
live_pid() { on "$1" bash -c '(exec -a "/bin/sh /usr/sbin/zrep sync" sleep 300) </dev/null >/dev/null 2>&1 & echo $!'; }
# other_pid HOST: the same, a process that is not a zrep (a reused pid)
other_pid() { on "$1" sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo $!'; }

# kill_pid PID: stops a process started by live_pid and waits until it is gone (reaped)
kill_pid() {
	local i
	kill "$1" 2>/dev/null
	for (( i = 0; i < 100; i++ )); do [[ -e /proc/$1 ]] || return 0; sleep 0.1; done
	return 1
}

# run_zrep HOST ARGS...: runs zrep in HOST; sets OUT, ERR (text) and RC
run_zrep() {
	local h=$1 e; shift
	e=$(mktemp)
	RC=0
	OUT=$(on "$h" zrep "$@" 2>"$e") || RC=$?
	ERR=$(cat "$e")
	rm -f "$e"
}

# expect_rc RC MSG: checks the RC of the last run_zrep, shows its stderr on failure
expect_rc() {
	if [[ $RC == "$1" ]]; then pass "$2 (exit $1)"
	else
		fail "$2: exit $RC, expected $1"
		[[ -n $ERR ]] && sed 's/^/#   stderr| /' <<<"$ERR"
		[[ -n $OUT ]] && sed 's/^/#   stdout| /' <<<"$OUT"
	fi
	return 0
}

# refused CODE MSG HOST ARGS...: zrep ARGS on HOST must exit CODE, print nothing on stdout, one
# "zrep: " line (at least) on stderr, and change nothing on h1 or h2. In a short run (TEST_SHORT=1)
# a usage error (CODE 2, decided before any zfs command) is not followed by the two hosts'
# listings that show nothing changed: that part of the check is the zfs-fuse lane's.
refused() {
	local code=$1 msg=$2 h=$3 b1 b2 lists=1; shift 3
	if short_run && [[ $code == 2 ]]; then
		[[ -n ${_SHORT_REFUSED:-} ]] || short_part "usage errors: nothing changed not checked"
		_SHORT_REFUSED=1 lists=0
	fi
	(( lists )) && { b1=$(state h1); b2=$(state h2); }
	run_zrep "$h" "$@"
	expect_rc "$code" "$msg"
	assert_eq "" "$OUT" "$msg: nothing on stdout"
	assert_match '^zrep: ' "$ERR" "$msg: says why on stderr"
	(( lists )) || return 0
	[[ $b1 == "$(state h1)" && $b2 == "$(state h2)" ]] && pass "$msg: nothing changed" \
		|| fail "$msg: something changed"
}
