#!/usr/bin/env bash
# t0780-init-dry-run: zrep init -n [--json] SRCFS DESTHOST DESTFS prints the plan of an init —
# every property set, the snapshot, the full send with its estimated size, the receive (unmounted
# and read-only where the destination's zfs can), what is set there after it, the sent marks,
# master last — and changes nothing on either host (zfs get -Hp all before and after; the
# destination is not created; no syslog line). The real init then does what the plan said.
# Refusals as init's own (existing destination without -f); --json is one valid document.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools
PY=/usr/bin/python3

log_must on h1 zfs create "$P1/src"
d=$(mounted_dir h1 "$P1/src") || abort "no mount point"
log_must on h1 sh -c "head -c 200000 /dev/urandom > '$d/f'"
everything() { on "$1" zfs get -Hp -o name,property,value,source all; }

B1=$(everything h1) B2=$(everything h2)
run_zrep h1 init -n "$P1/src" h2 "$P2/dst"
expect_rc 0 "init -n"
PLAN=$OUT
printf '%s\n' "$PLAN" | sed 's/^/#   /'
mapfile -t L <<<"$PLAN"
assert_eq "h1: set dataset=$P1/src property=zrep:src-fs value=$P1/src" "${L[0]}" "first: the source's properties"
assert_eq "h1: set dataset=$P1/src property=zrep:savecount value=5" "${L[4]}" "savecount from ZREP_SAVE_COUNT"
assert_eq "h1: snapshot snapshot=$P1/src@zrep_000000" "${L[5]}" "the first snapshot"
REF=$(on h1 zfs get -Hp -o value referenced "$P1/src")
assert_eq "h1: send from=- to=$P1/src@zrep_000000 dest_host=h2 dest_fs=$P2/dst estimated_bytes=$REF" "${L[6]}" \
	"a full send, estimated from referenced"
assert_match "^h2: receive snapshot=$P2/dst@zrep_000000 force=no unmounted=(yes|no) readonly=(yes|no)$" "${L[7]}" "the receive on h2"
if [[ ${L[7]} == *"readonly=no" ]]; then
	assert_eq "h2: set dataset=$P2/dst property=readonly value=on" "${L[8]}" "readonly set after the receive (no receive -o)"
else
	skip_part "this zfs receives with -o readonly=on: no separate readonly step"
fi
assert_eq "h1: set dataset=$P1/src property=zrep:master value=yes" "${L[-1]}" "master last"
assert_match "h2: set dataset=$P2/dst@zrep_000000 property=zrep:sent " "$PLAN" "marked sent on h2"
assert_match "h1: set dataset=$P1/src@zrep_000000 property=zrep:sent " "$PLAN" "marked sent on h1"
[[ $B1 == "$(everything h1)" ]] && pass "h1: nothing changed" || { fail "h1 changed"; diff <(echo "$B1") <(everything h1) | head | sed 's/^/#  /'; }
[[ $B2 == "$(everything h2)" ]] && pass "h2: nothing changed (no destination created)" || fail "h2 changed"

run_zrep h1 init -n --json "$P1/src" h2 "$P2/dst"
expect_rc 0 "init -n --json"
J=$("$PY" - "$OUT" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
for s in d:
    assert isinstance(s["host"], str) and isinstance(s["action"], str), s
print(len(d), d[6]["action"], d[6]["from"], type(d[6]["estimated_bytes"]).__name__, d[7]["force"])
EOF
) || fail "the JSON plan is not valid"
assert_eq "${#L[@]} send None int False" "$J" "--json: the same number of steps; send from null, a byte estimate, force false"
[[ $B1 == "$(everything h1)" && $B2 == "$(everything h2)" ]] && pass "--json: nothing changed" || fail "--json changed something"

# the real init does what the plan said
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
while read -r line; do
	[[ $line =~ ^h1:\ set\ dataset=([^ ]+)\ property=([^ ]+)\ value=(.*)$ ]] || continue
	ds=${BASH_REMATCH[1]} prop=${BASH_REMATCH[2]} val=${BASH_REMATCH[3]}
	[[ $val == "(time of the transfer)" ]] && val='[0-9]+'
	assert_match "^$(rq "$ds")"$'\t'"$(rq "$prop")"$'\t'"$val"$'\tlocal$' \
		"$(on h1 zfs get -H -o name,property,value,source "$prop" "$ds")" "after init: h1 $ds $prop as planned"
done <<<"$PLAN"
assert_eq "$P2/dst@zrep_000000" "$(on h2 zfs list -H -t snapshot -o name -r "$P2/dst")" "after init: h2 holds the planned snapshot"

# refusals, as init's
log_must on h1 zfs create "$P1/other"
B1=$(everything h1) B2=$(everything h2)
run_zrep h1 init -n "$P1/other" h2 "$P2/dst"
expect_rc 1 "init -n onto an existing destination without -f"
assert_match "already exists; will not overwrite it without -f" "$ERR" "the reason"
assert_eq "" "$OUT" "no plan printed"
run_zrep h1 init -n -f "$P1/other" h2 "$P2/dst"
expect_rc 0 "init -n -f onto an existing destination"
assert_match "h2: receive snapshot=$P2/dst@zrep_000000 force=yes" "$OUT" "-f: the receive forces"
[[ $B1 == "$(everything h1)" && $B2 == "$(everything h2)" ]] && pass "refusal and -f plan: nothing changed" || fail "something changed"
refused 2 "init --json without -n" h1 init --json "$P1/other" h2 "$P2/x"
test_done
