/*
 * zfs: argv builders, runners, parsers and error typing for zfs. Nothing
 * outside this file spells a zfs flag.
 */
#include "zfs.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

/* ---- parsing ---------------------------------------------------------- */

enum zsrc zfs_parse_source(const char *s, char **inherited_from)
{
	if (inherited_from)
		*inherited_from = NULL;
	if (strcmp(s, "local") == 0)
		return ZSRC_LOCAL;
	if (strcmp(s, "received") == 0)
		return ZSRC_RECEIVED;
	if (strcmp(s, "default") == 0)
		return ZSRC_DEFAULT;
	if (strcmp(s, "temporary") == 0)
		return ZSRC_TEMPORARY;
	if (strcmp(s, "-") == 0 || *s == '\0')
		return ZSRC_NONE;
	if (str_starts(s, "inherited from ")) {
		if (inherited_from)
			*inherited_from = xstrdup(s + 15);
		return ZSRC_INHERITED;
	}
	return ZSRC_OTHER;
}

int zfs_parse_get(const char *text, struct zprops *out)
{
	size_t cap = 0;
	out->v = NULL;
	out->n = 0;
	const char *s = text;
	while (s && *s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char *line = xstrndup(s, len);
		s = e ? e + 1 : s + len;
		if (!*line) {
			free(line);
			continue;
		}
		/* name TAB prop TAB value TAB source: names and props have no tabs,
		 * the source is the last field, the value is what lies between. */
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		char *t3 = t2 ? strrchr(t2 + 1, '\t') : NULL;
		if (!t1 || !t2) {
			free(line);
			zprops_free(out);
			return -1;
		}
		*t1 = *t2 = '\0';
		const char *src = "-";
		if (t3) {
			*t3 = '\0';
			src = t3 + 1;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		struct zprop *p = &out->v[out->n++];
		p->name = xstrdup(line);
		p->prop = xstrdup(t1 + 1);
		p->value = xstrdup(t2 + 1);
		p->src = zfs_parse_source(src, &p->inherited_from);
		free(line);
	}
	return 0;
}

void zprops_free(struct zprops *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].prop);
		free(p->v[i].value);
		free(p->v[i].inherited_from);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const struct zprop *zprops_find(const struct zprops *p, const char *name, const char *prop)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0 && strcmp(p->v[i].prop, prop) == 0)
			return &p->v[i];
	return NULL;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* ---- errors ------------------------------------------------------------ */

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

enum zerr_kind zfs_classify(int status, const char *t, int remote)
{
	if (status == 0)
		return ZE_OK;
	if (has(t, "partially-complete state") || has(t, "resume token") || has(t, "receive_resume_token") ||
	    has(t, "contains partially"))
		return ZE_RESUME;
	if (has(t, "has been modified") || has(t, "modified since most recent snapshot"))
		return ZE_MODIFIED;
	if (has(t, "does not match incremental source") || has(t, "most recent snapshot of") ||
	    has(t, "does not match") || has(t, "incremental source") || has(t, "destination has snapshots"))
		return ZE_MISMATCH;
	if (has(t, "exists\nmust specify -F") || has(t, "must specify -F to overwrite") ||
	    has(t, "already exists") || has(t, "dataset already exists"))
		return ZE_EXISTS;
	if (has(t, "dataset is busy") || has(t, "is busy") || has(t, "has holds") || has(t, "tag already exists") ||
	    has(t, "dataset is held") || has(t, "pool or dataset is busy"))
		return ZE_BUSY;
	if (has(t, "does not exist") || has(t, "dataset does not exist") || has(t, "no such pool") ||
	    has(t, "could not find any snapshots") || has(t, "no such dataset"))
		return ZE_NOENT;
	if (has(t, "invalid option") || has(t, "bad property list") || has(t, "invalid property") ||
	    has(t, "unrecognized command") || has(t, "unsupported"))
		return ZE_NOTSUP;
	if (remote && status == SSH_FAILURE)
		return ZE_UNREACHABLE;
	return ZE_OTHER;
}

const char *zerr_kind_str(enum zerr_kind k)
{
	switch (k) {
	case ZE_OK: return "ok";
	case ZE_NOENT: return "does not exist";
	case ZE_MODIFIED: return "destination modified since its most recent snapshot";
	case ZE_MISMATCH: return "stream does not match the destination";
	case ZE_EXISTS: return "destination exists";
	case ZE_BUSY: return "dataset is busy or held";
	case ZE_RESUME: return "destination holds a partially received stream";
	case ZE_UNREACHABLE: return "host not reachable";
	case ZE_NOTSUP: return "not supported by this zfs";
	case ZE_OTHER: return "zfs command failed";
	}
	return "?";
}

void zerr_clear(struct zerr *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->kind = ZE_OK;
	e->status = 0;
}

