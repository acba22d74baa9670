#!/usr/bin/env bash
# t0200-plumbing: the exec, host and zfs layers end to end, through the test helper
# build/zrep-plumb (not a shell pipeline): snapshot a dataset with a hostile name on h1,
# `zfs send | ssh h2 zfs receive` it, and check the data arrived byte-identical on h2.
# Negative case: the receiver refuses (destination exists) and the error reported is the
# receiver's, not the sender's broken pipe.
. "$(dirname "$0")/lib.sh"
need_hosts 2

# zfs-fuse refuses '$', quotes and ';' in dataset names (see shared/notes/zfs-fuse.md); use it where the zfs
# accepts it, else the hardest name it takes. Quoting of '$' is also covered by unit tests.
src="$P1/my fs'\$x"
if ! on h1 zfs create "$src" 2>/dev/null; then
	src="$P1/my fs:-x.y"
	log_must on h1 zfs create "$src"
fi
dst="$P2/got it:x"
mp=$(on h1 zfs get -H -o value mountpoint "$src")
log_must on h1 bash -c 'head -c 3000000 /dev/urandom > "$1/data.bin"; echo hello > "$1/name with space"' _ "$mp"

out=$(on h1 zrep-plumb snapsend "$src" s1 h2 "$dst")
assert_eq "sent $src@s1 to h2:$dst" "$out" "plumb sends a hostile-named dataset over ssh"
assert_eq "$(on h1 zfs get -H -o value guid "$src@s1")" "$(on h2 zfs get -H -o value guid "$dst@s1")" \
	"the snapshot guid is the same on both hosts"
remount h2 "$dst"
dmp=$(on h2 zfs get -H -o value mountpoint "$dst")
assert_eq "$(checksum_tree h1 "$mp")" "$(checksum_tree h2 "$dmp")" "data is byte-identical on h2"

# Negative: the destination now exists, so a second full receive is refused by zfs receive.
out=$(on h1 zrep-plumb snapsend "$src" s2 h2 "$dst") && fail "second send should fail"
assert_match '^blamed: receive: ' "$out" "the receiver is blamed, not the sender"
assert_match 'exists|must specify -F' "$out" "the receiver's own message is reported"

# Unreachable host: ssh's failure is reported as such.
out=$(on h1 zrep-plumb snapsend "$src" s3 h9 "$dst") && fail "send to an unknown host should fail"
assert_match '^blamed: receive: host not reachable' "$out" "an unknown host is reported unreachable"

# Feature detection on the other host, through ssh.
feat=$(on h1 zrep-plumb features h2)
assert_match 'holds=1' "$feat" "feature probe over ssh reads the remote zfs usage"
test_done
