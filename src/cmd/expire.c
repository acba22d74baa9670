/*
 * expire: remove old zrep snapshots (reference §1.11, §3.4). On a master
 * the destination is checked for split brain and expired first (one
 * connection), then this host; on a destination only this host. Each
 * filesystem is locked while it is expired; a busy one is skipped.
 */
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../expire.h"
#include "../lock.h"
#include "../msg.h"
#include "../oplog.h"
#include "../syncfs.h"
#include "expireplan.h"
#include "../workers.h"

static int expire_one(const char *fs, int local_only)
{
	struct fsinfo fi;
	if (fsinfo_read_configured(fs, &fi) < 0)
		return -1;
	int rc = -1;
	int lr = fslock_acquire(fs, 0);
	if (lr != 0) {
		error("not expiring %s: it is busy", fs);
		if (lr > 0)
			rc = -2;
		goto out;
	}
	note("Expiring zrep snaps on %s", fs);
	if (fsinfo_is_master(&fi) && !local_only) {
		int r = expire_remote(&fi);
		if (r < 0) {
			fslock_release(fs);
			goto out;
		}
	}
	rc = expire_local(&fi, NULL);
	fslock_release(fs);
out:
	fsinfo_free(&fi);
	return rc;
}

static int expire_job(const char *fs, void *arg)
{
	int r = expire_one(fs, *(const int *)arg);
	oplog_fs("expire", fs, r < 0 ? OPLOG_FAILED : OPLOG_OK, NULL, 0, 0);
	return r == -2 ? WORKER_TEMPFAIL : r < 0 ? WORKER_FAILED : WORKER_OK;
}

/* cmd/sync.c */
int sync_parallel(const char *cmdname, const char *arg);

int cmd_expire(int argc, char **argv)
{
	int local_only = 0, dry = 0, json = 0;
	static const char *const longs[] = {"json", NULL};
	struct cmd_opts op = CMD_OPTS_INIT;
	op.longs = longs;
	const char *parg = NULL;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "LnP:")) > 0) {
		if (c == 'L')
			local_only = 1;
		else if (c == 'n')
			dry = 1;
		else if (c == 'P')
			parg = op.arg;
		else
			json = 1;
	}
	if (c < 0)
		return EXIT_USAGE;
	if (json && !dry)
		return cmd_usage_error("expire", "--json goes with -n (the plan)");
	int parallel = sync_parallel("expire", parg);
	if (parallel < 0)
		return EXIT_USAGE;
	if (cfg.skip_expire) {
		error("ZREP_SKIP_EXPIRE is set; refusing to expire");
		return EXIT_FAIL;
	}
	struct strv fss = STRV_INIT;
	int bad = cmd_fs_list("expire", argv + op.ind, argc - op.ind, 0, 1, &fss);
	if (bad) {
		strv_clear(&fss);
		return bad;
	}
	if (dry) {
		int r = expire_dry_run(fss.v, fss.n, local_only, json);
		strv_clear(&fss);
		return r;
	}
	workers_dedupe(&fss);
	struct worker_tally t;
	workers_run(fss.v, fss.n, parallel, expire_job, &local_only, "expire", &t);
	workers_summary("expire", "expired", fss.n, &t);
	strv_clear(&fss);
	return t.failed ? EXIT_FAIL : t.tempfail ? EXIT_TEMPFAIL : EXIT_OK;
}
