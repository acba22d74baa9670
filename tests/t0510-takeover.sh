#!/usr/bin/env bash
# t0510-takeover: zrep takeover over real ssh. takeover initiated from the destination (the
# master fails over to it; a read-only parent keeps its setting, the new master is writable);
# already master; the master unreachable (nothing changed, -L suggested); split brain refused
# with both hosts' last sent snapshot and guid. Then the dead-master drill: takeover -L while
# h1's sshd and zfs daemon are stopped, h1 comes back still master (split brain: syncs refused
# both ways), failover -L on h1 and a sync from h2 converge with nothing h2 wrote lost.
# takeover -L FS@SNAP (refusals first), takeover -L killed half way and run again, bad input.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/helpers/zrep-fixtures.sh"
need_hosts 2
S=$P1/src D=$P2/dst

masters() {
	local m=""
	[[ $(on h1 zfs get -H -o value -s local zrep:master "$S" 2>/dev/null) == yes ]] && m+="h1 "
	[[ $(on h2 zfs get -H -o value -s local zrep:master "$D" 2>/dev/null) == yes ]] && m+="h2 "
	echo "${m% }"
}
same_data() {
	remount h1 "$S" && remount h2 "$D" || { fail "$1: remount"; return; }
	assert_eq "$(checksum_tree h1 "/$S")" "$(checksum_tree h2 "/$D")" "$1: data byte-identical"
}
writable() { on "$1" bash -c "echo probe > '$2/.wprobe' && rm -f '$2/.wprobe'" 2>/dev/null; }
props() { on "$1" zfs get -H -o value zrep:src-host,zrep:src-fs,zrep:dest-host,zrep:dest-fs "$2" | tr '\n' ' '; }
lastsnap() { on "$1" zfs list -H -t snapshot -o name -s creation -r "$2" | grep '@zrep_' | tail -1; }

log_must on h1 zfs create "$S"
log_must on h1 bash -c "echo v0 > /$S/f; head -c 200000 /dev/urandom > /$S/r0"
log_must on h1 zrep init "$S" h2 "$D" >/dev/null
log_must on h1 zrep sync "$S" >/dev/null

# ---------------------------------------------------------------- takeover from the destination
# A replica received with receive -u (OpenZFS) was never mounted, so its mountpoint directory does
# not exist yet; once the parent is read-only it could not be created. Mount it once first.
log_must remount h2 "$D"
log_must on h2 zfs set readonly=on "$P2"       # the user's own setting on a parent
log_must on h1 bash -c "echo before-takeover >> /$S/f"
run_zrep h2 takeover "$D"
expect_rc 0 "takeover from h2"
assert_match 'Starting failover from remote side h1' "$OUT" "asks h1 to fail over"
assert_match "$D is master here now" "$OUT" "says h2 is master now"
assert_eq "h2" "$(masters)" "after takeover: h2 is the only master"
assert_eq "h2 $D h1 $S " "$(props h2 "$D")" "h2's role properties"
assert_eq "h2 $D h1 $S " "$(props h1 "$S")" "h1's role properties"
writable h2 "/$D" && pass "the new master is writable" || fail "the new master is writable"
writable h1 "/$S" && fail "the old master is read-only" || pass "the old master is read-only"
assert_eq "off	local" "$(on h2 zfs get -H -o value,source readonly "$D")" "readonly=off set on the dataset itself"
on h2 bash -c "echo x > /$P2/parent-probe" 2>/dev/null && fail "the parent keeps readonly=on" || pass "the parent keeps readonly=on"
log_must on h2 zfs inherit readonly "$P2"
same_data "after takeover"
assert_match 'before-takeover' "$(on h2 cat "/$D/f")" "h1's last write reached h2"

run_zrep h2 takeover "$D"
expect_rc 0 "takeover when already master"
assert_match 'master here already' "$OUT" "says it is master already"
assert_eq "h2" "$(masters)" "still only h2"

