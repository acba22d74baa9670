/* Unit tests for snaps.c: parsing zfs get rows into the snapshot model,
 * its order, last sent, sharing by guid, rollback victims, the base of an
 * incremental send; and the time to parse 30,000 snapshots. */
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "snaps.h"
#include "util.h"

static void parse_text(const char *text, const char *fs, struct zsnaps *out)
{
	struct zprops rows;
	CHECK_INT(zfs_parse_get(text, &rows), 0);
	zsnaps_parse(&rows, fs, "zrep", out);
	zprops_free(&rows);
}

TEST(snaps_props_list)
{
	char *a = zsnaps_props("zrep", NULL), *b = zsnaps_props("t2", "t2:master");
	CHECK_STR(a, "zrep:sent,guid,creation");
	CHECK_STR(b, "t2:sent,guid,creation,t2:master");
	free(a);
	free(b);
}

/* Rows in any order (interleaved names, a property listed twice), other
 * datasets' rows ignored; numbers compared numerically past ffffff; the
 * others by creation, before the zrep ones. */
TEST(snaps_parse_order)
{
	const char *text = "tank/a@zrep_1000000\tguid\t7\t-\n"
	                   "tank/a@hand\tcreation\t50\t-\n"
	                   "tank/a@zrep_ffffff\tguid\t6\t-\n"
	                   "tank/a@zrep_1000000\tcreation\t30\t-\n"
	                   "tank/ab@zrep_000001\tguid\t99\t-\n"
	                   "tank/a/c@zrep_000001\tguid\t98\t-\n"
	                   "tank/a\tguid\t1\t-\n"
	                   "tank/a@early\tcreation\t10\t-\n"
	                   "tank/a@zrep_00000a_unsent\tguid\t5\t-\n"
	                   "tank/a@zrep_00000a\tguid\t4\t-\n"
	                   "tank/a@zrep_ffffff\tzrep:sent\t111\tlocal\n"
	                   "tank/a@zrep_00000a\tzrep:sent\t100\treceived\n"
	                   "tank/a@zrep_1000000\tguid\t8\t-\n";
	struct zsnaps s;
	parse_text(text, "tank/a", &s);
	CHECK_INT(s.n, 6);
	const char *want[] = {"early",       "hand",        "zrep_00000a", "zrep_00000a_unsent",
	                      "zrep_ffffff", "zrep_1000000"};
	for (size_t i = 0; i < s.n && i < 6; i++)
		CHECK_STR(s.v[i].snap, want[i]);
	CHECK(!s.v[0].is_zrep && !s.v[1].is_zrep && s.v[2].is_zrep);
	CHECK(s.v[3].sn.unsent);
	CHECK_STR(s.v[5].guid, "8"); /* the later row wins */
	CHECK_INT(s.v[5].creation, 30);
	CHECK(s.v[2].sent == NULL); /* a received TAG:sent does not count */
	CHECK_STR(s.v[4].sent, "111");
	CHECK_STR(zsnaps_last_sent(&s)->snap, "zrep_ffffff");
	CHECK_STR(zsnaps_newest(&s, 0)->snap, "zrep_1000000");
	CHECK(zsnaps_find(&s, "hand") == &s.v[1]);
	CHECK(zsnaps_find(&s, "zrep_000001") == NULL);
	zsnaps_free(&s);

	parse_text("", "tank/a", &s);
	CHECK_INT(s.n, 0);
	CHECK(zsnaps_last_sent(&s) == NULL && zsnaps_newest(&s, 1) == NULL);
	zsnaps_free(&s);
}

TEST(snaps_last_sent_newest_add)
{
	struct zsnaps s;
	parse_text("tank/a@zrep_000001\tzrep:sent\t1\tlocal\n"
	           "tank/a@zrep_000002_unsent\tzrep:sent\t2\tlocal\n"
	           "tank/a@zrep_000003_unsent\tguid\t3\t-\n",
	           "tank/a", &s);
	/* An _unsent snapshot is never the last sent, even if marked. */
	CHECK_STR(zsnaps_last_sent(&s)->snap, "zrep_000001");
	CHECK_STR(zsnaps_newest(&s, 0)->snap, "zrep_000003_unsent");
	CHECK_STR(zsnaps_newest(&s, 1)->snap, "zrep_000001");
	zsnaps_add(&s, "tank/a@zrep_000004", "zrep");
	zsnaps_add(&s, "no-at-sign", "zrep");
	CHECK_INT(s.n, 4);
	CHECK_STR(zsnaps_newest(&s, 1)->snap, "zrep_000004");
	zsnaps_mark_sent(&s, "tank/a@zrep_000004");
	CHECK_STR(zsnaps_last_sent(&s)->name, "tank/a@zrep_000004");
	zsnaps_free(&s);
}

