#!/usr/bin/env bash
# t0810-ssh-mux: one ssh handshake per destination host per run (a private OpenSSH control
# master): counted in h2's sshd log for `sync all` of several filesystems, sequential and
# parallel; the socket directory (0700, under ZREP_RUNDIR, one per run) is removed after a normal
# exit, an error and SIGTERM, with its master; SSH with extra words still works; ZREP_SSH_MUX=no
# and an SSH that is not OpenSSH connect as before (one connection per filesystem).
. "$(dirname "$0")/lib.sh"
need_hosts 2

N=4
for i in $(seq $N); do
	log_must on h1 zfs create "$P1/mux$i"
	log_must on h1 zrep init "$P1/mux$i" h2 "$P2/mux$i" >/dev/null
done
change() { local i; for i in $(seq $N); do on h1 bash -c "head -c 4096 /dev/urandom >> /$P1/mux$i/f"; done; }
log=$BED_DIR/h2/sshd.log
accepted() { grep -c 'Accepted publickey' "$log"; }
# handshakes CMD...: the sshd handshakes h2 saw while CMD ran on h1
handshakes() {
	local a b
	a=$(accepted)
	on h1 "$@" >/tmp/t0810.out 2>&1 || { echo "# $* failed:"; sed 's/^/#   /' /tmp/t0810.out; }
	sleep 0.3
	b=$(accepted)
	echo $((b - a))
}
ctl_dirs() { on h1 bash -c 'ls -d /var/run/zrep-ssh.* 2>/dev/null; true' | tr '\n' ' '; [[ ${PIPESTATUS[0]} == 0 ]] || echo "h1 unreachable"; }

(( $(accepted) > 0 )) || abort "h2's sshd log does not show handshakes ($log)"

# a directory left by a run that died (SIGKILL) is removed by the next run; a live run's is not
dead=$(on h1 sh -c 'echo $$')
on h1 bash -c "mkdir -m 700 /var/run/zrep-ssh.stale1 /var/run/zrep-ssh.live1 && echo $dead > /var/run/zrep-ssh.stale1/pid && : > /var/run/zrep-ssh.stale1/m-0.lock && echo 1 > /var/run/zrep-ssh.live1/pid"

change
assert_eq 1 "$(handshakes zrep sync -P 1 all)" "sync -P 1 all of $N filesystems: one handshake"
assert_eq "/var/run/zrep-ssh.live1 " "$(ctl_dirs)" "a dead run's directory removed, a live one's kept"
on h1 rm -rf /var/run/zrep-ssh.live1
change
assert_eq 1 "$(handshakes zrep sync -P 4 all)" "sync -P 4 all of $N filesystems: one handshake"
assert_match "synced $N, skipped 0, failed 0" "$(cat /tmp/t0810.out)" "and they all synced"
assert_eq "" "$(ctl_dirs)" "socket directory removed after a normal exit"
log_must on h1 zrep expire all >/dev/null 2>&1
change
assert_eq 1 "$(handshakes env SSH="ssh -o ServerAliveInterval=30 -o ConnectTimeout=9" zrep sync all)" \
	"SSH with extra words: one handshake"
assert_match "synced $N" "$(cat /tmp/t0810.out)" "SSH with extra words: synced"

# old behaviour: one connection per filesystem
change
assert_eq "$N" "$(handshakes env ZREP_SSH_MUX=no zrep sync -P 1 all)" "ZREP_SSH_MUX=no: one handshake per filesystem"
on h1 bash -c 'mkdir -p /var/run/t0810 && printf "#!/bin/sh\necho \"\$*\" >> /var/run/t0810/args\nexec ssh \"\$@\"\n" > /var/run/t0810/rsh && chmod +x /var/run/t0810/rsh && : > /var/run/t0810/args'
change
assert_eq "$N" "$(handshakes env SSH=/var/run/t0810/rsh zrep sync all)" "SSH not OpenSSH: one connection per filesystem"
assert_eq "" "$(on h1 grep Control /var/run/t0810/args)" "SSH not OpenSSH: no ControlPath/ControlMaster words"
assert_match "synced $N" "$(cat /tmp/t0810.out)" "SSH not OpenSSH: synced"
change
assert_eq 1 "$(handshakes env SSH=/var/run/t0810/rsh ZREP_SSH_MUX=yes zrep sync all)" "ZREP_SSH_MUX=yes forces sharing"

# the directory while a run is going on: private, under ZREP_RUNDIR, one per run
change
on h1 bash -c 'mkdir -p /var/run/t0810/rd'
slow() { on h1 env ZREP_RUNDIR=/var/run/t0810/rd ZREP_OUTFILTER="sleep $1; cat" "${@:2}"; }
slow 4 zrep sync -P 1 "$P1/mux1" "$P1/mux3" >/dev/null 2>&1 &
b1=$!
slow 4 zrep sync -P 1 "$P1/mux2" "$P1/mux4" >/dev/null 2>&1 &
b2=$!
for _ in $(seq 50); do
	(( $(on h1 bash -c 'ls -d /var/run/t0810/rd/zrep-ssh.*/m-*[0-9a-f] 2>/dev/null | wc -l') >= 2 )) && break
	sleep 0.2
