/*
 * report: the machine-readable lines of `status` and `status -m` (reference
 * §1.8), and the pure decisions behind them: the date shown for a last
 * sync, the shortened date of `status -v`, the unsent backlog and whether a
 * filesystem is behind. No I/O here; the commands print what this builds.
 */
#ifndef ZREP_REPORT_H
#define ZREP_REPORT_H

#include "util.h"
#include "snaps.h"
#include "zfs.h"

/* What `status` shows when nothing was ever sent. */
#define REPORT_NEVER "[NEVER]"

/* strftime(fmt, localtime(secs)), malloc'd ("" when the format yields nothing). */
char *report_date(const char *fmt, long long secs);

/* The `status -v` date: everything from the last ':' removed; unchanged without ':'. */
char *report_vdate(const char *date);

/* `printf("%-52s ", fs)` then "last: DATE\n". */
void report_status_line(struct strbuf *sb, const char *fs, const char *date);

/* `printf("%-25s->%-35s %s\n", left, desthost ":" destfs, vdate)`; NULL host/fs print as "-". */
void report_status_verbose(struct strbuf *sb, const char *left, const char *desthost, const char *destfs,
                           const char *vdate);

/* The TAG:sent time of s: 0 with *secs set, -1 when s is NULL or the value is not a number. */
int report_sent_time(const struct zsnap *s, long long *secs);

/*
 * Unsent backlog: zrep snapshots (_unsent ones included) numbered after the
 * last sent one; every zrep snapshot when none was sent.
 */
unsigned long report_unsent_count(const struct zsnaps *s);

struct monitor {
	unsigned long unsent;
	int has_last;  /* a last sent snapshot with a readable time exists */
	long long age; /* now - its TAG:sent (never negative), when has_last */
	int behind;
};

/* Behind: more than max_unsent unsent snapshots, or no sync, or a sync older than max_age seconds. */
void monitor_eval(struct monitor *m, const struct zsnaps *s, long long now, unsigned long max_unsent,
                  long long max_age);

/* "FS\tok|behind\tunsent=N\tage=SECONDS|never\n". */
void report_monitor_line(struct strbuf *sb, const char *fs, const struct monitor *m);

#endif
