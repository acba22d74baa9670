/*
 * sync -n [--json] [-f] (FS... | all): the plan of a sync, printed, with
 * nothing changed on either host (no lock, no snapshot, nothing sent,
 * no property set). It makes the decisions the real sync makes, from the
 * same facts: this host's configuration and snapshots, and the
 * destination's (one connection per filesystem: its TAG:master, savecount
 * and snapshots with guids): refused as the real sync refuses (not master,
 * no snapshot marked sent, split brain, destination missing); the new
 * snapshot's number; the incremental base (the last sent snapshot, or the
 * newest one both sides hold by guid); an estimate of the bytes to send
 * (`written@BASE` where the zfs has it); the sent marks; and both expiries
 * with the new snapshot counted. Steps (text "HOST: ACTION ..." lines, or
 * one JSON array of {"host", "action", operands}):
 *   snapshot {snapshot}            send {from, to, dest_host, dest_fs, estimated_bytes}
 *   receive {snapshot, force}      set {dataset, property, value: "(time of the transfer)"}
 *   destroy {fs, snapshot, recursive}  (the expiries, destination first)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../expire.h"
#include "../msg.h"
#include "../props.h"
#include "../snapname.h"
#include "../statusdoc.h"
#include "../zrepfs.h"
#include "plan.h"
#include "syncplan.h"

static void plan_destroys(struct plan *p, const char *host, const struct fsinfo *fi, const struct zsnaps *s,
                          int is_master)
{
	long savecount;
	if (fsinfo_savecount(fi, &savecount) < 0)
		return;
	size_t *idx = xmalloc((s->n + 1) * sizeof(size_t));
	long n = plan_expire(s, is_master, savecount, idx);
	for (long i = 0; i < n; i++) {
		plan_begin(p, host, "destroy");
		plan_str(p, "fs", fi->fs);
		plan_str(p, "snapshot", s->v[idx[i]].name);
		if (p->json)
			plan_bool(p, "recursive", cfg.recursive);
		plan_end(p);
	}
	free(idx);
}

/* The newest local zrep snapshot whose guid the destination holds. */
static const struct zsnap *newest_common(const struct zsnaps *mine, const struct zsnaps *theirs)
{
	for (size_t i = mine->n; i-- > 0;) {
		if (!mine->v[i].is_zrep || !mine->v[i].guid || mine->v[i].sn.unsent)
			continue;
		for (size_t k = 0; k < theirs->n; k++)
			if (theirs->v[k].guid && strcmp(theirs->v[k].guid, mine->v[i].guid) == 0)
				return &mine->v[i];
	}
	return NULL;
}