done
dirs=$(on h1 bash -c 'ls -d /var/run/t0810/rd/zrep-ssh.* 2>/dev/null | wc -l')
assert_eq 2 "$dirs" "two concurrent zreps: two socket directories"
assert_eq "700 root" "$(on h1 bash -c 'stat -c "%a %U" /var/run/t0810/rd/zrep-ssh.* | sort -u')" "directories are 0700 root"
assert_eq "" "$(ctl_dirs)" "nothing in the default run dir when ZREP_RUNDIR is set"
wait $b1; assert_eq 0 "$?" "first concurrent sync"
wait $b2; assert_eq 0 "$?" "second concurrent sync"
left=$(on h1 bash -c 'ls -d /var/run/t0810/rd/zrep-ssh.* 2>/dev/null; true') || fail "cannot list /var/run/t0810/rd on h1"
assert_eq "" "$left" "both directories removed"

# SIGTERM: the master is stopped and the directory removed
change
slow 30 zrep sync -P 2 all >/dev/null 2>/tmp/t0810.err &
bg=$!
d=""
for _ in $(seq 50); do
	d=$(on h1 bash -c 'ls -d /var/run/t0810/rd/zrep-ssh.* 2>/dev/null')
	# the master runs (the destinations are read ahead over it) and a worker holds its lock
	[[ -n $d ]] && [[ -n $(on h1 bash -c "ls $d/m-*[0-9a-f] 2>/dev/null") ]] &&
		[[ -n $(on h1 zfs get -H -o value -s local zrep:lock-pid -r "$P1") ]] && break
	sleep 0.2
done
[[ -n $d ]] || fail "no socket directory during the run"
master=$(pgrep -f -- "ControlPath=$d/m-.*ControlMaster=yes" || true)
[[ -n $master ]] && pass "the master runs ($master)" || fail "no master process for $d"
wpid=$(on h1 zfs get -H -o value -s local zrep:lock-pid -r "$P1" | head -n 1)
zpid=$(ps -o ppid= -p "$wpid" | tr -d ' ')
# the run marks every lock in one zfs set: the lock-pid is the run itself, not a worker
[[ $(ps -o comm= -p "$zpid") == zrep ]] || zpid=$wpid
assert_match "zrep sync -P 2 all" "$(ps -o args= -p "$zpid")" "found the run"
kill -TERM "$zpid"
wait $bg; assert_eq 143 "$?" "SIGTERM: exit 143"
left=$(on h1 bash -c 'ls -d /var/run/t0810/rd/zrep-ssh.* 2>/dev/null; true') || fail "cannot list /var/run/t0810/rd on h1"
assert_eq "" "$left" "SIGTERM: socket directory removed"
sleep 0.5
assert_eq "" "$(pgrep -f -- "ControlPath=$d/m-" || true)" "SIGTERM: master stopped"

# one filesystem makes one connection: no control master for it (it would only add its start and exit)
err=$(on h1 zrep -D sync "$P1/mux2" 2>&1) || fail "sync of one filesystem failed: $err"
[[ $err != *"control master"* ]] && pass "one filesystem: no control master" || fail "one filesystem started a control master"
assert_eq 1 "$(handshakes zrep sync "$P1/mux3")" "one filesystem: one handshake"

# an error exit path: an unreachable destination host
log_must on h1 zfs set zrep:dest-fs="$P2/nosuch" "$P1/mux1"
err=$(on h1 env ZREP_RUNDIR=/var/run/t0810/rd zrep -D sync -P 1 "$P1/mux1" "$P1/mux2" 2>&1) && fail "sync to a missing destination succeeded"
assert_match "control master for h2" "$err" "error exit: the master had been started"
left=$(on h1 bash -c 'ls -d /var/run/t0810/rd/zrep-ssh.* 2>/dev/null; true') || fail "cannot list /var/run/t0810/rd on h1"
assert_eq "" "$left" "error exit: socket directory removed"
log_must on h1 zfs set zrep:dest-fs="$P2/mux1" "$P1/mux1"
# sshd allows 10 sessions per connection by default (MaxSessions): 8 workers share a master,
# so -P 10 over 10 filesystems makes two connections, not one and not ten
for i in $(seq $((N + 1)) 10); do
	log_must on h1 zfs create "$P1/mux$i"
	log_must on h1 zrep init "$P1/mux$i" h2 "$P2/mux$i" >/dev/null
done
N=10
change
assert_eq 2 "$(handshakes zrep sync -P 10 all)" "sync -P 10 all of 10 filesystems: two handshakes"
assert_match "synced 10, skipped 0, failed 0" "$(cat /tmp/t0810.out)" "and all 10 synced"
on h1 rm -rf /var/run/t0810
rm -f /tmp/t0810.*
test_done
