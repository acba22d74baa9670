/*
 * zrepfs: reading zrep's view of datasets. Everything here costs one zfs
 * command per call, whatever the number of properties.
 */
#include "zrepfs.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "exec.h"
#include "msg.h"
#include "props.h"

struct host local_host;

void zrepfs_init(void)
{
	host_init(&local_host, "localhost");
}

long long now_secs(void)
{
	return (long long)time(NULL);
}

int sleep_interruptible(int seconds)
{
	for (int i = 0; i < seconds; i++) {
		if (exec_interrupted())
			return -1;
		sleep(1);
	}
	return exec_interrupted() ? -1 : 0;
}

int check_dsname(const char *name, int allow_snap)
{
	if (!name || !*name)
		return error("missing dataset name");
	if (name[0] == '-')
		return error("refusing dataset name starting with '-': %s", name);
	if (name[0] == '/' || name[strlen(name) - 1] == '/')
		return error("invalid dataset name: %s", name);
	for (const char *s = name; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return error("invalid dataset name (control character): %s", name);
	const char *at = strchr(name, '@');
	if (at && !allow_snap)
		return error("expected a filesystem, not a snapshot: %s", name);
	if (at && (at == name || !at[1] || strchr(at + 1, '@')))
		return error("invalid snapshot name: %s", name);
	return 0;
}

static char *set_if(const struct zprop *p)
{
	if (!p)
		return NULL;
	if (p->src == ZSRC_NONE && strcmp(p->value, "-") == 0)
		return NULL;
	if (p->src == ZSRC_DEFAULT && strcmp(p->value, "-") == 0)
		return NULL;
	return xstrdup(p->value);
}

int zrepfs_list_snaps(const struct host *h, const char *fs, const char *tag, struct zsnaps *out,
                      struct zerr *err)
{
	/* userrefs (holds) where the zfs has them; a zfs without holds refuses the name. */
	char *props = zsnaps_props(tag, "userrefs");
	char *dsv[] = {(char *)fs, NULL};
	struct zprops rows;
	memset(out, 0, sizeof(*out));
	/* -t snapshot is not understood by every zfs get; zsnaps_parse filters by name instead. */
	int st = zfs_get(h, props, NULL, 1, dsv, &rows, err);
	free(props);
	if (st != 0 && err && err->kind == ZE_NOTSUP) {
		zerr_clear(err);
		props = zsnaps_props(tag, NULL);
		st = zfs_get(h, props, NULL, 1, dsv, &rows, err);
		free(props);
	}
	if (st != 0)
		return st;
	zsnaps_parse(&rows, fs, tag, out);
	zprops_free(&rows);
	return 0;
}

int zrepfs_snaps(const struct host *h, const char *fs, struct zsnaps *out)
{
	struct zerr e = {0};
	if (zrepfs_list_snaps(h, fs, cfg.tag, out, &e) == 0)
		return 0;
	if (e.kind == ZE_NOENT)
		error("no such dataset: %s%s%s", h->local ? "" : h->name, h->local ? "" : ":", fs);
	else
		error("cannot list the snapshots of %s%s%s: %s", h->local ? "" : h->name, h->local ? "" : ":",
		      fs, zerr_text(&e));
	zerr_clear(&e);
	return -1;
}

static char *fsinfo_props(void)
{
	return xasprintf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,type,mounted,readonly", P.master, P.src_fs,
	                 P.src_host, P.dest_fs, P.dest_host, P.savecount, P.lock_pid, P.lock_owner,
	                 P.lock_time, P.last_error);
}

