#!/usr/bin/env bash
# t0410-clear-changeconfig: `clear` (reference §1.13) removes only this tag's snapshots of the
# filesystem itself (anchored names, _unsent included; descendants only with -R) and the TAG:
# properties set locally on it, refuses while a live zrep holds the fs lock, waits 10 s without
# -f; `changeconfig` (§1.14) in both forms, keeping an existing savecount. Bad input (missing or
# extra arguments, hostile names and hosts) is refused with nothing changed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools

props_of() {  # HOST DS: "prop=value source" of every local/received property, sorted
	on "$1" zfs get -H -o property,value,source -s local,received all "$2" | awk -F'\t' '{print $1 "=" $2 " " $3}' | sort
}
snaps_of() {  # HOST DS: the snapshots of DS and its descendants, sorted
	on "$1" zfs list -H -o name -t snapshot -r "$2" | sort
}

log_must make_pair tank/src tank/dst
log_must on h1 zfs create tank/src/child
for s in zrep_000000 zrep_000002_unsent zrep_1 zrep2_000001 zrepx_000001 manual other_000001; do
	[[ $s == zrep_000000 ]] && continue
	log_must on h1 zfs snapshot "tank/src@$s"
done
log_must on h1 zfs snapshot tank/src/child@zrep_000001
log_must on h1 zfs set zrepx:dest-fs=keep tank/src
log_must on h1 zfs set xzrep:dest-fs=keep tank/src
log_must on h1 zfs set other:dest-fs=keep tank/src
log_must on h1 zfs create tank/plain

# ---------------------------------------------------------------- clear: bad input
refused 2 "clear without a filesystem" h1 clear
refused 2 "clear -f without a filesystem" h1 clear -f
refused 2 "clear with two filesystems" h1 clear -f tank/src tank/plain
refused 2 "clear -x" h1 clear -x tank/src
refused 2 "clear of a snapshot" h1 clear -f tank/src@zrep_000001
refused 2 "clear of '-rf'" h1 clear -f -rf
refused 2 "clear of an empty name" h1 clear -f ""
refused 1 "clear of a missing fs" h1 clear -f tank/nope
refused 1 "clear of a name with a quote" h1 clear -f "tank/it's"
refused 1 "clear of a name with \$" h1 clear -f 'tank/$(touch x)'
refused 1 "clear of 'tank/my fs' (missing, with a space)" h1 clear -f "tank/my fs"

# a live zrep holds the lock: refused, nothing changed (the holder's lock stays)
PID=$(live_pid h1)
log_must on h1 zfs set zrep:lock-pid="$PID" tank/src
refused 1 "clear while a live process holds the fs lock" h1 clear -f tank/src
assert_match 'locked' "$ERR" "clear: names the lock"
assert_eq "$PID" "$(on h1 zfs get -H -o value zrep:lock-pid tank/src)" "clear left the holder's lock alone"
log_must kill_pid "$PID"

# ---------------------------------------------------------------- clear -f on the master
# the lock is now stale (dead holder): clear takes it over and removes it at the end
run_zrep h1 clear -f tank/src
expect_rc 0 "clear -f tank/src"
assert_eq $'tank/src/child@zrep_000001\ntank/src@manual\ntank/src@other_000001\ntank/src@zrep2_000001\ntank/src@zrep_1\ntank/src@zrepx_000001' \
	"$(snaps_of h1 tank/src)" "clear: only this tag's snapshots of the fs itself are gone"
assert_eq $'other:dest-fs=keep local\nxzrep:dest-fs=keep local\nzrepx:dest-fs=keep local' \
	"$(props_of h1 tank/src | grep ':')" "clear: every zrep: property gone (lock too), other tags' kept"
run_zrep h1 list
assert_eq "" "$OUT" "clear: tank/src is no longer a zrep filesystem"
assert_eq "tank/dst" "$(on h2 zrep list)" "clear: the remote side is untouched"
assert_eq "$(printf '%s\n' tank/dst@zrep_000000 tank/dst@zrep_000001)" "$(snaps_of h2 tank/dst)" "clear: remote snapshots untouched"

run_zrep h1 clear -f tank/plain
expect_rc 0 "clear -f of a fs without zrep state"

# ---------------------------------------------------------------- clear with -R (recursive)
log_must make_pair tank/r tank/rdst
log_must on h1 zfs create tank/r/child
log_must on h1 zfs snapshot tank/r/child@zrep_000001
log_must on h1 zfs snapshot tank/r/child@zrep_000005
run_zrep h1 -R clear -f tank/r
expect_rc 0 "zrep -R clear -f"
assert_eq "tank/r/child@zrep_000005" "$(snaps_of h1 tank/r)" "-R clear: same-named snapshots of descendants destroyed too"

# ---------------------------------------------------------------- clear: tags
log_must make_pair tank/t tank/tdst
ZTAG=other log_must make_pair tank/osrc tank/odst
log_must on h1 zfs snapshot tank/t@other_000007
log_must on h1 zfs set other:x=1 tank/t
log_must on h1 zfs set other:dest-fs=x tank/t
run_zrep h1 -t other clear -f tank/t
expect_rc 0 "clear -t other"
assert_eq $'tank/t@zrep_000000\ntank/t@zrep_000001' "$(snaps_of h1 tank/t)" "clear -t other: zrep snapshots kept"
assert_eq "" "$(props_of h1 tank/t | grep '^other:')" "clear -t other: other: properties gone"
assert_eq 6 "$(props_of h1 tank/t | grep -c '^zrep:')" "clear -t other: zrep: properties kept"

