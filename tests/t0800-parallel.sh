#!/usr/bin/env bash
# t0800-parallel: sync/synconly/expire -P N and ZREP_PARALLEL: bounded workers that really run at
# once, one whole output block per filesystem, the summary line, exit status, per-filesystem
# locks, -q skips, split-brain refusal, a deduplicated list, two concurrent `sync all -P 4` runs,
# SIGTERM releasing every worker's lock, and -P 1 as the sequential loop.
. "$(dirname "$0")/lib.sh"
need_hosts 2

N=5
fss=()
for i in $(seq $N); do
	log_must on h1 zfs create "$P1/par$i"
	log_must on h1 bash -c "head -c 20000 /dev/urandom > /$P1/par$i/f"
	log_must on h1 zrep init "$P1/par$i" h2 "$P2/par$i" >/dev/null
	fss+=("$P1/par$i")
done
change() { local i; for i in $(seq $N); do on h1 bash -c "head -c 4096 /dev/urandom >> /$P1/par$i/f"; done; }
lastsent() { on h1 zrep getlastsent "$1" 2>/dev/null; }
locks() { on h1 zfs get -H -o name,value -s local zrep:lock-pid -r "$P1" | awk -F'\t' '{print $1}' | tr '\n' ' '; }
same_data() {
	local i
	for i in $(seq $N); do
		remount h2 "$P2/par$i"
		assert_eq "$(checksum_tree h1 "/$P1/par$i")" "$(checksum_tree h2 "/$P2/par$i")" "$1: par$i identical"
	done
}

# 1. sync -P 4 all: every filesystem synced, one block each, one summary line, exit 0
change
out=$(on h1 zrep sync -P 4 all 2>"/tmp/t0800.err"); rc=$?
assert_eq 0 "$rc" "sync -P 4 all succeeds"
assert_eq 1 "$(grep -c "^sync: $N filesystems: synced $N, skipped 0, failed 0\$" <<<"$out")" "one summary line"
assert_eq "" "$(tail -n 1 <<<"$out" | grep -v '^sync: ')" "the summary line comes last"
for f in "${fss[@]}"; do
	assert_eq 1 "$(grep -c "^sending $f@zrep_000001 to h2:${f/$P1/$P2}\$" <<<"$out")" "$f: its line, whole"
