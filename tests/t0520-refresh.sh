#!/usr/bin/env bash
# t0520-refresh: pull mode over real ssh, from a hub (h2) that can reach the source (h1) while h1
# cannot reach h2 (h2's sshd is stopped). Data byte-identical after each refresh, the source's
# snapshot marked sent only after the pull really completed (a refused receive leaves it
# unmarked; refresh -f then lists what it discards), a pull received but never recorded on the
# source (zrep killed in between) recorded by the next refresh, expiry on both sides, the
# _refreshpull callee's refusals (nothing on stdout, which is the stream), and bad input.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/helpers/zrep-fixtures.sh"
need_hosts 2
S=$P1/src D=$P2/dst

same_data() {
	remount h1 "$S" && remount h2 "$D" || { fail "$1: remount"; return; }
	assert_eq "$(checksum_tree h1 "/$S")" "$(checksum_tree h2 "/$D")" "$1: data byte-identical"
}
sent() { on "$1" zfs get -H -o value -s local zrep:sent "$2" 2>/dev/null; }
lastsnap() { on "$1" zfs list -H -t snapshot -o name -s creation -r "$2" | grep '@zrep_' | tail -1; }
count() { on "$1" zfs list -H -t snapshot -o name -r "$2" | grep -c '@zrep_'; }

log_must on h1 zfs create "$S"
log_must on h1 bash -c "echo v0 > /$S/f"
log_must on h1 zrep init "$S" h2 "$D" >/dev/null        # client -> server, once

log_must "$BED" stop-sshd h2
on h1 ssh -o ConnectTimeout=3 h2 true 2>/dev/null && fail "h1 cannot reach h2" || pass "h1 cannot reach h2 (only hub -> source works)"

for i in 1 2 3 4 5 6; do
	log_must on h1 bash -c "echo v$i >> /$S/f; head -c $((i * 50000)) /dev/urandom > /$S/r$i"
	run_zrep h2 refresh "$D"
	expect_rc 0 "refresh $i"
	same_data "refresh $i"
	s1=$(lastsnap h1 "$S") s2=$(lastsnap h2 "$D")
	assert_eq "${s1#*@}" "${s2#*@}" "refresh $i: the new snapshot arrived"
	assert_match '^[0-9]+$' "$(sent h1 "$s1")" "refresh $i: marked sent on the source"
	assert_match '^[0-9]+$' "$(sent h2 "$s2")" "refresh $i: marked sent on the hub"
	assert_eq "$(on h1 zfs get -H -o value guid "$s1")" "$(on h2 zfs get -H -o value guid "$s2")" "refresh $i: same guid"
done
assert_eq 5 "$(count h1 "$S")" "the source expired to savecount"
assert_eq 5 "$(count h2 "$D")" "the hub expired to savecount"
assert_eq "" "$(on h2 zfs get -H -o value -s local zrep:lock-pid "$D")" "no lock left on the hub"
assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:lock-pid "$S")" "no lock left on the source"

# ---------------------------------------------------------------- the receive is refused
log_must on h2 zfs set readonly=off "$D"
log_must on h2 bash -c "echo hub-change > /$D/x"
log_must on h1 bash -c "echo v7 >> /$S/f"
run_zrep h2 refresh "$D"
expect_rc 1 "refresh onto a modified hub copy"
assert_match 'newer than|modified' "$ERR" "says why"
s1=$(lastsnap h1 "$S")
assert_eq "" "$(sent h1 "$s1")" "the source did not mark the snapshot that was not received"
run_zrep h2 refresh -f "$D"
expect_rc 0 "refresh -f"
assert_match "every change made to $D after" "$OUT" "says what -F discards"
log_must on h2 zfs set readonly=on "$D"
same_data "after refresh -f"
s1=$(lastsnap h1 "$S")
assert_match '^[0-9]+$' "$(sent h1 "$s1")" "marked sent once it arrived"

