#!/usr/bin/env bash
# t0500-failover: zrep failover over real ssh. Planned failover and failback with data written
# on each side between swaps (byte-identical after every step, same guid of the final snapshot,
# roles and readonly as promised); a final send the receiver refuses (old master stays master and
# writable, its readonly setting restored); split brain and an unreachable partner refused with
# nothing changed; failover -L (what it discards is printed first, foreign snapshots need -f);
# failover FS@SNAP (both sides at SNAP); bad input. Then kill -9 of zrep after each step of a
# planned failover (ZREP_TEST_CRASH_AFTER), followed by the recovery command zrep printed: exactly
# one master, identical data.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/helpers/zrep-fixtures.sh"
need_hosts 2
S=$P1/src D=$P2/dst

masters() {  # which hosts hold zrep:master=yes (local) on the pair
	local m=""
	[[ $(on h1 zfs get -H -o value -s local zrep:master "$S" 2>/dev/null) == yes ]] && m+="h1 "
	[[ $(on h2 zfs get -H -o value -s local zrep:master "$D" 2>/dev/null) == yes ]] && m+="h2 "
	echo "${m% }"
}
same_data() {  # MSG: both sides byte-identical (after remounting, against FUSE caches)
	remount h1 "$S" && remount h2 "$D" || { fail "$1: remount"; return; }
	assert_eq "$(checksum_tree h1 "/$S")" "$(checksum_tree h2 "/$D")" "$1: data byte-identical"
}
writable() { on "$1" bash -c "echo probe > '$2/.wprobe' && rm -f '$2/.wprobe'" 2>/dev/null; }
props() {  # HOST DS: the four role properties
	on "$1" zfs get -H -o value zrep:src-host,zrep:src-fs,zrep:dest-host,zrep:dest-fs "$2" | tr '\n' ' '
}
roles_h2_master() {  # MSG
	assert_eq "h2" "$(masters)" "$1: h2 is the only master"
	assert_eq "h2 $D h1 $S " "$(props h2 "$D")" "$1: h2's role properties point to h1"
	assert_eq "h2 $D h1 $S " "$(props h1 "$S")" "$1: h1's role properties point to h2"
	writable h2 "/$D" && pass "$1: h2 writable" || fail "$1: h2 writable"
	writable h1 "/$S" && fail "$1: h1 read-only" || pass "$1: h1 read-only"
	# (after a kill -9 with nothing left to recover, the dead process's lock stays until the
	# next zrep overrides it)
	[[ ${2:-} == stale-lock-ok ]] || \
		assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:lock-pid "$S")" "$1: no lock left on h1"
}
roles_h1_master() {
	assert_eq "h1" "$(masters)" "$1: h1 is the only master"
	assert_eq "h1 $S h2 $D " "$(props h1 "$S")" "$1: h1's role properties point to h2"
	writable h1 "/$S" && pass "$1: h1 writable" || fail "$1: h1 writable"
	writable h2 "/$D" && fail "$1: h2 read-only" || pass "$1: h2 read-only"
}
lastsnap() { on "$1" zfs list -H -t snapshot -o name -s creation -r "$2" | grep '@zrep_' | tail -1; }

log_must on h1 zfs create "$S"
log_must on h1 bash -c "echo v0 > /$S/f; head -c 200000 /dev/urandom > /$S/r0"
log_must on h1 zrep init "$S" h2 "$D" >/dev/null
log_must on h1 zrep sync "$S" >/dev/null

# ---------------------------------------------------------------- planned failover and failback
log_must on h1 bash -c "echo written-on-h1 >> /$S/f; head -c 100000 /dev/urandom > /$S/r1"
run_zrep h1 failover "$S"
expect_rc 0 "planned failover h1 -> h2"
assert_match 'Recovery: .* on h1 run: zrep failover '"$S" "$OUT" "the recovery command is printed before anything changes"
assert_match 'Failover complete' "$OUT" "says the failover completed"
roles_h2_master "after failover"
same_data "after failover"
fs1=$(lastsnap h1 "$S") fs2=$(lastsnap h2 "$D")
assert_eq "${fs1#*@}" "${fs2#*@}" "the final snapshot is the newest on both sides"
assert_eq "$(on h1 zfs get -H -o value guid "$fs1")" "$(on h2 zfs get -H -o value guid "$fs2")" "final snapshot: same guid on both sides"
assert_match 'written-on-h1' "$(on h2 cat "/$D/f")" "what h1 wrote before the failover is on h2"

log_must on h2 bash -c "echo written-on-h2 >> /$D/f; head -c 100000 /dev/urandom > /$D/r2"
log_must on h2 zrep sync "$D" >/dev/null
same_data "after a sync from the new master"
log_must on h2 bash -c "echo more-on-h2 >> /$D/f"
run_zrep h2 failover "$D"
expect_rc 0 "failback h2 -> h1"
roles_h1_master "after failback"
same_data "after failback"
assert_match 'more-on-h2' "$(on h1 cat "/$S/f")" "what h2 wrote is on h1 after failback"
log_must on h1 bash -c "echo again-on-h1 >> /$S/f"
log_must on h1 zrep sync "$S" >/dev/null
same_data "sync after failback"

