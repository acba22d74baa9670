/*
 * role: see role.h. Every zfs operation goes through zfs.h; messages name
 * the host and dataset they are about.
 */
#include "role.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "msg.h"
#include "props.h"

int peer_read(const struct host *h, const char *fs, struct peer *p)
{
	memset(p, 0, sizeof(*p));
	char *props = zsnaps_props(cfg.tag, P.master);
	char *dsv[] = {(char *)fs, NULL};
	struct zprops rows;
	int st = zfs_get(h, props, NULL, 1, dsv, &rows, &p->err);
	free(props);
	if (st != 0) {
		if (p->err.kind == ZE_NOENT)
			p->reached = 1;
		else if (p->err.kind != ZE_UNREACHABLE && st != SSH_FAILURE && st >= 0)
			p->reached = 1;
		return -1;
	}
	p->reached = p->exists = 1;
	const struct zprop *m = zprops_find(&rows, fs, P.master);
	if (m && m->src == ZSRC_LOCAL)
		p->master = xstrdup(m->value);
	zsnaps_parse(&rows, fs, cfg.tag, &p->snaps);
	zprops_free(&rows);
	return 0;
}

void peer_free(struct peer *p)
{
	free(p->master);
	zsnaps_free(&p->snaps);
	zerr_clear(&p->err);
	memset(p, 0, sizeof(*p));
}

int peer_is_master(const struct peer *p)
{
	return str_eq(p->master, "yes");
}

void role_props_from(const struct fsinfo *fi, struct role_props *rp)
{
	rp->src_fs = fi->src_fs;
	rp->src_host = fi->src_host;
	rp->dest_fs = fi->dest_fs;
	rp->dest_host = fi->dest_host;
	rp->master = fsinfo_is_master(fi);
}

int role_apply(const char *fs, const struct role_op *ops, size_t n, const char *step)
{
	struct zerr e = {0};
	for (size_t i = 0; i < n; i++) {
		int st;
		if (ops[i].value) {
			debug("%s: %s=%s", fs, ops[i].prop, ops[i].value);
			st = zfs_set(&local_host, fs, ops[i].prop, ops[i].value, &e);
		} else {
			debug("%s: inherit %s", fs, ops[i].prop);
			st = zfs_inherit(&local_host, ops[i].prop, fs, &e);
		}
		if (st != 0) {
			if (ops[i].value)
				error("cannot set %s=%s on %s: %s", ops[i].prop, ops[i].value, fs,
				      zerr_text(&e));
			else
				error("cannot remove %s from %s: %s", ops[i].prop, fs, zerr_text(&e));
			zerr_clear(&e);
			return -1;
		}
		if (i == 0)
			crash_point(step);
	}
	zerr_clear(&e);
	return 0;
}

int make_writable(const struct fsinfo *fi)
{
	struct zerr e = {0};
	int rc = 0;
	if (str_eq(fi->readonly, "off") && fi->readonly_src != ZSRC_TEMPORARY)
		return 0;
	if (fi->readonly_src == ZSRC_LOCAL || fi->readonly_src == ZSRC_RECEIVED ||
	    fi->readonly_src == ZSRC_TEMPORARY) {
		if (zfs_inherit(&local_host, "readonly", fi->fs, &e) != 0) {
			rc = error("cannot make %s writable (zfs inherit readonly): %s", fi->fs,
			           zerr_text(&e));
			goto out;
		}
	}
	struct zprops rows;
	char *dsv[] = {(char *)fi->fs, NULL};
	if (zfs_get(&local_host, "readonly", NULL, -1, dsv, &rows, &e) != 0) {
		rc = error("cannot read readonly of %s: %s", fi->fs, zerr_text(&e));
		goto out;
	}
	const struct zprop *p = zprops_find(&rows, fi->fs, "readonly");
	/* zfs-fuse shows an effective readonly=on of a mounted dataset as
	 * "off, temporary": that counts as still read-only. */
	int still_ro = p && ro_frozen(p->value, p->src);
	zprops_free(&rows);
	if (still_ro) {
		/* A parent is read-only: override it on this dataset only. */
		if (zfs_set(&local_host, fi->fs, "readonly", "off", &e) != 0)
			rc = error("cannot set readonly=off on %s: %s", fi->fs, zerr_text(&e));
		else
			note("%s inherits readonly=on from a parent; set readonly=off on %s itself (the "
			     "parent is unchanged)",
			     fi->fs, fi->fs);
	}
out:
	zerr_clear(&e);
	return rc;
}

