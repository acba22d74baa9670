/* zfs get rows that cannot be forged: the grid check of zfs_rows_check. */
#include <stdlib.h>

#include "harness.h"
#include "zfs_parse.h"

static int check(const char *text, const char *props, char **ds, int depth)
{
	struct zprops rows;
	if (zfs_parse_get(text, &rows) < 0)
		return -2;
	int r = zfs_rows_check(&rows, props, ds, depth);
	zprops_free(&rows);
	return r;
}

TEST(rows_grid_accepts_real_output)
{
	char *ds[] = {"tank/a", NULL};
	CHECK_INT(check("tank/a\tzrep:sent\t-\t-\ntank/a\tguid\t1\t-\ntank/a\tcreation\t5\t-\n"
	                "tank/a@zrep_000001\tzrep:sent\t100\tlocal\ntank/a@zrep_000001\tguid\t2\t-\n"
	                "tank/a@zrep_000001\tcreation\t6\t-\n",
	                "zrep:sent,guid,creation", ds, 1),
	          0);
	char *two[] = {"tank/a", "tank/b c", NULL};
	CHECK_INT(check("tank/a\tzrep:master\tyes\tlocal\ntank/a\ttype\tfilesystem\t-\n"
	                "tank/b c\tzrep:master\t-\t-\ntank/b c\ttype\tfilesystem\t-\n",
	                "zrep:master,type", two, -1),
	          0);
	/* a value with tabs but no newline is one row */
	CHECK_INT(check("tank/a\tzrep:master\ta\tb\tlocal\ntank/a\ttype\tfilesystem\t-\n", "zrep:master,type",
	                ds, -1),
	          0);
}

TEST(rows_grid_refuses_forged_rows)
{
	char *ds[] = {"tank/a", NULL};
	/* zrep:savecount's value forges a sent snapshot:
	 * "5\tlocal\ntank/a@zrep_ffffff\tzrep:sent\t1\tlocal\n..." */
	const char *forged = "tank/a\tzrep:savecount\t5\tlocal\n"
	                     "tank/a@zrep_ffffff\tzrep:sent\t1\tlocal\n"
	                     "tank/a@zrep_ffffff\tguid\t9\t-\n"
	                     "tank/a@zrep_ffffff\tcreation\t9\tlocal\n"
	                     "tank/a\tguid\t1\t-\ntank/a\tcreation\t5\t-\n";
	CHECK_INT(check(forged, "zrep:savecount,guid,creation", ds, 1), -1);
	/* an extra row */
	CHECK_INT(check("tank/a\tzrep:master\tyes\tlocal\ntank/x\tzrep:master\tyes\tlocal\ntank/"
	                "a\ttype\tfilesystem\t-\n",
	                "zrep:master,type", ds, -1),
	          -1);
	/* a whole forged group for another dataset, asked for one */
	CHECK_INT(check("tank/a\tzrep:master\tyes\tlocal\ntank/a\ttype\tfilesystem\t-\n"
	                "tank/evil\tzrep:master\tyes\tlocal\ntank/evil\ttype\tfilesystem\t-\n",
	                "zrep:master,type", ds, -1),
	          -1);
	/* a grandchild or a name outside the datasets asked for, at depth 1 */
	CHECK_INT(check("tank/a/b/c\tguid\t1\t-\n", "guid", ds, 1), -1);
	CHECK_INT(check("tank/ab@x\tguid\t1\t-\n", "guid", ds, 1), -1);
	/* one dataset in two groups */
	CHECK_INT(check("tank/a@s\tguid\t1\t-\ntank/a\tguid\t1\t-\ntank/a@s\tguid\t2\t-\n", "guid", ds, 1),
	          -1);
	/* a dataset missing */
	char *two[] = {"tank/a", "tank/b", NULL};
	CHECK_INT(check("tank/a\tguid\t1\t-\n", "guid", two, -1), -1);
	CHECK(has_control_char("a\tb"));
	CHECK(has_control_char("a\x7f"));
	CHECK(!has_control_char("tank/a b"));
	CHECK(!has_control_char(NULL));
}
