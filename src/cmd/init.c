/*
 * init: first full replication of SRCFS to DESTHOST:DESTFS (reference §1.1).
 *
 * Order: check everything first (arguments, source, not configured, the
 * destination's existence and features in one round trip), then set the
 * source's properties, snapshot @TAG_000000, push it (receive unmounted and
 * read-only where the destination's zfs can, else set readonly right after
 * the receive), mark it sent on both sides, and set TAG:master=yes last.
 * On failure only what this init created is undone: a destination that
 * existed before is never destroyed.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../oplog.h"
#include "../props.h"
#include "../pipeline.h"
#include "../zrepsnap.h"
#include "../zrepfs.h"
#include "initplan.h"

struct undo {
	int props_set;
	char *snap;
	int dest_created; /* the destination did not exist before */
};

static void undo_init(const char *fs, const struct host *dh, const char *destfs, const struct undo *u)
{
	struct zerr e = {0};
	if (u->dest_created) {
		int ex = zfs_exists(dh, destfs, &e);
		if (ex == 1 && zfs_destroy(dh, destfs, cfg.recursive, &e) != 0)
			warn("could not remove the partial destination %s:%s: %s", dh->name, destfs,
			     zerr_text(&e));
	}
	if (u->snap && zfs_destroy(&local_host, u->snap, cfg.recursive, &e) != 0)
		warn("could not remove %s: %s", u->snap, zerr_text(&e));
	if (u->props_set) {
		const char *props[] = {P.src_fs, P.src_host, P.dest_fs, P.dest_host, P.savecount};
		for (size_t i = 0; i < ARRAY_SIZE(props); i++)
			zfs_inherit(&local_host, props[i], fs, &e);
	}
	zerr_clear(&e);
}

