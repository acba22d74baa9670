#!/usr/bin/env bash
# t0570-holds: where the zfs has holds, the last sent snapshot carries zrep's hold (named by the
# tag) on both hosts, moved to the new one by each sync; a hold left on an older snapshot by a
# killed run is released by the next sync and that snapshot then expires; another tag's hold is
# never released and its snapshot never expired; sync FS@SNAP rolls back past zrep's own hold
# and moves it to SNAP; sync all's batched bookkeeping leaves another tag's held snapshot
# alone; clear releases zrep's holds.
. "$(dirname "$0")/lib.sh"
need_hosts 2
S=$P1/src D=$P2/dst

on h1 zfs create "$P1/probe" && on h1 zfs snapshot "$P1/probe@x" || abort "cannot make a snapshot"
on h1 zfs get -H -o value userrefs "$P1/probe@x" >/dev/null 2>&1 || skip_test "this zfs has no holds (no userrefs property)"
on h1 zfs destroy -r "$P1/probe"

refs() { on "$1" zfs get -H -o value userrefs "$2"; }
held() { on "$1" zfs get -H -o name,value -r userrefs "$2" | awk -F'\t' '$2 > 0 && $1 ~ /@/ {print $1}' | tr '\n' ' '; }
last() { on h1 zrep getlastsent "$S" 2>/dev/null; }
last_of() { on h1 zrep getlastsent "$P1/$1" 2>/dev/null; }

log_must on h1 zfs create "$S"
log_must on h1 env ZREP_SAVE_COUNT=3 zrep init "$S" h2 "$D" >/dev/null
assert_eq "$S@zrep_000000 " "$(held h1 "$S")" "after init: the first snapshot is held on the master"
assert_eq "$D@zrep_000000 " "$(held h2 "$D")" "after init: and on the destination"
for i in 1 2; do log_must on h1 zrep sync "$S" >/dev/null; done
l=$(last)
assert_eq "$l " "$(held h1 "$S")" "the hold moved to the last sent snapshot on the master"
assert_eq "$D@${l#*@} " "$(held h2 "$D")" "and on the destination"
assert_eq 1 "$(refs h1 "$l")" "one hold on it"

# A hold a killed run left behind on an older snapshot; another tag's hold on another.
log_must on h1 zfs hold zrep "$S@zrep_000001"
log_must on h1 zfs hold keep "$S@zrep_000000"
log_must on h2 zfs hold zrep "$D@zrep_000001"
log_must on h1 zrep sync "$S" >/dev/null
assert_eq 0 "$(refs h1 "$S@zrep_000001" 2>/dev/null || echo 0)" "the stale zrep hold is released by the next sync (master)"
assert_eq "" "$(on h2 zfs get -H -o value userrefs "$D@zrep_000001" 2>/dev/null | grep -v '^0$')" "and on the destination"
for i in 1 2 3; do log_must on h1 zrep sync "$S" >/dev/null; done
log_mustnot on h1 zfs list -H "$S@zrep_000001"
pass "the formerly held snapshot expired once released"
assert_eq 1 "$(refs h1 "$S@zrep_000000")" "another tag's hold is kept"
assert_match zrep_000000 "$(on h1 zfs list -H -t snapshot -o name -r "$S")" "its snapshot is never expired"
log_must on h1 zfs release keep "$S@zrep_000000"

# A sync holds its new snapshot from before the transfer; one whose receive fails lets go of it
# (and sets it aside): the hold stays the last sent snapshot's alone. (A stalled or killed
# send is not checked here: zfs-fuse leaks holds of its own on what a killed send was sending.
# The OpenZFS lane's t0350 destroys a snapshot kept after a failed sync.)
l=$(last)
log_must on h1 bash -c "head -c 300000 /dev/urandom > /$S/big"
on h1 env ZREP_OUTFILTER="head -c 1000" zrep sync "$S" >/dev/null 2>&1 && fail "a truncated sync succeeded"
assert_eq "$l " "$(held h1 "$S")" "a failed sync leaves the hold on the last sent alone"
log_must on h1 zrep sync "$S" >/dev/null
l=$(last)
assert_eq "$l " "$(held h1 "$S")" "the next sync moves it to its own snapshot"
u=$(on h1 zfs list -H -t snapshot -o name -r "$S" | grep '_unsent$')
assert_match "@zrep_[0-9a-f]+_unsent\$" "$u" "the failed sync's snapshot was set aside"
log_must on h1 zfs destroy "$u" # no hold on it

# sync FS@SNAP: the destination rolls back past zrep's hold, which moves to SNAP.
snaps=$(on h1 zfs list -H -t snapshot -o name -s creation -r "$S" | sed 's/.*@//')
older=$(echo "$snaps" | tail -2 | head -1)
log_must on h1 zrep sync -f "$S@$older" >/dev/null
assert_eq "$D@$older " "$(held h2 "$D")" "after sync FS@SNAP the destination's hold is on SNAP"

# sync all records its syncs in one batch: a snapshot with another tag's hold, whose release
# of zrep's finds none, stays held in its plan, so expiry neither destroys it nor tries to.
for f in t1 t2; do
	log_must on h1 zfs create "$P1/$f"
	log_must on h1 env ZREP_SAVE_COUNT=2 zrep init "$P1/$f" h2 "$P2/$f" >/dev/null
done
kept=$(on h1 zrep getlastsent "$P1/t1")
log_must on h1 zfs hold keep "$kept"
out=""
for _ in 1 2 3; do
	for f in t1 t2; do on h1 bash -c "head -c 4096 /dev/urandom >> /$P1/$f/f"; done
	out+=$(on h1 zrep sync all 2>&1) || fail "sync all failed: $out"
done
assert_eq "" "$(grep -i 'cannot expire\|busy' <<<"$out")" "sync all: no destroy tried on another tag's held snapshot"
assert_eq "1" "$(refs h1 "$kept")" "sync all: that snapshot kept, with its own hold alone"
assert_eq "$(last_of t1) " "$(held h1 "$P1/t1" | sed "s|$kept ||")" "sync all: zrep's hold on the last sent snapshot only"
log_must on h1 zfs release keep "$kept"

# clear releases zrep's holds (and then destroys the snapshots).
log_must on h2 zrep clear -f "$D" >/dev/null
assert_eq "" "$(held h2 "$D")" "clear leaves no zrep hold"
assert_eq "" "$(on h2 zfs list -H -t snapshot -o name -r "$D" | grep zrep_)" "clear destroyed the zrep snapshots"
test_done