static int plan_one(const char *fs, int force, struct plan *p)
{
	struct fsinfo fi, rfi;
	struct zsnaps mine = {0}, theirs = {0};
	struct host dh = {0};
	int have_rfi = 0, rc = -1;
	char *newsnap = NULL, *rnew = NULL;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return -1;
	if (!fsinfo_is_master(&fi)) {
		error("%s is not master here; cannot sync (%s is not yes)", fs, P.master);
		goto out;
	}
	if (!fi.dest_host || !fi.dest_fs || host_init(&dh, fi.dest_host) < 0 ||
	    check_dsname(fi.dest_fs, 0) < 0) {
		error("%s: %s or %s is not usable; cannot sync", fs, P.dest_host, P.dest_fs);
		goto out;
	}
	if (zrepfs_snaps(&local_host, fs, &mine) < 0)
		goto out;
	const struct zsnap *base = zsnaps_last_sent(&mine);
	if (!base) {
		error("%s has no snapshot marked sent; initialise it with zrep init (or mark one with zrep "
		      "sentsync)",
		      fs);
		goto out;
	}
	if (fsinfo_read(&dh, fi.dest_fs, &rfi) < 0) {
		error("cannot sync %s: %s:%s cannot be read", fs, dh.name, fi.dest_fs);
		goto out;
	}
	have_rfi = 1;
	if (fsinfo_is_master(&rfi)) {
		error("split brain: %s:%s is also master; not sending (last sent here: %s, guid %s)", dh.name,
		      fi.dest_fs, base->name, base->guid ? base->guid : "?");
		goto out;
	}
	if (zrepfs_snaps(&dh, fi.dest_fs, &theirs) < 0)
		goto out;
	const struct zsnap *from = newest_common(&mine, &theirs);
	if (!from) {
		error("cannot sync %s: %s:%s holds none of its snapshots (by guid)", fs, dh.name, fi.dest_fs);
		goto out;
	}
	if (snapname_cmp(&from->sn, &base->sn) < 0)
		from = base; /* the real push then falls back to the newest common one; say the base */
	unsigned long long next = 0;
	for (size_t i = 0; i < mine.n; i++)
		if (mine.v[i].is_zrep && mine.v[i].sn.seq + 1 > next)
			next = mine.v[i].sn.seq + 1;
	newsnap = snapname_format(fs, cfg.tag, next);
	const char *me = host_local_name();

	plan_begin(p, me, "snapshot");
	plan_str(p, "snapshot", newsnap);
	plan_end(p);
	char *prop = xasprintf("written@%s", from->snap), *w = NULL;
	struct zerr e = {0};
	unsigned long long bytes = 0;
	int have_bytes = zfs_get_one(&local_host, prop, fs, 0, &w, &e) == 0 && w && parse_ull(w, &bytes) == 0;
	free(prop);
	free(w);
	zerr_clear(&e);
	plan_begin(p, me, "send");
	plan_str(p, "from", from->name);
	plan_str(p, "to", newsnap);
	plan_str(p, "dest_host", dh.name);
	plan_str(p, "dest_fs", fi.dest_fs);
	plan_num(p, "estimated_bytes", have_bytes, bytes);
	plan_end(p);
	rnew = xasprintf("%s@%s", fi.dest_fs, strchr(newsnap, '@') + 1);
	plan_begin(p, dh.name, "receive");
	plan_str(p, "snapshot", rnew);
	if (p->json || force)
		plan_bool(p, "force", force);
	plan_end(p);
	plan_begin(p, dh.name, "set");
	plan_str(p, "dataset", rnew);
	plan_str(p, "property", P.sent);
	plan_str(p, "value", "(time of the transfer)");
	plan_end(p);
	plan_begin(p, me, "set");
	plan_str(p, "dataset", newsnap);
	plan_str(p, "property", P.sent);
	plan_str(p, "value", "(time of the transfer)");
	plan_end(p);
	if (!cfg.skip_expire) {
		zsnaps_add(&theirs, rnew, cfg.tag);
		zsnaps_mark_sent(&theirs, rnew);
		plan_destroys(p, dh.name, &rfi, &theirs, 0);
		zsnaps_add(&mine, newsnap, cfg.tag);
		zsnaps_mark_sent(&mine, newsnap);
		plan_destroys(p, me, &fi, &mine, 1);
	}
	rc = 0;
out:
	free(newsnap);
	free(rnew);
	zsnaps_free(&mine);
	zsnaps_free(&theirs);
	if (have_rfi)
		fsinfo_free(&rfi);
	fsinfo_free(&fi);
	host_release(&dh);
	return rc;
}

int sync_dry_run(char **list, int n, int force, int json)
{
	struct strv fss = STRV_INIT;
	if (n == 1 && strcmp(list[0], "all") == 0) {
		if (zrepfs_list(&fss, 1) < 0)
			return EXIT_FAIL;
	} else {
		for (int i = 0; i < n; i++) {
			if (check_dsname(list[i], 0) < 0) {
				strv_clear(&fss);
				return EXIT_USAGE;
			}
			strv_push(&fss, list[i]);
		}
	}
	struct plan p;
	plan_init(&p, json);
	int failed = 0;
	for (size_t i = 0; i < fss.n; i++)
		if (plan_one(fss.v[i], force, &p) < 0)
			failed++;
	plan_print(&p);
	strv_clear(&fss);
	return failed ? EXIT_FAIL : EXIT_OK;
}
