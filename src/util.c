/*
 * util: the small building blocks every other module uses. Allocation
 * failure is fatal here (a replication tool that half-ran on a failed malloc
 * is worse than one that stops), so callers never check for NULL.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oom(void)
{
	static const char msg[] = "zrep: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	_exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *vasprintf_x(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = vasprintf_x(fmt, ap);
	va_end(ap);
	return p;
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = vasprintf_x(fmt, ap);
	va_end(ap);
	sb_adds(sb, p);
	free(p);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

void sb_rtrim(struct strbuf *sb)
{
	while (sb->len > 0 && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == ' ' ||
	                       sb->buf[sb->len - 1] == '\t' || sb->buf[sb->len - 1] == '\r'))
		sb->buf[--sb->len] = '\0';
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb_init(sb);
	return p;
}

static void strv_grow(struct strv *sv)
{
	if (sv->n + 2 <= sv->cap)
		return;
	sv->cap = sv->cap ? sv->cap * 2 : 8;
	sv->v = xrealloc(sv->v, sv->cap * sizeof(char *));
}

void strv_push_nodup(struct strv *sv, char *s)
{
	strv_grow(sv);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strv_push(struct strv *sv, const char *s)
{
	strv_push_nodup(sv, xstrdup(s));
}

void strv_pushf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = vasprintf_x(fmt, ap);
	va_end(ap);
	strv_push_nodup(sv, p);
}

void strv_pushv(struct strv *sv, char *const *words)
{
	for (; words && *words; words++)
		strv_push(sv, *words);
}

void strv_split(struct strv *sv, const char *s)
{
	if (!s)
		return;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		const char *e = s;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n')
			e++;
		if (e > s)
			strv_push_nodup(sv, xstrndup(s, (size_t)(e - s)));
		s = e;
	}
}

void strv_clear(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

char **strv_argv(struct strv *sv)
{
	strv_grow(sv);
	sv->v[sv->n] = NULL;
	return sv->v;
}

void strv_lines(struct strv *sv, const char *text)
{
	const char *s = text;
	while (s && *s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		strv_push_nodup(sv, xstrndup(s, n));
		s = e ? e + 1 : s + n;
	}
}

int parse_ull(const char *s, unsigned long long *out)
{
	if (!s || !*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_ll(const char *s, long long *out)
{
	if (!s || !*s)
		return -1;
	const char *d = (*s == '-') ? s + 1 : s;
	if (!isdigit((unsigned char)*d))
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int str_starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int write_full(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}