void zerr_set(struct zerr *e, int status, const char *errtext, int remote)
{
	if (!e)
		return;
	zerr_clear(e);
	e->status = status;
	e->kind = zfs_classify(status, errtext, remote);
	if (errtext && *errtext) {
		/* One line for messages: lines joined by spaces, a usage text cut. */
		struct strbuf sb = STRBUF_INIT;
		struct strv lines = STRV_INIT;
		strv_lines(&lines, errtext);
		for (size_t i = 0; i < lines.n; i++) {
			const char *l = skip_blanks(lines.v[i]);
			if (str_starts(l, "usage:"))
				break;
			if (!*l)
				continue;
			if (sb.len)
				sb_adds(&sb, " ");
			sb_adds(&sb, l);
		}
		strv_clear(&lines);
		e->msg = sb_detach(&sb);
	}
}

const char *zerr_text(const struct zerr *e)
{
	if (e->msg && *e->msg)
		return e->msg;
	if (e->status < 0)
		return "could not run zfs";
	return zerr_kind_str(e->kind);
}

/* ---- features ---------------------------------------------------------- */

/* Letters of the first "[-letters]" group in line, or "". */
static void first_flag_group(const char *line, char *buf, size_t len)
{
	buf[0] = '\0';
	const char *p = strstr(line, "[-");
	if (!p)
		return;
	p += 2;
	size_t n = 0;
	while (*p && *p != ']' && n + 1 < len) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			buf[n++] = *p;
		else
			break;
		p++;
	}
	buf[n] = '\0';
}

void zfs_parse_usage(const char *text, struct zfs_features *f)
{
	memset(f, 0, sizeof(*f));
	f->probed = 1;
	struct strv lines = STRV_INIT;
	strv_lines(&lines, text);
	for (size_t i = 0; i < lines.n; i++) {
		const char *l = skip_blanks(lines.v[i]);
		char g[64];
		first_flag_group(l, g, sizeof(g));
		if (str_starts(l, "receive ") || str_starts(l, "recv ")) {
			if (strchr(g, 'u'))
				f->recv_u = 1;
			if (strchr(g, 's'))
				f->recv_s = 1;
			if ((strstr(l, "-o <property") || strstr(l, "-o property")) && !strstr(l, "-o origin"))
				f->recv_o = 1;
		} else if (str_starts(l, "send ")) {
			if (strchr(g, 'p'))
				f->send_p = 1;
			if (str_starts(l, "send -t") || strstr(l, " -t "))
				f->send_t = 1;
		} else if (str_starts(l, "bookmark ")) {
			f->bookmarks = 1;
		} else if (str_starts(l, "hold ")) {
			f->holds = 1;
		} else if (str_starts(l, "list ")) {
			if (strstr(l, "-d"))
				f->depth = 1;
		} else if (str_starts(l, "set ")) {
			if (strstr(l, "snapshot"))
				f->snapprops = 1;
		}
	}
	/* Resuming needs both halves. */
	if (!f->send_t)
		f->recv_s = 0;
	strv_clear(&lines);
}

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

const struct zfs_features *zfs_features(const struct host *h)
{
	const char *key = h->local ? "" : h->name;
	for (size_t i = 0; i < ARRAY_SIZE(feats); i++)
		if (feats[i].host && strcmp(feats[i].host, key) == 0)
			return &feats[i].f;
	/* `zfs` alone prints its usage (status 2); stdout and stderr both count. */
	struct strv sv = STRV_INIT;
	host_build_script(h, "zfs 2>&1; exit 0", NULL, &sv);
	struct proc p;
	proc_init(&p, sv.v);
	if (!h->local)
		host_ssh_count++;
	exec_run(&p);
	struct zfs_features f;
	zfs_parse_usage(sb_str(&p.out_buf), &f);
	debug("zfs features on %s: recv-u=%d recv-o=%d resume=%d bookmarks=%d holds=%d", h->name, f.recv_u,
	      f.recv_o, f.recv_s, f.bookmarks, f.holds);
	proc_release(&p);
	strv_clear(&sv);
	zfs_features_set(key, &f);
	return zfs_features(h);
}

/* ---- runners ----------------------------------------------------------- */

int zfs_exec(const struct host *h, char *const *args, struct strbuf *out, struct zerr *err)
{
	struct strv sv = STRV_INIT;
	strv_push(&sv, "zfs");
	strv_pushv(&sv, args);
	struct proc p;
	proc_init(&p, NULL);
	int st = host_run(h, sv.v, &p);
	if (out)
		sb_add(out, p.out_buf.buf ? p.out_buf.buf : "", p.out_buf.len);
	zerr_set(err, st, sb_str(&p.err_buf), !h->local);
	if (st != 0)
		debug("zfs %s failed on %s: %s", args[0], h->name, sb_str(&p.err_buf));
	proc_release(&p);
	strv_clear(&sv);
	return st;
}

