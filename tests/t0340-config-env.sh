#!/usr/bin/env bash
# t0340-config-env: /etc/default/zrep is read as data (NAME=value lines; never executed; the
# lines it cannot use are named), the environment wins over it, and the variables of the
# reference's section 5 take effect: ZREP_SAVE_COUNT, ZREP_OUTFILTER/ZREP_INFILTER,
# ZREP_SEND_FLAGS, ZREP_RECV_FLAGS, ZREP_INIT_REMOTE_PROPERTIES, ZREP_SRC_HOST, ZREP_PATH,
# SSH with extra words, DEBUG / -D output on stderr only.
. "$(dirname "$0")/lib.sh"
need_hosts 2

cfgf=/tmp/zrep-test-default.$$
cat > "$cfgf" <<'CFG'
# a comment
ZREP_SAVE_COUNT=3
export ZREP_OUTFILTER="gzip -1"
ZREP_INFILTER='gzip -dc'
ZREP_PATH=$(touch /tmp/pwned-config)
if true; then touch /tmp/pwned-config; fi
NOT_OURS=1
CFG
log_must on h1 zfs create "$P1/c"
log_must on h1 bash -c "head -c 300000 /dev/urandom > /$P1/c/f"
err=$(on h1 env ZREP_CONFIG="$cfgf" zrep init "$P1/c" h2 "$P2/c" 2>&1 >/dev/null) || fail "init with a config file failed: $err"
assert_match "line 5 ignored" "$err" "a line with \$(...) is named and ignored"
assert_match "line 6 ignored" "$err" "shell code is named and ignored"
assert_match "line 7 ignored: unknown variable NOT_OURS" "$err" "unknown variables are named"
assert_eq "no" "$(on h1 test -e /tmp/pwned-config && echo yes || echo no)" "the config file was never executed"
assert_eq 3 "$(on h1 zfs get -H -o value zrep:savecount "$P1/c")" "ZREP_SAVE_COUNT from the file"
log_must on h1 bash -c "echo x >> /$P1/c/f"
log_must on h1 env ZREP_CONFIG="$cfgf" zrep sync "$P1/c" >/dev/null 2>&1
remount h2 "$P2/c"
assert_eq "$(checksum_tree h1 "/$P1/c")" "$(checksum_tree h2 "/$P2/c")" "data identical through the gzip out/in filters"
# A broken filter fails the sync, and the error is reported.
on h1 env ZREP_INFILTER="false" zrep sync "$P1/c" >/dev/null 2>&1 && fail "a failing in-filter did not fail the sync"
pass "a failing in-filter fails the sync"

# The environment wins over the file.
log_must on h1 zfs create "$P1/e"
log_must on h1 env ZREP_CONFIG="$cfgf" ZREP_SAVE_COUNT=7 zrep init "$P1/e" h2 "$P2/e" >/dev/null 2>&1
assert_eq 7 "$(on h1 zfs get -H -o value zrep:savecount "$P1/e")" "environment overrides the file"

# ZREP_INIT_REMOTE_PROPERTIES and ZREP_SEND_FLAGS / ZREP_RECV_FLAGS.
log_must on h1 zfs create "$P1/p"
log_must on h1 env ZREP_INIT_REMOTE_PROPERTIES="compression=on atime=off" zrep init "$P1/p" h2 "$P2/p" >/dev/null
assert_eq "on off" "$(on h2 zfs get -H -o value compression,atime "$P2/p" | tr '\n' ' ' | sed 's/ $//')" "init remote properties applied"
log_must on h1 env ZREP_SEND_FLAGS="-D" ZREP_RECV_FLAGS="-v" zrep sync "$P1/p" >/dev/null
pass "ZREP_SEND_FLAGS / ZREP_RECV_FLAGS passed to zfs send / receive"
err=$(on h1 env ZREP_RECV_FLAGS="-Q" zrep sync "$P1/p" 2>&1) && fail "bad ZREP_RECV_FLAGS accepted"
assert_match "invalid option 'Q'" "$err" "ZREP_RECV_FLAGS reaches zfs receive (its error is reported)"

# ZREP_PATH: the remote zrep (failover, takeover, refresh) is found by this path; a sync, its
# expiry on the destination included, runs no zrep there, so a wrong one changes nothing.
log_must on h1 env ZREP_PATH=/work/no/such/zrep zrep sync "$P1/p" >/dev/null 2>/tmp/zrep-err.$$
assert_eq "" "$(cat /tmp/zrep-err.$$)" "a wrong ZREP_PATH does not matter to a sync"
rm -f /tmp/zrep-err.$$

# SSH with extra words, and counting connections: one ssh per sync.
cnt=/tmp/zrep-sshcount.$$
on h1 bash -c "cat > /tmp/countssh.sh" <<SH
#!/bin/sh
echo x >> $cnt
exec ssh "\$@"
SH
on h1 chmod +x /tmp/countssh.sh
log_must on h1 env SSH="/tmp/countssh.sh -o ConnectTimeout=5" zrep sync "$P1/p" >/dev/null
assert_eq 1 "$(on h1 wc -l < "$cnt")" "one sync opens exactly one ssh connection"
on h1 rm -f "$cnt" /tmp/countssh.sh

# ZREP_SRC_HOST: the name recorded as src-host, and the master check uses it.
log_must on h1 zfs create "$P1/s"
log_must on h1 env ZREP_SRC_HOST=alias1 zrep init "$P1/s" h2 "$P2/s" >/dev/null
assert_eq alias1 "$(on h1 zfs get -H -o value zrep:src-host "$P1/s")" "ZREP_SRC_HOST recorded"
err=$(on h1 zrep sync "$P1/s" 2>&1) && fail "sync under another host name succeeded"
assert_match 'not the master host' "$err" "a different local name is not the master host"
log_must on h1 env ZREP_SRC_HOST=alias1 zrep sync "$P1/s" >/dev/null

# -D / DEBUG: debug lines on stderr only, none on stdout.
out=$(on h1 zrep -D sync "$P1/p" 2>/dev/null)
assert_eq "" "$(grep -c 'debug' <<<"$out" | grep -v '^0$' || true)" "-D prints nothing on stdout"
err=$(on h1 env DEBUG=1 zrep sync "$P1/p" 2>&1 >/dev/null)
assert_match 'zrep: debug: ' "$err" "DEBUG=1 prints debug lines on stderr"
rm -f "$cfgf"
test_done