TEST(snaps_common_by_guid)
{
	struct zsnaps a, b;
	parse_text("tank/a@zrep_000001\tguid\t11\t-\n"
	           "tank/a@zrep_000002\tguid\t12\t-\n"
	           "tank/a@zrep_000003\tguid\t13\t-\n"
	           "tank/a@zrep_000004_unsent\tguid\t14\t-\n"
	           "tank/a@zrep_000005\tcreation\t5\t-\n",
	           "tank/a", &a);
	/* b has 000003 under the same name but another guid (a different
	 * snapshot), 000002 under another name, 000004_unsent and 000001. */
	parse_text("back/a@zrep_000003\tguid\t99\t-\n"
	           "back/a@renamed\tguid\t12\t-\n"
	           "back/a@zrep_000004_unsent\tguid\t14\t-\n"
	           "back/a@zrep_000001\tguid\t11\t-\n",
	           "back/a", &b);
	const struct zsnap *c = zsnaps_common(&a, &b);
	CHECK(c != NULL && strcmp(c->snap, "zrep_000002") == 0);
	CHECK_STR(zsnaps_same(&b, &a.v[1])->snap, "renamed");
	CHECK(zsnaps_same(&b, &a.v[2]) == NULL);
	CHECK(zsnaps_same(&b, &a.v[4]) == NULL); /* no guid: never the same */
	CHECK(zsnaps_same(&b, NULL) == NULL);
	struct zsnaps none = {0};
	CHECK(zsnaps_common(&a, &none) == NULL);
	zsnaps_free(&a);
	zsnaps_free(&b);
}

TEST(snaps_common_base)
{
	struct zsnaps l;
	parse_text("tank/a@zrep_000001\tguid\t11\t-\n"
	           "tank/a@zrep_000002\tguid\t12\t-\n"
	           "tank/a@zrep_000003\tguid\t13\t-\n"
	           "tank/a@zrep_000004_unsent\tguid\t14\t-\n"
	           "tank/a@zrep_000005\tguid\t15\t-\n"
	           "tank/a@hand\tguid\t16\t-\n",
	           "tank/a", &l);
	char *names[] = {"back/a",
	                 "back/a@zrep_000001",
	                 "back/a@renamed",
	                 "back/a@zrep_000003",
	                 "back/a@zrep_000004_unsent",
	                 "back/a@zrep_000005",
	                 "back/a@hand"};
	char *guids[] = {"1", "11", "12", "99", "14", "15", "16"};
	/* 000005 is being sent: excluded. 000004 was renamed _unsent here but arrived there: the base. */
	const struct zsnap *b = zsnaps_common_base(&l, names, guids, 7, "tank/a@zrep_000005");
	CHECK(b != NULL && strcmp(b->name, "tank/a@zrep_000004_unsent") == 0);
	/* Without 000004 there: 000003 has another guid there, 000002 is there under another name. */
	guids[4] = "77";
	b = zsnaps_common_base(&l, names, guids, 7, "tank/a@zrep_000005");
	CHECK(b != NULL && strcmp(b->name, "tank/a@zrep_000002") == 0);
	/* The filesystem's own guid (a name without '@') is never a snapshot's. */
	guids[2] = "1";
	names[2] = "back/a@x";
	b = zsnaps_common_base(&l, names, guids, 7, "tank/a@zrep_000005");
	CHECK(b != NULL && strcmp(b->name, "tank/a@zrep_000001") == 0);
	b = zsnaps_common_base(&l, names, guids, 7, NULL);
	CHECK(b != NULL && strcmp(b->name, "tank/a@zrep_000005") == 0);
	CHECK(zsnaps_common_base(&l, names, guids, 1, NULL) == NULL);
	CHECK(zsnaps_common_base(&l, NULL, NULL, 0, NULL) == NULL);
	zsnaps_free(&l);
}

