#!/usr/bin/env bash
# tests/check/completion.sh [BINDIR]: drives the bash completion function of
# contrib/bash-completion/zrep with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as bash sets them,
# with a stand-in `zfs` on PATH (it prints what `zfs get/list -H` prints for a small pool) and a
# HOME whose ~/.ssh/known_hosts holds plain, bracketed, hashed and marker entries. The commands,
# aliases and option letters expected come from `zrep -h` of BINDIR (default build/), so a new
# option without completion fails here. (tests/t0600-package.sh runs the installed file against
# the bed's real zfs.)
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$repo/build}
comp=${ZREP_COMPLETION:-$repo/contrib/bash-completion/zrep}
[[ -x $bin/zrep ]] || { echo "completion.sh: $bin/zrep not built" >&2; exit 2; }
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/home/.ssh"
cat >"$tmp/bin/zfs" <<'EOF'
#!/bin/sh
# stand-in zfs: tank/a is a master, tank/b a destination (received), tank/a/c inherits
# (not a zrep filesystem), tank/x has only the tag "other".
case "$*" in
"get -H -o name,source zrep:dest-fs")
	printf 'tank\t-\ntank/a\tlocal\ntank/a/c\tinherited from tank/a\ntank/b\treceived\ntank/x\t-\n' ;;
"get -H -o name,source other:dest-fs")
	printf 'tank\t-\ntank/a\t-\ntank/a/c\t-\ntank/b\t-\ntank/x\tlocal\n' ;;
"list -H -o name -t filesystem,volume")
	printf 'tank\ntank/a\ntank/a/c\ntank/b\ntank/x\n' ;;
"list -H -o name -t snapshot -r tank/a")
	printf 'tank/a@zrep_000001\ntank/a@zrep_000002\ntank/a@manual\ntank/a/c@zrep_000001\n' ;;
*) echo "zfs stand-in: unexpected: $*" >&2; exit 1 ;;
esac
EOF
chmod +x "$tmp/bin/zfs"
cat >"$tmp/home/.ssh/known_hosts" <<'EOF'
h2,10.0.0.2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA
[backup.example.org]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB
|1|hGnCVDKnR2QoSv5jN7ZUSLwHeLs=|ZTtfXbeEBIThkp7KDgG0r6YGv/o= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC
@cert-authority *.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID
@revoked old.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE
EOF

# complete LINE: COMPREPLY (sorted, one a line) for the command line LINE with the cursor at
# its end, split into COMP_WORDS the way bash does (COMP_WORDBREAKS has @ and :).
complete_line() {
	HOME=$tmp/home PATH=$tmp/bin:$PATH ZREPTAG=${ZREPTAG:-} _ZREP_GLOBAL_KNOWN_HOSTS= bash --norc --noprofile -c '
		. "$1" || exit 3
		COMP_LINE=$2 COMP_POINT=${#2}
		# bash: words split at blanks, and "@" and ":" are words of their own
		read -ra raw <<<"$2"
		COMP_WORDS=()
		for x in "${raw[@]}"; do
			while [[ $x =~ ^([^@:]*)([@:])(.*)$ ]]; do
				[[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
				COMP_WORDS+=("${BASH_REMATCH[2]}")
				x=${BASH_REMATCH[3]}
			done
			[[ -n $x ]] && COMP_WORDS+=("$x")
		done
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_zrep zrep "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' _ "$comp" "$1"
}

# check LINE EXPECTED...: the completions of LINE are exactly EXPECTED
check() {
	local line=$1 got want
	shift
	got=$(complete_line "$line" | grep . | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | grep . | sort | tr '\n' ' ')
	if [[ $got == "$want" ]]; then ok "'$line' -> ${want:-(nothing)}"; else bad "'$line' -> '$got', expected '$want'"; fi
}

help=$("$bin/zrep" -h)
mapfile -t cmds < <(sed -n 's/^  zrep \([a-z]*\).*/\1/p' <<<"$help" | sort -u)
mapfile -t als < <(sed -n 's/^aliases: //p' <<<"$help" | tr ',' '\n' | awk '{print $1}')
check "zrep " "${cmds[@]}" "${als[@]}" help
check "zrep sn" snaponly
check "zrep -" -D -R -t -h $(printf '%s\n' "${als[@]}" | grep '^-')
check "zrep -D -t " # a tag: free text
# each command's options: exactly the letters of its synopsis lines in zrep -h
for c in "${cmds[@]}"; do
	want=$(sed -n "s/^  zrep $c //p" <<<"$help" | sed 's/   (.*//' | grep -oE '(^|[[ |(])(-[A-Za-z]\b|--[a-z]+)' | tr -d '[ |(' | sort -u)
	check "zrep $c -" $want
done
check "zrep -S -" -f -v -r -c -q -P -n --json
check "zrep sync " tank/a tank/b all
check "zrep sync -q 300 " tank/a tank/b all
check "zrep sync -q " # the value of -q
check "zrep -S tank/" tank/a tank/b
check "zrep sync tank/a@" zrep_000001 zrep_000002
check "zrep sync tank/a@zrep_0000" zrep_000001 zrep_000002
check "zrep status " tank/a tank/b
check "zrep status -m -t " # the value of -t
check "zrep expire -L " tank/a tank/b all
check "zrep list -v t" tank/a tank/b
check "zrep uptodate tank/a " # one filesystem only
check "zrep -t other sync " tank/x all
ZREPTAG=other check "zrep list " tank/x
check "zrep init " tank tank/a tank/a/c tank/b tank/x
check "zrep init tank/x " backup.example.org h2 10.0.0.2
check "zrep -i tank/x h" h2
check "zrep init tank/x h2 " # DESTFS: free text
check "zrep failover tank/a " backup.example.org h2 10.0.0.2
check "zrep takeover -L " tank/a tank/b
check "zrep changeconfig -d tank/b " backup.example.org h2 10.0.0.2
check "zrep version " # nothing

if ((fails)); then echo "completion.sh: $fails failed"; exit 1; fi
echo "completion.sh: all passed"
