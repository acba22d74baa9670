/*
 * syncfs: see syncfs.h. The order of a sync, and why:
 *   1. lock the fs (a second zrep must not snapshot or send concurrently);
 *   2. read config and snapshots (two zfs calls) and pick the base: the
 *      newest snapshot marked sent;
 *   3. snapshot (numbered after the highest zrep snapshot);
 *   4. push through one ssh session: the destination refuses if it is
 *      master (split brain) before any data flows, receives, marks the
 *      snapshot sent there, and expires its own old snapshots;
 *   5. mark the snapshot sent here only after the destination has it;
 *   6. expire here from the listing already in memory.
 * A failed transfer renames the new snapshot _unsent (or destroys it, per
 * ZREP_RENAME_UNSENT) so the next run starts again from the same base.
 */
#include "syncfs.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "expire.h"
#include "lock.h"
#include "msg.h"
#include "oplog.h"
#include "props.h"
#include "replicate.h"

static int last_sync_age(const char *fs, long long *age)
{
	struct zsnaps s;
	struct zerr e = { 0 };
	int rc = -1;
	if (zfs_list_snaps(&local_host, fs, cfg.tag, &s, &e) == 0) {
		const struct zsnap *ls = zsnaps_last_sent(&s);
		long long t;
		if (ls && parse_ll(ls->sent, &t) == 0) {
			*age = now_secs() - t;
			rc = 0;
		}
		zsnaps_free(&s);
	}
	zerr_clear(&e);
	return rc;
}

static void dispose_failed(const char *snap)
{
	struct zerr e = { 0 };
	if (str_eq(cfg.rename_unsent, "yes")) {
		char *to = xasprintf("%s_unsent", snap);
		if (zfs_rename(&local_host, snap, to, cfg.recursive, &e) == 0)
			note("Renamed %s to %s", snap, to);
		else
			warn("could not rename %s to %s: %s", snap, to, zerr_text(&e));
		free(to);
	} else if (zfs_destroy(&local_host, snap, cfg.recursive, &e) != 0) {
		warn("could not destroy unsent %s: %s", snap, zerr_text(&e));
	}
	zerr_clear(&e);
}

/*
 * sync -r: finds out (one round trip) whether the destination can resume
 * and holds a partial receive; if so, completes that transfer first with
 * `zfs send -t TOKEN`, checks the guid, and marks the snapshot it carried
 * sent on both sides (the reference marked the wrong snapshot). snaps is
 * listed again afterwards. Returns 0 or -1.
 */
static int resume_pending(const struct fsinfo *fi, const struct host *dh, struct zsnaps *snaps, int *resumable)
{
	struct zerr e = { 0 };
	int exists = 0, rc = -1;
	char *token = NULL, *to = NULL;
	struct push_result res = { 0 };
	*resumable = 0;
	if (zfs_probe_token(dh, fi->dest_fs, &exists, &token, &e) < 0) {
		error("cannot reach %s: %s", dh->name, zerr_text(&e));
		goto out;
	}
	if (!zfs_features(dh)->recv_s || !zfs_features(&local_host)->send_t) {
		warn("the zfs on %s cannot resume transfers; syncing %s without -r",
		     zfs_features(dh)->recv_s ? "this host" : dh->name, fi->fs);
		rc = 0;
		goto out;
	}
	*resumable = 1;
	if (!token) {
		rc = 0;
		goto out;
	}
	to = zfs_token_toname(&local_host, token, &e);
	const char *at = to ? strchr(to, '@') : NULL;
	const struct zsnap *s = at ? zsnaps_find(snaps, at + 1) : NULL;
	if (!to || !s || strncmp(to, fi->fs, (size_t)(at - to)) != 0 || strlen(fi->fs) != (size_t)(at - to)) {
		error("%s:%s holds a partial receive of %s, which is not a snapshot of %s here; "
		      "discard it there with zfs receive -A %s",
		      dh->name, fi->dest_fs, to ? to : "an unknown snapshot", fi->fs, fi->dest_fs);
		goto out;
	}
	note("resuming the interrupted transfer of %s to %s:%s", to, dh->name, fi->dest_fs);
	struct push_opts po = {
		.snap = to,
		.token = token,
		.check_master = 1,
		.recv = { .target = fi->dest_fs, .resumable = 1, .extra = cfg.recv_flags },
		.mark_sent = 1,
	};
	if (push(dh, &po, &res) != 0) {
		error("resumed transfer of %s failed: %s", to, zerr_text(&res.err));
		goto out;
	}
	if (!res.guid || !s->guid || strcmp(res.guid, s->guid) != 0) {
		error("%s:%s received a snapshot whose guid (%s) is not %s's (%s); not marking it sent", dh->name,
		      fi->dest_fs, res.guid ? res.guid : "?", to, s->guid ? s->guid : "?");
		goto out;
	}
	if (mark_sent_local(to, now_secs()) < 0)
		goto out;
	zsnaps_free(snaps);
	if (zfs_list_snaps(&local_host, fi->fs, cfg.tag, snaps, &e) != 0) {
		error("cannot list snapshots of %s: %s", fi->fs, zerr_text(&e));
		goto out;
	}
	rc = 0;
out:
	push_result_free(&res);
	free(token);
	free(to);
	zerr_clear(&e);
	return rc;
}

