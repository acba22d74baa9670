#!/usr/bin/env bash
# t0420-sentsync-misc: `sentsync [-L] FS@SNAP` (reference §1.16, with its defects fixed: only the
# fs's own sent marks are cleared, master is set only where src-host is this host, a failing
# remote mark changes nothing), the `setlastsent` stub, and the internal `_refreshcomplete`,
# which accepts only TAG:sent=<decimal> on a zrep snapshot of a filesystem sourced here.
# Pool names come from the bed ($P1 on h1, $P2 on h2).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools

sent_of() {  # HOST SNAP: the local TAG:sent of SNAP, or empty
	on "$1" zfs get -H -o value,source zrep:sent "$2" | awk -F'\t' '$2 == "local" {print $1}'
}
marked() {  # HOST DS: the snapshots of DS and its descendants with a local zrep:sent, sorted
	on "$1" zfs get -H -o name,source -r zrep:sent "$2" | awk -F'\t' '$2 == "local" {print $1}' | sort
}

# $P1/src@zrep_000002 reached h2 but zrep "died" before recording it
log_must make_pair "$P1/src" "$P2/dst"
log_must on h1 zfs snapshot "$P1/src@zrep_000002"
log_must sh -c "$BED exec h1 zfs send -i \"\$1@zrep_000001\" \"\$1@zrep_000002\" | $BED exec h2 zfs recv -F \"\$2\"" sh "$P1/src" "$P2/dst"
log_must on h1 zfs create "$P1/src/child"
log_must on h1 zfs snapshot "$P1/src/child@zrep_000001"
log_must on h1 zfs set zrep:sent=5 "$P1/src/child@zrep_000001"
log_must on h1 zfs snapshot "$P1/src@zrep_000003_unsent"
log_must on h1 zfs create "$P1/plain"
log_must on h1 zfs snapshot "$P1/plain@zrep_000000"

# ---------------------------------------------------------------- bad input
refused 2 "sentsync without a snapshot" h1 sentsync
refused 2 "sentsync -L without a snapshot" h1 sentsync -L
refused 2 "sentsync with two snapshots" h1 sentsync "$P1/src@zrep_000001" "$P1/src@zrep_000002"
refused 2 "sentsync of a filesystem" h1 sentsync "$P1/src"
refused 2 "sentsync -x" h1 sentsync -x "$P1/src@zrep_000002"
refused 2 "sentsync of '-rf@zrep_000001'" h1 sentsync -rf@zrep_000001
refused 2 "sentsync of an empty name" h1 sentsync ""
refused 1 "sentsync of a non-zrep snapshot name" h1 sentsync "$P1/src@manual"
refused 1 "sentsync of another tag's name" h1 sentsync "$P1/src@other_000001"
refused 1 "sentsync of a missing zrep snapshot" h1 sentsync "$P1/src@zrep_000009"
refused 1 "sentsync of an _unsent snapshot" h1 sentsync "$P1/src@zrep_000003_unsent"
refused 1 "sentsync of a missing fs" h1 sentsync "$P1/nope@zrep_000001"
refused 1 "sentsync of a name with a quote" h1 sentsync "$P1/it's@zrep_000001"
refused 1 "sentsync of a name with \$" h1 sentsync "$P1/"'$x@zrep_000001'
refused 1 "sentsync on a fs not configured for zrep" h1 sentsync "$P1/plain@zrep_000000"
refused 1 "sentsync -t other (not configured for that tag)" h1 -t other sentsync "$P1/src@other_000001"

# TAG:sent on the filesystem itself
log_must on h1 zfs set zrep:sent=1 "$P1/src"
refused 1 "sentsync with zrep:sent set on the filesystem" h1 sentsync "$P1/src@zrep_000002"
log_must on h1 zfs inherit zrep:sent "$P1/src"

# a live zrep holds the lock
PID=$(live_pid h1)
log_must on h1 zfs set zrep:lock-pid="$PID" "$P1/src"
refused 75 "sentsync while a live process holds the fs lock" h1 sentsync "$P1/src@zrep_000002"
log_must kill_pid "$PID"
log_must on h1 zfs inherit zrep:lock-pid "$P1/src"

# the remote mark fails (the destination lacks the snapshot): nothing changes here
log_must on h1 zfs set zrep:dest-fs="$P2/elsewhere" "$P1/src"
b1=$(state h1) b2=$(state h2)
run_zrep h1 sentsync "$P1/src@zrep_000002"
expect_rc 1 "sentsync when the remote mark fails"
assert_match "^zrep: cannot mark h2:$(rq "$P2/elsewhere@zrep_000002") as sent" "$ERR" "sentsync: the remote failure names host and snapshot"
[[ $b1 == "$(state h1)" && $b2 == "$(state h2)" ]] && pass "sentsync: a failed remote mark changed nothing" \
	|| fail "sentsync: a failed remote mark changed nothing"
log_must on h1 zfs set zrep:dest-fs="$P2/dst" "$P1/src"

# ---------------------------------------------------------------- sentsync
run_zrep h1 sentsync "$P1/src@zrep_000002"
expect_rc 0 "sentsync $P1/src@zrep_000002"
assert_eq "$P1/src/child@zrep_000001"$'\n'"$P1/src@zrep_000002" "$(marked h1 "$P1/src")" \
	"sentsync: the fs's other marks cleared, the descendant's kept, SNAP marked"
