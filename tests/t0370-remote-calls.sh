#!/usr/bin/env bash
# t0370-remote-calls: ours as the callee of the remote calls a shell zrep 2.0.2 makes, in the
# form it makes them (one string for the remote shell, "-t TAG" first): expire DESTFS,
# expire -L FS, snaponly FS (its output parsed by refresh), _refreshcomplete SNAP TAG:sent=TS.
# And as the caller: a destination without zrep still receives (only the expire fails).
. "$(dirname "$0")/lib.sh"
need_hosts 2

log_must on h1 zfs create "$P1/src"
log_must on h1 env ZREP_SAVE_COUNT=2 zrep -t bk init "$P1/src" h2 "$P2/dst" >/dev/null
for i in 1 2 3 4; do log_must on h1 env ZREP_SKIP_EXPIRE=1 zrep -t bk sync "$P1/src" >/dev/null; done
count() { on "$1" zfs list -H -t snapshot -o name -r "$2" | grep -c "@bk_" || true; }
assert_eq 5 "$(count h2 "$P2/dst")" "five snapshots on the destination before the remote expire"
# What the shell zrep's expire runs on the master's behalf: ssh DESTHOST "zrep -t bk expire DESTFS"
log_must on h1 ssh h2 "zrep -t bk expire $P2/dst" >/dev/null
assert_eq 2 "$(count h2 "$P2/dst")" "remote 'zrep -t bk expire DESTFS' keeps the destination's savecount"
# refresh's calls on the source: snaponly, then _refreshcomplete, then expire -L.
snap=$(on h2 ssh h1 "zrep -t bk snaponly $P1/src")
assert_match "^$P1/src@bk_000005\$" "$snap" "snaponly prints the new snapshot's full name"
log_must on h2 ssh h1 "zrep -t bk _refreshcomplete $snap bk:sent=1700000000"
assert_eq 1700000000 "$(on h1 zfs get -H -o value -s local bk:sent "$snap")" "_refreshcomplete marks the snapshot sent"
err=$(on h2 ssh h1 "zrep -t bk _refreshcomplete $snap mountpoint=/tmp/evil" 2>&1) && fail "_refreshcomplete set another property"
assert_match 'zrep: ' "$err" "_refreshcomplete refuses any property but bk:sent"
log_must on h2 ssh h1 "zrep -t bk expire -L $P1/src" >/dev/null
assert_eq 2 "$(count h1 "$P1/src")" "remote 'expire -L FS' expires only the master's side"
# A destination without zrep: the push needs sh and zfs alone there, its expiry included.
log_must on h1 bash -c "echo x > /$P1/src/f"
for i in 1 2 3; do
	err=$(on h1 env ZREP_PATH=/nonexistent/zrep zrep -t bk sync "$P1/src" 2>&1 >/dev/null) || fail "sync without a remote zrep failed: $err"
done
assert_eq "" "$(printf '%s' "$err" | grep -i 'warn\|fail')" "without zrep on the destination the sync says nothing is wrong"
assert_eq 2 "$(count h2 "$P2/dst")" "without zrep on the destination its expiry keeps its savecount"
assert_match "@bk_000008" "$(on h2 zfs list -H -t snapshot -o name -r "$P2/dst")" "the snapshots arrived"
test_done
