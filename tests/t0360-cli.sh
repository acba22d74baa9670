#!/usr/bin/env bash
# t0360-cli: every command answers missing, extra and malformed arguments, unknown datasets
# and hostile names with one line on stderr starting "zrep: ", nothing on stdout, a non-zero
# exit status, and no change on either host. Also: version, -h, unknown commands.
. "$(dirname "$0")/lib.sh"
need_hosts 2

log_must on h1 zfs create "$P1/src"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
log_must on h1 zrep sync "$P1/src" >/dev/null
state() {
	for h in h1 h2; do
		on "$h" zfs list -H -t all -r -o name "$(pool_of $h)"
		on "$h" zfs get -H -o name,property,value -s local,received all "$(pool_of $h)" -r | grep -v 'lock-'
	done
}
before=$(state)

check() {  # DESCRIPTION ARGS...: zrep ARGS must fail with one "zrep: " line and no stdout
	local what=$1; shift
	local out err rc
	out=$(on h1 zrep "$@" 2>/tmp/cli-err.$$); rc=$?
	err=$(cat /tmp/cli-err.$$)
	if (( rc == 0 )); then fail "$what: exit 0"; return; fi
	if [[ -n $out ]]; then fail "$what: printed on stdout: $out"; return; fi
	if [[ $(wc -l <<<"$err") != 1 || $err != "zrep: "* ]]; then
		fail "$what: stderr is not one 'zrep: ' line"; printf '#   %s\n' "$err"; return
	fi
	pass "$what (exit $rc): ${err:0:90}"
}

check "unknown command" frobnicate
check "invalid tag" -t 'X Y' status
check "-t without a tag" -t
for cmd in init sync synconly snaponly sentsync refresh failover takeover getlastsent uptodate clear changeconfig; do
	check "$cmd without arguments" $cmd
done
check "init, one argument short" init "$P1/src" h2
check "init, one argument too many" init "$P1/src" h2 "$P2/x" extra
check "init, unknown option" init -z "$P1/src" h2 "$P2/x"
check "sync, unknown option" sync -z "$P1/src"
check "sync -q without a number" sync -q "$P1/src"
check "sync all plus a name" sync all "$P1/src"
check "synconly of a missing fs" synconly "$P1/nosuch"
check "snaponly of a missing fs" snaponly "$P1/nosuch"
check "expire, unknown option" expire -z
check "expire of a missing fs" expire "$P1/nosuch"
check "status of a missing fs" status "$P1/nosuch"
check "list of a missing fs" list "$P1/nosuch"
check "getlastsent, two arguments" getlastsent "$P1/src" "$P1/src"
check "clear of a missing fs" clear -f "$P1/nosuch"
check "sentsync of a non-zrep snapshot" sentsync "$P1/src@nosuch"
check "sync to a snapshot that is not zrep's" sync "$P1/src@manual"
check "failover of a missing fs" failover "$P1/nosuch"
check "takeover of a missing fs" takeover "$P1/nosuch"
check "refresh of a master" refresh "$P1/src"
check "version with an argument" version extra
for name in "-rf" "$P1/a'b" "$P1/a\$(touch /tmp/pwned)" "$P1/a;touch /tmp/pwned" "$P1/my fs" "$P1/a\`id\`"; do
	for cmd in sync synconly snaponly expire status getlastsent uptodate; do
		check "$cmd '$name'" $cmd -- "$name"
	done
done
check "init to a hostile host" init "$P1/src" 'h2;touch /tmp/pwned' "$P2/x"
check "init to a '-' host" init "$P1/src" -oProxyCommand=touch "$P2/x"
for h in h1 h2; do assert_eq "no" "$(on $h test -e /tmp/pwned && echo yes || echo no)" "no command ran on $h"; done
assert_eq "$before" "$(state)" "nothing changed on either host"

# The good paths of the informational commands.
v=$(on h1 zrep version); assert_match '^zrep [0-9]+\.[0-9]+' "$(head -1 <<<"$v")" "version: first line 'zrep VERSION'"
assert_eq 2 "$(wc -l <<<"$v")" "version: the project URL on the second line"
u=$(on h1 zrep -h)
for cmd in init sync synconly snaponly sentsync refresh failover takeover status list getlastsent expire uptodate clear changeconfig version; do
	assert_match "zrep $cmd" "$u" "usage lists $cmd"
done
assert_eq "$u" "$(on h1 zrep)" "zrep alone prints the usage"
rm -f /tmp/cli-err.$$
test_done
