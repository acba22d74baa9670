/*
 * statusread: see statusread.h.
 */
#include "statusread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "exec.h"
#include "lock.h"
#include "msg.h"
#include "props.h"
#include "remote.h"
#include "zrepfs.h"

static char *lasterror_prop(void)
{
	return xasprintf("%slast-error", P.prefix);
}

static const char *local_value(const struct zprops *rows, const char *ds, const char *prop)
{
	const struct zprop *p = zprops_find(rows, ds, prop);
	return p && p->src == ZSRC_LOCAL ? p->value : NULL;
}

static const char *set_value(const struct zprops *rows, const char *ds, const char *prop)
{
	const struct zprop *p = zprops_find(rows, ds, prop);
	if (!p || ((p->src == ZSRC_NONE || p->src == ZSRC_DEFAULT) && strcmp(p->value, "-") == 0))
		return NULL;
	return p->value;
}

/* Local facts of fs into st and snaps. Returns 0, or -1 with a message. */
static int read_local(const char *fs, struct fsstatus *st, struct zsnaps *snaps)
{
	char *le = lasterror_prop();
	char *props = xasprintf("%s,%s,%s,%s,%s,%s,%s,%s,%s", P.master, P.src_fs, P.src_host, P.dest_fs,
	                        P.dest_host, P.lock_pid, P.lock_owner, P.lock_time, le);
	char *dsv[] = {(char *)fs, NULL};
	struct zprops rows;
	struct zerr e = {0};
	int st_ = zfs_get(&local_host, props, NULL, -1, dsv, &rows, &e);
	free(props);
	int rc = -1;
	if (st_ != 0) {
		if (e.kind == ZE_NOENT)
			error("no such dataset: %s", fs);
		else
			error("cannot read properties of %s: %s", fs, zerr_text(&e));
		zerr_clear(&e);
		free(le);
		return -1;
	}
	if (!set_value(&rows, fs, P.dest_fs)) {
		error("%s is not a zrep filesystem (%s is not set)", fs, P.dest_fs);
		goto out;
	}
	st->fs = xstrdup(fs);
	st->tag = xstrdup(cfg.tag);
	st->master = str_eq(local_value(&rows, fs, P.master), "yes");
	const char *ph = set_value(&rows, fs, st->master ? P.dest_host : P.src_host);
	const char *pf = set_value(&rows, fs, st->master ? P.dest_fs : P.src_fs);
	st->partner_host = ph ? xstrdup(ph) : NULL;
	st->partner_fs = pf ? xstrdup(pf) : NULL;

	struct lock_holder hd = {0, NULL, NULL};
	const char *lp = local_value(&rows, fs, P.lock_pid);
	if (!lp || parse_ll(lp, &hd.pid) < 0)
		hd.pid = lp ? -1 : 0;
	const char *lo = local_value(&rows, fs, P.lock_owner);
	hd.owner = lo ? xstrdup(lo) : NULL;
	if ((hd.pid != 0 || hd.owner) && lock_holder_live(&hd))
		st->locked_by = lock_owner_short(hd.owner, hd.pid, host_local_name());
	free(hd.owner);

	const char *lev = local_value(&rows, fs, le);
	if (lev && lasterror_parse(lev, &st->error_time, &st->error_msg) == 0)
		st->has_error = 1;

	if (zrepfs_snaps(&local_host, fs, snaps) < 0)
		goto out;
	rc = 0;
out:
	zprops_free(&rows);
	free(le);
	return rc;
}

/* unsent_bytes: 0 with nothing unsent; else written@LAST of the newest snapshot, where the zfs has it. */
static void read_unsent_bytes(struct fsstatus *st, const struct zsnaps *snaps)
{
	if (st->unsent_snapshots == 0) {
		st->has_bytes = 1;
		st->unsent_bytes = 0;
		return;
	}
	const struct zsnap *last = zsnaps_last_sent(snaps), *newest = zsnaps_newest(snaps, 0);
	if (!last || !newest || newest == last)
		return;
	char *prop = xasprintf("written@%s", last->snap);
	char *val = NULL;
	struct zerr e = {0};
	unsigned long long b;
	if (zfs_get_one(&local_host, prop, newest->name, 0, &val, &e) == 0 && val &&
	    parse_ull(val, &b) == 0) {
		st->has_bytes = 1;
		st->unsent_bytes = b;
	}
	free(val);
	free(prop);
	zerr_clear(&e);
}

