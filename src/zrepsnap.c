/*
 * zrepsnap: see zrepsnap.h.
 */
#include "zrepsnap.h"

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "lock.h"
#include "msg.h"
#include "props.h"

char *makesnap(const struct fsinfo *fi, const struct zsnaps *snaps)
{
	if (!str_eq(fi->src_host, host_local_name())) {
		error("%s: not the master host for this filesystem (src-host is %s, we are %s)", fi->fs,
		      fi->src_host ? fi->src_host : "unset", host_local_name());
		return NULL;
	}
	if (!fslock_held(fi->fs)) {
		error("internal error: makesnap without the lock on %s", fi->fs);
		return NULL;
	}
	unsigned long long next = 0;
	int any = 0;
	for (size_t i = 0; i < snaps->n; i++) {
		if (!snaps->v[i].is_zrep)
			continue;
		if (!any || snaps->v[i].sn.seq >= next)
			next = snaps->v[i].sn.seq + 1;
		any = 1;
	}
	char *name = snapname_format(fi->fs, cfg.tag, next);
	struct zerr e = { 0 };
	if (zfs_snapshot(&local_host, name, cfg.recursive, &e) != 0) {
		error("cannot create snapshot %s: %s", name, zerr_text(&e));
		zerr_clear(&e);
		free(name);
		return NULL;
	}
	return name;
}

int mark_sent_local(const char *snap, long long ts)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", ts);
	struct zerr e = { 0 };
	int rc = zfs_set(&local_host, snap, P.sent, buf, &e);
	if (rc != 0)
		error("cannot mark %s as sent: %s", snap, zerr_text(&e));
	zerr_clear(&e);
	return rc ? -1 : 0;
}
