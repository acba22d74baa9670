/*
 * sync: snapshot and push each named filesystem, or every local master
 * with "all" (reference §1.2). One failing filesystem does not stop the
 * others; the exit status says whether any failed. "sync FS@SNAP" rolls
 * the destination back to SNAP (see synctosnap below).
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../destview.h"
#include "../lock.h"
#include "../msg.h"
#include "../props.h"
#include "../statusread.h"
#include "../zrepsnap.h"
#include "syncplan.h"
#include "../syncfs.h"
#include "../workers.h"

/* sync FS@SNAP: roll the destination back to SNAP and forget newer sends. */
static int synctosnap(const char *arg, int force)
{
	if (check_dsname(arg, 1) < 0)
		return EXIT_USAGE;
	const char *at = strchr(arg, '@');
	char *fs = xstrndup(arg, (size_t)(at - arg));
	struct snapname sn;
	int rc = EXIT_FAIL;
	struct fsinfo fi = {0};
	struct host dh = {0};
	struct zsnaps mine = {0}, theirs = {0};
	struct zerr e = {0};
	char *rsnap = NULL;
	int locked = 0;

	if (snapname_parse(at + 1, cfg.tag, &sn) < 0 || sn.unsent) {
		error("%s is not a zrep snapshot of tag %s; cannot roll back to it", arg, cfg.tag);
		rc = EXIT_USAGE;
		goto out;
	}
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		goto out;
	if (!fi.dest_host || !fi.dest_fs || host_init(&dh, fi.dest_host) < 0 ||
	    check_dsname(fi.dest_fs, 0) < 0) {
		error("%s is not configured for zrep (no usable %s/%s)", fs, P.dest_host, P.dest_fs);
		goto out;
	}
	int lr = fslock_acquire(fs, 0);
	if (lr != 0) {
		if (lr > 0)
			rc = EXIT_TEMPFAIL;
		goto out;
	}
	locked = 1;
	if (zrepfs_snaps(&local_host, fs, &mine) < 0) {
		goto out;
	}
	const struct zsnap *ls = zsnaps_find(&mine, at + 1);
	if (!ls) {
		error("%s does not exist here", arg);
		goto out;
	}
	note("Validating remote snap");
	if (zrepfs_list_snaps(&dh, fi.dest_fs, cfg.tag, &theirs, &e) != 0) {
		error("cannot list snapshots of %s:%s: %s", dh.name, fi.dest_fs, zerr_text(&e));
		goto out;
	}
	const struct zsnap *rs = zsnaps_find(&theirs, at + 1);
	if (!rs) {
		error("%s:%s@%s does not exist; cannot roll back to it", dh.name, fi.dest_fs, at + 1);
		goto out;
	}
	if (!ls->guid || !rs->guid || strcmp(ls->guid, rs->guid) != 0) {
		error("%s:%s@%s is not the same snapshot as %s (guid %s vs %s); refusing to roll back",
		      dh.name, fi.dest_fs, at + 1, arg, rs->guid ? rs->guid : "?", ls->guid ? ls->guid : "?");
		goto out;
	}
	for (size_t i = 0; i < theirs.n; i++) {
		const struct zsnap *t = &theirs.v[i];
		if (!t->is_zrep && t->creation > rs->creation) {
			error("%s:%s has a snapshot zrep did not make after %s (%s); refusing to destroy it",
			      dh.name, fi.dest_fs, at + 1, t->name);
			goto out;
		}
	}
	note("WARNING: rolling back %s:%s to %s; newer snapshots there will be destroyed", dh.name,
	     fi.dest_fs, at + 1);
	if (!force) {
		note("Pause sync jobs for %s now. Continuing in 20 seconds (use -f to skip this pause)...",
		     fs);
		if (sleep_interruptible(20) < 0)
			goto out;
	}
	rsnap = xasprintf("%s@%s", fi.dest_fs, at + 1);
	if (zrep_rollback(&dh, &theirs, rs, 1, &e) != 0) {
		error("rollback of %s:%s failed: %s", dh.name, rsnap, zerr_text(&e));
		goto out;
	}
	note("%s:%s rolled back successfully to %s", dh.name, fi.dest_fs, at + 1);
	note("Now cleaning up local snapshots");
	for (size_t i = 0; i < mine.n; i++) {
		const struct zsnap *m = &mine.v[i];
		if (m->is_zrep && m->sent && snapname_cmp(&m->sn, &sn) > 0 &&
		    zfs_inherit(&local_host, P.sent, m->name, &e) != 0)
			warn("could not clear %s on %s: %s", P.sent, m->name, zerr_text(&e));
	}
	rc = EXIT_OK;
out:
	if (locked)
		fslock_release(fs);
	free(rsnap);
	free(fs);
	zsnaps_free(&mine);
	zsnaps_free(&theirs);
	zerr_clear(&e);
	fsinfo_free(&fi);
	host_release(&dh);
	return rc;
}