int cmd_init(int argc, char **argv)
{
	int force = cfg.force, verbose = cfg.verbose;
	int dry = 0, json = 0;
	static const char *const longs[] = {"json", NULL};
	struct cmd_opts op = CMD_OPTS_INIT;
	op.longs = longs;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "fvn")) > 0) {
		if (c == 'f')
			force = 1;
		else if (c == 'v')
			verbose = 1;
		else if (c == 'n')
			dry = 1;
		else
			json = 1;
	}
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (argc - i != 3)
		return cmd_usage_error("init", "init needs SRCFS DESTHOST DESTFS (got %d argument%s)",
		                       argc - i, argc - i == 1 ? "" : "s");
	if (json && !dry)
		return cmd_usage_error("init", "--json goes with -n (the plan)");
	const char *fs = argv[i], *desthost = argv[i + 1], *destfs = argv[i + 2];
	struct host dh;
	long long sc;
	if (check_dsname(fs, 0) < 0 || check_dsname(destfs, 0) < 0 || host_init(&dh, desthost) < 0)
		return EXIT_USAGE;
	if (parse_ll(cfg.save_count, &sc) < 0 || sc < 1) {
		host_release(&dh);
		error("ZREP_SAVE_COUNT must be a whole number >= 1, not %s", cfg.save_count);
		return EXIT_USAGE;
	}

	struct fsinfo fi;
	if (fsinfo_read(&local_host, fs, &fi) < 0) {
		host_release(&dh);
		return EXIT_FAIL;
	}
	int rc = EXIT_FAIL;
	struct undo u = {0};
	struct zsnaps snaps = {0};
	struct push_result res = {0};
	struct zerr e = {0};
	struct strv after = STRV_INIT;
	char *mountpoint = NULL;

	if (!str_eq(fi.type, "filesystem") && !str_eq(fi.type, "volume")) {
		error("%s is a %s, not a filesystem or volume", fs,
		      fi.type ? fi.type : "dataset of unknown type");
		goto out;
	}
	if (fsinfo_is_configured(&fi)) {
		if (fi.dest_fs_src == ZSRC_INHERITED)
			error("%s is inside %s, which zrep already replicates with tag %s; use another tag "
			      "(-t) for nested filesystems",
			      fs, fi.dest_fs_inherited_from, cfg.tag);
		else
			error("%s is already configured by zrep (%s=%s); to re-initialise, first run zrep "
			      "clear %s",
			      fs, P.dest_fs, fi.dest_fs, fs);
		goto out;
	}
	if (fi.master) {
		error("%s has %s set; to re-initialise, first run zrep clear %s", fs, P.master, fs);
		goto out;
	}
	if (zrepfs_snaps(&local_host, fs, &snaps) < 0) {
		goto out;
	}
	if (zsnaps_newest(&snaps, 0)) {
		error("%s already has zrep snapshots (%s); remove them with zrep clear %s first", fs,
		      zsnaps_newest(&snaps, 0)->name, fs);
		goto out;
	}

	int exists = 0;
	if (zfs_probe(&dh, destfs, &exists, &e) < 0) {
		error("cannot reach %s to check %s: %s", dh.name, destfs, zerr_text(&e));
		goto out;
	}
	if (exists && !force) {
		error("%s:%s already exists; will not overwrite it without -f", dh.name, destfs);
		goto out;
	}
	if (!strchr(destfs, '/') && !force) {
		error("%s is a whole pool; replicating into a pool's root needs -f", destfs);
		goto out;
	}
	const struct zfs_features *lf = zfs_features(&local_host);
	struct zfs_features rf = *zfs_features(&dh);
	if (cfg.resume && !rf.recv_s)
		warn("the zfs on %s cannot resume receives; continuing without resume", dh.name);
	zfs_get_one(&local_host, "mountpoint", fs, 1, &mountpoint, &e);

	if (dry) {
		rc = init_dry_run(fs, &dh, destfs, exists, lf, &rf, mountpoint, json);
		goto out;
	}
	note("Setting zrep properties on %s", fs);
	u.props_set = 1;
	const char *vals[][2] = {{P.src_fs, fs},
	                         {P.src_host, host_local_name()},
	                         {P.dest_fs, destfs},
	                         {P.dest_host, dh.name},
	                         {P.savecount, cfg.save_count}};
	for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
		if (zfs_set(&local_host, fs, vals[k][0], vals[k][1], &e) != 0) {
			error("cannot set %s on %s: %s", vals[k][0], fs, zerr_text(&e));
			goto fail;
		}
	}

	if (cfg.create_flags) {
		note("Creating destination filesystem as separate step");
		struct strv cv = STRV_INIT;
		strv_push(&cv, "create");
		strv_split(&cv, cfg.create_flags);
		strv_push(&cv, destfs);
		int st = zfs_exec(&dh, cv.v, NULL, &e);
		strv_clear(&cv);
		if (st != 0) {
			error("cannot create %s:%s: %s", dh.name, destfs, zerr_text(&e));
			goto fail;
		}
		if (!exists)
			u.dest_created = 1;
	}

	u.snap = snapname_format(fs, cfg.tag, 0);
	note("Creating snapshot %s", u.snap);
	if (zfs_snapshot(&local_host, u.snap, cfg.recursive, &e) != 0) {
		error("cannot create snapshot %s: %s", u.snap, zerr_text(&e));
		free(u.snap);
		u.snap = NULL;
		goto fail;
	}

	int ro_by_recv = rf.recv_o && !cfg.create_flags;
	if (!ro_by_recv)
		strv_push(&after, "readonly=on");
	if (!(lf->send_p && rf.recv_u) || cfg.create_flags)
		for (size_t k = 0; k < ARRAY_SIZE(vals); k++)
			strv_pushf(&after, "%s=%s", vals[k][0], vals[k][1]);
	strv_split(&after, cfg.init_remote_props);
	if (mountpoint)
		strv_push(&after, "@inherit=mountpoint");

	struct push_opts po = {
	    .verbose = verbose,
	    .snap = u.snap,
	    .props = lf->send_p,
	    .recv = {.target = destfs,
	             .force = exists || cfg.create_flags,
	             .unmounted = rf.recv_u,
	             .resumable = cfg.resume && rf.recv_s,
	             .readonly_o = ro_by_recv,
	             .extra = cfg.recv_flags},
	    .set_after = strv_argv(&after),
	    .mark_sent = 1,
	    .hold = 1,
	};
	note("Sending initial replication stream to %s:%s", dh.name, destfs);
	if (!exists)
		u.dest_created = 1;
	long long ts = now_secs();
	if (push(&dh, &po, &res) != 0) {
		error("initial send of %s to %s:%s failed: %s", u.snap, dh.name, destfs, zerr_text(&res.err));
		if (exists)
			warn("%s:%s existed before and was not removed; check its state", dh.name, destfs);
		if (cfg.resume && rf.recv_s) {
			error("resume mode: keeping %s and the partial receive for a later resume", u.snap);
			u.props_set = 0;
			free(u.snap);
			u.snap = NULL;
			u.dest_created = 0;
		}
		goto fail;
	}
	if (!res.sent_marked)
		warn("could not mark %s:%s as sent", dh.name, destfs);
	if (mark_sent_local(u.snap, ts) < 0)
		goto fail;
	if (lf->holds && zfs_hold(&local_host, cfg.tag, u.snap, &e) != 0) {
		warn("cannot put hold %s on %s: %s", cfg.tag, u.snap, zerr_text(&e));
		zerr_clear(&e);
	}
	if (zfs_set(&local_host, fs, P.master, "yes", &e) != 0) {
		error("cannot set %s on %s: %s", P.master, fs, zerr_text(&e));
		goto fail;
	}
	note("Initialization copy of %s to %s:%s complete", fs, dh.name, destfs);
	if (rf.recv_u)
		note("Filesystem will not be mounted");
	rc = EXIT_OK;
	goto out;
fail:
	undo_init(fs, &dh, destfs, &u);
out:
	if (!dry)
		oplog_fs("init", fs, rc == EXIT_OK ? OPLOG_OK : OPLOG_FAILED, NULL, 0, 0);
	free(u.snap);
	free(mountpoint);
	strv_clear(&after);
	push_result_free(&res);
	zsnaps_free(&snaps);
	zerr_clear(&e);
	fsinfo_free(&fi);
	host_release(&dh);
	return rc;
}
