/*
 * report: formatting of status lines and the monitoring verdict. Kept pure
 * so the exact column widths and thresholds are unit-tested.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

char *report_date(const char *fmt, long long secs)
{
	time_t t = (time_t)secs;
	struct tm tm;
	if (!fmt || !*fmt || !localtime_r(&t, &tm))
		return xstrdup("");
	/* strftime returns 0 both for "too small" and for an empty result:
	 * grow a few times, then settle for empty. */
	for (size_t cap = 64; cap <= 65536; cap *= 4) {
		char *buf = xmalloc(cap);
		size_t n = strftime(buf, cap, fmt, &tm);
		if (n > 0)
			return buf;
		free(buf);
	}
	return xstrdup("");
}

char *report_vdate(const char *date)
{
	const char *c = strrchr(date, ':');
	return c ? xstrndup(date, (size_t)(c - date)) : xstrdup(date);
}

void report_status_line(struct strbuf *sb, const char *fs, const char *date)
{
	sb_addf(sb, "%-52s last: %s\n", fs, date);
}

void report_status_verbose(struct strbuf *sb, const char *left, const char *desthost, const char *destfs,
                           const char *vdate)
{
	char *dest = xasprintf("%s:%s", desthost ? desthost : "-", destfs ? destfs : "-");
	sb_addf(sb, "%-25s->%-35s %s\n", left, dest, vdate);
	free(dest);
}

int report_sent_time(const struct zsnap *s, long long *secs)
{
	if (!s || !s->sent || parse_ll(s->sent, secs) < 0)
		return -1;
	return 0;
}

unsigned long report_unsent_count(const struct zsnaps *s)
{
	const struct zsnap *last = zsnaps_last_sent(s);
	unsigned long n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct zsnap *z = &s->v[i];
		if (!z->is_zrep)
			continue;
		if (!last || snapname_cmp(&z->sn, &last->sn) > 0)
			n++;
	}
	return n;
}

void monitor_eval(struct monitor *m, const struct zsnaps *s, long long now, unsigned long max_unsent,
                  long long max_age)
{
	memset(m, 0, sizeof(*m));
	m->unsent = report_unsent_count(s);
	long long sent;
	if (report_sent_time(zsnaps_last_sent(s), &sent) == 0) {
		m->has_last = 1;
		m->age = now > sent ? now - sent : 0;
	}
	m->behind = m->unsent > max_unsent || !m->has_last || m->age > max_age;
}

void report_monitor_line(struct strbuf *sb, const char *fs, const struct monitor *m)
{
	sb_addf(sb, "%s\t%s\tunsent=%lu\t", fs, m->behind ? "behind" : "ok", m->unsent);
	if (m->has_last)
		sb_addf(sb, "age=%lld\n", m->age);
	else
		sb_adds(sb, "age=never\n");
}
