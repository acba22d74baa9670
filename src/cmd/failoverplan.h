/*
 * failover -n / takeover -n: the plan of a role swap, printed, with nothing
 * changed on either host (no lock, no freeze, no snapshot, no property).
 */
#ifndef ZREP_CMD_FAILOVERPLAN_H
#define ZREP_CMD_FAILOVERPLAN_H

#include "../failover.h"
#include "../host.h"
#include "../snaps.h"
#include "../zrepfs.h"

struct role_dry {
	const char *fs;   /* this host's filesystem */
	const char *snap; /* FS@SNAP's part after '@', or NULL */
	int local;        /* -L: the partner is not contacted */
	const struct fsinfo *fi;
	const struct role_props *rp;
	const char *pfs;       /* the partner's filesystem */
	const struct host *ph; /* the partner */
	const struct zsnaps *mine;
	int json;
};

/*
 * failover -n on the master: reads the partner as the failover would (one
 * connection; refuses split brain or an unreachable partner as it would,
 * unless -L) and prints freeze, final sync or rollbacks, the partner's
 * takeover and this host's property rewrites. Returns the exit status.
 */
int failover_dry_run(const struct role_dry *d);

/* takeover -L -n on the destination: the rollback (FS@SNAP) and the property rewrites here. */
int takeover_local_dry_run(const struct role_dry *d);

#endif
