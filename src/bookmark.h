/*
 * bookmark: zrep's bookmarks (OpenZFS; zfs-fuse has none). Where the local
 * zfs has bookmarks, a sync bookmarks the snapshot it is about to send as
 * FS#SNAP (tank/a#zrep_00002a) before any data flows, and after the
 * transfer is recorded keeps only that one: the bookmark of the last sent
 * snapshot, plus during a transfer the one being sent. When the snapshot a
 * destination holds is gone here (destroyed by hand), the bookmark with its
 * guid is the incremental base (`zfs send -i FS#SNAP FS@NEW`).
 *
 * Cost per sync: the bookmarks come in the snapshot listing a sync reads
 * anyway (`zfs get -r -d 1` lists bookmarks too), then one `zfs bookmark`
 * and, once the snapshot is recorded as sent, one `zfs destroy` of the
 * previous bookmark. Only names matching TAG_<hex>[_unsent] after the '#'
 * are zrep's; the user's bookmarks are never touched.
 *
 * The first half is pure (parsing rows, choosing the base); the second
 * runs zfs on this host.
 */
#ifndef ZREP_BOOKMARK_H
#define ZREP_BOOKMARK_H

#include <stddef.h>

#include "snapname.h"
#include "zfs_parse.h"

struct zsnaps;
struct zsnap;

struct zbm {
	char *name;     /* fs#bm */
	const char *bm; /* points after '#' */
	int is_zrep;    /* bm matches TAG_<hex>[_unsent] */
	struct snapname sn;
	char *guid; /* or NULL */
};

/* A filesystem's bookmarks: zrep's by number, after the others (by name). */
struct zbms {
	struct zbm *v;
	size_t n;
};

/* Pure: the bookmarks of fs itself (rows named fs#...) from `zfs get -Hp` rows. */
void zbms_parse(const struct zprops *rows, const char *fs, const char *tag, struct zbms *out);
void zbms_free(struct zbms *b);
/* The bookmark named bm (the part after '#'), or NULL. */
const struct zbm *zbms_find(const struct zbms *b, const char *bm);
/* The zrep bookmark with the highest number, or NULL. */
const struct zbm *zbms_newest(const struct zbms *b);

/*
 * Pure: the incremental base a bookmark gives, or NULL. The destination
 * listed n snapshots (full names fs@snap, others ignored) with their guids;
 * than is the snapshot base already chosen (its number and guid; NULL when
 * no snapshot is common). The result is the newest zrep bookmark of local
 * whose guid the destination holds, not named exclude (the part after '@'
 * of the snapshot being sent), and newer than `than` (a snapshot of the
 * same number or guid is the better base: -I works from it).
 */
const struct zbm *bookmark_base(const struct zbms *local, char *const *names, char *const *guids, size_t n,
                                const struct snapname *than, const char *than_guid, const char *exclude);

/* Pure: the bookmark name of the full snapshot name fs@snap: fs#snap (malloc'd), NULL if no '@'. */
char *bookmark_name_of(const char *snap);

/*
 * Whether this sync uses bookmarks: the local zfs has them and the sync is
 * not recursive (zfs bookmark and send -R -i FS#BM do not go together).
 * Bookmarks in snaps (the sync's listing) tell without a probe; else the
 * host's features are probed (once per run: `zfs` usage).
 */
int bookmarks_enabled(const struct zsnaps *snaps);

/*
 * Before the transfer of snap (full name) in a sync: creates its bookmark
 * FS#SNAP. A zrep bookmark of that name left by an earlier run for another
 * snapshot (another guid than snap's in snaps, or snap was not listed) is
 * destroyed first. snaps: the listing of the sync. A failure is a warning
 * only (the transfer does not need the bookmark).
 */
void bookmark_before_send(const struct zsnaps *snaps, const char *snap);

/*
 * After snap was recorded as sent: destroys zrep's other bookmarks of its
 * filesystem that snaps listed before this sync, keeping snap's.
 */
void bookmark_after_sent(const struct zsnaps *snaps, const char *snap);

/*
 * The push's hook (pipeline.c common_base): bookmark_base for the local
 * listing (snaps, its bookmarks included), the destination's snapshots
 * (names, guids, n), the snapshot base chosen (best, may be NULL) and the
 * snapshot being sent; says so when it picks one. Returns the bookmark's
 * full name (owned by snaps) or NULL. Never for a recursive sync.
 */
const char *bookmark_pick(const struct zsnaps *snaps, char *const *names, char *const *guids, size_t n,
                          const struct zsnap *best, const char *snap);

/* Destroys every zrep bookmark in have (clear). Returns 0, or -1 if one could not be destroyed. */
int bookmark_destroy_all(const struct zbms *have);

#endif
