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
#include "../replicate.h"
#include "../role.h"

/* Remote zrep words: ZREP_PATH, then -R (first of the flags, where a shell
 * zrep looks for it), -t TAG, -D. */
static void remote_words(struct strv *w)
{
	struct strv all = STRV_INIT, path = STRV_INIT;
	remote_zrep_argv(&all);
	strv_split(&path, cfg.zrep_path);
	for (size_t i = 0; i < all.n; i++) {
		if (i == path.n && cfg.recursive)
			strv_push(w, "-R");
		strv_push(w, all.v[i]);
	}
	if (all.n == path.n && cfg.recursive)
		strv_push(w, "-R");
	strv_clear(&all);
	strv_clear(&path);
}

static char *joined(struct strv *sv)
{
	struct strbuf sb = STRBUF_INIT;
	sh_join(&sb, sv->v);
	strv_clear(sv);
	return sb_detach(&sb);
}

/* $1: the listing command; the rest: `zrep snaponly SRCFS`. One line, no '!'. */
static const char snap_script[] = "ls=$1; shift; n=$(\"$@\" </dev/null); r=$?; "
                                  "if [ $r -ne 0 ]; then echo \"ZREP-SNAPFAIL $r\"; exit 0; fi; "
                                  "echo \"ZREP-NEWSNAP $n\"; echo ZREP-LIST; "
                                  "eval \"$ls\" </dev/null || echo ZREP-LISTFAIL";

/* $1: `zrep _refreshcomplete ...`, $2: `zrep expire -L SRCFS` or "". */
static const char complete_script[] =
    "c=$1; e=$2; if eval \"$c\" </dev/null >&2; then echo ZREP-COMPLETE; fi; "
    "if [ -n \"$e\" ]; then if eval \"$e\" </dev/null >&2; then echo ZREP-EXPIRE-OK; "
    "else echo ZREP-EXPIRE-FAILED; fi; fi";

struct rf {
	const char *fs;
	int force;
	struct fsinfo fi;
	struct host sh;
	const char *srcfs;
	struct zsnaps mine, theirs;
	char *newsnap; /* full name on the source */
};

/* Step 1. Returns 0 with t->newsnap and t->theirs set. */
static int snap_and_list(struct rf *t)
{
	struct strv args = STRV_INIT, c = STRV_INIT;
	char *props = xasprintf("%s,guid,creation", P.sent);
	char *dsv[] = {(char *)t->srcfs, NULL};
	strv_push(&c, "zfs");
	zfs_argv_get(&c, props, NULL, 1, dsv);
	free(props);
	strv_push_nodup(&args, joined(&c));
	remote_words(&args);
	strv_push(&args, "snaponly");
	strv_push(&args, t->srcfs);
	struct strv sv = STRV_INIT;
	host_build_script(&t->sh, snap_script, args.v, &sv);
	struct proc p;
	proc_init(&p, sv.v);
	p.err = EXEC_INHERIT;
	if (!t->sh.local)
		host_ssh_count++;
	int st = exec_run(&p);
	int rc = -1;
	const char *out = sb_str(&p.out_buf);
	const char *list = strstr(out, "ZREP-LIST\n");
	char b[64];
	if (strstr(out, "ZREP-SNAPFAIL")) {
		error("snapshot of %s on %s failed (zrep snaponly there)", t->srcfs, t->sh.name);
	} else if (!str_starts(out, "ZREP-NEWSNAP ") || !list) {
		error("cannot reach %s to snapshot %s (%s)", t->sh.name, t->srcfs,
		      exec_status_str(st, b, sizeof(b)));
	} else if (strstr(list, "ZREP-LISTFAIL")) {
		error("cannot list the snapshots of %s:%s", t->sh.name, t->srcfs);
	} else {
		char *name = xstrndup(out + 13, strcspn(out + 13, "\n"));
		struct snapname sn;
		size_t fl = 0;
		if (snapname_parse_full(name, cfg.tag, &sn, &fl) < 0 || sn.unsent || fl != strlen(t->srcfs) ||
		    strncmp(name, t->srcfs, fl) != 0) {
			error("unrecognized output from zrep snaponly on %s: %s", t->sh.name, name);
			free(name);
		} else {
			struct zprops rows;
			if (zfs_parse_get(list + 10, &rows) < 0) {
				error("cannot parse the snapshot list of %s:%s", t->sh.name, t->srcfs);
				free(name);
			} else {
				zfs_parse_snaps(&rows, t->srcfs, cfg.tag, &t->theirs);
				zprops_free(&rows);
				t->newsnap = name;
				rc = 0;
			}
		}
	}
	proc_release(&p);
	strv_clear(&sv);
	strv_clear(&args);
	return rc;
}

