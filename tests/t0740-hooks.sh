#!/usr/bin/env bash
# t0740-hooks: ZREP_PRESNAP_HOOK / ZREP_POSTSNAP_HOOK run locally around the snapshot of a sync
# (and of snaponly) with ZREP_FS, ZREP_SNAP, ZREP_TAG in their environment, in order (pre, the
# snapshot, post); a failing pre hook aborts that filesystem's sync with a clear error and no
# snapshot, nothing sent, on either host; `sync all` goes on with the others; a hook that hangs
# is killed (with its children) after ZREP_TIMEOUT seconds; hook output never reaches stdout.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools

log_must on h1 zfs create "$P1/src"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
log_must on h1 zfs create "$P1/two"
log_must on h1 zrep init "$P1/two" h2 "$P2/two" >/dev/null
L=/tmp/zrep-t0740.log
on h1 rm -f "$L"

# pre and post hooks, their environment, their order relative to the snapshot
PRE='echo "pre $ZREP_FS $ZREP_SNAP $ZREP_TAG $(zfs list -H -o name "$ZREP_SNAP" 2>/dev/null || echo absent)" >> '$L'; echo pre-out'
POST='echo "post $ZREP_FS $ZREP_SNAP $ZREP_TAG $ZREP_SNAP_STATUS $(zfs list -H -o name "$ZREP_SNAP" 2>/dev/null || echo absent)" >> '$L
RC=0
OUT=$(on h1 env ZREP_PRESNAP_HOOK="$PRE" ZREP_POSTSNAP_HOOK="$POST" zrep sync "$P1/src" 2>/dev/null) || RC=$?
assert_eq 0 "$RC" "sync with both hooks"
S="$P1/src@zrep_000001"
assert_eq "pre $P1/src $S zrep absent"$'\n'"post $P1/src $S zrep ok $S" "$(on h1 cat "$L")" \
	"pre hook before the snapshot, post hook after it, with ZREP_FS, ZREP_SNAP, ZREP_TAG"
assert_eq "" "$(grep pre-out <<<"$OUT")" "a hook's stdout does not reach zrep's stdout"
assert_eq "$(on h1 zfs get -Hp -o value guid "$S")" "$(on h2 zfs get -Hp -o value guid "$P2/dst@zrep_000001")" "the snapshot was sent"
on h1 rm -f "$L"
log_must on h1 env ZREP_PRESNAP_HOOK="$PRE" zrep -t zrep snaponly "$P1/src" >/dev/null
assert_match "^pre $P1/src $P1/src@zrep_000002 zrep absent$" "$(on h1 cat "$L")" "snaponly runs the pre hook too"
log_must on h1 zfs destroy "$P1/src@zrep_000002"
on h1 rm -f "$L"

# a failing pre hook: that fs is not snapshotted or sent; nothing changes but the recorded failure
strip() { grep -v 'zrep:last-error'; }
B1=$(state h1 | strip) B2=$(state h2)
RC=0
ERR=$(on h1 env ZREP_PRESNAP_HOOK='echo quiesce failed >&2; exit 3' zrep sync "$P1/src" 2>&1 >/dev/null) || RC=$?
assert_eq 1 "$RC" "a failing pre hook fails the sync"
assert_match "zrep: ZREP_PRESNAP_HOOK for $P1/src@zrep_000002 failed \(exit 3\)" "$ERR" "the error names the hook and its status"
assert_match "quiesce failed" "$ERR" "the hook's own message is shown"
assert_match "not snapshotting $P1/src" "$ERR" "and says nothing was snapshotted"
[[ $B1 == "$(state h1 | strip)" ]] && pass "h1: no snapshot, no property changed" || { fail "h1 changed"; diff <(echo "$B1") <(state h1 | strip) | sed 's/^/#  /'; }
[[ $B2 == "$(state h2)" ]] && pass "h2: nothing received" || fail "h2 changed"
assert_match "ZREP_PRESNAP_HOOK" "$(on h1 zfs get -H -o value zrep:last-error "$P1/src")" "the failure is recorded as last-error"

# sync all goes on past the filesystem whose hook fails
RC=0
on h1 env ZREP_PRESNAP_HOOK='[ "$ZREP_FS" != '"$P1"'/src ]' zrep sync all >/dev/null 2>&1 || RC=$?
assert_eq 1 "$RC" "sync all: exit 1 when one hook failed"
assert_eq "$P1/two@zrep_000001" "$(on h1 zrep getlastsent "$P1/two")" "sync all: the other filesystem was synced"
assert_eq "$P1/src@zrep_000001" "$(on h1 zrep getlastsent "$P1/src")" "sync all: the failing one was not"

# a post hook that fails: the snapshot was taken and is sent; a warning says so
RC=0
ERR=$(on h1 env ZREP_POSTSNAP_HOOK='exit 4' zrep sync "$P1/src" 2>&1 >/dev/null) || RC=$?
assert_eq 0 "$RC" "a failing post hook does not fail the sync (the snapshot exists)"
[[ $RC == 0 ]] || sed 's/^/#   stderr| /' <<<"$ERR"
assert_match "warning: $P1/src@zrep_000002 was taken; its ZREP_POSTSNAP_HOOK failed" "$ERR" "a warning names it"

# a hanging hook (and its child) is killed after ZREP_TIMEOUT
t0=$(date +%s)
RC=0
ERR=$(on h1 env ZREP_TIMEOUT=2 ZREP_PRESNAP_HOOK='sleep 300 & echo $! > /tmp/zrep-t0740.child; sleep 300' zrep sync "$P1/src" 2>&1 >/dev/null) || RC=$?
t1=$(date +%s)
assert_eq 1 "$RC" "a hanging pre hook fails the sync"
assert_match "did not finish within 2 s \(ZREP_TIMEOUT\); it was killed" "$ERR" "the error says it timed out"
(( t1 - t0 < 20 )) && pass "zrep returned after the timeout ($(( t1 - t0 )) s)" || fail "zrep took $(( t1 - t0 )) s"
child=$(on h1 cat /tmp/zrep-t0740.child)
sleep 0.5
# alive = exists and is not a zombie (a killed child of a killed shell may linger unreaped)
st=$(on h1 ps -o stat= -p "$child" 2>/dev/null)
[[ -n $st && $st != Z* ]] && fail "the hook's child $child survived ($st)" || pass "the hook's process group was killed"
on h1 rm -f /tmp/zrep-t0740.child "$L"
assert_eq "$P1/src@zrep_000002" "$(on h1 zrep getlastsent "$P1/src")" "nothing sent after the timeout"
test_done
