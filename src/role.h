/*
 * role: the I/O half of moving the master role, shared by failover,
 * takeover and refresh: reading the partner's state in one round trip,
 * applying a role_plan (failover.h) to the local filesystem, making a new
 * master writable without touching a parent's setting, putting back a
 * readonly setting, and the split-brain report.
 */
#ifndef ZREP_ROLE_H
#define ZREP_ROLE_H

#include "failover.h"
#include "host.h"
#include "zfs.h"
#include "zrepfs.h"

/* The partner's view of its filesystem, read with one zfs get (one ssh). */
struct peer {
	int reached;  /* the host answered */
	int exists;   /* the filesystem exists there */
	char *master; /* its local TAG:master, or NULL */
	struct zsnaps snaps;
	struct zerr err;
};

/* Returns 0 when fs was read, -1 otherwise (p->reached / p->exists / p->err say why). */
int peer_read(const struct host *h, const char *fs, struct peer *p);
void peer_free(struct peer *p);
int peer_is_master(const struct peer *p);

void role_props_from(const struct fsinfo *fi, struct role_props *rp);

/*
 * Applies ops to fs on this host in order, calling crash_point(step)
 * after the first one. Returns 0, or -1 at the first failure (printed).
 */
int role_apply(const char *fs, const struct role_op *ops, size_t n, const char *step);

/*
 * Makes fi->fs writable: a local/received (or unreadable, "temporary")
 * readonly is inherited; if that still leaves it read-only because a
 * parent is, readonly=off is set on fi->fs itself (the parent keeps its
 * setting) and a note says so. Returns 0 or -1.
 */
int make_writable(const struct fsinfo *fi);

/* Mounts fi->fs if it is an unmounted filesystem. Returns 0 or -1. */
int ensure_mounted(const struct fsinfo *fi);

/*
 * Puts back the readonly setting (value, src) read before freezing fs.
 * Returns 0 when fs is writable again as before, 1 when the old setting
 * could not be known (fs is left read-only, a warning says how to undo),
 * -1 on error.
 */
int restore_readonly(const char *fs, const char *value, enum zsrc src);

/*
 * Prints "  HOST: destroying snapshot NAME (why)" for the snapshots of s
 * at the indices v (from rollback_victims). other (may be NULL) is the
 * other side's list: a snapshot it holds is "also on the other side".
 * on_dest: s is a destination's list, where the sent mark means
 * "received".
 */
void victims_print(const char *host, const struct zsnaps *s, const size_t *v, size_t n,
                   const struct zsnaps *other, int on_dest);

/*
 * Prints the split-brain report: both hosts' last sent snapshot and guid,
 * that nothing was changed, and how an operator resolves it.
 */
void split_brain_report(const char *fs, const struct zsnaps *mine, const char *phost, const char *pfs,
                        const struct zsnaps *theirs);

/* "zrep [-t TAG] WORDS..." quoted for a shell, for printed commands. */
char *zrep_command(char *const *words);

#endif