static int sync_job(const char *fs, void *arg)
{
	int r = sync_fs(fs, arg);
	return r == SYNC_OK         ? WORKER_OK
	       : r == SYNC_DEFERRED ? WORKER_DEFERRED
	       : r == SYNC_SKIPPED  ? WORKER_SKIPPED
	       : r == SYNC_TEMPFAIL ? WORKER_TEMPFAIL
	                            : WORKER_FAILED;
}

int sync_parallel(const char *cmdname, const char *arg)
{
	if (arg) {
		int p = workers_parse(arg);
		if (p < 0)
			cmd_usage_error(cmdname, "%s -P needs a number of workers from 1 to %d, not %s",
			                cmdname, WORKERS_MAX, arg);
		return p;
	}
	if (cfg.parallel) {
		int p = workers_parse(cfg.parallel);
		if (p < 0)
			cmd_usage_error(cmdname,
			                "ZREP_PARALLEL must be a number of workers from 1 to %d, not %s",
			                WORKERS_MAX, cfg.parallel);
		return p;
	}
	return WORKERS_DEFAULT;
}

/* Runs sync_fs over the list (FS... or all), in up to parallel workers; shared with synconly. */
int sync_many(const char *cmdname, char **list, int n, const struct sync_opts *o, int parallel)
{
	struct strv fss = STRV_INIT;
	int bad = cmd_fs_list(cmdname, list, n, 1, -1, &fss);
	if (bad) {
		strv_clear(&fss);
		return bad;
	}
	/* two workers never touch one filesystem */
	workers_dedupe(&fss);
	int ahead_ok = 0;
	if (fss.n > 1) {
		/* The locks first (no zfs command), then the settings and snapshots of every
		 * filesystem locked, in one zfs get, which the workers read from. A busy one is left
		 * to its job, which says so. */
		struct strv got = STRV_INIT;
		for (size_t i = 0; i < fss.n; i++)
			if (fslock_take(fss.v[i], 1) == 0)
				strv_push(&got, fss.v[i]);
		ahead_ok = fsview_prefetch(got.v, got.n, o->changed_only) == 0;
		/* every lock's properties, in a few zfs sets side by side (each worker releases its
		 * own), while the destinations are read */
		struct lock_holder *hds = xmalloc((got.n + 1) * sizeof(*hds));
		struct fsinfo *fis = xmalloc((got.n + 1) * sizeof(*fis));
		struct strv mk = STRV_INIT;
		for (size_t i = 0; i < got.n; i++) {
			memset(&fis[mk.n], 0, sizeof(fis[mk.n]));
			if (fsview_peek(got.v[i], &fis[mk.n]) < 0 || !fsinfo_is_master(&fis[mk.n]) ||
			    (o->changed_only && fsview_unchanged(got.v[i]))) {
				if (fis[mk.n].fs)
					fsinfo_free(&fis[mk.n]);
				continue;
			}
			struct fsinfo *f = &fis[mk.n];
			hds[mk.n] = (struct lock_holder){0, f->lock_owner, f->lock_time};
			if (f->lock_pid && parse_ll(f->lock_pid, &hds[mk.n].pid) < 0)
				hds[mk.n].pid = -1;
			strv_push(&mk, got.v[i]);
		}
		struct lock_marks lm;
		fslock_mark_many_start(mk.v, hds, mk.n, workers_slices(mk.n, parallel), &lm);
		for (size_t i = 0; i < mk.n; i++)
			fsinfo_free(&fis[i]);
		free(fis);
		free(hds);
		strv_clear(&mk);
		/* and the destinations' side, one call per host (over the shared connection): what
		 * the destinations hold is read after the flocks, like the rest */
		host_mux_prepare();
		struct strv changed = STRV_INIT;
		for (size_t i = 0; i < got.n; i++)
			if (!o->changed_only || !fsview_unchanged(got.v[i]))
				strv_push(&changed, got.v[i]);
		/* Worth a call of its own only over a shared connection (else a handshake more). */
		if (host_mux_dir())
			destview_prefetch(changed.v, changed.n);
		fslock_mark_many_end(&lm);
		strv_clear(&changed);
		strv_clear(&got);
	}
	struct worker_tally t;
	struct sync_opts oo = *o;
	/* Read ahead: each plain successful sync leaves its local bookkeeping to one batch at the end
	 * (a few zfs commands for all of them instead of five each). */
	oo.defer_record = fss.n > 1 && ahead_ok && o->make_snapshot && !o->newsnap_out && !o->keep_lock;
	workers_run(fss.v, fss.n, parallel, sync_job, &oo, cmdname, &t);
	if (workers_deferred.n) {
		int lost = sync_record_deferred(workers_deferred.v, workers_deferred.n, parallel);
		t.ok -= lost;
		t.failed += lost;
	}
	if ((t.failed || t.tempfail) && fss.n > 1)
		error("%s: %d of %zu filesystems failed", cmdname, t.failed + t.tempfail, fss.n);
	workers_summary(cmdname, "synced", fss.n, &t);
	if (n == 1 && strcmp(list[0], "all") == 0 && cfg.prometheus_file &&
	    status_prometheus_refresh(cfg.prometheus_file) < 0)
		warn("ZREP_PROMETHEUS_FILE: could not rewrite %s", cfg.prometheus_file);
	strv_clear(&fss);
	/* 1 when any failure needs a person; 75 when every failure may pass by itself. */
	return t.failed ? EXIT_FAIL : t.tempfail ? EXIT_TEMPFAIL : EXIT_OK;
}

