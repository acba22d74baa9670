/*
 * sentsync [-L] FS@SNAP: declares SNAP the last snapshot sent of FS
 * (reference §1.16): for recovery when a transfer completed but was not
 * recorded, or to adopt a replica made by hand (after changeconfig).
 *
 * Under FS's lock: marks DESTFS@SNAP sent on the dest-host with one remote
 * `zfs set` (skipped with -L; if it fails nothing is changed here), clears
 * the sent marks of FS's own other snapshots (not of descendants, unlike
 * upstream; a failing clear stops the command), marks FS@SNAP sent, and
 * sets TAG:master=yes only if FS's src-host is this host (upstream set it
 * unconditionally).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../host.h"
#include "../lock.h"
#include "../msg.h"
#include "../props.h"
#include "../snapname.h"
#include "../zfs.h"
#include "../zrepfs.h"

struct job {
	const char *full; /* FS@SNAP */
	char *fs;
	const char *snap; /* after '@' */
	int local_only;
	struct fsinfo fi;
	struct zsnaps snaps;
	struct host rh;
};

/* Everything that can be checked before changing anything. */
static int check(struct job *j)
{
	struct zerr e = {0};
	const struct zfs_features *f = zfs_features(&local_host);
	if (f->probed && !f->snapprops)
		return error("the zfs on this host cannot set properties on snapshots; sentsync needs that");
	if (fsinfo_read(&local_host, j->fs, &j->fi) < 0)
		return -1;
	if (!fsinfo_is_configured(&j->fi))
		return error("%s is not configured for zrep (tag %s); use changeconfig first", j->fs,
		             cfg.tag);
	if (zrepfs_snaps(&local_host, j->fs, &j->snaps) < 0) {
		zerr_clear(&e);
		return -1;
	}
	if (!zsnaps_find(&j->snaps, j->snap))
		return error("no such snapshot: %s", j->full);
	char *v = NULL;
	if (zfs_get_one(&local_host, P.sent, j->fs, 1, &v, &e) != 0) {
		error("cannot read %s of %s: %s", P.sent, j->fs, zerr_text(&e));
		zerr_clear(&e);
		return -1;
	}
	if (v) {
		free(v);
		return error("%s is set on the filesystem %s itself (only snapshots carry it); "
		             "remove it first with: zfs inherit %s %s",
		             P.sent, j->fs, P.sent, j->fs);
	}
	if (!j->local_only) {
		if (!j->fi.dest_host || !j->fi.dest_fs)
			return error("%s has no %s/%s; use -L to mark only this host", j->fs, P.dest_host,
			             P.dest_fs);
		if (host_init(&j->rh, j->fi.dest_host) < 0 || check_dsname(j->fi.dest_fs, 0) < 0)
			return error("%s has an unusable destination; use -L to mark only this host", j->fs);
	}
	return 0;
}

static int mark(struct job *j)
{
	struct zerr e = {0};
	char ts[32];
	snprintf(ts, sizeof(ts), "%lld", now_secs());
	int rc = -1;
	if (!j->local_only) {
		char *dsnap = xasprintf("%s@%s", j->fi.dest_fs, j->snap);
		note("marking %s:%s as sent", j->rh.name, dsnap);
		int st = zfs_set(&j->rh, dsnap, P.sent, ts, &e);
		if (st != 0)
			error("cannot mark %s:%s as sent: %s; nothing was changed on this host "
			      "(use -L to mark only this host)",
			      j->rh.name, dsnap, zerr_text(&e));
		free(dsnap);
		if (st != 0)
			goto out;
		zerr_clear(&e);
	}
	for (size_t i = 0; i < j->snaps.n; i++) {
		const struct zsnap *s = &j->snaps.v[i];
		if (!s->sent || strcmp(s->name, j->full) == 0)
			continue;
		note("clearing %s from %s", P.sent, s->name);
		if (zfs_inherit(&local_host, P.sent, s->name, &e) != 0) {
			error("cannot clear %s from %s: %s", P.sent, s->name, zerr_text(&e));
			goto out;
		}
		zerr_clear(&e);
	}
	note("marking %s as sent", j->full);
	if (zfs_set(&local_host, j->full, P.sent, ts, &e) != 0) {
		error("cannot mark %s as sent: %s", j->full, zerr_text(&e));
		goto out;
	}
	zerr_clear(&e);
	if (!str_eq(j->fi.src_host, host_local_name())) {
		note("not setting %s on %s: its %s is %s, this host is %s", P.master, j->fs, P.src_host,
		     j->fi.src_host ? j->fi.src_host : "unset", host_local_name());
	} else if (!fsinfo_is_master(&j->fi)) {
		note("setting %s=yes on %s", P.master, j->fs);
		if (zfs_set(&local_host, j->fs, P.master, "yes", &e) != 0) {
			error("cannot set %s on %s: %s", P.master, j->fs, zerr_text(&e));
			goto out;
		}
	}
	rc = 0;
out:
	zerr_clear(&e);
	return rc;
}

int cmd_sentsync(int argc, char **argv)
{
	struct job j;
	memset(&j, 0, sizeof(j));
	struct cmd_opts op = CMD_OPTS_INIT;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "L")) > 0)
		j.local_only = 1;
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (i >= argc)
		return cmd_usage_error("sentsync", "sentsync needs FS@SNAP");
	if (argc - i > 1)
		return cmd_usage_error("sentsync", "sentsync takes one snapshot");
	j.full = argv[i];
	if (check_dsname(j.full, 1) < 0)
		return EXIT_USAGE;
	if (!strchr(j.full, '@'))
		return cmd_usage_error("sentsync", "sentsync needs a snapshot, FS@SNAP, not: %s", j.full);
	struct snapname sn;
	size_t fl;
	if (snapname_parse_full(j.full, cfg.tag, &sn, &fl) < 0) {
		error("%s does not follow zrep naming (FS@%s_NNNNNN)", j.full, cfg.tag);
		return EXIT_FAIL;
	}
	if (sn.unsent) {
		error("%s is a failed transfer (_unsent); rename it without the suffix first if it was sent "
		      "after all",
		      j.full);
		return EXIT_FAIL;
	}
	j.fs = xstrndup(j.full, fl);
	j.snap = j.full + fl + 1;

	int rc = EXIT_FAIL;
	if (check(&j) == 0) {
		int r = fslock_acquire(j.fs, 0);
		if (r == 0) {
			if (mark(&j) == 0)
				rc = EXIT_OK;
			fslock_release(j.fs);
		} else if (r > 0) {
			rc = EXIT_TEMPFAIL;
		}
	}
	if (j.rh.name)
		host_release(&j.rh);
	zsnaps_free(&j.snaps);
	fsinfo_free(&j.fi);
	free(j.fs);
	return rc;
}
