/* Unit tests for failover.c: the role-swap planner, snapshot sharing by
 * guid, rollback victims, and the failover decision table. */
#include <stdlib.h>

#include "failover.h"
#include "harness.h"
#include "props.h"
#include "util.h"

/* props.h names, built once (props_init allocates). */
static void need_props(void)
{
	static int done;
	if (!done)
		props_init("zrep");
	done = 1;
}

static void snaps_from(const char *text, const char *fs, struct zsnaps *out)
{
	struct zprops rows;
	CHECK_INT(zfs_parse_get(text, &rows), 0);
	zsnaps_parse(&rows, fs, "zrep", out);
	zprops_free(&rows);
}

/* A property set we can apply role_ops to. */
struct rp_store {
	char *src_fs, *src_host, *dest_fs, *dest_host;
	int master;
};

static void rp_view(const struct rp_store *s, struct role_props *rp)
{
	rp->src_fs = s->src_fs;
	rp->src_host = s->src_host;
	rp->dest_fs = s->dest_fs;
	rp->dest_host = s->dest_host;
	rp->master = s->master;
}

static void rp_apply(struct rp_store *s, const struct role_op *op)
{
	char **slot = NULL;
	if (strcmp(op->prop, P.src_fs) == 0)
		slot = &s->src_fs;
	else if (strcmp(op->prop, P.src_host) == 0)
		slot = &s->src_host;
	else if (strcmp(op->prop, P.dest_fs) == 0)
		slot = &s->dest_fs;
	else if (strcmp(op->prop, P.dest_host) == 0)
		slot = &s->dest_host;
	if (slot) {
		free(*slot);
		*slot = xstrdup(op->value);
	} else {
		CHECK_STR(op->prop, P.master);
		s->master = op->value != NULL;
	}
}

static void rp_free(struct rp_store *s)
{
	free(s->src_fs);
	free(s->src_host);
	free(s->dest_fs);
	free(s->dest_host);
}

/*
 * Walks a whole role change one step at a time: after every prefix of the
 * plan, role_partner must still find the partner and role_plan must give
 * exactly the rest of the plan (so a re-run after a crash finishes it).
 */
static void walk(struct rp_store *s, const char *lfs, const char *lh, int to_master, const char *pfs,
                 const char *ph, size_t want_ops)
{
	struct role_props rp;
	struct role_op all[ROLE_MAX_OPS];
	const char *f, *h;
	rp_view(s, &rp);
	CHECK_INT(role_partner(&rp, lfs, lh, to_master, &f, &h), 0);
	CHECK_STR(f, pfs);
	CHECK_STR(h, ph);
	size_t n = role_plan(&rp, lfs, lh, f, h, to_master, all);
	CHECK_INT(n, want_ops);
	/* The master flag changes last. */
	CHECK_STR(all[n - 1].prop, P.master);
	for (size_t k = 0; k < n; k++) {
		/* copy the expected rest before mutating */
		struct role_op rest[ROLE_MAX_OPS];
		size_t nr = 0;
		for (size_t j = k; j < n; j++)
			rest[nr++] = all[j];
		char *vals[ROLE_MAX_OPS];
		for (size_t j = 0; j < nr; j++)
			vals[j] = rest[j].value ? xstrdup(rest[j].value) : NULL;
		rp_view(s, &rp);
		CHECK_INT(role_partner(&rp, lfs, lh, to_master, &f, &h), 0);
		CHECK_STR(f, pfs);
		CHECK_STR(h, ph);
		struct role_op again[ROLE_MAX_OPS];
		size_t na = role_plan(&rp, lfs, lh, f, h, to_master, again);
		CHECK_INT(na, nr);
		for (size_t j = 0; j < na && j < nr; j++) {
			CHECK_STR(again[j].prop, rest[j].prop);
			if (vals[j] || again[j].value)
				CHECK_STR(again[j].value, vals[j]);
		}
		struct role_op op = {again[0].prop, vals[0]};
		rp_apply(s, &op);
		for (size_t j = 0; j < nr; j++)
			free(vals[j]);
	}
	rp_view(s, &rp);
	CHECK_INT(role_plan(&rp, lfs, lh, pfs, ph, to_master, all), 0);
	CHECK_INT(s->master, to_master);
}

TEST(role_swap_master_to_dest_and_back)
{
	need_props();
	struct rp_store a = {xstrdup("tank/src"), xstrdup("h1"), xstrdup("tank/dst"), xstrdup("h2"), 1};
	walk(&a, "tank/src", "h1", 0, "tank/dst", "h2", 5);
	CHECK_STR(a.src_fs, "tank/dst");
	CHECK_STR(a.src_host, "h2");
	CHECK_STR(a.dest_fs, "tank/src");
	CHECK_STR(a.dest_host, "h1");
	/* and the destination side becoming master again (failback) */
	walk(&a, "tank/src", "h1", 1, "tank/dst", "h2", 5);
	CHECK_STR(a.src_fs, "tank/src");
	CHECK_STR(a.src_host, "h1");
	rp_free(&a);
}

