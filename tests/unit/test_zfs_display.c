/* zfs layer additions for status/list: the argv of `get -H` (no -p) and of the list -s table. */
#include "harness.h"
#include "zfs.h"

static void check_argv(struct strv *sv, const char *const *exp, size_t n)
{
	CHECK_INT(sv->n, n);
	for (size_t i = 0; i < sv->n && i < n; i++)
		CHECK_STR(sv->v[i], exp[i]);
}

TEST(get_display_argv)
{
	struct strv sv = STRV_INIT;
	char *ds[] = {"tank/my fs", NULL};
	zfs_argv_get_display(&sv, "all", "local,received", ds);
	const char *exp[] = {"get", "-H",        "-o", "name,property,value,source", "-s", "local,received",
	                     "all", "tank/my fs"};
	check_argv(&sv, exp, ARRAY_SIZE(exp));
	strv_clear(&sv);
}

TEST(snap_table_argv)
{
	struct strv sv = STRV_INIT;
	zfs_argv_snap_table(&sv, "tank/a");
	const char *exp[] = {"list", "-r", "-t", "snapshot", "-o", "name,creation", "tank/a"};
	check_argv(&sv, exp, ARRAY_SIZE(exp));
	strv_clear(&sv);
}
