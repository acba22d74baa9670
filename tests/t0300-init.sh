#!/usr/bin/env bash
# t0300-init: zrep init over real ssh. Positive: exact properties on both sides, data
# byte-identical, destination read-only, @TAG_000000 marked sent, master set last.
# Negative: existing destination without -f, already-configured and nested sources,
# unreachable host, bad arguments, and a failing receive that must undo only what init made.
. "$(dirname "$0")/lib.sh"
need_hosts 2

log_must on h1 zfs create "$P1/src"
log_must on h1 bash -c "head -c 1000000 /dev/urandom > /$P1/src/a.bin; echo one > /$P1/src/b"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst"

props() {  # HOST DS: zrep properties as "name=value source" lines, sorted
	on "$1" zfs get -H -o property,value,source all "$2" | awk -F'\t' '$1 ~ /^zrep:/ {print $1"="$2" "$3}' | sort
}
assert_eq "zrep:dest-fs=$P2/dst local
zrep:dest-host=h2 local
zrep:master=yes local
zrep:savecount=5 local
zrep:src-fs=$P1/src local
zrep:src-host=h1 local" "$(props h1 "$P1/src")" "source properties after init"
assert_eq "zrep:dest-fs=$P2/dst
zrep:dest-host=h2
zrep:savecount=5
zrep:src-fs=$P1/src
zrep:src-host=h1" "$(props h2 "$P2/dst" | cut -d' ' -f1)" "destination properties after init (no master)"
assert_eq "" "$(on h2 zfs get -H -o value -s local zrep:master "$P2/dst")" "destination is not master"
assert_match '^[0-9]+$' "$(on h1 zfs get -H -o value zrep:sent "$P1/src@zrep_000000")" "source @zrep_000000 marked sent"
assert_match '^[0-9]+$' "$(on h2 zfs get -H -o value zrep:sent "$P2/dst@zrep_000000")" "destination @zrep_000000 marked sent"
assert_eq "$(on h1 zfs get -H -o value guid "$P1/src@zrep_000000")" "$(on h2 zfs get -H -o value guid "$P2/dst@zrep_000000")" "same snapshot guid on both sides"
# Feature paths: where the destination's zfs has receive -u and -o (OpenZFS), init receives
# unmounted with readonly=on set by the receive itself; elsewhere (zfs-fuse) readonly is set
# right after (zfs-fuse then reports it as "off, temporary" while the replica is mounted).
feat=$(on h1 zrep-plumb features h2)
if [[ $feat == *recv_u=1* ]]; then
	assert_eq "no" "$(on h2 zfs get -H -o value mounted "$P2/dst")" "init received with -u: the replica is not mounted"
else
	skip_part "no zfs receive -u: init's unmounted receive not checked"
fi
ro=$(on h2 zfs get -H -o value,source readonly "$P2/dst")
if [[ $feat == *recv_o=1* ]]; then
	assert_eq "on	local" "$ro" "readonly=on is set on the replica itself (by receive -o)"
else  # zfs-fuse reports a readonly=on set on a mounted dataset as "off, temporary"
	assert_match $'^(on\tlocal|off\ttemporary)$' "$ro" "readonly=on is set on the replica itself"
fi
# A replica received with receive -u (OpenZFS) is not mounted: mount it to try writing.
log_must remount h2 "$P2/dst"
err=$(on h2 bash -c "echo x > /$P2/dst/new" 2>&1) && fail "destination is writable"
assert_match 'Read-only file system' "$err" "destination is read-only (a write fails with EROFS)"
assert_eq "$(checksum_tree h1 "/$P1/src")" "$(checksum_tree h2 "/$P2/dst")" "data byte-identical after init"