/* Fills fi for ds from rows (rows of other datasets are ignored). Returns 0, or -1 (said why). */
static int fsinfo_from_rows(const struct zprops *all, const char *ds, struct fsinfo *fi)
{
	/* zfs prints a dataset's rows together: look only there (many filesystems read ahead). */
	struct zprops view = *all;
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->v[i].name, ds) == 0) {
			size_t k = i;
			while (k < all->n && strcmp(all->v[k].name, ds) == 0)
				k++;
			view.v = all->v + i;
			view.n = k - i;
			break;
		}
	const struct zprops *rows = &view;
	memset(fi, 0, sizeof(*fi));
	fi->fs = xstrdup(ds);
	const struct zprop *p;
	if ((p = zprops_find(rows, ds, P.master)) && p->src == ZSRC_LOCAL)
		fi->master = xstrdup(p->value);
	fi->src_fs = set_if(zprops_find(rows, ds, P.src_fs));
	fi->src_host = set_if(zprops_find(rows, ds, P.src_host));
	fi->dest_host = set_if(zprops_find(rows, ds, P.dest_host));
	fi->savecount = set_if(zprops_find(rows, ds, P.savecount));
	if ((p = zprops_find(rows, ds, P.dest_fs))) {
		fi->dest_fs = set_if(p);
		fi->dest_fs_src = p->src;
		if (p->inherited_from)
			fi->dest_fs_inherited_from = xstrdup(p->inherited_from);
	}
	const char *lockp[] = {P.lock_pid, P.lock_owner, P.lock_time};
	char **lockv[] = {&fi->lock_pid, &fi->lock_owner, &fi->lock_time};
	for (size_t i = 0; i < ARRAY_SIZE(lockp); i++)
		if ((p = zprops_find(rows, ds, lockp[i])) && p->src == ZSRC_LOCAL)
			*lockv[i] = xstrdup(p->value);
	fi->type = set_if(zprops_find(rows, ds, "type"));
	fi->mounted = set_if(zprops_find(rows, ds, "mounted"));
	if ((p = zprops_find(rows, ds, "readonly"))) {
		fi->readonly = xstrdup(p->value);
		fi->readonly_src = p->src;
	}
	if ((p = zprops_find(rows, ds, P.last_error)) && p->src == ZSRC_LOCAL)
		fi->last_error = xstrdup(p->value);
	if ((p = zprops_find(rows, ds, "written")))
		fi->written = set_if(p);
	/* zrep's own settings: a control character in one is never acted on. */
	const char *names[] = {P.master, P.src_fs, P.src_host, P.dest_fs, P.dest_host, P.savecount};
	const char *vals[] = {fi->master,  fi->src_fs,    fi->src_host,
	                      fi->dest_fs, fi->dest_host, fi->savecount};
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		if (has_control_char(vals[i])) {
			error("%s of %s holds a control character; refusing it (set it again with zrep "
			      "changeconfig, "
			      "or zfs inherit it)",
			      names[i], ds);
			fsinfo_free(fi);
			return -1;
		}
	return 0;
}

static void read_error(const struct host *h, const char *ds, struct zerr *e)
{
	if (e->kind == ZE_NOENT)
		error("no such dataset: %s%s%s", h->local ? "" : h->name, h->local ? "" : ":", ds);
	else
		error("cannot read properties of %s: %s", ds, zerr_text(e));
	zerr_clear(e);
}

int fsinfo_read(const struct host *h, const char *ds, struct fsinfo *fi)
{
	char *props = fsinfo_props();
	char *dsv[] = {(char *)ds, NULL};
	struct zprops rows;
	struct zerr e = {0};
	int st = zfs_get(h, props, NULL, -1, dsv, &rows, &e);
	free(props);
	if (st != 0) {
		memset(fi, 0, sizeof(*fi));
		read_error(h, ds, &e);
		return -1;
	}
	int rc = fsinfo_from_rows(&rows, ds, fi);
	zprops_free(&rows);
	return rc;
}

/* Rows read ahead for several filesystems at once (sync all): one zfs get of their settings and
 * snapshots, taken under their locks. */
static struct zprops ahead;
static struct strv ahead_fs;
static int *ahead_used; /* fsview_read used it (a second read goes to zfs) */

