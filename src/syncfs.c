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
#include <unistd.h>
#include <string.h>

#include "bookmark.h"
#include "config.h"
#include <stdio.h>
#include "destview.h"
#include "exec.h"
#include "expire.h"
#include "lock.h"
#include "msg.h"
#include "oplog.h"
#include "props.h"
#include "pipeline.h"
#include "workers.h"
#include "zrepsnap.h"

static int last_sync_age(const char *fs, long long *age)
{
	struct zsnaps s;
	struct zerr e = {0};
	int rc = -1;
	if (zrepfs_list_snaps(&local_host, fs, cfg.tag, &s, &e) == 0) {
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

static void dispose_failed(const char *snap, int held)
{
	struct zerr e = {0};
	if (held) {
		zfs_release(&local_host, cfg.tag, snap, &e); /* hold_new's, before the transfer */
		zerr_clear(&e);
	}
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
 * The destination holds a partial receive (token): when the token names a
 * snapshot of fs here with the same guid, the transfer is completed with
 * `zfs send -t TOKEN`, its guid checked, and that snapshot marked sent on
 * both sides (snaps is listed again). Returns 0 when resumed, 1 when the
 * token is not one of ours (the caller drops it), -1 when resuming failed.
 */
static int resume_token(const struct fsinfo *fi, const struct host *dh, struct zsnaps *snaps,
                        const char *token, int verbose)
{
	struct zerr e = {0};
	int rc = -1;
	char *to = NULL, *toguid = NULL;
	struct push_result res = {0};
	if (!zfs_features(&local_host)->send_t) {
		warn("%s:%s holds a partial receive, and the zfs here cannot resume it", dh->name,
		     fi->dest_fs);
		rc = 1;
		goto out;
	}
	zfs_token_info(&local_host, token, &to, &toguid, &e);
	const char *at = to ? strchr(to, '@') : NULL;
	const struct zsnap *s = at ? zsnaps_find(snaps, at + 1) : NULL;
	/* The send follows the token's guid: it must be our snapshot's, not only its name. */
	if (!to || !s || strncmp(to, fi->fs, (size_t)(at - to)) != 0 || strlen(fi->fs) != (size_t)(at - to) ||
	    !str_eq(toguid, s->guid)) {
		note("%s:%s holds a partial receive of %s (guid %s), which is not a snapshot of %s here; "
		     "dropping it there (zfs receive -A)",
		     dh->name, fi->dest_fs, to ? to : "an unknown snapshot", toguid ? toguid : "?", fi->fs);
		rc = 1;
		goto out;
	}
	note("resuming the interrupted transfer of %s to %s:%s", to, dh->name, fi->dest_fs);
	struct push_opts po = {
	    .snap = to,
	    .token = token,
	    .verbose = verbose,
	    .check_master = 1,
	    .recv = {.target = fi->dest_fs, .resumable = 1, .extra = cfg.recv_flags},
	    .mark_sent = 1,
	    .hold = 1,
	};
	if (push(dh, &po, &res) != 0) {
		error("resumed transfer of %s failed: %s", to, zerr_text(&res.err));
		goto out;
	}
	if (!res.guid || !s->guid || strcmp(res.guid, s->guid) != 0) {
		error("%s:%s received a snapshot whose guid (%s) is not %s's (%s); not marking it sent",
		      dh->name, fi->dest_fs, res.guid ? res.guid : "?", to, s->guid ? s->guid : "?");
		goto out;
	}
	if (mark_sent_local(to, res.sent_time) < 0)
		goto out;
	zsnaps_mark_sent(snaps, to);
	rc = 0;
out:
	push_result_free(&res);
	free(to);
	free(toguid);
	zerr_clear(&e);
	return rc;
}

/* Another zrep holds fs: -q skips it quietly when its last sync is recent; else busy (transient). */
static int busy_outcome(const char *fs, const struct sync_opts *o)
{
	if (o->quiet_secs <= 0) {
		error("cannot lock %s; cannot continue", fs);
		return SYNC_TEMPFAIL;
	}
	long long age;
	if (last_sync_age(fs, &age) < 0) {
		error("%s is busy, and quiet mode cannot find its last sync", fs);
		return SYNC_FAIL;
	}
	if (age > o->quiet_secs) {
		error("%s is busy and its last sync was %llds ago, over the quiet limit of %ds", fs, age,
		      o->quiet_secs);
		return SYNC_FAIL;
	}
	note("Quiet mode: skipping busy fs %s (last sync %llds ago)", fs, age);
	return SYNC_SKIPPED;
}

/*
 * The destination said its receive succeeded but a stage here failed (the
 * sender exited non-zero after the stream was complete): the snapshot
 * counts as sent when the destination's guid of it is ours. Returns 1 then.
 */
static int adopt_by_guid(const struct push_result *res, const char *snap, const struct host *dh,
                         const struct fsinfo *fi)
{
	if (!res->sender_failed || !res->recv_ok)
		return 0;
	if (!res->guid) {
		/* zfs receive exits 0 only after it committed the whole stream, whose snapshot is ours */
		warn("the sending side failed (%s), but %s:%s received %s completely; recorded as sent",
		     zerr_text(&res->err), dh->name, fi->dest_fs, strchr(snap, '@') + 1);
		return 1;
	}
	char *mine = NULL;
	struct zerr e = {0};
	int same = zfs_get_one(&local_host, "guid", snap, 0, &mine, &e) == 0 && str_eq(mine, res->guid);
	if (same)
		warn("the sending side failed (%s), but %s:%s received %s with its guid %s; recorded as sent",
		     zerr_text(&res->err), dh->name, fi->dest_fs, strchr(snap, '@') + 1, mine);
	free(mine);
	zerr_clear(&e);
	return same;
}

/* What a sync's push callbacks work on. */
struct sync_state {
	const struct sync_opts *o;
	struct fsinfo *fi;
	struct zsnaps *snaps;
	const struct host *dh;
	const struct zsnap *base;
	const char *newsnap;
	struct lock_holder hd;
	int marked; /* lock properties written */
	int taken;  /* the new snapshot exists */
	int bookmarked;
	int rc;       /* the outcome when before_ready failed */
	int recorded; /* record_sent ran */
	int deferred; /* record_sent left it to sync_record_deferred */
	int resumed;  /* a partial receive was completed first: snaps changed */
	int held;     /* zrep's hold is on newsnap since before the transfer (hold_new) */
	int record_rc;
};

/* The lock's properties (once). 0, or -1 with st->rc set. */
static int sync_mark_lock(struct sync_state *st)
{
	const char *fs = st->fi->fs;
	if (!st->marked) {
		int lr = fslock_mark(fs, &st->hd, st->o->quiet_secs > 0);
		if (lr != 0) {
			st->rc = lr == 1 ? busy_outcome(fs, st->o) : lr == -2 ? SYNC_TEMPFAIL : SYNC_FAIL;
			return -1;
		}
		st->marked = 1;
	}
	return 0;
}

/* Overlaps with the ssh connection: the lock's properties, then the new snapshot. */
static int sync_before_ready(void *ctx)
{
	struct sync_state *st = ctx;
	if (sync_mark_lock(st) < 0)
		return -1;
	if (st->o->make_snapshot && !st->taken) {
		if (makesnap_take(st->fi, st->newsnap) < 0) {
			st->rc = SYNC_FAIL;
			return -1;
		}
		st->taken = 1;
		/* held before any data flows (a batched sync all holds them all at the end) */
		if (!st->o->defer_record)
			st->held = hold_new(st->snaps, st->newsnap);
	}
	if (!st->bookmarked) {
		bookmark_before_send(st->snaps, st->newsnap); /* before any data flows (bookmark.h) */
		st->bookmarked = 1;
	}
	return 0;
}

/* The destination holds the new snapshot: mark it sent here, move the hold, expire here. Runs
 * while the destination does the same on its side. */
static void record_sent(void *ctx, const struct push_result *res)
{
	struct sync_state *st = ctx;
	if (st->recorded)
		return;
	st->recorded = 1;
	const char *newsnap = st->newsnap;
	if (res->dest_deferred || (st->o->defer_record && st->o->make_snapshot && !res->adopted_base &&
	                           !st->resumed && fsview_is_ahead(st->fi->fs))) {
		st->deferred = 1; /* the caller records it with the others (sync_record_deferred) */
		return;
	}
	long long t = res->sent_time ? res->sent_time : now_secs();
	if (res->adopted_base) {
		const struct zsnap *ab = zsnaps_find(st->snaps, strchr(res->adopted_base, '@') + 1);
		if (ab && snapname_cmp(&ab->sn, &st->base->sn) > 0) {
			note("%s was already on %s:%s (an earlier run was not recorded); sent from there",
			     res->adopted_base, st->dh->name, st->fi->dest_fs);
			mark_sent_local(res->adopted_base, t);
		} else {
			note("%s is not on %s:%s; sent from %s, the newest snapshot both sides hold",
			     st->base->name, st->dh->name, st->fi->dest_fs, res->adopted_base);
		}
	}
	/* The model as the sync leaves it: the new snapshot there and sent. */
	if (st->o->make_snapshot)
		zsnaps_add(st->snaps, newsnap, cfg.tag);
	if (res->adopted_base)
		zsnaps_mark_sent(st->snaps, res->adopted_base); /* harmless when older */
	zsnaps_mark_sent(st->snaps, newsnap);
	/* The mark, the hold's move and the expiry's destroy at once when it is one command: planned
	 * while the older hold is still on, it never destroys that base (a run killed here keeps
	 * it, marked sent). What the move then frees to expire goes after (expire_local). */
	int expire = !(st->o->skip_expire || cfg.skip_expire);
	struct strv xa = STRV_INIT, xn = STRV_INIT, ua = STRV_INIT;
	int with = expire && expire_local_argv(st->fi, st->snaps, &xa, &xn);
	/* The lock's property goes with them: it is what a shell zrep reads, and the flock, which
	 * every zrep of ours takes first, stays to the end (so does what follows under it). */
	int unlock = !st->o->keep_lock && fslock_unmark_argv(st->fi->fs, &ua);
	char *const *also[3] = {NULL, NULL, NULL};
	int ok[3] = {0, 0, 0}, na = 0, xi = -1, ui = -1;
	if (with)
		also[xi = na++] = xa.v;
	if (unlock)
		also[ui = na++] = ua.v;
	int mr = mark_sent_move_hold(st->snaps, newsnap, t, st->held, also, ok);
	if (with && ok[xi])
		for (size_t i = 0; i < xn.n; i++)
			zsnaps_remove(st->snaps, xn.v[i]);
	if (unlock)
		fslock_unmarked(st->fi->fs, ok[ui]);
	strv_clear(&xa);
	strv_clear(&xn);
	strv_clear(&ua);
	if (mr < 0) {
		st->record_rc = -1;
		return;
	}
	bookmark_after_sent(st->snaps, newsnap);
	/* Local expiry from the listing in memory, updated with what we sent (no second zfs list):
	 * no command when the destroy above did it all. */
	if (expire)
		expire_local(st->fi, st->snaps);
	if (!st->o->keep_lock)
		fslock_unmark(st->fi->fs); /* when it could not go above */
}

int sync_fs(const char *fs, const struct sync_opts *o)
{
	struct fsinfo fi;
	struct host dh = {0};
	struct zsnaps snaps = {0};
	struct push_result res = {0};
	struct zerr e = {0};
	char *newsnap = NULL;
	int rc = SYNC_FAIL;
	int locked = 0;

	memset(&fi, 0, sizeof(fi));
	struct sync_state sst = {.o = o, .fi = &fi, .snaps = &snaps, .dh = &dh};
	/* The flock first (no zfs command), then the settings this sync acts
	 * on, read under it together with the lock properties (one zfs get):
	 * a failover that finished in between is seen. */
	int lr = fslock_take(fs, o->quiet_secs > 0);
	if (lr != 0) {
		rc = lr == 1 ? busy_outcome(fs, o) : SYNC_FAIL;
		goto out;
	}
	locked = 1;
	if (fsview_read(fs, o->changed_only, &fi, &snaps) < 0)
		goto out;
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
	struct lock_holder hd = {-1, fi.lock_owner, fi.lock_time};
	if (!fi.lock_pid || parse_ll(fi.lock_pid, &hd.pid) < 0)
		hd.pid = fi.lock_pid ? -1 : 0;
	sst.hd = hd;
	/* Without a push ahead the lock's properties are written now; else while ssh connects. */
	if (!o->make_snapshot || o->changed_only) {
		if (sync_mark_lock(&sst) < 0) {
			locked = 0; /* released by fslock_mark */
			rc = sst.rc;
			goto out;
		}
	}
	/* A run that failed, or died holding the lock, may have left a receive running there. */
	int leftover = fi.last_error != NULL || hd.pid != 0;
	const struct zsnap *base = zsnaps_last_sent(&snaps);
	if (!base) {
		error("%s has no snapshot marked sent; initialise it with zrep init (or mark one with zrep "
		      "sentsync)",
		      fs);
		goto out;
	}
	if (o->make_snapshot && o->changed_only) {
		/* written (since the newest snapshot) where the zfs has it, read with the settings: no
		 * extra command, no ssh for an unchanged filesystem. Else zfs diff. */
		const struct zsnap *nw = zsnaps_newest(&snaps, 0);
		unsigned long long w = 0;
		int ch;
		if (fi.written && parse_ull(fi.written, &w) == 0 && nw) {
			ch = w > 0 || strcmp(nw->name, base->name) != 0;
			if (ch == 0) {
				/* written counts what has reached the disk: a change still in the open
				 * transaction group shows once the pool has synced it */
				char *v = NULL;
				if (zpool_sync(&local_host, fs, &e) == 0 &&
				    zfs_get_one(&local_host, "written", fs, 0, &v, &e) == 0 && v &&
				    parse_ull(v, &w) == 0)
					ch = w > 0;
				free(v);
				zerr_clear(&e);
			}
		} else
			ch = zfs_changed_since(&local_host, base->name, fs, &e);
		if (ch < 0) {
			warn("cannot tell whether %s changed since %s (%s); syncing anyway", fs, base->snap,
			     zerr_text(&e));
		} else if (ch == 0) {
			note("%s has not changed since %s; no new snapshot", fs, base->name);
			rc = mark_sent_local(base->name, now_secs()) < 0 ? SYNC_FAIL : SYNC_OK;
			goto out;
		}
	}
	if (o->make_snapshot) {
		/* named now, taken while ssh connects (sync_before_ready) */
		newsnap = makesnap_name(&fi, &snaps);
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
	    .verbose = o->verbose,
	    .recv = {.target = fi.dest_fs, .force = o->force, .extra = cfg.recv_flags},
	    .mark_sent = 1,
	    .hold = 1,
	    .remote_expire = !(o->skip_expire || cfg.skip_expire),
	    .local_snaps = &snaps,
	    .resumable = 1,
	    .kill_leftover = leftover,
	    .stop_on_token = 1,
	    .dest_rows = destview_rows(dh.name, fi.dest_fs),
	    .defer_dest = o->defer_record && o->make_snapshot && fsview_is_ahead(fs),
	    .before_ready = sync_before_ready,
	    .on_received = record_sent,
	    .ctx = &sst,
	};
	sst.base = base;
	sst.newsnap = newsnap;
	int pr = push(&dh, &po, &res);
	if (res.local_failed) {
		if (!sst.marked)
			locked = 0; /* released by fslock_mark */
		rc = sst.rc;
		goto out;
	}
	if (pr != 0 && res.token) {
		/* A partial receive there: finish it when it is ours, else drop it; then this sync. */
		char *token = xstrdup(res.token);
		int r = resume_token(&fi, &dh, &snaps, token, o->verbose);
		sst.resumed = 1;
		free(token);
		push_result_free(&res);
		if (r < 0)
			goto out;
		po.stop_on_token = 0;
		po.dest_rows = NULL;
		po.defer_dest = 0;
		po.abort_token = r == 1;
		po.kill_leftover = 0;
		base = zsnaps_last_sent(&snaps);
		po.base = base ? base->name : po.base;
		sst.base = base ? base : sst.base;
		pr = push(&dh, &po, &res);
		if (po.abort_token && res.aborted)
			note("dropped the partial receive on %s:%s", dh.name, fi.dest_fs);
	}
	if (o->resume && zfs_features_peek(&dh) && !zfs_features_peek(&dh)->recv_s)
		warn("the zfs on %s cannot resume transfers; synced %s without -r", dh.name, fs);
	if (pr != 0 && sst.recorded) {
		/* The receive was confirmed and recorded; what failed after it was the destination's
		 * marks or expiry, which the next sync does again. */
		warn("%s:%s received %s, but the rest of its work there did not finish (%s)", dh.name,
		     fi.dest_fs, strchr(newsnap, '@'),
		     res.timed_out ? "no answer within ZREP_TIMEOUT" : zerr_text(&res.err));
		pr = 0;
	}
	if (pr != 0 && !adopt_by_guid(&res, newsnap, &dh, &fi)) {
		if (res.dest_master) {
			error("split brain: %s:%s is also master; not sending (last sent here: %s, guid %s)",
			      dh.name, fi.dest_fs, sst.base->name, sst.base->guid ? sst.base->guid : "?");
		} else if (res.dest_missing) {
			error("cannot sync %s: %s:%s is not there (%s)", fs, dh.name, fi.dest_fs,
			      res.detail ? res.detail : "no such dataset");
		} else if (res.stalled) {
			error("sync of %s to %s:%s stalled: no data moved for %d seconds "
			      "(ZREP_STALL_TIMEOUT) after "
			      "%llu bytes; ended on both hosts",
			      newsnap, dh.name, fi.dest_fs, cfg.stall_timeout, res.bytes);
			note("keeping %s; the next sync sends it", newsnap);
			rc = SYNC_TEMPFAIL;
		} else if (res.timed_out) {
			error(
			    "sync of %s to %s:%s: %s did not answer within %d seconds (ZREP_TIMEOUT); ended",
			    newsnap, dh.name, fi.dest_fs, dh.name, cfg.timeout);
			note("keeping %s: %s:%s may hold it; the next sync checks by guid", newsnap, dh.name,
			     fi.dest_fs);
			rc = SYNC_TEMPFAIL;
		} else if (!res.reached) {
			error("cannot sync %s: %s is not reachable: %s", fs, dh.name, zerr_text(&res.err));
			if (res.err.kind == ZE_UNREACHABLE)
				rc = SYNC_TEMPFAIL;
		} else {
			error("sync of %s to %s:%s failed: %s (%s)", newsnap, dh.name, fi.dest_fs,
			      zerr_kind_str(res.err.kind), zerr_text(&res.err));
			if (res.err.kind == ZE_RESUME && !res.used_s)
				error("%s:%s holds a partial receive that this zfs cannot resume; discard it "
				      "there with zfs receive -A %s",
				      dh.name, fi.dest_fs, fi.dest_fs);
			/* Only a snapshot the destination said it could not receive
			 * is set aside: one whose receive may have committed (its
			 * answer lost) stays, and the next sync adopts it by guid
			 * or sends it; one whose receive can be resumed stays too. */
			/* zfs receive -s says when it kept a partial state: only then can it resume */
			const char *why = zerr_text(&res.err);
			int partial =
			    res.partial || (res.used_s && res.started && strstr(why, "artially received"));
			if (partial && o->make_snapshot)
				note("keeping %s; the next sync resumes the transfer where the destination "
				     "kept it",
				     newsnap);
			else if (o->make_snapshot && (res.recv_failed || !res.started)) {
				dispose_failed(newsnap, sst.held);
				sst.held = 0;
			} else if (o->make_snapshot)
				note("keeping %s: %s:%s may hold it; the next sync checks by guid", newsnap,
				     dh.name, fi.dest_fs);
		}
		goto out;
	}
	record_sent(&sst, &res);
	if (sst.record_rc < 0)
		goto out;
	if (!res.sent_marked && !res.dest_deferred)
		warn("%s:%s received %s but could not mark it sent", dh.name, fi.dest_fs,
		     strchr(newsnap, '@'));
	if (po.remote_expire && res.expire_unusable)
		warn("%s of %s:%s is not a whole number >= 1; not expiring there", P.savecount, dh.name,
		     fi.dest_fs);
	else if (po.remote_expire && !res.expire_ok)
		warn("could not expire every old snapshot on %s:%s (see above)", dh.name, fi.dest_fs);
	if (o->newsnap_out) {
		*o->newsnap_out = newsnap;
		newsnap = NULL;
	}
	rc = SYNC_OK;
out:
	if (sst.held && !sst.recorded && rc != SYNC_OK && newsnap) {
		/* hold_new's hold, on a snapshot that was not sent: the hold stays the last sent
		 * one's alone (a run killed before this leaves it for the next sync to release) */
		struct zerr he = {0};
		zfs_release(&local_host, cfg.tag, newsnap, &he);
		zerr_clear(&he);
	}
	oplog_fs("sync", fs,
	         rc == SYNC_FAIL || rc == SYNC_TEMPFAIL ? OPLOG_FAILED
	         : rc == SYNC_SKIPPED                   ? OPLOG_SKIPPED
	                                                : OPLOG_OK,
	         newsnap, fsinfo_is_master(&fi), fi.last_error != NULL);
	if (rc == SYNC_OK && sst.deferred) {
		/* still held: sync_record_deferred releases it with the others' (a signal before that
		 * releases it in lock_release_all) */
		rc = SYNC_DEFERRED;
	} else if (locked && !(o->keep_lock && rc == SYNC_OK)) {
		fslock_release(fs);
	}
	free(newsnap);
	push_result_free(&res);
	zsnaps_free(&snaps);
	zerr_clear(&e);
	fsinfo_free(&fi);
	host_release(&dh);
	return rc;
}

/* Runs `zfs VERB ARG` over names in one command; when that fails, one by one. Returns how many
 * failed (each warned about when what is set; "no such tag" and "tag already exists" are no
 * failure). done, when set, gets per name whether its command succeeded. */
static int batch(const char *verb, const char *arg, struct strv *names, const char *what, int *done)
{
	if (names->n == 0)
		return 0;
	struct zerr e = {0};
	int st = zfs_many(&local_host, verb, arg, names->v, &e);
	zerr_clear(&e);
	for (size_t i = 0; done && i < names->n; i++)
		done[i] = st == 0;
	if (st == 0)
		return 0;
	int bad = 0;
	for (size_t i = 0; i < names->n; i++) {
		char *one[] = {names->v[i], NULL};
		int r = zfs_many(&local_host, verb, arg, one, &e);
		if (done)
			done[i] = r == 0;
		if (r != 0 &&
		    !(e.msg && (strstr(e.msg, "no such tag") || strstr(e.msg, "tag already exists")))) {
			if (what)
				warn("cannot %s %s: %s", what, names->v[i], zerr_text(&e));
			bad++;
		}
		zerr_clear(&e);
	}
	return bad;
}

/* The deferred syncs of a `sync all`, recorded in parts side by side: zfs-fuse (and OpenZFS for
 * properties and holds) applies a command's datasets one after another, each waiting for a
 * transaction group, while commands running at once share one (bench/sync-all: a `zfs set` of
 * 96 snapshots 0.33 s, the same in 8 commands at once 0.15 s). */
struct deferred {
	char *const *fss;
	size_t n;
	char **newof;      /* fss[i]'s new snapshot, NULL when not recorded */
	struct fsinfo *fv; /* read ahead */
	struct zsnaps *sv; /* read ahead */
	long long t;       /* the sent time, the same on every snapshot and both hosts */
	int holds;         /* this zfs has holds */
	int parts;         /* the slices: fss[i] is in slice i % parts */
};

static int in_part(const struct deferred *d, size_t i, int part)
{
	return (int)(i % (size_t)d->parts) == part;
}

/*
 * The destinations' half of the deferred syncs whose destinations were read ahead (their push
 * left it, push_opts.defer_dest), of one slice: one finish call per host, planned by push_answer
 * from the rows read ahead, as each push would have.
 */
static void finish_destinations(const struct deferred *d, int part)
{
	char *const *fss = d->fss, *const *newof = d->newof;
	const struct fsinfo *fv = d->fv;
	size_t n = d->n;
	long long t = d->t;
	int *done = xmalloc((n + 1) * sizeof(*done));
	memset(done, 0, (n + 1) * sizeof(*done));
	for (size_t i = 0; i < n; i++) {
		if (done[i] || !in_part(d, i, part) || !newof[i] || !fv[i].dest_host || !fv[i].dest_fs ||
		    !destview_rows(fv[i].dest_host, fv[i].dest_fs))
			continue;
		struct host h;
		if (host_init(&h, fv[i].dest_host) < 0)
			continue;
		struct strv words = STRV_INIT, names = STRV_INIT;
		for (size_t k = i; k < n; k++) {
			const struct zprops *rows = in_part(d, k, part) && newof[k] && fv[k].dest_host &&
			                                    fv[k].dest_fs &&
			                                    strcmp(fv[k].dest_host, fv[i].dest_host) == 0
			                                ? destview_rows(fv[k].dest_host, fv[k].dest_fs)
			                                : NULL;
			if (!rows)
				continue;
			done[k] = 1;
			strv_push(&names, fss[k]);
			struct push_opts o = {.snap = newof[k],
			                      .recv = {.target = fv[k].dest_fs},
			                      .mark_sent = 1,
			                      .hold = 1,
			                      .remote_expire = !cfg.skip_expire};
			struct strbuf ans = STRBUF_INIT;
			long planned = 0;
			push_answer(&o, rows, zfs_features_peek(&h), 0, t, &ans, &planned);
			strv_pushf(&words, "S %s%s", fv[k].dest_fs, strchr(newof[k], '@'));
			struct strv lines = STRV_INIT;
			strv_lines(&lines, sb_str(&ans));
			for (size_t j = 0; j < lines.n; j++)
				if (str_starts(lines.v[j], "R ") || str_starts(lines.v[j], "X ") ||
				    str_starts(lines.v[j], "XR ") || str_starts(lines.v[j], "L ") ||
				    str_starts(lines.v[j], "LR "))
					strv_push(&words, lines.v[j]);
			strv_clear(&lines);
			sb_release(&ans);
			if (planned < 0)
				warn("%s of %s:%s is not a whole number >= 1; not expiring there",
				     P.savecount, h.name, fv[k].dest_fs);
		}
		struct remote_call c;
		remote_finish_call(&c, P.sent, t,
		                   zfs_features_peek(&h) && !zfs_features_peek(&h)->holds ? NULL : cfg.tag,
		                   words.v);
		struct remote_reply r;
		remote_run(&h, &c, EXEC_CAPTURE, &r);
		remote_call_free(&c);
		if (!remote_find(&r, "FINISH-END")) {
			/* the data is there: the next sync finds it by guid and marks it */
			warn("could not mark the new snapshots sent on %s (%s); their next syncs do", h.name,
			     *sb_str(&r.err) ? sb_str(&r.err) : "no answer");
		} else {
			for (size_t j = 0; j < r.lines.n; j++) {
				const char *a;
				if (remote_marker(r.lines.v[j], "SENT-FAILED", &a))
					warn("%s: could not mark %s sent there", h.name, a);
			}
			if (remote_find(&r, "EXPIRE-FAILED"))
				warn("could not expire every old snapshot on %s (see above)", h.name);
			if (*sb_str(&r.err))
				fputs(sb_str(&r.err), stderr);
		}
		remote_reply_free(&r);
		strv_clear(&words);
		strv_clear(&names);
		host_release(&h);
	}
	free(done);
}

/* This host's half of one slice: the marks, the holds moved, the expiry. Returns how many
 * filesystems it could not record. */
static int record_local(const struct deferred *d, int part)
{
	char *sentv = xasprintf("%s=%lld", P.sent, d->t);
	struct strv news = STRV_INIT, olds = STRV_INIT;
	size_t nold = 0, room = 16;
	struct zsnap **oldp = xmalloc(room * sizeof(*oldp)); /* olds' entries in the model */
	int bad = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (!in_part(d, i, part) || !d->newof[i])
			continue;
		strv_push(&news, d->newof[i]);
		for (size_t k = 0; k < d->sv[i].n; k++)
			if (d->sv[i].v[k].userrefs > 0) {
				strv_push(&olds, d->sv[i].v[k].name);
				if (nold == room)
					oldp = xrealloc(oldp, (room *= 2) * sizeof(*oldp));
				oldp[nold++] = &d->sv[i].v[k];
			}
	}
	/* the marks: what is marked sent is the base of the next sync */
	if (news.n && batch("set", sentv, &news, NULL, NULL) > 0)
		for (size_t i = 0; i < d->n; i++)
			if (in_part(d, i, part) && d->newof[i] && mark_sent_local(d->newof[i], d->t) < 0) {
				free(d->newof[i]);
				d->newof[i] = NULL;
				bad++;
			}
	int held = d->holds && batch("hold", cfg.tag, &news, "put hold on", NULL) == 0;
	if (held && nold) {
		/* a snapshot whose release found no hold of ours keeps the hold it has (another tag's,
		 * or one zfs-fuse leaked): expiry leaves it alone instead of trying to destroy it */
		int *done = xmalloc(nold * sizeof(*done));
		batch("release", cfg.tag, &olds, "release hold from", done);
		for (size_t m = 0; m < nold; m++)
			if (done[m])
				oldp[m]->userrefs--;
		free(done);
	}
	free(oldp); /* before the model grows (zsnaps_add may move its entries) */
	for (size_t i = 0; i < d->n; i++) {
		const char *nw = d->newof[i];
		if (!in_part(d, i, part) || !nw)
			continue;
		/* the model as the sync would have left it: the new one sent (and held), the others
		 * released */
		struct zsnaps *sv = &d->sv[i];
		zsnaps_add(sv, nw, cfg.tag);
		zsnaps_mark_sent(sv, nw);
		for (size_t j = 0; j < sv->n; j++) {
			struct zsnap *z = &sv->v[j];
			if (strcmp(z->name, nw) == 0)
				z->userrefs = held ? 1 : 0;
		}
		bookmark_after_sent(sv, nw);
		if (!cfg.skip_expire)
			expire_local(&d->fv[i], sv);
	}
	free(sentv);
	strv_clear(&news);
	strv_clear(&olds);
	return bad;
}

/* Part p < parts: this host's slice p; p >= parts: the destinations' slice p - parts. */
static int record_part(int p, void *arg)
{
	const struct deferred *d = arg;
	if (p < d->parts) {
		int bad = record_local(d, p);
		return bad > 127 ? 127 : bad;
	}
	finish_destinations(d, p - d->parts);
	return 0;
}

/* The locks of slice p, released (their properties; the flocks stay the parent's): 0 or 1. */
static int release_part(int p, void *arg)
{
	const struct deferred *d = arg;
	struct strv locks = STRV_INIT;
	for (size_t i = 0; i < d->n; i++)
		if (in_part(d, i, p) && d->fv[i].fs)
			strv_push(&locks, d->fss[i]);
	int bad = batch("inherit", P.lock_pid, &locks, "release the lock on", NULL);
	strv_clear(&locks);
	return bad ? 1 : 0;
}

int sync_record_deferred(char *const *fss, size_t n, int parallel)
{
	/* After a signal nothing more is done: the locks are released on the way out, and the
	 * next sync finds the snapshots on the destination by guid and records them. */
	if (n == 0 || exec_interrupted())
		return 0;
	struct deferred d = {.fss = fss, .n = n, .t = now_secs()};
	d.parts = workers_slices(n, parallel);
	d.sv = xmalloc(n * sizeof(*d.sv));
	d.fv = xmalloc(n * sizeof(*d.fv));
	d.newof = xmalloc(n * sizeof(*d.newof));
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		memset(&d.fv[i], 0, sizeof(d.fv[i]));
		memset(&d.sv[i], 0, sizeof(d.sv[i]));
		d.newof[i] = NULL;
		if (fsview_peek(fss[i], &d.fv[i]) < 0 || fsview_peek_snaps(fss[i], &d.sv[i]) < 0) {
			error("%s: lost what was read ahead of its sync; its next sync records it", fss[i]);
			bad++;
			continue;
		}
		d.newof[i] = zrepsnap_next_name(fss[i], &d.sv[i]);
		for (size_t k = 0; k < d.sv[i].n; k++)
			if (d.sv[i].v[k].userrefs >= 0)
				d.holds = 1;
	}
	/* This host's slices and the destinations' at once, then the locks (they cover both). */
	int *codes = xmalloc(2 * (size_t)d.parts * sizeof(*codes));
	workers_parts(2 * d.parts, record_part, &d, codes);
	for (int p = 0; p < d.parts; p++)
		if (codes[p] > 0 && codes[p] < 128)
			bad += codes[p]; /* after a signal (128+N, -1) the next syncs record them */
	if (!exec_interrupted()) {
		workers_parts(d.parts, release_part, &d, codes);
		for (size_t i = 0; i < n; i++)
			if (d.fv[i].fs && codes[i % (size_t)d.parts] == 0)
				fslock_forget(fss[i]); /* else still held, for lock_release_all */
	}
	free(codes);
	for (size_t i = 0; i < n; i++) {
		zsnaps_free(&d.sv[i]);
		if (d.fv[i].fs)
			fsinfo_free(&d.fv[i]);
		free(d.newof[i]);
	}
	free(d.sv);
	free(d.fv);
	free(d.newof);
	return bad;
}

int expire_remote(const struct fsinfo *fi)
{
	struct host dh;
	if (!fi->dest_host || !fi->dest_fs || host_init(&dh, fi->dest_host) < 0 ||
	    check_dsname(fi->dest_fs, 0) < 0)
		return error("%s: cannot expire the remote side: %s/%s are not usable", fi->fs, P.dest_host,
		             P.dest_fs);
	struct strv ev = STRV_INIT;
	remote_zrep_argv(&ev);
	strv_push(&ev, "expire");
	strv_push(&ev, fi->dest_fs);
	struct remote_call c;
	remote_expire_call(&c, fi->dest_fs, P.master, ev.v);
	strv_clear(&ev);
	note("Also running expire on %s:%s now...", dh.name, fi->dest_fs);
	struct remote_reply r;
	int st = remote_run(&dh, &c, EXEC_INHERIT, &r);
	remote_call_free(&c);
	int rc;
	if (remote_find(&r, "MASTER")) {
		rc = error("split brain: %s:%s is also master; not expiring", dh.name, fi->dest_fs);
	} else if (remote_find(&r, "EXPIRE-OK")) {
		rc = 0;
	} else if (remote_find(&r, "EXPIRE-FAILED") || remote_find(&r, "NODEST")) {
		warn("remote expire on %s:%s failed", dh.name, fi->dest_fs);
		rc = 1;
	} else {
		char b[64];
		rc = error("cannot reach %s for the remote expire (%s)", dh.name,
		           exec_status_str(st, b, sizeof(b)));
	}
	remote_reply_free(&r);
	host_release(&dh);
	return rc;
}