# ---------------------------------------------------------------- takeover-initiated swap is in t0510

# ---------------------------------------------------------------- the final send fails
# a bad receive flag on the sender's side makes the receiver refuse
on h1 env ZREP_RECV_FLAGS=-Z zrep failover "$S" >/dev/null 2>&1 && fail "failover with a bad receive flag succeeded"
assert_eq "h1" "$(masters)" "bad receive flag: h1 still master"
writable h1 "/$S" && pass "bad receive flag: h1 writable" || fail "bad receive flag: h1 writable"
# the destination was modified: the receiver refuses the final incremental
log_must on h1 zfs set readonly=off "$S"      # a local setting, to be restored exactly
log_must on h2 zfs set readonly=off "$D"
log_must on h2 bash -c "echo intruder > /$D/x"
log_must on h2 zfs set readonly=on "$D"
log_must on h1 bash -c "echo v5 >> /$S/f"
run_zrep h1 failover "$S"
expect_rc 1 "failover when the receiver refuses the final send"
assert_match 'modified' "$ERR" "the receiver's reason is reported"
assert_match "stays master on h1 and is writable again" "$OUT$ERR" "says h1 stays master and is writable again"
assert_eq "h1" "$(masters)" "final send failed: h1 is still the only master"
writable h1 "/$S" && pass "final send failed: h1 writable again" || fail "final send failed: h1 writable again"
assert_eq "off	local" "$(on h1 zfs get -H -o value,source readonly "$S")" "the old local readonly=off is restored"
log_must on h1 zfs inherit readonly "$S"
# the same with an inherited readonly: it is inherited again afterwards
run_zrep h1 failover "$S"
expect_rc 1 "failover refused again"
assert_eq "off	default" "$(on h1 zfs get -H -o value,source readonly "$S")" "an inherited readonly stays inherited"
log_must on h1 zrep sync -f "$S" >/dev/null
same_data "repaired with sync -f"

# ---------------------------------------------------------------- split brain, unreachable
log_must on h2 zfs set zrep:master=yes "$D"
b1=$(state h1) b2=$(state h2)
run_zrep h1 failover "$S"
expect_rc 1 "failover with split brain refused"
assert_match 'split brain' "$ERR" "split brain reported"
last1=$(on h1 zrep getlastsent "$S")
assert_match "h1: last sent $last1 \\(guid [0-9]+\\)" "$ERR" "report shows h1's last sent snapshot and guid"
assert_match "h2: last sent $D@zrep_[0-9a-f]+ \\(guid [0-9]+\\)" "$ERR" "report shows h2's last sent snapshot and guid"
[[ $b1 == "$(state h1)" && $b2 == "$(state h2)" ]] && pass "split brain: nothing changed" || fail "split brain: nothing changed"
log_must on h2 zfs inherit zrep:master "$D"

log_must "$BED" stop-sshd h2
b1=$(state h1)
run_zrep h1 failover "$S"
expect_rc 75 "failover with the partner unreachable refused (EX_TEMPFAIL)"
assert_match 'cannot reach h2' "$ERR" "says h2 cannot be reached"
[[ $b1 == "$(state h1)" ]] && pass "unreachable: nothing changed on h1" || fail "unreachable: nothing changed on h1"
writable h1 "/$S" && pass "unreachable: h1 still writable" || fail "unreachable: h1 still writable"
log_must "$BED" start-sshd h2

# ---------------------------------------------------------------- bad input
refused 2 "failover without a filesystem" h1 failover
refused 2 "failover with an unknown option" h1 failover -x "$S"
refused 2 "failover with too many arguments" h1 failover "$S" h2 extra
refused 2 "failover to a snapshot that is not zrep's" h1 failover "$S@manual"
refused 2 "failover with a hostile host name" h1 failover "$S" 'h2;touch /tmp/x'
refused 1 "failover of a missing filesystem" h1 failover "$P1/nosuch"
refused 1 "failover on the destination" h2 failover "$D"