/* The one listing of fs and its snapshots: settings, then the snapshot columns, userrefs (native)
 * last; written where the zfs has it. */
static char *view_props(const struct host *h, int holds, int written)
{
	char *fp = fsinfo_props();
	char *sp = zsnaps_props(cfg.tag, holds ? "userrefs" : NULL);
	char *all = xasprintf("%s,%s%s", fp, sp, written && zfs_features(h)->written ? ",written" : "");
	free(fp);
	free(sp);
	return all;
}

static int view_get(const struct host *h, char *const *dsv, int written, struct zprops *rows, struct zerr *e)
{
	char *props = view_props(h, 1, written);
	int st = zfs_get(h, props, NULL, 1, dsv, rows, e);
	free(props);
	if (st != 0 && e->kind == ZE_NOTSUP) {
		/* a zfs without holds refuses userrefs */
		zerr_clear(e);
		props = view_props(h, 0, written);
		st = zfs_get(h, props, NULL, 1, dsv, rows, e);
		free(props);
	}
	return st;
}

int fsview_prefetch(char *const *fss, size_t n, int written)
{
	if (n == 0)
		return 0;
	struct strv dsv = STRV_INIT;
	for (size_t i = 0; i < n; i++)
		strv_push(&dsv, fss[i]);
	struct zerr e = {0};
	int st = view_get(&local_host, dsv.v, written, &ahead, &e);
	if (st == 0) {
		strv_clear(&ahead_fs);
		strv_pushv(&ahead_fs, dsv.v);
		free(ahead_used);
		ahead_used = xmalloc((n + 1) * sizeof(*ahead_used));
		memset(ahead_used, 0, (n + 1) * sizeof(*ahead_used));
	} else {
		/* One missing (destroyed since the list) fails them all: each reads its own then. */
		debug("reading ahead failed (%s); each filesystem is read on its own", zerr_text(&e));
	}
	zerr_clear(&e);
	strv_clear(&dsv);
	return st == 0 ? 0 : -1;
}

int fsview_peek(const char *ds, struct fsinfo *fi)
{
	for (size_t i = 0; i < ahead_fs.n; i++)
		if (strcmp(ahead_fs.v[i], ds) == 0)
			return fsinfo_from_rows(&ahead, ds, fi);
	return -1;
}

int fsview_is_ahead(const char *ds)
{
	for (size_t i = 0; i < ahead_fs.n; i++)
		if (strcmp(ahead_fs.v[i], ds) == 0)
			return 1;
	return 0;
}

int fsview_peek_snaps(const char *ds, struct zsnaps *snaps)
{
	for (size_t i = 0; i < ahead_fs.n; i++)
		if (strcmp(ahead_fs.v[i], ds) == 0) {
			zsnaps_parse(&ahead, ds, cfg.tag, snaps);
			return 0;
		}
	memset(snaps, 0, sizeof(*snaps));
	return -1;
}

int fsview_unchanged(const char *ds)
{
	struct fsinfo fi;
	if (fsview_peek(ds, &fi) < 0)
		return 0;
	struct zsnaps s;
	zsnaps_parse(&ahead, ds, cfg.tag, &s);
	const struct zsnap *nw = zsnaps_newest(&s, 0), *ls = zsnaps_last_sent(&s);
	int same = fi.written && strcmp(fi.written, "0") == 0 && nw && ls && strcmp(nw->name, ls->name) == 0;
	zsnaps_free(&s);
	fsinfo_free(&fi);
	return same;
}

