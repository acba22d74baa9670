#!/usr/bin/env bash
# tests/check/man.sh [BINDIR]: doc/zrep.8 cannot drift from the program.
#
# Checks, with the zrep and zrep-plumb of BINDIR (default build/):
#   - mandoc -T lint reports nothing;
#   - .TH names the version `zrep version` prints;
#   - every command and alias of `zrep -h` has a .SS heading under COMMANDS, and every option
#     letter of its synopsis lines is in one of its headings and documented as a .TP tag in
#     that command's blocks; and the other way round (no heading or option zrep -h lacks);
#   - the global options of the usage line are .TP tags under GLOBAL OPTIONS;
#   - the .TP tags under ENVIRONMENT are exactly `zrep-plumb config-vars` plus ZREP_CONFIG;
#   - every exit code of src/cmd.h that the sources use is a .TP tag under EXIT STATUS;
#   - every hidden (internal, "_name") command of src/main.c is named under REMOTE CALLS;
#   - contrib/default/zrep (the example /etc/default/zrep) names every variable, commented out.
# Prints "ok - ..." / "not ok - ..." lines; exits 1 on any failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$repo/build}
man=${ZREP_MAN:-$repo/doc/zrep.8} # (another page: for testing this test)
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }

for x in "$bin/zrep" "$bin/zrep-plumb"; do
	[[ -x $x ]] || { echo "man.sh: $x not built" >&2; exit 2; }
done
command -v mandoc >/dev/null || { echo "man.sh: mandoc missing (scripts/install-deps)" >&2; exit 2; }

lint=$(mandoc -T lint -W all "$man" 2>&1)
if [[ -z $lint ]]; then ok "mandoc -T lint -W all: clean"; else bad "mandoc -T lint:"; sed 's/^/#   /' <<<"$lint"; fi

ver=$("$bin/zrep" version | awk 'NR == 1 {print $2}')
if grep -q "^\.TH ZREP 8 [^ ]* \"zrep $ver\"" "$man"; then ok ".TH says zrep $ver"; else bad ".TH does not say zrep $ver"; fi