# ---------------------------------------------------------------- failover FS@SNAP
log_must on h1 bash -c "echo at-snap > /$S/g"
log_must on h1 zrep sync "$S" >/dev/null
target=$(lastsnap h1 "$S"); tsnap=${target#*@}
tsum=$(checksum_tree h1 "/$S")
log_must on h1 bash -c "echo after-snap >> /$S/g"
log_must on h1 zrep sync "$S" >/dev/null
log_must on h1 bash -c "echo unsent >> /$S/g"
run_zrep h1 failover "$S@$tsnap"
expect_rc 0 "failover FS@SNAP"
assert_match "destroying snapshot $S@zrep_[0-9a-f]+ \\(also on the other side\\)" "$OUT" "lists the snapshots it discards"
roles_h2_master "after failover FS@SNAP"
assert_eq "$tsnap" "$(lastsnap h1 "$S" | sed 's/.*@//')" "h1 rolled back to SNAP"
assert_eq "$tsnap" "$(lastsnap h2 "$D" | sed 's/.*@//')" "h2 rolled back to SNAP"
remount h2 "$D"
assert_eq "$tsum" "$(checksum_tree h2 "/$D")" "h2's data is SNAP's"
same_data "after failover FS@SNAP"
log_must on h2 bash -c "echo after-snap-on-h2 >> /$D/g"
log_must on h2 zrep sync "$D" >/dev/null
same_data "sync from h2 after failover FS@SNAP"
log_must on h2 zrep failover "$D" >/dev/null
roles_h1_master "back on h1"

# ---------------------------------------------------------------- failover -L
log_must on h1 zrep sync "$S" >/dev/null
ls_before=$(on h1 zrep getlastsent "$S")
log_must on h1 bash -c "echo lost-1 > /$S/lost"
log_must on h1 zrep snaponly "$S" >/dev/null
unsent=$(lastsnap h1 "$S")
log_must on h1 bash -c "echo lost-2 >> /$S/lost"
log_must on h1 zfs snapshot "$S@manual"
b1=$(state h1)
run_zrep h1 failover -L "$S"
expect_rc 1 "failover -L refuses to destroy a snapshot zrep did not make"
assert_match "destroying snapshot $S@manual \\(not made by zrep\\)" "$OUT" "names the foreign snapshot"
[[ $b1 == "$(state h1)" ]] && pass "failover -L refused: nothing changed" || fail "failover -L refused: nothing changed"
log_must on h1 zfs destroy "$S@manual"
run_zrep h1 failover -L "$S"
expect_rc 0 "failover -L"
assert_match "Rolling back $S to $ls_before" "$OUT" "rolls back to the last sent snapshot"
assert_match "destroying snapshot $unsent \\(never sent\\)" "$OUT" "says the unsent snapshot is discarded"
assert_match "every change made to $S after" "$OUT" "says unsnapshotted changes are discarded"
assert_eq "" "$(masters)" "failover -L alone: no master (h2 was not contacted)"
assert_match "run there: zrep takeover -L $D" "$OUT" "prints the command for h2"
assert_eq "$ls_before" "$(lastsnap h1 "$S")" "h1 rolled back to its last sent snapshot"
on h1 test -e "/$S/lost" && fail "unsent data discarded" || pass "unsent data discarded"
writable h1 "/$S" && fail "h1 read-only after failover -L" || pass "h1 read-only after failover -L"
run_zrep h1 failover -L "$S"
expect_rc 0 "failover -L again: nothing to do"
log_must on h2 zrep takeover -L "$D" >/dev/null
roles_h2_master "failover -L + takeover -L"
log_must on h2 bash -c "echo after-L > /$D/afterL"
log_must on h2 zrep sync "$D" >/dev/null
same_data "sync from h2 after failover -L"
log_must on h2 zrep failover "$D" >/dev/null
roles_h1_master "back on h1 again"

# ---------------------------------------------------------------- kill -9 after each step
steps="freeze final-sync promote demote-partial demote"
if short_run; then
	short_part "kill -9 after freeze, final-sync, promote and demote (demote-partial only)"
	steps=demote-partial
fi
for step in $steps; do
	log_must on h1 bash -c "echo crash-$step >> /$S/f"
	e=$(mktemp); RC=0
	OUT=$(on h1 env ZREP_TEST_CRASH_AFTER=$step zrep failover "$S" 2>"$e") || RC=$?
	ERR=$(cat "$e"); rm -f "$e"
	expect_rc 137 "crash after $step: zrep killed"
	cmd=$(sed -n 's/^Recovery: .* on h1 run: //p' <<<"$OUT" | tail -1)
	assert_eq "zrep failover $S" "$cmd" "crash after $step: recovery command printed"
	rc=0; out=$(on h1 bash -c "$cmd" 2>&1) || rc=$?
	if [[ $step == demote ]]; then
		# the swap was complete: the command says so
		assert_match "not master here" "$out" "crash after $step: recovery says it is done"
	else
		assert_eq 0 "$rc" "crash after $step: the recovery command succeeds"
		[[ $rc == 0 ]] || sed 's/^/#   | /' <<<"$out"
	fi
	roles_h2_master "crash after $step + recovery" "$([[ $step == demote ]] && echo stale-lock-ok)"
	same_data "crash after $step + recovery"
	assert_match "crash-$step" "$(on h2 cat "/$D/f")" "crash after $step: h1's last write reached h2"
	log_must on h2 zrep failover "$D" >/dev/null
	roles_h1_master "crash after $step: failed back"
done

test_done
