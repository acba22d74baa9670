/*
 * takeover [-f] [-L] FS[@SNAP] [REMOTEHOST]: make this host (B, the
 * destination) master of FS.
 *
 * Normal mode asks the master A to fail over to us: `zrep failover FS_A`
 * runs there (the call a shell zrep 2.0.2 understands; -f and @SNAP are
 * passed on) and calls back `zrep takeover -L FS_B` here. No lock is held
 * here meanwhile, since that call back takes it. If this host is master
 * already, A is checked for split brain instead.
 *
 * -L (A is dead or unreachable): under FS's lock, optionally roll back to
 * SNAP (a zrep snapshot marked sent here, i.e. one A provably sent; -f for
 * others or to destroy snapshots that exist only here), then rewrite the
 * role properties in role_plan's order with TAG:master=yes last, make FS
 * writable (readonly inherited; readonly=off on FS itself only if a
 * parent is read-only) and mount it. Every step is idempotent, so an
 * interrupted takeover -L is finished by running it again. The hint to run
 * `failover -L` on the old master is left out when ZREP_PARTNER_FAILOVER is
 * set: failover's promote script sets it, since that master demotes itself.
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

struct tk {
	const char *arg;
	char *fs;
	const char *snap;
	const char *rhost_arg;
	int force, local;
	int dry, json; /* -n [--json]: the plan only */
	const char *lh;
	struct fsinfo fi;
	struct role_props rp;
	const char *pfs;
	struct host ph;
};

static int rollback_to(struct tk *t, struct zsnaps *mine)
{
	const struct zsnap *s = zsnaps_find(mine, t->snap);
	if (!s)
		return error("%s@%s does not exist; nothing was changed", t->fs, t->snap);
	if (!s->sent && !t->force)
		return error(
		    "%s@%s is not marked sent here, so it is not known to be a snapshot %s:%s sent; nothing "
		    "was changed (-f rolls back to it anyway)",
		    t->fs, t->snap, t->ph.name, t->pfs);
	size_t *v = xmalloc((mine->n + 1) * sizeof(*v));
	size_t nv = rollback_victims(mine, s, v);
	int unique = 0;
	note("Rolling back %s to %s before taking over; this discards:", t->fs, s->name);
	for (size_t i = 0; i < nv; i++)
		if (zsnap_victim_kind(&mine->v[v[i]], NULL) != VICTIM_SENT)
			unique = 1;
	victims_print(t->lh, mine, v, nv, NULL, 1);
	note("  %s: every change made to %s after its newest snapshot", t->lh, t->fs);
	free(v);
	if (unique && !t->force)
		return error("refusing: some of these snapshots may exist only here (listed above); nothing "
		             "was changed "
		             "(-f destroys them)");
	struct zerr e = {0};
	int rc = 0;
	if (zrep_rollback(&local_host, mine, s, nv > 0, &e) != 0)
		rc = error("rollback of %s to %s failed: %s; nothing else was changed", t->fs, s->name,
		           zerr_text(&e));
	zerr_clear(&e);
	if (rc == 0)
		crash_point("rollback");
	return rc;
}

static int local_takeover(struct tk *t)
{
	int lr = fslock_acquire(t->fs, 0);
	if (lr != 0)
		return error("cannot lock %s; nothing was changed", t->fs),
		       lr > 0 ? EXIT_TEMPFAIL : EXIT_FAIL;
	int rc = EXIT_FAIL;
	struct zsnaps mine = {0};
	struct zerr e = {0};
	struct fsinfo now = {0};
	if (zrepfs_snaps(&local_host, t->fs, &mine) < 0) {
		goto out;
	}
	if (t->snap && rollback_to(t, &mine) < 0)
		goto out;

	struct role_op ops[ROLE_MAX_OPS];
	size_t n = role_plan(&t->rp, t->fs, t->lh, t->pfs, t->ph.name, 1, ops);
	if (n == 0) {
		note("%s is master here already", t->fs);
	} else {
		if (t->rp.master)
			warn("%s is master here already; completing its properties", t->fs);
		note("Setting master properties for %s:%s", t->lh, t->fs);
		if (role_apply(t->fs, ops, n, "takeover-partial") < 0) {
			char *w[] = {(char *)"takeover", (char *)"-L", (char *)t->arg, NULL};
			char *c = zrep_command(w);
			error("the takeover of %s is incomplete; finish it by running here: %s", t->fs, c);
			free(c);
			goto out;
		}
	}
	crash_point("takeover-master");
	if (fsinfo_read(&local_host, t->fs, &now) < 0 || make_writable(&now) < 0 ||
	    ensure_mounted(&now) < 0) {
		char *w[] = {(char *)"takeover", (char *)"-L", t->fs, NULL};
		char *c = zrep_command(w);
		error("%s is master here but not ready for use; fix the problem above and run: %s", t->fs, c);
		free(c);
		goto out;
	}
	if (!zsnaps_last_sent(&mine))
		warn("no snapshot of %s is marked sent: syncing from here needs a common snapshot first (see "
		     "sentsync)",
		     t->fs);
	if (!getenv("ZREP_PARTNER_FAILOVER") && n > 0) {
		char *w[] = {(char *)"failover", (char *)"-L", (char *)t->pfs, NULL};
		char *c = zrep_command(w);
		note("%s is master on %s now. %s was not contacted: if %s is still master there, run there "
		     "`%s` "
		     "before syncing from here",
		     t->fs, t->lh, t->ph.name, t->pfs, c);
		free(c);
	}
	rc = EXIT_OK;
out:
	fslock_release(t->fs);
	fsinfo_free(&now);
	zsnaps_free(&mine);
	zerr_clear(&e);
	return rc;
}

