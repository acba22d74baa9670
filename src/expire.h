/*
 * expire: which zrep snapshots to destroy (a pure planner) and doing it.
 * Master: keep the last sent snapshot, everything newer, and the newest
 * savecount-1 older ones. Destination: keep the newest savecount. Only
 * snapshots of this tag, of this filesystem, are ever candidates, and never
 * a held one (any tag: zrep's own hold marks the last common snapshot).
 */
#ifndef ZREP_EXPIRE_H
#define ZREP_EXPIRE_H

#include <stddef.h>

#include "zfs.h"
#include "zrepfs.h"

/*
 * Fills out (room for s->n entries) with indices into s of the snapshots to
 * destroy, oldest first. Returns their count, or -1 when a master has no
 * sent snapshot (nothing can be proven safe to remove).
 */
long plan_expire(const struct zsnaps *s, int is_master, long savecount, size_t *out);

/*
 * Expires fi's snapshots on this host (the caller holds the fs lock). snaps
 * may be given (already listed) or NULL. Returns 0, or -1 if something
 * could not be destroyed or planned.
 */
int expire_local(const struct fsinfo *fi, const struct zsnaps *snaps);
/*
 * The destroys expire_local would do on snaps, when they are one zfs command (one snapshot, or a
 * comma list where this zfs takes one): its words after `zfs` in argv, the snapshots in names,
 * and 1. 0 when there is nothing to destroy or it is not one command (expire_local does it).
 */
int expire_local_argv(const struct fsinfo *fi, const struct zsnaps *snaps, struct strv *argv,
                      struct strv *names);

#endif
