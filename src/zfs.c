/*
 * zfs: argv builders and runners for zfs, and per-host feature detection.
 * Nothing outside this file (and zfs_parse.c) spells a zfs flag or a
 * property source list.
 */
#include "zfs.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "exec_pump.h"
#include "featcache.h"
#include "msg.h"
#include "remote.h"

/* ---- features ---------------------------------------------------------- */

struct feat_cache {
	char *host;
	struct zfs_features f;
};
static struct feat_cache feats[16];

void zfs_features_set(const char *hostname, const struct zfs_features *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(feats); i++) {
		if (!feats[i].host || strcmp(feats[i].host, hostname) == 0) {
			if (!feats[i].host)
				feats[i].host = xstrdup(hostname);
			feats[i].f = *f;
			return;
		}
	}
}

const struct zfs_features *zfs_features_peek(const struct host *h)
{
	const char *key = h->local ? "" : h->name;
	for (size_t i = 0; i < ARRAY_SIZE(feats); i++)
		if (feats[i].host && strcmp(feats[i].host, key) == 0)
			return &feats[i].f;
	struct zfs_features f;
	if (featcache_load(key, &f) != 0)
		return NULL;
	zfs_features_set(key, &f);
	return zfs_features_peek(h);
}

void zfs_features_learned(const struct host *h, const char *usage)
{
	struct zfs_features f;
	zfs_parse_usage(usage, &f);
	const char *key = h->local ? "" : h->name;
	if (strstr(usage, "usage"))
		featcache_store(key, &f);
	zfs_features_set(key, &f);
}

const struct zfs_features *zfs_features(const struct host *h)
{
	const struct zfs_features *known = zfs_features_peek(h);
	if (known)
		return known;
	const char *key = h->local ? "" : h->name;
	struct zfs_features f;
	/* `zfs` alone prints its usage (status 2); stdout and stderr both count. */
	struct remote_call c;
	remote_features_call(&c);
	struct remote_reply r;
	remote_run(h, &c, EXEC_CAPTURE, &r);
	remote_call_free(&c);
	zfs_parse_usage(sb_str(&r.out), &f);
	debug("zfs features on %s: recv-u=%d recv-o=%d resume=%d bookmarks=%d holds=%d", h->name, f.recv_u,
	      f.recv_o, f.recv_s, f.bookmarks, f.holds);
	/* Only an answer that was a usage text is remembered. */
	if (r.status != SSH_FAILURE && strstr(sb_str(&r.out), "usage"))
		featcache_store(key, &f);
	remote_reply_free(&r);
	zfs_features_set(key, &f);
	return zfs_features(h);
}

/* ---- runners ----------------------------------------------------------- */

/* Says that `zfs VERB` on h was ended for its time limit, when it was. */
static void zfs_timed_out(const struct host *h, const char *verb, const struct proc *p)
{
	if (p->timed_out)
		error("zfs %s on %s took more than ZREP_TIMEOUT=%d seconds; ended", verb, h->name,
		      cfg.timeout);
}

/* Runs `zfs ARGS` on h, bounded by ZREP_TIMEOUT (said when it ends one); p is initialised here. */
static int zfs_run(const struct host *h, char *const *args, struct proc *p)
{
	struct strv sv = STRV_INIT;
	strv_push(&sv, "zfs");
	strv_pushv(&sv, args);
	proc_init(p, NULL);
	p->timeout = cfg.timeout;
	int st = remote_exec(h, sv.v, p);
	zfs_timed_out(h, args[0], p);
	strv_clear(&sv);
	return st;
}

/* How `zfs VERB ...` ended, in err (and in the debug output when it failed). */
static void zfs_ended(const struct host *h, const char *verb, const struct proc *p, struct zerr *err)
{
	zerr_set(err, p->status, sb_str(&p->err_buf), !h->local);
	if (err && p->timed_out)
		err->kind = ZE_TIMEOUT;
	if (p->status != 0)
		debug("zfs %s failed on %s: %s", verb, h->name, sb_str(&p->err_buf));
}

int zfs_exec(const struct host *h, char *const *args, struct strbuf *out, struct zerr *err)
{
	struct proc p;
	int st = zfs_run(h, args, &p);
	if (out)
		sb_add(out, p.out_buf.buf ? p.out_buf.buf : "", p.out_buf.len);
	zfs_ended(h, args[0], &p, err);
	proc_release(&p);
	return st;
}

