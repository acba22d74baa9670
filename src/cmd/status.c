/*
 * status: when each zrep filesystem was last synced (reference §1.8), in
 * the exact machine-readable formats of zrep 2.0.2:
 *
 *   status [-v] [-a] [FS...]
 *       "%-52s last: DATE" per filesystem; -v: "%-25s->%-35s VDATE" with
 *       the destination. No FS: the local masters; -a: every zrep
 *       filesystem (masters and destinations). DATE is ZREP_DATEFORMAT
 *       applied to TAG:sent of the last sent snapshot, or [NEVER].
 *
 *   status -m [-c COUNT] [-t SECONDS] [-a] [FS...]
 *       monitoring (upstream's -m never terminates): one line per
 *       filesystem "FS<TAB>ok|behind<TAB>unsent=N<TAB>age=SECONDS|never";
 *       exit 1 when any filesystem has more than COUNT (default 1) unsent
 *       zrep snapshots, was never synced, or was last synced more than
 *       SECONDS (default 86400, one day) ago.
 *
 * Fixed against upstream: -v reads dest-host from the filesystem itself
 * (not from the left-column dataset), and a never-synced filesystem shows
 * [NEVER] rather than the previous line's date. Options may come in any
 * order. Messages go to stderr only; stdout carries just the lines above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../props.h"
#include "../report.h"
#include "../zfs.h"
#include "../statusread.h"
#include "../zrepfs.h"

#define MONITOR_DEFAULT_COUNT 1
#define MONITOR_DEFAULT_SECONDS 86400

struct status_opts {
	int verbose, all, monitor;
	unsigned long max_unsent;
	long long max_age;
};

/* Status of one filesystem into out. Returns 0, 1 when behind (-m), -1 on error. */
static int status_one(const char *fs, const struct status_opts *o, struct strbuf *out)
{
	struct fsinfo fi;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return -1;
	int rc = 0;
	struct zsnaps snaps = {0};
	struct zerr e = {0};
	if (!fsinfo_is_configured(&fi)) {
		rc = error("%s is not a zrep filesystem (%s is not set)", fs, P.dest_fs);
		goto out;
	}
	if (zrepfs_snaps(&local_host, fs, &snaps) < 0) {
		rc = -1;
		goto out;
	}
	if (o->monitor) {
		struct monitor m;
		monitor_eval(&m, &snaps, now_secs(), o->max_unsent, o->max_age);
		report_monitor_line(out, fs, &m);
		rc = m.behind;
		goto out;
	}
	const struct zsnap *last = zsnaps_last_sent(&snaps);
	char *date;
	long long secs;
	if (!last) {
		date = xstrdup(REPORT_NEVER);
	} else if (report_sent_time(last, &secs) < 0) {
		warn("%s of %s is not a time: %s", P.sent, last->name, last->sent);
		date = xstrdup("[UNKNOWN]");
	} else {
		date = report_date(cfg.dateformat, secs);
	}
	if (o->verbose) {
		const char *left = (o->all && fi.src_fs) ? fi.src_fs : fs;
		char *vdate = last ? report_vdate(date) : xstrdup(REPORT_NEVER);
		report_status_verbose(out, left, fi.dest_host, fi.dest_fs, vdate);
		free(vdate);
	} else {
		report_status_line(out, fs, date);
	}
	free(date);
out:
	zsnaps_free(&snaps);
	zerr_clear(&e);
	fsinfo_free(&fi);
	return rc;
}

static int parse_count(const char *word, const char *opt, unsigned long long max, unsigned long long *out)
{
	if (!word)
		return cmd_usage_error("status", "option %s needs a value", opt);
	if (parse_ull(word, out) < 0 || *out > max)
		return cmd_usage_error("status", "option %s needs a whole number, not: %s", opt, word);
	return 0;
}

static const char *const status_longs[] = {"json", "nagios", "local", "prometheus=", NULL};

int cmd_status(int argc, char **argv)
{
	struct status_opts o = {0, 0, 0, MONITOR_DEFAULT_COUNT, MONITOR_DEFAULT_SECONDS};
	int have_c = 0, have_t = 0;
	struct status_machine_opts mo = {0};
	const char *carg = NULL;
	/* With --nagios a usage error is UNKNOWN (3), as plugins do, and -c means seconds. */
	int usage = status_nagios_wanted(argc, argv) ? 3 : EXIT_USAGE;
	struct cmd_opts op = CMD_OPTS_INIT;
	op.longs = status_longs;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "vamc:t:w:")) > 0) {
		unsigned long long v;
		switch (c) {
		case 'v':
			o.verbose = 1;
			break;
		case 'a':
			o.all = 1;
			break;
		case 'm':
			o.monitor = 1;
			break;
		case 'c':
			carg = op.arg;
			break;
		case 't':
			if (parse_count(op.arg, "-t", 1000000000000ULL, &v) != 0)
				return usage;
			o.max_age = (long long)v;
			have_t = 1;
			break;
		case 'w':
			if (status_seconds_arg("-w", op.arg, &mo.warn) != 0)
				return usage;
			mo.have_w = 1;
			break;
		case CMD_LONG(0):
			mo.json = 1;
			break;
		case CMD_LONG(1):
			mo.nagios = 1;
			break;
		case CMD_LONG(2):
			mo.local = 1;
			break;
		case CMD_LONG(3):
			mo.prometheus = op.arg;
			break;
		}
	}
	if (c < 0)
		return usage;
	if (carg && mo.nagios) {
		if (status_seconds_arg("-c", carg, &mo.crit) != 0)
			return usage;
		mo.have_c = 1;
	} else if (carg) {
		unsigned long long v;
		if (parse_count(carg, "-c", 1000000000ULL, &v) != 0)
			return usage;
		o.max_unsent = (unsigned long)v;
		have_c = 1;
	}
	int i = op.ind;
	if (mo.json || mo.nagios || mo.prometheus || mo.local || mo.have_w)
		return status_machine(&mo, o.verbose, o.monitor, o.all, have_c ? (long long)o.max_unsent : -1,
		                      have_t, argv + i, (size_t)(argc - i));
	if ((have_c || have_t) && !o.monitor)
		return cmd_usage_error("status", "-c and -t go with -m");
	if (o.monitor && o.verbose)
		return cmd_usage_error("status", "-v does not go with -m");
	if (o.all && i < argc)
		return cmd_usage_error("status", "-a and filesystem names exclude each other");
	for (int k = i; k < argc; k++)
		if (check_dsname(argv[k], 0) < 0)
			return EXIT_USAGE;

	struct strv list = STRV_INIT;
	if (i < argc) {
		strv_pushv(&list, argv + i);
	} else if (zrepfs_list(&list, !o.all) < 0) {
		strv_clear(&list);
		return EXIT_FAIL;
	}
	int failed = 0, behind = 0;
	for (size_t k = 0; k < list.n; k++) {
		struct strbuf out = STRBUF_INIT;
		int r = status_one(list.v[k], &o, &out);
		if (r < 0)
			failed = 1;
		else if (r > 0)
			behind = 1;
		fputs(sb_str(&out), stdout);
		fflush(stdout);
		sb_release(&out);
	}
	strv_clear(&list);
	return failed || behind ? EXIT_FAIL : EXIT_OK;
}
