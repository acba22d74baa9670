/*
 * refresh [-f] [-v] [-r] DESTFS: pull mode, run on the destination (a
 * backup hub that can reach its sources but need not be reachable from
 * them: every connection goes from here to the source). Reference §1.5.
 *
 * Under DESTFS's lock:
 *   1. one ssh to the source: `zrep snaponly SRCFS` makes the next
 *      snapshot there, then a plain `zfs get` lists the source's snapshots
 *      with guids and sent marks;
 *   2. the base the source will send from (its last sent snapshot) must
 *      be here with the same guid. If this side already holds a newer
 *      snapshot of the source (a pull that was received but never
 *      recorded there), the source is told with `_refreshcomplete` first;
 *      with -f, what `zfs recv -F` would discard here is listed first;
 *   3. `ssh SRC zrep _refreshpull SNAP [TOKEN] [| OUTFILTER]` is piped into
 *      `[INFILTER |] zfs recv [-F] [-s] DESTFS`;
 *   4. the received snapshot's guid must be the one the source listed;
 *      only then is it marked sent here and, in one more ssh, on the source
 *      (`_refreshcomplete SNAP TAG:sent=TIME`) followed by `expire -L SRCFS`
 *      there; then this side expires.
 * -r: the receive is resumable (recv -s, where this zfs has it); a partial
 * receive left by an earlier run is finished first (_refreshpull SNAP
 * TOKEN), checked and recorded like any pull, before the new snapshot.
 * All remote calls are forms a shell zrep 2.0.2 accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../expire.h"
#include "../failover.h"
#include "../lock.h"
#include "../msg.h"
#include "../oplog.h"
#include "../props.h"
#include "../remote.h"
#include "../pipeline.h"
#include "../zrepsnap.h"
#include "../role.h"

struct rf {
	const char *fs;
	int force, verbose, resume;
	struct fsinfo fi;
	struct host sh;
	const char *srcfs;
	struct zsnaps mine, theirs;
	char *newsnap; /* full name on the source */
};

/* Step 1. Returns 0 with t->newsnap and t->theirs set. */
static int snap_and_list(struct rf *t)
{
	struct strv w = STRV_INIT;
	remote_zrep_argv(&w);
	strv_push(&w, "snaponly");
	strv_push(&w, t->srcfs);
	char *props = xasprintf("%s,guid,creation", P.sent);
	struct remote_call c;
	remote_snaplist_call(&c, props, t->srcfs, w.v);
	strv_clear(&w);
	struct remote_reply r;
	int st = remote_run(&t->sh, &c, EXEC_INHERIT, &r);
	remote_call_free(&c);
	int rc = -1;
	const char *name = NULL, *list = remote_after(&r, "LIST");
	char b[64];
	if (remote_find(&r, "SNAPFAIL")) {
		error("snapshot of %s on %s failed (zrep snaponly there)", t->srcfs, t->sh.name);
	} else if (!r.lines.n || !remote_marker(r.lines.v[0], "NEWSNAP", &name) || !list) {
		error("cannot reach %s to snapshot %s (%s)", t->sh.name, t->srcfs,
		      exec_status_str(st, b, sizeof(b)));
	} else if (remote_find(&r, "LISTFAIL")) {
		error("cannot list the snapshots of %s:%s", t->sh.name, t->srcfs);
	} else {
		struct snapname sn;
		size_t fl = 0;
		struct zprops rows;
		if (snapname_parse_full(name, cfg.tag, &sn, &fl) < 0 || sn.unsent || fl != strlen(t->srcfs) ||
		    strncmp(name, t->srcfs, fl) != 0) {
			error("unrecognized output from zrep snaponly on %s: %s", t->sh.name, name);
		} else if (zfs_parse_get(list, &rows) < 0) {
			error("cannot parse the snapshot list of %s:%s", t->sh.name, t->srcfs);
		} else if (zfs_rows_check(&rows, props, (char *[]){(char *)t->srcfs, NULL}, 1) < 0) {
			error("the snapshot list of %s:%s does not check out (a property value holds a "
			      "newline?); "
			      "refusing to act on it",
			      t->sh.name, t->srcfs);
			zprops_free(&rows);
		} else {
			zsnaps_parse(&rows, t->srcfs, cfg.tag, &t->theirs);
			zprops_free(&rows);
			t->newsnap = xstrdup(name);
			rc = 0;
		}
	}
	remote_reply_free(&r);
	free(props);
	return rc;
}

