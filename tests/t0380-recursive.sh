#!/usr/bin/env bash
# t0380-recursive: -R (and ZREP_R=-R): init and sync a filesystem with children; every zrep
# snapshot exists on each descendant on both sides, data identical in the children, the
# received copy of TAG:master does not make the destination a master (split brain is judged on
# local values only), and expiry removes the descendants' old snapshots too.
# Needs: receive -u. zfs-fuse mounts received children at once, which counts as a
# modification, so the next incremental receive fails (shared/notes/zfs-fuse.md).
. "$(dirname "$0")/lib.sh"
need_hosts 2
feat=$(on h1 zrep-plumb features h2)
[[ $feat == *recv_u=1* ]] || skip_test "needs zfs receive -u (zfs-fuse mounts received children)"

log_must on h1 zfs create "$P1/tree"
log_must on h1 zfs create "$P1/tree/a"
log_must on h1 zfs create "$P1/tree/a/b"
log_must on h1 bash -c "echo top > /$P1/tree/f; echo a > /$P1/tree/a/f; echo b > /$P1/tree/a/b/f"
log_must on h1 env ZREP_SAVE_COUNT=2 zrep -R init "$P1/tree" h2 "$P2/tree" >/dev/null
for i in 1 2 3; do
	log_must on h1 bash -c "echo $i >> /$P1/tree/a/b/f"
	log_must on h1 env ZREP_R=-R zrep sync "$P1/tree" >/dev/null
done
for ds in tree tree/a tree/a/b; do
	assert_eq "zrep_000002 zrep_000003 " "$(on h2 zfs list -H -t snapshot -o name -d 1 "$P2/$ds" | sed 's/.*@//' | tr '\n' ' ')" "$ds: expired and synced recursively on h2"
	assert_eq "zrep_000002 zrep_000003 " "$(on h1 zfs list -H -t snapshot -o name -d 1 "$P1/$ds" | sed 's/.*@//' | tr '\n' ' ')" "$ds: expired recursively on h1"
done
assert_eq "" "$(on h2 zfs get -H -o value -s local zrep:master "$P2/tree")" "destination is not master (local value)"
for ds in tree tree/a tree/a/b; do on h2 zfs mount "$P2/$ds" 2>/dev/null; done
assert_eq "$(checksum_tree h1 "/$P1/tree/a/b")" "$(checksum_tree h2 "$(on h2 zfs get -H -o value mountpoint "$P2/tree/a/b")")" "grandchild data identical"
test_done
