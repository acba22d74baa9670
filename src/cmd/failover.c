/*
 * failover [-f] [-L] FS[@SNAP] [REMOTEHOST]: hand the master role of FS
 * from this host (A) to its destination (B). The protocol and why each
 * step is safe are in failover.h; this file runs it.
 *
 * -f: the final sync receives with -F; with -L or @SNAP it also allows
 * destroying snapshots the other side cannot be shown to hold.
 * -L: B is not contacted: A rolls back to the newest snapshot known to be
 * on B (its last sent one, or SNAP), saying first what that discards,
 * and becomes a read-only destination.
 * FS@SNAP: both sides roll back to SNAP (same guid on both, checked
 * before anything changes) and B becomes master from there.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../failover.h"
#include "../lock.h"
#include "../msg.h"
#include "../oplog.h"
#include "../props.h"
#include "../remote.h"
#include "../pipeline.h"
#include "../zrepsnap.h"
#include "failoverplan.h"
#include "../role.h"
#include "../syncfs.h"

struct fo {
	const char *arg; /* FS or FS@SNAP as given */
	char *fs;
	const char *snap;      /* after '@', or NULL */
	const char *rhost_arg; /* REMOTEHOST, or NULL */
	int force, local;
	int dry, json;  /* -n [--json]: the plan only */
	const char *lh; /* this host */
	struct fsinfo fi;
	struct role_props rp;
	const char *pfs; /* partner fs (points into fi) */
	struct host ph;  /* partner host */
	struct zsnaps mine;
	int demote_begun;
	char *saved_ro; /* readonly before we froze, and its source */
	enum zsrc saved_ro_src;
	char *recovery; /* the command that finishes an interrupted failover */
};

enum promo { PROMOTED, REFUSED, UNKNOWN };

/* Step 3: on B, verify the guid of FS_B@snap, optionally roll back to it,
 * run `zrep takeover -L FS_B`, and report whether B is master now. */
static enum promo promote(struct fo *f, const char *snap, const char *guid, int rollback)
{
	char *bsnap = xasprintf("%s@%s", f->pfs, snap);
	struct strv tw = STRV_INIT;
	remote_zrep_argv(&tw);
	strv_push(&tw, "takeover");
	strv_push(&tw, "-L");
	strv_push(&tw, f->pfs);
	struct remote_promote_params pp = {
	    .bsnap = bsnap,
	    .want_guid = guid,
	    .rollback = rollback,
	    .sent_prop = P.sent,
	    .sent_time = now_secs(),
	    .master_prop = P.master,
	    .pfs = f->pfs,
	    .takeover_argv = tw.v,
	};
	struct remote_call c;
	remote_promote_call(&c, &pp);
	strv_clear(&tw);
	note("Verifying %s:%s and setting master there", f->ph.name, bsnap);
	struct remote_reply rr;
	int st = remote_run(&f->ph, &c, EXEC_INHERIT, &rr);
	remote_call_free(&c);

	enum promo r = UNKNOWN;
	int verified = 0, done = 0;
	for (size_t i = 0; i < rr.lines.n && !done; i++) {
		const char *l = rr.lines.v[i], *a;
		if (remote_marker(l, "NOSNAP", &a)) {
			error("%s:%s cannot be verified: %s", f->ph.name, bsnap, a);
			r = REFUSED;
			done = 1;
		} else if (remote_marker(l, "GUID", &a)) {
			error("%s:%s is not our snapshot: its guid is %s, ours is %s", f->ph.name, bsnap, a,
			      guid);
			r = REFUSED;
			done = 1;
		} else if (remote_marker(l, "ROLLBACK-FAILED", NULL)) {
			error("cannot roll %s:%s back to %s", f->ph.name, f->pfs, snap);
			r = REFUSED;
			done = 1;
		} else if (remote_marker(l, "VERIFIED", NULL)) {
			verified = 1;
			debug("%s:%s verified, guid %s", f->ph.name, bsnap, guid);
		} else if (remote_marker(l, "TAKEOVER", &a)) {
			char *rest = xstrdup(a);
			char *sp = strchr(rest, ' ');
			const char *m = "";
			if (sp) {
				*sp = '\0';
				m = sp + 1;
			}
			if (strcmp(m, "yes") == 0) {
				r = PROMOTED;
				if (strcmp(rest, "0") != 0)
					warn("`zrep takeover -L %s` on %s exited %s, but %s is master there "
					     "now; check it there",
					     f->pfs, f->ph.name, rest, f->pfs);
			} else {
				error("`zrep takeover -L %s` on %s failed (exit %s); it is not master there",
				      f->pfs, f->ph.name, rest);
				r = REFUSED;
			}
			free(rest);
			done = 1;
		}
	}
	if (!done) {
		char b[64];
		error("lost contact with %s %s (%s)", f->ph.name,
		      verified ? "while it was taking over" : "before it answered",
		      exec_status_str(st, b, sizeof(b)));
	}
	remote_reply_free(&rr);
	free(bsnap);
	return r;
}

