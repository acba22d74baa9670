#!/usr/bin/env bash
# t0400-status-list: the machine-readable outputs of status, status -m, list, getlastsent and
# the exit statuses of uptodate (reference §1.8-§1.10, §1.12), on zrep state made by hand:
#   h1: $P1/src (master, synced to h2:$P2/dst at T1), "$P1/my fs" (master, never synced),
#       $P1/plain (no zrep); h2: $P2/dst (destination, config received with send -p).
# Positive cases first, then bad input (exit status, one stderr line, nothing on stdout).
# Pool names come from the bed ($P1, $P2: "tank" on zfs-fuse, tank_h1/tank_h2 on in-kernel
# OpenZFS, where each host also sees the other's pool: listings of all zrep filesystems are
# expected through all_of).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools
shared_zfs && echo "# the hosts share one zfs: listings of all zrep filesystems include the other host's"

log_must make_pair "$P1/src" "$P2/dst"
log_must make_master "$P1/my fs" "$P2/my dst"
log_must on h1 zfs create "$P1/plain"
log_must on h1 zfs set compression=on "$P1/src"
log_must on h1 zfs set quota=1G "$P1/src"

D1=$(on h1 date -d "@$T1" +%Y/%m/%d-%H:%M:%S)
V1=${D1%:*}
line() { printf '%-52s last: %s' "$1" "$2"; }
vline() { printf '%-25s->%-35s %s' "$1" "$2" "$3"; }
# the status lines of h1's two masters, of h2's destination
ST1="$(line "$P1/my fs" "[NEVER]")"$'\n'"$(line "$P1/src" "$D1")"
ST2=$(line "$P2/dst" "$D1")

# ---------------------------------------------------------------- status
run_zrep h1 status
expect_rc 0 "status"
assert_eq "$ST1" "$OUT" "status: one line per local master"
assert_eq "" "$ERR" "status: nothing on stderr"
run_zrep h1 -s
assert_eq "$ST1" "$OUT" "-s is status"

run_zrep h1 status "$P1/src" "$P1/my fs"
assert_eq "$(line "$P1/src" "$D1")"$'\n'"$(line "$P1/my fs" "[NEVER]")" "$OUT" "status FS...: in argument order"

# -v: the [NEVER] line after a synced one shows [NEVER], not the previous date
run_zrep h1 status -v "$P1/src" "$P1/my fs"
expect_rc 0 "status -v"
assert_eq "$(vline "$P1/src" "h2:$P2/dst" "$V1")"$'\n'"$(vline "$P1/my fs" "h2:$P2/my dst" "[NEVER]")" "$OUT" \
	"status -v: destination and the date without seconds; [NEVER] not a stale date"

run_zrep h1 status -a
assert_eq "$(all_of h1 "$ST1" "$ST2")" "$OUT" "status -a on the master side"

# the destination side: no masters; -a lists the destination; -v -a shows src-fs on the left and
# reads dest-host from the destination itself
VST1="$(vline "$P1/my fs" "h2:$P2/my dst" "[NEVER]")"$'\n'"$(vline "$P1/src" "h2:$P2/dst" "$V1")"
VST2=$(vline "$P1/src" "h2:$P2/dst" "$V1")
run_zrep h2 status
expect_rc 0 "status on a host without masters"
assert_eq "" "$OUT" "status on a host without masters prints nothing"
run_zrep h2 status -a
assert_eq "$(all_of h2 "$ST1" "$ST2")" "$OUT" "status -a on the destination"
run_zrep h2 status -a -v
assert_eq "$(all_of h2 "$VST1" "$VST2")" "$OUT" "status -a -v on the destination"
run_zrep h2 status -v -a
assert_eq "$(all_of h2 "$VST1" "$VST2")" "$OUT" "status -v -a: options in any order"

# ZREP_DATEFORMAT
OUT=$(on h1 env ZREP_DATEFORMAT=%s zrep status "$P1/src")
assert_eq "$(line "$P1/src" "$T1")" "$OUT" "status with ZREP_DATEFORMAT=%s"
OUT=$(on h1 env ZREP_DATEFORMAT=%s zrep status -v "$P1/src")
assert_eq "$(vline "$P1/src" "h2:$P2/dst" "$T1")" "$OUT" "status -v with ZREP_DATEFORMAT=%s (no ':' to cut)"