/* The options sync takes from the environment before its command line. */
void sync_opts_defaults(struct sync_opts *o, int make_snapshot)
{
	memset(o, 0, sizeof(*o));
	o->make_snapshot = make_snapshot;
	o->force = cfg.force;
	o->verbose = cfg.verbose;
	o->resume = cfg.resume;
	o->changed_only = cfg.changed_only;
}

int cmd_sync(int argc, char **argv)
{
	struct sync_opts o;
	sync_opts_defaults(&o, 1);
	int dry = 0, json = 0;
	static const char *const longs[] = {"json", NULL};
	struct cmd_opts op = CMD_OPTS_INIT;
	op.longs = longs;
	int c;
	const char *parg = NULL;
	while ((c = cmd_getopt(&op, argc, argv, "fvrcnq:P:")) > 0) {
		long long q;
		switch (c) {
		case 'n':
			dry = 1;
			break;
		case CMD_LONG(0):
			json = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'r':
			o.resume = 1;
			break;
		case 'c':
			o.changed_only = 1;
			break;
		case 'q':
			if (parse_ll(op.arg, &q) < 0)
				return cmd_usage_error("sync", "sync -q needs a number of seconds");
			if (q < 30 || q > 100000000)
				return cmd_usage_error(
				    "sync", "sync -q must use a value of at least 30 seconds, not %s",
				    op.arg);
			o.quiet_secs = (int)q;
			break;
		case 'P':
			parg = op.arg;
			break;
		}
	}
	if (c < 0)
		return EXIT_USAGE;
	int parallel = sync_parallel("sync", parg);
	if (parallel < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (i >= argc)
		return cmd_usage_error("sync", "no filesystem specified for sync");
	if (strchr(argv[i], '@')) {
		if (argc - i != 1)
			return cmd_usage_error("sync", "sync FS@SNAP takes exactly one snapshot");
		return synctosnap(argv[i], o.force);
	}
	if (json && !dry)
		return cmd_usage_error("sync", "--json goes with -n (the plan)");
	if (dry && (o.resume || o.changed_only || o.quiet_secs))
		return cmd_usage_error("sync", "-n plans a plain sync (not with -r, -c or -q)");
	if (dry)
		return sync_dry_run(argv + i, argc - i, o.force, json);
	return sync_many("sync", argv + i, argc - i, &o, parallel);
}