static void print_recovery(struct fo *f)
{
	if (!f->recovery) {
		struct strv w = STRV_INIT;
		strv_push(&w, "failover");
		if (f->local)
			strv_push(&w, "-L");
		if (f->force)
			strv_push(&w, "-f");
		strv_push(&w, f->arg);
		if (f->rhost_arg)
			strv_push(&w, f->rhost_arg);
		f->recovery = zrep_command(w.v);
		strv_clear(&w);
	}
	note("Recovery: if this failover is interrupted, on %s run: %s", f->lh, f->recovery);
}

static int freeze(struct fo *f)
{
	struct zerr e = {0};
	f->saved_ro = f->fi.readonly ? xstrdup(f->fi.readonly) : NULL;
	f->saved_ro_src = f->fi.readonly_src;
	note("Setting readonly on %s", f->fs);
	if (zfs_set(&local_host, f->fs, "readonly", "on", &e) != 0) {
		error("cannot set readonly=on on %s: %s; nothing was changed", f->fs, zerr_text(&e));
		zerr_clear(&e);
		return -1;
	}
	zerr_clear(&e);
	return 0;
}

/* After a failure before B became master: A stays master, writable as before. */
static int unfreeze(struct fo *f, const char *why)
{
	exec_allow_cleanup(1);
	fslock_acquire(f->fs, 1);
	int r = restore_readonly(f->fs, f->saved_ro, f->saved_ro_src);
	error("failover of %s failed: %s", f->fs, why);
	if (r == 0)
		note("%s stays master on %s and is writable again (readonly restored)", f->fs, f->lh);
	else
		note("%s stays master on %s", f->fs, f->lh);
	return EXIT_FAIL;
}

/* Step 4: A becomes a read-only destination of B. */
static int demote(struct fo *f, int already_frozen)
{
	struct zerr e = {0};
	exec_allow_cleanup(1); /* B is master: finishing beats stopping half way */
	if (!already_frozen && zfs_set(&local_host, f->fs, "readonly", "on", &e) != 0) {
		error("cannot set readonly=on on %s: %s", f->fs, zerr_text(&e));
		zerr_clear(&e);
		goto fail;
	}
	struct role_op ops[ROLE_MAX_OPS];
	size_t n = role_plan(&f->rp, f->fs, f->lh, f->pfs, f->ph.name, 0, ops);
	note("Reversing master properties for %s:%s", f->lh, f->fs);
	if (role_apply(f->fs, ops, n, "demote-partial") < 0)
		goto fail;
	crash_point("demote");
	return 0;
fail:
	if (!f->local)
		error("%s:%s is master now, but %s here is not fully demoted", f->ph.name, f->pfs, f->fs);
	print_recovery(f);
	return -1;
}

/* The newest snapshot of s by creation (after which changes are unsnapshotted). */
static const struct zsnap *newest_by_time(const struct zsnaps *s)
{
	const struct zsnap *b = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!b || s->v[i].creation >= b->creation)
			b = &s->v[i];
	return b;
}

