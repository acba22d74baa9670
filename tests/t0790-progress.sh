#!/usr/bin/env bash
# t0790-progress: one refreshing progress line on stderr for init and for any transfer past a few
# MB, on a terminal (a pseudo-terminal made by script(1)) or with --progress anywhere on the
# command line; never without a terminal unless asked (cron); a small sync shows none.
. "$(dirname "$0")/lib.sh"
need_hosts 2
command -v script >/dev/null || skip_test "script(1) (util-linux) is needed for a pseudo-terminal"
S=$P1/src

log_must on h1 zfs create "$S"
log_must on h1 bash -c "head -c 6000000 /dev/urandom > /$S/f"
# init on a pseudo-terminal: the line, with the estimate's percent (referenced) at its end
out=$(on h1 script -qec "zrep init $S h2 $P2/dst" /dev/null 2>&1 | tr '\r' '\n')
assert_match "$S@zrep_000000 to h2:$P2/dst +[0-9.]+ (KiB|MiB) +[0-9.]+ (B|KiB|MiB)/s +[0-9]+%" "$out" "init on a terminal shows the progress line with a percent"
last=$(grep 'B/s' <<<"$out" | tail -1)
[[ -n $last && $last != *ETA* ]] && pass "the last line is the final one (no ETA): $last" || fail "no final progress line: $last"

# no terminal, not asked: nothing (what cron sees)
log_must on h1 bash -c "head -c 6000000 /dev/urandom > /$S/g"
err=$(on h1 zrep sync "$S" 2>&1 >/dev/null)
[[ $err != *"MiB/s"* ]] && pass "no terminal: no progress line" || fail "a progress line without a terminal: $err"

# --progress anywhere, without a terminal: the line on stderr, nothing of it on stdout
log_must on h1 bash -c "head -c 6000000 /dev/urandom > /$S/h"
out=$(on h1 zrep sync "$S" --progress 2>/dev/null)
err=$(on h1 bash -c "head -c 6000000 /dev/urandom > /$S/i; zrep sync --progress $S 2>&1 >/dev/null" | tr '\r' '\n')
assert_match "MiB/s" "$err" "--progress without a terminal: the line on stderr"
[[ $out != *"MiB/s"* ]] && pass "nothing of it on stdout" || fail "progress on stdout: $out"

# a small sync on a terminal: below a few MB, no line
log_must on h1 bash -c "echo small >> /$S/f2"
out=$(on h1 script -qec "zrep sync $S" /dev/null 2>&1)
[[ $out != *"B/s"* ]] && pass "a small sync shows no progress line" || fail "a small sync showed: $out"
remount h1 "$S" && remount h2 "$P2/dst"
assert_eq "$(checksum_tree h1 "/$S")" "$(checksum_tree h2 "/$P2/dst")" "data identical"
test_done