TEST(role_swap_dest_to_master_with_alias)
{
	need_props();
	/* A reached B as "h2.example" (dest-host), B's own name is h2. */
	struct rp_store b = {xstrdup("pool/a"), xstrdup("h1"), xstrdup("back/a"), xstrdup("h2.example"), 0};
	walk(&b, "back/a", "h2", 1, "pool/a", "h1", 5);
	CHECK_STR(b.dest_host, "h1");
	CHECK_STR(b.src_host, "h2");
	rp_free(&b);
}

TEST(role_swap_same_fs_name)
{
	need_props();
	struct rp_store a = {xstrdup("tank/data"), xstrdup("h1"), xstrdup("tank/data"), xstrdup("h2"), 1};
	/* fs names equal: only the hosts change (2 ops + master) */
	walk(&a, "tank/data", "h1", 0, "tank/data", "h2", 3);
	struct rp_store b = {xstrdup("tank/data"), xstrdup("h1"), xstrdup("tank/data"), xstrdup("h2alias"),
	                     0};
	walk(&b, "tank/data", "h2", 1, "tank/data", "h1", 3);
	rp_free(&a);
	rp_free(&b);
}

TEST(role_swap_single_host)
{
	need_props();
	/* init tank/src localhost tank/dst: both ends on host h1 */
	struct rp_store a = {xstrdup("tank/src"), xstrdup("h1"), xstrdup("tank/dst"), xstrdup("localhost"),
	                     1};
	walk(&a, "tank/src", "h1", 0, "tank/dst", "localhost", 5);
	struct rp_store b = {xstrdup("tank/src"), xstrdup("h1"), xstrdup("tank/dst"), xstrdup("localhost"),
	                     0};
	walk(&b, "tank/dst", "h1", 1, "tank/src", "h1", 4);
	rp_free(&a);
	rp_free(&b);
}

TEST(role_plan_order_and_noop)
{
	need_props();
	struct role_props rp = {"tank/src", "h1", "tank/dst", "h2", 1};
	struct role_op ops[ROLE_MAX_OPS];
	size_t n = role_plan(&rp, "tank/src", "h1", "tank/dst", "h2", 0, ops);
	CHECK_INT(n, 5);
	CHECK_STR(ops[0].prop, "zrep:src-fs");
	CHECK_STR(ops[1].prop, "zrep:src-host");
	CHECK_STR(ops[2].prop, "zrep:dest-fs");
	CHECK_STR(ops[3].prop, "zrep:dest-host");
	CHECK_STR(ops[4].prop, "zrep:master");
	CHECK(ops[4].value == NULL);
	/* already master: nothing to do towards master */
	CHECK_INT(role_plan(&rp, "tank/src", "h1", "tank/dst", "h2", 1, ops), 0);
	struct role_props bad = {NULL, "h1", "tank/dst", "h2", 1};
	const char *f, *h;
	CHECK_INT(role_partner(&bad, "tank/src", "h1", 0, &f, &h), -1);
}

static const char *A_SNAPS = "tank/src\tguid\t100\t-\n"
                             "tank/src@zrep_000000\tzrep:sent\t10\tlocal\n"
                             "tank/src@zrep_000000\tguid\t1000\t-\n"
                             "tank/src@zrep_000000\tcreation\t10\t-\n"
                             "tank/src@zrep_000001\tzrep:sent\t20\tlocal\n"
                             "tank/src@zrep_000001\tguid\t1001\t-\n"
                             "tank/src@zrep_000001\tcreation\t20\t-\n"
                             "tank/src@manual\tguid\t5000\t-\n"
                             "tank/src@manual\tcreation\t25\t-\n"
                             "tank/src@zrep_000002\tzrep:sent\t-\t-\n"
                             "tank/src@zrep_000002\tguid\t1002\t-\n"
                             "tank/src@zrep_000002\tcreation\t30\t-\n"
                             "tank/src@zrep_000003_unsent\tguid\t1003\t-\n"
                             "tank/src@zrep_000003_unsent\tcreation\t40\t-\n";

static const char *B_SNAPS = "tank/dst@zrep_000000\tguid\t1000\t-\n"
                             "tank/dst@zrep_000000\tcreation\t11\t-\n"
                             "tank/dst@zrep_000001\tzrep:sent\t20\tlocal\n"
                             "tank/dst@zrep_000001\tguid\t1001\t-\n"
                             "tank/dst@zrep_000001\tcreation\t21\t-\n"
                             "tank/dst@zrep_000002\tguid\t9999\t-\n"
                             "tank/dst@zrep_000002\tcreation\t31\t-\n";

