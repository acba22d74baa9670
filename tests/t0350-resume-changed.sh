#!/usr/bin/env bash
# t0350-resume-changed: resumable transfers without asking: every sync receives with -s, so an
# interrupted send leaves a token; the next plain sync completes it with `zfs send -t`, marks the
# snapshot it carried sent on both sides (same guid), and goes on; a token for a snapshot the
# source no longer has is dropped (receive -A); -r stays accepted. sync -c makes no snapshot,
# and opens no connection, when nothing changed (written).
# Needs: resume tokens (recv -s / send -t) for the first part, zfs diff for the second. zfs-fuse
# has neither: there it checks that -r and -c fall back to a plain sync with a warning.
. "$(dirname "$0")/lib.sh"
need_hosts 2

feat=$(on h1 zrep-plumb features h2)
log_must on h1 zfs create "$P1/r"
log_must on h1 zrep init "$P1/r" h2 "$P2/r" >/dev/null
log_must on h1 bash -c "head -c 4000000 /dev/urandom > /$P1/r/big"

if [[ $feat != *resume=1* ]]; then
	skip_part "no resume tokens, no zfs diff: only the fallback of sync -r and sync -c checked"
	err=$(on h1 zrep sync -r "$P1/r" 2>&1) || fail "sync -r failed without resume support: $err"
	assert_match 'cannot resume transfers' "$err" "sync -r says resume is unavailable and syncs"
	err=$(on h1 zrep sync -c "$P1/r" 2>&1) || fail "sync -c failed without zfs diff: $err"
	assert_match 'cannot tell whether' "$err" "sync -c without zfs diff warns and syncs"
	test_done
fi

# Interrupt: the out-filter passes 1 MB of the stream and ends it. A plain sync, no -r.
err=$(on h1 env ZREP_OUTFILTER="head -c 1000000" zrep sync "$P1/r" 2>&1) && fail "truncated sync succeeded"
assert_match 'keeping .*zrep_000001' "$err" "the interrupted snapshot is kept for the next sync"
tok=$(on h2 zfs get -H -o value receive_resume_token "$P2/r")
assert_match '^[0-9a-f]+-' "$tok" "the destination holds a resume token"
# _refreshpull refuses a token that is not the snapshot it is asked to send (by name and guid).
err=$(on h1 zrep _refreshpull "$P1/r@zrep_000000" "$tok" 2>&1 >/dev/null) && fail "_refreshpull sent a token of another snapshot"
assert_match 'resume token is for .*zrep_000001.*not .*zrep_000000' "$err" "_refreshpull checks the token against SNAP: $err"
out=$(on h1 zrep sync "$P1/r" 2>&1) || fail "the next plain sync failed: $out"
assert_match 'resuming the interrupted transfer of .*zrep_000001' "$out" "the next plain sync resumes the interrupted transfer"
for s in zrep_000001 zrep_000002; do
	assert_match '^[0-9]+$' "$(on h1 zfs get -H -o value -s local zrep:sent "$P1/r@$s")" "$s marked sent on h1"
	assert_match '^[0-9]+$' "$(on h2 zfs get -H -o value -s local zrep:sent "$P2/r@$s")" "$s marked sent on h2"
	assert_eq "$(on h1 zfs get -H -o value guid "$P1/r@$s")" "$(on h2 zfs get -H -o value guid "$P2/r@$s")" "$s has the same guid"
done
assert_eq "-" "$(on h2 zfs get -H -o value receive_resume_token "$P2/r")" "no partial state left after the resume"
# A token whose snapshot is gone here: dropped there, and the sync goes on from the last common one.
log_must on h1 bash -c "head -c 3000000 /dev/urandom > /$P1/r/big2"
on h1 env ZREP_OUTFILTER="head -c 1000000" zrep sync "$P1/r" >/dev/null 2>&1 && fail "second truncated sync succeeded"
assert_match '^[0-9a-f]+-' "$(on h2 zfs get -H -o value receive_resume_token "$P2/r")" "a second partial receive"
log_must on h1 zfs destroy "$P1/r@zrep_000003"
out=$(on h1 zrep sync -r "$P1/r" 2>&1) || fail "sync over a stale token failed: $out"
assert_match 'not a snapshot of .* here; dropping it' "$out" "a token for a snapshot the source no longer has is dropped"
assert_match '^[0-9]+$' "$(on h2 zfs get -H -o value -s local zrep:sent "$P2/r@zrep_000004")" "then the sync goes on (-r accepted)"
assert_eq "-" "$(on h2 zfs get -H -o value receive_resume_token "$P2/r")" "no partial state left"
on h2 zfs mount "$P2/r" 2>/dev/null
assert_eq "$(checksum_tree h1 "/$P1/r")" "$(checksum_tree h2 "$(on h2 zfs get -H -o value mountpoint "$P2/r")")" "data identical after the resume"

# sync -c: no change, no snapshot and no connection (SSH=false would fail any); a change, a snapshot.
# A sync first: reading the files above (checksum_tree) may have written their access times.
# (And sync -c must see a change still in the open transaction group: zrep confirms a written
# of 0 after zpool sync.)
log_must on h1 zrep sync "$P1/r" >/dev/null
before=$(on h1 zfs list -H -t snapshot -o name -r "$P1/r")
last=$(on h1 zrep getlastsent "$P1/r")
log_must on h1 env SSH=false zrep sync -c "$P1/r" >/dev/null
assert_eq "$before" "$(on h1 zfs list -H -t snapshot -o name -r "$P1/r")" "sync -c makes no snapshot without changes"
log_must on h1 bash -c "echo change > /$P1/r/new"
log_must on h1 zrep sync -c "$P1/r" >/dev/null
now=$(on h1 zrep getlastsent "$P1/r")
[[ $now != "$last" ]] && pass "sync -c snapshots a change and sends it ($now)" || fail "sync -c sent nothing new after a change (last sent $now)"
test_done
