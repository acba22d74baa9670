#!/usr/bin/env bash
# t0700-status-json: zrep status --json over real ssh: a valid JSON document (checked by Python's
# json module), exactly the issue's keys with their types, every state (ok, behind, never,
# locked, failing, split-brain) with its reason, last_error recorded in TAG:last-error by a failed
# sync and cleared by the next success, at most one ssh per partner host (none with --local),
# nothing changed on either host, hostile names escaped, and bad options.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools
PY=/usr/bin/python3
# destroy_retry HOST DS: zfs-fuse may call a dataset busy right after it was used
destroy_retry() {
	local i
	for (( i = 0; i < 10; i++ )); do on "$1" zfs destroy -r "$2" 2>/dev/null && return 0; sleep 0.5; done
	abort "cannot destroy $2 on $1"
}

log_must on h1 zfs create "$P1/src"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
log_must on h1 zrep sync "$P1/src" >/dev/null

# jq-like field access: jget JSON FS KEY (prints the value as JSON)
jget() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps([o for o in d if o["fs"]==sys.argv[2]][0][sys.argv[3]]))' "$@"; }
# jcheck JSON: valid, an array of objects with exactly the keys and types of the issue
jcheck() {
	"$PY" - "$1" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
assert isinstance(d, list), "not an array"
keys = ["fs", "tag", "role", "partner_host", "partner_fs", "last_sent", "last_sent_guid", "last_sent_time",
        "lag_seconds", "unsent_snapshots", "unsent_bytes", "locked_by", "last_error", "state", "reason"]
S = (str,); N = (type(None),); I = (int,)
types = {"fs": S, "tag": S, "role": S, "partner_host": S + N, "partner_fs": S + N, "last_sent": S + N,
         "last_sent_guid": S + N, "last_sent_time": I + N, "lag_seconds": I + N, "unsent_snapshots": I,
         "unsent_bytes": I + N, "locked_by": S + N, "last_error": (dict,) + N, "state": S, "reason": S}
for o in d:
    assert sorted(o) == sorted(keys), "keys: %r" % sorted(o)
    for k, t in types.items():
        assert isinstance(o[k], t) and not isinstance(o[k], bool), "%s: %r" % (k, o[k])
    assert o["role"] in ("master", "destination"), o["role"]
    assert o["state"] in ("ok", "behind", "failing", "locked", "never", "split-brain"), o["state"]
    assert o["reason"] and "\n" not in o["reason"], o["reason"]
    if o["last_error"] is not None:
        assert sorted(o["last_error"]) == ["message", "time"], o["last_error"]
        assert isinstance(o["last_error"]["time"], int) and isinstance(o["last_error"]["message"], str)
    if o["locked_by"] is not None:
        assert ":" in o["locked_by"], o["locked_by"]
    if o["last_sent_guid"] is not None:
        assert o["last_sent_guid"].isdigit(), o["last_sent_guid"]
print(len(d))
EOF
}

# ---------------------------------------------------------------- ok, on both sides
B1=$(state h1) B2=$(state h2)
run_zrep h1 status --json
expect_rc 0 "status --json"
assert_eq "1" "$(jcheck "$OUT")" "status --json: valid JSON, the issue's keys and types, one object"
assert_eq '"master"' "$(jget "$OUT" "$P1/src" role)" "role master"
assert_eq '"h2"' "$(jget "$OUT" "$P1/src" partner_host)" "partner_host"
assert_eq "\"$P2/dst\"" "$(jget "$OUT" "$P1/src" partner_fs)" "partner_fs"
assert_eq "\"$P1/src@zrep_000001\"" "$(jget "$OUT" "$P1/src" last_sent)" "last_sent: the full snapshot name"
assert_eq "\"$(on h1 zfs get -Hp -o value guid "$P1/src@zrep_000001")\"" "$(jget "$OUT" "$P1/src" last_sent_guid)" \
	"last_sent_guid: a string"
assert_eq "$(on h1 zfs get -H -o value -s local zrep:sent "$P1/src@zrep_000001")" "$(jget "$OUT" "$P1/src" last_sent_time)" \
	"last_sent_time: TAG:sent"
assert_match '^[0-9]$' "$(jget "$OUT" "$P1/src" lag_seconds)" "lag_seconds: a few seconds"
assert_eq '0' "$(jget "$OUT" "$P1/src" unsent_snapshots)" "unsent_snapshots 0"
assert_eq '0' "$(jget "$OUT" "$P1/src" unsent_bytes)" "unsent_bytes 0 with nothing unsent"
assert_eq '"ok"' "$(jget "$OUT" "$P1/src" state)" "state ok"
assert_eq 'null' "$(jget "$OUT" "$P1/src" last_error)" "last_error null"
assert_eq "" "$ERR" "nothing on stderr"
run_zrep h2 status --json
assert_eq "1" "$(jcheck "$OUT")" "on the destination: valid, one object"
assert_eq '"destination"' "$(jget "$OUT" "$P2/dst" role)" "destination: role"
assert_eq "\"$P1/src\"" "$(jget "$OUT" "$P2/dst" partner_fs)" "destination: partner_fs is the source"
assert_eq '"h1"' "$(jget "$OUT" "$P2/dst" partner_host)" "destination: partner_host"
assert_eq '"ok"' "$(jget "$OUT" "$P2/dst" state)" "destination: ok"
[[ $B1 == "$(state h1)" && $B2 == "$(state h2)" ]] && pass "status --json changed nothing on either host" \
	|| fail "status --json changed something"