log_must on h2 bash -c "echo from-h2 >> /$D/f"
run_zrep h1 takeover "$S"
expect_rc 0 "takeover back from h1"
assert_eq "h1" "$(masters)" "h1 master again"
same_data "after taking back"
assert_match 'from-h2' "$(on h1 cat "/$S/f")" "h2's last write reached h1"

# ---------------------------------------------------------------- master unreachable, split brain
log_must "$BED" stop-sshd h1
b2=$(state h2)
run_zrep h2 takeover "$D"
expect_rc 75 "takeover with the master unreachable (EX_TEMPFAIL)"
assert_match "failover on h1 failed" "$ERR" "says the remote failover failed"
assert_match "zrep takeover -L $D" "$OUT$ERR" "suggests takeover -L"
[[ $b2 == "$(state h2)" ]] && pass "unreachable master: nothing changed on h2" || fail "unreachable master: nothing changed on h2"
log_must "$BED" start-sshd h1

log_must on h2 zfs set zrep:master=yes "$D"
b1=$(state h1) b2=$(state h2)
run_zrep h2 takeover "$D"
expect_rc 1 "takeover with split brain"
assert_match 'split brain' "$ERR" "split brain reported"
assert_match "h1: last sent $S@zrep_[0-9a-f]+ \\(guid [0-9]+\\)" "$ERR" "with h1's last sent snapshot and guid"
assert_match "h2: last sent $D@zrep_[0-9a-f]+ \\(guid [0-9]+\\)" "$ERR" "with h2's last sent snapshot and guid"
[[ $b1 == "$(state h1)" && $b2 == "$(state h2)" ]] && pass "split brain: nothing changed" || fail "split brain: nothing changed"
log_must on h2 zfs inherit zrep:master "$D"

# ---------------------------------------------------------------- the dead master drill
log_must on h1 bash -c "echo synced-before-death >> /$S/f"
log_must on h1 zrep sync "$S" >/dev/null
log_must on h1 bash -c "echo never-sent > /$S/unsent"
log_must on h1 zrep snaponly "$S" >/dev/null
log_must "$BED" stop-sshd h1
log_must "$BED" kill-zfs h1
run_zrep h2 takeover -L "$D"
expect_rc 0 "takeover -L with h1's sshd and zfs stopped"
assert_match "zrep failover -L $S" "$OUT" "says what to run on h1 when it is back"
assert_eq "yes" "$(on h2 zfs get -H -o value -s local zrep:master "$D")" "h2 is master"
writable h2 "/$D" && pass "h2 writable after takeover -L" || fail "h2 writable after takeover -L"
log_must on h2 bash -c "echo written-while-h1-dead > /$D/new; echo more >> /$D/f"
on h2 zrep sync "$D" >/dev/null 2>&1 && fail "sync to a dead h1 succeeded"
log_must on h2 bash -c "echo written-after-failed-sync >> /$D/new"

log_must "$BED" start-zfs h1
log_must "$BED" start-sshd h1
assert_eq "h1 h2" "$(masters)" "h1 back: both consider themselves master"
err=$(on h1 zrep sync "$S" 2>&1) && fail "sync from the returning h1 succeeded"
assert_match 'split brain' "$err" "h1's sync refused: split brain"
err=$(on h2 zrep sync "$D" 2>&1) && fail "sync from h2 to a master h1 succeeded"
assert_match 'split brain' "$err" "h2's sync refused: split brain"
run_zrep h1 failover -L "$S"
expect_rc 0 "failover -L on the returning h1"
assert_match "destroying snapshot $S@zrep_[0-9a-f]+ \\(never sent\\)" "$OUT" "says which unsent snapshot it discards"
assert_eq "h2" "$(masters)" "h2 is the only master"
log_must on h2 zrep sync "$D" >/dev/null
same_data "converged after failover -L + sync"
assert_eq "written-while-h1-dead
written-after-failed-sync" "$(on h1 cat "/$S/new")" "everything h2 wrote reached h1"
on h1 test -e "/$S/unsent" && fail "h1's never-sent file was discarded" || pass "h1's never-sent file was discarded"
writable h1 "/$S" && fail "h1 read-only" || pass "h1 read-only"

