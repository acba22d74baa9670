/*
 * snaps: see snaps.h. Pure code. Lookups that could be quadratic on a
 * filesystem with many snapshots (grouping rows by name, matching guids
 * and names against another host's list) sort once and search.
 */
#include "snaps.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

char *zsnaps_props(const char *tag, const char *extra)
{
	if (extra)
		return xasprintf("%s:sent,guid,creation,%s", tag, extra);
	return xasprintf("%s:sent,guid,creation", tag);
}

static int snap_order(const void *a, const void *b)
{
	const struct zsnap *x = a, *y = b;
	if (x->is_zrep != y->is_zrep)
		return x->is_zrep - y->is_zrep;
	if (x->is_zrep) {
		int c = snapname_cmp(&x->sn, &y->sn);
		if (c)
			return c;
	} else if (x->creation != y->creation) {
		return x->creation < y->creation ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

/* Row pointers sorted by dataset name, rows of one name in input order. */
static int row_order(const void *a, const void *b)
{
	const struct zprop *x = *(const struct zprop *const *)a, *y = *(const struct zprop *const *)b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x < y ? -1 : x > y;
}

void zsnaps_parse(const struct zprops *rows, const char *fs, const char *tag, struct zsnaps *out)
{
	size_t fl = strlen(fs);
	char *sentprop = xasprintf("%s:sent", tag);
	out->v = NULL;
	out->n = 0;
	zbms_parse(rows, fs, tag, &out->bms);
	const struct zprop **mine = xmalloc((rows->n + 1) * sizeof(*mine));
	size_t nm = 0;
	for (size_t i = 0; i < rows->n; i++) {
		const struct zprop *r = &rows->v[i];
		if (strncmp(r->name, fs, fl) == 0 && r->name[fl] == '@')
			mine[nm++] = r;
	}
	if (nm > 1)
		qsort(mine, nm, sizeof(*mine), row_order);
	if (nm > 0)
		out->v = xmalloc(nm * sizeof(*out->v));
	struct zsnap *s = NULL;
	for (size_t i = 0; i < nm; i++) {
		const struct zprop *r = mine[i];
		if (!s || strcmp(s->name, r->name) != 0) {
			s = &out->v[out->n++];
			memset(s, 0, sizeof(*s));
			s->userrefs = -1;
			s->name = xstrdup(r->name);
			s->is_zrep = snapname_parse(s->name + fl + 1, tag, &s->sn) == 0;
		}
		/* A property listed twice: the later row wins. */
		if (strcmp(r->prop, sentprop) == 0) {
			if (r->src == ZSRC_LOCAL) {
				free(s->sent);
				s->sent = xstrdup(r->value);
			}
		} else if (strcmp(r->prop, "guid") == 0) {
			free(s->guid);
			s->guid = xstrdup(r->value);
		} else if (strcmp(r->prop, "creation") == 0) {
			long long c;
			if (parse_ll(r->value, &c) == 0)
				s->creation = c;
		} else if (strcmp(r->prop, "userrefs") == 0) {
			long long c;
			if (parse_ll(r->value, &c) == 0)
				s->userrefs = c;
		}
	}
	free(mine);
	free(sentprop);
	if (out->n > 1) /* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(out->v, out->n, sizeof(*out->v), snap_order);
	/* qsort moved the entries: set the snap pointers afterwards. */
	for (size_t k = 0; k < out->n; k++)
		out->v[k].snap = out->v[k].name + fl + 1;
}

void zsnaps_free(struct zsnaps *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].sent);
		free(s->v[i].guid);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
	zbms_free(&s->bms);
}

const struct zsnap *zsnaps_last_sent(const struct zsnaps *s)
{
	const struct zsnap *best = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].is_zrep && s->v[i].sent && !s->v[i].sn.unsent)
			best = &s->v[i];
	return best;
}

const struct zsnap *zsnaps_newest(const struct zsnaps *s, int skip_unsent)
{
	const struct zsnap *best = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].is_zrep && !(skip_unsent && s->v[i].sn.unsent))
			best = &s->v[i];
	return best;
}

const struct zsnap *zsnaps_find(const struct zsnaps *s, const char *snap)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].snap, snap) == 0)
			return &s->v[i];
	return NULL;
}

