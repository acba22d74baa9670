#include <stdlib.h>

#include "harness.h"
#include "snapname.h"

TEST(snapname_parses_plain)
{
	struct snapname s;
	CHECK_INT(snapname_parse("zrep_00002a", "zrep", &s), 0);
	CHECK_INT(s.seq, 42);
	CHECK_INT(s.unsent, 0);
	CHECK_INT(snapname_parse("zrep_00002a_unsent", "zrep", &s), 0);
	CHECK_INT(s.unsent, 1);
	CHECK_INT(snapname_parse("zrep_1000000", "zrep", &s), 0);
	CHECK_INT(s.seq, 0x1000000);
}

TEST(snapname_rejects_unanchored)
{
	CHECK_INT(snapname_parse("zrep_00002", "zrep", NULL), -1);    /* 5 digits */
	CHECK_INT(snapname_parse("zrep_00002A", "zrep", NULL), -1);   /* upper case */
	CHECK_INT(snapname_parse("xzrep_00002a", "zrep", NULL), -1);  /* prefix */
	CHECK_INT(snapname_parse("zrep_00002a_x", "zrep", NULL), -1); /* suffix */
	CHECK_INT(snapname_parse("zrep_00002a_unsentx", "zrep", NULL), -1);
	CHECK_INT(snapname_parse("zrepx00002a", "zrep", NULL), -1);
	CHECK_INT(snapname_parse("zrep_00002a", "zre", NULL), -1); /* tag is literal */
	CHECK_INT(snapname_parse("zre.x_00002a", "zre.p", NULL), -1);
	CHECK_INT(snapname_parse("zrep_00000000000000001", "zrep", NULL), -1); /* 17 digits */
}

TEST(snapname_orders_numerically)
{
	struct snapname a, b, c, u;
	snapname_parse("zrep_00000a", "zrep", &a);
	snapname_parse("zrep_0000ff", "zrep", &b);
	snapname_parse("zrep_1000000", "zrep", &c);
	snapname_parse("zrep_0000ff_unsent", "zrep", &u);
	CHECK(snapname_cmp(&a, &b) < 0);
	CHECK(snapname_cmp(&b, &c) < 0);
	CHECK(snapname_cmp(&c, &a) > 0);
	CHECK(snapname_cmp(&b, &u) < 0);
	CHECK(snapname_cmp(&u, &c) < 0);
}

TEST(snapname_format_pads_six)
{
	char *s = snapname_format("tank/my fs", "zrep", 0x2a);
	CHECK_STR(s, "tank/my fs@zrep_00002a");
	free(s);
	s = snapname_format("t", "bk", 0x1000000);
	CHECK_STR(s, "t@bk_1000000");
	free(s);
}

TEST(snapname_full)
{
	struct snapname s;
	size_t fl;
	CHECK_INT(snapname_parse_full("tank/a b@zrep_000001", "zrep", &s, &fl), 0);
	CHECK_INT(fl, 8);
	CHECK_INT(snapname_parse_full("tank/a", "zrep", &s, &fl), -1);
}

TEST(tag_validation)
{
	CHECK(tag_valid("zrep"));
	CHECK(tag_valid("backup-2"));
	CHECK(!tag_valid(""));
	CHECK(!tag_valid("Zrep"));
	CHECK(!tag_valid("-x"));
	CHECK(!tag_valid("a b"));
	CHECK(!tag_valid("a;b"));
	CHECK(!tag_valid("a:b"));
	CHECK(!tag_valid("a@b"));
}
