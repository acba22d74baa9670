/* statusdoc: states and reasons, JSON escaping, nagios verdicts, Prometheus text, last-error values; oplog
 * lines. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hooks.h"
#include "oplog.h"
#include "statusdoc.h"

/* Snapshots of fs from "snap sent guid" triples (sent "-" = not marked). */
static void mksnaps(struct zsnaps *out, const char *fs, const char *const *spec)
{
	struct strbuf sb = STRBUF_INIT;
	for (; *spec; spec += 3) {
		sb_addf(&sb, "%s@%s\tguid\t%s\t-\n", fs, spec[0], spec[2]);
		if (strcmp(spec[1], "-") != 0)
			sb_addf(&sb, "%s@%s\tzrep:sent\t%s\tlocal\n", fs, spec[0], spec[1]);
	}
	struct zprops rows;
	CHECK_INT(zfs_parse_get(sb_str(&sb), &rows), 0);
	zsnaps_parse(&rows, fs, "zrep", out);
	zprops_free(&rows);
	sb_release(&sb);
}

static void mkst(struct fsstatus *st, int master)
{
	memset(st, 0, sizeof(*st));
	st->fs = xstrdup("tank/src");
	st->tag = xstrdup("zrep");
	st->master = master;
	st->partner_host = xstrdup("h2");
	st->partner_fs = xstrdup("tank/dst");
}

static const char *const two_sent[] = {"zrep_000001", "1000", "11", "zrep_000002", "2000", "22", NULL};

TEST(statusdoc_ok_behind_never)
{
	struct zsnaps s;
	struct fsstatus st;
	mksnaps(&s, "tank/src", two_sent);
	mkst(&st, 1);
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "ok");
	CHECK_STR(st.last_sent, "tank/src@zrep_000002");
	CHECK_STR(st.last_sent_guid, "22");
	CHECK_INT(st.last_sent_time, 2000);
	CHECK_INT(st.lag_seconds, 100);
	CHECK_INT(st.unsent_snapshots, 0);
	statusdoc_eval(&st, &s, NULL, 2000 + 3601, 3600);
	CHECK_STR(fs_state_str(st.state), "behind");
	CHECK(strstr(st.reason, "3601s ago") != NULL);
	fsstatus_free(&st);
	zsnaps_free(&s);

	static const char *const none[] = {"zrep_000000", "-", "5", "zrep_000001", "-", "6", NULL};
	mksnaps(&s, "tank/src", none);
	mkst(&st, 1);
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "never");
	CHECK(st.last_sent == NULL && !st.has_time && !st.has_lag);
	CHECK_INT(st.unsent_snapshots, 2);
	fsstatus_free(&st);
	zsnaps_free(&s);
}

TEST(statusdoc_locked_and_errors)
{
	struct zsnaps s;
	struct fsstatus st;
	mksnaps(&s, "tank/src", two_sent);
	mkst(&st, 1);
	st.locked_by = xstrdup("h1:123");
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "locked");
	CHECK(strstr(st.reason, "h1:123") != NULL);
	/* an error after the last sync wins over the lock */
	st.has_error = 1;
	st.error_time = 2050;
	st.error_msg = xstrdup("cannot reach h2");
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK(strstr(st.reason, "cannot reach h2") != NULL);
	CHECK(strstr(st.reason, "50s ago") != NULL);
	CHECK(st.has_error && st.error_time == 2050);
	fsstatus_free(&st);

	/* an error older than the last success is cleared */
	mkst(&st, 1);
	st.has_error = 1;
	st.error_time = 1500;
	st.error_msg = xstrdup("old");
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "ok");
	CHECK(!st.has_error && st.error_msg == NULL);
	fsstatus_free(&st);

	/* the partner's newer error (a takeover there) is merged */
	struct partner_view pv = {0};
	pv.checked = pv.reached = pv.exists = 1;
	mksnaps(&pv.snaps, "tank/dst", two_sent);
	pv.has_error = 1;
	pv.error_time = 2080;
	pv.error_msg = xstrdup("takeover failed");
	mkst(&st, 1);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK_STR(st.error_msg, "takeover failed");
	CHECK_INT(st.error_time, 2080);
	fsstatus_free(&st);
	partner_view_free(&pv);
	zsnaps_free(&s);
}

