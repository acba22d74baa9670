/*
 * util: allocation that cannot fail silently, growable strings (strbuf) and
 * NULL-terminated string vectors (strv) used to build argv arrays.
 */
#ifndef ZREP_UTIL_H
#define ZREP_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
/* Writes all of s to fd (EINTR retried): 0, or -1 when the other side went away. */
int write_full(int fd, const char *s, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd string built like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct strbuf {
	char *buf; /* always NUL-terminated once initialised */
	size_t len;
	size_t cap;
};
#define STRBUF_INIT                                                                                          \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

void sb_init(struct strbuf *sb);
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(struct strbuf *sb);
void sb_release(struct strbuf *sb);
/* Removes trailing newlines/spaces. */
/* Returns buf ("" when never written); never NULL. */
const char *sb_str(const struct strbuf *sb);
/* Removes trailing blanks and newlines. */
void sb_rtrim(struct strbuf *sb);
/* Detaches the buffer (caller frees); the strbuf is reset. */
char *sb_detach(struct strbuf *sb);

struct strv {
	char **v; /* NULL-terminated */
	size_t n;
	size_t cap;
};
#define STRV_INIT                                                                                            \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

void strv_push(struct strv *sv, const char *s);
void strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_push_nodup(struct strv *sv, char *s);
void strv_pushv(struct strv *sv, char *const *words);
/* Splits s on blanks (space, tab, newline) and pushes each word. */
void strv_split(struct strv *sv, const char *s);
void strv_clear(struct strv *sv);
/* v is never NULL after this call (an empty vector holds just NULL). */
char **strv_argv(struct strv *sv);

/* Splits text into lines (without the newline); the vector owns copies. */
void strv_lines(struct strv *sv, const char *text);

/* Strict unsigned decimal parse of the whole string; returns 0 on success. */
int parse_ull(const char *s, unsigned long long *out);
/* Strict signed decimal parse; returns 0 on success. */
int parse_ll(const char *s, long long *out);

int str_starts(const char *s, const char *prefix);
int str_eq(const char *a, const char *b); /* NULL-safe */

#endif
