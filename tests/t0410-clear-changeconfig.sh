#!/usr/bin/env bash
# t0410-clear-changeconfig: `clear` (reference §1.13) removes only this tag's snapshots of the
# filesystem itself (anchored names, _unsent included; descendants only with -R) and the TAG:
# properties set locally on it, refuses while a live zrep holds the fs lock, waits 10 s without
# -f; `changeconfig` (§1.14) in both forms, keeping an existing savecount. Bad input (missing or
# extra arguments, hostile names and hosts) is refused with nothing changed.
# Pool names come from the bed ($P1 on h1, $P2 on h2; on in-kernel OpenZFS each host also sees
# the other's pool: listings of all zrep filesystems are expected through all_of).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools
shared_zfs && echo "# the hosts share one zfs: listings of all zrep filesystems include the other host's"

props_of() {  # HOST DS: "prop=value source" of every local/received property, sorted
	on "$1" zfs get -H -o property,value,source -s local,received all "$2" | awk -F'\t' '{print $1 "=" $2 " " $3}' | sort
}
snaps_of() {  # HOST DS: the snapshots of DS and its descendants, sorted
	on "$1" zfs list -H -o name -t snapshot -r "$2" | sort
}

log_must make_pair "$P1/src" "$P2/dst"
log_must on h1 zfs create "$P1/src/child"
for s in zrep_000000 zrep_000002_unsent zrep_1 zrep2_000001 zrepx_000001 manual other_000001; do
	[[ $s == zrep_000000 ]] && continue
	log_must on h1 zfs snapshot "$P1/src@$s"
done
log_must on h1 zfs snapshot "$P1/src/child@zrep_000001"
log_must on h1 zfs set zrepx:dest-fs=keep "$P1/src"
log_must on h1 zfs set xzrep:dest-fs=keep "$P1/src"
log_must on h1 zfs set other:dest-fs=keep "$P1/src"
log_must on h1 zfs create "$P1/plain"

# ---------------------------------------------------------------- clear: bad input
refused 2 "clear without a filesystem" h1 clear
refused 2 "clear -f without a filesystem" h1 clear -f
refused 2 "clear with two filesystems" h1 clear -f "$P1/src" "$P1/plain"
refused 2 "clear -x" h1 clear -x "$P1/src"
refused 2 "clear of a snapshot" h1 clear -f "$P1/src@zrep_000001"
refused 2 "clear of '-rf'" h1 clear -f -rf
refused 2 "clear of an empty name" h1 clear -f ""
refused 1 "clear of a missing fs" h1 clear -f "$P1/nope"
refused 1 "clear of a name with a quote" h1 clear -f "$P1/it's"
refused 1 "clear of a name with \$" h1 clear -f "$P1/"'$(touch x)'
refused 1 "clear of '$P1/my fs' (missing, with a space)" h1 clear -f "$P1/my fs"

# a live zrep holds the lock: refused, nothing changed (the holder's lock stays)
PID=$(live_pid h1)
log_must on h1 zfs set zrep:lock-pid="$PID" "$P1/src"
refused 75 "clear while a live process holds the fs lock" h1 clear -f "$P1/src"
assert_match 'locked' "$ERR" "clear: names the lock"
assert_eq "$PID" "$(on h1 zfs get -H -o value zrep:lock-pid "$P1/src")" "clear left the holder's lock alone"
log_must kill_pid "$PID"

# ---------------------------------------------------------------- clear -f on the master
# the lock is now stale (dead holder): clear takes it over and removes it at the end
run_zrep h1 clear -f "$P1/src"
expect_rc 0 "clear -f $P1/src"
assert_eq "$(printf '%s\n' "$P1/src/child@zrep_000001" "$P1/src@manual" "$P1/src@other_000001" "$P1/src@zrep2_000001" \
	"$P1/src@zrep_1" "$P1/src@zrepx_000001")" \
	"$(snaps_of h1 "$P1/src")" "clear: only this tag's snapshots of the fs itself are gone"
assert_eq $'other:dest-fs=keep local\nxzrep:dest-fs=keep local\nzrepx:dest-fs=keep local' \
	"$(props_of h1 "$P1/src" | grep ':')" "clear: every zrep: property gone (lock too), other tags' kept"