/*
 * The partner query: $1 the property list, then the datasets. Three
 * sections, each ended by a marker; stderr is dropped (a missing dataset
 * just has no rows; `written` is unknown to some zfs).
 */
/* Parses the lines of one section, skipping anything that is not a zfs get row. */
static void parse_rows(const char *text, size_t len, struct zprops *out)
{
	struct strbuf clean = STRBUF_INIT;
	const char *s = text, *end = text + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *t1 = memchr(s, '\t', l);
		if (t1 && memchr(t1 + 1, '\t', l - (size_t)(t1 + 1 - s))) {
			sb_add(&clean, s, l);
			sb_add(&clean, "\n", 1);
		}
		s += l + 1;
	}
	if (zfs_parse_get(sb_str(&clean), out) < 0) {
		out->v = NULL;
		out->n = 0;
	}
	sb_release(&clean);
}

static void query_partner(const char *hostname, struct fsstatus *v, size_t n, struct partner_view *pv)
{
	struct host h;
	size_t nfs = 0;
	struct strv args = STRV_INIT;
	char *le = lasterror_prop();
	for (size_t i = 0; i < n; i++) {
		if (!str_eq(v[i].partner_host, hostname) || !v[i].partner_fs)
			continue;
		pv[i].checked = 1;
		nfs++;
	}
	if (!nfs)
		goto done;
	if (host_init(&h, hostname) < 0) {
		for (size_t i = 0; i < n; i++)
			if (pv[i].checked && str_eq(v[i].partner_host, hostname))
				pv[i].unreachable = xstrdup("not a usable host name");
		goto done;
	}
	char *plist = xasprintf("%s,%s", P.master, le);
	for (size_t i = 0; i < n; i++)
		if (pv[i].checked && str_eq(v[i].partner_host, hostname))
			strv_push(&args, v[i].partner_fs[0] == '-' ? "./invalid" : v[i].partner_fs);
	struct remote_call c;
	remote_status_call(&c, plist, args.v);
	free(plist);
	struct remote_reply r;
	int status = remote_run(&h, &c, EXEC_CAPTURE, &r);
	remote_call_free(&c);
	const char *out = sb_str(&r.out);
	const char *m1 = strstr(out, "ZREP-STATUS-PROPS\n");
	const char *m2 = m1 ? strstr(m1, "ZREP-STATUS-SNAPS\n") : NULL;
	const char *m3 = m2 ? strstr(m2, "ZREP-STATUS-END") : NULL;
	if (!m3) {
		char b[64];
		struct strbuf why = STRBUF_INIT;
		struct strbuf errt = STRBUF_INIT;
		sb_adds(&errt, sb_str(&r.err));
		sb_rtrim(&errt);
		const char *last = strrchr(sb_str(&errt), '\n');
		sb_addf(&why, "%s",
		        *sb_str(&errt) ? (last ? last + 1 : sb_str(&errt))
		                       : exec_status_str(status, b, sizeof(b)));
		for (size_t i = 0; i < n; i++)
			if (pv[i].checked && str_eq(v[i].partner_host, hostname))
				pv[i].unreachable = xstrdup(sb_str(&why));
		sb_release(&why);
		sb_release(&errt);
	} else {
		struct zprops props, snaps, written;
		parse_rows(out, (size_t)(m1 - out), &props);
		m1 += strlen("ZREP-STATUS-PROPS\n");
		parse_rows(m1, (size_t)(m2 - m1), &snaps);
		m2 += strlen("ZREP-STATUS-SNAPS\n");
		parse_rows(m2, (size_t)(m3 - m2), &written);
		for (size_t i = 0; i < n; i++) {
			if (!pv[i].checked || !str_eq(v[i].partner_host, hostname))
				continue;
			const char *pf = v[i].partner_fs;
			pv[i].reached = 1;
			pv[i].exists = zprops_find(&props, pf, P.master) != NULL;
			pv[i].master = str_eq(local_value(&props, pf, P.master), "yes");
			const char *lev = local_value(&props, pf, le);
			if (lev && lasterror_parse(lev, &pv[i].error_time, &pv[i].error_msg) == 0)
				pv[i].has_error = 1;
			zsnaps_parse(&snaps, pf, cfg.tag, &pv[i].snaps);
			const struct zprop *w = zprops_find(&written, pf, "written");
			if (w && parse_ull(w->value, &pv[i].written) == 0)
				pv[i].has_written = 1;
		}
		zprops_free(&props);
		zprops_free(&snaps);
		zprops_free(&written);
	}
	remote_reply_free(&r);
	host_release(&h);
done:
	strv_clear(&args);
	free(le);
}