/* failover -L: B is not contacted. */
static int local_failover(struct fo *f)
{
	const struct zsnap *t;
	if (f->snap) {
		t = zsnaps_find(&f->mine, f->snap);
		if (!t)
			return error("%s@%s does not exist", f->fs, f->snap), EXIT_FAIL;
		if (!t->sent && !f->force) {
			error("%s@%s is not marked sent, so %s:%s is not known to hold it; nothing was "
			      "changed (-f rolls back to it anyway)",
			      f->fs, f->snap, f->ph.name, f->pfs);
			return EXIT_FAIL;
		}
	} else {
		t = zsnaps_last_sent(&f->mine);
		if (!t) {
			error("no snapshot of %s is marked sent, so nothing is known to be on %s:%s; nothing "
			      "was changed "
			      "(name one with %s@SNAP and -f)",
			      f->fs, f->ph.name, f->pfs, f->fs);
			return EXIT_FAIL;
		}
	}
	size_t *v = xmalloc((f->mine.n + 1) * sizeof(*v));
	size_t nv = rollback_victims(&f->mine, t, v);
	int foreign = 0;
	for (size_t i = 0; i < nv; i++)
		if (!f->mine.v[v[i]].is_zrep)
			foreign = 1;
	const struct zsnap *nt = newest_by_time(&f->mine);
	note("Failover of %s in LOCAL mode (%s:%s is not contacted)", f->fs, f->ph.name, f->pfs);
	note("Rolling back %s to %s, %s; this discards:", f->fs, t->name,
	     f->snap ? "as requested" : "the last snapshot known to be on the other side");
	victims_print(f->lh, &f->mine, v, nv, NULL, 0);
	note("  %s: every change made to %s after %s", f->lh, f->fs, nt ? nt->name : t->name);
	free(v);
	if (foreign && !f->force) {
		error("refusing to destroy snapshots zrep did not make (listed above); nothing was changed "
		      "(-f destroys them)");
		return EXIT_FAIL;
	}
	struct zerr e = {0};
	if (freeze(f) < 0)
		return EXIT_FAIL;
	crash_point("freeze");
	if (zrep_rollback(&local_host, &f->mine, t, nv > 0, &e) != 0) {
		error("rollback of %s to %s failed: %s", f->fs, t->name, zerr_text(&e));
		zerr_clear(&e);
		restore_readonly(f->fs, f->saved_ro, f->saved_ro_src);
		note("%s is unchanged and still master here", f->fs);
		return EXIT_FAIL;
	}
	zerr_clear(&e);
	crash_point("rollback");
	if (demote(f, 1) < 0)
		return EXIT_FAIL;
	char *tk = NULL;
	{
		char *w[] = {(char *)"takeover", (char *)"-L", (char *)f->pfs, NULL};
		tk = zrep_command(w);
	}
	note("%s on %s is now a read-only destination of %s:%s.", f->fs, f->lh, f->ph.name, f->pfs);
	note("%s was not contacted: if it is not master yet, run there: %s; then sync from there", f->ph.name,
	     tk);
	free(tk);
	return EXIT_OK;
}

/* FS@SNAP, planned: both sides roll back to SNAP. Checks before anything changes. */
static const struct zsnap *check_snap_target(struct fo *f, const struct peer *pr)
{
	const struct zsnap *t = zsnaps_find(&f->mine, f->snap);
	if (!t) {
		error("%s@%s does not exist; nothing was changed", f->fs, f->snap);
		return NULL;
	}
	if (!zsnaps_same(&pr->snaps, t)) {
		error("%s:%s does not hold %s with the same guid (%s); nothing was changed", f->ph.name,
		      f->pfs, t->name, t->guid ? t->guid : "unknown");
		return NULL;
	}
	const struct zsnap *tb = zsnaps_same(&pr->snaps, t);
	size_t *va = xmalloc((f->mine.n + 1) * sizeof(*va));
	size_t *vb = xmalloc((pr->snaps.n + 1) * sizeof(*vb));
	size_t na = rollback_victims(&f->mine, t, va);
	size_t nb = rollback_victims(&pr->snaps, tb, vb);
	int unique = 0;
	for (size_t i = 0; i < na; i++)
		if (!zsnaps_same(&pr->snaps, &f->mine.v[va[i]]))
			unique = 1;
	for (size_t i = 0; i < nb; i++)
		if (!pr->snaps.v[vb[i]].is_zrep || pr->snaps.v[vb[i]].sn.unsent)
			unique = 1;
	note("Failing over %s to %s:%s at %s; both sides roll back to it, which discards:", f->fs, f->ph.name,
	     f->pfs, f->snap);
	victims_print(f->lh, &f->mine, va, na, &pr->snaps, 0);
	note("  %s: every change made to %s after its newest snapshot", f->lh, f->fs);
	victims_print(f->ph.name, &pr->snaps, vb, nb, &f->mine, 0);
	free(va);
	free(vb);
	if (unique && !f->force) {
		error("refusing: some of these snapshots exist on one side only (listed above); nothing was "
		      "changed "
		      "(-f destroys them)");
		return NULL;
	}
	return t;
}