# tags: the same filesystems are not zrep filesystems under another tag
run_zrep h1 -t other status
assert_eq "" "$OUT" "status -t other: no masters for that tag"
run_zrep h1 -t other status "$P1/src"
expect_rc 1 "status -t other $P1/src: not configured for that tag"

# ---------------------------------------------------------------- status -m
SRC_RE=$(rq "$P1/src") MYFS_RE=$(rq "$P1/my fs") DST_RE=$(rq "$P2/dst")
NOW=$(on h1 date +%s)
log_must zset h1 "$P1/src@zrep_000001" "sent=$(( NOW - 100 ))"
log_must on h1 zfs snapshot "$P1/src@zrep_000002"
run_zrep h1 status -m "$P1/src"
expect_rc 0 "status -m: one unsent snapshot, synced 100 s ago"
assert_match "^$SRC_RE"$'\tok\tunsent=1\tage=(10[0-9]|11[0-9])$' "$OUT" "status -m: ok line"
log_must on h1 zfs snapshot "$P1/src@zrep_000003_unsent"
run_zrep h1 status -m "$P1/src"
expect_rc 1 "status -m: two unsent snapshots (one _unsent) is behind"
assert_match "^$SRC_RE"$'\tbehind\tunsent=2\tage=[0-9]+$' "$OUT" "status -m: behind line"
run_zrep h1 status -m -c 2 "$P1/src"
expect_rc 0 "status -m -c 2"
run_zrep h1 status -m -c 2 -t 10 "$P1/src"
expect_rc 1 "status -m -t 10: synced too long ago"
run_zrep h1 status -m -t 3600 -c 5
expect_rc 1 "status -m over all masters: the never-synced one is behind"
assert_match "^$MYFS_RE"$'\tbehind\tunsent=0\tage=never\n'"$SRC_RE"$'\tok\tunsent=2\tage=[0-9]+$' "$OUT" \
	"status -m: one line per master"
run_zrep h2 status -m -a -c 5
expect_rc 1 "status -m -a on the destination (synced at T1, long ago)"
assert_match "^$(all_of h2 "$MYFS_RE"$'\tbehind\tunsent=0\tage=never\n'"$SRC_RE"$'\tok\tunsent=2\tage=[0-9]+' \
	"$DST_RE"$'\tbehind\tunsent=0\tage=[0-9]+')\$" "$OUT" "status -m -a on the destination: line"
run_zrep h2 status -m
expect_rc 0 "status -m with nothing to monitor"
assert_eq "" "$OUT" "status -m with nothing to monitor prints nothing"
log_must on h1 zfs destroy "$P1/src@zrep_000003_unsent"
log_must on h1 zfs destroy "$P1/src@zrep_000002"
log_must zset h1 "$P1/src@zrep_000001" "sent=$T1"

# ---------------------------------------------------------------- list
LS1="$P1/my fs"$'\n'"$P1/src"
run_zrep h1 list
expect_rc 0 "list"
assert_eq "$(all_of h1 "$LS1" "$P2/dst" | sort)" "$(sort <<<"$OUT")" "list: the zrep filesystems"
run_zrep h1 -l
assert_eq "$(all_of h1 "$LS1" "$P2/dst" | sort)" "$(sort <<<"$OUT")" "-l is list"
run_zrep h1 list -L
assert_eq "$LS1" "$(sort <<<"$OUT")" "list -L: the local masters"
run_zrep h2 list
assert_eq "$(all_of h2 "$LS1" "$P2/dst")" "$OUT" "list on the destination: received configuration counts"
run_zrep h2 list -L
assert_eq "" "$OUT" "list -L on the destination: no masters"
run_zrep h1 list "$P1/plain" "$P1/src" "$P1/my fs"
expect_rc 0 "list FS..."
assert_eq "$P1/src"$'\n'"$P1/my fs" "$OUT" "list FS...: only the zrep ones, in argument order"
run_zrep h2 list -L "$P2/dst"
assert_eq "" "$OUT" "list -L DESTFS: not a master"