TEST(snaps_rollback_victims_kinds)
{
	struct zsnaps s, other;
	parse_text("tank/a@zrep_000001\tcreation\t10\t-\n"
	           "tank/a@zrep_000002\tcreation\t20\t-\n"
	           "tank/a@zrep_000002\tzrep:sent\t1\tlocal\n"
	           "tank/a@zrep_000002\tguid\t2\t-\n"
	           "tank/a@zrep_000003\tcreation\t30\t-\n"
	           "tank/a@zrep_000003\tguid\t3\t-\n"
	           "tank/a@zrep_000004\tcreation\t40\t-\n"
	           "tank/a@zrep_000004\tzrep:sent\t1\tlocal\n"
	           "tank/a@zrep_000005_unsent\tcreation\t50\t-\n"
	           "tank/a@old\tcreation\t5\t-\n"
	           "tank/a@same\tcreation\t20\t-\n"
	           "tank/a@late\tcreation\t60\t-\n",
	           "tank/a", &s);
	parse_text("back/a@zrep_000003\tguid\t3\t-\n", "back/a", &other);
	const struct zsnap *t = zsnaps_find(&s, "zrep_000002");
	size_t v[16];
	size_t n = rollback_victims(&s, t, v);
	/* same (equal creation counts as newer), late, 000003, 000004, 000005_unsent */
	CHECK_INT(n, 5);
	const char *want[] = {"same", "late", "zrep_000003", "zrep_000004", "zrep_000005_unsent"};
	for (size_t i = 0; i < n && i < 5; i++)
		CHECK_STR(s.v[v[i]].snap, want[i]);
	CHECK_INT(zsnap_victim_kind(&s.v[v[0]], &other), VICTIM_FOREIGN);
	CHECK_INT(zsnap_victim_kind(&s.v[v[2]], &other), VICTIM_SHARED);
	CHECK_INT(zsnap_victim_kind(&s.v[v[2]], NULL), VICTIM_UNSENT);
	CHECK_INT(zsnap_victim_kind(&s.v[v[3]], &other), VICTIM_SENT);
	CHECK_INT(zsnap_victim_kind(&s.v[v[4]], &other), VICTIM_FAILED);
	n = rollback_victims(&s, zsnaps_find(&s, "zrep_000005_unsent"), v);
	CHECK_INT(n, 1);
	CHECK_STR(s.v[v[0]].snap, "late");
	char *d = snap_desc(t), *none = snap_desc(NULL), *ng = snap_desc(zsnaps_find(&s, "old"));
	CHECK_STR(d, "tank/a@zrep_000002 (guid 2)");
	CHECK_STR(none, "none");
	CHECK_STR(ng, "tank/a@old (guid unknown)");
	free(d);
	free(none);
	free(ng);
	zsnaps_free(&s);
	zsnaps_free(&other);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Benchmark: 30,000 snapshots (three rows each, as zrepfs_list_snaps reads
 * them, in zfs's order) parsed, then a common base and a common snapshot
 * found against another host's list of the same size. Prints the times;
 * fails only when far beyond an O(n log n) cost (the quadratic parser took
 * 6.6 s for the parse alone without sanitizers).
 */
TEST(snaps_bench_30000)
{
	enum { N = 30000 };
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < N; i++) {
		sb_addf(&sb, "tank/a@zrep_%06x\tzrep:sent\t%d\tlocal\n", i, 1000 + i);
		sb_addf(&sb, "tank/a@zrep_%06x\tguid\t%d\t-\n", i, 500000 + i);
		sb_addf(&sb, "tank/a@zrep_%06x\tcreation\t%d\t-\n", i, 1000 + i);
	}
	struct zprops rows;
	double t0 = now_s();
	CHECK_INT(zfs_parse_get(sb_str(&sb), &rows), 0);
	double t1 = now_s();
	struct zsnaps s;
	zsnaps_parse(&rows, "tank/a", "zrep", &s);
	double t2 = now_s();
	CHECK_INT(s.n, N);
	CHECK_STR(s.v[N - 1].snap, "zrep_00752f");
	struct strv names = STRV_INIT, guids = STRV_INIT;
	for (int i = 0; i < N - 1; i++) {
		strv_pushf(&names, "back/a@zrep_%06x", i);
		strv_pushf(&guids, "%d", 500000 + i);
	}
	const struct zsnap *base = zsnaps_common_base(&s, names.v, guids.v, names.n, NULL);
	const struct zsnap *common = zsnaps_common(&s, &s);
	double t3 = now_s();
	CHECK(base && strcmp(base->snap, "zrep_00752e") == 0);
	CHECK(common == &s.v[N - 1]);
	printf("  bench: %d snapshots (%zu rows): zfs_parse_get %.3f s, zsnaps_parse %.3f s, "
	       "common base + common %.3f s\n",
	       N, rows.n, t1 - t0, t2 - t1, t3 - t2);
	CHECK(t2 - t1 < 3.0);
	CHECK(t3 - t2 < 3.0);
	strv_clear(&names);
	strv_clear(&guids);
	zsnaps_free(&s);
	zprops_free(&rows);
	sb_release(&sb);
}