static int finish_msg(struct fo *f)
{
	note("Failover complete: %s:%s is master; %s on %s is a read-only destination", f->ph.name, f->pfs,
	     f->fs, f->lh);
	return EXIT_OK;
}

/* Steps 3 and 4, and what each outcome of step 3 means. */
static int promote_and_demote(struct fo *f, const char *snap, const char *guid, int rollback)
{
	switch (promote(f, snap, guid, rollback)) {
	case PROMOTED:
		break;
	case REFUSED:
		return unfreeze(f, "the other side did not become master");
	case UNKNOWN:
		error("cannot tell whether %s:%s became master. %s stays master here but read-only (it must "
		      "not "
		      "take writes while %s may be master)",
		      f->ph.name, f->pfs, f->fs, f->ph.name);
		print_recovery(f);
		return EXIT_FAIL;
	}
	crash_point("promote");
	if (demote(f, 1) < 0)
		return EXIT_FAIL;
	return finish_msg(f);
}

static int planned_failover(struct fo *f)
{
	struct peer pr;
	int rc = EXIT_FAIL;
	int frozen = ro_frozen(f->fi.readonly, f->fi.readonly_src);
	note("Checking %s:%s", f->ph.name, f->pfs);
	if (peer_read(&f->ph, f->pfs, &pr) < 0) {
		if (!pr.reached && f->demote_begun) {
			note("%s cannot be reached, but an interrupted failover already made it master; "
			     "finishing the "
			     "demotion of %s here",
			     f->ph.name, f->fs);
			rc = demote(f, frozen) < 0 ? EXIT_FAIL : finish_msg(f);
		} else if (!pr.reached) {
			error("cannot reach %s to fail over %s: %s; nothing was changed", f->ph.name, f->fs,
			      zerr_text(&pr.err));
			if (frozen)
				note("%s is read-only (perhaps from an interrupted failover): re-run this "
				     "when %s is back, "
				     "or if %s is not master, `zfs inherit readonly %s` resumes service here",
				     f->fs, f->ph.name, f->ph.name, f->fs);
			note("If %s is down: `zrep takeover -L %s` there makes it master, `zrep failover -L "
			     "%s` here "
			     "makes this side a destination",
			     f->ph.name, f->pfs, f->fs);
			rc = EXIT_TEMPFAIL;
		} else if (!pr.exists) {
			error("%s:%s does not exist (%s); nothing was changed", f->ph.name, f->pfs,
			      zerr_text(&pr.err));
		} else {
			error("cannot read %s:%s: %s; nothing was changed", f->ph.name, f->pfs,
			      zerr_text(&pr.err));
		}
		peer_free(&pr);
		return rc;
	}
	const struct zsnap *proof = fo_proof(&f->mine, &pr.snaps, frozen);
	switch (fo_decide(peer_is_master(&pr), f->demote_begun, proof != NULL)) {
	case FO_SPLIT_BRAIN:
		split_brain_report(f->fs, &f->mine, f->ph.name, f->pfs, &pr.snaps);
		goto out;
	case FO_STUCK:
		error(
		    "%s was partly demoted by an interrupted failover, but %s:%s is not master and does not "
		    "provably hold its newest snapshot; nothing was changed",
		    f->fs, f->ph.name, f->pfs);
		{
			char *w[] = {(char *)"failover", (char *)"-L", f->fs, NULL};
			char *c = zrep_command(w);
			note("To make %s a destination anyway (rolling back to its last sent snapshot), run "
			     "here: %s",
			     f->fs, c);
			free(c);
		}
		goto out;
	case FO_FINISH_DEMOTE:
		note("%s:%s is master already; finishing the demotion of %s left by an interrupted failover",
		     f->ph.name, f->pfs, f->fs);
		rc = demote(f, frozen) < 0 ? EXIT_FAIL : finish_msg(f);
		goto out;
	case FO_RESUME: {
		note("Resuming an interrupted failover: %s:%s holds %s with the same guid", f->ph.name,
		     f->pfs, proof->name);
		print_recovery(f);
		f->saved_ro = NULL;
		f->saved_ro_src = ZSRC_INHERITED; /* if B refuses, A was writable before the first run */
		char *guid = xstrdup(proof->guid);
		char *snap = xstrdup(proof->snap);
		rc = promote_and_demote(f, snap, guid, 0);
		free(guid);
		free(snap);
		goto out;
	}
	case FO_NORMAL:
		break;
	}

	const struct zsnap *target = NULL;
	if (f->snap) {
		target = check_snap_target(f, &pr);
		if (!target)
			goto out;
	} else {
		const struct zsnap *ls = zsnaps_last_sent(&f->mine);
		const struct zsnap *common = zsnaps_common(&f->mine, &pr.snaps);
		if (!ls || !common || snapname_cmp(&common->sn, &ls->sn) < 0) {
			char *a = snap_desc(ls), *c = snap_desc(common);
			error("%s:%s does not hold our last sent snapshot %s (newest in common: %s), so a "
			      "final sync "
			      "cannot work; nothing was changed",
			      f->ph.name, f->pfs, a, c);
			free(a);
			free(c);
			goto out;
		}
	}

	print_recovery(f);
	if (freeze(f) < 0)
		goto out;
	crash_point("freeze");
	char *snap = NULL, *guid = NULL;
	if (target) {
		struct zerr e = {0};
		snap = xstrdup(target->snap);
		guid = xstrdup(target->guid);
		note("Rolling back %s to %s", f->fs, target->name);
		if (zrep_rollback(&local_host, &f->mine, target, 1, &e) != 0) {
			char *why =
			    xasprintf("rollback of %s to %s failed: %s", f->fs, target->name, zerr_text(&e));
			zerr_clear(&e);
			rc = unfreeze(f, why);
			free(why);
			goto out2;
		}
		if (!target->sent)
			mark_sent_local(target->name, now_secs());
		crash_point("rollback");
	} else {
		note("Syncing %s to %s:%s one last time", f->fs, f->ph.name, f->pfs);
		struct sync_opts so = {
		    .make_snapshot = 1,
		    .force = f->force,
		    .keep_lock = 1,
		    .skip_expire = 1,
		    .newsnap_out = &snap,
		};
		if (sync_fs(f->fs, &so) != SYNC_OK) {
			rc = unfreeze(f, "the final sync did not complete");
			goto out2;
		}
		crash_point("final-sync");
		/* The guid of what we sent, read back here. */
		struct zsnaps now = {0};
		struct zerr e = {0};
		const struct zsnap *s = NULL;
		if (zrepfs_list_snaps(&local_host, f->fs, cfg.tag, &now, &e) == 0)
			s = zsnaps_find(&now, strchr(snap, '@') + 1);
		if (!s || !s->guid) {
			char *why = xasprintf("cannot read the guid of %s: %s", snap, zerr_text(&e));
			rc = unfreeze(f, why);
			free(why);
			zsnaps_free(&now);
			zerr_clear(&e);
			goto out2;
		}
		guid = xstrdup(s->guid);
		char *sn = xstrdup(s->snap);
		free(snap);
		snap = sn;
		zsnaps_free(&now);
		zerr_clear(&e);
	}
	rc = promote_and_demote(f, snap, guid, target != NULL);
out2:
	free(snap);
	free(guid);
out:
	peer_free(&pr);
	return rc;
}

