/*
 * zrepsnap: creating and marking zrep's own snapshots on this host.
 */
#ifndef ZREP_ZREPSNAP_H
#define ZREP_ZREPSNAP_H

#include "zfs.h"
#include "zrepfs.h"

/*
 * Creates the next zrep snapshot of fs (numbered after the highest zrep
 * snapshot in snaps) after checking that fs's src-host is this host. The
 * caller holds the fs lock. Returns the new full name (malloc'd) or NULL.
 */
char *makesnap(const struct fsinfo *fi, const struct zsnaps *snaps);

/* Sets TAG:sent=ts on a local snapshot; says why when it cannot. */
int mark_sent_local(const char *snap, long long ts);

#endif
