#!/usr/bin/env bash
# t0750-expire-dry-run: zrep expire -n [--json] prints the plan (each destroy, on which host) and
# changes nothing on either host: every dataset, snapshot and property (zfs get -Hp all) is the
# same before and after, no lock is taken. The plan is exactly what the real expire then does,
# on both hosts; -L plans this host only; the destination plans its own; split brain is refused
# as the real run refuses it; --json is one valid document (an array of steps with host, action
# and operands); bad options.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools
PY=/usr/bin/python3

log_must on h1 zfs create "$P1/src"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
for i in 1 2 3 4 5 6 7; do log_must on h1 env ZREP_SKIP_EXPIRE=1 zrep sync "$P1/src" >/dev/null; done
log_must on h1 zfs set zrep:savecount=3 "$P1/src"
log_must on h2 zfs set zrep:savecount=2 "$P2/dst"
log_must on h1 zfs snapshot "$P1/src@zrep_000008"   # newer than the last sent: always kept
everything() { on "$1" zfs get -Hp -o name,property,value,source all; }
snaps() { on "$1" zfs list -H -t snapshot -o name -s name -r "$2"; }

B1=$(everything h1) B2=$(everything h2)
run_zrep h1 expire -n "$P1/src"
expect_rc 0 "expire -n on the master"
PLAN=$OUT
want=$(printf 'h2: destroy %s\n' "$P2/dst@zrep_000000" "$P2/dst@zrep_000001" "$P2/dst@zrep_000002" \
	"$P2/dst@zrep_000003" "$P2/dst@zrep_000004" "$P2/dst@zrep_000005"
	printf 'h1: destroy %s\n' "$P1/src@zrep_000000" "$P1/src@zrep_000001" "$P1/src@zrep_000002" \
	"$P1/src@zrep_000003" "$P1/src@zrep_000004")
assert_eq "$want" "$PLAN" "the plan: the destination's (savecount 2) first, then this host's (savecount 3, last sent and newer kept)"
[[ $B1 == "$(everything h1)" ]] && pass "h1: every dataset, snapshot and property unchanged" || { fail "h1 changed"; diff <(echo "$B1") <(everything h1) | head | sed 's/^/#  /'; }
[[ $B2 == "$(everything h2)" ]] && pass "h2: unchanged" || { fail "h2 changed"; diff <(echo "$B2") <(everything h2) | head | sed 's/^/#  /'; }

run_zrep h1 expire -n --json "$P1/src"
expect_rc 0 "expire -n --json"
J=$("$PY" - "$OUT" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
assert isinstance(d, list)
for s in d:
    assert sorted(s) == ["action", "fs", "host", "recursive", "snapshot"], sorted(s)
    assert s["action"] == "destroy" and s["recursive"] is False
    assert s["snapshot"].startswith(s["fs"] + "@")
print("\n".join("%s: destroy %s" % (s["host"], s["snapshot"]) for s in d))
EOF
) || fail "the JSON plan is not valid"
assert_eq "$PLAN" "$J" "--json: the same steps, valid JSON with host, action, fs, snapshot, recursive"
[[ $B1 == "$(everything h1)" && $B2 == "$(everything h2)" ]] && pass "--json: nothing changed" || fail "--json changed something"

run_zrep h1 expire -n -L "$P1/src"
assert_eq "$(grep '^h1: ' <<<"$PLAN")" "$OUT" "-n -L: this host's steps only"
run_zrep h2 expire -n "$P2/dst"
assert_eq "$(grep '^h2: ' <<<"$PLAN")" "$OUT" "-n on the destination: its own plan"

# the real expire does exactly the plan
S1=$(snaps h1 "$P1/src") S2=$(snaps h2 "$P2/dst")
log_must on h1 zrep expire "$P1/src" >/dev/null
gone() { comm -23 <(echo "$1") <(snaps "$2" "$3"); }
assert_eq "$(grep '^h1: ' <<<"$PLAN" | sed 's/^h1: destroy //')" "$(gone "$S1" h1 "$P1/src")" "h1: the real expire destroyed exactly the planned snapshots"
assert_eq "$(grep '^h2: ' <<<"$PLAN" | sed 's/^h2: destroy //')" "$(gone "$S2" h2 "$P2/dst")" "h2: the real expire destroyed exactly the planned snapshots"
run_zrep h1 expire -n --json "$P1/src"
assert_eq "[]" "$OUT" "nothing left to expire: an empty array"
run_zrep h1 expire -n "$P1/src"
assert_eq "" "$OUT" "nothing left to expire: no step"

# refusals as the real run: split brain; not a zrep filesystem; bad options
log_must on h2 zfs set zrep:master=yes "$P2/dst"
refused 1 "expire -n with split brain" h1 expire -n "$P1/src"
assert_match "split brain: h2:$P2/dst is also master" "$ERR" "split brain: the reason"
log_must on h2 zfs inherit zrep:master "$P2/dst"
log_must on h1 zfs create "$P1/plain"
refused 1 "expire -n of a plain dataset" h1 expire -n "$P1/plain"
refused 2 "expire --json without -n" h1 expire --json "$P1/src"
refused 2 "expire -x" h1 expire -n -x "$P1/src"
test_done