# Refusals; each must change nothing.
log_must on h1 zfs create "$P1/other"
log_must on h1 zfs create "$P1/src/child"
before=$(on h1 zfs get -H -o name,property,value -r all "$P1" | grep zrep: | sort; on h2 zfs list -H -t all -r -o name "$P2")
log_mustnot on h1 zrep init "$P1/other" h2 "$P2/dst"
err=$(on h1 zrep init "$P1/other" h2 "$P2/dst" 2>&1) ; assert_match 'already exists.*-f' "$err" "existing destination refused without -f"
err=$(on h1 zrep init "$P1/src" h2 "$P2/dst2" 2>&1) && fail "re-init accepted"
assert_match 'already configured' "$err" "configured source refused"
err=$(on h1 zrep init "$P1/src/child" h2 "$P2/c" 2>&1) && fail "nested init accepted"
assert_match 'inside .*src' "$err" "nested source refused"
err=$(on h1 zrep init "$P1/other" h9 "$P2/x" 2>&1) && fail "unreachable host accepted"
assert_match 'cannot reach h9' "$err" "unreachable host is reported as such, not as missing"
err=$(on h1 zrep init "$P1/nosuch" h2 "$P2/x" 2>&1) && fail "missing source accepted"
assert_match '^zrep: no such dataset: '"$P1"'/nosuch$' "$err" "missing source: one-line error"
for args in "" "$P1/other" "$P1/other h2" "$P1/other h2 $P2/x extra" "-x $P1/other h2 $P2/x"; do
	# shellcheck disable=SC2086
	on h1 zrep init $args >/dev/null 2>&1; rc=$?
	assert_eq 2 "$rc" "init with args '$args' is a usage error"
done
err=$(on h1 zrep init -- -bad h2 "$P2/x" 2>&1); assert_match "^zrep: refusing dataset name starting with '-'" "$err" "leading '-' dataset refused"
err=$(on h1 zrep init "$P1/other" -oProxyCommand=x "$P2/x" 2>&1); assert_match "refusing host name starting with '-'" "$err" "leading '-' host refused"
err=$(on h1 zrep init "$P1/other" 'h2;touch /tmp/pwned' "$P2/x" 2>&1); assert_match 'invalid host name' "$err" "hostile host refused"
assert_eq "no" "$(on h1 test -e /tmp/pwned && echo yes || echo no)" "no command ran"
after=$(on h1 zfs get -H -o name,property,value -r all "$P1" | grep zrep: | sort; on h2 zfs list -H -t all -r -o name "$P2")
assert_eq "$before" "$after" "refusals changed nothing"

# A receive that fails (the destination's parent does not exist) undoes what init made.
err=$(on h1 zrep init "$P1/other" h2 "$P2/no/parent" 2>&1) && fail "init into a missing parent succeeded"
assert_match 'initial send .* failed' "$err" "failed receive reported"
assert_eq "" "$(on h1 zfs get -H -o property all "$P1/other" | grep zrep: || true)" "failed init left no zrep properties"
assert_eq "" "$(on h1 zfs list -H -t snapshot -o name -r "$P1/other")" "failed init left no snapshot"

# -f onto an existing destination; a failure there never destroys it.
log_must on h2 zfs create "$P2/keep"
log_must on h2 bash -c "echo precious > /$P2/keep/file"
log_must on h2 zfs snapshot "$P2/keep@mine"
ZREP_RECV_FLAGS=-Z on h1 env ZREP_RECV_FLAGS=-Z zrep init -f "$P1/other" h2 "$P2/keep" >/dev/null 2>&1 && fail "bad recv flags accepted"
assert_eq "$P2/keep@mine" "$(on h2 zfs list -H -t snapshot -o name -r "$P2/keep")" "pre-existing destination kept after a failed -f init"
# zfs itself refuses to overwrite a destination that has snapshots, even with -f: the refusal
# is reported and the user's data stays. (A positive -f onto a freshly created, mounted dataset
# is not tested: zfs-fuse fails that pattern at random, see shared/notes/zfs-fuse.md.)
err=$(on h1 zrep init -f "$P1/other" h2 "$P2/keep" 2>&1) && fail "init -f over snapshots accepted"
assert_match 'destination has snapshots' "$err" "zfs's refusal to overwrite snapshots is reported"
assert_eq "precious" "$(on h2 cat "/$P2/keep/file")" "the existing destination's data is intact"
assert_eq "" "$(on h1 zfs get -H -o property all "$P1/other" | grep zrep: || true)" "the source is left unconfigured"
test_done