# ---------------------------------------------------------------- clear on the destination, with the delay
T=$(date +%s)
run_zrep h2 clear tank/tdst
expect_rc 0 "clear (no -f) on the destination"
(( $(date +%s) - T >= 10 )) && pass "clear without -f waits 10 s first" || fail "clear without -f waits 10 s first"
assert_match 'seconds' "$ERR" "clear without -f says it waits"
assert_eq "" "$(snaps_of h2 tank/tdst)" "clear on the destination: its zrep snapshots are gone"
assert_eq "" "$(props_of h2 tank/tdst | grep '^zrep:' || true)" "clear on the destination: received zrep properties are masked too"

# ---------------------------------------------------------------- changeconfig: bad input
log_must make_pair tank/c tank/cdst
log_must zset h1 tank/c savecount=7
refused 2 "changeconfig without arguments" h1 changeconfig
refused 2 "changeconfig with two arguments" h1 changeconfig tank/c h2
refused 2 "changeconfig with four arguments" h1 changeconfig tank/c h2 tank/x tank/y
refused 2 "changeconfig -d with two arguments" h1 changeconfig -d tank/c h2
refused 2 "changeconfig -z" h1 changeconfig -z tank/c h2 tank/x
refused 2 "changeconfig with a host with a space" h1 changeconfig tank/c "h 2" tank/x
refused 2 "changeconfig with a host with ;" h1 changeconfig tank/c "h2;touch /tmp/pwned" tank/x
refused 2 "changeconfig with a host -oProxyCommand" h1 changeconfig tank/c "-oProxyCommand=x" tank/x
refused 2 "changeconfig with an empty host" h1 changeconfig tank/c "" tank/x
refused 2 "changeconfig with a destination '-x'" h1 changeconfig tank/c h2 -x
refused 2 "changeconfig of a snapshot" h1 changeconfig tank/c@zrep_000001 h2 tank/x
refused 2 "changeconfig to a snapshot" h1 changeconfig tank/c h2 tank/x@s
refused 1 "changeconfig of a missing fs" h1 changeconfig -f tank/nope h2 tank/x
refused 1 "changeconfig of a name with a quote" h1 changeconfig -f "tank/it's" h2 tank/x
refused 1 "changeconfig without -f of a fs without zrep snapshots" h1 changeconfig tank/plain h2 tank/x
# (refused passes no environment: this one by hand)
b1=$(state h1)
OUT=$(on h1 env ZREP_SAVE_COUNT=abc zrep changeconfig -f tank/plain h2 tank/x 2>&1); RC=$?
expect_rc 1 "changeconfig -f with ZREP_SAVE_COUNT=abc"
assert_eq "$b1" "$(state h1)" "changeconfig with ZREP_SAVE_COUNT=abc changed nothing"

# ---------------------------------------------------------------- changeconfig: master side
run_zrep h1 changeconfig tank/c h2 "tank/new dst"
expect_rc 0 "changeconfig SRCFS DESTHOST DESTFS"
assert_eq "$(printf '%s\n' 'zrep:dest-fs=tank/new dst local' 'zrep:dest-host=h2 local' 'zrep:master=yes local' \
	'zrep:savecount=7 local' 'zrep:src-fs=tank/c local' 'zrep:src-host=h1 local')" "$(props_of h1 tank/c)" \
	"changeconfig: new destination, savecount 7 kept, master untouched"
run_zrep h1 -C tank/c localhost tank/cdst
expect_rc 0 "-C is changeconfig"
assert_eq "zrep:dest-host=localhost local" "$(props_of h1 tank/c | grep dest-host)" "changeconfig: DESTHOST as typed"

run_zrep h1 changeconfig -f tank/plain h2 tank/pdst
expect_rc 0 "changeconfig -f of a fs without zrep snapshots"
assert_eq "$(printf '%s\n' 'zrep:dest-fs=tank/pdst local' 'zrep:dest-host=h2 local' 'zrep:savecount=5 local' \
	'zrep:src-fs=tank/plain local' 'zrep:src-host=h1 local')" "$(props_of h1 tank/plain)" \
	"changeconfig -f: savecount from ZREP_SAVE_COUNT (5) when none was set"
log_must on h1 zfs inherit zrep:savecount tank/plain
log_must on h1 env ZREP_SAVE_COUNT=9 zrep changeconfig -f tank/plain h2 tank/pdst
assert_eq "9" "$(on h1 zfs get -H -o value zrep:savecount tank/plain)" "changeconfig: ZREP_SAVE_COUNT=9 written"

# ---------------------------------------------------------------- changeconfig -d: destination side
run_zrep h2 changeconfig -d tank/cdst h1 tank/c
expect_rc 0 "changeconfig -d on the destination"
assert_eq "$(printf '%s\n' 'zrep:dest-fs=tank/cdst local' 'zrep:dest-host=h2 local' 'zrep:savecount=5 received' \
	'zrep:src-fs=tank/c local' 'zrep:src-host=h1 local')" "$( { props_of h2 tank/cdst | grep -v 'received$'; props_of h2 tank/cdst | grep savecount; } | sort)" \
	"changeconfig -d: local config written, received savecount kept"
run_zrep h2 changeconfig -d -f tank/cdst h1 tank/c
expect_rc 0 "changeconfig -d -f (options in either order)"
log_must on h2 zfs create tank/manual
run_zrep h2 changeconfig -d tank/manual h1 tank/c
expect_rc 1 "changeconfig -d without -f on a fs without zrep snapshots"
run_zrep h2 changeconfig -f -d tank/manual h1 tank/c
expect_rc 0 "changeconfig -f -d"
assert_eq "tank/c" "$(on h2 zfs get -H -o value zrep:src-fs tank/manual)" "changeconfig -f -d: src-fs"
assert_eq "h2" "$(on h2 zfs get -H -o value zrep:dest-host tank/manual)" "changeconfig -f -d: dest-host is this host"

test_done
