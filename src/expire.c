/*
 * expire: see expire.h. Destroy failures are reported and counted, never
 * ignored; a held snapshot stays.
 */
#include "expire.h"

#include <stdlib.h>

#include "config.h"
#include "msg.h"

long plan_expire(const struct zsnaps *s, int is_master, long savecount, size_t *out)
{
	size_t cand[s->n ? s->n : 1];
	size_t nc = 0;
	long keep = savecount;
	if (is_master) {
		const struct zsnap *ls = zsnaps_last_sent(s);
		if (!ls)
			return -1;
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].is_zrep && snapname_cmp(&s->v[i].sn, &ls->sn) < 0)
				cand[nc++] = i;
		keep = savecount - 1;
	} else {
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].is_zrep)
				cand[nc++] = i;
	}
	if (keep < 0)
		keep = 0;
	long n = (long)nc - keep;
	long k = 0;
	/* The oldest beyond what is kept, but never a held one (it still counts as kept). */
	for (long i = 0; i < n; i++)
		if (s->v[cand[i]].userrefs <= 0)
			out[k++] = cand[i];
	return k;
}

/* A snapshot expiry could not destroy: a busy (held) one is kept with a warning, else an error. */
static void destroy_failed(const char *name, const struct zerr *e, void *ctx)
{
	if (e->kind == ZE_BUSY) {
		warn("cannot expire %s: %s (kept)", name, zerr_text(e));
	} else {
		error("cannot expire %s: %s", name, zerr_text(e));
		++*(int *)ctx;
	}
}

int expire_local_argv(const struct fsinfo *fi, const struct zsnaps *s, struct strv *argv, struct strv *names)
{
	long savecount;
	if (cfg.skip_expire || fsinfo_savecount(fi, &savecount) < 0)
		return 0;
	size_t *idx = xmalloc((s->n + 1) * sizeof(size_t));
	long n = plan_expire(s, fsinfo_is_master(fi), savecount, idx);
	int one = n == 1 || (n > 1 && zfs_features(&local_host)->destroy_list);
	if (one) {
		for (long i = 0; i < n; i++)
			strv_push(names, s->v[idx[i]].name);
		zfs_argv_destroy_list(argv, names->v, names->n, cfg.recursive);
	}
	free(idx);
	return one;
}

int expire_local(const struct fsinfo *fi, const struct zsnaps *given)
{
	if (cfg.skip_expire) {
		debug("ZREP_SKIP_EXPIRE set: not expiring %s", fi->fs);
		return 0;
	}
	long savecount;
	if (fsinfo_savecount(fi, &savecount) < 0)
		return -1;
	struct zsnaps own = {0};
	const struct zsnaps *s = given;
	struct zerr e = {0};
	if (!s) {
		if (zrepfs_snaps(&local_host, fi->fs, &own) < 0) {
			zerr_clear(&e);
			return -1;
		}
		s = &own;
	}
	size_t *idx = xmalloc((s->n + 1) * sizeof(size_t));
	long n = plan_expire(s, fsinfo_is_master(fi), savecount, idx);
	int rc = 0;
	if (n < 0) {
		rc = error("%s: no snapshot is marked sent; not expiring anything", fi->fs);
	} else if (n > 0) {
		char **names = xmalloc((size_t)n * sizeof(*names));
		for (long i = 0; i < n; i++) {
			names[i] = s->v[idx[i]].name;
			debug("expiring %s", names[i]);
		}
		int hard = 0;
		zfs_destroy_snaps(&local_host, names, (size_t)n, cfg.recursive, destroy_failed, &hard);
		if (hard)
			rc = -1;
		free(names);
	}
	zerr_clear(&e);
	free(idx);
	zsnaps_free(&own);
	return rc;
}
