/*
 * allow: see allow.h. Pure.
 */
#include "allow.h"

#include <stdlib.h>
#include <string.h>

char *allow_dest_perms(int has_append)
{
	return xasprintf("create,destroy,hold,mount,readonly,%s,release,userprop",
	                 has_append ? "receive:append" : "receive");
}

char *allow_parent(const char *ds)
{
	const char *sl = strrchr(ds, '/');
	return sl ? xstrndup(ds, (size_t)(sl - ds)) : NULL;
}

static int strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

static void push_perms(struct strv *out, const char *list)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n) {
			char *w = xstrndup(p, n);
			if (!strv_has(out, w))
				strv_push(out, w);
			free(w);
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

/* ds is target itself (0), an ancestor of it (1), or unrelated (-1). */
static int relation(const char *ds, const char *target)
{
	size_t n = strlen(ds);
	if (strcmp(ds, target) == 0)
		return 0;
	if (strncmp(ds, target, n) == 0 && target[n] == '/')
		return 1;
	return -1;
}

void allow_parse(const char *text, const char *target, const char *user, struct strv *out)
{
	struct strv lines = STRV_INIT;
	strv_lines(&lines, text);
	int rel = -1;
	int applies = 0;
	for (size_t i = 0; i < lines.n; i++) {
		const char *l = lines.v[i];
		if (str_starts(l, "---- Permissions on ")) {
			const char *d = l + strlen("---- Permissions on ");
			size_t n = strcspn(d, " ");
			char *ds = xstrndup(d, n);
			rel = relation(ds, target);
			free(ds);
			applies = 0;
			continue;
		}
		if (str_starts(l, "Local+Descendent permissions:")) {
			applies = rel >= 0;
			continue;
		}
		if (str_starts(l, "Local permissions:")) {
			applies = rel == 0;
			continue;
		}
		if (str_starts(l, "Descendent permissions:")) {
			applies = rel == 1;
			continue;
		}
		if (l[0] != '\t' && l[0] != ' ') {
			applies = 0; /* "Create time permissions:", "Permission sets:" ... */
			continue;
		}
		if (!applies)
			continue;
		const char *p = l;
		while (*p == ' ' || *p == '\t')
			p++;
		if (str_starts(p, "everyone ")) {
			push_perms(out, p + strlen("everyone "));
		} else if (str_starts(p, "user ")) {
			p += strlen("user ");
			size_t n = strcspn(p, " ");
			if (n == strlen(user) && strncmp(p, user, n) == 0 && p[n] == ' ')
				push_perms(out, p + n + 1);
		}
	}
	strv_clear(&lines);
}

void allow_missing(const char *need, const struct strv *have, struct strv *missing)
{
	struct strv n = STRV_INIT;
	push_perms(&n, need);
	for (size_t i = 0; i < n.n; i++) {
		const char *p = n.v[i];
		int ok = strv_has(have, p);
		/* full receive covers receive:append */
		if (!ok && strcmp(p, "receive:append") == 0)
			ok = strv_has(have, "receive");
		if (!ok)
			strv_push(missing, p);
	}
	strv_clear(&n);
}

int allow_usage_has_append(const char *text)
{
	return text && strstr(text, "receive:append") != NULL;
}
