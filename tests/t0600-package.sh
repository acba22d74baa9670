#!/usr/bin/env bash
# t0600-package: the Debian package (make deb: build/zrep_VERSION_ARCH.deb). dpkg -i installs it
# (the bed's hosts share this machine's root filesystem, so once installs it on every host): the
# files are where zrep(8) says, /etc/default/zrep is a conffile, systemd-analyze verify accepts
# the installed units, the installed completion completes the bed's real zrep filesystems, and
# a replication (init + sync) runs with /usr/sbin/zrep on both sides (ZREP_PATH=/usr/sbin/zrep
# for the remote expire). dpkg -r removes everything but the conffile, dpkg -P that too.
# Skips (77) where there is no .deb (e.g. in a lane that did not run make deb) or no dpkg, and
# when a zrep package or an /etc/default/zrep that is not ours is there already.
. "$(dirname "$0")/lib.sh"

ver=$(sed -n 's/^#define ZREP_VERSION "\(.*\)"/\1/p' "$REPO/src/version.h")
command -v dpkg >/dev/null || skip_test "no dpkg on this machine"
deb=$REPO/build/zrep_${ver}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || skip_test "no $deb (run make deb first; make check does)"
if dpkg-query -W -f='${Status}' zrep 2>/dev/null | grep -qv "not-installed"; then
	skip_test "a zrep package is installed here already ($(dpkg-query -W -f='${Status} ${Version}' zrep)); dpkg -P zrep first"
fi
[[ -e /etc/default/zrep ]] && skip_test "/etc/default/zrep exists and belongs to no package: purging would remove it"
need_hosts 2

# dpkg's lock may be held by an apt run of another job on the machine: retry for a while.
dpkg_retry() {
	local i out
	for ((i = 0; i < 60; i++)); do
		out=$("$@" 2>&1) && { printf '%s\n' "$out"; return 0; }
		grep -q "lock" <<<"$out" || { printf '%s\n' "$out" >&2; return 1; }
		sleep 2
	done
	printf '%s\n' "$out" >&2
	return 1
}
installed=0
cleanup() { ((installed)) && dpkg_retry dpkg -P zrep >/dev/null; }
trap cleanup EXIT

log_must dpkg_retry dpkg -i "$deb" >/dev/null
installed=1
assert_eq "install ok installed $ver" "$(dpkg-query -W -f='${Status} ${Version}' zrep)" "dpkg -i installed zrep $ver"
mapfile -t files < <(dpkg -L zrep | while read -r f; do [[ -f $f ]] && echo "$f"; done | sort)
for f in /usr/sbin/zrep /usr/share/man/man8/zrep.8.gz /usr/share/bash-completion/completions/zrep \
	/lib/systemd/system/zrep-sync.service /lib/systemd/system/zrep-sync.timer /etc/default/zrep \
	/usr/share/doc/zrep/copyright /usr/share/doc/zrep/README.md.gz; do
	if grep -qxF "$f" <<<"$(printf "%s\n" "${files[@]}")"; then pass "package ships $f"; else fail "package lacks $f"; fi
done
assert_match "^ /etc/default/zrep [0-9a-f]{32}" "$(dpkg-query -W -f='${Conffiles}\n' zrep)" "/etc/default/zrep is a conffile"
assert_eq "" "$(grep -v '^#' /etc/default/zrep | grep .)" "/etc/default/zrep: every setting commented out"
assert_eq "zrep $ver" "$(/usr/sbin/zrep version | head -1)" "/usr/sbin/zrep is version $ver"
manopt=()
if command -v man >/dev/null; then
	assert_eq "/usr/share/man/man8/zrep.8.gz" "$(man -w zrep 2>/dev/null)" "man finds zrep(8)"
else
	skip_part "no man here (man-db): zrep(8) not looked up, systemd-analyze verify --man=no"
	manopt=(--man=no)
fi
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "${manopt[@]}" /lib/systemd/system/zrep-sync.service /lib/systemd/system/zrep-sync.timer 2>&1)
	rc=$?
	assert_eq "0:" "$rc:$out" "systemd-analyze verify: the installed units are clean"
	assert_match "^OnCalendar=minutely$" "$(grep ^OnCalendar /lib/systemd/system/zrep-sync.timer)" "timer: every minute"
else
	skip_part "no systemd-analyze here: the units were not verified"
fi