/* `zrep _refreshcomplete SNAP TAG:sent=TS` [+ `zrep expire -L SRCFS`] on the source. */
static int complete_remote(struct rf *t, const char *snap, long long ts, int expire, int *expire_ok)
{
	struct strv c = STRV_INIT, args = STRV_INIT;
	remote_words(&c);
	strv_push(&c, "_refreshcomplete");
	strv_push(&c, snap);
	strv_pushf(&c, "%s=%lld", P.sent, ts);
	strv_push_nodup(&args, joined(&c));
	if (expire) {
		remote_words(&c);
		strv_push(&c, "expire");
		strv_push(&c, "-L");
		strv_push(&c, t->srcfs);
		strv_push_nodup(&args, joined(&c));
	} else {
		strv_push(&args, "");
	}
	struct strv sv = STRV_INIT;
	host_build_script(&t->sh, complete_script, args.v, &sv);
	struct proc p;
	proc_init(&p, sv.v);
	p.err = EXEC_INHERIT;
	if (!t->sh.local)
		host_ssh_count++;
	exec_run(&p);
	const char *out = sb_str(&p.out_buf);
	int ok = strstr(out, "ZREP-COMPLETE") != NULL;
	if (expire_ok)
		*expire_ok = strstr(out, "ZREP-EXPIRE-OK") != NULL;
	proc_release(&p);
	strv_clear(&sv);
	strv_clear(&args);
	return ok ? 0 : -1;
}

/* Step 3: the pull pipeline. */
static int pull(struct rf *t, const char *snap, const char *token)
{
	struct strv w = STRV_INIT, s0 = STRV_INIT, s1 = STRV_INIT, s2 = STRV_INIT;
	remote_words(&w);
	strv_push(&w, "_refreshpull");
	strv_push(&w, snap);
	if (token)
		strv_push(&w, token);
	if (cfg.outfilter) {
		struct strv a = STRV_INIT;
		strv_push(&a, cfg.outfilter);
		strv_pushv(&a, w.v);
		host_build_script(&t->sh, "f=$1; shift; \"$@\" | eval \"$f\"", a.v, &s0);
		strv_clear(&a);
	} else {
		host_build_argv(&t->sh, w.v, &s0);
	}
	struct proc st[3];
	size_t n = 0;
	proc_init(&st[n++], s0.v);
	st[0].err_tee = cfg.verbose;
	if (cfg.infilter) {
		strv_push(&s1, "sh");
		strv_push(&s1, "-c");
		strv_push(&s1, cfg.infilter);
		proc_init(&st[n++], s1.v);
	}
	const struct zfs_features *lf = zfs_features(&local_host);
	struct recv_opts ro = {
	    .target = t->fs,
	    .force = t->force,
	    .resumable = cfg.resume && lf->recv_s,
	    .extra = cfg.recv_flags,
	};
	zfs_argv_recv(&s2, &ro);
	proc_init(&st[n++], s2.v);
	if (!t->sh.local)
		host_ssh_count++;
	note("Pulling %s from %s into %s", snap, t->sh.name, t->fs);
	int blame = exec_pipeline(st, n);
	int rc = 0;
	if (blame >= 0) {
		struct zerr e = {0};
		/* The receiver's complaint explains a failed pull best (the
		 * sender then only sees its stream cut). */
		if (st[n - 1].status != 0 && st[n - 1].err_buf.len > 0)
			blame = (int)n - 1;
		zerr_set(&e, st[blame].status, sb_str(&st[blame].err_buf), blame == 0 && !t->sh.local);
		error("pulling %s from %s into %s failed: %s", snap, t->sh.name, t->fs, zerr_text(&e));
		zerr_clear(&e);
		rc = -1;
	}
	for (size_t i = 0; i < n; i++) {
		st[i].argv = NULL;
		proc_release(&st[i]);
	}
	strv_clear(&w);
	strv_clear(&s0);
	strv_clear(&s1);
	strv_clear(&s2);
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
	if (pull(t, snap, token) < 0)
		return -1;
	const char *snapname = strchr(snap, '@') + 1;
	struct zsnaps after = {0};
	struct zerr e = {0};
	const struct zsnap *got = NULL;
	if (zfs_list_snaps(&local_host, t->fs, cfg.tag, &after, &e) == 0)
		got = zsnaps_find(&after, snapname);
	if (!got || !str_eq(got->guid, want_guid)) {
		error("%s@%s is not the snapshot %s listed (guid %s here, %s there); not marking it sent",
		      t->fs, snapname, t->sh.name, got && got->guid ? got->guid : "none", want_guid);
		zsnaps_free(&after);
		zerr_clear(&e);
		return -1;
	}
	zsnaps_free(&after);
	zerr_clear(&e);
	long long ts = now_secs();
	char *local_snap = xasprintf("%s@%s", t->fs, snapname);
	int ms = mark_sent_local(local_snap, ts);
	free(local_snap);
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
	if (cfg.resume) {
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
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-f") == 0)
			t.force = 1;
		else if (strcmp(argv[i], "-v") == 0)
			cfg.verbose = 1;
		else if (strcmp(argv[i], "-r") == 0)
			cfg.resume = 1;
		else
			return cmd_usage_error("refresh", "refresh: unknown option %s", argv[i]);
	}
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
	if (fslock_acquire(t.fs, 0) != 0) {
		error("cannot lock %s; cannot continue", t.fs);
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