static int run(struct fo *f)
{
	if (fsinfo_read(&local_host, f->fs, &f->fi) < 0)
		return EXIT_FAIL;
	if (!f->fi.src_fs || !f->fi.src_host || !f->fi.dest_fs || !f->fi.dest_host) {
		error("%s is not configured for zrep (tag %s): %s, %s, %s and %s must be set", f->fs, cfg.tag,
		      P.src_fs, P.src_host, P.dest_fs, P.dest_host);
		return EXIT_FAIL;
	}
	f->lh = host_local_name();
	role_props_from(&f->fi, &f->rp);
	int master = fsinfo_is_master(&f->fi);
	if (!master) {
		if (!str_eq(f->fi.src_host, f->lh) || !str_eq(f->fi.src_fs, f->fs)) {
			if (f->local) {
				note("%s is not master here: it is already a destination of %s:%s; nothing "
				     "to do",
				     f->fs, f->fi.src_host, f->fi.src_fs);
				return EXIT_OK;
			}
			error("%s is not master here: it is a destination of %s:%s (run failover there, or "
			      "takeover here)",
			      f->fs, f->fi.src_host, f->fi.src_fs);
			return EXIT_FAIL;
		}
		error("%s is not master here (%s is not yes); cannot fail over", f->fs, P.master);
		return EXIT_FAIL;
	}
	f->demote_begun = !(str_eq(f->fi.src_fs, f->fs) && str_eq(f->fi.src_host, f->lh));
	struct fs_target tg = {f->arg, f->fs, f->snap, f->rhost_arg};
	if (cmd_partner(&tg, &f->fi, 0, &f->rp, &f->pfs, &f->ph) < 0)
		return EXIT_FAIL;
	if (f->dry) {
		/* No lock: a plan changes nothing. */
		if (zrepfs_snaps(&local_host, f->fs, &f->mine) < 0)
			return EXIT_FAIL;
		struct role_dry d = {f->fs,  f->snap, f->local, &f->fi, &f->rp,
		                     f->pfs, &f->ph,  &f->mine, f->json};
		return failover_dry_run(&d);
	}
	int lr = fslock_acquire(f->fs, 0);
	if (lr != 0)
		return error("cannot lock %s; nothing was changed", f->fs),
		       lr > 0 ? EXIT_TEMPFAIL : EXIT_FAIL;
	struct zerr e = {0};
	if (zrepfs_snaps(&local_host, f->fs, &f->mine) < 0) {
		zerr_clear(&e);
		return EXIT_FAIL;
	}
	int rc = f->local ? local_failover(f) : planned_failover(f);
	fslock_release(f->fs);
	return rc;
}