int status_collect(char *const *fss, size_t n, int local_only, long long behind_secs, struct statusset *out)
{
	struct strv list = STRV_INIT;
	memset(out, 0, sizeof(*out));
	if (n) {
		for (size_t i = 0; i < n; i++)
			strv_push(&list, fss[i]);
	} else if (zrepfs_list(&list, 0) < 0) {
		strv_clear(&list);
		return -1;
	}
	out->v = list.n ? xmalloc(list.n * sizeof(*out->v)) : NULL;
	struct zsnaps *snaps = list.n ? xmalloc(list.n * sizeof(*snaps)) : NULL;
	for (size_t i = 0; i < list.n; i++) {
		struct fsstatus *st = &out->v[out->n];
		memset(st, 0, sizeof(*st));
		memset(&snaps[out->n], 0, sizeof(*snaps));
		if (read_local(list.v[i], st, &snaps[out->n]) < 0) {
			fsstatus_free(st);
			zsnaps_free(&snaps[out->n]);
			out->read_errors++;
			continue;
		}
		out->n++;
	}
	struct partner_view *pv = out->n ? xmalloc(out->n * sizeof(*pv)) : NULL;
	if (pv)
		memset(pv, 0, out->n * sizeof(*pv));
	if (!local_only) {
		/* one query per distinct partner host */
		for (size_t i = 0; i < out->n; i++) {
			const char *ph = out->v[i].partner_host;
			if (!ph || pv[i].checked)
				continue;
			int seen = 0;
			for (size_t k = 0; k < i; k++)
				if (str_eq(out->v[k].partner_host, ph))
					seen = 1;
			if (!seen)
				query_partner(ph, out->v, out->n, pv);
		}
	}
	long long now = now_secs();
	for (size_t i = 0; i < out->n; i++) {
		statusdoc_eval(&out->v[i], &snaps[i], local_only ? NULL : &pv[i], now, behind_secs);
		read_unsent_bytes(&out->v[i], &snaps[i]);
		zsnaps_free(&snaps[i]);
		partner_view_free(&pv[i]);
	}
	free(pv);
	free(snaps);
	strv_clear(&list);
	return 0;
}

void statusset_free(struct statusset *s)
{
	for (size_t i = 0; i < s->n; i++)
		fsstatus_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int status_write_prometheus(const char *file, const struct statusset *s)
{
	struct strbuf body = STRBUF_INIT;
	statusdoc_prometheus(&body, s->v, s->n, now_secs());
	const char *slash = strrchr(file, '/');
	char *dir =
	    slash ? (slash == file ? xstrdup("/") : xstrndup(file, (size_t)(slash - file))) : xstrdup(".");
	const char *base = slash ? slash + 1 : file;
	/* a name node_exporter ignores (it reads only *.prom) */
	char *tmp = xasprintf("%s/.%s.zrep-XXXXXX", dir, base);
	int rc = -1;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		error("cannot write %s: %s", file, strerror(errno));
		goto out;
	}
	size_t off = 0;
	while (off < body.len) {
		ssize_t w = write(fd, body.buf + off, body.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			error("cannot write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0) {
		error("cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, file) != 0) {
		error("cannot rename %s to %s: %s", tmp, file, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(dir);
	sb_release(&body);
	return rc;
}

int status_prometheus_refresh(const char *file)
{
	struct statusset s;
	if (status_collect(NULL, 0, 1, STATUS_BEHIND_DEFAULT, &s) < 0)
		return -1;
	int rc = status_write_prometheus(file, &s);
	statusset_free(&s);
	return rc;
}
