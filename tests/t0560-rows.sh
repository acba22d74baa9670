#!/usr/bin/env bash
# t0560-rows: zfs prints property values raw, so a value holding tabs and newlines can forge
# whole `zfs get -H` rows (a sent snapshot zrep_ffffff that does not exist, say). zrep checks
# every row it acts on against the grid zfs prints and refuses a zrep property value with a
# control character: with forged rows in the filesystem's properties or in a snapshot's
# zrep:sent, expire -L and sync refuse with a clear error and destroy nothing.
. "$(dirname "$0")/lib.sh"
need_hosts 2
S=$P1/src

snaps() { on h1 zfs list -H -t snapshot -o name -r "$S" | tr '\n' ' '; }
log_must on h1 zfs create "$S"
log_must on h1 env ZREP_SAVE_COUNT=2 zrep init "$S" h2 "$P2/dst" >/dev/null
for i in 1 2; do log_must on h1 env ZREP_SKIP_EXPIRE=1 zrep sync "$S" >/dev/null; done
before=$(snaps)

# A forged sent snapshot in the filesystem's own properties (zrep:savecount's value).
forge=$(printf '5\tlocal\n%s@zrep_ffffff\tzrep:sent\t1\tlocal\n%s@zrep_ffffff\tguid\t9\t-\n%s@zrep_ffffff\tcreation\t9' "$S" "$S" "$S")
log_must on h1 zfs set zrep:savecount="$forge" "$S"
for cmd in "expire -L $S" "sync $S" "expire $S"; do
	err=$(on h1 zrep $cmd 2>&1) && fail "zrep $cmd acted on forged rows"
	assert_match 'do not check out' "$err" "zrep $cmd: refused, and says why"
	assert_eq "$before" "$(snaps)" "zrep $cmd: nothing destroyed or made"
done
log_must on h1 zfs set zrep:savecount=2 "$S"

# A forged snapshot row in a snapshot's zrep:sent.
first=$(on h1 zfs list -H -t snapshot -o name -r "$S" | head -2 | tail -1)
forge=$(printf '1\tlocal\n%s@zrep_ffffff\tzrep:sent\t2\tlocal\n%s@zrep_ffffff\tguid\t1\t-\n%s@zrep_ffffff\tcreation\t1' "$S" "$S" "$S")
log_must on h1 zfs set zrep:sent="$forge" "$first"
for cmd in "expire -L $S" "sync $S"; do
	err=$(on h1 zrep $cmd 2>&1) && fail "zrep $cmd acted on a forged snapshot row"
	assert_match 'do not check out' "$err" "zrep $cmd (forged snapshot row): refused, and says why"
	assert_eq "$before" "$(snaps)" "zrep $cmd (forged snapshot row): nothing destroyed or made"
done
log_must on h1 zfs set zrep:sent=1 "$first"

# A control character in a zrep setting is refused by name.
log_must on h1 zfs set zrep:dest-host="$(printf 'h2\001')" "$S"
err=$(on h1 zrep sync "$S" 2>&1) && fail "a dest-host with a control character was used"
assert_match 'zrep:dest-host of .* holds a control character' "$err" "control character named: $err"
assert_eq "$before" "$(snaps)" "control character: nothing made"
log_must on h1 zfs set zrep:dest-host=h2 "$S"

# Healed: the next runs work, the last common snapshot is still there on both sides.
log_must on h1 zrep sync "$S" >/dev/null
log_must on h1 zrep expire "$S" >/dev/null
last=$(on h1 zrep getlastsent "$S" 2>/dev/null)
assert_eq "$(on h1 zfs get -H -o value guid "$last")" "$(on h2 zfs get -H -o value guid "$P2/dst@${last#*@}")" "the last sent snapshot is on both sides"
test_done