TS=$(sent_of h1 "$P1/src@zrep_000002")
assert_eq "$TS" "$(sent_of h2 "$P2/dst@zrep_000002")" "sentsync: the destination snapshot has the same mark"
NOW=$(on h1 date +%s)
(( NOW - TS >= 0 && NOW - TS < 60 )) && pass "sentsync: the mark is the current time" || fail "sentsync: the mark is the current time ($TS vs $NOW)"
assert_eq "$T1" "$(sent_of h2 "$P2/dst@zrep_000001")" "sentsync: the destination's older mark is untouched"
assert_eq "$P1/src@zrep_000002" "$(on h1 zrep getlastsent "$P1/src")" "sentsync: getlastsent follows"
assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:lock-pid "$P1/src")" "sentsync: the lock is released"

# -L: only this host; master set again because src-host is this host
log_must on h1 zfs inherit zrep:master "$P1/src"
run_zrep h1 sentsync -L "$P1/src@zrep_000001"
expect_rc 0 "sentsync -L $P1/src@zrep_000001"
assert_eq "$P1/src/child@zrep_000001"$'\n'"$P1/src@zrep_000001" "$(marked h1 "$P1/src")" "sentsync -L: marks here"
assert_eq "$TS" "$(sent_of h2 "$P2/dst@zrep_000002")" "sentsync -L: the destination is untouched"
assert_eq "yes" "$(on h1 zfs get -H -o value -s local zrep:master "$P1/src")" "sentsync: master set (src-host is this host)"

# on the destination: no master there (src-host is h1); its dest-host is itself
run_zrep h2 sentsync -L "$P2/dst@zrep_000002"
expect_rc 0 "sentsync -L on the destination"
assert_eq "" "$(on h2 zfs get -H -o value -s local zrep:master "$P2/dst")" "sentsync on the destination: no master set"
assert_match 'not setting zrep:master' "$OUT" "sentsync on the destination: says why"
assert_eq "$P2/dst@zrep_000002" "$(marked h2 "$P2/dst")" "sentsync on the destination: only SNAP marked"

# names with spaces travel intact to the remote zfs set
log_must make_pair "$P1/my src" "$P2/my dst"
run_zrep h1 sentsync "$P1/my src@zrep_000000"
expect_rc 0 "sentsync of a fs with a space in its name"
TS=$(sent_of h1 "$P1/my src@zrep_000000")
assert_match '^[0-9]+$' "$TS" "sentsync '$P1/my src@zrep_000000': marked here"
assert_eq "$TS" "$(sent_of h2 "$P2/my dst@zrep_000000")" "sentsync: '$P2/my dst@zrep_000000' marked on h2"
assert_eq "$T1" "$(sent_of h2 "$P2/my dst@zrep_000001")" "sentsync: one remote zfs set only (h2's other marks untouched)"

# ---------------------------------------------------------------- setlastsent
refused 1 "setlastsent" h1 setlastsent
assert_match 'sentsync' "$ERR" "setlastsent points to sentsync"
refused 1 "setlastsent with arguments" h1 setlastsent "$P1/src" "$P1/src@zrep_000001"

# ---------------------------------------------------------------- _refreshcomplete
run_zrep h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sent=12345
expect_rc 0 "_refreshcomplete SNAP zrep:sent=N"
assert_eq "12345" "$(sent_of h1 "$P1/src@zrep_000002")" "_refreshcomplete set the mark"
assert_eq "" "$OUT" "_refreshcomplete prints nothing"
refused 1 "_refreshcomplete of another property" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:master=yes
refused 1 "_refreshcomplete of a native property" h1 _refreshcomplete "$P1/src@zrep_000002" readonly=on
refused 1 "_refreshcomplete of zrep:sent on a filesystem" h1 _refreshcomplete "$P1/src" zrep:sent=1
refused 1 "_refreshcomplete of a prefix of zrep:sent" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sen=1
refused 1 "_refreshcomplete of zrep:sentx" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sentx=1
refused 1 "_refreshcomplete of another tag's sent" h1 _refreshcomplete "$P1/src@zrep_000002" other:sent=1
refused 1 "_refreshcomplete without '='" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sent
refused 1 "_refreshcomplete of an empty value" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sent=
refused 1 "_refreshcomplete of a non-number" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sent=12x
refused 1 "_refreshcomplete of a negative number" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sent=-5
refused 1 "_refreshcomplete of a value with a space" h1 _refreshcomplete "$P1/src@zrep_000002" "zrep:sent=1 2"
refused 1 "_refreshcomplete of a non-zrep snapshot" h1 _refreshcomplete "$P1/src@manual" zrep:sent=1
refused 1 "_refreshcomplete of an _unsent snapshot" h1 _refreshcomplete "$P1/src@zrep_000003_unsent" zrep:sent=1
refused 1 "_refreshcomplete on a fs not configured" h1 _refreshcomplete "$P1/plain@zrep_000000" zrep:sent=1
refused 1 "_refreshcomplete on a fs not sourced here" h2 _refreshcomplete "$P2/dst@zrep_000002" zrep:sent=1
refused 1 "_refreshcomplete of a missing snapshot" h1 _refreshcomplete "$P1/src@zrep_000009" zrep:sent=1
refused 1 "_refreshcomplete of a name with a quote" h1 _refreshcomplete "$P1/it's@zrep_000001" zrep:sent=1
refused 1 "_refreshcomplete -t other (zrep:sent is not other:sent)" h1 -t other _refreshcomplete "$P1/src@zrep_000002" zrep:sent=1
refused 2 "_refreshcomplete without arguments" h1 _refreshcomplete
refused 2 "_refreshcomplete with one argument" h1 _refreshcomplete "$P1/src@zrep_000002"
refused 2 "_refreshcomplete with three arguments" h1 _refreshcomplete "$P1/src@zrep_000002" zrep:sent=1 x
assert_eq "12345" "$(sent_of h1 "$P1/src@zrep_000002")" "_refreshcomplete: refused calls left the mark alone"

test_done
