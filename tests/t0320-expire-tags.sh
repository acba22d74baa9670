#!/usr/bin/env bash
# t0320-expire-tags: expiry counts on both sides for savecount 1, 2 and 5 (master keeps the
# last sent one and savecount-1 older, the destination keeps the newest savecount, other
# snapshots are never touched), ZREP_SKIP_EXPIRE, and tags isolating two destinations of one
# filesystem (own properties, own snapshots, own expiry).
. "$(dirname "$0")/lib.sh"
need_hosts 2

count() { on "$1" zfs list -H -t snapshot -o name -r "$2" | grep -c "@$3_" || true; }

for sc in 1 2 5; do
	log_must on h1 zfs create "$P1/s$sc"
	log_must on h1 env ZREP_SAVE_COUNT=$sc zrep init "$P1/s$sc" h2 "$P2/d$sc" >/dev/null
	log_must on h1 zfs snapshot "$P1/s$sc@manual"
	for i in 1 2 3 4 5 6 7; do log_must on h1 zrep sync "$P1/s$sc" >/dev/null; done
	assert_eq "$sc" "$(on h1 zfs get -H -o value zrep:savecount "$P1/s$sc")" "savecount $sc recorded"
	assert_eq "$sc" "$(count h1 "$P1/s$sc" zrep)" "savecount $sc: master keeps $sc"
	assert_eq "$sc" "$(count h2 "$P2/d$sc" zrep)" "savecount $sc: destination keeps $sc"
	assert_match "@zrep_000007" "$(on h2 zfs list -H -t snapshot -o name -r "$P2/d$sc")" "savecount $sc: newest kept on destination"
	assert_match "$P1/s$sc@manual" "$(on h1 zfs list -H -t snapshot -o name -r "$P1/s$sc")" "savecount $sc: a snapshot zrep did not make is kept"
done

# ZREP_SKIP_EXPIRE: nothing expired, and an explicit expire is refused.
log_must on h1 env ZREP_SKIP_EXPIRE=1 zrep sync "$P1/s1" >/dev/null
assert_eq 2 "$(count h1 "$P1/s1" zrep)" "ZREP_SKIP_EXPIRE keeps snapshots on the master"
assert_eq 2 "$(count h2 "$P2/d1" zrep)" "ZREP_SKIP_EXPIRE keeps snapshots on the destination"
log_mustnot on h1 env ZREP_SKIP_EXPIRE=1 zrep expire "$P1/s1"
log_must on h1 zrep expire "$P1/s1" >/dev/null
assert_eq 1 "$(count h1 "$P1/s1" zrep)" "zrep expire removes the extra one here"
assert_eq 1 "$(count h2 "$P2/d1" zrep)" "and on the destination"
# An invalid savecount is refused, not treated as 0.
log_must on h1 zfs set zrep:savecount=abc "$P1/s2"
err=$(on h1 zrep expire "$P1/s2" 2>&1) && fail "expire with savecount=abc succeeded"
assert_match 'savecount.*invalid' "$err" "invalid savecount refused"
assert_eq 2 "$(count h1 "$P1/s2" zrep)" "nothing expired with an invalid savecount"

# Tags: the same filesystem replicated to two destinations, each with its own tag.
log_must on h1 zfs create "$P1/multi"
log_must on h1 bash -c "echo base > /$P1/multi/f"
log_must on h1 zrep init "$P1/multi" h2 "$P2/m_default" >/dev/null
log_must on h1 zrep -t bk init "$P1/multi" h2 "$P2/m_bk" >/dev/null
log_must on h1 bash -c "echo more >> /$P1/multi/f"
log_must on h1 zrep sync "$P1/multi" >/dev/null
log_must on h1 zrep sync "$P1/multi" >/dev/null
log_must on h1 env ZREPTAG=bk zrep sync "$P1/multi" >/dev/null
assert_eq "3 2" "$(count h1 "$P1/multi" zrep) $(count h1 "$P1/multi" bk)" "each tag numbers its own snapshots (with -t and ZREPTAG)"
# The default tag sends with -I, which carries intermediate snapshots of any name (here
# bk_000000, made between zrep_000000 and zrep_000001), as the shell zrep does; custom tags
# default to -i, which carries none.
assert_eq "3 1" "$(count h2 "$P2/m_default" zrep) $(count h2 "$P2/m_default" bk)" "default tag (-I) carries intermediate snapshots"
assert_eq "0 2" "$(count h2 "$P2/m_bk" zrep) $(count h2 "$P2/m_bk" bk)" "bk tag (-i) destination only has bk_ snapshots"
assert_eq "$P2/m_bk" "$(on h1 zfs get -H -o value bk:dest-fs "$P1/multi")" "bk:dest-fs is its own property"
assert_eq "$P2/m_default" "$(on h1 zfs get -H -o value zrep:dest-fs "$P1/multi")" "zrep:dest-fs untouched by the bk tag"
remount h2 "$P2/m_bk"
assert_eq "$(checksum_tree h1 "/$P1/multi")" "$(checksum_tree h2 "/$P2/m_bk")" "bk destination has the data"
err=$(on h1 zrep -t 'Bad;tag' sync "$P1/multi" 2>&1); rc=$?
assert_eq 2 "$rc" "an invalid tag is a usage error"
assert_match 'invalid tag' "$err" "the invalid tag is named"
test_done