/* `zrep _refreshcomplete SNAP TAG:sent=TS` [+ `zrep expire -L SRCFS`] on the source. */
static int complete_remote(struct rf *t, const char *snap, long long ts, int expire, int *expire_ok)
{
	struct strv cw = STRV_INIT, ew = STRV_INIT;
	remote_zrep_argv(&cw);
	strv_push(&cw, "_refreshcomplete");
	strv_push(&cw, snap);
	strv_pushf(&cw, "%s=%lld", P.sent, ts);
	if (expire) {
		remote_zrep_argv(&ew);
		strv_push(&ew, "expire");
		strv_push(&ew, "-L");
		strv_push(&ew, t->srcfs);
	}
	struct remote_call c;
	remote_complete_call(&c, cw.v, expire ? ew.v : NULL);
	strv_clear(&cw);
	strv_clear(&ew);
	struct remote_reply r;
	remote_run(&t->sh, &c, EXEC_INHERIT, &r);
	remote_call_free(&c);
	int ok = remote_find(&r, "COMPLETE") != NULL;
	if (expire_ok)
		*expire_ok = remote_find(&r, "EXPIRE-OK") != NULL;
	remote_reply_free(&r);
	return ok ? 0 : -1;
}

/* Step 3: the pull pipeline. */
static int pull_snap(struct rf *t, const char *snap, const char *token)
{
	struct strv w = STRV_INIT;
	remote_zrep_argv(&w);
	strv_push(&w, "_refreshpull");
	strv_push(&w, snap);
	if (token)
		strv_push(&w, token);
	const struct zfs_features *lf = zfs_features(&local_host);
	struct pull_opts po = {
	    .src = &t->sh,
	    .send_argv = w.v,
	    .recv =
	        {
	            .target = t->fs,
	            .force = t->force,
	            .resumable = t->resume && lf->recv_s,
	            .extra = cfg.recv_flags,
	        },
	    .verbose = t->verbose,
	};
	note("Pulling %s from %s into %s", snap, t->sh.name, t->fs);
	struct zerr e = {0};
	int rc = pull(&po, &e);
	if (rc < 0)
		error("pulling %s from %s into %s failed: %s", snap, t->sh.name, t->fs, zerr_text(&e));
	zerr_clear(&e);
	strv_clear(&w);
	return rc;
}

/*
 * Steps 3 and 4 for snap (full name on the source): pull it (resuming
 * token if given), check that what arrived has the guid the source
 * listed, mark it sent here, then have the source mark it too (and expire
 * there when expire is set).
 */
static int pull_and_record(struct rf *t, const char *snap, const char *want_guid, const char *token,
                           int expire)
{
	if (pull_snap(t, snap, token) < 0)
		return -1;
	const char *snapname = strchr(snap, '@') + 1;
	struct zsnaps after = {0};
	struct zerr e = {0};
	const struct zsnap *got = NULL;
	if (zrepfs_list_snaps(&local_host, t->fs, cfg.tag, &after, &e) == 0)
		got = zsnaps_find(&after, snapname);
	if (!got || !str_eq(got->guid, want_guid)) {
		error("%s@%s is not the snapshot %s listed (guid %s here, %s there); not marking it sent",
		      t->fs, snapname, t->sh.name, got && got->guid ? got->guid : "none", want_guid);
		zsnaps_free(&after);
		zerr_clear(&e);
		return -1;
	}
	zerr_clear(&e);
	long long ts = now_secs();
	char *local_snap = xasprintf("%s@%s", t->fs, snapname);
	int ms = mark_sent_local(local_snap, ts);
	if (ms == 0)
		hold_move(&after, local_snap);
	free(local_snap);
	zsnaps_free(&after);
	if (ms < 0)
		return -1;
	crash_point("refresh-received");
	int eok = 0;
	if (complete_remote(t, snap, ts, expire, &eok) < 0)
		warn("%s did not record %s as sent; the next refresh records it", t->sh.name, snap);
	else if (expire && !eok)
		warn("expire of %s on %s failed", t->srcfs, t->sh.name);
	return 0;
}