done
bad=$(grep -vE "^(sending $P1/par[0-9]+@zrep_[0-9a-f]+ to h2:$P2/par[0-9]+|Expiring zrep snaps on $P1/par[0-9]+|sync: .*)\$" <<<"$out")
assert_eq "" "$bad" "no broken or interleaved lines on stdout"
assert_eq "" "$(locks)" "no lock left"
same_data "after sync -P 4 all"
# The bookkeeping a sync all does for all its filesystems at once (one zfs set, hold, release and
# inherit here, one finish call per destination host) ends as each sync alone would: the new
# snapshot marked sent on both hosts with the same time, zrep's hold on it alone on both hosts,
# and, run past the savecount, the expiry of each side.
for k in 1 2 3 4 5; do change; log_must on h1 zrep sync -P 4 all >/dev/null; done
# recorded NAME LAST SAVECOUNT: NAME's last sync (snapshot LAST) ended as a sync alone would
recorded() {
	local ls h p
	ls=$(lastsent "$P1/$1")
	assert_match "@$2\$" "$ls" "$1: the last sync's snapshot is the last sent"
	assert_eq "$(on h1 zfs get -H -o value -s local zrep:sent "$ls")" "$(on h2 zfs get -H -o value -s local zrep:sent "$P2/$1@${ls#*@}")" "$1: marked sent on both hosts, at the same time"
	for h in h1 h2; do
		p=$P1; [[ $h == h2 ]] && p=$P2
		assert_eq "${ls#*@}" "$(on $h zfs list -H -t snapshot -o name,userrefs -r "$p/$1" | awk '$2 > 0 {sub(/.*@/, "", $1); print $1}')" "$1: the hold on the last sent alone on $h"
		assert_eq "$3" "$(on $h zfs list -H -t snapshot -o name -r "$p/$1" | grep -c @zrep_)" "$1: savecount $3 kept on $h"
	done
}
for i in $(seq $N); do recorded "par$i" zrep_000006 5; done
assert_eq "" "$(locks)" "no lock left after the batched bookkeeping"
same_data "after six syncs -P 4 all"

# 2. workers run at once, at most N: 4 filesystems each held 2 s by the out-filter
slow() { on h1 env ZREP_OUTFILTER="sleep $1; cat" "${@:2}"; }
change
t0=$(date +%s.%N)
log_must slow 2 zrep sync -P 4 "${fss[@]:0:4}" >/dev/null
dt=$(echo "$(date +%s.%N) - $t0" | bc)
(( $(echo "$dt < 6" | bc) )) && pass "4 slow syncs with -P 4 took ${dt}s (one after another: >= 8 s)" ||
	fail "4 slow syncs with -P 4 took ${dt}s: not parallel"
change
t0=$(date +%s.%N)
log_must slow 2 env ZREP_PARALLEL=2 zrep sync "${fss[@]:0:4}" >/dev/null
dt=$(echo "$(date +%s.%N) - $t0" | bc)
(( $(echo "$dt >= 4 && $dt < 9" | bc) )) && pass "ZREP_PARALLEL=2 bounds 4 slow syncs to two rounds (${dt}s)" ||
	fail "ZREP_PARALLEL=2: 4 slow syncs took ${dt}s (want two rounds of 2 s)"
change
t0=$(date +%s.%N)
out=$(slow 1 zrep sync -P 1 "${fss[@]:0:3}")
dt=$(echo "$(date +%s.%N) - $t0" | bc)
(( $(echo "$dt >= 3" | bc) )) && pass "-P 1 is sequential (${dt}s)" || fail "-P 1 took ${dt}s: not sequential"
assert_eq "$(printf '%s\n' "${fss[@]:0:3}")" "$(sed -n 's/^sending \([^@]*\)@.*/\1/p' <<<"$out")" "-P 1: list order"

# 3. the list is deduplicated: two workers never touch one filesystem
change
a=$(lastsent "${fss[0]}"); b=$(lastsent "${fss[1]}")
out=$(on h1 zrep sync -P 4 "${fss[0]}" "${fss[0]}" "${fss[1]}" "${fss[0]}" 2>&1); rc=$?
assert_eq 0 "$rc" "sync -P 4 fsA fsA fsB fsA succeeds"
assert_eq 1 "$(grep -c "^sending ${fss[0]}@" <<<"$out")" "fsA synced once"
assert_match "sync: 2 filesystems: synced 2, skipped 0, failed 0" "$out" "two filesystems counted"
assert_eq "" "$(grep -i 'locked by' <<<"$out")" "no worker met another one's lock"
n0=$(on h1 zfs list -H -t snapshot -o name -r "${fss[0]}" | grep -c "@zrep_")
[[ $(lastsent "${fss[0]}") != "$a" && $(lastsent "${fss[1]}") != "$b" ]] && pass "both synced" || fail "not both synced"

# 4. one failure: the others go on, exit 1, the summary counts it (split brain on par3's replica)
change
log_must on h2 zfs set zrep:master=yes "$P2/par3"
h2before=$(on h2 zfs list -H -t snapshot -o name -r "$P2/par3")
out=$(on h1 zrep sync -P 4 all 2>/tmp/t0800.err); rc=$?
err=$(cat /tmp/t0800.err)
assert_eq 1 "$rc" "a failing filesystem makes the exit status 1"
assert_match "sync: $N filesystems: synced $((N - 1)), skipped 0, failed 1" "$out" "summary counts the failure"
assert_match "sync of $P1/par3 failed; continuing with the others" "$err" "the failure is named"
assert_match "$P2/par3" "$err" "the split-brain refusal names the replica"
assert_eq "$h2before" "$(on h2 zfs list -H -t snapshot -o name -r "$P2/par3")" "nothing received by a master destination"
log_must on h2 zfs inherit zrep:master "$P2/par3"

# 5. -q: a busy filesystem is skipped quietly and counted as skipped
change
slow 6 zrep sync "${fss[1]}" >/dev/null 2>&1 &
bg=$!
for _ in $(seq 50); do [[ -n $(locks) ]] && break; sleep 0.2; done
out=$(on h1 zrep sync -q 60 -P 4 all 2>&1); rc=$?
assert_eq 0 "$rc" "sync -q -P 4 all with one busy filesystem succeeds"
assert_match "Quiet mode: skipping busy fs ${fss[1]}" "$out" "quiet skip says so"
assert_match "sync: $N filesystems: synced $((N - 1)), skipped 1, failed 0" "$out" "summary counts the skip"
wait $bg; assert_eq 0 "$?" "the slow sync completed"

# 6. two concurrent sync all -P 4 runs: each filesystem is worked on by one of them at a time
change
slow 2 zrep sync -P 4 all >/tmp/t0800.a 2>&1 &
pa=$!
slow 2 zrep sync -P 4 all >/tmp/t0800.b 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
# 0, or 75 (a filesystem was busy: the other run had it), or 1
[[ $ra =~ ^(0|1|75)$ && $rb =~ ^(0|1|75)$ ]] && pass "concurrent runs ended normally ($ra, $rb)" || fail "concurrent runs: $ra $rb"
sent=$(cat /tmp/t0800.a /tmp/t0800.b | grep -c "^sending ")
(( sent >= N )) && pass "every filesystem sent by one of the runs ($sent sends)" || fail "only $sent sends"
bad=$(cat /tmp/t0800.a /tmp/t0800.b | grep -iE 'cannot receive|destination .* modified|broken' || true)
assert_eq "" "$bad" "no run tripped over the other's transfer"
assert_eq "" "$(locks)" "no lock left after concurrent runs"
log_must on h1 zrep sync -P 4 all >/dev/null
same_data "after concurrent runs"

# 7. SIGTERM during a parallel run: every worker's lock released, exit 143
change
slow 20 zrep sync -P 4 all >/dev/null 2>/tmp/t0800.err &
bg=$!
for _ in $(seq 50); do (( $(wc -w <<<"$(locks)") >= 4 )) && break; sleep 0.2; done
held=$(wc -w <<<"$(locks)")
(( held >= 4 )) && pass "4 workers hold their locks at once" || fail "only $held locks held at once"
# the run's own process: the lock-pid (the run marks every lock in one zfs set), or the parent
# of the worker whose pid it is (a worker that marked its own)
wpid=$(on h1 zfs get -H -o value -s local zrep:lock-pid -r "$P1" | head -n 1)
zpid=$(ps -o ppid= -p "$wpid" | tr -d ' ')
[[ $(ps -o comm= -p "$zpid") == zrep ]] || zpid=$wpid
assert_match "zrep sync -P 4 all" "$(ps -o args= -p "$zpid")" "found the zrep run"
kill -TERM "$zpid"
wait $bg; rc=$?
assert_eq 143 "$rc" "SIGTERM ends the run with 143"
assert_eq "" "$(locks)" "SIGTERM: every worker released its lock"
[[ -z $(locks) ]] || sed 's/^/#   err| /' /tmp/t0800.err
assert_match "interrupted by signal 15" "$(cat /tmp/t0800.err)" "interruption reported"
log_must on h1 zrep sync -P 4 all >/dev/null
same_data "after SIGTERM and a new run"

# 8. synconly and expire take -P; bad values are usage errors that change nothing
log_must on h1 zrep snaponly all >/dev/null
out=$(on h1 zrep synconly -P 3 all 2>&1) || fail "synconly -P 3 all: $out"
assert_match "synconly: $N filesystems: synced $N, skipped 0, failed 0" "$out" "synconly summary"
out=$(on h1 zrep expire -P 3 all 2>&1) || fail "expire -P 3 all: $out"
assert_match "expire: [0-9]+ filesystems: expired [0-9]+, skipped 0, failed 0" "$out" "expire summary"
before=$(on h1 zfs list -H -t snapshot -o name -r "$P1" | wc -l)
for bad in 0 65 x -1; do
	err=$(on h1 zrep sync -P "$bad" all 2>&1); rc=$?
	assert_eq 2 "$rc" "sync -P $bad is a usage error"
	assert_match "^zrep: sync -P needs a number of workers from 1 to 64, not " "$err" "-P $bad: one-line error"
done
err=$(on h1 env ZREP_PARALLEL=many zrep sync all 2>&1); rc=$?
assert_eq 2 "$rc" "ZREP_PARALLEL=many is a usage error"
assert_match "^zrep: ZREP_PARALLEL must be a number" "$err" "ZREP_PARALLEL error names it"
assert_eq "$before" "$(on h1 zfs list -H -t snapshot -o name -r "$P1" | wc -l)" "bad -P changed nothing"

# 9. the batched bookkeeping in slices (at least 12 filesystems a slice, at most -P slices, run
# side by side): 13 more filesystems with savecount 2 make 18 in two slices at -P 2; each ends as
# a sync alone would, on both hosts.
M=13
for i in $(seq $M); do
	log_must on h1 zfs create "$P1/bat$i"
	log_must on h1 env ZREP_SAVE_COUNT=2 zrep init "$P1/bat$i" h2 "$P2/bat$i" >/dev/null
done
for k in 1 2 3; do
	change
	for i in $(seq $M); do on h1 bash -c "head -c 4096 /dev/urandom >> /$P1/bat$i/f"; done
	dbg=; [ $k = 3 ] && dbg=-D # the last one says which zfs commands it runs
	out=$(on h1 zrep $dbg sync -P 2 all 2>&1) || fail "sync -P 2 all of $((N + M)): $out"
done
# the lock properties too go in two slices (two zfs sets of 9 filesystems), not one set of 18
sets=$(grep 'zrep: debug: run on localhost: zfs set zrep:lock-pid=' <<<"$out")
assert_eq 2 "$(grep -c . <<<"$sets")" "two slices: the locks marked in two zfs sets"
assert_eq "9 9" "$(awk '{print NF - 8}' <<<"$sets" | tr '\n' ' ' | sed 's/ $//')" "two slices: 9 filesystems in each set"
out=$(grep -v '^zrep: debug:' <<<"$out")
assert_match "sync: $((N + M)) filesystems: synced $((N + M)), skipped 0, failed 0" "$out" "two slices: every filesystem synced"
assert_eq "" "$(grep -iE 'warn|cannot|could not' <<<"$out")" "two slices: no warning"
for i in $(seq $M); do
	recorded "bat$i" zrep_000003 2
	remount h2 "$P2/bat$i"
	assert_eq "$(checksum_tree h1 "/$P1/bat$i")" "$(checksum_tree h2 "/$P2/bat$i")" "bat$i identical"
done
assert_eq "" "$(locks)" "no lock left after the sliced bookkeeping"
rm -f /tmp/t0800.*
test_done
