#!/usr/bin/env bash
# t0310-sync: zrep sync over real ssh: data byte-identical after several syncs, exact
# properties and sent marks on both sides, _unsent on a receive that fails, the split-brain and
# unreachable refusals, sync all going on past a failing filesystem, hostile property values,
# and bad arguments.
. "$(dirname "$0")/lib.sh"
need_hosts 2

log_must on h1 zfs create "$P1/src"
log_must on h1 bash -c "echo v0 > /$P1/src/f"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
for i in 1 2 3; do
	log_must on h1 bash -c "echo v$i >> /$P1/src/f; head -c $((i * 100000)) /dev/urandom > /$P1/src/r$i"
	log_must on h1 zrep sync "$P1/src" >/dev/null
	remount h2 "$P2/dst"
	assert_eq "$(checksum_tree h1 "/$P1/src")" "$(checksum_tree h2 "/$P2/dst")" "data byte-identical after sync $i"
done
snaps() { on "$1" zfs list -H -t snapshot -o name -r "$2" | sed 's/.*@//' | tr '\n' ' '; }
assert_eq "zrep_000000 zrep_000001 zrep_000002 zrep_000003 " "$(snaps h1 "$P1/src")" "source snapshots numbered in order"
assert_eq "zrep_000000 zrep_000001 zrep_000002 zrep_000003 " "$(snaps h2 "$P2/dst")" "destination has the same snapshots"
for h in h1 h2; do
	ds=$([[ $h == h1 ]] && echo "$P1/src" || echo "$P2/dst")
	assert_match '^[0-9]+$' "$(on $h zfs get -H -o value -s local zrep:sent "$ds@zrep_000003")" "$h: last snapshot marked sent (local)"
	assert_eq "" "$(on $h zfs get -H -o value -s local zrep:lock-pid "$ds")" "$h: no lock left behind"
done
assert_eq "$P1/src@zrep_000003" "$(on h1 zrep getlastsent "$P1/src" 2>/dev/null || on h1 zfs list -H -o name "$P1/src@zrep_000003")" "last sent is the newest snapshot"
assert_eq "$(on h1 zfs get -H -o value guid "$P1/src@zrep_000003")" "$(on h2 zfs get -H -o value guid "$P2/dst@zrep_000003")" "same guid on both sides"
assert_eq "yes" "$(on h1 zfs get -H -o value -s local zrep:master "$P1/src")" "source still master"
assert_eq "" "$(on h2 zfs get -H -o value -s local zrep:master "$P2/dst")" "destination not master"

# A receive that fails: the destination was modified (made writable and written to).
log_must on h2 zfs set readonly=off "$P2/dst"
log_must remount h2 "$P2/dst"
log_must on h2 bash -c "echo intruder > /$P2/dst/x"
log_must on h1 bash -c "echo v4 >> /$P1/src/f"
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "sync onto a modified destination succeeded"
assert_match 'modified' "$err" "the receiver's reason is reported"
assert_eq "zrep_000000 zrep_000001 zrep_000002 zrep_000003 zrep_000004_unsent " "$(snaps h1 "$P1/src")" "failed snapshot renamed _unsent"
assert_eq "$P1/src@zrep_000003" "$(on h1 zrep getlastsent "$P1/src" 2>/dev/null)" "last sent unchanged after a failure"
# -f rolls the destination back and the chain continues numbering after the _unsent one.
log_must on h1 zrep sync -f "$P1/src" >/dev/null
assert_eq "zrep_000001 zrep_000002 zrep_000003 zrep_000004_unsent zrep_000005 " "$(snaps h1 "$P1/src")" "sync -f continues after the _unsent snapshot (and expiry keeps 5)"
log_must on h2 zfs set readonly=on "$P2/dst"
remount h2 "$P2/dst"
assert_eq "$(checksum_tree h1 "/$P1/src")" "$(checksum_tree h2 "/$P2/dst")" "data identical after sync -f"

# ZREP_RENAME_UNSENT=no destroys the failed snapshot instead.
log_must on h2 zfs set readonly=off "$P2/dst"
log_must remount h2 "$P2/dst"
log_must on h2 bash -c "echo intruder2 > /$P2/dst/y"
on h1 env ZREP_RENAME_UNSENT=no zrep sync "$P1/src" >/dev/null 2>&1 && fail "sync onto a modified destination succeeded"
assert_eq "" "$(snaps h1 "$P1/src" | tr ' ' '\n' | grep 000006 || true)" "ZREP_RENAME_UNSENT=no destroys the failed snapshot"
log_must on h1 zrep sync -f "$P1/src" >/dev/null
log_must on h2 zfs set readonly=on "$P2/dst"

# Split brain: the destination also claims master.
log_must on h2 zfs set zrep:master=yes "$P2/dst"
n_before=$(snaps h2 "$P2/dst")
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "sync with split brain succeeded"
assert_match 'split brain' "$err" "split brain detected before sending"
assert_eq "$n_before" "$(snaps h2 "$P2/dst")" "nothing received during split brain"
log_must on h2 zfs inherit zrep:master "$P2/dst"

