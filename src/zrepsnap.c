/*
 * zrepsnap: see zrepsnap.h.
 */
#include "zrepsnap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hooks.h"
#include "lock.h"
#include "msg.h"
#include "props.h"

char *makesnap_name(const struct fsinfo *fi, const struct zsnaps *snaps)
{
	if (!str_eq(fi->src_host, host_local_name())) {
		error("%s: not the master host for this filesystem (src-host is %s, we are %s)", fi->fs,
		      fi->src_host ? fi->src_host : "unset", host_local_name());
		return NULL;
	}
	if (!fslock_held(fi->fs)) {
		error("internal error: makesnap without the lock on %s", fi->fs);
		return NULL;
	}
	return zrepsnap_next_name(fi->fs, snaps);
}

char *zrepsnap_next_name(const char *fs, const struct zsnaps *snaps)
{
	unsigned long long next = 0;
	int any = 0;
	for (size_t i = 0; i < snaps->n; i++) {
		if (!snaps->v[i].is_zrep)
			continue;
		if (!any || snaps->v[i].sn.seq >= next)
			next = snaps->v[i].sn.seq + 1;
		any = 1;
	}
	/* After zrep's bookmarks too: a number whose snapshot is gone here may be on the destination. */
	const struct zbm *bm = zbms_newest(&snaps->bms);
	if (bm && (!any || bm->sn.seq >= next))
		next = bm->sn.seq + 1;
	return snapname_format(fs, cfg.tag, next);
}

int makesnap_take(const struct fsinfo *fi, const char *name)
{
	struct zerr e = {0};
	if (hook_run("ZREP_PRESNAP_HOOK", cfg.presnap_hook, fi->fs, name, NULL) < 0) {
		error("not snapshotting %s: its ZREP_PRESNAP_HOOK failed", fi->fs);
		return -1;
	}
	if (zfs_snapshot(&local_host, name, cfg.recursive, &e) != 0) {
		error("cannot create snapshot %s: %s", name, zerr_text(&e));
		zerr_clear(&e);
		hook_run("ZREP_POSTSNAP_HOOK", cfg.postsnap_hook, fi->fs, name, "failed");
		return -1;
	}
	if (hook_run("ZREP_POSTSNAP_HOOK", cfg.postsnap_hook, fi->fs, name, "ok") < 0)
		warn("%s was taken; its ZREP_POSTSNAP_HOOK failed (see above)", name);
	return 0;
}

char *makesnap(const struct fsinfo *fi, const struct zsnaps *snaps)
{
	char *name = makesnap_name(fi, snaps);
	if (name && makesnap_take(fi, name) < 0) {
		free(name);
		return NULL;
	}
	return name;
}

int mark_sent_local(const char *snap, long long ts)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", ts);
	struct zerr e = {0};
	int rc = zfs_set(&local_host, snap, P.sent, buf, &e);
	if (rc != 0)
		error("cannot mark %s as sent: %s", snap, zerr_text(&e));
	zerr_clear(&e);
	return rc ? -1 : 0;
}

static int holds_listed(const struct zsnaps *snaps)
{
	for (size_t i = 0; i < snaps->n; i++)
		if (snaps->v[i].userrefs >= 0)
			return 1;
	return 0;
}

/* Releases zrep's hold from s on h ("no such tag": another tag's hold, quietly kept). */
static void release_one(const struct host *h, struct zsnap *s)
{
	struct zerr e = {0};
	if (zfs_release(h, cfg.tag, s->name, &e) == 0)
		s->userrefs--;
	else if (!e.msg || !strstr(e.msg, "no such tag"))
		warn("cannot release hold %s from %s: %s", cfg.tag, s->name, zerr_text(&e));
	zerr_clear(&e);
}

/* Releases zrep's hold from the held snapshots of snaps other than keep. */
static void release_others(struct zsnaps *snaps, const char *keep)
{
	for (size_t i = 0; i < snaps->n; i++) {
		struct zsnap *s = &snaps->v[i];
		if (s->userrefs > 0 && !(keep && strcmp(s->name, keep) == 0))
			release_one(&local_host, s);
	}
}

void hold_move(struct zsnaps *snaps, const char *snap)
{
	if (!holds_listed(snaps))
		return;
	struct zerr e = {0};
	if (zfs_hold(&local_host, cfg.tag, snap, &e) != 0 &&
	    !(e.msg && strstr(e.msg, "tag already exists"))) {
		warn("cannot put hold %s on %s: %s; the older hold stays", cfg.tag, snap, zerr_text(&e));
		zerr_clear(&e);
		return;
	}
	zerr_clear(&e);
	release_others(snaps, snap);
}

