/*
 * lock: see lock.h. The global lock is created atomically with its content
 * (write a private file, then link() it into place) so no reader ever sees
 * an empty lock file; a stale one (holder dead) is broken under an flock so
 * two zreps cannot both break it and both believe they won.
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

static int global_held;
static struct strv held_fs;

static char *global_path(const char *suffix)
{
	return xasprintf("%s/zrep.lock%s", cfg.rundir, suffix);
}

static int pid_alive_real(long long pid)
{
	if (pid <= 0 || pid > 0x7fffffff)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
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
	return lock_is_live(hd, host_local_name(), pid_alive_real, start_time_real);
}

char *lock_owner_string(void)
{
	char *st = start_time_real((long long)getpid());
	char *s = xasprintf("%s:%lld:%s", host_local_name(), (long long)getpid(), st ? st : "0");
	free(st);
	return s;
}

int lock_is_live(const struct lock_holder *hd, const char *myhost, int (*pid_alive)(long long),
		 char *(*start_time)(long long))
{
	if (hd->pid <= 0 && !hd->owner)
		return 0;
	if (hd->owner) {
		/* host:pid:start — the host part may itself hold ':' only if a
		 * user chose such a ZREP_SRC_HOST; parse from the right. */
		const char *c2 = strrchr(hd->owner, ':');
		const char *c1 = NULL;
		for (const char *p = hd->owner; p < c2; p++)
			if (*p == ':')
				c1 = p;
		if (c1 && c2) {
			char *host = xstrndup(hd->owner, (size_t)(c1 - hd->owner));
			long long pid;
			char *pidstr = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
			int ok = parse_ll(pidstr, &pid) == 0;
			free(pidstr);
			int same_host = strcmp(host, myhost) == 0;
			free(host);
			if (!ok)
				return 1; /* unreadable: do not guess it away */
			if (!same_host)
				return 1; /* cannot check another host's processes */
			if (hd->pid > 0 && hd->pid != pid)
				return pid_alive(hd->pid); /* someone else (shell zrep?) rewrote lock-pid */
			if (!pid_alive(pid))
				return 0;
			char *st = start_time(pid);
			int live = st && strcmp(st, c2 + 1) == 0;
			free(st);
			return live;
		}
		return 1;
	}
	return pid_alive(hd->pid);
}

/* Reads the PID in the global lock file: >0 pid, 0 empty/garbage, -1 absent. */
static long long read_lockfile(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char buf[64] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	long long pid;
	if (parse_ll(buf, &pid) < 0 || pid <= 0)
		return 0;
	return pid;
}

static int try_create(const char *path, const char *tmp)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return error("cannot create %s: %s", tmp, strerror(errno));
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", (long long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		unlink(tmp);
		return error("cannot write %s", tmp);
	}
	close(fd);
	int r = link(tmp, path);
	int e = errno;
	unlink(tmp);
	if (r == 0)
		return 0;
	if (e == EEXIST)
		return 1;
	return error("cannot create lock file %s: %s", path, strerror(e));
}

/* Removes a lock file whose holder is dead, serialised with other breakers. */
static void break_stale(const char *path, long long seen)
{
	char *bpath = global_path(".break");
	int fd = open(bpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(bpath);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX) == 0) {
		long long now = read_lockfile(path);
		if (now == seen && !pid_alive_real(now)) {
			warn("removing stale global lock %s of dead process %lld", path, now);
			unlink(path);
		}
		flock(fd, LOCK_UN);
	}
	close(fd);
}