# ---------------------------------------------------------------- connections
log_must make_master "$P1/b" "$P2/b"
ERR=$(on h1 zrep -D status --json 2>&1 >/dev/null)
assert_match 'spawned [0-9]+ processes, 1 remote connections' "$ERR" "two filesystems with one partner host: one ssh"
ERR=$(on h1 zrep -D status --json --local 2>&1 >/dev/null)
assert_match 'spawned [0-9]+ processes, 0 remote connections' "$ERR" "--local: no ssh"

# ---------------------------------------------------------------- never, unsent, failing (partner missing)
run_zrep h1 status --json --local "$P1/b"
assert_eq '"never"' "$(jget "$OUT" "$P1/b" state)" "never synced: state never (--local)"
assert_eq 'null' "$(jget "$OUT" "$P1/b" last_sent)" "never: last_sent null"
assert_eq 'null' "$(jget "$OUT" "$P1/b" lag_seconds)" "never: lag_seconds null"
run_zrep h1 status --json "$P1/b"
assert_eq '"failing"' "$(jget "$OUT" "$P1/b" state)" "partner dataset missing: failing"
assert_match "h2:$P2/b does not exist" "$(jget "$OUT" "$P1/b" reason)" "partner dataset missing: the reason says so"
destroy_retry h1 "$P1/b"

log_must on h1 zfs snapshot "$P1/src@zrep_000002"
log_must on h1 zfs snapshot "$P1/src@zrep_000003"
run_zrep h1 status --json
assert_eq '2' "$(jget "$OUT" "$P1/src" unsent_snapshots)" "unsent_snapshots counts newer zrep snapshots"
if on h1 zfs get -H -o value written "$P1/src" >/dev/null 2>&1; then
	assert_match '^[0-9]+$' "$(jget "$OUT" "$P1/src" unsent_bytes)" "unsent_bytes: an estimate (written@)"
else
	skip_part "this zfs has no written property: unsent_bytes is null with unsent snapshots"
	assert_eq 'null' "$(jget "$OUT" "$P1/src" unsent_bytes)" "unsent_bytes null where the zfs cannot tell"
fi
log_must on h1 zfs destroy "$P1/src@zrep_000003"
log_must on h1 zfs destroy "$P1/src@zrep_000002"

# ---------------------------------------------------------------- behind
NOW=$(on h1 date +%s)
OLD=$(on h1 zfs get -H -o value -s local zrep:sent "$P1/src@zrep_000001")
log_must zset h1 "$P1/src@zrep_000001" "sent=$(( NOW - 7200 ))"
run_zrep h1 status --json
assert_eq '"behind"' "$(jget "$OUT" "$P1/src" state)" "synced 2 h ago: behind (default limit 1 h)"
assert_match '^(7[2-9][0-9][0-9])$' "$(jget "$OUT" "$P1/src" lag_seconds)" "lag_seconds about 7200"
run_zrep h1 status --json -w 10000
assert_eq '"ok"' "$(jget "$OUT" "$P1/src" state)" "-w 10000: ok"
log_must zset h1 "$P1/src@zrep_000001" "sent=$OLD"

# ---------------------------------------------------------------- locked
pid=$(live_pid h1)
log_must zset h1 "$P1/src" "lock-pid=$pid"
run_zrep h1 status --json
assert_eq '"locked"' "$(jget "$OUT" "$P1/src" state)" "a live lock: locked"
assert_eq "\"h1:$pid\"" "$(jget "$OUT" "$P1/src" locked_by)" "locked_by host:pid"
kill_pid "$pid"
run_zrep h1 status --json
assert_eq 'null' "$(jget "$OUT" "$P1/src" locked_by)" "a dead holder: locked_by null"
assert_eq '"ok"' "$(jget "$OUT" "$P1/src" state)" "a stale lock: ok"
log_must on h1 zfs inherit zrep:lock-pid "$P1/src"

# ---------------------------------------------------------------- failing: last_error, cleared by a success
RC=0
ERR=$(on h1 env SSH=/bin/false zrep sync "$P1/src" 2>&1 >/dev/null) || RC=$?
expect_rc 1 "sync with a broken SSH fails"
LE=$(on h1 zfs get -H -o value -s local zrep:last-error "$P1/src")
assert_match '^[0-9]+ cannot sync ' "$LE" "the failure is recorded in zrep:last-error (UNIXTIME MESSAGE)"
run_zrep h1 status --json
assert_eq '"failing"' "$(jget "$OUT" "$P1/src" state)" "after a failed sync: failing"
"$PY" -c 'import json,sys; e=[o for o in json.loads(sys.argv[1])][0]["last_error"]; assert e["message"] == sys.argv[2].split(" ",1)[1] and e["time"] == int(sys.argv[2].split()[0])' \
	"$OUT" "$LE" && pass "last_error: time and message from zrep:last-error" || fail "last_error does not match $LE"