# Not master, unreachable, hostile property values: clear errors, no command execution.
err=$(on h2 zrep sync "$P2/dst" 2>&1) && fail "sync on a destination succeeded"
assert_match 'not master' "$err" "sync refuses a non-master"
log_must on h1 zfs set zrep:dest-host=h9 "$P1/src"
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "sync to an unreachable host succeeded"
assert_match 'not reachable' "$err" "unreachable destination reported"
log_must on h1 zfs set "zrep:dest-host=h2;touch /tmp/pwned" "$P1/src"
err=$(on h1 zrep sync "$P1/src" 2>&1) && fail "hostile dest-host accepted"
assert_match 'invalid host name' "$err" "hostile dest-host refused"
log_must on h1 zfs set zrep:dest-host=h2 "$P1/src"
log_must on h1 zfs set 'zrep:dest-fs=tank/dst$(touch /tmp/pwned)' "$P1/src"
on h1 zrep sync "$P1/src" >/dev/null 2>&1 && fail "hostile dest-fs accepted"
log_must on h1 zfs set "zrep:dest-fs=$P2/dst" "$P1/src"
for h in h1 h2; do assert_eq "no" "$(on $h test -e /tmp/pwned && echo yes || echo no)" "no command ran on $h"; done

# sync all goes on past a failing filesystem and says it failed.
log_must on h1 zfs create "$P1/b"
log_must on h1 zrep init "$P1/b" h2 "$P2/b" >/dev/null
# An unreachable partner may pass by itself: EX_TEMPFAIL (75); a missing destination needs a
# person: 1, which wins over 75.
log_must on h1 zfs set zrep:dest-host=h9 "$P1/src"
on h1 zrep sync all >/dev/null 2>&1; rc=$?
assert_eq 75 "$rc" "sync all exits 75 when the only failure is an unreachable partner"
assert_match 'zrep_000001' "$(snaps h2 "$P2/b")" "the other filesystem was synced"
log_must on h1 zfs set zrep:dest-fs="$P2/nonexistent" "$P1/b"
on h1 zrep sync all >/dev/null 2>&1; rc=$?
assert_eq 1 "$rc" "sync all exits 1 when one failure is permanent, even with a transient one"
log_must on h1 zfs set zrep:dest-fs="$P2/b" "$P1/b"
log_must on h1 zfs set zrep:dest-host=h2 "$P1/src"

# A backlog (three snapshots made by snaponly since the last sync) goes as one -I stream: one
# zfs send, from the last sent snapshot to the one the sync makes, and the destination gets all
# four.
log_must on h1 zfs create "$P1/bl"
log_must on h1 zrep init "$P1/bl" h2 "$P2/bl" >/dev/null
for i in 1 2 3; do
	log_must on h1 bash -c "echo b$i >> /$P1/bl/f"
	log_must on h1 zrep snaponly "$P1/bl" >/dev/null
done
wrap=$(mktemp -d)
realzfs=$(on h1 sh -c 'command -v zfs')
printf '#!/bin/sh\ncase "$1" in send) echo "$*" >> %s/sends;; esac\nexec %s "$@"\n' "$wrap" "$realzfs" > "$wrap/zfs"
chmod +x "$wrap/zfs"
log_must on h1 env PATH="$wrap:$(on h1 sh -c 'echo $PATH')" zrep sync "$P1/bl" >/dev/null
assert_eq 1 "$(grep -c . "$wrap/sends")" "a backlog of three snapshots and the new one: one zfs send"
assert_match "(^| )-I $P1/bl@zrep_000000 $P1/bl@zrep_000004\$" "$(cat "$wrap/sends")" "the one send is -I from the last sent to the newest"
assert_eq "zrep_000000 zrep_000001 zrep_000002 zrep_000003 zrep_000004 " "$(snaps h2 "$P2/bl")" "the destination has every snapshot of the backlog"
remount h2 "$P2/bl"
assert_eq "$(checksum_tree h1 "/$P1/bl")" "$(checksum_tree h2 "/$P2/bl")" "backlog: data identical"
rm -rf "$wrap"

# Bad arguments: usage errors, nothing changed.
before=$(snaps h1 "$P1/src")
for args in "" "-x $P1/src" "-q" "-q 10 $P1/src" "-q abc $P1/src" "all extra"; do
	# shellcheck disable=SC2086
	on h1 zrep sync $args >/dev/null 2>&1; rc=$?
	assert_eq 2 "$rc" "sync '$args' is a usage error"
done
err=$(on h1 zrep sync "$P1/nosuch" 2>&1) && fail "sync of a missing fs succeeded"
assert_eq "zrep: no such dataset: $P1/nosuch" "$err" "missing filesystem: one-line error"
err=$(on h1 zrep sync -- -bad 2>&1); assert_match "starting with '-'" "$err" "leading '-' refused"
assert_eq "$before" "$(snaps h1 "$P1/src")" "bad arguments changed nothing"
test_done