int lock_global_acquire(void)
{
	if (global_held)
		return 0;
	char *path = global_path("");
	char *tmp = xasprintf("%s.%lld.tmp", path, (long long)getpid());
	int rc = -1;
	/* Poll every 100 ms for about Z_LOCK_RETRY seconds. */
	long tries = (long)cfg.lock_retry * 10 + 1;
	long long empty_seen = 0;
	for (long i = 0; i < tries && !exec_interrupted(); i++) {
		int r = try_create(path, tmp);
		if (r < 0)
			break;
		if (r == 0) {
			global_held = 1;
			rc = 0;
			break;
		}
		long long holder = read_lockfile(path);
		if (holder == (long long)getpid()) {
			/* left by ourselves? cannot be; treat as held */
			global_held = 1;
			rc = 0;
			break;
		}
		if (holder > 0 && !pid_alive_real(holder)) {
			break_stale(path, holder);
			continue;
		}
		if (holder == 0 && ++empty_seen > 20) {
			/* Written by something that is not zrep, or a crash mid-write
			 * of a shell zrep: do not guess, say what to do. */
			error("global lock %s has invalid contents; remove it if no zrep runs", path);
			break;
		}
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (rc != 0 && !global_held)
		error("cannot acquire global lock %s (held by pid %lld)", path, read_lockfile(path));
	free(path);
	free(tmp);
	return rc;
}

void lock_global_release(void)
{
	if (!global_held)
		return;
	char *path = global_path("");
	if (read_lockfile(path) == (long long)getpid())
		unlink(path);
	global_held = 0;
	free(path);
}

static struct host localhost_h = { (char *)"localhost", 1 };

static int read_holder(const char *fs, struct lock_holder *hd, struct zerr *e)
{
	char *props = xasprintf("%s,%s,%s", P.lock_pid, P.lock_owner, P.lock_time);
	char *dsv[] = { (char *)fs, NULL };
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

int fslock_held(const char *fs)
{
	for (size_t i = 0; i < held_fs.n; i++)
		if (strcmp(held_fs.v[i], fs) == 0)
			return 1;
	return 0;
}

int fslock_acquire(const char *fs, int quiet)
{
	if (fslock_held(fs))
		return 0;
	if (lock_global_acquire() < 0)
		return -1;
	struct zerr e = { 0 };
	struct lock_holder hd;
	int rc = -1;
	if (read_holder(fs, &hd, &e) < 0) {
		error("cannot read lock of %s: %s", fs, zerr_text(&e));
		goto out;
	}
	if (lock_is_live(&hd, host_local_name(), pid_alive_real, start_time_real)) {
		if (!quiet)
			error("%s is locked by %s (pid %lld%s%s); another zrep is working on it", fs,
			      hd.owner ? hd.owner : "a process", hd.pid, hd.time ? ", since " : "",
			      hd.time ? hd.time : "");
		rc = 1;
		holder_free(&hd);
		goto out;
	}
	if (hd.pid > 0 || hd.owner)
		debug("overriding stale lock on %s from pid %lld", fs, hd.pid);
	holder_free(&hd);

	char pidbuf[32], timebuf[32];
	snprintf(pidbuf, sizeof(pidbuf), "%lld", (long long)getpid());
	time_t now = time(NULL);
	strftime(timebuf, sizeof(timebuf), "%Y%m%d%H%M%S", localtime(&now));
	char *owner = lock_owner_string();
	/* Record that we hold it before the first set, so an interruption
	 * between the sets still gets cleaned up. */
	strv_push(&held_fs, fs);
	if (zfs_set(&localhost_h, fs, P.lock_pid, pidbuf, &e) != 0 ||
	    zfs_set(&localhost_h, fs, P.lock_owner, owner, &e) != 0 ||
	    zfs_set(&localhost_h, fs, P.lock_time, timebuf, &e) != 0) {
		error("cannot lock %s: %s", fs, zerr_text(&e));
		free(owner);
		fslock_release(fs);
		goto out;
	}
	free(owner);
	rc = 0;
out:
	zerr_clear(&e);
	lock_global_release();
	return rc;
}

void fslock_release(const char *fs)
{
	size_t i;
	for (i = 0; i < held_fs.n; i++)
		if (strcmp(held_fs.v[i], fs) == 0)
			break;
	if (i == held_fs.n)
		return;
	/* We hold it and a live holder is never overridden, so it is still
	 * ours: no need to read it back first. */
	struct zerr e = { 0 };
	int prev = exec_allow_cleanup(1); /* releasing is cleanup, even after a signal */
	zfs_inherit(&localhost_h, P.lock_time, fs, &e);
	zfs_inherit(&localhost_h, P.lock_owner, fs, &e);
	if (zfs_inherit(&localhost_h, P.lock_pid, fs, &e) != 0 && e.kind != ZE_NOENT)
		warn("cannot release lock on %s: %s", fs, zerr_text(&e));
	exec_allow_cleanup(prev);
	zerr_clear(&e);
	free(held_fs.v[i]);
	held_fs.v[i] = held_fs.v[--held_fs.n];
	held_fs.v[held_fs.n] = NULL;
}

void lock_release_all(void)
{
	while (held_fs.n > 0) {
		char *fs = xstrdup(held_fs.v[held_fs.n - 1]);
		fslock_release(fs);
		free(fs);
	}
	lock_global_release();
}
