/*
 * syncfs: one filesystem's sync (snapshot + incremental push + marks +
 * expiry), shared by sync, synconly and failover. The caller validates
 * arguments; this does the work under the fs lock.
 */
#ifndef ZREP_SYNCFS_H
#define ZREP_SYNCFS_H

#include "zrepfs.h"

struct sync_opts {
	int make_snapshot; /* sync: yes; synconly: send the newest existing one */
	int force;         /* recv -F */
	int quiet_secs;    /* -q: skip quietly when busy and last sync is this recent */
	int keep_lock;     /* failover: leave the fs locked (caller releases) */
	int skip_expire;
	int verbose;        /* -v / ZREP_VERBOSE: zfs send -v */
	int resume;         /* -r / ZREP_RESUME: resumable receive, finish a partial one first */
	int changed_only;   /* -c / ZREP_CHANGEDONLY: no new snapshot when nothing changed */
	char **newsnap_out; /* if set, receives the snapshot that was sent */
	int defer_record;   /* sync all: leave the local marks, hold move, expiry and lock release of
	                       a plain successful sync to sync_record_deferred (SYNC_DEFERRED) */
};

/* Result codes. SYNC_TEMPFAIL: it may work on the next run unchanged (busy,
 * stalled, timed out, partner unreachable); SYNC_FAIL needs a person. */
enum { SYNC_OK = 0, SYNC_FAIL = -1, SYNC_SKIPPED = 1, SYNC_TEMPFAIL = 2, SYNC_DEFERRED = 3 };

int sync_fs(const char *fs, const struct sync_opts *o);

/*
 * The bookkeeping of the syncs of fss that returned SYNC_DEFERRED, for all
 * of them at once, in slices of at least 12 filesystems (at most parallel
 * slices) run side by side: per slice, here one zfs set of TAG:sent on
 * every new snapshot, one zfs hold, one zfs release of the previous holds,
 * each filesystem's expiry (and bookmark upkeep); on each destination host
 * one finish call doing the same there; then per slice one zfs inherit of
 * the lock properties. Everything is planned from the rows read ahead
 * (fsview, destview), as each sync saw them. Returns how many filesystems
 * could not be recorded.
 */
int sync_record_deferred(char *const *fss, size_t n, int parallel);

/*
 * Runs the remote side of an expire for a master fs (split-brain check,
 * then `zrep expire DESTFS` there), one connection. Returns 0, -1 on split
 * brain or unreachable, 1 when the remote expire itself failed.
 */
int expire_remote(const struct fsinfo *fi);

#endif
