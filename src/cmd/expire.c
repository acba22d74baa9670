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

static int expire_one(const char *fs, int local_only)
{
	struct fsinfo fi;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return -1;
	int rc = -1;
	if (!fsinfo_is_configured(&fi)) {
		error("%s is not a zrep filesystem", fs);
		goto out;
	}
	int lr = fslock_acquire(fs, 0);
	if (lr != 0) {
		error("not expiring %s: it is busy", fs);
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

int cmd_expire(int argc, char **argv)
{
	int local_only = 0, dry = 0, json = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-L") == 0)
			local_only = 1;
		else if (strcmp(argv[i], "-n") == 0)
			dry = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cmd_usage_error("expire", "expire: unknown option %s", argv[i]);
	}
	if (json && !dry)
		return cmd_usage_error("expire", "--json goes with -n (the plan)");
	if (cfg.skip_expire) {
		error("ZREP_SKIP_EXPIRE is set; refusing to expire");
		return EXIT_FAIL;
	}
	struct strv fss = STRV_INIT;
	if (i == argc || (argc - i == 1 && strcmp(argv[i], "all") == 0)) {
		if (zrepfs_list(&fss, i == argc) < 0)
			return EXIT_FAIL;
	} else {
		for (; i < argc; i++) {
			if (strcmp(argv[i], "all") == 0 || check_dsname(argv[i], 0) < 0) {
				strv_clear(&fss);
				return cmd_usage_error("expire", "expire takes FS... or all");
			}
			strv_push(&fss, argv[i]);
		}
	}
	if (dry) {
		int r = expire_dry_run(fss.v, fss.n, local_only, json);
		strv_clear(&fss);
		return r;
	}
	int failed = 0;
	for (size_t k = 0; k < fss.n && !exec_interrupted(); k++) {
		int er = expire_one(fss.v[k], local_only);
		oplog_fs("expire", fss.v[k], er < 0 ? OPLOG_FAILED : OPLOG_OK, NULL, 0, 0);
		if (er < 0) {
			failed++;
			if (fss.n > 1)
				warn("expire failed for %s; continuing with the others", fss.v[k]);
		}
	}
	strv_clear(&fss);
	return failed ? EXIT_FAIL : EXIT_OK;
}
