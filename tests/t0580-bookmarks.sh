#!/usr/bin/env bash
# t0580-bookmarks: where the zfs has bookmarks (OpenZFS; zfs-fuse has none: those parts are
# skipped), a sync bookmarks the snapshot it sends as FS#SNAP before data flows, with the
# snapshot's guid, and keeps only the last sent snapshot's zrep bookmark (the user's bookmarks
# are never touched, by sync, expire or clear); when the base snapshot is gone on the source
# (hold released, destroyed), the next sync sends from its bookmark (`send -i FS#SNAP`) and the
# data is identical on both hosts. The hold part of the fault matrix, on every lane: kill -9 of
# zrep mid-stream and after the receive before the marks, then a plain sync recovers: data
# identical, no lock, no _unsent, zrep's hold only on the last sent snapshot on both hosts (and,
# with bookmarks, the snapshot being sent was bookmarked before the kill). Every OpenSSH
# connection gets ConnectTimeout and ServerAlive options, never over the user's own in SSH.
# Last, clear destroys zrep's bookmarks and leaves the user's.
. "$(dirname "$0")/lib.sh"
need_hosts 2
S=$P1/src D=$P2/dst

on h1 zfs create "$P1/probe" && on h1 zfs snapshot "$P1/probe@x" || abort "cannot make a snapshot"
BM=0
on h1 zfs bookmark "$P1/probe@x" "$P1/probe#x" >/dev/null 2>&1 && BM=1
HOLDS=0
on h1 zfs get -H -o value userrefs "$P1/probe@x" >/dev/null 2>&1 && HOLDS=1
on h1 zfs destroy -r "$P1/probe" 2>/dev/null || { sleep 1; on h1 zfs destroy -r "$P1/probe"; }

