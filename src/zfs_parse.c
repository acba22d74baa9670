/*
 * zfs_parse: the pure half of the zfs layer (see zfs_parse.h): reading
 * `zfs get -Hp` output with its source column, typing zfs's stderr,
 * reading the usage text for features and a resume token's dry run. No
 * I/O.
 */
#include "zfs_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "util.h"

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

int has_control_char(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is name one of the datasets a `zfs get -r -d 1` of datasets reports (OpenZFS's lists bookmarks too)? */
static int name_in(const char *name, char *const *datasets, int depth)
{
	for (size_t i = 0; datasets[i]; i++) {
		size_t n = strlen(datasets[i]);
		if (strcmp(name, datasets[i]) == 0)
			return 1;
		if (depth >= 1 && strncmp(name, datasets[i], n) == 0 &&
		    (name[n] == '@' || name[n] == '/' || name[n] == '#') && !strchr(name + n + 1, '/') &&
		    !strchr(name + n + 1, '@') && !strchr(name + n + 1, '#'))
			return 1;
	}
	return 0;
}

int zfs_rows_check(const struct zprops *rows, const char *props, char *const *datasets, int depth)
{
	struct strv want = STRV_INIT;
	for (const char *s = props; *s;) {
		size_t n = strcspn(s, ",");
		strv_push_nodup(&want, xstrndup(s, n));
		s += n + (s[n] == ',');
	}
	int rc = 0;
	size_t g = 0; /* groups seen */
	if (want.n == 0 || rows->n % want.n != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < rows->n; i += want.n, g++) {
		const char *name = rows->v[i].name;
		for (size_t k = 0; k < want.n && rc == 0; k++)
			if (strcmp(rows->v[i + k].name, name) != 0 ||
			    strcmp(rows->v[i + k].prop, want.v[k]) != 0)
				rc = -1;
		if (rc == 0 && datasets) {
			if (depth < 0 && (!datasets[g] || strcmp(datasets[g], name) != 0))
				rc = -1;
			else if (depth >= 0 && !name_in(name, datasets, depth))
				rc = -1;
		}
	}
	if (rc == 0 && datasets && depth < 0 && datasets[g])
		rc = -1; /* a dataset missing */
	/* A name in two groups: a group split by a forgery. */
	if (rc == 0 && g > 1) {
		const char **names = xmalloc(g * sizeof(*names));
		for (size_t k = 0; k < g; k++)
			names[k] = rows->v[k * want.n].name;
		qsort(names, g, sizeof(*names), cmp_str);
		for (size_t k = 1; k < g && rc == 0; k++)
			if (strcmp(names[k - 1], names[k]) == 0)
				rc = -1;
		free(names);
	}
	strv_clear(&want);
	return rc;
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
	if (has(t, "dataset is busy") || has(t, "is busy") || has(t, "has holds") ||
	    has(t, "tag already exists") || has(t, "dataset is held") || has(t, "pool or dataset is busy"))
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
	case ZE_OK:
		return "ok";
	case ZE_NOENT:
		return "does not exist";
	case ZE_MODIFIED:
		return "destination modified since its most recent snapshot";
	case ZE_MISMATCH:
		return "stream does not match the destination";
	case ZE_EXISTS:
		return "destination exists";
	case ZE_BUSY:
		return "dataset is busy or held";
	case ZE_RESUME:
		return "destination holds a partially received stream";
	case ZE_UNREACHABLE:
		return "host not reachable";
	case ZE_NOTSUP:
		return "not supported by this zfs";
	case ZE_TIMEOUT:
		return "timed out (ZREP_TIMEOUT)";
	case ZE_OTHER:
		return "zfs command failed";
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
			if ((strstr(l, "-o <property") || strstr(l, "-o property")) &&
			    !strstr(l, "-o origin"))
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
			if (strstr(l, "<property=value> ... <"))
				f->multi_set = 1;
		} else if (str_starts(l, "destroy ")) {
			if (strchr(l, '@') && strstr(l, "[,...]"))
				f->destroy_list = 1;
		}
	}
	/* written (and written@) came with the same generation of zfs as bookmarks; the usage
	 * text lists no properties. */
	f->written = f->bookmarks;
	/* Resuming needs both halves. */
	if (!f->send_t)
		f->recv_s = 0;
	strv_clear(&lines);
}

/* ---- resume tokens ----------------------------------------------------- */

char *zfs_parse_token_toguid(const char *text)
{
	const char *p = strstr(text, "toguid = ");
	if (!p)
		return NULL;
	char *end;
	errno = 0;
	unsigned long long g = strtoull(p + 9, &end, 0);
	if (errno || end == p + 9)
		return NULL;
	return xasprintf("%llu", g);
}

char *zfs_parse_token_toname(const char *text)
{
	const char *p = strstr(text, "toname = ");
	if (!p)
		return NULL;
	p += 9;
	return xstrndup(p, strcspn(p, "\n"));
}