# ---------------------------------------------------------------- received but not recorded on the source
log_must on h1 bash -c "echo v8 >> /$S/f"
RC=0; on h2 env ZREP_TEST_CRASH_AFTER=refresh-received zrep refresh "$D" >/dev/null 2>&1 || RC=$?
assert_eq 137 "$RC" "refresh killed after the receive"
s1=$(lastsnap h1 "$S")
assert_eq "" "$(sent h1 "$s1")" "the source has not recorded it"
log_must on h1 bash -c "echo v9 >> /$S/f"
run_zrep h2 refresh "$D"
expect_rc 0 "the next refresh"
assert_match "never recorded it as sent" "$OUT" "notices the unrecorded pull"
assert_match '^[0-9]+$' "$(sent h1 "$s1")" "and records it on the source"
same_data "after the recovered refresh"

# ---------------------------------------------------------------- the callee
log_must "$BED" start-sshd h2
newest=$(lastsnap h1 "$S")
out=$(on h1 zrep _refreshpull "$newest" 2>/dev/null | wc -c)
assert_eq 0 "$out" "_refreshpull of an already sent snapshot: nothing on stdout"
log_must on h1 zrep snaponly "$S" >/dev/null
rc=0; on h1 zrep _refreshpull "$newest" >/dev/null 2>&1 || rc=$?
assert_eq 1 "$rc" "_refreshpull of a snapshot that is not the newest is refused"
rc=0; on h1 zrep _refreshpull "$S@notzrep" >/dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "_refreshpull of a name that is not zrep's"
rc=0; on h2 zrep _refreshpull "$(lastsnap h2 "$D")" >/dev/null 2>&1 || rc=$?
assert_eq 1 "$rc" "_refreshpull on a destination is refused"
n=$(on h1 bash -c "zrep _refreshpull '$(lastsnap h1 "$S")' 2>/dev/null | wc -c")
[[ $n -gt 100 ]] && pass "_refreshpull writes the stream to stdout ($n bytes)" || fail "_refreshpull writes the stream ($n bytes)"
run_zrep h2 refresh "$D"
expect_rc 0 "refresh after the callee checks"
same_data "final"

# ---------------------------------------------------------------- -R: one -R, first (a shell zrep takes it nowhere else)
# A ZREP_PATH on the source that records its words and, like the shell zrep, refuses a -R that is
# not the first argument; refresh's calls then fail or pass on that alone.
rec=$(mktemp -d /tmp/zrep-t0520.XXXXXX)
cat > "$rec/zrep" <<EOS
#!/bin/sh
printf '%s\n' "\$*" >> "$rec/calls"
first=1
for a in "\$@"; do
	if [ "\$a" = -R ] && [ \$first = 0 ]; then echo "zrep: -R must come first" >&2; exit 2; fi
	first=0
done
exit 1
EOS
chmod +x "$rec/zrep"
on h2 env ZREP_PATH="$rec/zrep" zrep -R refresh "$D" >/dev/null 2>&1 && fail "refresh with a failing snaponly succeeded"
assert_match '^-R snaponly '"$S"'$' "$(head -1 "$rec/calls" 2>/dev/null)" "refresh -R calls 'zrep -R snaponly SRCFS' on the source: one -R, first"
if grep -q ' -R' "$rec/calls" 2>/dev/null; then fail "a remote call carries a second -R: $(cat "$rec/calls")"; else pass "no second -R in any remote call"; fi
rm -rf "$rec"

# ---------------------------------------------------------------- bad input
refused 2 "refresh without a filesystem" h2 refresh
refused 2 "refresh with two filesystems" h2 refresh "$D" "$D"
refused 2 "refresh with an unknown option" h2 refresh -x "$D"
refused 1 "refresh on the master" h1 refresh "$S"
log_must on h2 zfs create "$P2/plain"
refused 1 "refresh of a filesystem zrep does not manage" h2 refresh "$P2/plain"

test_done