static int refresh_locked(struct rf *t)
{
	struct zerr e = {0};
	char *token = NULL, *want_guid = NULL;
	int rc = -1;
	if (zrepfs_snaps(&local_host, t->fs, &t->mine) < 0) {
		goto out;
	}
	if (t->resume) {
		zfs_get_one(&local_host, "receive_resume_token", t->fs, 0, &token, &e);
		if (token && strcmp(token, "-") == 0) {
			free(token);
			token = NULL;
		}
	}
	if (snap_and_list(t) < 0)
		goto out;
	const struct zsnap *ns = zsnaps_find(&t->theirs, strchr(t->newsnap, '@') + 1);
	if (!ns || !ns->guid) {
		error("%s is not in the snapshot list of %s", t->newsnap, t->sh.name);
		goto out;
	}
	want_guid = xstrdup(ns->guid);
	const char *snapname = strchr(t->newsnap, '@') + 1;

	if (token) {
		/* -r: first finish the pull that was interrupted. */
		char *toname = zfs_token_toname(&local_host, token, &e);
		struct zsnap *old = NULL;
		for (size_t i = 0; toname && strchr(toname, '@') && i < t->theirs.n; i++)
			if (strcmp(t->theirs.v[i].snap, strchr(toname, '@') + 1) == 0)
				old = &t->theirs.v[i];
		if (!old || !old->guid) {
			error("cannot tell which snapshot the partial receive on %s continues (%s); nothing "
			      "was received",
			      t->fs, toname ? toname : zerr_text(&e));
			free(toname);
			goto out;
		}
		note("Resuming the interrupted pull of %s", old->name);
		int r = pull_and_record(t, old->name, old->guid, token, 0);
		free(toname);
		if (r < 0)
			goto out;
		/* The source has it marked now; this side has it too. */
		free(old->sent);
		old->sent = xstrdup("1");
		zsnaps_free(&t->mine);
		if (zrepfs_snaps(&local_host, t->fs, &t->mine) < 0) {
			goto out;
		}
	}

	const struct zsnap *base = zsnaps_last_sent(&t->theirs);
	if (!base) {
		error("%s:%s has no snapshot marked sent; refresh needs one to start from (zrep init, or "
		      "sentsync there)",
		      t->sh.name, t->srcfs);
		goto out;
	}
	/* A pull that arrived here but was never recorded on the source. */
	const struct zsnap *have = zsnaps_common(&t->theirs, &t->mine);
	if (have && snapname_cmp(&have->sn, &base->sn) > 0 && strcmp(have->snap, snapname) != 0) {
		note("%s already holds %s (same guid) but %s never recorded it as sent; recording it there "
		     "now",
		     t->fs, have->snap, t->sh.name);
		if (complete_remote(t, have->name, now_secs(), 0, NULL) < 0) {
			error("cannot record %s as sent on %s", have->name, t->sh.name);
			goto out;
		}
		const struct zsnap *mh = zsnaps_same(&t->mine, have);
		if (mh && !mh->sent)
			mark_sent_local(mh->name, now_secs());
		base = have;
	}
	const struct zsnap *bb = zsnaps_same(&t->mine, base);
	if (!bb) {
		char *b = snap_desc(base), *c = snap_desc(zsnaps_common(&t->theirs, &t->mine));
		error(
		    "%s does not hold %s, the snapshot %s sends from (newest in common: %s); cannot refresh",
		    t->fs, b, t->sh.name, c);
		free(b);
		free(c);
		goto out;
	}
	size_t *v = xmalloc((t->mine.n + 1) * sizeof(*v));
	size_t nv = rollback_victims(&t->mine, bb, v);
	if (nv && !t->force) {
		error("%s has snapshots newer than %s, the last one in common with %s (first: %s); nothing "
		      "was received (refresh -f discards them)",
		      t->fs, bb->snap, t->sh.name, t->mine.v[v[0]].name);
		free(v);
		goto out;
	}
	if (nv || t->force) {
		note("refresh -f: receiving with -F rolls %s back to %s (same guid as %s on %s), which "
		     "discards:",
		     t->fs, bb->snap, base->name, t->sh.name);
		for (size_t i = 0; i < nv; i++)
			note("  destroying snapshot %s", t->mine.v[v[i]].name);
		note("  every change made to %s after %s", t->fs, bb->snap);
		hold_release_victims(&local_host, &t->mine, v, nv);
	}
	free(v);

	int expire = !cfg.skip_expire;
	if (pull_and_record(t, t->newsnap, want_guid, NULL, expire) < 0)
		goto out;
	if (expire)
		expire_local(&t->fi, NULL);
	rc = 0;
out:
	free(token);
	free(want_guid);
	zerr_clear(&e);
	return rc;
}