/* The sentinel ending zfs_execv's words: a typed null pointer. */
#define ZEND ((const char *)NULL)
static int zfs_execv(const struct host *h, struct zerr *err, const char *a0, ...)
    __attribute__((sentinel));

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
	zfs_argv_get(&sv, props, sources, depth, datasets);
	return run_get(h, &sv, out, err);
}

int zfs_get_display(const struct host *h, const char *props, const char *sources, char *const *datasets,
		    struct zprops *out, struct zerr *err)
{
	struct strv sv = STRV_INIT;
	zfs_argv_get_display(&sv, props, sources, datasets);
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

int zfs_get_one(const struct host *h, const char *prop, const char *ds, int local_only, char **val, struct zerr *err)
{
	struct zprops rows;
	char *dsv[] = { (char *)ds, NULL };
	*val = NULL;
	int st = zfs_get(h, prop, NULL, -1, dsv, &rows, err);
	if (st != 0)
		return st;
	const struct zprop *p = zprops_find(&rows, ds, prop);
	if (p) {
		int is_set = local_only ? p->src == ZSRC_LOCAL : !(p->src == ZSRC_NONE && strcmp(p->value, "-") == 0);
		if (is_set)
			*val = xstrdup(p->value);
	}
	zprops_free(&rows);
	return 0;
}

int zfs_set(const struct host *h, const char *ds, const char *prop, const char *value, struct zerr *err)
{
	char *pv = xasprintf("%s=%s", prop, value);
	int st = zfs_execv(h, err, "set", pv, ds, ZEND);
	free(pv);
	return st;
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

int zfs_exists(const struct host *h, const char *ds, const char *type, struct zerr *err)
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
		strv_push(sv, o->inc_flag ? o->inc_flag : "-I");
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
	static const char script[] = "zfs 2>&1 </dev/null; echo ZREP-PROBE-END; "
				     "if zfs list -H -o name \"$1\" </dev/null >/dev/null 2>&1; "
				     "then echo ZREP-EXISTS; "
				     "t=$(zfs get -H -o value receive_resume_token \"$1\" 2>/dev/null </dev/null); "
				     "echo \"ZREP-TOKEN $t\"; else echo ZREP-ABSENT; fi";
	char *args[] = { (char *)ds, NULL };
	struct strv sv = STRV_INIT;
	if (token)
		*token = NULL;
	host_build_script(h, script, args, &sv);
	struct proc p;
	proc_init(&p, sv.v);
	if (!h->local)
		host_ssh_count++;
	int st = exec_run(&p);
	const char *out = sb_str(&p.out_buf);
	const char *end = strstr(out, "ZREP-PROBE-END\n");
	int rc = 0;
	if (st != 0 || !end) {
		zerr_set(err, st ? st : 1, *sb_str(&p.err_buf) ? sb_str(&p.err_buf) : "no answer", !h->local);
		if (err && st == SSH_FAILURE)
			err->kind = ZE_UNREACHABLE;
		rc = -1;
	} else {
		char *usage = xstrndup(out, (size_t)(end - out));
		struct zfs_features f;
		zfs_parse_usage(usage, &f);
		free(usage);
		zfs_features_set(h->local ? "" : h->name, &f);
		*exists = strstr(end, "ZREP-EXISTS") != NULL;
		const char *t = strstr(end, "ZREP-TOKEN ");
		if (token && t) {
			t += 11;
			size_t n = strcspn(t, "\n");
			if (n > 0 && !(n == 1 && *t == '-'))
				*token = xstrndup(t, n);
		}
	}
	proc_release(&p);
	strv_clear(&sv);
	return rc;
}

char *zfs_parse_token_toname(const char *text)
{
	const char *p = strstr(text, "toname = ");
	if (!p)
		return NULL;
	p += 9;
	return xstrndup(p, strcspn(p, "\n"));
}

char *zfs_token_toname(const struct host *h, const char *token, struct zerr *err)
{
	char *args[] = { "send", "-nv", "-t", (char *)token, NULL };
	struct strbuf out = STRBUF_INIT;
	struct strv sv = STRV_INIT;
	strv_push(&sv, "zfs");
	strv_pushv(&sv, args);
	struct proc p;
	proc_init(&p, NULL);
	int st = host_run(h, sv.v, &p);
	/* The dry run prints the token's contents on stdout or stderr. */
	sb_adds(&out, sb_str(&p.out_buf));
	sb_adds(&out, sb_str(&p.err_buf));
	char *name = zfs_parse_token_toname(sb_str(&out));
	if (!name)
		zerr_set(err, st ? st : 1, sb_str(&p.err_buf), !h->local);
	proc_release(&p);
	strv_clear(&sv);
	sb_release(&out);
	return name;
}

int zfs_changed_since(const struct host *h, const char *snap, const char *fs, struct zerr *err)
{
	char *args[] = { "diff", "-H", (char *)snap, (char *)fs, NULL };
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