int zfs_exec_together(const struct host *h, char *const *const *cmds, size_t n, struct zerr *errs)
{
	struct proc *ps = xmalloc((n ? n : 1) * sizeof(*ps));
	struct strv *sv = xmalloc((n ? n : 1) * sizeof(*sv));
	char ***argvs = xmalloc((n ? n : 1) * sizeof(*argvs));
	for (size_t i = 0; i < n; i++) {
		sv[i] = (struct strv)STRV_INIT;
		strv_push(&sv[i], "zfs");
		strv_pushv(&sv[i], cmds[i]);
		argvs[i] = sv[i].v;
		proc_init(&ps[i], NULL);
		ps[i].timeout = cfg.timeout;
	}
	int bad = remote_exec_together(h, (char *const *const *)argvs, ps, n);
	for (size_t i = 0; i < n; i++) {
		zfs_timed_out(h, cmds[i][0], &ps[i]);
		zfs_ended(h, cmds[i][0], &ps[i], &errs[i]);
		proc_release(&ps[i]);
		strv_clear(&sv[i]);
	}
	free(ps);
	free(sv);
	free(argvs);
	return bad;
}

void zfs_start_together(const struct host *h, char *const *const *cmds, size_t n, struct zfs_bg *bg)
{
	size_t k = n ? n : 1;
	*bg = (struct zfs_bg){.h = h, .n = n, .until = cfg.timeout ? mono_now() + cfg.timeout : 0};
	bg->ps = xmalloc(k * sizeof(*bg->ps));
	bg->words = xmalloc(k * sizeof(*bg->words));
	bg->full = xmalloc(k * sizeof(*bg->full));
	for (size_t i = 0; i < n; i++) {
		bg->words[i] = (struct strv)STRV_INIT;
		bg->full[i] = (struct strv)STRV_INIT;
		strv_push(&bg->words[i], "zfs");
		strv_pushv(&bg->words[i], cmds[i]);
		proc_init(&bg->ps[i], NULL);
		bg->ps[i].out = EXEC_NULL;
		bg->ps[i].err = EXEC_TMPFILE;
		if (remote_exec_start(h, bg->words[i].v, &bg->ps[i], &bg->full[i]) < 0)
			bg->ps[i].status = -1;
	}
}

int zfs_wait_together(struct zfs_bg *bg, struct zerr *errs)
{
	int bad = 0;
	for (size_t i = 0; i < bg->n; i++) {
		struct proc *p = &bg->ps[i];
		exec_wait_until(p, bg->until);
		const char *verb = bg->words[i].v[1];
		zfs_timed_out(bg->h, verb, p);
		zfs_ended(bg->h, verb, p, &errs[i]);
		bad += p->status != 0;
		p->argv = NULL;
		proc_release(p);
		strv_clear(&bg->words[i]);
		strv_clear(&bg->full[i]);
	}
	free(bg->ps);
	free(bg->words);
	free(bg->full);
	bg->n = 0;
	bg->ps = NULL;
	bg->words = bg->full = NULL;
	return bad;
}

/* The sentinel ending zfs_execv's words: a typed null pointer. */
#define ZEND ((const char *)NULL)
static int zfs_execv(const struct host *h, struct zerr *err, const char *a0, ...) __attribute__((sentinel));

#include <stdarg.h>
static int zfs_execv(const struct host *h, struct zerr *err, const char *a0, ...)
{
	struct strv sv = STRV_INIT;
	va_list ap;
	va_start(ap, a0);
	for (const char *a = a0; a; a = va_arg(ap, const char *))
		strv_push(&sv, a);
	va_end(ap);
	int st = zfs_exec(h, strv_argv(&sv), NULL, err);
	strv_clear(&sv);
	return st;
}

static void argv_get(struct strv *sv, int parsable, const char *props, const char *sources, int depth,
                     char *const *datasets)
{
	strv_push(sv, "get");
	strv_push(sv, parsable ? "-Hp" : "-H");
	strv_push(sv, "-o");
	strv_push(sv, "name,property,value,source");
	if (sources) {
		strv_push(sv, "-s");
		strv_push(sv, sources);
	}
	if (depth >= 0) {
		strv_push(sv, "-r");
		strv_push(sv, "-d");
		strv_pushf(sv, "%d", depth);
	}
	strv_push(sv, props);
	strv_pushv(sv, datasets);
}