TEST(statusdoc_partner_states)
{
	struct zsnaps s;
	struct fsstatus st;
	struct partner_view pv = {0};
	mksnaps(&s, "tank/src", two_sent);

	pv.checked = 1;
	pv.unreachable = xstrdup("ssh: connect to host h2 port 22: Connection refused");
	mkst(&st, 1);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK(strstr(st.reason, "cannot reach h2 (ssh: connect") != NULL);
	fsstatus_free(&st);
	partner_view_free(&pv);

	pv.checked = pv.reached = 1;
	mkst(&st, 1);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK(strstr(st.reason, "h2:tank/dst does not exist") != NULL);
	fsstatus_free(&st);

	pv.exists = 1;
	pv.master = 1;
	mksnaps(&pv.snaps, "tank/dst", two_sent);
	mkst(&st, 1);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "split-brain");
	fsstatus_free(&st);

	/* seen from the destination, a master partner is normal */
	mkst(&st, 0);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "ok");
	fsstatus_free(&st);
	pv.master = 0;
	mkst(&st, 0);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK(strstr(st.reason, "neither") != NULL);
	fsstatus_free(&st);

	pv.has_written = 1;
	pv.written = 4096;
	mkst(&st, 1);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK(strstr(st.reason, "destination h2:tank/dst was modified since zrep_000002") != NULL);
	fsstatus_free(&st);
	zsnaps_free(&pv.snaps);

	static const char *const other[] = {"zrep_000001", "1000", "91", NULL};
	mksnaps(&pv.snaps, "tank/dst", other);
	pv.written = 0;
	mkst(&st, 1);
	statusdoc_eval(&st, &s, &pv, 2100, 3600);
	CHECK_STR(fs_state_str(st.state), "failing");
	CHECK(strstr(st.reason, "no snapshot of tank/src by guid") != NULL);
	fsstatus_free(&st);
	partner_view_free(&pv);
	zsnaps_free(&s);
}

TEST(json_quote_escapes)
{
	struct strbuf sb = STRBUF_INIT;
	json_quote(&sb, "a\"b\\c\nd\te\x01"
	                "f\x7f");
	CHECK_STR(sb_str(&sb), "\"a\\\"b\\\\c\\nd\\te\\u0001f\x7f\"");
	sb_reset(&sb);
	json_quote(&sb, "caf\xc3\xa9 \xe2\x82\xac \xff\xc3");
	CHECK_STR(sb_str(&sb), "\"caf\xc3\xa9 \xe2\x82\xac \\ufffd\\ufffd\"");
	sb_reset(&sb);
	json_quote(&sb, "\xed\xa0\x80"); /* a surrogate is not UTF-8 */
	CHECK_STR(sb_str(&sb), "\"\\ufffd\\ufffd\\ufffd\"");
	sb_release(&sb);
}

TEST(statusdoc_json_keys)
{
	struct zsnaps s;
	struct fsstatus st;
	mksnaps(&s, "tank/src", two_sent);
	mkst(&st, 1);
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	st.has_bytes = 1;
	st.unsent_bytes = 0;
	struct strbuf sb = STRBUF_INIT;
	statusdoc_json(&sb, &st, 1);
	CHECK_STR(sb_str(&sb),
	          "[\n  {\n    \"fs\": \"tank/src\",\n    \"tag\": \"zrep\",\n    \"role\": \"master\",\n"
	          "    \"partner_host\": \"h2\",\n    \"partner_fs\": \"tank/dst\",\n"
	          "    \"last_sent\": \"tank/src@zrep_000002\",\n    \"last_sent_guid\": \"22\",\n"
	          "    \"last_sent_time\": 2000,\n    \"lag_seconds\": 100,\n    \"unsent_snapshots\": 0,\n"
	          "    \"unsent_bytes\": 0,\n    \"locked_by\": null,\n    \"last_error\": null,\n"
	          "    \"state\": \"ok\",\n"
	          "    \"reason\": \"last sync 100s ago (zrep_000002), 0 unsent snapshots\"\n  }\n]\n");
	sb_reset(&sb);
	statusdoc_json(&sb, NULL, 0);
	CHECK_STR(sb_str(&sb), "[]\n");
	sb_reset(&sb);
	st.has_error = 1;
	st.error_time = 7;
	st.error_msg = xstrdup("x\"y");
	statusdoc_json(&sb, &st, 1);
	CHECK(strstr(sb_str(&sb), "\"last_error\": {\"time\": 7, \"message\": \"x\\\"y\"}") != NULL);
	sb_release(&sb);
	fsstatus_free(&st);
	zsnaps_free(&s);
}