# A replication with the installed binary on both sides.
export ZREP_PATH=/usr/sbin/zrep
log_must on h1 zfs create "$P1/pkg"
log_must on h1 bash -c "seq 1 5000 > /$P1/pkg/f"
log_must on h1 env ZREP_PATH=/usr/sbin/zrep /usr/sbin/zrep init "$P1/pkg" h2 "$P2/pkg" >/dev/null
log_must on h1 bash -c "seq 1 9000 > /$P1/pkg/f"
err=$(on h1 env ZREP_PATH=/usr/sbin/zrep /usr/sbin/zrep sync "$P1/pkg" 2>&1 >/dev/null)
assert_eq 0 "$?" "sync with /usr/sbin/zrep"
assert_eq "" "$(grep -i 'expire' <<<"$err")" "the remote expire ran (/usr/sbin/zrep on h2): no warning"
remount h2 "$P2/pkg"
assert_eq "$(checksum_tree h1 "/$P1/pkg")" "$(checksum_tree h2 "/$P2/pkg")" "data byte-identical on h2"
assert_eq "$P1/pkg@zrep_000001" "$(on h1 /usr/sbin/zrep getlastsent "$P1/pkg")" "zrep_000001 sent"
assert_match "^[0-9]+$" "$(on h2 zfs get -H -o value -s local zrep:sent "$P2/pkg@zrep_000001")" "marked sent on h2"

# The service's command, as the installed unit has it, syncs every master.
cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/zrep-sync.service)
assert_match "^/usr/sbin/zrep sync .*all$" "$cmd" "zrep-sync.service runs zrep sync ... all"
log_must on h1 bash -c "echo more >> /$P1/pkg/f"
read -ra cmdw <<<"$cmd"
log_must on h1 env ZREP_PATH=/usr/sbin/zrep "${cmdw[@]}" >/dev/null
assert_eq "$P1/pkg@zrep_000002" "$(on h1 /usr/sbin/zrep getlastsent "$P1/pkg")" "the service's command synced zrep_000002"

# The installed completion on the bed's real zfs.
compl() { # HOST LINE: the completions of LINE on HOST
	on "$1" bash --norc -c '. /usr/share/bash-completion/completions/zrep
		COMP_LINE=$1 COMP_POINT=${#1}; read -ra COMP_WORDS <<<"$1"; COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_zrep; printf "%s\n" "${COMPREPLY[@]}" | grep . | LC_ALL=C sort | tr "\n" " "' _ "$2"
}
assert_eq "all $P1/pkg " "$(compl h1 "zrep sync ")" "completion on h1: its zrep filesystem and all"
assert_eq "$P2/pkg " "$(compl h2 "zrep list ")" "completion on h2: the replica"
assert_eq "" "$(compl h1 "zrep -t other list ")" "completion with -t other: none of tag zrep"
assert_eq "$P1/pkg@zrep_000000 $P1/pkg@zrep_000001 $P1/pkg@zrep_000002 " "$(compl h1 "zrep sync $P1/pkg@")" "completion of FS@: the zrep snapshots"

# dpkg -r: only the conffile stays; dpkg -P: nothing.
log_must dpkg_retry dpkg -r zrep >/dev/null
assert_eq "deinstall ok config-files" "$(dpkg-query -W -f='${Status}' zrep)" "dpkg -r: config-files state"
left=$(for f in "${files[@]}"; do [[ -e $f ]] && echo "$f"; done)
assert_eq "/etc/default/zrep" "$left" "dpkg -r: only the conffile is left"
# ZREP_PATH is honoured: with the installed zrep gone an explicit expire's remote call fails
# (build/zrep here); a sync needs no zrep on the destination and still works.
log_must on h1 env ZREP_PATH=/usr/sbin/zrep zrep sync "$P1/pkg" >/dev/null
err=$(on h1 env ZREP_PATH=/usr/sbin/zrep zrep expire "$P1/pkg" 2>&1 >/dev/null)
assert_match "remote expire on h2:.* failed" "$err" "without the package, ZREP_PATH=/usr/sbin/zrep makes the remote expire fail"
log_must dpkg_retry dpkg -P zrep >/dev/null
installed=0
left=$(for f in "${files[@]}"; do [[ -e $f ]] && echo "$f"; done)
assert_eq "" "$left" "dpkg -P: no file of the package left"
assert_eq "" "$(dpkg-query -W -f='${Status}' zrep 2>/dev/null | grep -v not-installed)" "dpkg -P: not known to dpkg any more"
test_done