void zfs_argv_get(struct strv *sv, const char *props, const char *sources, int depth, char *const *datasets)
{
	argv_get(sv, 1, props, sources, depth, datasets);
}

void zfs_argv_get_display(struct strv *sv, const char *props, const char *sources, char *const *datasets)
{
	argv_get(sv, 0, props, sources, -1, datasets);
}

static int run_get(const struct host *h, struct strv *svp, struct zprops *out, struct zerr *err);

int zfs_get(const struct host *h, const char *props, const char *sources, int depth, char *const *datasets,
            struct zprops *out, struct zerr *err)
{
	struct strv sv = STRV_INIT;
	/* Without a source filter every row is printed, so the rows can be checked
	 * against the grid zfs prints; a native property last (its values hold no
	 * newline) makes any row forged by a value with newlines break it. */
	int checkable = !sources && strcmp(props, "all") != 0;
	const char *last = strrchr(props, ',');
	char *list =
	    checkable && strchr(last ? last + 1 : props, ':') ? xasprintf("%s,type", props) : xstrdup(props);
	zfs_argv_get(&sv, list, sources, depth, datasets);
	int st = run_get(h, &sv, out, err);
	if (st == 0 && checkable && zfs_rows_check(out, list, datasets, depth) < 0) {
		zprops_free(out);
		if (err) {
			zerr_clear(err);
			err->kind = ZE_OTHER;
			err->status = 1;
			err->msg = xasprintf(
			    "the properties %s%s%s read there do not check out (a property value holds a "
			    "newline?); refusing to act on them",
			    datasets && datasets[0] ? "of " : "", datasets && datasets[0] ? datasets[0] : "",
			    "");
		}
		st = 1;
	}
	free(list);
	return st;
}

/* The sources of properties set on a dataset itself: snapshots, which only
 * inherit, have none. */
#define OWN_SOURCES "local,received"

int zfs_get_own_props(const struct host *h, const char *props, char *const *datasets, struct zprops *out,
                      struct zerr *err)
{
	return zfs_get(h, props, OWN_SOURCES, -1, datasets, out, err);
}

int zfs_get_own_props_display(const struct host *h, const char *props, char *const *datasets,
                              struct zprops *out, struct zerr *err)
{
	struct strv sv = STRV_INIT;
	zfs_argv_get_display(&sv, props, OWN_SOURCES, datasets);
	return run_get(h, &sv, out, err);
}

/* Runs the get in sv (cleared here) and parses its output. */
static int run_get(const struct host *h, struct strv *svp, struct zprops *out, struct zerr *err)
{
	struct strbuf o = STRBUF_INIT;
	int st = zfs_exec(h, svp->v, &o, err);
	strv_clear(svp);
	out->v = NULL;
	out->n = 0;
	if (st == 0 && zfs_parse_get(sb_str(&o), out) < 0) {
		sb_release(&o);
		if (err) {
			zerr_clear(err);
			err->kind = ZE_OTHER;
			err->status = 1;
			err->msg = xstrdup("cannot parse zfs get output");
		}
		return 1;
	}
	sb_release(&o);
	return st;
}

int zpool_sync(const struct host *h, const char *ds, struct zerr *err)
{
	char *pool = xstrdup(ds);
	pool[strcspn(pool, "/@#")] = '\0';
	char *argv[] = {"zpool", "sync", pool, NULL};
	struct proc p;
	proc_init(&p, NULL);
	p.timeout = cfg.timeout;
	int st = remote_exec(h, argv, &p);
	zerr_set(err, st, sb_str(&p.err_buf), !h->local);
	proc_release(&p);
	free(pool);
	return st;
}

int zfs_get_one(const struct host *h, const char *prop, const char *ds, int local_only, char **val,
                struct zerr *err)
{
	struct zprops rows;
	char *dsv[] = {(char *)ds, NULL};
	*val = NULL;
	int st = zfs_get(h, prop, NULL, -1, dsv, &rows, err);
	if (st != 0)
		return st;
	const struct zprop *p = zprops_find(&rows, ds, prop);
	if (p) {
		int is_set =
		    local_only ? p->src == ZSRC_LOCAL : !(p->src == ZSRC_NONE && strcmp(p->value, "-") == 0);
		if (is_set)
			*val = xstrdup(p->value);
	}
	zprops_free(&rows);
	return 0;
}

