/*
 * lock: see lock.h. The flock file is opened with O_NOFOLLOW (a symlink
 * planted under its name is refused, never written through) and is never
 * removed (removing a lock file races with the next taker).
 */

#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "msg.h"
#include "props.h"
#include "zfs.h"

static struct strv held_fs;

/* Is pid a live process that may be a zrep? Where /proc shows its command line, one that does not
 * mention zrep is a reused pid, not a holder. */
static int pid_alive_real(long long pid)
{
	if (pid <= 0 || pid > 0x7fffffff)
		return 0;
	if (!(kill((pid_t)pid, 0) == 0 || errno == EPERM))
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lld/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return n == 0 || strstr(buf, "zrep") != NULL;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static char *start_time_real(long long pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char buf[1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return NULL;
	p++;
	/* after ") " comes field 3 */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (!p)
		return NULL;
	p++;
	return xstrndup(p, strcspn(p, " "));
}

int lock_holder_live(const struct lock_holder *hd)
{
	/* Read-only (status): the flock is not tried, as that could make a real
	 * taker fail. A holder of this host is live while its pid is. */
	long long pid;
	const char *c2 = hd->owner ? strrchr(hd->owner, ':') : NULL;
	const char *c1 = NULL;
	for (const char *p = hd->owner; c2 && p < c2; p++)
		if (*p == ':')
			c1 = p;
	if (c1 && (size_t)(c1 - hd->owner) == strlen(host_local_name()) &&
	    strncmp(hd->owner, host_local_name(), (size_t)(c1 - hd->owner)) == 0) {
		char *ps = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
		int ok = parse_ll(ps, &pid) == 0;
		free(ps);
		return ok ? pid_alive_real(pid) : 1;
	}
	return lock_props_busy(hd, host_local_name(), pid_alive_real);
}

char *lock_owner_string(void)
{
	char *st = start_time_real((long long)getpid());
	char *s = xasprintf("%s:%lld:%s", host_local_name(), (long long)getpid(), st ? st : "0");
	free(st);
	return s;
}

int lock_props_busy(const struct lock_holder *hd, const char *myhost, int (*pid_alive)(long long))
{
	if (hd->pid <= 0 && !hd->owner)
		return 0;
	if (!hd->owner)
		return pid_alive(hd->pid); /* a shell zrep's lock: its pid is all there is */
	/* host:pid:start — the host part may itself hold ':' only if a user
	 * chose such a ZREP_SRC_HOST; parse from the right. */
	const char *c2 = strrchr(hd->owner, ':');
	const char *c1 = NULL;
	for (const char *p = hd->owner; c2 && p < c2; p++)
		if (*p == ':')
			c1 = p;
	if (!c1)
		return 1; /* unreadable: do not guess it away */
	long long pid;
	char *pidstr = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	int ok = parse_ll(pidstr, &pid) == 0;
	free(pidstr);
	if (!ok || strlen(myhost) != (size_t)(c1 - hd->owner) ||
	    strncmp(hd->owner, myhost, strlen(myhost)) != 0)
		return 1; /* unreadable, or another host's: we cannot check its processes */
	if (hd->pid > 0 && hd->pid != pid)
		return pid_alive(hd->pid); /* someone else (a shell zrep) rewrote lock-pid */
	return 0; /* a zrep of ours on this host that no longer holds the flock: gone */
}

static struct host localhost_h = {(char *)"localhost", 1};

static int read_holder(const char *fs, struct lock_holder *hd, struct zerr *e)
{
	char *props = xasprintf("%s,%s,%s", P.lock_pid, P.lock_owner, P.lock_time);
	char *dsv[] = {(char *)fs, NULL};
	struct zprops rows;
	memset(hd, 0, sizeof(*hd));
	int st = zfs_get(&localhost_h, props, NULL, -1, dsv, &rows, e);
	free(props);
	if (st != 0)
		return -1;
	for (size_t i = 0; i < rows.n; i++) {
		const struct zprop *r = &rows.v[i];
		if (r->src != ZSRC_LOCAL)
			continue;
		if (strcmp(r->prop, P.lock_pid) == 0) {
			if (parse_ll(r->value, &hd->pid) < 0)
				hd->pid = -1;
		} else if (strcmp(r->prop, P.lock_owner) == 0) {
			hd->owner = xstrdup(r->value);
		} else if (strcmp(r->prop, P.lock_time) == 0) {
			hd->time = xstrdup(r->value);
		}
	}
	zprops_free(&rows);
	return 0;
}

static void holder_free(struct lock_holder *hd)
{
	free(hd->owner);
	free(hd->time);
}

/*
 * The kernel lock that makes the fs lock exclusive among zreps on this
 * host: flock() on $ZREP_RUNDIR/zrep.TAG.NAME.lock (NAME the fs with
 * every byte outside [A-Za-z0-9._-] as %XX). It needs no /proc, no global
 * lock and no zfs command, and dies with its holder, so a crashed run never
 * blocks the next. The zfs properties are still written after it is taken:
 * they show the holder (status, a shell zrep) and keep out a live shell zrep.
 */
static char *flock_path(const char *fs)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s/zrep.%s.", cfg.rundir, cfg.tag);
	for (const unsigned char *c = (const unsigned char *)fs; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '.' || *c == '_' || *c == '-')
			sb_add(&sb, c, 1);
		else
			sb_addf(&sb, "%%%02X", *c);
	}
	sb_adds(&sb, ".lock");
	return sb_detach(&sb);
}