int cmd_refresh(int argc, char **argv)
{
	struct rf t = {0};
	t.force = cfg.force;
	t.verbose = cfg.verbose;
	t.resume = cfg.resume;
	struct cmd_opts op = CMD_OPTS_INIT;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "fvr")) > 0) {
		if (c == 'f')
			t.force = 1;
		else if (c == 'v')
			t.verbose = 1;
		else
			t.resume = 1;
	}
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (i >= argc)
		return cmd_usage_error("refresh", "no filesystem specified for refresh");
	if (argc - i != 1)
		return cmd_usage_error("refresh", "refresh takes one filesystem");
	t.fs = argv[i];
	if (check_dsname(t.fs, 0) < 0)
		return EXIT_USAGE;
	int rc = EXIT_FAIL;
	if (fsinfo_read(&local_host, t.fs, &t.fi) < 0)
		return EXIT_FAIL;
	if (fsinfo_is_master(&t.fi)) {
		error("%s is master here; refresh runs on a destination", t.fs);
		goto out;
	}
	if (!t.fi.src_host || !t.fi.src_fs) {
		error("%s is not configured for zrep (tag %s): %s and %s must be set", t.fs, cfg.tag,
		      P.src_host, P.src_fs);
		goto out;
	}
	if (host_init(&t.sh, t.fi.src_host) < 0 || check_dsname(t.fi.src_fs, 0) < 0) {
		error("%s: refusing the source %s:%s found in its properties", t.fs, t.fi.src_host,
		      t.fi.src_fs);
		goto out;
	}
	t.srcfs = t.fi.src_fs;
	int lr = fslock_acquire(t.fs, 0);
	if (lr != 0) {
		error("cannot lock %s; cannot continue", t.fs);
		if (lr > 0)
			rc = EXIT_TEMPFAIL;
		goto out;
	}
	if (refresh_locked(&t) == 0)
		rc = EXIT_OK;
	fslock_release(t.fs);
out:
	/* refusals (before the source is known) record nothing */
	oplog_fs("refresh", t.fs, rc == EXIT_OK ? OPLOG_OK : OPLOG_FAILED, t.newsnap, t.srcfs != NULL,
	         t.fi.last_error != NULL);
	free(t.newsnap);
	zsnaps_free(&t.mine);
	zsnaps_free(&t.theirs);
	fsinfo_free(&t.fi);
	host_release(&t.sh);
	return rc;
}
