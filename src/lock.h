/*
 * lock: the per-filesystem lock: an flock() on a file in $ZREP_RUNDIR (exclusive, needs no /proc,
 * dies with its holder), shown in the zfs properties TAG:lock-pid /
 * TAG:lock-time (as the shell zrep writes them) plus TAG:lock-owner
 * ("host:pid:starttime"), so a shell zrep's live lock and another host's
 * lock are respected. The fs lock takes no global lock: a zfs command that
 * hangs on one filesystem never blocks another. Every fs lock this process
 * takes is released by lock_release_all(), which main runs on every exit
 * path, signals included.
 */
#ifndef ZREP_LOCK_H
#define ZREP_LOCK_H

#include "host.h"
#include "zfs.h"

struct lock_holder {
	long long pid;
	char *owner; /* lock-owner value or NULL */
	char *time;  /* lock-time value or NULL */
};

/*
 * Pure decision, made while holding the flock of the fs (so no zrep of ours
 * on this host holds it): do the lock properties found on it still keep
 * us out? A shell zrep's lock (lock-pid alone) does while its pid lives;
 * a lock-owner of another host (or unreadable) always does; one of this
 * host is stale. pid_alive is a callback so tests can drive it.
 */
int lock_props_busy(const struct lock_holder *hd, const char *myhost, int (*pid_alive)(long long));

/* For status, which reads locks it does not take: is the holder in hd live? (A holder of this host
 * while its pid lives; else as lock_props_busy.) */
int lock_holder_live(const struct lock_holder *hd);

/* Our owner string "host:pid:starttime" (malloc'd). */
char *lock_owner_string(void);

/*
 * Takes the fs lock on the local host: fslock_take, then the holder read
 * from the properties, then fslock_mark. Returns 0 when taken, 1 when
 * another zrep or a live shell zrep holds it (a message names the holder
 * unless quiet), -2 when a zfs command timed out (ZREP_TIMEOUT), -1 on
 * another error.
 */
int fslock_acquire(const char *fs, int quiet);

/*
 * The two halves, for a caller that reads the filesystem's settings under
 * the lock anyway (one zfs get for both): fslock_take takes the flock only
 * (no zfs command; 0, 1 busy, -1), fslock_mark checks the holder found in
 * the properties and writes ours (0, 1 busy, -2, -1; the lock is released
 * unless it returns 0).
 */
int fslock_take(const char *fs, int quiet);
int fslock_mark(const char *fs, const struct lock_holder *hd, int quiet);

/* Releases one fs lock taken by this process (no-op if not ours). */
void fslock_release(const char *fs);
/* Releases the lock's property of fs (one zfs inherit), keeping the flock until fslock_release:
 * a sync whose work here is done, while the destination finishes its part. */
void fslock_unmark(const char *fs);
/* The same as a zfs command to run along with others: fills out with its words after `zfs` and
 * returns 1 when fs's property is ours to release (else 0); fslock_unmarked then records the
 * outcome (ok 0: it is still marked, and fslock_unmark or fslock_release tries again). */
int fslock_unmark_argv(const char *fs, struct strv *out);
void fslock_unmarked(const char *fs, int ok);
/* 1 if this process holds the lock on fs. */
int fslock_held(const char *fs);
/*
 * sync all: writes the lock properties of every held, unmarked fs whose
 * holder (hds, index-aligned) does not keep us out (the pid is this run's), in
 * `parts` zfs sets run side by side (they share transaction groups), started by
 * fslock_mark_many_start while the caller does other work (the destinations'
 * listing) and waited for by fslock_mark_many_end. A set that failed leaves
 * its filesystems to mark their own. Each is then released by whoever syncs it.
 */
struct lock_marks {
	struct strv *slices; /* each: "set", "PROP=PID", its filesystems */
	size_t n;
	struct zfs_bg bg;
};
void fslock_mark_many_start(char *const *fss, const struct lock_holder *hds, size_t n, int parts,
                            struct lock_marks *m);
void fslock_mark_many_end(struct lock_marks *m);
/* Closes this process's hold of fs's flock without touching the properties (the parent of a
 * worker that released them). */
void fslock_forget(const char *fs);
/* In a worker: lets go of the locks it inherited for other filesystems (never their properties). */
void fslock_keep_only(const char *fs);
/* Releases everything this process still holds. Safe to call twice. */
void lock_release_all(void);

#endif
