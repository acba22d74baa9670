#!/usr/bin/env bash
# t0760-allow-nonroot: zrep allow --print SRCFS DESTHOST DESTFS prints the zfs allow commands for
# each host; zrep allow --check says what a user lacks (and exits 1) until they are run, then ok;
# with exactly the printed permissions an unprivileged user runs zrep init, sync (twice) and
# expire over ssh as that user, and without them the sync fails. Needs zfs delegation (`zfs
# allow`): the OpenZFS lane. zfs-fuse has no `zfs allow` at all (it fails with "internal error:
# /usr/lib/zfs/pyzfs.py not found"): there only the usage errors and --check's error are checked.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools

# bad input, any zfs
refused 2 "allow without --print/--check" h1 allow "$P1/src" h2 "$P2/dst"
refused 2 "allow --print with two arguments" h1 allow --print "$P1/src" h2
refused 2 "allow --print --check" h1 allow --print --check "$P1/src" h2 "$P2/dst"
refused 2 "allow -u without a user" h1 allow --print -u
refused 2 "allow with a hostile host" h1 allow --print "$P1/src" 'h2;x' "$P2/dst"

A=$(on h1 zfs allow "$P1" 2>&1) && HAVE_ALLOW=1 || HAVE_ALLOW=0
if (( ! HAVE_ALLOW )); then
	log_must on h1 zfs create "$P1/src"
	run_zrep h1 allow --check -u nobody "$P1/src" h2 "$P2/dst"
	expect_rc 1 "--check where zfs allow does not work"
	assert_match "^zrep: cannot read the permissions of $P1/src here: " "$ERR" "--check says it cannot read them"
	skip_test "this zfs has no working zfs allow (${A%%$'\n'*}): no delegation to test"
fi

U=zrepu
HOMEDIR=/var/tmp/zrep-t0760-home
id "$U" >/dev/null 2>&1 || log_must useradd -M -d "$HOMEDIR" -s /bin/sh "$U"
log_must usermod -p '*' "$U"        # not locked: sshd (UsePAM no) lets key logins in
mkdir -p "$HOMEDIR"
on h1 cat /etc/ssh/bed_id_ed25519 >"$HOMEDIR/id" || abort "cannot copy the bed key"
chmod 600 "$HOMEDIR/id"
chown -R "$U:" "$HOMEDIR"
# as_user HOST CMD...: runs CMD in HOST as $U (HOME, USER, and an SSH that logs in as $U)
as_user() {
	local h=$1; shift
	on "$h" setpriv --reuid="$U" --regid="$U" --init-groups env HOME="$HOMEDIR" USER="$U" LOGNAME="$U" \
		SSH="ssh -l $U -i $HOMEDIR/id" "$@"
}
as_user h1 zfs list -H -o name "$P1" >/dev/null 2>&1 || skip_test "$U cannot use zfs here (/dev/zfs not accessible to users)"
as_user h1 sh -c '$SSH h2 true' || abort "$U cannot ssh to h2"

log_must on h1 zfs create "$P1/src"
log_must on h1 sh -c "echo data > \$(zfs get -H -o value mountpoint $P1/src)/f"
# nothing granted yet: the user cannot sync, and --check says what is missing
run_zrep h1 allow --print -u "$U" "$P1/src" h2 "$P2/dst"
expect_rc 0 "allow --print"
PRINT=$OUT
echo "$PRINT" | sed 's/^/#   /'
SRC_CMD=$(grep -A1 "^# on h1 " <<<"$PRINT" | tail -n1)
DST_CMD=$(grep -A1 "^# on h2 " <<<"$PRINT" | tail -n1)
assert_match "^zfs allow -u $U [a-z:,]+ $P1/src$" "$SRC_CMD" "one command for the source host"
assert_match "^zfs allow -u $U [a-z:,]+ $P2$" "$DST_CMD" "one command for the destination host, on DESTFS's parent"
if on h2 zfs allow 2>&1 | grep -q 'receive:append'; then
	assert_match "receive:append" "$DST_CMD" "the destination gets receive:append where its zfs has it"
	[[ $DST_CMD =~ (^|[ ,])receive[, ] ]] && fail "the destination also gets full receive" || pass "not full receive"
else
	skip_part "this zfs has no receive:append: the destination gets receive"
	assert_match "[ ,]receive[, ]" "$DST_CMD" "receive where receive:append is missing"
fi
RC=0
as_user h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null 2>&1 || RC=$?
[[ $RC != 0 ]] && pass "without the permissions, init as $U fails" || fail "init as $U succeeded without permissions"
on h1 zrep clear -f "$P1/src" >/dev/null 2>&1
on h1 sh -c "zfs list -H -t snapshot -o name -r $P1/src | xargs -r -n1 zfs destroy" 2>/dev/null
on h2 zfs destroy -r "$P2/dst" 2>/dev/null
run_zrep h1 allow --check -u "$U" "$P1/src" h2 "$P2/dst"
expect_rc 1 "--check before the grants"
assert_match "h1 $P1/src \(source\): $U lacks " "$OUT" "--check: the source's missing permissions"
assert_match "h2 $P2 \(destination\): $U lacks " "$OUT" "--check: the destination's missing permissions"

# grant exactly what --print said, then the user replicates
log_must on h1 sh -c "$SRC_CMD"
log_must on h2 sh -c "$DST_CMD"
run_zrep h1 allow --check -u "$U" "$P1/src" h2 "$P2/dst"
expect_rc 0 "--check after the grants"
assert_match "h1 $P1/src \(source\): ok for $U" "$OUT" "--check: source ok"
RC=0
ERR=$(as_user h1 zrep init "$P1/src" h2 "$P2/dst" 2>&1 >/dev/null) || RC=$?
assert_eq 0 "$RC" "zrep init as $U with only the printed permissions"
[[ $RC == 0 ]] || sed 's/^/#   | /' <<<"$ERR"
for i in 1 2; do
	log_must on h1 sh -c "echo more$i >> \$(zfs get -H -o value mountpoint $P1/src)/f"
	RC=0
	ERR=$(as_user h1 zrep sync "$P1/src" 2>&1 >/dev/null) || RC=$?
	assert_eq 0 "$RC" "zrep sync $i as $U"
	[[ $RC == 0 ]] || sed 's/^/#   | /' <<<"$ERR"
done
last=$(on h1 zrep getlastsent "$P1/src")
assert_eq "$(on h1 zfs get -Hp -o value guid "$last")" "$(on h2 zfs get -Hp -o value guid "$P2/dst@${last#*@}")" \
	"the destination holds the last sent snapshot (same guid)"
run_zrep h1 allow --check -u "$U" "$P1/src"
expect_rc 0 "--check FS (a master: its destination from its properties)"
RC=0
as_user h1 zrep expire "$P1/src" >/dev/null 2>&1 || RC=$?
assert_eq 0 "$RC" "zrep expire as $U (here and on h2)"

# take one permission away: the sync fails and --check names it
log_must on h1 zfs unallow -u "$U" snapshot "$P1/src"
RC=0
as_user h1 zrep sync "$P1/src" >/dev/null 2>&1 || RC=$?
[[ $RC != 0 ]] && pass "without snapshot permission the sync fails" || fail "sync succeeded without snapshot permission"
run_zrep h1 allow --check -u "$U" "$P1/src" h2 "$P2/dst"
expect_rc 1 "--check after unallow"
assert_match "lacks snapshot;" "$OUT" "--check names the missing permission"
on h1 zfs unallow -u "$U" "$P1/src" 2>/dev/null
on h2 zfs unallow -u "$U" "$P2" 2>/dev/null
test_done
