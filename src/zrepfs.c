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

int fsinfo_read(const struct host *h, const char *ds, struct fsinfo *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->fs = xstrdup(ds);
	char *props = xasprintf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,type,mounted,readonly", P.master, P.src_fs,
	                        P.src_host, P.dest_fs, P.dest_host, P.savecount, P.lock_pid, P.lock_owner,
	                        P.lock_time, P.last_error);
	char *dsv[] = {(char *)ds, NULL};
	struct zprops rows;
	struct zerr e = {0};
	int st = zfs_get(h, props, NULL, -1, dsv, &rows, &e);
	free(props);
	if (st != 0) {
		if (e.kind == ZE_NOENT)
			error("no such dataset: %s%s%s", h->local ? "" : h->name, h->local ? "" : ":", ds);
		else
			error("cannot read properties of %s: %s", ds, zerr_text(&e));
		zerr_clear(&e);
		fsinfo_free(fi);
		return -1;
	}
	const struct zprop *p;
	if ((p = zprops_find(&rows, ds, P.master)) && p->src == ZSRC_LOCAL)
		fi->master = xstrdup(p->value);
	fi->src_fs = set_if(zprops_find(&rows, ds, P.src_fs));
	fi->src_host = set_if(zprops_find(&rows, ds, P.src_host));
	fi->dest_host = set_if(zprops_find(&rows, ds, P.dest_host));
	fi->savecount = set_if(zprops_find(&rows, ds, P.savecount));
	if ((p = zprops_find(&rows, ds, P.dest_fs))) {
		fi->dest_fs = set_if(p);
		fi->dest_fs_src = p->src;
		if (p->inherited_from)
			fi->dest_fs_inherited_from = xstrdup(p->inherited_from);
	}
	const char *lockp[] = {P.lock_pid, P.lock_owner, P.lock_time};
	char **lockv[] = {&fi->lock_pid, &fi->lock_owner, &fi->lock_time};
	for (size_t i = 0; i < ARRAY_SIZE(lockp); i++)
		if ((p = zprops_find(&rows, ds, lockp[i])) && p->src == ZSRC_LOCAL)
			*lockv[i] = xstrdup(p->value);
	fi->type = set_if(zprops_find(&rows, ds, "type"));
	fi->mounted = set_if(zprops_find(&rows, ds, "mounted"));
	if ((p = zprops_find(&rows, ds, "readonly"))) {
		fi->readonly = xstrdup(p->value);
		fi->readonly_src = p->src;
	}
	if ((p = zprops_find(&rows, ds, P.last_error)) && p->src == ZSRC_LOCAL)
		fi->last_error = xstrdup(p->value);
	zprops_free(&rows);
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