/* Our flock fds, and whether the properties were written, index-aligned with held_fs. */
static int *held_fd;
static int *held_marked;
static size_t held_room;

static long held_index(const char *fs)
{
	for (size_t i = 0; i < held_fs.n; i++)
		if (strcmp(held_fs.v[i], fs) == 0)
			return (long)i;
	return -1;
}

int fslock_held(const char *fs)
{
	return held_index(fs) >= 0;
}

/* Returns the fd (>= 0) with the flock taken, -2 when another process holds it, -1 on error. */
static int flock_open(const char *fs)
{
	char *path = flock_path(fs);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		error("cannot open lock file %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return -2;
		return error("cannot lock %s: %s", fs, strerror(e));
	}
	return fd;
}

static void busy_message(const char *fs, const struct lock_holder *hd)
{
	/* Without lock-owner (a zfs that sets one property at a time) the holder is on this host:
	 * its flock is. */
	char *who = hd->owner ? xstrdup(hd->owner) : xasprintf("%s:%lld", host_local_name(), hd->pid);
	error("%s is locked by %s (pid %lld%s%s); another zrep is working on it", fs, who, hd->pid,
	      hd->time ? ", since " : "", hd->time ? hd->time : "");
	free(who);
}

/* Names the holder of a lock we could not take (one zfs get). */
static void busy_report(const char *fs)
{
	struct lock_holder hd;
	struct zerr e = {0};
	if (read_holder(fs, &hd, &e) == 0) {
		busy_message(fs, &hd);
		holder_free(&hd);
	} else {
		error("%s is locked by another zrep", fs);
	}
	zerr_clear(&e);
}

int fslock_take(const char *fs, int quiet)
{
	if (fslock_held(fs))
		return 0;
	if (held_fs.n >= held_room) {
		held_room = held_room ? 2 * held_room : 16;
		held_fd = xrealloc(held_fd, held_room * sizeof(*held_fd));
		held_marked = xrealloc(held_marked, held_room * sizeof(*held_marked));
	}
	int fd = flock_open(fs);
	if (fd == -1)
		return -1;
	if (fd == -2) {
		if (!quiet)
			busy_report(fs);
		return 1;
	}
	held_fd[held_fs.n] = fd;
	held_marked[held_fs.n] = 0;
	strv_push(&held_fs, fs);
	return 0;
}