snaps() { on "$1" zfs list -H -t snapshot -o name -r "$2" | sed 's/.*@//' | tr '\n' ' '; }
zbms() { on h1 zfs list -H -t bookmark -o name -r "$S" | sed 's/.*#//' | grep -E '^zrep_[0-9a-f]{6,}$' | tr '\n' ' '; }
guid() { on "$1" zfs get -H -p -o value guid "$2"; }
last() { on h1 zrep getlastsent "$S" 2>/dev/null; }
lockpid() { on h1 zfs get -H -o value -s local zrep:lock-pid "$S"; }
# held HOST FS: FS's snapshots that carry zrep's hold (tag zrep; other holds do not count: a zfs
# send killed on zfs-fuse leaves its temporary holds in the daemon). zfs-fuse has no `zfs holds`:
# there a held snapshot carries zrep's tag when `zfs release zrep` works (then it is put back).
held() {
	if on "$1" zfs holds -H -r "$2" >/dev/null 2>&1; then
		on "$1" zfs holds -H -r "$2" | awk -F'\t' '$2 == "zrep" {print $1}' | sort -t@ -k2 | tr '\n' ' '
		return
	fi
	local s
	for s in $(on "$1" zfs get -H -o name,value -r userrefs "$2" | awk -F'\t' '$2 > 0 && $1 ~ /@/ {print $1}'); do
		on "$1" zfs release zrep "$s" >/dev/null 2>&1 && { printf '%s ' "$s"; on "$1" zfs hold zrep "$s"; }
	done
}
change() { log_must on h1 bash -c "head -c ${1:-200000} /dev/urandom > /$S/f$RANDOM"; }
same_data() {
	remount h1 "$S" && remount h2 "$D" || { fail "$1: remount"; return; }
	assert_eq "$(checksum_tree h1 "/$S")" "$(checksum_tree h2 "/$D")" "$1: data byte-identical"
}
wait_for() {  # SECONDS CMD...: until CMD succeeds
	local n=$(( $1 * 10 )); shift
	for (( ; n > 0; n-- )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

log_must on h1 zfs create "$S"
change
log_must on h1 zrep init "$S" h2 "$D" >/dev/null
change
log_must on h1 zrep sync "$S" >/dev/null

# ---------------------------------------------------------------- (a) the bookmark of a sync
if (( BM )); then
	l=$(last)
	assert_eq "${l#*@} " "$(zbms)" "after a sync: one zrep bookmark, the last sent snapshot's"
	assert_eq "$(guid h1 "$l")" "$(guid h1 "$S#${l#*@}")" "the bookmark has the snapshot's guid"
	# the user's bookmark, on an old zrep snapshot, with a zrep-like name that is not zrep's
	log_must on h1 zfs bookmark "$S@zrep_000000" "$S#mine"
	log_must on h1 zfs bookmark "$S@zrep_000000" "$S#zrep_00000x"
	change
	log_must on h1 zrep sync "$S" >/dev/null
	l2=$(last)
	assert_eq "${l2#*@} " "$(zbms)" "the next sync keeps only the new last sent snapshot's bookmark"
	log_must on h1 zfs list -H -t bookmark -o name "$S#mine" >/dev/null
	log_must on h1 zfs list -H -t bookmark -o name "$S#zrep_00000x" >/dev/null
	pass "the user's bookmarks are kept by sync"
else
	skip_part "(a) bookmark after a sync: this zfs has no bookmarks"
fi

# ---------------------------------------------------------------- (b) the base snapshot gone: sync from its bookmark
if (( BM )); then
	base=$(last)
	(( HOLDS )) && log_must on h1 zfs release zrep "$base"
	log_must on h1 zfs destroy "$base"
	change 300000
	out=$(on h1 zrep sync "$S" 2>&1); rc=$?
	assert_eq 0 "$rc" "a sync with its base snapshot gone here succeeds"
	[[ $rc == 0 ]] || sed 's/^/#   | /' <<<"$out"
	assert_match "sending incrementally from its bookmark $S#${base#*@}" "$out" "it went from the bookmark"
	l=$(last)
	assert_eq "$(guid h1 "$l")" "$(guid h2 "$D@${l#*@}")" "the new snapshot has one guid on both hosts"
	same_data "sync from a bookmark"
	assert_eq "${l#*@} " "$(zbms)" "the bookmark it went from is gone, the new one is there"
	(( HOLDS )) && assert_eq "$l " "$(held h1 "$S")" "zrep's hold is on the new snapshot here"
	(( HOLDS )) && assert_eq "$D@${l#*@} " "$(held h2 "$D")" "and there"
	# expire never touches a bookmark
	log_must on h1 zrep expire "$S" >/dev/null 2>&1
	log_must on h1 zfs list -H -t bookmark -o name "$S#mine" >/dev/null
	assert_eq "${l#*@} " "$(zbms)" "expire leaves the bookmarks alone"
else
	skip_part "(b) sync from a bookmark: this zfs has no bookmarks"
fi

# ---------------------------------------------------------------- (c) kill -9 mid-stream / after the receive, then a plain sync
SLOW='perl -e '"'"'$|=1; while (read(STDIN, $b, 262144)) { print $b; select(undef, undef, undef, 0.2) }'"'"
H2NS=$(. "$BED_DIR/env"; echo "$BED_PFX-h2")
receiving() {
	local p
	for p in $(ip netns pids "$H2NS" 2>/dev/null); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -Eq "^zfs (receive|recv) (.* )?$D \$" && return 0
	done
	return 1
}
not_receiving() { ! receiving; }
s2=
arrived() { [[ $(snaps h2 "$D") != "$s2" ]]; }
kill9_when() {  # NAME CONDITION...: a slow sync killed with SIGKILL once CONDITION holds, then a plain sync
	local name=$1 before bg sent out l; shift
	change 2000000
	before=$(snaps h1 "$S") s2=$(snaps h2 "$D")
	on h1 env ZREP_OUTFILTER="$SLOW" ZREP_INFILTER='{ cat; sleep 3; }' zrep sync "$S" >/dev/null 2>&1 &
	bg=$!
	if wait_for 60 "$@"; then
		host_pkill h1 KILL "zrep sync $S \$" 2>/dev/null; wait $bg 2>/dev/null
		pass "$name: zrep killed"
		sent=$(comm -13 <(tr ' ' '\n' <<<"$before" | sort) <(snaps h1 "$S" | tr ' ' '\n' | sort) | grep zrep_ | tail -1)
		if (( BM )); then
			[[ -n $sent ]] && [[ " $(zbms)" == *" $sent "* ]] && pass "$name: the snapshot being sent ($sent) was bookmarked before the kill" \
				|| fail "$name: no bookmark of the snapshot being sent ($sent): $(zbms)"
		fi
	else
		fail "$name: the moment never came"; wait $bg
	fi
	wait_for 30 not_receiving || host_pkill h2 KILL "zfs receive.*$D \$"
	out=$(on h1 zrep sync "$S" 2>&1) || fail "$name: the next plain sync failed: $out"
	same_data "$name"
	assert_eq "" "$(lockpid)" "$name: no lock left"
	l=$(last)
	assert_eq "$(guid h1 "$l")" "$(guid h2 "$D@${l#*@}")" "$name: the last sent snapshot has one guid on both hosts"
	if (( HOLDS )); then
		assert_eq "$l " "$(held h1 "$S")" "$name: zrep's hold only on the last sent snapshot here"
		assert_eq "$D@${l#*@} " "$(held h2 "$D")" "$name: and there"
	else
		skip_part "holds after kill -9 $name: this zfs has no holds"
	fi
	[[ $(snaps h1 "$S") != *_unsent* ]] && pass "$name: no _unsent snapshot" || fail "$name: $(snaps h1 "$S")"
	if (( BM )); then assert_eq "${l#*@} " "$(zbms)" "$name: one zrep bookmark left, the last sent snapshot's"; fi
}
kill9_when "kill -9 mid-stream" receiving
kill9_when "kill -9 after the receive, before the marks" arrived

# ---------------------------------------------------------------- ssh time limits (every lane)
# An `ssh` of our own (OpenSSH by its basename) records the words zrep gives it.
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
realssh=$(on h1 sh -c 'command -v ssh')
# One line per run: the options come first, the remote script (with newlines) last.
printf '#!/bin/sh\nprintf "%%.400s\\n" "$(echo "$*" | tr "\\n" " ")" >> %s/ssh.log\nexec %s "$@"\n' "$T" "$realssh" > "$T/ssh"
chmod +x "$T/ssh"
change
log_must on h1 env SSH="$T/ssh" zrep sync "$S" >/dev/null
conn=$(grep -v -- ' -O exit ' "$T/ssh.log")
[[ -n $conn ]] || fail "no ssh was run through \$SSH"
[[ -z $(grep -v -- '-o ConnectTimeout=30 ' <<<"$conn") && -z $(grep -v -- '-o ServerAliveInterval=10 ' <<<"$conn") ]] \
	&& pass "every ssh connection ($(wc -l <<<"$conn")) got ConnectTimeout=30 and ServerAliveInterval=10" \
	|| fail "an ssh without the limits: $(grep -v -- 'ConnectTimeout=30' <<<"$conn" | head -1)"
: > "$T/ssh.log"
change
log_must on h1 env SSH="$T/ssh -o ConnectTimeout=7" ZREP_TIMEOUT=5 ZREP_SSH_MUX=no zrep sync "$S" >/dev/null
conn=$(grep -v -- ' -O exit ' "$T/ssh.log")
[[ -n $conn && -z $(grep -E 'ConnectTimeout=(5|30)' <<<"$conn") && -z $(grep -v 'ConnectTimeout=7' <<<"$conn") ]] \
	&& pass "the user's ConnectTimeout in SSH is left alone (no second one)" || fail "SSH's ConnectTimeout overridden: $conn"

# ---------------------------------------------------------------- clear
if (( BM )); then
	log_must on h1 zrep clear -f "$S" >/dev/null 2>&1
	assert_eq "" "$(zbms)" "clear destroyed zrep's bookmarks"
	log_must on h1 zfs list -H -t bookmark -o name "$S#mine" >/dev/null
	log_must on h1 zfs list -H -t bookmark -o name "$S#zrep_00000x" >/dev/null
	pass "clear kept the user's bookmarks"
else
	skip_part "clear and bookmarks: this zfs has no bookmarks"
fi
test_done
