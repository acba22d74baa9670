/*
 * destview: see destview.h.
 */
#include "destview.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "pipeline.h"
#include "props.h"
#include "remote.h"
#include "zfs.h"
#include "zrepfs.h"

struct dview {
	char *host;
	struct strv dests;
	struct zprops rows;
	int ok;
};
static struct dview *views;
static size_t nviews;

static struct dview *view_of(const char *host)
{
	for (size_t i = 0; i < nviews; i++)
		if (strcmp(views[i].host, host) == 0)
			return &views[i];
	views = xrealloc(views, (nviews + 1) * sizeof(*views));
	struct dview *v = &views[nviews++];
	memset(v, 0, sizeof(*v));
	v->host = xstrdup(host);
	v->dests = (struct strv)STRV_INIT;
	return v;
}

/* One call to v's host; fills v->rows when its answer checks out. */
static void read_host(struct dview *v)
{
	struct host h;
	if (host_init(&h, v->host) < 0)
		return;
	const struct zfs_features *df = zfs_features_peek(&h);
	char *props = push_list_props(df);
	struct remote_call c;
	remote_destlist_call(&c, props, df == NULL, v->dests.v);
	struct remote_reply r;
	int st = remote_run(&h, &c, EXEC_CAPTURE, &r);
	remote_call_free(&c);
	const char *out = sb_str(&r.out);
	const char *u = strstr(out, "ZREP-USAGE\n");
	const char *ue = strstr(out, "ZREP-USAGE-END\n");
	if (u && ue && ue > u) {
		char *usage = xstrndup(u + 11, (size_t)(ue - u - 11));
		zfs_features_learned(&h, usage);
		free(usage);
	}
	const char *l = strstr(out, "ZREP-LIST ");
	const char *body = l ? strchr(l, '\n') : NULL;
	const char *end = body ? strstr(body, "\nZREP-LIST-END 0\n") : NULL;
	if (st == 0 && body && end) {
		char *lp = xstrndup(l + 10, (size_t)(body - l - 10));
		char *text = xstrndup(body + 1, (size_t)(end - body));
		if (zfs_parse_get(text, &v->rows) == 0 && zfs_rows_check(&v->rows, lp, v->dests.v, 1) == 0)
			v->ok = 1;
		else
			zprops_free(&v->rows);
		free(lp);
		free(text);
	}
	if (!v->ok)
		debug("could not read ahead the destinations on %s; each push lists its own", v->host);
	remote_reply_free(&r);
	free(props);
	host_release(&h);
}

void destview_prefetch(char *const *fss, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fsinfo fi;
		if (fsview_peek(fss[i], &fi) < 0)
			continue;
		struct host h;
		if (fsinfo_is_master(&fi) && fi.dest_host && fi.dest_fs && check_dsname(fi.dest_fs, 0) == 0 &&
		    host_init(&h, fi.dest_host) == 0) {
			if (!h.local)
				strv_push(&view_of(fi.dest_host)->dests, fi.dest_fs);
			host_release(&h);
		}
		fsinfo_free(&fi);
	}
	for (size_t i = 0; i < nviews; i++)
		if (views[i].dests.n > 1)
			read_host(&views[i]);
}

const struct zprops *destview_rows(const char *host, const char *destfs)
{
	for (size_t i = 0; i < nviews; i++) {
		if (!views[i].ok || strcmp(views[i].host, host) != 0)
			continue;
		for (size_t k = 0; k < views[i].dests.n; k++)
			if (strcmp(views[i].dests.v[k], destfs) == 0)
				return &views[i].rows;
	}
	return NULL;
}