int sync_fs(const char *fs, const struct sync_opts *o)
{
	struct fsinfo fi;
	struct host dh = { 0 };
	struct zsnaps snaps = { 0 };
	struct push_result res = { 0 };
	struct zerr e = { 0 };
	char *newsnap = NULL;
	int rc = SYNC_FAIL;
	int locked = 0;

	if (fsinfo_read(&local_host, fs, &fi) < 0) {
		oplog_fs("sync", fs, OPLOG_FAILED, NULL, 0, 0);
		return SYNC_FAIL;
	}
	if (!fsinfo_is_master(&fi)) {
		error("%s is not master here; cannot sync (%s is not yes)", fs, P.master);
		goto out;
	}
	if (!fi.dest_host || !fi.dest_fs) {
		error("%s: %s or %s is not set; cannot sync", fs, P.dest_host, P.dest_fs);
		goto out;
	}
	if (host_init(&dh, fi.dest_host) < 0) {
		error("%s: refusing the value of %s", fs, P.dest_host);
		goto out;
	}
	if (check_dsname(fi.dest_fs, 0) < 0) {
		error("%s: refusing the value of %s", fs, P.dest_fs);
		goto out;
	}
	int lr = fslock_acquire(fs, o->quiet_secs > 0);
	if (lr < 0)
		goto out;
	if (lr == 1) {
		if (o->quiet_secs > 0) {
			long long age;
			if (last_sync_age(fs, &age) < 0) {
				error("%s is busy, and quiet mode cannot find its last sync", fs);
				goto out;
			}
			if (age > o->quiet_secs) {
				error("%s is busy and its last sync was %llds ago, over the quiet limit of %ds", fs, age,
				      o->quiet_secs);
				goto out;
			}
			note("Quiet mode: skipping busy fs %s (last sync %llds ago)", fs, age);
			rc = SYNC_SKIPPED;
			goto out;
		}
		error("cannot lock %s; cannot continue", fs);
		goto out;
	}
	locked = 1;
	if (zrepfs_snaps(&local_host, fs, &snaps) < 0) {
		goto out;
	}
	const struct zsnap *base = zsnaps_last_sent(&snaps);
	if (!base) {
		error("%s has no snapshot marked sent; initialise it with zrep init (or mark one with zrep sentsync)", fs);
		goto out;
	}
	if (o->make_snapshot && cfg.changed_only) {
		int ch = zfs_changed_since(&local_host, base->name, fs, &e);
		if (ch < 0) {
			warn("cannot tell whether %s changed since %s (%s); syncing anyway", fs, base->snap,
			     zerr_text(&e));
		} else if (ch == 0) {
			note("%s has not changed since %s; no new snapshot", fs, base->name);
			rc = mark_sent_local(base->name, now_secs()) < 0 ? SYNC_FAIL : SYNC_OK;
			goto out;
		}
	}
	int resumable = 0;
	if (cfg.resume) {
		int r = resume_pending(&fi, &dh, &snaps, &resumable);
		if (r < 0)
			goto out;
		base = zsnaps_last_sent(&snaps);
		if (!base) {
			error("%s: no snapshot marked sent after resuming", fs);
			goto out;
		}
	}
	if (o->make_snapshot) {
		newsnap = makesnap(&fi, &snaps);
		if (!newsnap)
			goto out;
	} else {
		const struct zsnap *nw = zsnaps_newest(&snaps, 1);
		newsnap = xstrdup(nw->name);
		if (strcmp(nw->name, base->name) == 0) {
			note("%s already sent", newsnap);
			rc = SYNC_OK;
			goto out;
		}
	}

	note("sending %s to %s:%s", newsnap, dh.name, fi.dest_fs);
	struct push_opts po = {
		.base = base->name,
		.snap = newsnap,
		.check_master = 1,
		.recv = { .target = fi.dest_fs, .force = o->force, .extra = cfg.recv_flags, .resumable = resumable },
		.mark_sent = 1,
		.remote_expire = !(o->skip_expire || cfg.skip_expire),
		.local_snaps = &snaps,
	};
	if (push(&dh, &po, &res) != 0) {
		if (res.dest_master) {
			error("split brain: %s:%s is also master; not sending (last sent here: %s, guid %s)", dh.name,
			      fi.dest_fs, base->name, base->guid ? base->guid : "?");
		} else if (res.dest_missing) {
			error("cannot sync %s: %s:%s is not there (%s)", fs, dh.name, fi.dest_fs,
			      res.detail ? res.detail : "no such dataset");
		} else if (!res.reached) {
			error("cannot sync %s: %s is not reachable: %s", fs, dh.name, zerr_text(&res.err));
		} else {
			error("sync of %s to %s:%s failed: %s (%s)", newsnap, dh.name, fi.dest_fs,
			      zerr_kind_str(res.err.kind), zerr_text(&res.err));
			if (res.err.kind == ZE_RESUME && !resumable)
				error("%s:%s holds a partial receive: resume it with zrep sync -r %s, or discard it "
				      "there with zfs receive -A %s",
				      dh.name, fi.dest_fs, fs, fi.dest_fs);
			if (resumable)
				note("resume mode: keeping %s; zrep sync -r %s resumes the transfer", newsnap, fs);
			else if (o->make_snapshot)
				dispose_failed(newsnap);
		}
		goto out;
	}
	if (res.adopted_base) {
		const struct zsnap *ab = zsnaps_find(&snaps, strchr(res.adopted_base, '@') + 1);
		if (ab && snapname_cmp(&ab->sn, &base->sn) > 0) {
			note("%s was already on %s:%s (an earlier run was not recorded); sent from there",
			     res.adopted_base, dh.name, fi.dest_fs);
			mark_sent_local(res.adopted_base, now_secs());
		} else {
			note("%s is not on %s:%s; sent from %s, the newest snapshot both sides hold", base->name,
			     dh.name, fi.dest_fs, res.adopted_base);
		}
	}
	if (!res.sent_marked)
		warn("%s:%s received %s but could not mark it sent", dh.name, fi.dest_fs, strchr(newsnap, '@'));
	if (mark_sent_local(newsnap, now_secs()) < 0)
		goto out;
	if (po.remote_expire && !res.expire_ok)
		warn("remote expire on %s:%s failed (is zrep installed there as '%s'?)", dh.name, fi.dest_fs,
		     cfg.zrep_path);

	/* Local expiry from the listing in memory, updated with what we sent
	 * (no second zfs list). */
	if (!(o->skip_expire || cfg.skip_expire)) {
		if (res.adopted_base)
			zsnaps_mark_sent(&snaps, res.adopted_base); /* harmless when older: newsnap is newer */
		if (o->make_snapshot)
			zsnaps_add(&snaps, newsnap, cfg.tag);
		zsnaps_mark_sent(&snaps, newsnap);
		expire_local(&fi, &snaps);
	}
	if (o->newsnap_out) {
		*o->newsnap_out = newsnap;
		newsnap = NULL;
	}
	rc = SYNC_OK;
out:
	oplog_fs("sync", fs, rc == SYNC_FAIL ? OPLOG_FAILED : rc == SYNC_SKIPPED ? OPLOG_SKIPPED : OPLOG_OK,
		 newsnap, fsinfo_is_master(&fi),
		 fi.last_error != NULL);
	if (locked && !(o->keep_lock && rc == SYNC_OK))
		fslock_release(fs);
	free(newsnap);
	push_result_free(&res);
	zsnaps_free(&snaps);
	zerr_clear(&e);
	fsinfo_free(&fi);
	host_release(&dh);
	return rc;
}

