#!/usr/bin/env bash
# t0390-zvol: a volume (zfs create -V) replicated like a filesystem: init makes a read-only
# replica volume with the same bytes, a sync carries new writes, the replica's block device
# refuses writes, and a failover makes h2's volume the writable master and h1's read-only, with
# the bytes the same on both sides after a sync back. Nothing tries to mount a volume.
# Needs: volumes. zfs-fuse has none (`zfs create -V` fails: "Function not implemented").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"  # run_zrep, expect_rc
need_hosts 2

V1=$P1/vol V2=$P2/vol
SIZE=$((16 * 1024 * 1024))
if ! err=$(on h1 bash -c 'ulimit -c 0; zfs create -V 16M "$1"' _ "$V1" 2>&1) ||
	! on h1 zfs list -H -o name "$V1" >/dev/null 2>&1; then
	skip_test "needs volumes, and zfs create -V failed here (zfs-fuse has none): $(tail -n 1 <<<"$err")"
fi

# dev HOST DS: the volume's block device on HOST, once udev has made it
dev() {
	local d=/dev/zvol/$2 i
	for (( i = 0; i < 100; i++ )); do
		on "$1" test -b "$d" && { echo "$d"; return 0; }
		on "$1" udevadm settle -t 5 2>/dev/null || sleep 0.2
	done
	echo "no block device $d on $1" >&2
	return 1
}
# vsum HOST DS: checksum of the volume's bytes
vsum() { local d; d=$(dev "$1" "$2") && on "$1" sh -c 'head -c "$2" "$1" | sha256sum' _ "$d" "$SIZE"; }
# same_bytes MSG H1DS H2DS: the two volumes hold the same bytes (and the checksums are real)
same_bytes() {
	local a b
	a=$(vsum h1 "$2") b=$(vsum h2 "$3")
	assert_match '^[0-9a-f]{64} ' "$a" "$1: h1's volume was read"
	assert_eq "$a" "$b" "$1: same bytes on both sides"
}
# vwrite HOST DS OFFSET_MB: 1 MB of random data at OFFSET_MB, written through
vwrite() {
	local d; d=$(dev "$1" "$2") || return 1
	on "$1" dd if=/dev/urandom of="$d" bs=1M count=1 seek="$3" conv=fsync,notrunc status=none
}
# ro_write HOST DS: true if a write to the volume's device is refused
ro_write() {
	local d; d=$(dev "$1" "$2") || return 1
	! on "$1" dd if=/dev/zero of="$d" bs=4k count=1 conv=fsync,notrunc status=none 2>/dev/null
}

log_must vwrite h1 "$V1" 0
log_must vwrite h1 "$V1" 7

run_zrep h1 init "$V1" h2 "$V2"
expect_rc 0 "init of a volume succeeds"
assert_eq "volume" "$(on h2 zfs get -H -o value type "$V2")" "the replica is a volume"
assert_eq "on" "$(on h2 zfs get -H -o value readonly "$V2")" "the replica is read-only"
assert_eq "yes" "$(on h1 zfs get -H -o value zrep:master "$V1")" "h1 is master"
same_bytes "after init" "$V1" "$V2"
ro_write h2 "$V2" && pass "the replica's device refuses writes" || fail "the replica's device refuses writes"

log_must vwrite h1 "$V1" 3
[[ $(vsum h1 "$V1") != "$(vsum h2 "$V2")" ]] && pass "a write on h1 changes its checksum" || fail "a write on h1 changes its checksum"
run_zrep h1 sync "$V1"
expect_rc 0 "sync of a volume succeeds"
same_bytes "after a sync" "$V1" "$V2"
assert_match "$V1" "$(on h1 zrep status 2>&1)" "status lists the volume"

run_zrep h1 failover "$V1"
expect_rc 0 "failover of a volume succeeds"
assert_eq "yes" "$(on h2 zfs get -H -o value -s local zrep:master "$V2")" "h2 is master after failover"
assert_eq "" "$(on h1 zfs get -H -o value -s local zrep:master "$V1")" "h1 is no longer master"
assert_eq "on" "$(on h1 zfs get -H -o value readonly "$V1")" "h1's volume is read-only"
assert_eq "off" "$(on h2 zfs get -H -o value readonly "$V2")" "h2's volume is writable"
log_must vwrite h2 "$V2" 12
run_zrep h2 sync "$V2"
expect_rc 0 "sync back from h2 succeeds"
same_bytes "after the sync back" "$V1" "$V2"
ro_write h1 "$V1" && pass "h1's device refuses writes after the failover" || fail "h1's device refuses writes after the failover"
on h1 udevadm settle -t 10 2>/dev/null || true
test_done