# ---------------------------------------------------------------- takeover -L FS@SNAP
log_must on h2 zrep failover "$D" >/dev/null      # h1 master again
log_must on h1 zrep sync "$S" >/dev/null
x=$(lastsnap h1 "$S"); xs=${x#*@}
xsum=$(checksum_tree h1 "/$S")
log_must on h1 bash -c "echo after-x >> /$S/f"
log_must on h1 zrep sync "$S" >/dev/null
log_must on h2 zfs snapshot "$D@mine"
b2=$(state h2)
run_zrep h2 takeover -L "$D@$xs"
expect_rc 1 "takeover -L FS@SNAP refuses to destroy a snapshot only h2 has"
assert_match "destroying snapshot $D@mine \\(not made by zrep\\)" "$OUT" "names it"
[[ $b2 == "$(state h2)" ]] && pass "refused: nothing changed" || fail "refused: nothing changed"
log_must on h2 zfs destroy "$D@mine"
refused 2 "takeover -L to an _unsent name" h2 takeover -L "$D@zrep_000001_unsent"
refused 1 "takeover -L to a snapshot that does not exist" h2 takeover -L "$D@zrep_00ffff"
run_zrep h2 takeover -L "$D@$xs"
expect_rc 0 "takeover -L FS@SNAP"
assert_match "destroying snapshot $D@zrep_[0-9a-f]+ \\(received\\)" "$OUT" "lists the received snapshot it discards"
assert_eq "$xs" "$(lastsnap h2 "$D" | sed 's/.*@//')" "h2 rolled back to SNAP"
remount h2 "$D"
assert_eq "$xsum" "$(checksum_tree h2 "/$D")" "h2's data is SNAP's"
run_zrep h1 failover -L "$S@$xs"
expect_rc 0 "failover -L FS@SNAP on the old master"
assert_eq "h2" "$(masters)" "h2 the only master"
log_must on h2 bash -c "echo after-rollback > /$D/ar"
log_must on h2 zrep sync "$D" >/dev/null
same_data "sync after both rolled back to SNAP"

# ---------------------------------------------------------------- takeover -L interrupted
if short_run; then
	short_part "takeover -L killed after its first property, then run again"
else
	log_must on h2 zrep failover "$D" >/dev/null      # h1 master again
	log_must "$BED" stop-sshd h1
	RC=0; on h2 env ZREP_TEST_CRASH_AFTER=takeover-partial zrep takeover -L "$D" >/dev/null 2>&1 || RC=$?
	assert_eq 137 "$RC" "takeover -L killed after its first property"
	assert_eq "h1" "$(masters)" "half way: h2 not master yet"
	log_must on h2 zrep takeover -L "$D" >/dev/null
	assert_eq "h2 $D h1 $S " "$(props h2 "$D")" "run again: h2's role properties complete"
	log_must "$BED" start-sshd h1
	log_must on h1 zrep failover -L "$S" >/dev/null
	assert_eq "h2" "$(masters)" "h2 the only master"
	log_must on h2 zrep sync "$D" >/dev/null
	same_data "after the interrupted takeover -L"
fi

# ---------------------------------------------------------------- bad input
refused 2 "takeover without a filesystem" h2 takeover
refused 2 "takeover with an unknown option" h2 takeover -q "$D"
refused 2 "takeover with too many arguments" h2 takeover "$D" h1 extra
refused 2 "takeover to a snapshot that is not zrep's" h2 takeover "$D@other"
refused 1 "takeover of a missing filesystem" h2 takeover "$P2/nosuch"
log_must on h2 zfs create "$P2/plain"
refused 1 "takeover of a filesystem zrep does not manage" h2 takeover -L "$P2/plain"

test_done
