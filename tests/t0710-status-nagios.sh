#!/usr/bin/env bash
# t0710-status-nagios: zrep status --nagios [-w S] [-c S] as a Nagios/Icinga plugin on the bed:
# one line "ZREP OK|WARNING|CRITICAL|UNKNOWN - ..." with perfdata lag_max=...s;W;C and exit
# 0/1/2/3 in each state (fresh, lag over -w, lag over -c, failing, split-brain, unreadable,
# nothing to check, bad options), decided by the worst filesystem; nothing changed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools

PERF=' \| lag_max=([0-9]+s|U);[0-9]+;[0-9]+;0$'
log_must on h1 zfs create "$P1/src"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
log_must on h1 zrep sync "$P1/src" >/dev/null
log_must on h1 zfs create "$P1/two"
log_must on h1 zrep init "$P1/two" h2 "$P2/two" >/dev/null

# nagios_is CODE WORD MSG ARGS...: exit CODE, one line starting "ZREP WORD - ", with perfdata
nagios_is() {
	local code=$1 word=$2 msg=$3; shift 3
	run_zrep h1 status --nagios "$@"
	expect_rc "$code" "$msg"
	assert_match "^ZREP $word - [^"$'\n'"]*$PERF" "$OUT" "$msg: one plugin line"
}

B1=$(state h1) B2=$(state h2)
nagios_is 0 OK "fresh syncs: OK"
assert_match "^ZREP OK - 2 filesystems, max lag [0-9]+s \($P1/(src|two)\) \| lag_max=[0-9]+s;3600;86400;0$" "$OUT" \
	"OK: the filesystem count, the max lag, the default thresholds 3600/86400"
[[ $B1 == "$(state h1)" && $B2 == "$(state h2)" ]] && pass "--nagios changed nothing" || fail "--nagios changed something"

NOW=$(on h1 date +%s)
log_must zset h1 "$P1/src@zrep_000001" "sent=$(( NOW - 500 ))"
nagios_is 0 OK "lag 500 s, -w 600: OK" -w 600 -c 1000
nagios_is 1 WARNING "lag 500 s over -w 100: WARNING" -w 100 -c 1000
assert_match "^ZREP WARNING - 2 filesystems, 1 warning: $P1/src behind .* \| lag_max=5[0-9][0-9]s;100;1000;0$" "$OUT" \
	"WARNING: names the filesystem; perfdata carries -w and -c"
nagios_is 2 CRITICAL "lag 500 s over -c 200: CRITICAL" -w 100 -c 200
assert_match "lag_max=5[0-9][0-9]s;100;200;0$" "$OUT" "CRITICAL: perfdata"
nagios_is 0 OK "only the other filesystem named: OK" -w 100 -c 200 "$P1/two"
log_must zset h1 "$P1/src@zrep_000001" "sent=$(( NOW - 90000 ))"
nagios_is 2 CRITICAL "lag over a day with the default -c: CRITICAL"
log_must zset h1 "$P1/src@zrep_000001" "sent=$NOW"

# failing: a recorded failure makes it CRITICAL whatever the lag
RC=0
on h1 env SSH=/bin/false zrep sync "$P1/two" >/dev/null 2>&1 || RC=$?
assert_eq 1 "$RC" "a sync with a broken SSH fails"
nagios_is 2 CRITICAL "a failed sync: CRITICAL"
assert_match "$P1/two failing \(the last attempt failed " "$OUT" "CRITICAL: the failing filesystem and its reason"
log_must on h1 zrep sync "$P1/two" >/dev/null
nagios_is 0 OK "the next sync succeeds: OK again"

log_must on h2 zfs set zrep:master=yes "$P2/dst"
nagios_is 2 CRITICAL "split brain: CRITICAL"
assert_match "$P1/src split-brain" "$OUT" "split brain named"
log_must on h2 zfs inherit zrep:master "$P2/dst"

# UNKNOWN: a filesystem that cannot be read, nothing to check, bad options
nagios_is 3 UNKNOWN "a named filesystem that does not exist: UNKNOWN" "$P1/src" "$P1/nosuch"
assert_match "^zrep: no such dataset: $P1/nosuch$" "$ERR" "UNKNOWN: stderr names it"
run_zrep h1 -t other status --nagios
expect_rc 3 "no zrep filesystems for the tag: UNKNOWN"
assert_eq "ZREP UNKNOWN - no zrep filesystems | lag_max=U;3600;86400;0" "$OUT" "UNKNOWN: nothing to check"
run_zrep h1 status --nagios -w 100 -c 50
expect_rc 3 "-w over -c: a usage error, UNKNOWN for a plugin"
assert_eq "" "$OUT" "usage error: nothing on stdout"
assert_match '^zrep: ' "$ERR" "usage error: says why"
run_zrep h1 status --nagios -c soon
expect_rc 3 "--nagios -c not a number: UNKNOWN"
run_zrep h1 status -c 10 --nagios -w x
expect_rc 3 "--nagios after -c, -w not a number: UNKNOWN"
run_zrep h1 status --nagios -t 10
expect_rc 3 "--nagios -t: UNKNOWN"
test_done
