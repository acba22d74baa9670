#!/usr/bin/env bash
# t0330-locking: two concurrent syncs of one filesystem (the second fails, or with -q skips,
# and never sends; data intact); a lock left by kill -9 is taken over by the next run; SIGTERM
# and SIGINT release the lock; a lock recorded by another host is never broken; the next run
# recovers a transfer that completed on the destination but was never recorded here.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2

log_must on h1 zfs create "$P1/src"
log_must on h1 bash -c "head -c 200000 /dev/urandom > /$P1/src/f"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
snaps() { on "$1" zfs list -H -t snapshot -o name -r "$2" | sed 's/.*@//' | tr '\n' ' '; }
lockpid() { on h1 zfs get -H -o value -s local zrep:lock-pid "$P1/src"; }
# A slow data path: the out-filter holds the stream for a few seconds.
slow() { on h1 env ZREP_OUTFILTER="sleep $1; cat" "${@:2}"; }
wait_locked() { for _ in $(seq 50); do [[ -n $(lockpid) ]] && return 0; sleep 0.2; done; return 1; }

slow 4 zrep sync "$P1/src" >/dev/null 2>&1 &
bg=$!
wait_locked || fail "first sync never took the lock"
before_h2=$(snaps h2 "$P2/dst")
err=$(on h1 zrep sync "$P1/src" 2>&1); rc=$?
assert_eq 75 "$rc" "a second sync of a busy filesystem fails with EX_TEMPFAIL (75)"
assert_match 'locked by h1:[0-9]+' "$err" "the message names the holder"
out=$(on h1 zrep sync -q 60 "$P1/src" 2>&1); rc=$?
assert_eq 0 "$rc" "sync -q skips a busy filesystem whose last sync is recent"
assert_match 'Quiet mode: skipping busy fs' "$out" "quiet skip says so"
assert_eq "$before_h2" "$(snaps h2 "$P2/dst")" "the refused syncs sent nothing"
wait $bg; assert_eq 0 "$?" "the first sync completed"
assert_eq "" "$(lockpid)" "lock released after the sync"
remount h2 "$P2/dst"
assert_eq "$(checksum_tree h1 "/$P1/src")" "$(checksum_tree h2 "/$P2/dst")" "data intact after concurrent attempts"

# kill -9 while holding the lock: the lock stays, the next run takes it over.
on h1 bash -c "echo more >> /$P1/src/f"
slow 30.77 zrep sync "$P1/src" >/dev/null 2>&1 &
bg=$!
wait_locked || fail "sync never took the lock"
pid=$(lockpid)
on h1 kill -9 "$pid"
wait $bg 2>/dev/null
host_pkill h1 KILL 'sleep 30.77'
sleep 1
assert_eq "$pid" "$(lockpid)" "kill -9 leaves the lock behind"
log_must on h1 zrep sync "$P1/src" >/dev/null
assert_eq "" "$(lockpid)" "the next run took over the dead lock and released it"
remount h2 "$P2/dst"
assert_eq "$(checksum_tree h1 "/$P1/src")" "$(checksum_tree h2 "/$P2/dst")" "data identical after the takeover"

# SIGTERM and SIGINT: the lock is released on the way out.
for sig in TERM INT HUP; do
	slow 30.77 zrep sync "$P1/src" >/dev/null 2>&1 &
	bg=$!
	wait_locked || fail "sync never took the lock ($sig)"
	pid=$(lockpid)
	on h1 kill -$sig "$pid"
	wait $bg; rc=$?
	host_pkill h1 KILL 'sleep 30.77'
	assert_eq "" "$(lockpid)" "SIG$sig releases the lock"
done
log_must on h1 zrep sync "$P1/src" >/dev/null

