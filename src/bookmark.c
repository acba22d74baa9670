/*
 * bookmark: see bookmark.h.
 */
#include "bookmark.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "msg.h"
#include "snaps.h"
#include "util.h"
#include "zfs.h"
#include "zrepfs.h"

static int bm_order(const void *a, const void *b)
{
	const struct zbm *x = a, *y = b;
	if (x->is_zrep != y->is_zrep)
		return x->is_zrep - y->is_zrep;
	if (x->is_zrep) {
		int c = snapname_cmp(&x->sn, &y->sn);
		if (c)
			return c;
	}
	return strcmp(x->name, y->name);
}

void zbms_parse(const struct zprops *rows, const char *fs, const char *tag, struct zbms *out)
{
	size_t fl = strlen(fs);
	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; i < rows->n; i++) {
		const struct zprop *r = &rows->v[i];
		if (strncmp(r->name, fs, fl) != 0 || r->name[fl] != '#' || !r->name[fl + 1])
			continue;
		/* zfs prints a dataset's rows together (zfs_rows_check refuses a name in two groups):
		 * comparing with the last one keeps this linear. */
		struct zbm *b =
		    out->n && strcmp(out->v[out->n - 1].name, r->name) == 0 ? &out->v[out->n - 1] : NULL;
		if (!b) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			b = &out->v[out->n++];
			memset(b, 0, sizeof(*b));
			b->name = xstrdup(r->name);
			b->is_zrep = snapname_parse(b->name + fl + 1, tag, &b->sn) == 0;
		}
		if (strcmp(r->prop, "guid") == 0 && r->value && strcmp(r->value, "-") != 0) {
			free(b->guid);
			b->guid = xstrdup(r->value);
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), bm_order);
	for (size_t i = 0; i < out->n; i++)
		out->v[i].bm = strchr(out->v[i].name, '#') + 1;
}

void zbms_free(struct zbms *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].guid);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

const struct zbm *zbms_find(const struct zbms *b, const char *bm)
{
	for (size_t i = 0; b && i < b->n; i++)
		if (strcmp(b->v[i].bm, bm) == 0)
			return &b->v[i];
	return NULL;
}

const struct zbm *zbms_newest(const struct zbms *b)
{
	for (size_t i = b ? b->n : 0; i-- > 0;)
		if (b->v[i].is_zrep)
			return &b->v[i];
	return NULL;
}

const struct zbm *bookmark_base(const struct zbms *local, char *const *names, char *const *guids, size_t n,
                                const struct snapname *than, const char *than_guid, const char *exclude)
{
	for (size_t i = local ? local->n : 0; i-- > 0;) {
		const struct zbm *b = &local->v[i];
		if (!b->is_zrep || !b->guid || (exclude && strcmp(b->bm, exclude) == 0))
			continue;
		/* Newest first: the first one not newer than the snapshot base ends the search. */
		if (than && snapname_cmp(&b->sn, than) <= 0)
			return NULL;
		if (than_guid && strcmp(b->guid, than_guid) == 0)
			return NULL;
		for (size_t k = 0; k < n; k++)
			if (names[k] && strchr(names[k], '@') && guids[k] && strcmp(guids[k], b->guid) == 0)
				return b;
	}
	return NULL;
}

char *bookmark_name_of(const char *snap)
{
	const char *at = snap ? strchr(snap, '@') : NULL;
	if (!at || !at[1])
		return NULL;
	return xasprintf("%.*s#%s", (int)(at - snap), snap, at + 1);
}

int bookmarks_enabled(const struct zsnaps *snaps)
{
	if (cfg.recursive)
		return 0;
	/* Bookmarks listed: this zfs has them, no probe needed. */
	if (snaps && snaps->bms.n > 0)
		return 1;
	return zfs_features(&local_host)->bookmarks;
}

static int destroy_one(const char *name)
{
	struct zerr e = {0};
	int st = zfs_destroy(&local_host, name, 0, &e);
	if (st != 0)
		warn("cannot destroy bookmark %s: %s", name, zerr_text(&e));
	else
		debug("destroyed bookmark %s", name);
	zerr_clear(&e);
	return st == 0 ? 0 : -1;
}

void bookmark_before_send(const struct zsnaps *snaps, const char *snap)
{
	if (!bookmarks_enabled(snaps))
		return;
	char *bm = bookmark_name_of(snap);
	if (!bm)
		return;
	const struct zsnap *s = zsnaps_find(snaps, strchr(snap, '@') + 1);
	const struct zbm *old = zbms_find(&snaps->bms, strchr(bm, '#') + 1);
	if (old && s && s->guid && old->guid && strcmp(old->guid, s->guid) == 0) {
		free(bm); /* an earlier try of this very snapshot made it */
		return;
	}
	if (old && old->is_zrep)
		destroy_one(old->name);
	struct zerr e = {0};
	if (zfs_bookmark(&local_host, snap, bm, &e) != 0)
		warn("cannot bookmark %s as %s: %s", snap, bm, zerr_text(&e));
	else
		debug("bookmarked %s as %s", snap, bm);
	zerr_clear(&e);
	free(bm);
}

void bookmark_after_sent(const struct zsnaps *snaps, const char *snap)
{
	if (snaps->bms.n == 0 || !bookmarks_enabled(snaps))
		return;
	const char *at = strchr(snap, '@');
	for (size_t i = 0; i < snaps->bms.n; i++) {
		const struct zbm *b = &snaps->bms.v[i];
		if (b->is_zrep && !(at && strcmp(b->bm, at + 1) == 0))
			destroy_one(b->name);
	}
}

int bookmark_destroy_all(const struct zbms *have)
{
	int rc = 0;
	for (size_t i = 0; have && i < have->n; i++) {
		if (!have->v[i].is_zrep)
			continue;
		note("destroying bookmark %s", have->v[i].name);
		if (destroy_one(have->v[i].name) < 0)
			rc = -1;
	}
	return rc;
}

const char *bookmark_pick(const struct zsnaps *snaps, char *const *names, char *const *guids, size_t n,
                          const struct zsnap *best, const char *snap)
{
	if (!snaps || snaps->bms.n == 0 || cfg.recursive)
		return NULL;
	const char *at = snap ? strchr(snap, '@') : NULL;
	const struct zbm *b = bookmark_base(&snaps->bms, names, guids, n, best ? &best->sn : NULL,
	                                    best ? best->guid : NULL, at ? at + 1 : NULL);
	if (!b)
		return NULL;
	note("%.*s@%s is gone here; sending incrementally from its bookmark %s", (int)(b->bm - 1 - b->name),
	     b->name, b->bm, b->name);
	return b->name;
}
