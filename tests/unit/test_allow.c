/* allow: permission sets, `zfs allow` output parsing, what is missing. */
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "harness.h"

static const char sample[] = "---- Permissions on tank/src -----------------------------------------\n"
                             "Local+Descendent permissions:\n"
                             "\tuser zrepu destroy,mount,send\n"
                             "\tuser other rename\n"
                             "---- Permissions on tank ---------------------------------------------\n"
                             "Permission sets:\n"
                             "\t@set1 diff\n"
                             "Descendent permissions:\n"
                             "\tuser zrepu snapshot\n"
                             "\tgroup staff rollback\n"
                             "Local permissions:\n"
                             "\tuser zrepu readonly\n"
                             "\teveryone userprop\n";

static char *joined(const struct strv *sv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sv->n; i++)
		sb_addf(&sb, "%s%s", i ? "," : "", sv->v[i]);
	return sb_detach(&sb);
}

TEST(allow_parse_sections)
{
	struct strv have = STRV_INIT;
	allow_parse(sample, "tank/src", "zrepu", &have);
	char *j = joined(&have);
	CHECK_STR(j, "destroy,mount,send,snapshot"); /* tank's Local ones do not reach tank/src */
	free(j);
	strv_clear(&have);
	allow_parse(sample, "tank", "zrepu", &have);
	j = joined(&have);
	CHECK_STR(j, "readonly,userprop"); /* Descendent ones do not apply to tank itself */
	free(j);
	strv_clear(&have);
	allow_parse(sample, "tank/src", "zrep", &have); /* a prefix of zrepu is another user */
	CHECK_INT(have.n, 0);
	strv_clear(&have);
}

TEST(allow_missing_and_sets)
{
	struct strv have = STRV_INIT, miss = STRV_INIT;
	allow_parse(sample, "tank/src", "zrepu", &have);
	allow_missing(ALLOW_SOURCE, &have, &miss);
	char *j = joined(&miss);
	CHECK_STR(j, "bookmark,diff,hold,release,rename,userprop");
	free(j);
	strv_clear(&miss);
	strv_push(&have, "receive");
	allow_missing("receive:append,create", &have, &miss);
	j = joined(&miss);
	CHECK_STR(j, "create"); /* receive covers receive:append */
	free(j);
	strv_clear(&miss);
	strv_clear(&have);
	char *d = allow_dest_perms(1);
	CHECK_STR(d, "create,destroy,hold,mount,readonly,receive:append,release,userprop");
	free(d);
	d = allow_dest_perms(0);
	CHECK_STR(d, "create,destroy,hold,mount,readonly,receive,release,userprop");
	free(d);
	d = allow_parent("tank/a/b");
	CHECK_STR(d, "tank/a");
	free(d);
	CHECK(allow_parent("tank") == NULL);
	CHECK(allow_usage_has_append("\treceive:append   subcommand\n"));
	CHECK(!allow_usage_has_append("internal error: /usr/lib/zfs/pyzfs.py not found\n"));
}