int cmd_failover(int argc, char **argv)
{
	struct fo f = {0};
	static const char *const longs[] = {"json", NULL};
	struct cmd_opts op = CMD_OPTS_INIT;
	op.longs = longs;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "fLn")) > 0) {
		if (c == 'f')
			f.force = 1;
		else if (c == 'L')
			f.local = 1;
		else if (c == 'n')
			f.dry = 1;
		else
			f.json = 1;
	}
	if (c < 0)
		return EXIT_USAGE;
	if (f.json && !f.dry)
		return cmd_usage_error("failover", "--json goes with -n (the plan)");
	struct fs_target tg;
	int bad = cmd_fs_target("failover", argc, argv, op.ind, &tg);
	if (bad)
		return bad;
	f.arg = tg.arg;
	f.fs = tg.fs;
	f.snap = tg.snap;
	f.rhost_arg = tg.rhost_arg;
	int rc = run(&f);
	if (f.dry)
		goto done;
	/* a refusal changed nothing and records nothing; a failure after the freeze (step 1) is kept */
	oplog_fs(f.local ? "failover -L" : "failover", f.fs, rc == EXIT_OK ? OPLOG_OK : OPLOG_FAILED, NULL,
	         f.saved_ro_src != ZSRC_NONE, 0);
done:
	free(f.fs);
	free(f.saved_ro);
	free(f.recovery);
	fsinfo_free(&f.fi);
	zsnaps_free(&f.mine);
	host_release(&f.ph);
	return rc;
}
