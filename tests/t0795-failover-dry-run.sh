#!/usr/bin/env bash
# t0795-failover-dry-run: failover -n and takeover -n (with --json: one JSON array) print the plan
# of the role swap, in the order the real one takes it, and change nothing on either host (every
# dataset, snapshot and property, zfs get -Hp all, the same before and after); the real failover
# then does what the plan said. -L and FS@SNAP plan their rollbacks; bad input is refused.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/helpers/zrep-fixtures.sh"
need_hosts 2
S=$P1/src D=$P2/dst

all_state() { on "$1" zfs get -Hp -o name,property,value,source -r all "$2" 2>/dev/null | grep -v -e '	\(used\|referenced\|available\|written\|logicalused\|logicalreferenced\|usedbydataset\|usedbysnapshots\|compressratio\|refcompressratio\)	'; }
unchanged() {  # MSG CMD...: runs CMD on h1 or h2 (first word), compares both hosts before and after
	local msg=$1; shift
	local a1 a2
	a1=$(all_state h1 "$S") a2=$(all_state h2 "$D")
	OUT=$(on "$@" 2>"$TMPF") && RC=0 || RC=$?
	ERR=$(cat "$TMPF")
	[[ $a1 == "$(all_state h1 "$S")" && $a2 == "$(all_state h2 "$D")" ]] && pass "$msg: nothing changed on either host" \
		|| fail "$msg: something changed"
}
TMPF=$(mktemp); trap 'rm -f "$TMPF"' EXIT

log_must on h1 zfs create "$S"
log_must on h1 bash -c "echo a > /$S/f"
log_must on h1 zrep init "$S" h2 "$D" >/dev/null
log_must on h1 zrep sync "$S" >/dev/null

unchanged "failover -n" h1 zrep failover -n "$S"
assert_eq 0 "$RC" "failover -n exits 0"
assert_match "^h1: set dataset=$S property=readonly value=on" "$OUT" "the plan starts with the freeze"
assert_match "h1: snapshot snapshot=$S@zrep_000002" "$OUT" "then the final snapshot"
assert_match "h1: send from=$S@zrep_000001 to=$S@zrep_000002 dest_host=h2 dest_fs=$D" "$OUT" "and its send"
assert_match "h2: takeover fs=$D" "$OUT" "then the partner's takeover"
assert_match "h1: inherit dataset=$S property=zrep:master" "$OUT" "and the demotion, zrep:master last"
[[ $(tail -1 <<<"$OUT") == *"property=zrep:master"* ]] && pass "zrep:master is the last step" || fail "zrep:master is not last: $OUT"

unchanged "failover -n --json" h1 zrep failover -n --json "$S"
assert_eq 0 "$RC" "failover -n --json exits 0"
n=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert all("host" in s and "action" in s for s in d); print(len(d))' 2>&1)
assert_match '^[0-9]+$' "$n" "the JSON plan is an array of steps with host and action ($n)"

unchanged "failover -L -n" h1 zrep failover -L -n "$S"
assert_match "h1: rollback snapshot=$S@zrep_000001" "$OUT" "-L plans the rollback to the last sent snapshot"
[[ $OUT != *"h2:"* ]] && pass "-L plans nothing on the partner" || fail "-L planned on h2: $OUT"

unchanged "failover FS@SNAP -n" h1 zrep failover -n "$S@zrep_000000"
assert_match "h1: rollback snapshot=$S@zrep_000000 destroys=zrep_000001" "$OUT" "FS@SNAP: this host's rollback and what it destroys"
assert_match "h2: rollback snapshot=$D@zrep_000000 destroys=zrep_000001" "$OUT" "and the partner's"

unchanged "takeover -n" h2 zrep takeover -n "$D"
assert_eq 0 "$RC" "takeover -n exits 0"
assert_match "h1: set dataset=$S property=readonly value=on" "$OUT" "takeover -n prints the master's failover plan"

unchanged "takeover -L -n" h2 zrep takeover -L -n "$D"
assert_match "h2: set dataset=$D property=zrep:master value=yes" "$OUT" "takeover -L -n: the promotion here"
[[ $OUT != *"h1:"* ]] && pass "takeover -L -n plans nothing on the other host" || fail "planned on h1: $OUT"

refused 2 "failover --json without -n" h1 failover --json "$S"
refused 2 "takeover --json without -n" h2 takeover --json "$D"

# the real failover does what the plan said: the final snapshot it named, and the roles
log_must on h1 zrep failover "$S" >/dev/null
assert_eq yes "$(on h2 zfs get -H -o value -s local zrep:master "$D")" "after the real failover h2 is master"
assert_match "zrep_000002" "$(on h2 zfs list -H -t snapshot -o name -r "$D")" "with the snapshot the plan named"
test_done