# Without /proc to tell (each zrep in its own PID namespace with its own /proc, so the other's
# PID is not there to check): the lock is still exclusive.
hidden() { on h1 unshare -fpm --mount-proc "$@"; }
on h1 env ZREP_OUTFILTER="sleep 4; cat" unshare -fpm --mount-proc zrep sync "$P1/src" >/dev/null 2>&1 &
bg=$!
wait_locked || fail "the sync in its own PID namespace never took the lock"
before_h2=$(snaps h2 "$P2/dst")
err=$(hidden zrep sync "$P1/src" 2>&1) && fail "a second zrep without a view of the first took its lock"
assert_match 'locked by' "$err" "without /proc the lock is still exclusive: $err"
assert_eq "$before_h2" "$(snaps h2 "$P2/dst")" "the refused sync sent nothing"
wait $bg; assert_eq 0 "$?" "the first sync (own PID namespace) completed"
assert_eq "" "$(lockpid)" "lock released"

# The lock file is never written through a planted symlink; the sync fails and says why.
enc=$(printf '%s' "$P1/src" | sed 's|/|%2F|g')
log_must on h1 sh -c "echo keep > /tmp/zrep-victim; ln -sf /tmp/zrep-victim '/var/run/zrep.zrep.$enc.lock.planted'"
log_must on h1 sh -c "mv '/var/run/zrep.zrep.$enc.lock' /tmp/zrep-lock-saved; mv '/var/run/zrep.zrep.$enc.lock.planted' '/var/run/zrep.zrep.$enc.lock'"
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "sync wrote through a symlinked lock file"
assert_match 'zrep: cannot open lock file' "$err" "a planted symlink is refused: $err"
assert_eq keep "$(on h1 cat /tmp/zrep-victim)" "the symlink's target is untouched"
log_must on h1 sh -c "rm -f '/var/run/zrep.zrep.$enc.lock' /tmp/zrep-victim; mv /tmp/zrep-lock-saved '/var/run/zrep.zrep.$enc.lock'"
log_must on h1 zrep sync "$P1/src" >/dev/null

# A lock recorded by another host is not broken (cannot check its process).
log_must on h1 zfs set zrep:lock-pid=1 "$P1/src"
log_must on h1 zfs set zrep:lock-owner=h7:1:123 "$P1/src"
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "another host's lock was broken"
assert_match 'locked by h7:1:123' "$err" "another host's lock is reported"
# A reused PID (alive, but another process) is not mistaken for the holder.
log_must on h1 zfs set zrep:lock-owner=h1:1:123 "$P1/src"
log_must on h1 zrep sync "$P1/src" >/dev/null
assert_eq "" "$(lockpid)" "a lock whose pid was reused by another process is taken over"
# lock-pid alone (what a zfs that sets one property at a time gets): a live process that is not
# a zrep is a reused pid, a live zrep's is a lock.
log_must on h1 zfs inherit zrep:lock-owner "$P1/src"
OPID=$(other_pid h1)
log_must on h1 zfs set zrep:lock-pid="$OPID" "$P1/src"
log_must on h1 zrep sync "$P1/src" >/dev/null
assert_eq "" "$(lockpid)" "lock-pid of a live process that is not a zrep: taken over"
log_must kill_pid "$OPID"
ZPID=$(live_pid h1)
log_must on h1 zfs set zrep:lock-pid="$ZPID" "$P1/src"
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "a live shell zrep's lock-pid was broken"
assert_match "locked by h1:$ZPID" "$err" "lock-pid of a live zrep keeps us out"
log_must kill_pid "$ZPID"
log_must on h1 zrep sync "$P1/src" >/dev/null

# A receive that completed on the destination but was never recorded here is recovered:
# simulate it by clearing the local sent mark of the last snapshot.
last=$(on h1 zrep getlastsent "$P1/src" 2>/dev/null)
log_must on h1 zfs inherit zrep:sent "$last"
out=$(on h1 zrep sync "$P1/src" 2>&1) || fail "sync after an unrecorded transfer failed: $out"
assert_match 'already on h2' "$out" "the unrecorded transfer is detected and used as the base"
remount h2 "$P2/dst"
assert_eq "$(checksum_tree h1 "/$P1/src")" "$(checksum_tree h2 "/$P2/dst")" "data identical after recovery"
test_done
