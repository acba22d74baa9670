#!/usr/bin/env bash
# t0550-faults: what zrep promises under faults, each case ending with the data identical on
# both hosts after the next plain `zrep sync`, no lock left and no snapshot lost:
#   a transfer stalled by stopping the remote receive (SIGSTOP), with a short
#   ZREP_STALL_TIMEOUT: ended on both hosts, exit 75;
#   a sender that fails after the receiver committed: adopted by guid, never _unsent;
#   a receive that commits and then loses its connection (link down before the answer):
#   exit 75, the snapshot kept, adopted by guid on the next run;
#   kill -9 of zrep after the snapshot, mid-stream, and after the receive before the marks;
#   the link cut mid-stream; the destination's zfs daemon killed mid-receive;
#   eight concurrent `sync all`.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/helpers/zrep-fixtures.sh"
need_hosts 2
S=$P1/src D=$P2/dst
TMPDIR_T=$(mktemp -d)
trap 'rm -rf "$TMPDIR_T"; "$BED" link-up h2 >/dev/null 2>&1' EXIT

snaps() { on "$1" zfs list -H -t snapshot -o name -r "$2" | sed 's/.*@//' | tr '\n' ' '; }
lockpid() { on h1 zfs get -H -o value -s local zrep:lock-pid "$S"; }
# zfs receive processes into $D of h2 (by h2's network namespace: other beds may run beside this one)
H2NS=$(. "$BED_DIR/env"; echo "$BED_PFX-h2")
receives() {
	local p
	for p in $(ip netns pids "$H2NS" 2>/dev/null); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -Eq "^zfs (receive|recv) (.* )?$D \$" && printf '%s ' "$p"
	done
}
receiving() { [[ -n $(receives) ]]; }
not_receiving() { [[ -z $(receives) ]]; }
same_data() {
	remount h1 "$S" && remount h2 "$D" || { fail "$1: remount"; return; }
	assert_eq "$(checksum_tree h1 "/$S")" "$(checksum_tree h2 "/$D")" "$1: data byte-identical"
}
clean_after() {  # MSG: the next plain sync heals, and leaves nothing behind
	local out
	out=$(on h1 zrep sync "$S" 2>&1) || fail "$1: the next plain sync failed: $out"
	same_data "$1"
	assert_eq "" "$(lockpid)" "$1: no lock left"
	assert_eq "" "$(receives)" "$1: no receive left running on h2"
	local last
	last=$(on h1 zrep getlastsent "$S" 2>/dev/null)
	assert_eq "$(on h1 zfs get -H -o value guid "$last")" \
		"$(on h2 zfs get -H -o value guid "$D@${last#*@}" 2>/dev/null)" "$1: last sent snapshot has one guid on both hosts"
}
# A slow sender (256 KiB every 0.2 s), so that a transfer is still running when a fault hits it.
SLOW='perl -e '"'"'$|=1; while (read(STDIN, $b, 262144)) { print $b; select(undef, undef, undef, 0.2) }'"'"
change() { log_must on h1 bash -c "head -c ${1:-300000} /dev/urandom > /$S/f$RANDOM"; }
wait_for() {  # SECONDS CMD...: until CMD succeeds
	local n=$(( $1 * 10 )); shift
	for (( ; n > 0; n-- )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

log_must on h1 zfs create "$S"
change 100000
log_must on h1 zrep init "$S" h2 "$D" >/dev/null
log_must on h1 zrep sync "$S" >/dev/null

# ---------------------------------------------------------------- stalled receive
# More than ssh and TCP buffer between the hosts, sent slowly enough that the receive is still
# running when it is stopped: then the stream stops moving here too.
change 40000000
FAST='perl -e '"'"'$|=1; while (read(STDIN, $b, 1048576)) { print $b; select(undef, undef, undef, 0.05) }'"'"
on h1 env ZREP_STALL_TIMEOUT=3 ZREP_TIMEOUT=20 ZREP_OUTFILTER="$FAST" \
	zrep sync "$S" > "$TMPDIR_T/stall.out" 2>&1 &
bg=$!
if wait_for 20 receiving; then
	# What reads the stream on h2: zfs receive itself with in-kernel zfs; with zfs-fuse the
	# daemon reads it (the client passes its stdin on), so stopping the client would not stall it.
	if shared_zfs; then stopped=$(receives); else stopped=$(cat "$BED_DIR/h2/zfs.pid"); fi
	kill -STOP $stopped
	t0=$SECONDS
	wait $bg; rc=$?
	kill -CONT $stopped 2>/dev/null
	assert_eq 75 "$rc" "a stalled transfer ends with EX_TEMPFAIL"
	assert_match 'stalled: no data moved for 3 seconds' "$(cat "$TMPDIR_T/stall.out")" "the message names the stall and its length"
	(( SECONDS - t0 < 40 )) && pass "ended within the stall limit and the kill grace ($((SECONDS - t0)) s)" || fail "took $((SECONDS - t0)) s"
	wait_for 10 not_receiving && pass "the remote receive was ended" || { fail "a receive is left on h2: $(receives)"; kill -KILL $(receives); }
	assert_eq "" "$(lockpid)" "stall: the lock was released"
else
	fail "the receive never showed up on h2"; wait $bg
fi
clean_after "after a stall"

# ---------------------------------------------------------------- sender fails after the receiver committed
change
before=$(snaps h1 "$S")
out=$(on h1 env ZREP_OUTFILTER='cat; exit 3' zrep sync "$S" 2>&1); rc=$?
assert_eq 0 "$rc" "a sender failing after a complete receive: adopted by guid"
assert_match 'recorded as sent' "$out" "it says so"
assert_no_unsent() { [[ $(snaps h1 "$S") != *_unsent* ]] && pass "$1: no _unsent snapshot" || fail "$1: $(snaps h1 "$S")"; }
assert_no_unsent "sender failed after the receive"
clean_after "after a sender failure"

# ---------------------------------------------------------------- the answer lost after the receive committed
change
newest() { on "$1" zfs list -H -t snapshot -o name -s creation -r "$2" | tail -1 | sed 's/.*@//'; }
next=$(printf 'zrep_%06x' $(( 16#$(newest h1 "$S" | sed 's/zrep_//') + 1 )))
# The receive ends with a pause before the remote shell can answer; the link goes down in it.
on h1 env ZREP_TIMEOUT=4 ZREP_INFILTER='{ cat; sleep 5; }' zrep sync "$S" > "$TMPDIR_T/lost.out" 2>&1 &
bg=$!
if wait_for 30 on h2 zfs list -H -o name "$D@$next"; then
	log_must "$BED" link-down h2
	wait $bg; rc=$?
	log_must "$BED" link-up h2
	assert_eq 75 "$rc" "the answer lost: EX_TEMPFAIL"
	assert_match "keeping $S@$next" "$(cat "$TMPDIR_T/lost.out")" "the snapshot the destination may hold is kept"
	assert_no_unsent "answer lost"
	wait_for 20 on h1 ssh -o ConnectTimeout=2 h2 true || fail "h2 is not reachable again"
	out=$(on h1 zrep sync "$S" 2>&1) || fail "the next sync failed: $out"
	assert_match "$next was already on h2" "$out" "the next sync adopts it by guid"
else
	fail "the snapshot never arrived on h2"; wait $bg; "$BED" link-up h2
fi
clean_after "after a lost answer"

# ---------------------------------------------------------------- kill -9 at each step
kill9_when() {  # NAME CONDITION...: a slow sync killed with SIGKILL once CONDITION holds
	local name=$1; shift
	change 2000000
	on h1 env ZREP_OUTFILTER="$SLOW" \
		ZREP_INFILTER='{ cat; sleep 3; }' zrep sync "$S" >/dev/null 2>&1 &
	local bg=$!
	if wait_for 30 "$@"; then
		host_pkill h1 KILL "zrep sync $S \$"; wait $bg 2>/dev/null
		pass "$name: zrep killed"
	else
		fail "$name: the moment never came"; wait $bg
	fi
	sleep 1
	clean_after "kill -9 $name"
	assert_no_unsent "kill -9 $name"
}
has_new_snap() { [[ $(snaps h1 "$S") != "$1" ]]; }
s0=$(snaps h1 "$S")
kill9_when "after the snapshot" has_new_snap "$s0"
kill9_when "mid-stream" receiving
s0=$(snaps h2 "$D")
arrived() { [[ $(snaps h2 "$D") != "$1" ]]; }
kill9_when "after the receive, before the marks" arrived "$s0"

# ---------------------------------------------------------------- link cut mid-stream
change 4000000
on h1 env ZREP_STALL_TIMEOUT=4 ZREP_OUTFILTER="$SLOW" \
	zrep sync "$S" > "$TMPDIR_T/cut.out" 2>&1 &
bg=$!
if wait_for 20 receiving; then
	log_must "$BED" link-down h2
	wait $bg; rc=$?
	log_must "$BED" link-up h2
	assert_eq 75 "$rc" "link cut mid-stream: EX_TEMPFAIL"
	wait_for 20 on h1 ssh -o ConnectTimeout=2 h2 true || fail "h2 is not reachable again"
	# the receive h2 started may wait for its sshd to notice; the next sync ends it first if needed
	wait_for 30 not_receiving || host_pkill h2 KILL "zfs receive.*$D \$"
else
	fail "the receive never showed up on h2"; wait $bg; "$BED" link-up h2
fi
clean_after "after a link cut"

# ---------------------------------------------------------------- the destination's zfs daemon dies mid-receive
if ! shared_zfs; then
	change 4000000
	on h1 env ZREP_OUTFILTER="$SLOW" \
		zrep sync "$S" > "$TMPDIR_T/zd.out" 2>&1 &
	bg=$!
	if wait_for 20 receiving; then
		log_must "$BED" kill-zfs h2 --hard
		wait $bg; rc=$?
		[[ $rc != 0 ]] && pass "a receive whose zfs died fails (exit $rc)" || fail "the sync succeeded while h2's zfs was dead"
		log_must "$BED" start-zfs h2
	else
		fail "the receive never showed up on h2"; wait $bg
	fi
	clean_after "after the destination's zfs daemon died"
else
	skip_part "killing the zfs daemon mid-receive needs zfs-fuse (in-kernel zfs has no daemon)"
fi

# ---------------------------------------------------------------- eight concurrent sync all
log_must on h1 zfs create "$P1/b"
log_must on h1 zrep init "$P1/b" h2 "$P2/b" >/dev/null

# A zfs command that hangs on one filesystem during sync all: that one times out (75), the other
# is synced, and nothing waits on the hung one.
wrap=$TMPDIR_T/wrap; mkdir -p "$wrap"
realzfs=$(on h1 sh -c 'command -v zfs')
printf '#!/bin/sh\ncase " $* " in *" set "*" %s "*) exec sleep 600;; esac\nexec %s "$@"\n' "$P1/b" "$realzfs" > "$wrap/zfs"
chmod +x "$wrap/zfs"
change
before_b=$(snaps h2 "$P2/b")
t0=$SECONDS
out=$(on h1 env PATH="$wrap:$(on h1 sh -c 'echo $PATH')" ZREP_TIMEOUT=3 zrep sync all 2>&1); rc=$?
assert_eq 75 "$rc" "a hung zfs on one filesystem: sync all exits 75"
assert_match "zfs set on localhost took more than ZREP_TIMEOUT=3 seconds" "$out" "the hung command is named"
(( SECONDS - t0 < 30 )) && pass "sync all was not held up by the hung command ($((SECONDS - t0)) s)" || fail "sync all took $((SECONDS - t0)) s"
assert_eq "$before_b" "$(snaps h2 "$P2/b")" "the hung filesystem sent nothing"
same_data "the other filesystem, synced past the hung one"
pgrep -f "sleep 600" >/dev/null && fail "the hung command was left running" || pass "the hung command was ended"
assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:lock-pid "$P1/b")" "no lock left on the hung filesystem"

change
unsent_before=$(snaps h1 "$S" | grep -o '_unsent' | wc -l)
pids=()
for i in 1 2 3 4 5 6 7 8; do on h1 zrep sync all > "$TMPDIR_T/all$i.out" 2>&1 & pids+=($!); done
bad=0
for p in "${pids[@]}"; do wait "$p"; rc=$?; [[ $rc == 0 || $rc == 75 ]] || bad=$((bad + 1)); done
assert_eq 0 "$bad" "eight concurrent sync all: each one done or busy (0 or 75)"
assert_eq "$unsent_before" "$(snaps h1 "$S" | grep -o '_unsent' | wc -l)" "eight concurrent sync all: no new _unsent snapshot"
assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:lock-pid "$P1/b")" "no lock left on the second filesystem"
log_must on h1 zrep sync "$P1/b" >/dev/null
clean_after "after eight concurrent sync all"
remount h1 "$P1/b" && remount h2 "$P2/b"
assert_eq "$(checksum_tree h1 "/$P1/b")" "$(checksum_tree h2 "/$P2/b")" "the second filesystem is identical too"
test_done
