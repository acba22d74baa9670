/*
 * snaps: zrep's model of a filesystem's snapshots, above the zfs layer.
 * Pure code (no zfs calls, no messages): it turns the rows of one
 * `zfs get` (zfs.h) into a sorted list, and answers the questions the
 * planners ask of it: which snapshots are zrep's, which was sent last,
 * which is newest, which snapshot two hosts share (by guid, never by name
 * alone), what a rollback destroys, and which base an incremental send
 * uses.
 *
 * Order: the snapshots that are not zrep's first, by creation time (then
 * by name), then the zrep ones by number (zrep_1000000 after zrep_ffffff;
 * for equal numbers the plain name before _unsent).
 */
#ifndef ZREP_SNAPS_H
#define ZREP_SNAPS_H

#include <stddef.h>

#include "bookmark.h"
#include "snapname.h"
#include "zfs_parse.h"

/* One snapshot of a filesystem as the planner sees it. */
struct zsnap {
	char *name;       /* full fs@snap */
	const char *snap; /* points after '@' */
	int is_zrep;      /* matches TAG_<hex>[_unsent] */
	struct snapname sn;
	char *sent; /* local TAG:sent value or NULL */
	char *guid; /* or NULL */
	long long creation;
	long long userrefs; /* holds on it (any tag); -1 when not listed */
};

struct zsnaps {
	struct zsnap *v;
	size_t n;
	struct zbms bms; /* the filesystem's bookmarks, where the listing had them (bookmark.h) */
};

/*
 * The property list zsnaps_parse reads, for `zfs get -r -d 1` of the
 * filesystem: "TAG:sent,guid,creation", then ",extra" if extra is not
 * NULL (other properties read in the same call). malloc'd.
 */
char *zsnaps_props(const char *tag, const char *extra);

/*
 * Builds the sorted list of fs's own snapshots (rows named fs@..., any
 * others are ignored) from `zfs get -Hp` rows of zsnaps_props: TAG:sent
 * counts only when set locally. O(n log n) in the number of rows. The rows
 * of fs's bookmarks (fs#..., OpenZFS lists them too) go to out->bms.
 */
void zsnaps_parse(const struct zprops *rows, const char *fs, const char *tag, struct zsnaps *out);
void zsnaps_free(struct zsnaps *s);

/* The zrep snapshot with the highest number that carries sent (not _unsent), or NULL. */
const struct zsnap *zsnaps_last_sent(const struct zsnaps *s);
/* The zrep snapshot with the highest number (excluding _unsent when skip_unsent), or NULL. */
const struct zsnap *zsnaps_newest(const struct zsnaps *s, int skip_unsent);
/* The snapshot named snap (the part after '@'), or NULL. */
const struct zsnap *zsnaps_find(const struct zsnaps *s, const char *snap);
/* Appends a snapshot (full name) made after the listing; keeps the order. */
void zsnaps_add(struct zsnaps *s, const char *full, const char *tag);
/* Records in memory that a listed snapshot (full name) is now marked sent. */
void zsnaps_mark_sent(struct zsnaps *s, const char *full);
/* Removes full from s (it was destroyed), keeping the order of the others. */
void zsnaps_remove(struct zsnaps *s, const char *full);

/* The snapshot of b that is s (same guid), or NULL. */
const struct zsnap *zsnaps_same(const struct zsnaps *b, const struct zsnap *s);

/*
 * The newest zrep snapshot of a (not _unsent) that b holds with the same
 * guid, or NULL: the last snapshot the two sides provably share.
 */
const struct zsnap *zsnaps_common(const struct zsnaps *a, const struct zsnaps *b);

/*
 * The base of an incremental send from local to a destination that listed
 * n snapshots as full names (fs@snap; entries without '@' are ignored) with
 * their guids: the newest zrep snapshot of local, not `exclude` (the full
 * name of the snapshot being sent, or NULL), whose guid the destination
 * holds, under any name (zfs receive matches an incremental source by
 * guid), an _unsent one included: a transfer that committed there while
 * its answer was lost here. NULL when there is none. O((local + n) log n).
 */
const struct zsnap *zsnaps_common_base(const struct zsnaps *local, char *const *names, char *const *guids,
                                       size_t n, const char *exclude);

/*
 * What `zfs rollback -r target` destroys: fills out (room for s->n) with
 * indices of s's snapshots newer than target (zrep ones by number, others
 * by creation time, counting equal times as newer to be safe). Returns
 * the count.
 */
size_t rollback_victims(const struct zsnaps *s, const struct zsnap *target, size_t *out);

/* Why a rollback victim matters, in the order zsnap_victim_kind tests it. */
enum victim_kind {
	VICTIM_FOREIGN, /* not made by zrep */
	VICTIM_FAILED,  /* a zrep _unsent snapshot (a failed send) */
	VICTIM_SHARED,  /* the other side holds it too (same guid) */
	VICTIM_SENT,    /* carries TAG:sent */
	VICTIM_UNSENT,  /* a zrep snapshot without the sent mark */
};
/* other (may be NULL): the other side's snapshots, for VICTIM_SHARED. */
enum victim_kind zsnap_victim_kind(const struct zsnap *x, const struct zsnaps *other);

/* "fs@snap (guid G)" or "none" for messages; malloc'd. */
char *snap_desc(const struct zsnap *s);

#endif