# section NAME: the roff lines of one .SH section
section() { awk -v s="$1" '/^\.SH /{on = ($0 == ".SH " s || $0 == ".SH \"" s "\"")} on && !/^\.SH /' "$man"; }
# .TP/.TQ tags of the roff lines on stdin: the first word after .B/.BI/.BR of the line after .TP
tags() { awk 'prev ~ /^\.(TP|TQ)$/ && /^\.B[IR]? / {w = $2; gsub(/"/, "", w); print w} {prev = $0}'; }
unroff() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(..//g' -e 's/\\&//g'; }

help=$("$bin/zrep" -h)
# synopsis lines of zrep -h: "CMD OPTLETTERS..." per line
syn=$(sed -n 's/^  zrep //p' <<<"$help" | while read -r cmd rest; do
	rest=${rest%%   (*}
	printf '%s %s\n' "$cmd" "$(grep -oE '(^|[[ |])-[A-Za-z]\b' <<<"$rest" | tr -d '[ |' | sort -u | tr '\n' ' ')"
done)
mapfile -t cmds < <(awk '{print $1}' <<<"$syn" | sort -u)
aliases=$(sed -n 's/^aliases: //p' <<<"$help" | tr ',' '\n' | sed 's/^ *//')

# COMMANDS: one block per .SS; heading names (before the first font change) and options
blocks=$(section COMMANDS | awk '
	/^\.SS / { n++; h = $0; sub(/^\.SS "?/, "", h); print "H" n "\t" h; next }
	n { print "B" n "\t" $0 }')
heading_names() { # N: the command names of block N's heading: "name[, alias]" before the first \f
	awk -F'\t' -v k="H$1" '$1 == k {print $2}' <<<"$blocks" | sed 's/\\f.*//; s/"$//' | unroff |
		awk '{print $1; for (i = 2; i <= NF; i++) if ($(i - 1) ~ /,$/) print $i}' | tr -d ','
}
heading_opts() { # N: the option letters of block N's heading (its aliases left out)
	local names
	names=$(heading_names "$1")
	awk -F'\t' -v k="H$1" '$1 == k {print $2}' <<<"$blocks" | grep -oE '\\-[A-Za-z]\b' | tr -d '\\' |
		grep -vxF -- "$names" | sort -u
}
block_tags() { awk -F'\t' -v k="B$1" '$1 == k {print $2}' <<<"$blocks" | tags | sed 's/\\-/-/' | sort -u; }
nblocks=$(grep -c '^H' <<<"$blocks")
blocks_of() { # CMD: numbers of the blocks whose heading names CMD
	local k
	for ((k = 1; k <= nblocks; k++)); do grep -qxF -- "$1" <<<"$(heading_names "$k")" && echo "$k"; done
}
for c in "${cmds[@]}"; do
	mapfile -t bl < <(blocks_of "$c")
	if ((${#bl[@]} == 0)); then bad "command $c: no .SS heading under COMMANDS"; continue; fi
	want=$(awk -v c="$c" '$1 == c {for (i = 2; i <= NF; i++) print $i}' <<<"$syn" | sort -u)
	have=$(for k in "${bl[@]}"; do heading_opts "$k"; done | sort -u)
	tagd=$(for k in "${bl[@]}"; do block_tags "$k"; done | sort -u)
	missing=$(comm -23 <(echo "$want" | grep .) <(echo "$have" | grep .))
	extra=$(comm -13 <(echo "$want" | grep .) <(echo "$have" | grep .))
	untagged=$(comm -23 <(echo "$want" | grep .) <(echo "$tagd" | grep .))
	if [[ -z $missing$extra$untagged ]]; then
		ok "command $c: options $(echo $want) in the heading and documented"
	else
		[[ -n $missing ]] && bad "command $c: option(s) $(echo $missing) of zrep -h missing from its man heading"
		[[ -n $extra ]] && bad "command $c: man heading has option(s) $(echo $extra) that zrep -h does not list"
		[[ -n $untagged ]] && bad "command $c: option(s) $(echo $untagged) have no .TP entry in its man section"
	fi
done
for ((k = 1; k <= nblocks; k++)); do
	for nm in $(heading_names "$k"); do
		known=$(printf '%s\n' "${cmds[@]}"; awk '{print $1}' <<<"$aliases")
		grep -qxF -- "$nm" <<<"$known" || bad "man heading names $nm, which zrep -h does not list"
	done
done
while read -r a c; do
	[[ -n $a ]] || continue
	found=0
	for k in $(blocks_of "$c"); do grep -qxF -- "$a" <<<"$(heading_names "$k")" && found=1; done
	if ((found)); then ok "alias $a of $c in its man heading"; else bad "alias $a of $c missing from the man headings"; fi
done <<<"$aliases"

# global options
gopts=$(sed -n 's/^usage: zrep //p' <<<"$help" | grep -oE '\[-[A-Za-z]' | tr -d '[' | sort -u)
gtags=$(section "GLOBAL OPTIONS" | tags | sed 's/\\-/-/' | sort -u)
gmiss=$(comm -23 <(echo "$gopts") <(echo "$gtags"))
if [[ -z $gmiss ]]; then ok "global options $(echo $gopts) documented"; else bad "global option(s) $(echo $gmiss) not documented"; fi

# environment
want=$({ "$bin/zrep-plumb" config-vars; echo ZREP_CONFIG; } | sort -u)
have=$(section ENVIRONMENT | tags | sort -u)
missing=$(comm -23 <(echo "$want") <(echo "$have"))
extra=$(comm -13 <(echo "$want") <(echo "$have"))
if [[ -z $missing$extra ]]; then
	ok "ENVIRONMENT documents exactly the $(wc -l <<<"$want") variables zrep reads"
else
	[[ -n $missing ]] && bad "ENVIRONMENT lacks variable(s) zrep reads: $(echo $missing)"
	[[ -n $extra ]] && bad "ENVIRONMENT documents variable(s) zrep does not read: $(echo $extra)"
fi

# exit status
have=$(section "EXIT STATUS" | tags | sort -u)
while read -r name val; do
	if ! grep -rqw --exclude=cmd.h "$name" "$repo/src"; then continue; fi
	if grep -qxF "$val" <<<"$have"; then ok "exit status $val ($name) documented"; else bad "exit status $val ($name) not under EXIT STATUS"; fi
done < <(sed -n 's/^[[:space:]]*\(EXIT_[A-Z_]*\) *= *\([0-9]*\).*/\1 \2/p' "$repo/src/cmd.h")

# remote calls: the hidden internal commands
rc=$(section "REMOTE CALLS" | unroff)
for c in $(grep -oE '^[[:space:]]*\{ "_[a-z]+"' "$repo/src/main.c" | grep -oE '_[a-z]+'); do
	if grep -q -- "$c" <<<"$rc"; then ok "internal command $c under REMOTE CALLS"; else bad "internal command $c not under REMOTE CALLS"; fi
	if grep -q -- "$c" <<<"$help"; then bad "internal command $c shows in zrep -h"; fi
done

# the example /etc/default/zrep: every variable (but the deprecated, unsupported and ignored
# ones) is there, commented out, and the lines parse without a warning when uncommented
def=$repo/contrib/default/zrep
if grep -v '^#' "$def" | grep -q .; then bad "contrib/default/zrep sets something (everything must be commented out)"; fi
for v in $("$bin/zrep-plumb" config-vars); do
	case $v in MBUFFER | BBCP | PERL_BIN | ZREP_QUIET) continue ;; esac
	grep -q "^#$v=" "$def" || bad "contrib/default/zrep lacks #$v="
done
err=$(ZREP_CONFIG=<(sed -n 's/^#\([A-Z_]*=\)/\1/p' "$def") "$bin/zrep" version 2>&1 >/dev/null | grep -v ': debug: ')
if [[ -z $err ]]; then ok "contrib/default/zrep: every variable, and each line parses"; else bad "contrib/default/zrep uncommented: $err"; fi

if ((fails)); then echo "man.sh: $fails failed"; exit 1; fi
echo "man.sh: all passed"