TEST(statusdoc_nagios_levels)
{
	struct zsnaps s;
	struct fsstatus st[2];
	struct strbuf sb = STRBUF_INIT;
	mksnaps(&s, "tank/src", two_sent);
	mkst(&st[0], 1);
	mkst(&st[1], 1);
	free(st[1].fs);
	st[1].fs = xstrdup("tank/b");
	statusdoc_eval(&st[0], &s, NULL, 2100, 3600);
	statusdoc_eval(&st[1], &s, NULL, 2160, 3600);
	CHECK_INT(statusdoc_nagios(&sb, st, 2, 0, 3600, 86400), 0);
	CHECK_STR(sb_str(&sb),
	          "ZREP OK - 2 filesystems, max lag 160s (tank/b) | lag_max=160s;3600;86400;0\n");
	sb_reset(&sb);
	CHECK_INT(statusdoc_nagios(&sb, st, 2, 0, 120, 86400), 1);
	CHECK_STR(
	    sb_str(&sb),
	    "ZREP WARNING - 2 filesystems, 1 warning: tank/b ok (lag 160s) | lag_max=160s;120;86400;0\n");
	sb_reset(&sb);
	CHECK_INT(statusdoc_nagios(&sb, st, 2, 0, 60, 150), 2);
	CHECK(strncmp(sb_str(&sb), "ZREP CRITICAL - 2 filesystems, 1 critical, 1 warning: tank/b", 60) == 0);
	sb_reset(&sb);
	CHECK_INT(statusdoc_nagios(&sb, st, 2, 1, 3600, 86400), 3);
	CHECK(strncmp(sb_str(&sb), "ZREP UNKNOWN - 3 filesystems, 1 unreadable", 42) == 0);
	sb_reset(&sb);
	CHECK_INT(statusdoc_nagios(&sb, NULL, 0, 0, 3600, 86400), 3);
	CHECK_STR(sb_str(&sb), "ZREP UNKNOWN - no zrep filesystems | lag_max=U;3600;86400;0\n");
	sb_reset(&sb);
	st[0].state = FS_FAILING;
	free(st[0].reason);
	st[0].reason = xstrdup("a|b");
	CHECK_INT(statusdoc_nagios(&sb, st, 2, 1, 3600, 86400), 2);
	CHECK(strstr(sb_str(&sb), ": tank/src failing (a b) | lag_max=160s;3600;86400;0\n") != NULL);
	sb_release(&sb);
	fsstatus_free(&st[0]);
	fsstatus_free(&st[1]);
	zsnaps_free(&s);
}

