/*
 * snapname: parsing and ordering of zrep snapshot names.
 */
#include "snapname.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int snapname_parse(const char *snap, const char *tag, struct snapname *out)
{
	size_t tl = strlen(tag);
	if (strncmp(snap, tag, tl) != 0 || snap[tl] != '_')
		return -1;
	const char *p = snap + tl + 1;
	unsigned long long seq = 0;
	size_t nd = 0;
	while (hexval(p[nd]) >= 0) {
		if (nd >= 16)
			return -1;
		seq = seq * 16 + (unsigned long long)hexval(p[nd]);
		nd++;
	}
	if (nd < 6)
		return -1;
	p += nd;
	int unsent = 0;
	if (strcmp(p, "_unsent") == 0)
		unsent = 1;
	else if (*p)
		return -1;
	if (out) {
		out->seq = seq;
		out->unsent = unsent;
	}
	return 0;
}

int snapname_parse_full(const char *full, const char *tag, struct snapname *out, size_t *fs_len)
{
	const char *at = strchr(full, '@');
	if (!at || at == full)
		return -1;
	if (fs_len)
		*fs_len = (size_t)(at - full);
	return snapname_parse(at + 1, tag, out);
}

char *snapname_format(const char *fs, const char *tag, unsigned long long seq)
{
	return xasprintf("%s@%s_%06llx", fs, tag, seq);
}

int snapname_cmp(const struct snapname *a, const struct snapname *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->unsent - b->unsent;
}

int tag_valid(const char *tag)
{
	size_t n = strlen(tag);
	if (n == 0 || n > 64)
		return 0;
	if (!(tag[0] >= 'a' && tag[0] <= 'z'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = tag[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}