run_zrep h1 list
assert_eq "$(all_of h1 "" "$P2/dst")" "$OUT" "clear: $P1/src is no longer a zrep filesystem"
assert_eq "$(all_of h2 "" "$P2/dst")" "$(on h2 zrep list)" "clear: the remote side is untouched"
assert_eq "$(printf '%s\n' "$P2/dst@zrep_000000" "$P2/dst@zrep_000001")" "$(snaps_of h2 "$P2/dst")" "clear: remote snapshots untouched"

run_zrep h1 clear -f "$P1/plain"
expect_rc 0 "clear -f of a fs without zrep state"

# ---------------------------------------------------------------- clear with -R (recursive)
log_must make_pair "$P1/r" "$P2/rdst"
log_must on h1 zfs create "$P1/r/child"
log_must on h1 zfs snapshot "$P1/r/child@zrep_000001"
log_must on h1 zfs snapshot "$P1/r/child@zrep_000005"
run_zrep h1 -R clear -f "$P1/r"
expect_rc 0 "zrep -R clear -f"
assert_eq "$P1/r/child@zrep_000005" "$(snaps_of h1 "$P1/r")" "-R clear: same-named snapshots of descendants destroyed too"

# ---------------------------------------------------------------- clear: tags
log_must make_pair "$P1/t" "$P2/tdst"
ZTAG=other log_must make_pair "$P1/osrc" "$P2/odst"
log_must on h1 zfs snapshot "$P1/t@other_000007"
log_must on h1 zfs set other:x=1 "$P1/t"
log_must on h1 zfs set other:dest-fs=x "$P1/t"
run_zrep h1 -t other clear -f "$P1/t"
expect_rc 0 "clear -t other"
assert_eq "$P1/t@zrep_000000"$'\n'"$P1/t@zrep_000001" "$(snaps_of h1 "$P1/t")" "clear -t other: zrep snapshots kept"
assert_eq "" "$(props_of h1 "$P1/t" | grep '^other:')" "clear -t other: other: properties gone"
assert_eq 6 "$(props_of h1 "$P1/t" | grep -c '^zrep:')" "clear -t other: zrep: properties kept"

# ---------------------------------------------------------------- clear on the destination, with the delay
T=$(date +%s)
run_zrep h2 clear "$P2/tdst"
expect_rc 0 "clear (no -f) on the destination"
(( $(date +%s) - T >= 10 )) && pass "clear without -f waits 10 s first" || fail "clear without -f waits 10 s first"
assert_match 'seconds' "$ERR" "clear without -f says it waits"
assert_eq "" "$(snaps_of h2 "$P2/tdst")" "clear on the destination: its zrep snapshots are gone"
assert_eq "" "$(props_of h2 "$P2/tdst" | grep '^zrep:' || true)" "clear on the destination: received zrep properties are masked too"

# ---------------------------------------------------------------- changeconfig: bad input
log_must make_pair "$P1/c" "$P2/cdst"
log_must zset h1 "$P1/c" savecount=7
refused 2 "changeconfig without arguments" h1 changeconfig
refused 2 "changeconfig with two arguments" h1 changeconfig "$P1/c" h2
refused 2 "changeconfig with four arguments" h1 changeconfig "$P1/c" h2 "$P2/x" "$P2/y"
refused 2 "changeconfig -d with two arguments" h1 changeconfig -d "$P1/c" h2
refused 2 "changeconfig -z" h1 changeconfig -z "$P1/c" h2 "$P2/x"
refused 2 "changeconfig with a host with a space" h1 changeconfig "$P1/c" "h 2" "$P2/x"
refused 2 "changeconfig with a host with ;" h1 changeconfig "$P1/c" "h2;touch /tmp/pwned" "$P2/x"
refused 2 "changeconfig with a host -oProxyCommand" h1 changeconfig "$P1/c" "-oProxyCommand=x" "$P2/x"
refused 2 "changeconfig with an empty host" h1 changeconfig "$P1/c" "" "$P2/x"
refused 2 "changeconfig with a destination '-x'" h1 changeconfig "$P1/c" h2 -x
refused 2 "changeconfig of a snapshot" h1 changeconfig "$P1/c@zrep_000001" h2 "$P2/x"
refused 2 "changeconfig to a snapshot" h1 changeconfig "$P1/c" h2 "$P2/x@s"
refused 1 "changeconfig of a missing fs" h1 changeconfig -f "$P1/nope" h2 "$P2/x"
refused 1 "changeconfig of a name with a quote" h1 changeconfig -f "$P1/it's" h2 "$P2/x"
refused 1 "changeconfig without -f of a fs without zrep snapshots" h1 changeconfig "$P1/plain" h2 "$P2/x"
# (refused passes no environment: this one by hand)
b1=$(state h1)
OUT=$(on h1 env ZREP_SAVE_COUNT=abc zrep changeconfig -f "$P1/plain" h2 "$P2/x" 2>&1); RC=$?
expect_rc 1 "changeconfig -f with ZREP_SAVE_COUNT=abc"
assert_eq "$b1" "$(state h1)" "changeconfig with ZREP_SAVE_COUNT=abc changed nothing"

