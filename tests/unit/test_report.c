/* report: status line formats, the -v date, unsent counting, monitor verdicts. */
#include <stdlib.h>

#include "harness.h"
#include "report.h"

TEST(report_vdate_cuts_at_last_colon)
{
	char *v = report_vdate("2024/01/31-13:05:09");
	CHECK_STR(v, "2024/01/31-13:05");
	free(v);
	v = report_vdate("1706706309");
	CHECK_STR(v, "1706706309");
	free(v);
	v = report_vdate("a:b:c:");
	CHECK_STR(v, "a:b:c");
	free(v);
	v = report_vdate("");
	CHECK_STR(v, "");
	free(v);
}

TEST(report_date_formats_localtime)
{
	setenv("TZ", "UTC", 1);
	char *d = report_date("%Y/%m/%d-%H:%M:%S", 1706706309);
	CHECK_STR(d, "2024/01/31-13:05:09");
	free(d);
	d = report_date("%s", 1706706309);
	CHECK_STR(d, "1706706309");
	free(d);
	d = report_date("", 1706706309);
	CHECK_STR(d, "");
	free(d);
	unsetenv("TZ");
}

TEST(report_status_line_pads_to_52)
{
	struct strbuf sb = STRBUF_INIT;
	report_status_line(&sb, "tank/a", "2024/01/31-13:05:09");
	CHECK_STR(sb_str(&sb),
	          "tank/a                                               last: 2024/01/31-13:05:09\n");
	sb_reset(&sb);
	/* longer names are not truncated */
	const char *longname = "tank/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	report_status_line(&sb, longname, "[NEVER]");
	char *want = xasprintf("%s last: [NEVER]\n", longname);
	CHECK_STR(sb_str(&sb), want);
	free(want);
	sb_release(&sb);
}

TEST(report_status_verbose_columns)
{
	struct strbuf sb = STRBUF_INIT;
	report_status_verbose(&sb, "tank/src", "h2", "tank/dst", "2024/01/31-13:05");
	CHECK_STR(sb_str(&sb),
	          "tank/src                 ->h2:tank/dst                         2024/01/31-13:05\n");
	sb_reset(&sb);
	report_status_verbose(&sb, "tank/x", NULL, NULL, "[NEVER]");
	CHECK_STR(sb_str(&sb), "tank/x                   ->-:-                                 [NEVER]\n");
	sb_release(&sb);
}

static void parse(const char *text, struct zsnaps *s)
{
	struct zprops rows;
	CHECK_INT(zfs_parse_get(text, &rows), 0);
	zsnaps_parse(&rows, "tank/a", "zrep", s);
	zprops_free(&rows);
}

TEST(report_unsent_and_monitor)
{
	struct zsnaps s;
	parse("tank/a@zrep_000001\tzrep:sent\t1000\tlocal\n"
	      "tank/a@zrep_000002\tzrep:sent\t2000\tlocal\n"
	      "tank/a@zrep_000003\tzrep:sent\t-\t-\n"
	      "tank/a@zrep_000004_unsent\tzrep:sent\t-\t-\n"
	      "tank/a@manual\tzrep:sent\t-\t-\n"
	      "tank/a@other_000009\tzrep:sent\t-\t-\n",
	      &s);
	CHECK_INT(report_unsent_count(&s), 2);
	struct monitor m;
	monitor_eval(&m, &s, 2500, 1, 86400);
	CHECK_INT(m.unsent, 2);
	CHECK_INT(m.has_last, 1);
	CHECK_INT(m.age, 500);
	CHECK_INT(m.behind, 1); /* 2 > 1 */
	monitor_eval(&m, &s, 2500, 2, 86400);
	CHECK_INT(m.behind, 0);
	monitor_eval(&m, &s, 2500, 2, 500);
	CHECK_INT(m.behind, 0); /* exactly the limit is fine */
	monitor_eval(&m, &s, 2501, 2, 500);
	CHECK_INT(m.behind, 1);
	monitor_eval(&m, &s, 100, 5, 10); /* sent in the future: age 0 */
	CHECK_INT(m.age, 0);
	CHECK_INT(m.behind, 0);
	struct strbuf sb = STRBUF_INIT;
	monitor_eval(&m, &s, 2500, 1, 86400);
	report_monitor_line(&sb, "tank/a", &m);
	CHECK_STR(sb_str(&sb), "tank/a\tbehind\tunsent=2\tage=500\n");
	sb_release(&sb);
	zsnaps_free(&s);
}

TEST(report_monitor_never_sent)
{
	struct zsnaps s;
	parse("tank/a@zrep_000000\tzrep:sent\t-\t-\n"
	      "tank/a@zrep_000001\tzrep:sent\t-\t-\n",
	      &s);
	CHECK_INT(report_unsent_count(&s), 2);
	struct monitor m;
	monitor_eval(&m, &s, 2500, 10, 86400);
	CHECK_INT(m.has_last, 0);
	CHECK_INT(m.behind, 1);
	struct strbuf sb = STRBUF_INIT;
	report_monitor_line(&sb, "tank/a", &m);
	CHECK_STR(sb_str(&sb), "tank/a\tbehind\tunsent=2\tage=never\n");
	sb_release(&sb);
	zsnaps_free(&s);
	/* no snapshots at all */
	parse("", &s);
	CHECK_INT(report_unsent_count(&s), 0);
	zsnaps_free(&s);
}

TEST(report_sent_time_rejects_garbage)
{
	struct zsnaps s;
	parse("tank/a@zrep_000001\tzrep:sent\tyesterday\tlocal\n", &s);
	long long t = 0;
	CHECK_INT(report_sent_time(zsnaps_last_sent(&s), &t), -1);
	CHECK_INT(report_sent_time(NULL, &t), -1);
	struct monitor m;
	monitor_eval(&m, &s, 2500, 10, 86400);
	CHECK_INT(m.has_last, 0);
	CHECK_INT(m.behind, 1);
	zsnaps_free(&s);
}