static const char expire_script[] = "d=$1; mp=$2; shift 2; "
				    "m=$(zfs get -H -o value -s local \"$mp\" \"$d\" 2>&1 </dev/null) || "
				    "{ echo ZREP-NODEST; exit 0; }; "
				    "if [ \"$m\" = yes ]; then echo ZREP-MASTER; exit 0; fi; "
				    "if \"$@\" >&2 </dev/null; then echo ZREP-EXPIRE-OK; else echo ZREP-EXPIRE-FAILED; fi";

int expire_remote(const struct fsinfo *fi)
{
	struct host dh;
	if (!fi->dest_host || !fi->dest_fs || host_init(&dh, fi->dest_host) < 0 || check_dsname(fi->dest_fs, 0) < 0)
		return error("%s: cannot expire the remote side: %s/%s are not usable", fi->fs, P.dest_host,
			     P.dest_fs);
	struct strv args = STRV_INIT;
	strv_push(&args, fi->dest_fs);
	strv_push(&args, P.master);
	remote_zrep_argv(&args);
	strv_push(&args, "expire");
	strv_push(&args, fi->dest_fs);
	struct strv sv = STRV_INIT;
	host_build_script(&dh, expire_script, args.v, &sv);
	struct proc p;
	proc_init(&p, sv.v);
	p.err = EXEC_INHERIT;
	if (!dh.local)
		host_ssh_count++;
	note("Also running expire on %s:%s now...", dh.name, fi->dest_fs);
	int st = exec_run(&p);
	const char *out = sb_str(&p.out_buf);
	int rc;
	if (strstr(out, "ZREP-MASTER")) {
		rc = error("split brain: %s:%s is also master; not expiring", dh.name, fi->dest_fs);
	} else if (strstr(out, "ZREP-EXPIRE-OK")) {
		rc = 0;
	} else if (strstr(out, "ZREP-EXPIRE-FAILED") || strstr(out, "ZREP-NODEST")) {
		warn("remote expire on %s:%s failed", dh.name, fi->dest_fs);
		rc = 1;
	} else {
		char b[64];
		rc = error("cannot reach %s for the remote expire (%s)", dh.name, exec_status_str(st, b, sizeof(b)));
	}
	proc_release(&p);
	strv_clear(&sv);
	strv_clear(&args);
	host_release(&dh);
	return rc;
}