int fsview_read(const char *ds, int written, struct fsinfo *fi, struct zsnaps *snaps)
{
	for (size_t i = 0; i < ahead_fs.n; i++)
		if (!ahead_used[i] && strcmp(ahead_fs.v[i], ds) == 0) {
			ahead_used[i] = 1; /* used once: a second read goes to zfs */
			if (fsinfo_from_rows(&ahead, ds, fi) < 0)
				return -1;
			zsnaps_parse(&ahead, ds, cfg.tag, snaps);
			return 0;
		}
	char *dsv[] = {(char *)ds, NULL};
	struct zprops rows;
	struct zerr e = {0};
	if (view_get(&local_host, dsv, written, &rows, &e) != 0) {
		memset(fi, 0, sizeof(*fi));
		memset(snaps, 0, sizeof(*snaps));
		read_error(&local_host, ds, &e);
		return -1;
	}
	int rc = fsinfo_from_rows(&rows, ds, fi);
	if (rc == 0)
		zsnaps_parse(&rows, ds, cfg.tag, snaps);
	else
		memset(snaps, 0, sizeof(*snaps));
	zprops_free(&rows);
	return rc;
}

int fsinfo_read_configured(const char *ds, struct fsinfo *fi)
{
	if (fsinfo_read(&local_host, ds, fi) < 0)
		return -1;
	if (fsinfo_is_configured(fi))
		return 0;
	fsinfo_free(fi);
	return error("%s is not a zrep filesystem", ds);
}

void fsinfo_free(struct fsinfo *fi)
{
	free(fi->fs);
	free(fi->master);
	free(fi->src_fs);
	free(fi->src_host);
	free(fi->dest_fs);
	free(fi->dest_host);
	free(fi->savecount);
	free(fi->dest_fs_inherited_from);
	free(fi->type);
	free(fi->mounted);
	free(fi->readonly);
	free(fi->lock_pid);
	free(fi->lock_owner);
	free(fi->lock_time);
	free(fi->last_error);
	free(fi->written);
	memset(fi, 0, sizeof(*fi));
}

int fsinfo_is_master(const struct fsinfo *fi)
{
	return str_eq(fi->master, "yes");
}

int fsinfo_is_configured(const struct fsinfo *fi)
{
	return fi->dest_fs != NULL;
}

int fsinfo_savecount(const struct fsinfo *fi, long *out)
{
	long long v;
	if (!fi->savecount || parse_ll(fi->savecount, &v) < 0 || v < 1 || v > 1000000)
		return error("%s on %s has an invalid value: %s (expected a whole number >= 1)", P.savecount,
		             fi->fs, fi->savecount ? fi->savecount : "(unset)");
	*out = (long)v;
	return 0;
}

int zrepfs_list(struct strv *out, int masters_only)
{
	char *props = xasprintf("%s,%s,%s", P.dest_fs, P.master, P.src_host);
	struct zprops rows;
	struct zerr e = {0};
	/* Own properties only: keeps snapshots (which only inherit) out. */
	int st = zfs_get_own_props(&local_host, props, NULL, &rows, &e);
	free(props);
	if (st != 0) {
		/* No pools at all is not an error: there is nothing to list. */
		if (e.msg && strstr(e.msg, "no datasets available")) {
			zerr_clear(&e);
			return 0;
		}
		error("cannot list zrep filesystems: %s", zerr_text(&e));
		zerr_clear(&e);
		return -1;
	}
	for (size_t i = 0; i < rows.n; i++) {
		const struct zprop *r = &rows.v[i];
		if (strchr(r->name, '@'))
			continue;
		int dup = 0;
		for (size_t k = 0; k < out->n; k++)
			if (strcmp(out->v[k], r->name) == 0)
				dup = 1;
		if (dup)
			continue;
		if (masters_only) {
			if (strcmp(r->prop, P.master) != 0 || r->src != ZSRC_LOCAL)
				continue;
			const struct zprop *sh = zprops_find(&rows, r->name, P.src_host);
			if (!sh || strcmp(sh->value, host_local_name()) != 0)
				continue;
		} else if (strcmp(r->prop, P.dest_fs) != 0) {
			continue;
		}
		strv_push(out, r->name);
	}
	zprops_free(&rows);
	return 0;
}
