/*
 * lock: the global lock file ($ZREP_RUNDIR/zrep.lock, holding a PID, as the
 * shell zrep writes it, so both can run on one host) and the per-filesystem
 * lock kept in the zfs properties TAG:lock-pid / TAG:lock-time, plus
 * TAG:lock-owner ("host:pid:starttime") so a reused PID or another host's
 * lock is never taken for ours or for a dead one. Every fs lock this process
 * takes is released by lock_release_all(), which main runs on every exit
 * path, signals included.
 */
#ifndef ZREP_LOCK_H
#define ZREP_LOCK_H

#include "host.h"

int lock_global_acquire(void);
void lock_global_release(void);

struct lock_holder {
	long long pid;
	char *owner; /* lock-owner value or NULL */
	char *time;  /* lock-time value or NULL */
};

/*
 * Pure decision: given the lock properties found on a filesystem, is the
 * lock held by a live process? pid_alive/start_time are callbacks so tests
 * can drive it. Returns 1 live (busy), 0 free or stale.
 */
int lock_is_live(const struct lock_holder *hd, const char *myhost, int (*pid_alive)(long long),
		 char *(*start_time)(long long));

/* lock_is_live with this host's processes (status reads locks it does not take). */
int lock_holder_live(const struct lock_holder *hd);

/* Our owner string "host:pid:starttime" (malloc'd). */
char *lock_owner_string(void);

/*
 * Takes the fs lock on the local host. Returns 0 when taken, 1 when another
 * live process holds it (a message names the holder unless quiet), -1 on
 * error.
 */
int fslock_acquire(const char *fs, int quiet);
/* Releases one fs lock taken by this process (no-op if not ours). */
void fslock_release(const char *fs);
/* 1 if this process holds the lock on fs. */
int fslock_held(const char *fs);
/* Releases everything this process still holds. Safe to call twice. */
void lock_release_all(void);

#endif