assert_match 'the last attempt failed' "$(jget "$OUT" "$P1/src" reason)" "failing: the reason quotes the failure"
run_zrep h2 status --json
assert_eq '"failing"' "$(jget "$OUT" "$P2/dst" state)" "the partner reads it too: failing on the destination"
log_must on h1 zrep sync "$P1/src" >/dev/null
assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:last-error "$P1/src")" "the next success removes zrep:last-error"
run_zrep h1 status --json
assert_eq 'null' "$(jget "$OUT" "$P1/src" last_error)" "after a success: last_error null"
assert_eq '"ok"' "$(jget "$OUT" "$P1/src" state)" "after a success: ok"

# ---------------------------------------------------------------- failing: unreachable; split-brain
log_must on h1 zfs set zrep:dest-host=h9 "$P1/src"
run_zrep h1 status --json
assert_eq '"failing"' "$(jget "$OUT" "$P1/src" state)" "partner host unreachable: failing"
assert_match '^"cannot reach h9 ' "$(jget "$OUT" "$P1/src" reason)" "unreachable: the reason names the host"
run_zrep h1 status --json --local
assert_eq '"ok"' "$(jget "$OUT" "$P1/src" state)" "--local does not ask the partner"
assert_eq '"h9"' "$(jget "$OUT" "$P1/src" partner_host)" "--local: partner_host as recorded here"
log_must on h1 zfs set zrep:dest-host=h2 "$P1/src"

log_must on h2 zfs set zrep:master=yes "$P2/dst"
run_zrep h1 status --json
assert_eq '"split-brain"' "$(jget "$OUT" "$P1/src" state)" "both master: split-brain"
assert_match "split brain: $P1/src and h2:$P2/dst are both master" "$(jget "$OUT" "$P1/src" reason)" "split-brain: reason"
log_must on h2 zfs inherit zrep:master "$P2/dst"

# destination modified: needs zfs's written property
if on h2 zfs get -H -o value written "$P2/dst" >/dev/null 2>&1; then
	log_must on h2 zfs set readonly=off "$P2/dst"
	d=$(mounted_dir h2 "$P2/dst") || abort "no mount point"
	log_must on h2 sh -c "echo x > '$d/intruder'; sync"
	sleep 1
	run_zrep h1 status --json
	assert_eq '"failing"' "$(jget "$OUT" "$P1/src" state)" "destination modified: failing"
	assert_match "destination h2:$P2/dst was modified since zrep_0000" "$(jget "$OUT" "$P1/src" reason)" "modified: reason"
	log_must on h2 zfs rollback "$P2/dst@$(on h2 zfs list -H -t snapshot -o name -s creation -r "$P2/dst" | tail -n1 | sed 's/.*@//')"
	log_must on h2 zfs set readonly=on "$P2/dst"
else
	skip_part "this zfs has no written property: status cannot see a modified destination before a sync fails"
fi

# ---------------------------------------------------------------- escaping
NAME="$P1/a \"q\" :x"
if on h1 zfs create "$NAME" 2>/dev/null; then
	log_must zset h1 "$NAME" "dest-fs=$P2/n" dest-host=h2 "src-fs=$NAME" src-host=h1 master=yes
	run_zrep h1 status --json --local
	assert_eq "2" "$(jcheck "$OUT")" "a name with quotes and spaces: still valid JSON"
	assert_eq '"never"' "$(jget "$OUT" "$NAME" state)" "the hostile name round-trips through JSON"
	destroy_retry h1 "$NAME"
else
	NAME="$P1/a b:x"
	log_must on h1 zfs create "$NAME"
	log_must zset h1 "$NAME" "dest-fs=$P2/n" dest-host=h2 "src-fs=$NAME" src-host=h1 master=yes
	run_zrep h1 status --json --local
	assert_eq "2" "$(jcheck "$OUT")" "a name with a space and a colon: still valid JSON"
	assert_eq '"never"' "$(jget "$OUT" "$NAME" state)" "the name round-trips through JSON"
	destroy_retry h1 "$NAME"
fi

# ---------------------------------------------------------------- FS arguments and bad input
run_zrep h1 status --json "$P1/src" "$P1/nosuch"
expect_rc 1 "a missing filesystem among the arguments"
assert_eq "1" "$(jcheck "$OUT")" "... still one valid document with the others"
assert_match "^zrep: no such dataset: $P1/nosuch" "$ERR" "... and the missing one named on stderr"
refused 3 "--json --nagios (a plugin's usage error is UNKNOWN)" h1 status --json --nagios
refused 2 "--json -m" h1 status --json -m
refused 2 "--json -v" h1 status --json -v
refused 2 "-w without a format" h1 status -w 10
refused 2 "-w not a number" h1 status --json -w 1h
refused 2 "--json -c (seconds only with --nagios)" h1 status --json -c 10
refused 2 "--prometheus without a file" h1 status --prometheus
refused 2 "--json with a '-' dataset" h1 status --json -- -x
test_done