int fslock_mark(const char *fs, const struct lock_holder *hd, int quiet)
{
	long i = held_index(fs);
	if (i < 0)
		return error("internal error: marking a lock not taken on %s", fs);
	if (held_marked[i])
		return 0;
	/* We hold the flock: the properties matter only for a holder without
	 * it (a shell zrep, another host); a zrep of ours that left them died. */
	if (lock_props_busy(hd, host_local_name(), pid_alive_real)) {
		if (!quiet)
			busy_message(fs, hd);
		fslock_release(fs);
		return 1;
	}
	if (hd->pid > 0 || hd->owner)
		debug("overriding stale lock on %s from pid %lld", fs, hd->pid);
	char pidbuf[32];
	snprintf(pidbuf, sizeof(pidbuf), "%lld", (long long)getpid());
	/* Marked before the first set, so an interruption between the sets
	 * still gets cleaned up. */
	held_marked[i] = 1;
	struct zerr e = {0};
	int rc = 0;
	/* lock-pid alone, what a shell zrep reads: one zfs set, and one zfs inherit leaves the
	 * filesystem as it was (the flock is the lock; lock-time is informational) */
	char *pv[2] = {xasprintf("%s=%s", P.lock_pid, pidbuf), NULL};
	if (zfs_set_props(&localhost_h, fs, pv, &e) != 0) {
		error("cannot lock %s: %s", fs, zerr_text(&e));
		fslock_release(fs);
		rc = e.kind == ZE_TIMEOUT ? -2 : -1;
	}
	for (size_t k = 0; k < ARRAY_SIZE(pv); k++)
		free(pv[k]);
	zerr_clear(&e);
	return rc;
}

void fslock_mark_many_start(char *const *fss, const struct lock_holder *hds, size_t n, int parts,
                            struct lock_marks *m)
{
	memset(m, 0, sizeof(*m));
	struct strv todo = STRV_INIT;
	for (size_t k = 0; k < n; k++) {
		long i = held_index(fss[k]);
		if (i >= 0 && !held_marked[i] && !lock_props_busy(&hds[k], host_local_name(), pid_alive_real))
			strv_push(&todo, fss[k]);
	}
	if (todo.n < 2) {
		strv_clear(&todo);
		return; /* each marks its own */
	}
	m->n = (size_t)(parts < 1 ? 1 : parts);
	if (m->n > todo.n)
		m->n = todo.n;
	m->slices = xmalloc(m->n * sizeof(*m->slices));
	char ***cmds = xmalloc(m->n * sizeof(*cmds));
	for (size_t s = 0; s < m->n; s++) {
		m->slices[s] = (struct strv)STRV_INIT;
		strv_push(&m->slices[s], "set");
		strv_pushf(&m->slices[s], "%s=%lld", P.lock_pid, (long long)getpid());
	}
	/* marked first: an interruption during the sets still gets them released */
	for (size_t k = 0; k < todo.n; k++) {
		strv_push(&m->slices[k % m->n], todo.v[k]);
		held_marked[held_index(todo.v[k])] = 1;
	}
	for (size_t s = 0; s < m->n; s++)
		cmds[s] = m->slices[s].v;
	zfs_start_together(&localhost_h, (char *const *const *)cmds, m->n, &m->bg);
	free(cmds);
	strv_clear(&todo);
}

void fslock_mark_many_end(struct lock_marks *m)
{
	if (!m->n)
		return;
	struct zerr *errs = xmalloc(m->n * sizeof(*errs));
	memset(errs, 0, m->n * sizeof(*errs));
	zfs_wait_together(&m->bg, errs);
	for (size_t s = 0; s < m->n; s++) {
		if (errs[s].status != 0) {
			debug("could not mark %zu locks in one zfs set (%s); each marks its own",
			      m->slices[s].n - 2, zerr_text(&errs[s]));
			for (size_t k = 2; k < m->slices[s].n; k++) {
				long i = held_index(m->slices[s].v[k]);
				if (i >= 0)
					held_marked[i] = 0;
			}
		}
		zerr_clear(&errs[s]);
		strv_clear(&m->slices[s]);
	}
	free(errs);
	free(m->slices);
	m->slices = NULL;
	m->n = 0;
}

