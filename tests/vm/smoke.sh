#!/bin/bash
# Smoke test of the lane's VM: proves in-kernel OpenZFS works there and shows which features the
# zfs in the VM has. Run it with:  VM_CMD='tests/vm/smoke.sh' tests/vm/lane 2.3
# Needs root and a kernel zfs; makes two pools on sparse files in /var/tmp and destroys them.
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # DESCRIPTION command...
  local d=$1; shift
  local o
  if o=$("$@" 2>&1); then ok "$d"; else no "$d"; printf '    %s\n' "$o" | head -n 5; fi
}
feature() { # NAME command... : reports whether the zfs here has a feature (not a failure)
  local n=$1; shift
  if "$@" >/dev/null 2>&1; then echo "feature $n: yes"; else echo "feature $n: no"; fi
}

d=/var/tmp/smoke
mkdir -p $d
cleanup() {
  zpool destroy -f smk_a 2>/dev/null
  zpool destroy -f smk_b 2>/dev/null
  rm -rf $d
}
trap cleanup EXIT
cleanup; mkdir -p $d

echo "# $(zfs version 2>&1 | tr '\n' ' ')"
truncate -s 512M $d/a.img $d/b.img
check "zpool create a (sparse file)" zpool create -O mountpoint=/smk_a smk_a $d/a.img
check "zpool create b (sparse file)" zpool create -O mountpoint=/smk_b smk_b $d/b.img
check "zfs create" zfs create smk_a/fs
check "user property set" zfs set zrep:master=yes zrep:dest-host=h2 smk_a/fs
check "user property read" test "$(zfs get -H -o value zrep:master smk_a/fs)" = yes
check "user property source local" test "$(zfs get -H -o source zrep:master smk_a/fs)" = local
dd if=/dev/urandom of=/smk_a/fs/f1 bs=1M count=8 status=none
check "snapshot" zfs snapshot smk_a/fs@s1
check "send -nvP (size estimate)" bash -c 'zfs send -nvP smk_a/fs@s1 | grep -q "^size"'
check "send -p | recv -u -o readonly=on" bash -c 'zfs send -p smk_a/fs@s1 | zfs recv -u -o readonly=on smk_b/fs'
check "received: not mounted (-u)" test "$(zfs get -H -o value mounted smk_b/fs)" = no
check "received: readonly=on local" test "$(zfs get -H -o value,source readonly smk_b/fs | tr '\t' ' ')" = "on local"
check "received: user property (received)" test "$(zfs get -H -o value,source zrep:master smk_b/fs | tr '\t' ' ')" = "yes received"
check "guid equal on both sides" test "$(zfs get -H -o value guid smk_a/fs@s1)" = "$(zfs get -H -o value guid smk_b/fs@s1)"

dd if=/dev/urandom of=/smk_a/fs/f2 bs=1M count=4 status=none
sync
check "written property > 0" bash -c 'w=$(zfs get -Hp -o value written smk_a/fs); [ "$w" -gt 1000000 ]'
check "written@snap property" bash -c 'w=$(zfs get -Hp -o value written@s1 smk_a/fs); [ "$w" -gt 1000000 ]'
check "snapshot s2" zfs snapshot smk_a/fs@s2
check "bookmark" zfs bookmark smk_a/fs@s2 smk_a/fs#b2
check "bookmark listed" bash -c 'zfs list -H -t bookmark -o name | grep -qx "smk_a/fs#b2"'
check "hold" zfs hold zrep_test smk_a/fs@s1
check "holds listed" bash -c 'zfs holds -H smk_a/fs@s1 | grep -q zrep_test'
if zfs destroy smk_a/fs@s1 >/dev/null 2>&1; then no "destroy refused while held"; else ok "destroy refused while held"; fi
check "release" zfs release zrep_test smk_a/fs@s1

# Interrupted resumable receive: cut the incremental stream, read the token, resume with send -t.
dd if=/dev/urandom of=/smk_a/fs/f3 bs=1M count=16 status=none
check "snapshot s3" zfs snapshot smk_a/fs@s3
zfs send -i @s1 smk_a/fs@s3 | head -c 3000000 | zfs recv -s -u smk_b/fs >/dev/null 2>&1
tok=$(zfs get -H -o value receive_resume_token smk_b/fs)
check "recv -s left a receive_resume_token" test -n "$tok" -a "$tok" != -
check "send -t TOKEN | recv -s resumes" bash -c "zfs send -t '$tok' | zfs recv -s -u smk_b/fs"
check "resumed: s3 guid equal" test "$(zfs get -H -o value guid smk_a/fs@s3)" = "$(zfs get -H -o value guid smk_b/fs@s3 2>/dev/null)"
check "resumed: token gone" test "$(zfs get -H -o value receive_resume_token smk_b/fs)" = -

# Incremental from a bookmark, and recv -F after a change on the destination.
check "destroy s2 (bookmark stays)" zfs destroy smk_a/fs@s2
dd if=/dev/urandom of=/smk_a/fs/f4 bs=1M count=2 status=none
check "snapshot s4" zfs snapshot smk_a/fs@s4
check "send -i fs#bookmark (to a new fs)" bash -c 'zfs send smk_a/fs@s1 | zfs recv -u smk_b/bm && zfs send -i smk_a/fs#b2 smk_a/fs@s4 | cat >/dev/null'
check "send -I s3 s4 | recv -F" bash -c 'zfs send -I @s3 smk_a/fs@s4 | zfs recv -F -u smk_b/fs'
check "zfs list -Hp -o name,guid -t snapshot" bash -c 'zfs list -Hp -o name,guid -t snapshot -r smk_b/fs | grep -q "@s4"'
check "rename snapshot" zfs rename smk_a/fs@s4 smk_a/fs@s4r
check "rollback -r" zfs rollback -r smk_a/fs@s3

feature "zfs list -j (json)" zfs list -j smk_a
feature "zfs send -w (raw)" bash -c 'zfs send -w smk_a/fs@s1 | cat >/dev/null'
# OpenZFS 2.1 on Linux 6.x refuses to write a stream straight to /dev/null (EINVAL, "Writing
# directly to /dev/{null,zero} files on certain kernels is not currently implemented").
feature "zfs send >/dev/null (direct)" bash -c 'zfs send smk_a/fs@s1 >/dev/null'
feature "zfs send --saved" bash -c 'zfs send --help 2>&1 | grep -q saved'
feature "zfs recv -x" bash -c 'zfs send smk_a/fs@s1 | zfs recv -u -x zrep:master smk_b/x'
feature "zfs redact" bash -c 'zfs 2>&1 | grep -q "redact "'
feature "zvol" bash -c 'zfs create -V 16M smk_a/vol && zfs destroy smk_a/vol'
feature "zfs diff" bash -c 'zfs diff smk_a/fs@s1 smk_a/fs@s3 >/dev/null'
echo "# pool features: $(zpool get -H -o property all smk_a | grep -c '^feature@')"

echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
