#!/usr/bin/env bash
# t0730-syslog: each sync, init, expire, failover, takeover and refresh logs its outcome per
# filesystem to syslog: ident zrep, facility daemon, one line, failures with their reason
# (priority err), nothing of it on stdout; ZREP_SYSLOG=no turns it off.
#
# Capture: the bed hosts share the machine's /dev, which has no /dev/log. For the test, each
# host's mount namespace gets a private copy of /dev (a tmpfs holding copies of the device
# nodes, /dev/pts and /dev/shm bound in) with a Python datagram listener on its /dev/log that
# appends each message as one line to a file; the copy is unmounted at the end. Everything that
# runs in the host (zrep, and zrep started there over ssh) logs to it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools

LISTENER='
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
open(out + ".ready", "w").close()
with open(out, "ab", buffering=0) as f:
    while True:
        d = s.recv(65536)
        f.write(d.replace(b"\n", b"\\n") + b"\n")
'
# shellcheck disable=SC2016
SETUP='
set -e
d=/run/zrep-t0730
mkdir -p $d/dev
mount -t tmpfs -o mode=755 zrep-t0730-dev $d/dev
cp -a /dev/. $d/dev/ 2>/dev/null || true
for m in pts shm; do mkdir -p $d/dev/$m; mount --bind /dev/$m $d/dev/$m; done
rm -f $d/dev/log $d/lines $d/lines.ready
setsid /usr/bin/python3 -c "$1" $d/dev/log $d/lines </dev/null >/dev/null 2>$d/listener.err &
echo $! > $d/listener.pid
for i in $(seq 50); do [ -e $d/lines.ready ] && break; sleep 0.1; done
[ -e $d/lines.ready ]
mount --rbind $d/dev /dev
'
# shellcheck disable=SC2016
TEARDOWN='
d=/run/zrep-t0730
umount -l /dev 2>/dev/null
[ -f $d/listener.pid ] && kill "$(cat $d/listener.pid)" 2>/dev/null
umount -l $d/dev 2>/dev/null
rm -rf $d
'
syslog_start() { on "$1" sh -c "$SETUP" setup "$LISTENER"; }
syslog_stop() { on "$1" sh -c "$TEARDOWN" 2>/dev/null; }
trap 'syslog_stop h1; syslog_stop h2' EXIT
lines() { on "$1" cat /run/zrep-t0730/lines; }
# settle: the datagrams of a finished command are in the file (the listener is asynchronous)
settle() { sleep 0.3; }

log_must syslog_start h1
log_must syslog_start h2
log_must on h1 logger -t zrep-t0730 probe
settle
assert_match 'zrep-t0730: probe' "$(lines h1)" "the capture works (logger's line arrives)"

# msgs HOST: zrep's lines since the last call, as "PRI MESSAGE" (the header's date and pid dropped)
SEENDIR=$(mktemp -d)
msgs() {
	local all n seen=0
	settle
	[[ -f $SEENDIR/$1 ]] && seen=$(cat "$SEENDIR/$1")
	all=$(lines "$1" | grep ' zrep\[[0-9]*\]: ')
	n=$(grep -c . <<<"$all")
	tail -n +$(( seen + 1 )) <<<"$all" | sed -E 's/^<([0-9]+)>.* zrep\[[0-9]+\]: /\1 /'
	echo "$n" >"$SEENDIR/$1"
}

log_must on h1 zfs create "$P1/src"
OUT=$(on h1 zrep init "$P1/src" h2 "$P2/dst") || fail "init"
assert_eq "30 init $P1/src: ok" "$(msgs h1)" "init: one line, facility daemon (3), priority info (6)"
assert_eq "" "$(grep -i syslog <<<"$OUT")" "nothing about syslog on stdout"
msgs h2 >/dev/null

OUT=$(on h1 zrep sync "$P1/src") || fail "sync"
assert_eq "30 sync $P1/src: ok ($P1/src@zrep_000001)" "$(msgs h1)" "sync: ok with the snapshot sent"
# a sync runs no zrep on h2 (sh and zfs alone there): nothing is logged on h2; an explicit
# `zrep expire` on the master runs `zrep expire DESTFS` there, which logs there
assert_eq "" "$(msgs h2)" "a sync runs no zrep on h2"
log_must on h1 zrep expire "$P1/src" >/dev/null
msgs h1 >/dev/null
assert_eq "30 expire $P2/dst: ok" "$(msgs h2)" "the remote expire zrep runs on h2 logs there"
OUT2=$(on h1 env ZREP_SYSLOG=no zrep sync "$P1/src") || fail "sync"
assert_eq "" "$(msgs h1)" "ZREP_SYSLOG=no: no line"
assert_eq "$(sed 's/000001/000002/' <<<"$OUT")" "$OUT2" "stdout is the same with and without syslog"
msgs h2 >/dev/null

RC=0
on h1 env SSH=/bin/false zrep sync "$P1/src" >/dev/null 2>&1 || RC=$?
assert_eq 1 "$RC" "a sync with a broken SSH fails"
assert_match "^27 sync $P1/src: failed: cannot sync $P1/src: h2 is not reachable" "$(msgs h1)" \
	"a failed sync: priority err (3) and the reason, one line"
log_must on h1 zrep sync "$P1/src" >/dev/null
msgs h1 >/dev/null
msgs h2 >/dev/null

log_must on h1 zrep expire "$P1/src" >/dev/null
assert_eq "30 expire $P1/src: ok" "$(msgs h1)" "expire: ok"
msgs h2 >/dev/null
RC=0
on h1 zrep expire "$P1/nosuch" >/dev/null 2>&1 || RC=$?
assert_match "^27 expire $P1/nosuch: failed: " "$(msgs h1)" "a failed expire: err with the reason"

log_must on h1 zrep failover "$P1/src" >/dev/null
M1=$(msgs h1)
assert_match "(^|"$'\n'")30 failover $P1/src: ok$" "$M1" "failover: ok on h1"
assert_match "30 takeover -L $P2/dst: ok" "$(msgs h2)" "the takeover -L that failover runs on h2 logs there"

log_must on h1 zrep refresh "$P1/src" >/dev/null
assert_match "^30 refresh $P1/src: ok" "$(msgs h1)" "refresh (pull on the destination): ok"
msgs h2 >/dev/null

log_must on h1 zrep takeover "$P1/src" >/dev/null
assert_match "(^|"$'\n'")30 takeover $P1/src: ok$" "$(msgs h1)" "takeover: ok on h1"
assert_match "30 failover $P2/dst: ok" "$(msgs h2)" "the failover it asks h2 for logs on h2"

RC=0
on h1 zrep takeover "$P1/nosuch" >/dev/null 2>&1 || RC=$?
assert_eq 1 "$RC" "takeover of a missing filesystem fails"
assert_eq "27 takeover $P1/nosuch: failed: no such dataset: $P1/nosuch" "$(msgs h1)" "a failed takeover: err with the reason"

# every zrep line is one line (no embedded newline written as \n by the listener)
if lines h1 | grep ' zrep\[' | grep -q '\\n'; then fail "a zrep syslog message holds a newline"; else pass "every message is one line"; fi
syslog_stop h1
syslog_stop h2
trap - EXIT
rm -rf "$SEENDIR"
[[ $(on h1 sh -c 'ls /dev/log 2>/dev/null') == "" ]] && pass "the private /dev is gone" || fail "/dev/log still there"
test_done
