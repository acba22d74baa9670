# tests/helpers/zrep-fixtures.sh: zrep state made by hand with zfs commands, exactly the on-disk
# contract of the reference (§2 properties, §3 snapshot names), so the status/list/clear/
# changeconfig/sentsync tests do not depend on init or sync. Source after tests/lib.sh.

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

# make_pair SRC DST: what `init` + one `sync` leave behind:
#   h1: SRC master; SRC@zrep_000000 (sent=T0, set on the source only, as init does);
#       SRC@zrep_000001 (sent=T1)
#   h2: DST received with send -p (config as received properties); DST@zrep_000001 sent=T1
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

# state HOST: every dataset and snapshot, and every local or received property, of HOST
# (for "bad input changes nothing" checks)
state() {
	on "$1" zfs list -H -o name -t all
	on "$1" zfs get -H -o name,property,value,source -s local,received all
}

# live_pid HOST: starts a sleeping process in HOST and prints its PID (stop it with kill_pid)
live_pid() { on "$1" sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo $!'; }

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
# "zrep: " line (at least) on stderr, and change nothing on h1 or h2
refused() {
	local code=$1 msg=$2 h=$3 b1 b2; shift 3
	b1=$(state h1) b2=$(state h2)
	run_zrep "$h" "$@"
	expect_rc "$code" "$msg"
	assert_eq "" "$OUT" "$msg: nothing on stdout"
	assert_match '^zrep: ' "$ERR" "$msg: says why on stderr"
	[[ $b1 == "$(state h1)" && $b2 == "$(state h2)" ]] && pass "$msg: nothing changed" \
		|| fail "$msg: something changed"
}
