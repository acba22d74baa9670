/* Unit tests for bookmark.c: parsing the bookmark rows of a `zfs get -r -d 1`
 * listing (OpenZFS lists bookmarks with the snapshots), choosing a bookmark
 * as the incremental base, and the send argv from a bookmark. */
#include <stdlib.h>

#include "bookmark.h"
#include "harness.h"
#include "snaps.h"
#include "util.h"
#include "zfs.h"

/* A listing as OpenZFS prints it: snapshots, the user's bookmark, zrep's bookmarks
 * (userrefs and TAG:sent do not apply to a bookmark: "-"). */
static const char *listing = "tank/a\tzrep:sent\t-\t-\ntank/a\tguid\t1\t-\n"
                             "tank/a@zrep_000001\tzrep:sent\t100\tlocal\ntank/a@zrep_000001\tguid\t11\t-\n"
                             "tank/a#mine\tzrep:sent\t-\t-\ntank/a#mine\tguid\t11\t-\n"
                             "tank/a#zrep_000003\tzrep:sent\t-\t-\ntank/a#zrep_000003\tguid\t33\t-\n"
                             "tank/a#zrep_000002\tzrep:sent\t-\t-\ntank/a#zrep_000002\tguid\t22\t-\n"
                             "tank/ab#zrep_000009\tguid\t99\t-\n"
                             "tank/a/c#zrep_000008\tguid\t88\t-\n";

static void parse(struct zsnaps *s)
{
	struct zprops rows;
	CHECK_INT(zfs_parse_get(listing, &rows), 0);
	zsnaps_parse(&rows, "tank/a", "zrep", s);
	zprops_free(&rows);
}

TEST(bookmark_parse_rows)
{
	struct zsnaps s;
	parse(&s);
	CHECK_INT(s.n, 1); /* bookmarks are not snapshots */
	CHECK_INT(s.bms.n, 3);
	if (s.bms.n == 3) {
		/* the user's first, then zrep's by number; other datasets' rows ignored */
		CHECK_STR(s.bms.v[0].name, "tank/a#mine");
		CHECK(!s.bms.v[0].is_zrep);
		CHECK_STR(s.bms.v[1].bm, "zrep_000002");
		CHECK_STR(s.bms.v[1].guid, "22");
		CHECK_STR(s.bms.v[2].name, "tank/a#zrep_000003");
		CHECK(s.bms.v[2].is_zrep);
	}
	CHECK_STR(zbms_newest(&s.bms)->name, "tank/a#zrep_000003");
	CHECK(zbms_find(&s.bms, "mine") != NULL);
	CHECK(zbms_find(&s.bms, "zrep_000009") == NULL);
	zsnaps_free(&s);
	CHECK_INT(s.bms.n, 0);
	/* with a tag of its own, zrep's bookmarks are not that tag's */
	struct zprops rows;
	struct zbms t;
	CHECK_INT(zfs_parse_get(listing, &rows), 0);
	zbms_parse(&rows, "tank/a", "other", &t);
	CHECK(zbms_newest(&t) == NULL);
	zbms_free(&t);
	zprops_free(&rows);
}

TEST(bookmark_rows_pass_the_grid_check)
{
	struct zprops rows;
	char *ds[] = {"tank/a", NULL};
	CHECK_INT(zfs_parse_get("tank/a\tguid\t1\t-\ntank/a@s\tguid\t2\t-\ntank/a#b\tguid\t2\t-\n", &rows),
	          0);
	CHECK_INT(zfs_rows_check(&rows, "guid", ds, 1), 0);
	zprops_free(&rows);
	/* a bookmark of another dataset, or a name with two separators, does not pass */
	CHECK_INT(zfs_parse_get("tank/ab#b\tguid\t2\t-\n", &rows), 0);
	CHECK_INT(zfs_rows_check(&rows, "guid", ds, 1), -1);
	zprops_free(&rows);
	CHECK_INT(zfs_parse_get("tank/a#b#c\tguid\t2\t-\n", &rows), 0);
	CHECK_INT(zfs_rows_check(&rows, "guid", ds, 1), -1);
	zprops_free(&rows);
}

TEST(bookmark_base_choice)
{
	struct zsnaps s;
	parse(&s);
	struct snapname one = {1, 0}, three = {3, 0}, four = {4, 0};
	/* the destination holds 000002 (its guid, under any name) and 000001 */
	char *names[] = {"back/a@zrep_000001", "back/a@renamed", "back/a#zrep_000003"};
	char *guids[] = {"11", "22", "33"};
	/* our snapshot base is 000001: the bookmark of 000002 is newer and the destination has it */
	const struct zbm *b = bookmark_base(&s.bms, names, guids, 3, &one, "11", "zrep_000004");
	CHECK(b != NULL);
	if (b)
		CHECK_STR(b->name, "tank/a#zrep_000002");
	/* 000003's guid is only a bookmark there, not a snapshot: not a base */
	/* no snapshot in common at all: still the bookmark */
	b = bookmark_base(&s.bms, names, guids, 3, NULL, NULL, NULL);
	CHECK(b && strcmp(b->bm, "zrep_000002") == 0);
	/* a snapshot base as new as the bookmark (or newer) wins: -I works from it */
	CHECK(bookmark_base(&s.bms, names, guids, 3, &three, "30", NULL) == NULL);
	CHECK(bookmark_base(&s.bms, names, guids, 3, &four, "40", NULL) == NULL);
	/* the snapshot being sent is never its own base */
	char *g3[] = {"33"};
	char *n3[] = {"back/a@zrep_000003"};
	CHECK(bookmark_base(&s.bms, n3, g3, 1, &one, "11", "zrep_000003") == NULL);
	b = bookmark_base(&s.bms, n3, g3, 1, &one, "11", "zrep_000004");
	CHECK(b && strcmp(b->bm, "zrep_000003") == 0);
	/* the user's bookmark is never used, even when its guid matches */
	char *g11[] = {"11"};
	CHECK(bookmark_base(&s.bms, names, g11, 1, NULL, NULL, NULL) == NULL);
	/* nothing the destination holds */
	char *g0[] = {"77"};
	CHECK(bookmark_base(&s.bms, names, g0, 1, NULL, NULL, NULL) == NULL);
	CHECK(bookmark_base(&s.bms, names, guids, 0, NULL, NULL, NULL) == NULL);
	zsnaps_free(&s);
}

TEST(bookmark_names_and_send_argv)
{
	char *n = bookmark_name_of("tank/my a@zrep_00002a");
	CHECK_STR(n, "tank/my a#zrep_00002a");
	free(n);
	CHECK(bookmark_name_of("tank/a") == NULL);
	CHECK(bookmark_name_of("tank/a@") == NULL);
	/* a bookmark base is sent with -i whatever ZREP_INC_FLAG says (-I needs snapshots) */
	struct strv sv = STRV_INIT;
	struct send_opts so = {.from = "tank/a#zrep_000002", .inc_flag = "-I", .snap = "tank/a@zrep_000004"};
	zfs_argv_send(&sv, &so);
	const char *exp[] = {"zfs", "send", "-i", "tank/a#zrep_000002", "tank/a@zrep_000004"};
	CHECK_INT(sv.n, ARRAY_SIZE(exp));
	for (size_t i = 0; i < sv.n && i < ARRAY_SIZE(exp); i++)
		CHECK_STR(sv.v[i], exp[i]);
	strv_clear(&sv);
	so.from = "tank/a@zrep_000002";
	zfs_argv_send(&sv, &so);
	CHECK_STR(sv.v[2], "-I");
	strv_clear(&sv);
}
