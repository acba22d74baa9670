#!/usr/bin/env bash
# t0720-status-prometheus: zrep status --prometheus FILE writes node_exporter's textfile format,
# parsed here by Debian's python3-prometheus-client: # HELP/# TYPE, the metrics zrep_lag_seconds,
# zrep_last_sent_timestamp_seconds, zrep_unsent_snapshots, zrep_sync_failing, zrep_master with
# labels fs, tag, partner_host (a hostile fs name escaped); written atomically (temporary file
# in the same directory, renamed; none left behind; a reader never sees a partial file); and
# ZREP_PROMETHEUS_FILE rewrites it at the end of every `sync all`.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/zrep-fixtures.sh"
need_hosts 2
log_must reset_pools
PY=/usr/bin/python3
# destroy_retry HOST DS: zfs-fuse may call a dataset busy right after it was used
destroy_retry() {
	local i
	for (( i = 0; i < 10; i++ )); do on "$1" zfs destroy -r "$2" 2>/dev/null && return 0; sleep 0.5; done
	abort "cannot destroy $2 on $1"
}
"$PY" -c 'import prometheus_client.parser' 2>/dev/null || abort "python3-prometheus-client is not installed (scripts/install-deps)"

log_must on h1 zfs create "$P1/src"
log_must on h1 zrep init "$P1/src" h2 "$P2/dst" >/dev/null
log_must on h1 zrep sync "$P1/src" >/dev/null
HOSTILE="$P1/q \"x\" y"
on h1 zfs create "$HOSTILE" 2>/dev/null || HOSTILE="$P1/q y:z"
on h1 zfs list "$HOSTILE" >/dev/null 2>&1 || log_must on h1 zfs create "$HOSTILE"
log_must zset h1 "$HOSTILE" "dest-fs=$P2/q" dest-host=h2 "src-fs=$HOSTILE" src-host=h1 master=yes

DIR=$(mktemp -d /tmp/zrep-t0720.XXXXXX)
F=$DIR/zrep.prom
# prom FILE: parse with the real parser; print "name{fs|tag|partner_host} value" per sample, sorted;
# fail on a parse error or a metric without HELP/TYPE
prom() {
	"$PY" - "$1" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
out = []
for fam in text_string_to_metric_families(text):
    assert fam.documentation, "no HELP for " + fam.name
    assert fam.type == "gauge", fam.type
    assert "# TYPE %s gauge" % fam.name in text, fam.name
    for s in fam.samples:
        l = s.labels
        if s.name == "zrep_status_timestamp_seconds":
            out.append("%s %s" % (s.name, "T"))
            continue
        assert sorted(l) == ["fs", "partner_host", "tag"], l
        out.append("%s{%s|%s|%s} %g" % (s.name, l["fs"], l["tag"], l["partner_host"], s.value))
print("\n".join(sorted(out)))
EOF
}

B1=$(state h1) B2=$(state h2)
run_zrep h1 status --prometheus "$F"
expect_rc 0 "status --prometheus FILE"
assert_eq "" "$OUT" "nothing on stdout"
[[ $B1 == "$(state h1)" && $B2 == "$(state h2)" ]] && pass "--prometheus changed nothing on the hosts" || fail "--prometheus changed something"
P=$(prom "$F") || fail "the file does not parse"
LAG=$(grep "^zrep_lag_seconds{$P1/src|" <<<"$P" | awk '{print $2}')
SENT=$(on h1 zfs get -H -o value -s local zrep:sent "$P1/src@zrep_000001")
want=$(printf '%s\n' \
	"zrep_lag_seconds{$P1/src|zrep|h2} $LAG" \
	"zrep_last_sent_timestamp_seconds{$P1/src|zrep|h2} $("$PY" -c "print('%g' % $SENT)")" \
	"zrep_master{$HOSTILE|zrep|h2} 1" "zrep_master{$P1/src|zrep|h2} 1" \
	"zrep_status_timestamp_seconds T" \
	"zrep_sync_failing{$HOSTILE|zrep|h2} 1" "zrep_sync_failing{$P1/src|zrep|h2} 0" \
	"zrep_unsent_bytes{$HOSTILE|zrep|h2} 0" "zrep_unsent_bytes{$P1/src|zrep|h2} 0" \
	"zrep_unsent_snapshots{$HOSTILE|zrep|h2} 0" "zrep_unsent_snapshots{$P1/src|zrep|h2} 0" | LC_ALL=C sort)