TEST(common_snapshot_by_guid)
{
	struct zsnaps a, b;
	snaps_from(A_SNAPS, "tank/src", &a);
	snaps_from(B_SNAPS, "tank/dst", &b);
	const struct zsnap *c = zsnaps_common(&a, &b);
	/* zrep_000002 has the same name on both sides but not the same guid */
	CHECK(c != NULL);
	CHECK_STR(c ? c->name : NULL, "tank/src@zrep_000001");
	CHECK(zsnaps_same(&b, zsnaps_find(&a, "zrep_000002")) == NULL);
	CHECK_STR(zsnaps_same(&b, zsnaps_find(&a, "zrep_000000"))->name, "tank/dst@zrep_000000");
	CHECK(zsnaps_same(&b, NULL) == NULL);
	zsnaps_free(&a);
	zsnaps_free(&b);
}

TEST(rollback_victims_lists_newer)
{
	struct zsnaps a;
	snaps_from(A_SNAPS, "tank/src", &a);
	size_t v[16];
	const struct zsnap *t = zsnaps_find(&a, "zrep_000001");
	size_t n = rollback_victims(&a, t, v);
	CHECK_INT(n, 3);
	int manual = 0, z2 = 0, z3 = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = a.v[v[i]].snap;
		manual += strcmp(s, "manual") == 0;
		z2 += strcmp(s, "zrep_000002") == 0;
		z3 += strcmp(s, "zrep_000003_unsent") == 0;
	}
	CHECK(manual && z2 && z3);
	CHECK_INT(rollback_victims(&a, zsnaps_find(&a, "zrep_000003_unsent"), v), 0);
	zsnaps_free(&a);
}

TEST(failover_decision_table)
{
	CHECK_INT(fo_decide(0, 0, 0), FO_NORMAL);
	CHECK_INT(fo_decide(0, 0, 1), FO_NORMAL);
	CHECK_INT(fo_decide(1, 1, 0), FO_FINISH_DEMOTE);
	CHECK_INT(fo_decide(1, 1, 1), FO_FINISH_DEMOTE);
	CHECK_INT(fo_decide(1, 0, 1), FO_RESUME);
	CHECK_INT(fo_decide(1, 0, 0), FO_SPLIT_BRAIN);
	CHECK_INT(fo_decide(0, 1, 1), FO_RESUME);
	CHECK_INT(fo_decide(0, 1, 0), FO_STUCK);
}

TEST(failover_proof)
{
	struct zsnaps a, b;
	snaps_from(A_SNAPS, "tank/src", &a);
	snaps_from(B_SNAPS, "tank/dst", &b);
	/* newest is an _unsent one: A holds something B lacks */
	CHECK(fo_proof(&a, &b, 1) == NULL);
	zsnaps_free(&a);
	const char *a2 = "tank/src@zrep_000001\tzrep:sent\t20\tlocal\n"
	                 "tank/src@zrep_000001\tguid\t1001\t-\n"
	                 "tank/src@zrep_000001\tcreation\t20\t-\n";
	snaps_from(a2, "tank/src", &a);
	const struct zsnap *p = fo_proof(&a, &b, 1);
	CHECK_STR(p ? p->name : NULL, "tank/src@zrep_000001");
	CHECK(fo_proof(&a, &b, 0) == NULL); /* not frozen: writes may follow the snapshot */
	zsnaps_free(&a);
	const char *a3 = "tank/src@zrep_000002\tzrep:sent\t20\tlocal\n"
	                 "tank/src@zrep_000002\tguid\t1002\t-\n"
	                 "tank/src@zrep_000002\tcreation\t20\t-\n";
	snaps_from(a3, "tank/src", &a);
	CHECK(fo_proof(&a, &b, 1) == NULL); /* same name on B, other guid */
	zsnaps_free(&a);
	zsnaps_free(&b);
}

TEST(readonly_rules)
{
	CHECK(ro_frozen("on", ZSRC_LOCAL));
	CHECK(ro_frozen("off", ZSRC_TEMPORARY)); /* zfs-fuse hides a local on behind temporary */
	CHECK(!ro_frozen("off", ZSRC_DEFAULT));
	CHECK(!ro_frozen("off", ZSRC_LOCAL));
	CHECK_INT(ro_restore_kind("off", ZSRC_DEFAULT), RO_INHERIT);
	CHECK_INT(ro_restore_kind("on", ZSRC_INHERITED), RO_INHERIT);
	CHECK_INT(ro_restore_kind("off", ZSRC_LOCAL), RO_SET);
	CHECK_INT(ro_restore_kind("off", ZSRC_TEMPORARY), RO_UNKNOWN);
}