int zfs_get_written_since(const struct host *h, const char *fs, const char *snap, char **val,
                          struct zerr *err)
{
	char *prop = xasprintf("written@%s", snap);
	int st = zfs_get_one(h, prop, fs, 0, val, err);
	free(prop);
	return st;
}

int zfs_set(const struct host *h, const char *ds, const char *prop, const char *value, struct zerr *err)
{
	char *pv = xasprintf("%s=%s", prop, value);
	int st = zfs_execv(h, err, "set", pv, ds, ZEND);
	free(pv);
	return st;
}

int zfs_many(const struct host *h, const char *verb, const char *arg, char *const *datasets, struct zerr *err)
{
	struct strv sv = STRV_INIT;
	strv_push(&sv, verb);
	strv_push(&sv, arg);
	strv_pushv(&sv, datasets);
	int st = zfs_exec(h, sv.v, NULL, err);
	strv_clear(&sv);
	return st;
}

int zfs_set_props(const struct host *h, const char *ds, char *const *pv, struct zerr *err)
{
	size_t n = 0;
	while (pv[n])
		n++;
	if (n > 1 && zfs_features(h)->multi_set) {
		struct strv sv = STRV_INIT;
		strv_push(&sv, "set");
		strv_pushv(&sv, pv);
		strv_push(&sv, ds);
		int st = zfs_exec(h, sv.v, NULL, err);
		strv_clear(&sv);
		return st;
	}
	for (size_t i = 0; i < n; i++) {
		int st = zfs_execv(h, err, "set", pv[i], ds, ZEND);
		if (st != 0)
			return st;
	}
	return 0;
}

void zfs_argv_inherit(struct strv *sv, const char *prop, const char *ds)
{
	strv_push(sv, "inherit");
	strv_push(sv, prop);
	strv_push(sv, ds);
}

void zfs_argv_destroy_list(struct strv *sv, char *const *snaps, size_t n, int recursive)
{
	strv_push(sv, "destroy");
	if (recursive)
		strv_push(sv, "-r");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *at = strchr(snaps[i], '@');
		sb_adds(&sb, i == 0 || !at ? snaps[i] : at + 1);
		if (i + 1 < n)
			sb_adds(&sb, ",");
	}
	strv_push_nodup(sv, sb_detach(&sb));
}

int zfs_destroy_snaps(const struct host *h, char *const *snaps, size_t n, int recursive,
                      void (*failed)(const char *snap, const struct zerr *e, void *ctx), void *ctx)
{
	int bad = 0;
	if (n > 1 && zfs_features(h)->destroy_list) {
		struct strv sv = STRV_INIT;
		zfs_argv_destroy_list(&sv, snaps, n, recursive);
		struct zerr e = {0};
		int st = zfs_exec(h, sv.v, NULL, &e);
		strv_clear(&sv);
		zerr_clear(&e);
		if (st == 0)
			return 0;
		/* All or nothing there: one by one, so that what can go goes and each refusal is named. */
	}
	for (size_t i = 0; i < n; i++) {
		struct zerr e = {0};
		if (zfs_destroy(h, snaps[i], recursive, &e) != 0) {
			bad++;
			if (failed)
				failed(snaps[i], &e, ctx);
		}
		zerr_clear(&e);
	}
	return bad;
}

int zfs_inherit(const struct host *h, const char *prop, const char *ds, struct zerr *err)
{
	return zfs_execv(h, err, "inherit", prop, ds, ZEND);
}

int zfs_snapshot(const struct host *h, const char *snap, int recursive, struct zerr *err)
{
	if (recursive)
		return zfs_execv(h, err, "snapshot", "-r", snap, ZEND);
	return zfs_execv(h, err, "snapshot", snap, ZEND);
}

int zfs_destroy(const struct host *h, const char *name, int recursive, struct zerr *err)
{
	int st = 0;
	for (int tries = 0; tries < 4; tries++) {
		if (recursive)
			st = zfs_execv(h, err, "destroy", "-r", name, ZEND);
		else
			st = zfs_execv(h, err, "destroy", name, ZEND);
		if (st == 0 || !err || err->kind != ZE_BUSY)
			break;
		usleep(300000 * (useconds_t)(tries + 1));
	}
	return st;
}