void zsnaps_add(struct zsnaps *s, const char *full, const char *tag)
{
	const char *at = strchr(full, '@');
	if (!at)
		return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	struct zsnap *z = &s->v[s->n++];
	memset(z, 0, sizeof(*z));
	z->userrefs = -1;
	z->name = xstrdup(full);
	z->snap = z->name + (at - full) + 1;
	z->is_zrep = snapname_parse(z->snap, tag, &z->sn) == 0;
	/* xrealloc may have moved the array: the snap pointers point into the
	 * names, which did not move. A zrep snapshot made now is the newest. */
}

void zsnaps_mark_sent(struct zsnaps *s, const char *full)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, full) == 0 && !s->v[i].sent)
			s->v[i].sent = xstrdup("1");
}

void zsnaps_remove(struct zsnaps *s, const char *full)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, full) == 0) {
			free(s->v[i].name);
			free(s->v[i].sent);
			free(s->v[i].guid);
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
			s->n--;
			return;
		}
}

const struct zsnap *zsnaps_same(const struct zsnaps *b, const struct zsnap *s)
{
	if (!s || !s->guid)
		return NULL;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].guid && strcmp(b->v[i].guid, s->guid) == 0)
			return &b->v[i];
	return NULL;
}

/* A (name, guid) pair, sorted for bsearch; name NULL means "any name". */
struct key {
	const char *name;
	const char *guid;
};

static int key_order(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->guid, y->guid);
	if (c || !x->name || !y->name)
		return c;
	return strcmp(x->name, y->name);
}

static int key_find(const struct key *keys, size_t n, const char *name, const char *guid)
{
	struct key k = {name, guid};
	return n > 0 && bsearch(&k, keys, n, sizeof(*keys), key_order) != NULL;
}

static void key_sort(struct key *keys, size_t n)
{
	if (n > 1)
		qsort(keys, n, sizeof(*keys), key_order);
}

const struct zsnap *zsnaps_common(const struct zsnaps *a, const struct zsnaps *b)
{
	struct key *keys = xmalloc((b->n + 1) * sizeof(*keys));
	size_t nk = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].guid)
			keys[nk++] = (struct key){NULL, b->v[i].guid};
	key_sort(keys, nk);
	const struct zsnap *best = NULL;
	for (size_t i = a->n; i-- > 0 && !best;) {
		const struct zsnap *s = &a->v[i];
		/* a is sorted: the first match from the end is the newest. */
		if (s->is_zrep && !s->sn.unsent && s->guid && key_find(keys, nk, NULL, s->guid))
			best = s;
	}
	free(keys);
	return best;
}

const struct zsnap *zsnaps_common_base(const struct zsnaps *local, char *const *names, char *const *guids,
                                       size_t n, const char *exclude)
{
	struct key *keys = xmalloc((n + 1) * sizeof(*keys));
	size_t nk = 0;
	for (size_t i = 0; i < n; i++)
		if (strchr(names[i], '@') && guids[i])
			keys[nk++] = (struct key){NULL, guids[i]};
	key_sort(keys, nk);
	const struct zsnap *best = NULL;
	for (size_t i = local->n; i-- > 0 && !best;) {
		const struct zsnap *s = &local->v[i];
		if (!s->is_zrep || !s->guid || (exclude && strcmp(s->name, exclude) == 0))
			continue;
		if (key_find(keys, nk, NULL, s->guid))
			best = s;
	}
	free(keys);
	return best;
}

size_t rollback_victims(const struct zsnaps *s, const struct zsnap *target, size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct zsnap *x = &s->v[i];
		if (x == target || strcmp(x->name, target->name) == 0)
			continue;
		int newer;
		if (x->is_zrep && target->is_zrep)
			newer = snapname_cmp(&x->sn, &target->sn) > 0;
		else
			newer = x->creation >= target->creation;
		if (newer)
			out[n++] = i;
	}
	return n;
}

enum victim_kind zsnap_victim_kind(const struct zsnap *x, const struct zsnaps *other)
{
	if (!x->is_zrep)
		return VICTIM_FOREIGN;
	if (x->sn.unsent)
		return VICTIM_FAILED;
	if (other && zsnaps_same(other, x))
		return VICTIM_SHARED;
	return x->sent ? VICTIM_SENT : VICTIM_UNSENT;
}

char *snap_desc(const struct zsnap *s)
{
	if (!s)
		return xstrdup("none");
	return xasprintf("%s (guid %s)", s->name, s->guid ? s->guid : "unknown");
}