int ensure_mounted(const struct fsinfo *fi)
{
	if (!str_eq(fi->type, "filesystem") || !str_eq(fi->mounted, "no"))
		return 0;
	struct zerr e = {0};
	note("Mounting %s", fi->fs);
	int rc = 0;
	if (zfs_mount(&local_host, fi->fs, &e) != 0)
		rc = error("cannot mount %s: %s", fi->fs, zerr_text(&e));
	zerr_clear(&e);
	return rc;
}

int restore_readonly(const char *fs, const char *value, enum zsrc src)
{
	struct zerr e = {0};
	int rc = 0;
	switch (ro_restore_kind(value, src)) {
	case RO_INHERIT:
		if (zfs_inherit(&local_host, "readonly", fs, &e) != 0)
			rc = error("cannot restore readonly of %s (zfs inherit readonly): %s", fs,
			           zerr_text(&e));
		break;
	case RO_SET:
		if (zfs_set(&local_host, fs, "readonly", value, &e) != 0)
			rc = error("cannot restore readonly=%s on %s: %s", value, fs, zerr_text(&e));
		break;
	case RO_UNKNOWN:
		warn("the readonly setting %s had before could not be read (zfs showed it as %s); it stays "
		     "readonly=on: "
		     "`zfs inherit readonly %s` makes it writable",
		     fs, value ? value : "unset", fs);
		rc = 1;
		break;
	}
	zerr_clear(&e);
	return rc;
}

void victims_print(const char *host, const struct zsnaps *s, const size_t *v, size_t n,
                   const struct zsnaps *other, int on_dest)
{
	for (size_t i = 0; i < n; i++) {
		const struct zsnap *x = &s->v[v[i]];
		const char *what = "?";
		switch (zsnap_victim_kind(x, other)) {
		case VICTIM_FOREIGN:
			what = "not made by zrep";
			break;
		case VICTIM_FAILED:
			what = "a failed send";
			break;
		case VICTIM_SHARED:
			what = "also on the other side";
			break;
		case VICTIM_SENT:
			what = on_dest ? "received" : "sent";
			break;
		case VICTIM_UNSENT:
			what = on_dest ? "not marked sent" : "never sent";
			break;
		}
		note("  %s: destroying snapshot %s (%s)", host, x->name, what);
	}
}

void split_brain_report(const char *fs, const struct zsnaps *mine, const char *phost, const char *pfs,
                        const struct zsnaps *theirs)
{
	char *a = snap_desc(zsnaps_last_sent(mine));
	char *b = snap_desc(zsnaps_last_sent(theirs));
	char *c = snap_desc(zsnaps_common(mine, theirs));
	error("split brain: %s is master here (%s) and %s:%s is master too", fs, host_local_name(), phost,
	      pfs);
	error("  %s: last sent %s", host_local_name(), a);
	error("  %s: last sent %s", phost, b);
	error("  newest snapshot both hold: %s", c);
	error("nothing was changed. Decide which host keeps its data; on the other one run "
	      "`zrep failover -L <its filesystem>` (it rolls back to its last sent snapshot and stops being "
	      "master), "
	      "then sync from the one that keeps it");
	free(a);
	free(b);
	free(c);
}

char *zrep_command(char *const *words)
{
	struct strv sv = STRV_INIT;
	strv_push(&sv, "zrep");
	if (cfg.recursive)
		strv_push(&sv, "-R");
	if (strcmp(cfg.tag, "zrep") != 0) {
		strv_push(&sv, "-t");
		strv_push(&sv, cfg.tag);
	}
	strv_pushv(&sv, words);
	struct strbuf sb = STRBUF_INIT;
	sh_join(&sb, sv.v);
	strv_clear(&sv);
	return sb_detach(&sb);
}