int zfs_rename(const struct host *h, const char *from, const char *to, int recursive, struct zerr *err)
{
	if (recursive)
		return zfs_execv(h, err, "rename", "-r", from, to, ZEND);
	return zfs_execv(h, err, "rename", from, to, ZEND);
}

int zfs_rollback(const struct host *h, const char *snap, int destroy_newer, struct zerr *err)
{
	if (destroy_newer)
		return zfs_execv(h, err, "rollback", "-r", snap, ZEND);
	return zfs_execv(h, err, "rollback", snap, ZEND);
}

int zfs_hold(const struct host *h, const char *tag, const char *snap, struct zerr *err)
{
	return zfs_execv(h, err, "hold", tag, snap, ZEND);
}

int zfs_bookmark(const struct host *h, const char *snap, const char *bookmark, struct zerr *err)
{
	return zfs_execv(h, err, "bookmark", snap, bookmark, ZEND);
}

int zfs_release(const struct host *h, const char *tag, const char *snap, struct zerr *err)
{
	return zfs_execv(h, err, "release", tag, snap, ZEND);
}

int zfs_mount(const struct host *h, const char *ds, struct zerr *err)
{
	return zfs_execv(h, err, "mount", ds, ZEND);
}

void zfs_argv_snap_table(struct strv *sv, const char *fs)
{
	strv_push(sv, "list");
	strv_push(sv, "-r");
	strv_push(sv, "-t");
	strv_push(sv, "snapshot");
	strv_push(sv, "-o");
	strv_push(sv, "name,creation");
	strv_push(sv, fs);
}

int zfs_snap_table(const struct host *h, const char *fs, struct strbuf *out, struct zerr *err)
{
	struct strv sv = STRV_INIT;
	zfs_argv_snap_table(&sv, fs);
	struct strbuf o = STRBUF_INIT;
	int st = zfs_exec(h, sv.v, &o, err);
	strv_clear(&sv);
	/* zfs-fuse says "no datasets available" on stdout (OpenZFS on stderr):
	 * either way there is no table. */
	if (st != 0 || strcmp(sb_str(&o), "no datasets available\n") != 0)
		sb_add(out, sb_str(&o), o.len);
	sb_release(&o);
	return st;
}

static int exists_as(const struct host *h, const char *ds, const char *type, struct zerr *err)
{
	int st;
	if (type)
		st = zfs_execv(h, err, "list", "-H", "-o", "name", "-t", type, ds, ZEND);
	else
		st = zfs_execv(h, err, "list", "-H", "-o", "name", ds, ZEND);
	if (st == 0)
		return 1;
	if (err && err->kind == ZE_NOENT)
		return 0;
	return -1;
}

int zfs_exists(const struct host *h, const char *ds, struct zerr *err)
{
	return exists_as(h, ds, NULL, err);
}

int zfs_exists_fs(const struct host *h, const char *ds, struct zerr *err)
{
	return exists_as(h, ds, "filesystem,volume", err);
}

/* ---- send / receive ---------------------------------------------------- */

void zfs_argv_send(struct strv *sv, const struct send_opts *o)
{
	strv_push(sv, "zfs");
	strv_push(sv, "send");
	if (o->token) {
		strv_split(sv, o->extra);
		strv_push(sv, "-t");
		strv_push(sv, o->token);
		return;
	}
	if (o->verbose)
		strv_push(sv, "-v");
	if (o->recursive)
		strv_push(sv, "-R");
	if (o->props)
		strv_push(sv, "-p");
	strv_split(sv, o->extra);
	if (o->from) {
		/* A bookmark base (fs#bm) takes -i only: -I needs the snapshots in between. */
		strv_push(sv, strchr(o->from, '#') ? "-i" : o->inc_flag ? o->inc_flag : "-I");
		strv_push(sv, o->from);
	}
	strv_push(sv, o->snap);
}

void zfs_argv_recv(struct strv *sv, const struct recv_opts *o)
{
	strv_push(sv, "zfs");
	strv_push(sv, "receive");
	if (o->unmounted)
		strv_push(sv, "-u");
	if (o->resumable)
		strv_push(sv, "-s");
	if (o->force)
		strv_push(sv, "-F");
	if (o->readonly_o) {
		strv_push(sv, "-o");
		strv_push(sv, "readonly=on");
	}
	strv_split(sv, o->extra);
	strv_push(sv, o->target);
}

