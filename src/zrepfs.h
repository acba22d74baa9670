/*
 * zrepfs: what zrep knows about one of its filesystems, read in one zfs
 * call: the TAG:* configuration (with sources), and the listings of zrep
 * filesystems and local masters. Also the validation of dataset names given
 * on the command line.
 */
#ifndef ZREP_ZREPFS_H
#define ZREP_ZREPFS_H

#include "host.h"
#include "snaps.h"
#include "zfs.h"

struct fsinfo {
	char *fs;
	char *master;                                              /* local TAG:master value, or NULL */
	char *src_fs, *src_host, *dest_fs, *dest_host, *savecount; /* any real source, NULL when unset */
	enum zsrc dest_fs_src;
	char *dest_fs_inherited_from;
	char *type;    /* filesystem / volume / snapshot */
	char *mounted; /* yes / no / NULL */
	char *readonly;
	enum zsrc readonly_src;
	char *lock_pid, *lock_owner, *lock_time; /* set locally, or NULL */
	char *last_error;                        /* local TAG:last-error ("UNIXTIME MESSAGE"), or NULL */
	char *written; /* bytes written since the newest snapshot, where asked for and the zfs has it */
};

/*
 * Reads fi for ds on h with one `zfs get`. Returns 0, or -1 with a message
 * ("zrep: no such dataset: X" when it does not exist).
 */
int fsinfo_read(const struct host *h, const char *ds, struct fsinfo *fi);
void fsinfo_free(struct fsinfo *fi);

/*
 * The settings and the snapshots of a local filesystem in one zfs get
 * (written too when asked, where the zfs has it): fi as fsinfo_read, snaps
 * as zrepfs_snaps. Rows read ahead by fsview_prefetch are used once
 * instead. Returns 0, or -1 with a message.
 */
int fsview_read(const char *ds, int written, struct fsinfo *fi, struct zsnaps *snaps);
/* The settings of ds read ahead (not used up), or -1 when none were. */
int fsview_peek(const char *ds, struct fsinfo *fi);
/* 1 when ds was read ahead. */
int fsview_is_ahead(const char *ds);
/* The snapshots of ds read ahead (not used up), or -1. */
int fsview_peek_snaps(const char *ds, struct zsnaps *snaps);
/* 1 when ds was read ahead with written = 0 and its newest snapshot is its last sent (sync -c). */
int fsview_unchanged(const char *ds);
/* Reads ahead the views of fss (all local) in one zfs get. Returns 0, or -1 (each reads its own). */
int fsview_prefetch(char *const *fss, size_t n, int written);
/* fsinfo_read of a local ds that must be a zrep filesystem of this tag. Returns 0, or -1 (said why, fi
 * freed). */
int fsinfo_read_configured(const char *ds, struct fsinfo *fi);
/* TAG:master=yes set locally. */
int fsinfo_is_master(const struct fsinfo *fi);
/* Configured for this tag (dest-fs set locally, received or inherited). */
int fsinfo_is_configured(const struct fsinfo *fi);

/*
 * Lists zrep filesystems on the local host: with masters_only, those with a
 * local TAG:master whose TAG:src-host is this host; else every dataset with
 * TAG:dest-fs set locally or received. Names are pushed in zfs order.
 */
int zrepfs_list(struct strv *out, int masters_only);

/* Validates a dataset name from the command line (not empty, no leading
 * '-', no '@' unless allow_snap, no control characters). Prints an error. */
int check_dsname(const char *name, int allow_snap);

/*
 * Lists the snapshots of fs itself (not descendants) on h with TAG:sent
 * (local only), guid and creation, in zsnaps order (snaps.h): one zfs get.
 * Returns 0, or zfs's status (err says why).
 */
int zrepfs_list_snaps(const struct host *h, const char *fs, const char *tag, struct zsnaps *out,
                      struct zerr *err);

/*
 * zrepfs_list_snaps of fs on h for the active tag, saying what went wrong
 * ("no such dataset: X" or why the listing failed). Returns 0 or -1.
 */
int zrepfs_snaps(const struct host *h, const char *fs, struct zsnaps *out);

/* The local host. */
extern struct host local_host;
void zrepfs_init(void);

/* Seconds since the epoch. */
long long now_secs(void);

/* Sleeps in 1 s steps, returning early (-1) when interrupted by a signal. */
int sleep_interruptible(int seconds);

/* The configured savecount of fi (TAG:savecount), validated: >= 1. */
int fsinfo_savecount(const struct fsinfo *fi, long *out);

#endif
