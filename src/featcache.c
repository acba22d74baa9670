/*
 * featcache: see featcache.h.
 */
#include "featcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

struct bit {
	const char *name;
	size_t off;
};
#define BIT(x)                                                                                               \
	{                                                                                                    \
#x, offsetof(struct zfs_features, x)                                                         \
	}
static const struct bit bits[] = {BIT(recv_u),    BIT(recv_o),    BIT(recv_s),       BIT(send_t),
                                  BIT(send_p),    BIT(bookmarks), BIT(holds),        BIT(depth),
                                  BIT(snapprops), BIT(multi_set), BIT(destroy_list), BIT(written)};

char *featcache_format(const char *key, const char *stamp, const struct zfs_features *f)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "zrep-features 1 %s\n%s\n", key, stamp);
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		sb_addf(&sb, "%s=%d\n", bits[i].name, *(const int *)((const char *)f + bits[i].off) ? 1 : 0);
	return sb_detach(&sb);
}

int featcache_parse(const char *text, const char *key, const char *stamp, struct zfs_features *f)
{
	struct strv lines = STRV_INIT;
	strv_lines(&lines, text);
	int rc = -1;
	char *head = xasprintf("zrep-features 1 %s", key);
	if (lines.n == 2 + ARRAY_SIZE(bits) && strcmp(lines.v[0], head) == 0 &&
	    strcmp(lines.v[1], stamp) == 0) {
		memset(f, 0, sizeof(*f));
		rc = 0;
		for (size_t i = 0; i < ARRAY_SIZE(bits) && rc == 0; i++) {
			const char *l = lines.v[2 + i];
			size_t n = strlen(bits[i].name);
			if (strncmp(l, bits[i].name, n) != 0 || l[n] != '=' ||
			    (l[n + 1] != '0' && l[n + 1] != '1') || l[n + 2])
				rc = -1;
			else
				*(int *)((char *)f + bits[i].off) = l[n + 1] == '1';
		}
		f->probed = rc == 0;
	}
	free(head);
	strv_clear(&lines);
	return rc;
}

static char *cache_path(const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a 64 */
	for (const char *s = key; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return xasprintf("%s/zrep.features.%016llx", cfg.rundir, (unsigned long long)h);
}

/* "SIZE MTIME" of the zfs that PATH finds, or NULL. */
static char *local_stamp(void)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	char *dup = xstrdup(path), *save = NULL;
	char *res = NULL;
	for (char *d = strtok_r(dup, ":", &save); d && !res; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/zfs", *d ? d : ".");
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			res = xasprintf("%lld %lld", (long long)st.st_size, (long long)st.st_mtime);
		free(p);
	}
	free(dup);
	return res;
}

static char *stamp_for(const char *key)
{
	return *key ? xstrdup("") : local_stamp();
}

int featcache_load(const char *key, struct zfs_features *f)
{
	char *stamp = stamp_for(key);
	if (!stamp)
		return -1;
	char *path = cache_path(key);
	int rc = -1;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_size < 4096 && (*key == '\0' || time(NULL) - st.st_mtime < FEATCACHE_MAX_AGE)) {
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			rc = featcache_parse(buf, key, stamp, f);
		}
	}
	if (fd >= 0)
		close(fd);
	free(path);
	free(stamp);
	return rc;
}

void featcache_store(const char *key, const struct zfs_features *f)
{
	char *stamp = stamp_for(key);
	if (!stamp)
		return;
	char *path = cache_path(key);
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	char *text = featcache_format(key, stamp, f);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		size_t n = strlen(text);
		int ok = write(fd, text, n) == (ssize_t)n;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(text);
	free(tmp);
	free(path);
	free(stamp);
}

void featcache_forget(const char *key)
{
	char *path = cache_path(key);
	if (unlink(path) != 0 && errno != ENOENT)
		(void)0;
	free(path);
}
