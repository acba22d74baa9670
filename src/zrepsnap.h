/*
 * zrepsnap: creating and marking zrep's own snapshots on this host.
 */
#ifndef ZREP_ZREPSNAP_H
#define ZREP_ZREPSNAP_H

#include "zfs.h"
#include "zrepfs.h"

/*
 * Creates the next zrep snapshot of fs (numbered after the highest zrep
 * snapshot or bookmark in snaps) after checking that fs's src-host is this host. The
 * caller holds the fs lock. Returns the new full name (malloc'd) or NULL.
 */
char *makesnap(const struct fsinfo *fi, const struct zsnaps *snaps);
/* The two halves: the name the next snapshot gets (checks as makesnap; NULL said why), and taking
 * it with the hooks (0, or -1 said why). */
char *makesnap_name(const struct fsinfo *fi, const struct zsnaps *snaps);
int makesnap_take(const struct fsinfo *fi, const char *name);
/* The full name of fs's next zrep snapshot, after every zrep snapshot and bookmark in snaps. */
char *zrepsnap_next_name(const char *fs, const struct zsnaps *snaps);

/* Sets TAG:sent=ts on a local snapshot; says why when it cannot. */
int mark_sent_local(const char *snap, long long ts);

/*
 * Where this zfs has holds (snaps was listed with userrefs): puts zrep's
 * hold (named TAG) on snap, the new last common snapshot, then releases it
 * from every other held snapshot in snaps (one left by an earlier or a
 * killed run; holds of other tags stay), and records that in snaps.
 */
void hold_move(struct zsnaps *snaps, const char *snap);

/*
 * Where this zfs has holds: puts zrep's hold on snap, just taken and not yet
 * sent (the transfer's source is then protected too). Returns 1 when it is
 * held, 0 when not (no holds, or the hold failed: mark_sent_move_hold then
 * holds it).
 */
int hold_new(const struct zsnaps *snaps, const char *snap);

/*
 * After snap reached the destination: marks it sent (TAG:sent=ts) and moves
 * zrep's hold to it as hold_move does, in fewer steps: with snap held
 * already (hold_new), the mark and the releases run at once; else the mark
 * and the hold at once, then the releases. also, when set, is a NULL-ended
 * list of up to 4 more zfs commands (their words after `zfs`) run with the
 * mark; also_ok[k] tells whether the k-th succeeded. Returns -1 when the mark failed (said; the releases are
 * then not done), else 0.
 */
int mark_sent_move_hold(struct zsnaps *snaps, const char *snap, long long ts, int snap_held,
                        char *const *const *also, int *also_ok);

/* Releases zrep's hold from every held snapshot in snaps (clear). */
void hold_release_all(struct zsnaps *snaps);

/*
 * Rolls h's filesystem back to target (in snaps, h's listing), destroying
 * newer snapshots when destroy_newer: zrep's own hold is released from them
 * first (another tag's hold stays, and makes the rollback fail), and put on
 * target, the new last common snapshot. Returns zfs_rollback's status.
 */
int zrep_rollback(const struct host *h, struct zsnaps *snaps, const struct zsnap *target, int destroy_newer,
                  struct zerr *e);

/* Releases zrep's hold from the snapshots v[0..nv) of snaps on h (before a receive -F). */
void hold_release_victims(const struct host *h, struct zsnaps *snaps, const size_t *v, size_t nv);

#endif