# list -v FS: FS:, the local/received properties (zfs get -H, human values), last snapshot
run_zrep h1 list -v "$P1/src"
expect_rc 0 "list -v $P1/src"
mapfile -t L <<<"$OUT"
assert_eq "$P1/src:" "${L[0]}" "list -v: first line FS:"
assert_eq "last snapshot synced: $P1/src@zrep_000001" "${L[-1]}" "list -v: last line (no blank line for FS args)"
want=$(printf '%s\n' $'compression\ton' $'quota\t1G' $'zrep:dest-fs\t'"$P2/dst" $'zrep:dest-host\th2' \
	$'zrep:master\tyes' $'zrep:savecount\t5' $'zrep:src-fs\t'"$P1/src" $'zrep:src-host\th1')
assert_eq "$want" "$(printf '%s\n' "${L[@]:1:${#L[@]}-2}" | sort)" "list -v: property<TAB>value lines"
run_zrep h1 list -v "$P1/my fs"
assert_eq "last snapshot synced: " "$(tail -n1 <<<"$OUT")" "list -v: never synced: empty snapshot"
run_zrep h2 list -v
# (every zrep filesystem: "FS:" ... and a blank line each; the first lines of the blocks, then the
# block of $P2/dst, the last one)
assert_eq "$(all_of h2 "$P1/my fs:"$'\n'"$P1/src:" "$P2/dst:")" "$(awk 'NR == 1 || prev == "" {print} {prev = $0}' <<<"$OUT")" \
	"list -v on the destination: one block per zrep filesystem"
mapfile -t L < <(awk -v h="$P2/dst:" '$0 == h {on = 1} on && $0 == "" {exit} on' <<<"$OUT")
assert_eq "$P2/dst:" "${L[0]}" "list -v on the destination: FS:"
assert_eq "last snapshot synced: $P2/dst@zrep_000001" "${L[-1]}" "list -v: destination's last sent"
assert_match $'\nzrep:src-host\th1\n' "$(printf '%s\n' "${L[@]}")" "list -v: received properties listed"
# (command substitution drops the trailing blank line: check it with a file)
on h2 zrep list -v >/tmp/t0400.$$ 2>/dev/null
assert_eq "" "$(tail -n1 /tmp/t0400.$$)" "list -v (all): a blank line after each filesystem"
assert_eq "last snapshot synced: $P2/dst@zrep_000001" "$(tail -n2 /tmp/t0400.$$ | head -n1)" "list -v (all): before the blank line"
rm -f /tmp/t0400.$$

# list -s
run_zrep h1 list -s "$P1/src"
expect_rc 0 "list -s $P1/src"
mapfile -t L <<<"$OUT"
assert_match '^NAME +CREATION$' "${L[0]}" "list -s: header line"
assert_eq "$P1/src@zrep_000000"$'\n'"$P1/src@zrep_000001" "$(printf '%s\n' "${L[@]:1}" | awk '{print $1}')" "list -s: the snapshots"
run_zrep h1 list -s
assert_match '^NAME +CREATION' "$OUT" "list -s (masters)"
assert_match "$SRC_RE@zrep_000001" "$OUT" "list -s (masters) lists $P1/src's snapshots"
run_zrep h2 list -s
expect_rc 0 "list -s with no masters"
assert_eq "" "$OUT" "list -s with no masters: nothing on stdout"
assert_eq "zrep: no zrep master filesystems found" "$ERR" "list -s with no masters: says so on stderr"

# ---------------------------------------------------------------- getlastsent
run_zrep h1 getlastsent "$P1/src"
expect_rc 0 "getlastsent"
assert_eq "$P1/src@zrep_000001" "$OUT" "getlastsent prints the last sent snapshot"
assert_eq "$P1/src@zrep_000001" "$(on h1 zrep lastsent "$P1/src")" "lastsent is getlastsent"
OUT=$(on h1 zrep getlastsent "$P1/my fs"; echo x)
assert_eq $'\nx' "$OUT" "getlastsent of a never-synced fs: an empty line"
log_must on h1 zfs snapshot "$P1/src@zrep_000002"
assert_eq "$P1/src@zrep_000001" "$(on h1 zrep getlastsent "$P1/src")" "getlastsent ignores unsent snapshots"
log_must on h1 zfs destroy "$P1/src@zrep_000002"
assert_eq "$P2/dst@zrep_000001" "$(on h2 zrep getlastsent "$P2/dst")" "getlastsent on the destination"

# ---------------------------------------------------------------- uptodate
run_zrep h1 uptodate "$P1/my fs"
expect_rc 1 "uptodate: never sent"
assert_eq "" "$OUT" "uptodate prints nothing on stdout"
if on h1 zfs get -H -o value written "$P1/src" >/dev/null 2>&1; then
	run_zrep h1 uptodate "$P1/src"
	expect_rc 0 "uptodate: nothing written since the last sent snapshot"
	log_must on h1 zfs snapshot "$P1/src@manual"
	SRCDIR=$(mounted_dir h1 "$P1/src") || abort "cannot mount $P1/src on h1"
	log_must on h1 sh -c 'dd if=/dev/urandom of="$1/f" bs=64k count=4 2>/dev/null; sync' sh "$SRCDIR"
	log_must on h1 zfs snapshot "$P1/src@manual2"
	run_zrep h1 uptodate "$P1/src"
	expect_rc 1 "uptodate: data written (and a non-zrep snapshot taken) since"
else
	skip_part "no 'written' property: uptodate's answers 0/1 not checked, only 'cannot tell'"
	run_zrep h1 uptodate "$P1/src"
	expect_rc 2 "uptodate on a zfs without 'written' (zfs-fuse): cannot tell"
	assert_eq "zrep: cannot tell: the zfs on this host has no 'written' property" "$ERR" "uptodate: says why"
	assert_eq "" "$OUT" "uptodate: nothing on stdout"
fi

# ---------------------------------------------------------------- bad input
refused 1 "status of a non-zrep fs" h1 status "$P1/plain"
refused 1 "status of a missing fs" h1 status "$P1/nope"
refused 1 "status of a name with a quote" h1 status "$P1/it's"
refused 1 "status of a name with \$" h1 status "$P1/"'$HOME'
refused 2 "status -x" h1 status -x
refused 2 "status -a FS" h1 status -a "$P1/src"
refused 2 "status -c without -m" h1 status -c 3
refused 2 "status -m -v" h1 status -m -v
refused 2 "status -m -c abc" h1 status -m -c abc
refused 2 "status -m -t -5" h1 status -m -t -5
refused 2 "status -m -c (no value)" h1 status -m -c
refused 2 "status of a snapshot" h1 status "$P1/src@zrep_000001"
refused 2 "status -- -x (leading '-')" h1 status -- -x
run_zrep h1 status "$P1/src" "$P1/plain"
expect_rc 1 "status with one bad fs among good ones"
assert_eq "$(line "$P1/src" "$D1")" "$OUT" "status: the good ones are still shown"

refused 1 "list of a missing fs" h1 list "$P1/nope"
assert_eq "zrep: expecting filesystem, but got $P1/nope" "$ERR" "list of a missing fs: message"
refused 1 "list of a snapshot" h1 list "$P1/src@zrep_000001"
refused 1 "list -v of a missing fs among good ones" h1 list -v "$P1/src" "$P1/nope"
refused 1 "list of a name with a quote" h1 list "$P1/it's"
refused 1 "list of '$P1/my fs2' (missing, with a space)" h1 list "$P1/my fs2"
refused 2 "list -x" h1 list -x
refused 2 "list -v -L" h1 list -v -L
refused 2 "list -rf" h1 list -rf
refused 2 "list of an empty name" h1 list ""

refused 2 "getlastsent without a filesystem" h1 getlastsent
refused 2 "getlastsent with two filesystems" h1 getlastsent "$P1/src" "$P1/plain"
refused 2 "getlastsent -x" h1 getlastsent -x
refused 1 "getlastsent of a missing fs" h1 getlastsent "$P1/nope"
refused 2 "uptodate without a filesystem" h1 uptodate
refused 2 "uptodate with two filesystems" h1 uptodate "$P1/src" "$P1/plain"
refused 1 "uptodate of a missing fs" h1 uptodate "$P1/nope"
refused 2 "uptodate of '-rf'" h1 uptodate -rf

test_done