void fslock_forget(const char *fs)
{
	long i = held_index(fs);
	if (i < 0)
		return;
	free(held_fs.v[i]);
	close(held_fd[i]);
	size_t last = --held_fs.n;
	held_fs.v[i] = held_fs.v[last];
	held_fd[i] = held_fd[last];
	held_marked[i] = held_marked[last];
	held_fs.v[last] = NULL;
}

int fslock_acquire(const char *fs, int quiet)
{
	if (fslock_held(fs))
		return 0;
	int r = fslock_take(fs, quiet);
	if (r != 0)
		return r;
	struct zerr e = {0};
	struct lock_holder hd;
	if (read_holder(fs, &hd, &e) < 0) {
		error("cannot read lock of %s: %s", fs, zerr_text(&e));
		r = e.kind == ZE_TIMEOUT ? -2 : -1;
		zerr_clear(&e);
		fslock_release(fs);
		return r;
	}
	r = fslock_mark(fs, &hd, quiet);
	holder_free(&hd);
	return r;
}

void fslock_unmark(const char *fs)
{
	long i = held_index(fs);
	if (i < 0 || !held_marked[i])
		return;
	struct zerr e = {0};
	int prev = exec_allow_cleanup(1);
	if (zfs_inherit(&localhost_h, P.lock_pid, fs, &e) != 0 && e.kind != ZE_NOENT)
		warn("cannot release lock on %s: %s", fs, zerr_text(&e));
	exec_allow_cleanup(prev);
	zerr_clear(&e);
	held_marked[i] = 0;
}

int fslock_unmark_argv(const char *fs, struct strv *out)
{
	long i = held_index(fs);
	if (i < 0 || !held_marked[i])
		return 0;
	zfs_argv_inherit(out, P.lock_pid, fs);
	return 1;
}

void fslock_unmarked(const char *fs, int ok)
{
	long i = held_index(fs);
	if (ok && i >= 0)
		held_marked[i] = 0;
}

void fslock_release(const char *fs)
{
	long i = held_index(fs);
	if (i < 0)
		return;
	/* We hold it and a live holder is never overridden, so it is still
	 * ours: no need to read it back first. */
	if (held_marked[i]) {
		struct zerr e = {0};
		int prev = exec_allow_cleanup(1); /* releasing is cleanup, even after a signal */
		/* lock-pid alone (one command): a lock-time or lock-owner left behind names no live
		 * holder (the shell zrep leaves lock-time too), and the flock is what keeps others out. */
		if (zfs_inherit(&localhost_h, P.lock_pid, fs, &e) != 0 && e.kind != ZE_NOENT)
			warn("cannot release lock on %s: %s", fs, zerr_text(&e));
		exec_allow_cleanup(prev);
		zerr_clear(&e);
	}
	free(held_fs.v[i]);
	close(held_fd[i]); /* drops the flock */
	size_t last = --held_fs.n;
	held_fs.v[i] = held_fs.v[last];
	held_fd[i] = held_fd[last];
	held_marked[i] = held_marked[last];
	held_fs.v[last] = NULL;
}

void fslock_keep_only(const char *fs)
{
	for (size_t i = held_fs.n; i-- > 0;) {
		/* marked or not, the others' are not this worker's to release */
		if (strcmp(held_fs.v[i], fs) == 0)
			continue;
		close(held_fd[i]);
		free(held_fs.v[i]);
		size_t last = --held_fs.n;
		held_fs.v[i] = held_fs.v[last];
		held_fd[i] = held_fd[last];
		held_marked[i] = held_marked[last];
		held_fs.v[last] = NULL;
	}
}

void lock_release_all(void)
{
	while (held_fs.n > 0) {
		char *fs = xstrdup(held_fs.v[held_fs.n - 1]);
		fslock_release(fs);
		free(fs);
	}
}