static int remote_takeover(struct tk *t)
{
	if (fsinfo_is_master(&t->fi)) {
		struct peer pr;
		int r = peer_read(&t->ph, t->pfs, &pr);
		if (r == 0 && peer_is_master(&pr)) {
			struct zsnaps mine = {0};
			struct zerr e = {0};
			zrepfs_list_snaps(&local_host, t->fs, cfg.tag, &mine, &e);
			split_brain_report(t->fs, &mine, t->ph.name, t->pfs, &pr.snaps);
			zsnaps_free(&mine);
			zerr_clear(&e);
			peer_free(&pr);
			return EXIT_FAIL;
		}
		if (r < 0)
			warn("cannot check %s:%s for split brain: %s", t->ph.name, t->pfs,
			     zerr_text(&pr.err));
		peer_free(&pr);
		return local_takeover(t);
	}
	struct strv w = STRV_INIT;
	remote_zrep_argv(&w);
	strv_push(&w, "failover");
	if (t->dry) /* the master plans its failover, which is what this takeover asks of it */
		strv_push(&w, "-n");
	if (t->dry && t->json)
		strv_push(&w, "--json");
	if (t->force)
		strv_push(&w, "-f");
	if (t->snap)
		strv_pushf(&w, "%s@%s", t->pfs, t->snap);
	else
		strv_push(&w, t->pfs);
	struct proc p;
	proc_init(&p, NULL);
	p.out = EXEC_INHERIT;
	p.err = EXEC_INHERIT;
	if (!t->dry)
		note("Starting failover from remote side %s", t->ph.name);
	int st = remote_exec(&t->ph, w.v, &p);
	proc_release(&p);
	strv_clear(&w);
	if (t->dry) /* the plan was printed there; nothing changed */
		return st == 0                       ? EXIT_OK
		       : st == SSH_FAILURE || st < 0 ? EXIT_TEMPFAIL
		       : st == 75                    ? EXIT_TEMPFAIL
		                                     : EXIT_FAIL;

	struct fsinfo now;
	int master = fsinfo_read(&local_host, t->fs, &now) == 0 && fsinfo_is_master(&now);
	if (master)
		fsinfo_free(&now);
	char b[64];
	if (st == 0 && master) {
		note("%s is master here now", t->fs);
		return EXIT_OK;
	}
	if (master) {
		error("%s is master here now, but the failover on %s reported %s; see its messages above",
		      t->fs, t->ph.name, exec_status_str(st, b, sizeof(b)));
		return EXIT_FAIL;
	}
	fsinfo_free(&now);
	error("failover on %s failed (%s); %s is not master here", t->ph.name,
	      exec_status_str(st, b, sizeof(b)), t->fs);
	if (st == SSH_FAILURE || st < 0) {
		char *w2[] = {(char *)"takeover", (char *)"-L", (char *)t->arg, NULL};
		char *c = zrep_command(w2);
		note("If %s is down, `%s` makes this host master without it", t->ph.name, c);
		free(c);
		return EXIT_TEMPFAIL;
	}
	return EXIT_FAIL;
}

int cmd_takeover(int argc, char **argv)
{
	struct tk t = {0};
	struct cmd_opts op = CMD_OPTS_INIT;
	int c;
	static const char *const longs[] = {"json", NULL};
	op.longs = longs;
	while ((c = cmd_getopt(&op, argc, argv, "fLn")) > 0) {
		if (c == 'f')
			t.force = 1;
		else if (c == 'L')
			t.local = 1;
		else if (c == 'n')
			t.dry = 1;
		else
			t.json = 1;
	}
	if (c < 0)
		return EXIT_USAGE;
	if (t.json && !t.dry)
		return cmd_usage_error("takeover", "--json goes with -n (the plan)");
	struct fs_target tg;
	int rc = cmd_fs_target("takeover", argc, argv, op.ind, &tg);
	if (rc)
		return rc;
	t.arg = tg.arg;
	t.fs = tg.fs;
	t.snap = tg.snap;
	t.rhost_arg = tg.rhost_arg;
	rc = EXIT_FAIL;
	if (fsinfo_read(&local_host, t.fs, &t.fi) < 0)
		goto out;
	if (!t.fi.src_fs || !t.fi.src_host || !t.fi.dest_fs || !t.fi.dest_host) {
		error("%s is not configured for zrep (tag %s): %s, %s, %s and %s must be set", t.fs, cfg.tag,
		      P.src_fs, P.src_host, P.dest_fs, P.dest_host);
		goto out;
	}
	t.lh = host_local_name();
	if (cmd_partner(&tg, &t.fi, 1, &t.rp, &t.pfs, &t.ph) < 0)
		goto out;
	if (!t.local && t.ph.local && str_eq(t.pfs, t.fs)) {
		error("%s: its partner is itself; nothing to take over", t.fs);
		goto out;
	}
	if (t.dry && (t.local || fsinfo_is_master(&t.fi))) {
		struct zsnaps mine = {0};
		rc = EXIT_FAIL;
		if (zrepfs_snaps(&local_host, t.fs, &mine) == 0) {
			struct role_dry d = {t.fs, t.snap, 1, &t.fi, &t.rp, t.pfs, &t.ph, &mine, t.json};
			rc = takeover_local_dry_run(&d);
		}
		zsnaps_free(&mine);
		goto out;
	}
	rc = t.local ? local_takeover(&t) : remote_takeover(&t);
out:
	if (rc != EXIT_USAGE)
		oplog_fs(t.local ? "takeover -L" : "takeover", t.fs, rc == EXIT_OK ? OPLOG_OK : OPLOG_FAILED,
		         NULL, 0, 0);
	free(t.fs);
	fsinfo_free(&t.fi);
	host_release(&t.ph);
	return rc;
}