int zfs_probe(const struct host *h, const char *ds, int *exists, struct zerr *err)
{
	return zfs_probe_token(h, ds, exists, NULL, err);
}

int zfs_probe_token(const struct host *h, const char *ds, int *exists, char **token, struct zerr *err)
{
	if (token)
		*token = NULL;
	struct remote_call c;
	remote_probe_call(&c, ds);
	struct remote_reply r;
	int st = remote_run(h, &c, EXEC_CAPTURE, &r);
	remote_call_free(&c);
	const char *after = remote_after(&r, "PROBE-END");
	int rc = 0;
	if (st != 0 || !after) {
		zerr_set(err, st ? st : 1, *sb_str(&r.err) ? sb_str(&r.err) : "no answer", !h->local);
		if (err && st == SSH_FAILURE)
			err->kind = ZE_UNREACHABLE;
		rc = -1;
	} else {
		const char *out = sb_str(&r.out);
		char *usage = xstrndup(out, (size_t)(after - out));
		struct zfs_features f;
		zfs_parse_usage(usage, &f);
		if (strstr(usage, "usage"))
			featcache_store(h->local ? "" : h->name, &f);
		free(usage);
		zfs_features_set(h->local ? "" : h->name, &f);
		*exists = remote_find(&r, "EXISTS") != NULL;
		const char *t = remote_find(&r, "TOKEN");
		if (token && t && *t && strcmp(t, "-") != 0)
			*token = xstrdup(t);
	}
	remote_reply_free(&r);
	return rc;
}

char *zfs_token_toname(const struct host *h, const char *token, struct zerr *err)
{
	char *name = NULL, *guid = NULL;
	zfs_token_info(h, token, &name, &guid, err);
	free(guid);
	return name;
}

int zfs_token_info(const struct host *h, const char *token, char **toname, char **toguid, struct zerr *err)
{
	char *args[] = {"send", "-nv", "-t", (char *)token, NULL};
	struct strbuf out = STRBUF_INIT;
	struct proc p;
	int st = zfs_run(h, args, &p);
	/* The dry run prints the token's contents on stdout or stderr. */
	sb_adds(&out, sb_str(&p.out_buf));
	sb_adds(&out, sb_str(&p.err_buf));
	*toname = zfs_parse_token_toname(sb_str(&out));
	*toguid = zfs_parse_token_toguid(sb_str(&out));
	int rc = 0;
	if (!*toname || !*toguid) {
		zerr_set(err, st ? st : 1, sb_str(&p.err_buf), !h->local);
		free(*toname);
		free(*toguid);
		*toname = *toguid = NULL;
		rc = -1;
	}
	proc_release(&p);
	sb_release(&out);
	return rc;
}

int zfs_changed_since(const struct host *h, const char *snap, const char *fs, struct zerr *err)
{
	char *args[] = {"diff", "-H", (char *)snap, (char *)fs, NULL};
	struct strbuf out = STRBUF_INIT;
	int st = zfs_exec(h, args, &out, err);
	int rc = st != 0 ? -1 : out.len > 0;
	sb_release(&out);
	return rc;
}

void zfs_argv_get_value(struct strv *sv, const char *prop, const char *ds, int local_only)
{
	strv_push(sv, "zfs");
	strv_push(sv, "get");
	strv_push(sv, "-H");
	strv_push(sv, "-p");
	strv_push(sv, "-o");
	strv_push(sv, "value");
	if (local_only) {
		strv_push(sv, "-s");
		strv_push(sv, "local");
	}
	strv_push(sv, prop);
	strv_push(sv, ds);
}

void zfs_argv_rollback(struct strv *sv, const char *snap, int destroy_newer)
{
	strv_push(sv, "zfs");
	strv_push(sv, "rollback");
	if (destroy_newer)
		strv_push(sv, "-r");
	strv_push(sv, snap);
}

void zfs_argv_set(struct strv *sv, const char *ds, const char *prop, const char *value)
{
	strv_push(sv, "zfs");
	strv_push(sv, "set");
	strv_pushf(sv, "%s=%s", prop, value);
	strv_push(sv, ds);
}