assert_eq "$want" "$(LC_ALL=C sort <<<"$P")" "every metric and label, the hostile name intact after escaping"
assert_match '^[0-9]$' "$LAG" "lag a few seconds"
grep -q '^# HELP zrep_lag_seconds ' "$F" && grep -q '^# TYPE zrep_lag_seconds gauge$' "$F" \
	&& pass "# HELP and # TYPE lines" || fail "# HELP/# TYPE missing"
assert_eq "-rw-r--r--" "$(stat -c %A "$F")" "the file is readable by node_exporter (0644)"
assert_eq "zrep.prom" "$(ls -A "$DIR")" "no temporary file left in the directory"

# atomic: while status rewrites the file in a loop, a reader only ever sees complete documents
# (renamed into place: each read gets the old or the new file, never a truncated one)
on h1 bash -c 'for i in $(seq 15); do zrep status --prometheus "$1" || exit 1; done' _ "$F" &
writer=$!
bad=0 reads=0
while kill -0 "$writer" 2>/dev/null; do
	c=$(cat "$F")
	reads=$(( reads + 1 ))
	[[ $c == *"zrep_status_timestamp_seconds "* ]] || bad=$(( bad + 1 ))
done
wait "$writer" && pass "15 rewrites" || fail "a rewrite failed"
assert_eq "0" "$bad" "no partial file seen in $reads reads during the rewrites"
strace -f -e trace=rename,renameat,renameat2,openat -o "$DIR/trace" "$BED" exec h1 zrep status --prometheus "$F" >/dev/null 2>&1
grep -E 'rename(at2?)?\(.*"'"$DIR"'/\.zrep\.prom\.zrep-[A-Za-z0-9]{6}".*"'"$DIR"'/zrep\.prom"' "$DIR/trace" >/dev/null \
	&& pass "written to a temporary file in the same directory, then renamed" || { fail "no rename from a temporary file"; sed 's/^/#  /' "$DIR/trace" | grep -i rename; }
rm -f "$DIR/trace"

# ZREP_PROMETHEUS_FILE: every sync all rewrites it; a failure shows as zrep_sync_failing 1
destroy_retry h1 "$HOSTILE"
rm -f "$F"
log_must on h1 env ZREP_PROMETHEUS_FILE="$F" zrep sync all >/dev/null
[[ -f $F ]] && pass "sync all with ZREP_PROMETHEUS_FILE writes the file" || fail "sync all did not write $F"
P=$(prom "$F")
assert_match "zrep_sync_failing\{$P1/src\|zrep\|h2\} 0" "$P" "after a good sync all: not failing"
assert_match "zrep_unsent_snapshots\{$P1/src\|zrep\|h2\} 0" "$P" "after a good sync all: nothing unsent"
RC=0
on h1 env ZREP_PROMETHEUS_FILE="$F" SSH=/bin/false zrep sync all >/dev/null 2>&1 || RC=$?
assert_eq 1 "$RC" "sync all with a broken SSH fails"
P=$(prom "$F")
assert_match "zrep_sync_failing\{$P1/src\|zrep\|h2\} 1" "$P" "after a failed sync all: zrep_sync_failing 1"
rm -f "$F"
log_must on h1 env ZREP_PROMETHEUS_FILE="$F" zrep sync "$P1/src" >/dev/null
[[ ! -e $F ]] && pass "sync FS (not all) leaves the file alone" || fail "sync FS wrote the file"

# a directory that cannot be written: an error, exit 1
run_zrep h1 status --prometheus /nonexistent-dir/zrep.prom
expect_rc 1 "an unwritable directory"
assert_match '^zrep: cannot write /nonexistent-dir/zrep.prom' "$ERR" "says which file"
rm -rf "$DIR"
test_done