TEST(statusdoc_prometheus_text)
{
	struct zsnaps s;
	struct fsstatus st;
	mksnaps(&s, "tank/src", two_sent);
	mkst(&st, 1);
	free(st.fs);
	st.fs = xstrdup("tank/a \"q\" \\ b");
	statusdoc_eval(&st, &s, NULL, 2100, 3600);
	struct strbuf sb = STRBUF_INIT;
	statusdoc_prometheus(&sb, &st, 1, 2100);
	const char *t = sb_str(&sb);
	CHECK(strstr(t, "# HELP zrep_lag_seconds ") != NULL);
	CHECK(strstr(t, "# TYPE zrep_lag_seconds gauge\n") != NULL);
	CHECK(
	    strstr(
	        t,
	        "zrep_lag_seconds{fs=\"tank/a \\\"q\\\" \\\\ b\",tag=\"zrep\",partner_host=\"h2\"} 100\n") !=
	    NULL);
	CHECK(strstr(t, "zrep_last_sent_timestamp_seconds{fs=\"tank/a \\\"q\\\" \\\\ "
	                "b\",tag=\"zrep\",partner_host=\"h2\"} "
	                "2000\n") != NULL);
	CHECK(strstr(t, "zrep_sync_failing{") != NULL && strstr(t, "} 0\n") != NULL);
	CHECK(strstr(t, "zrep_master{fs=") != NULL);
	CHECK(strstr(t, "zrep_unsent_bytes{") == NULL); /* unknown: no sample */
	sb_reset(&sb);
	prom_label_escape(&sb, "a\nb");
	CHECK_STR(sb_str(&sb), "a\\nb");
	sb_release(&sb);
	fsstatus_free(&st);
	zsnaps_free(&s);
}

TEST(lasterror_values)
{
	char *v = lasterror_format(1700000000, "sync of a failed:\n  cannot receive\t(x)\x7f");
	CHECK_STR(v, "1700000000 sync of a failed: cannot receive (x)");
	long long t;
	char *m;
	CHECK_INT(lasterror_parse(v, &t, &m), 0);
	CHECK_INT(t, 1700000000);
	CHECK_STR(m, "sync of a failed: cannot receive (x)");
	free(m);
	free(v);
	CHECK_INT(lasterror_parse("abc def", &t, &m), -1);
	CHECK_INT(lasterror_parse(NULL, &t, &m), -1);
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	v = lasterror_format(1, big);
	CHECK_INT(strlen(v), 2 + 512);
	free(v);
}

TEST(lock_owner_short_forms)
{
	char *s = lock_owner_short("h1:123:4567", 123, "me");
	CHECK_STR(s, "h1:123");
	free(s);
	s = lock_owner_short(NULL, 99, "me");
	CHECK_STR(s, "me:99");
	free(s);
	CHECK(lock_owner_short(NULL, 0, "me") == NULL);
}

TEST(oplog_lines)
{
	char *l = oplog_line("sync", "tank/a", OPLOG_OK, "tank/a@zrep_000003", NULL);
	CHECK_STR(l, "sync tank/a: ok (tank/a@zrep_000003)");
	free(l);
	l = oplog_line("sync", "tank/a", OPLOG_FAILED, NULL, "cannot sync tank/a:\nh2 is not reachable");
	CHECK_STR(l, "sync tank/a: failed: cannot sync tank/a: h2 is not reachable");
	free(l);
	l = oplog_line("expire", "tank/a", OPLOG_SKIPPED, NULL, NULL);
	CHECK_STR(l, "expire tank/a: skipped");
	free(l);
}

TEST(hook_argv_words)
{
	struct strv sv = STRV_INIT;
	hook_argv(&sv, "echo $ZREP_SNAP; exit 3", "tank/a b", "tank/a b@zrep_00000a", "zrep", 120, "ok");
	const char *want[] = {"env",
	                      "ZREP_FS=tank/a b",
	                      "ZREP_SNAP=tank/a b@zrep_00000a",
	                      "ZREP_TAG=zrep",
	                      "ZREP_SNAP_STATUS=ok",
	                      "timeout",
	                      "-k",
	                      "5",
	                      "120",
	                      "sh",
	                      "-c",
	                      "echo $ZREP_SNAP; exit 3",
	                      "zrep-hook"};
	CHECK_INT(sv.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < sv.n && i < ARRAY_SIZE(want); i++)
		CHECK_STR(sv.v[i], want[i]);
	strv_clear(&sv);
	hook_argv(&sv, "true", "f", "f@s", "t", 7, NULL);
	CHECK_INT(sv.n, 12);
	CHECK_STR(sv.v[7], "7");
	strv_clear(&sv);
}