int hold_new(const struct zsnaps *snaps, const char *snap)
{
	if (!holds_listed(snaps))
		return 0;
	struct zerr e = {0};
	int ok =
	    zfs_hold(&local_host, cfg.tag, snap, &e) == 0 || (e.msg && strstr(e.msg, "tag already exists"));
	zerr_clear(&e);
	return ok;
}

/* Runs the zfs commands cmds (at most 16) at once here; errs[i] set, to be cleared. */
static void together(struct strv *cmds, size_t n, struct zerr *errs)
{
	char **v[16];
	for (size_t i = 0; i < n; i++)
		v[i] = cmds[i].v;
	zfs_exec_together(&local_host, (char *const *const *)v, n, errs);
}

static void push_cmd(struct strv *c, const char *verb, const char *arg, const char *ds)
{
	*c = (struct strv)STRV_INIT;
	strv_push(c, verb);
	strv_push(c, arg);
	strv_push(c, ds);
}

int mark_sent_move_hold(struct zsnaps *snaps, const char *snap, long long ts, int snap_held,
                        char *const *const *also, int *also_ok)
{
	int holds = holds_listed(snaps), held_before = snap_held;
	struct strv cmds[16];
	struct zerr errs[16];
	size_t rel[16], nr = 0, n = 0, i = 0;
	memset(errs, 0, sizeof(errs));
	char *pv = xasprintf("%s=%lld", P.sent, ts);
	push_cmd(&cmds[n++], "set", pv, snap);
	free(pv);
	if (holds && !held_before)
		push_cmd(&cmds[n++], "hold", cfg.tag, snap);
	size_t ai = n, na = 0;
	for (; also && also[na] && na < 4; na++) {
		cmds[n] = (struct strv)STRV_INIT;
		strv_pushv(&cmds[n++], also[na]);
	}
	/* the releases go with the mark when snap is held already (up to 14 at once; more, as many
	 * killed runs would leave, one after another below) */
	for (; holds && held_before && i < snaps->n && n < 16; i++) {
		struct zsnap *z = &snaps->v[i];
		if (z->userrefs > 0 && strcmp(z->name, snap) != 0) {
			push_cmd(&cmds[n++], "release", cfg.tag, z->name);
			rel[nr++] = i;
		}
	}
	together(cmds, n, errs);
	for (size_t k = 0; k < na; k++)
		also_ok[k] = errs[ai + k].status == 0;
	int marked = errs[0].status == 0;
	if (!marked)
		error("cannot mark %s as sent: %s", snap, zerr_text(&errs[0]));
	if (holds && !held_before) {
		snap_held = errs[1].status == 0 || (errs[1].msg && strstr(errs[1].msg, "tag already exists"));
		if (!snap_held)
			warn("cannot put hold %s on %s: %s; the older hold stays", cfg.tag, snap,
			     zerr_text(&errs[1]));
	}
	for (size_t k = 0; k < nr; k++) {
		struct zerr *e = &errs[n - nr + k];
		if (e->status == 0)
			snaps->v[rel[k]].userrefs--;
		else if (!e->msg || !strstr(e->msg, "no such tag"))
			warn("cannot release hold %s from %s: %s", cfg.tag, snaps->v[rel[k]].name,
			     zerr_text(e));
	}
	for (size_t k = 0; k < n; k++) {
		strv_clear(&cmds[k]);
		zerr_clear(&errs[k]);
	}
	if (!marked)
		return -1;
	/* what is left: every release when snap was not held before, or those past the first 15 */
	for (i = held_before ? i : 0; holds && snap_held && i < snaps->n; i++) {
		struct zsnap *z = &snaps->v[i];
		if (z->userrefs > 0 && strcmp(z->name, snap) != 0)
			release_one(&local_host, z);
	}
	return 0;
}

void hold_release_all(struct zsnaps *snaps)
{
	release_others(snaps, NULL);
}

int zrep_rollback(const struct host *h, struct zsnaps *snaps, const struct zsnap *target, int destroy_newer,
                  struct zerr *e)
{
	if (destroy_newer) {
		size_t *v = xmalloc((snaps->n + 1) * sizeof(*v));
		size_t nv = rollback_victims(snaps, target, v);
		for (size_t i = 0; i < nv; i++)
			if (snaps->v[v[i]].userrefs > 0)
				release_one(h, &snaps->v[v[i]]);
		free(v);
	}
	int st = zfs_rollback(h, target->name, destroy_newer, e);
	if (st == 0 && target->userrefs >= 0) {
		struct zerr he = {0};
		zfs_hold(h, cfg.tag, target->name, &he); /* "tag already exists" is fine */
		zerr_clear(&he);
	}
	return st;
}

void hold_release_victims(const struct host *h, struct zsnaps *snaps, const size_t *v, size_t nv)
{
	for (size_t i = 0; i < nv; i++)
		if (snaps->v[v[i]].userrefs > 0)
			release_one(h, &snaps->v[v[i]]);
}
