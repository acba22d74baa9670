/*
 * failoverplan: see failoverplan.h. The steps are those failover.c and
 * takeover.c take, in their order (failover.h describes the protocol);
 * keep the two in step.
 */
#include "failoverplan.h"

#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../props.h"
#include "../role.h"
#include "../snapname.h"
#include "plan.h"

/* A rollback of snaps to target on host, with the snapshots it destroys. */
static void plan_rollback(struct plan *p, const char *host, const struct zsnaps *snaps,
                          const struct zsnap *target)
{
	size_t *v = xmalloc((snaps->n + 1) * sizeof(*v));
	size_t nv = rollback_victims(snaps, target, v);
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < nv; i++) {
		if (i)
			sb_adds(&names, ",");
		sb_adds(&names, snaps->v[v[i]].snap);
	}
	plan_begin(p, host, "rollback");
	plan_str(p, "snapshot", target->name);
	plan_str(p, "destroys", nv ? sb_str(&names) : NULL);
	plan_end(p);
	sb_release(&names);
	free(v);
}

static void plan_roles(struct plan *p, const struct role_dry *d, int to_master)
{
	struct role_op ops[ROLE_MAX_OPS];
	size_t n = role_plan(d->rp, d->fs, host_local_name(), d->pfs, d->ph->name, to_master, ops);
	for (size_t i = 0; i < n; i++)
		plan_prop(p, host_local_name(), d->fs, ops[i].prop, ops[i].value);
}

int failover_dry_run(const struct role_dry *d)
{
	const char *lh = host_local_name();
	struct peer pr;
	memset(&pr, 0, sizeof(pr));
	int have_peer = 0, rc = EXIT_FAIL;
	if (!d->local) {
		if (peer_read(d->ph, d->pfs, &pr) < 0) {
			error("cannot reach %s to plan the failover of %s: %s; nothing was changed",
			      d->ph->name, d->fs, zerr_text(&pr.err));
			rc = pr.reached ? EXIT_FAIL : EXIT_TEMPFAIL;
			goto out;
		}
		have_peer = 1;
		if (peer_is_master(&pr)) {
			split_brain_report(d->fs, d->mine, d->ph->name, d->pfs, &pr.snaps);
			goto out;
		}
	}
	const struct zsnap *target = NULL;
	if (d->snap)
		target = zsnaps_find(d->mine, d->snap);
	else if (d->local)
		target = zsnaps_last_sent(d->mine);
	if ((d->snap || d->local) && !target) {
		error("%s: %s is not here; nothing to plan", d->fs,
		      d->snap ? d->snap : "no snapshot marked sent");
		goto out;
	}
	struct plan p;
	plan_init(&p, d->json);
	plan_prop(&p, lh, d->fs, "readonly", "on");
	if (target) {
		plan_rollback(&p, lh, d->mine, target);
		const struct zsnap *tb = have_peer ? zsnaps_same(&pr.snaps, target) : NULL;
		if (have_peer && !tb) {
			error("%s:%s does not hold %s (by guid); nothing was changed", d->ph->name, d->pfs,
			      target->name);
			sb_release(&p.sb);
			goto out;
		}
		if (tb)
			plan_rollback(&p, d->ph->name, &pr.snaps, tb);
	} else {
		const struct zsnap *base = zsnaps_last_sent(d->mine);
		if (!base) {
			error("%s has no snapshot marked sent; nothing to plan", d->fs);
			sb_release(&p.sb);
			goto out;
		}
		unsigned long long next = 0;
		for (size_t i = 0; i < d->mine->n; i++)
			if (d->mine->v[i].is_zrep && d->mine->v[i].sn.seq + 1 > next)
				next = d->mine->v[i].sn.seq + 1;
		char *snap = snapname_format(d->fs, cfg.tag, next);
		plan_begin(&p, lh, "snapshot");
		plan_str(&p, "snapshot", snap);
		plan_end(&p);
		plan_begin(&p, lh, "send");
		plan_str(&p, "from", base->name);
		plan_str(&p, "to", snap);
		plan_str(&p, "dest_host", d->ph->name);
		plan_str(&p, "dest_fs", d->pfs);
		plan_end(&p);
		char *rsnap = xasprintf("%s%s", d->pfs, strchr(snap, '@'));
		plan_begin(&p, d->ph->name, "receive");
		plan_str(&p, "snapshot", rsnap);
		plan_end(&p);
		plan_prop(&p, d->ph->name, rsnap, P.sent, "NOW");
		plan_prop(&p, lh, snap, P.sent, "NOW");
		free(rsnap);
		free(snap);
	}
	if (!d->local) {
		plan_begin(&p, d->ph->name, "takeover");
		plan_str(&p, "fs", d->pfs);
		plan_end(&p);
	}
	plan_roles(&p, d, 0);
	plan_print(&p);
	rc = EXIT_OK;
out:
	peer_free(&pr);
	return rc;
}

int takeover_local_dry_run(const struct role_dry *d)
{
	struct plan p;
	plan_init(&p, d->json);
	if (d->snap) {
		const struct zsnap *t = zsnaps_find(d->mine, d->snap);
		if (!t) {
			sb_release(&p.sb);
			error("%s@%s does not exist; nothing to plan", d->fs, d->snap);
			return EXIT_FAIL;
		}
		plan_rollback(&p, host_local_name(), d->mine, t);
	}
	plan_roles(&p, d, 1);
	plan_prop(&p, host_local_name(), d->fs, "readonly", NULL);
	plan_print(&p);
	return EXIT_OK;
}