# ---------------------------------------------------------------- changeconfig: master side
run_zrep h1 changeconfig "$P1/c" h2 "$P2/new dst"
expect_rc 0 "changeconfig SRCFS DESTHOST DESTFS"
assert_eq "$(printf '%s\n' "zrep:dest-fs=$P2/new dst local" 'zrep:dest-host=h2 local' 'zrep:master=yes local' \
	'zrep:savecount=7 local' "zrep:src-fs=$P1/c local" 'zrep:src-host=h1 local')" "$(props_of h1 "$P1/c")" \
	"changeconfig: new destination, savecount 7 kept, master untouched"
run_zrep h1 -C "$P1/c" localhost "$P2/cdst"
expect_rc 0 "-C is changeconfig"
assert_eq "zrep:dest-host=localhost local" "$(props_of h1 "$P1/c" | grep dest-host)" "changeconfig: DESTHOST as typed"

run_zrep h1 changeconfig -f "$P1/plain" h2 "$P2/pdst"
expect_rc 0 "changeconfig -f of a fs without zrep snapshots"
assert_eq "$(printf '%s\n' "zrep:dest-fs=$P2/pdst local" 'zrep:dest-host=h2 local' 'zrep:savecount=5 local' \
	"zrep:src-fs=$P1/plain local" 'zrep:src-host=h1 local')" "$(props_of h1 "$P1/plain")" \
	"changeconfig -f: savecount from ZREP_SAVE_COUNT (5) when none was set"
log_must on h1 zfs inherit zrep:savecount "$P1/plain"
log_must on h1 env ZREP_SAVE_COUNT=9 zrep changeconfig -f "$P1/plain" h2 "$P2/pdst"
assert_eq "9" "$(on h1 zfs get -H -o value zrep:savecount "$P1/plain")" "changeconfig: ZREP_SAVE_COUNT=9 written"

# ---------------------------------------------------------------- changeconfig -d: destination side
run_zrep h2 changeconfig -d "$P2/cdst" h1 "$P1/c"
expect_rc 0 "changeconfig -d on the destination"
assert_eq "$(printf '%s\n' "zrep:dest-fs=$P2/cdst local" 'zrep:dest-host=h2 local' 'zrep:savecount=5 received' \
	"zrep:src-fs=$P1/c local" 'zrep:src-host=h1 local')" "$( { props_of h2 "$P2/cdst" | grep -v 'received$'; props_of h2 "$P2/cdst" | grep savecount; } | sort)" \
	"changeconfig -d: local config written, received savecount kept"
run_zrep h2 changeconfig -d -f "$P2/cdst" h1 "$P1/c"
expect_rc 0 "changeconfig -d -f (options in either order)"
log_must on h2 zfs create "$P2/manual"
run_zrep h2 changeconfig -d "$P2/manual" h1 "$P1/c"
expect_rc 1 "changeconfig -d without -f on a fs without zrep snapshots"
run_zrep h2 changeconfig -f -d "$P2/manual" h1 "$P1/c"
expect_rc 0 "changeconfig -f -d"
assert_eq "$P1/c" "$(on h2 zfs get -H -o value zrep:src-fs "$P2/manual")" "changeconfig -f -d: src-fs"
assert_eq "h2" "$(on h2 zfs get -H -o value zrep:dest-host "$P2/manual")" "changeconfig -f -d: dest-host is this host"

test_done
