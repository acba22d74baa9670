#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "snaps.h"
#include "featcache.h"
#include "zfs.h"

TEST(parse_get_sources)
{
	const char *text = "tank/a\tzrep:dest-fs\ttank/b\tlocal\n"
	                   "tank/b\tzrep:dest-fs\ttank/b\treceived\n"
	                   "tank/a/c\tzrep:dest-fs\ttank/b\tinherited from tank/a\n"
	                   "tank/a@s\tzrep:sent\t-\t-\n"
	                   "tank/a\tcomment\tvalue\twith\ttabs\tlocal\n"
	                   "tank/a\tmountpoint\t/tank/a\tdefault\n";
	struct zprops p;
	CHECK_INT(zfs_parse_get(text, &p), 0);
	CHECK_INT(p.n, 6);
	CHECK_INT(p.v[0].src, ZSRC_LOCAL);
	CHECK_INT(p.v[1].src, ZSRC_RECEIVED);
	CHECK_INT(p.v[2].src, ZSRC_INHERITED);
	CHECK_STR(p.v[2].inherited_from, "tank/a");
	CHECK_INT(p.v[3].src, ZSRC_NONE);
	CHECK_STR(p.v[4].value, "value\twith\ttabs");
	CHECK_INT(p.v[4].src, ZSRC_LOCAL);
	CHECK_INT(p.v[5].src, ZSRC_DEFAULT);
	const struct zprop *f = zprops_find(&p, "tank/b", "zrep:dest-fs");
	CHECK(f && f->src == ZSRC_RECEIVED);
	CHECK(zprops_find(&p, "tank/x", "zrep:dest-fs") == NULL);
	zprops_free(&p);
}

TEST(parse_get_rejects_garbage)
{
	struct zprops p;
	CHECK_INT(zfs_parse_get("no tabs here\n", &p), -1);
}

TEST(classify_errors)
{
	CHECK_INT(zfs_classify(1, "cannot open 'tank/x': dataset does not exist\n", 0), ZE_NOENT);
	CHECK_INT(zfs_classify(1,
	                       "cannot receive incremental stream: destination tank/b has been modified\n"
	                       "since most recent snapshot\n",
	                       1),
	          ZE_MODIFIED);
	CHECK_INT(zfs_classify(1,
	                       "cannot receive incremental stream: most recent snapshot of tank/b does "
	                       "not\nmatch incremental source\n",
	                       1),
	          ZE_MISMATCH);
	CHECK_INT(zfs_classify(1, "cannot destroy 'tank/a@s': dataset is busy\n", 0), ZE_BUSY);
	CHECK_INT(zfs_classify(1,
	                       "cannot receive new filesystem stream: destination tank/b contains "
	                       "partially-complete state from \"zfs receive -s\".\n",
	                       1),
	          ZE_RESUME);
	CHECK_INT(zfs_classify(255, "ssh: connect to host h9 port 22: No route to host\n", 1),
	          ZE_UNREACHABLE);
	CHECK_INT(zfs_classify(1,
	                       "cannot receive new filesystem stream: destination 'tank/b' exists\nmust "
	                       "specify -F to overwrite it\n",
	                       1),
	          ZE_EXISTS);
	CHECK_INT(zfs_classify(2, "invalid option 's'\nusage:\n", 0), ZE_NOTSUP);
	CHECK_INT(zfs_classify(1, "something else\n", 0), ZE_OTHER);
	CHECK_INT(zfs_classify(0, "", 0), ZE_OK);
}

static const char *fuse_usage = "usage: zfs command args ...\n"
                                "\tlist [-rH][-d max] [-o property[,...]] [-t type[,...]] [-s property] ...\n"
                                "\tdestroy [-rRf] <filesystem|volume>\n"
                                "\tdestroy [-rRd] <snapshot>\n"
                                "\tset <property=value> <filesystem|volume|snapshot> ...\n"
                                "\tsend [-RDp] [-[iI] snapshot] <snapshot>\n"
                                "\treceive [-vnF] <filesystem|volume|snapshot>\n"
                                "\treceive [-vnF] -d <filesystem>\n"
                                "\thold [-r] <tag> <snapshot> ...\n";

static const char *openzfs_usage =
    "\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n"
    "\tdestroy [-fnpRrv] <filesystem|volume>\n"
    "\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]\n"
    "\tdestroy <filesystem|volume>#<bookmark>\n"
    "\tset <property=value> ... <filesystem|volume|snapshot> ...\n"
    "\tsend [-DLPbcehnpsvw] [-i|-I snapshot]\n"
    "\t     [-R [-X dataset[,dataset]...]]     <snapshot>\n"
    "\tsend [-DnvPLecw] [-i snapshot|bookmark] <filesystem|volume|snapshot>\n"
    "\tsend [-DnPpvLecr] [-i bookmark|snapshot] --redact <bookmark> <snapshot>\n"
    "\tsend [-nvPe] -t <receive_resume_token>\n"
    "\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n"
    "\t    <filesystem|volume|snapshot>\n"
    "\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ... \n"
    "\t    [-d | -e] <filesystem>\n"
    "\treceive -A <filesystem|volume>\n"
    "\tbookmark <snapshot|bookmark> <newbookmark>\n"
    "\thold [-r] <tag> <snapshot> ...\n"
    "For further help on a command or topic, run: zfs help [<topic>]\n";

TEST(features_zfs_fuse)
{
	struct zfs_features f;
	zfs_parse_usage(fuse_usage, &f);
	CHECK_INT(f.recv_u, 0);
	CHECK_INT(f.recv_o, 0);
	CHECK_INT(f.recv_s, 0);
	CHECK_INT(f.send_t, 0);
	CHECK_INT(f.bookmarks, 0);
	CHECK_INT(f.holds, 1);
	CHECK_INT(f.depth, 1);
	CHECK_INT(f.snapprops, 1);
	CHECK_INT(f.send_p, 1);
	CHECK_INT(f.multi_set, 0);
	CHECK_INT(f.destroy_list, 0);
	CHECK_INT(f.written, 0);
}

TEST(features_openzfs)
{
	struct zfs_features f;
	zfs_parse_usage(openzfs_usage, &f);
	CHECK_INT(f.recv_u, 1);
	CHECK_INT(f.recv_o, 1);
	CHECK_INT(f.recv_s, 1);
	CHECK_INT(f.send_t, 1);
	CHECK_INT(f.bookmarks, 1);
	CHECK_INT(f.holds, 1);
	CHECK_INT(f.send_p, 1);
	CHECK_INT(f.multi_set, 1);
	CHECK_INT(f.destroy_list, 1);
	CHECK_INT(f.written, 1);
}

TEST(send_recv_argv)
{
	struct strv sv = STRV_INIT;
	struct send_opts so = {
	    .from = "tank/a@zrep_000001", .inc_flag = "-I", .snap = "tank/a@zrep_000002", .extra = "-c  -L"};
	zfs_argv_send(&sv, &so);
	const char *exp[] = {"zfs", "send", "-c", "-L", "-I", "tank/a@zrep_000001", "tank/a@zrep_000002"};
	CHECK_INT(sv.n, ARRAY_SIZE(exp));
	for (size_t i = 0; i < sv.n && i < ARRAY_SIZE(exp); i++)
		CHECK_STR(sv.v[i], exp[i]);
	strv_clear(&sv);

	struct send_opts full = {.snap = "t/a@zrep_000000", .props = 1, .verbose = 1, .recursive = 1};
	zfs_argv_send(&sv, &full);
	const char *exp2[] = {"zfs", "send", "-v", "-R", "-p", "t/a@zrep_000000"};
	CHECK_INT(sv.n, ARRAY_SIZE(exp2));
	for (size_t i = 0; i < sv.n && i < ARRAY_SIZE(exp2); i++)
		CHECK_STR(sv.v[i], exp2[i]);
	strv_clear(&sv);

	struct send_opts tok = {.token = "1-abc", .extra = "-c"};
	zfs_argv_send(&sv, &tok);
	CHECK_INT(sv.n, 5);
	CHECK_STR(sv.v[2], "-c");
	CHECK_STR(sv.v[3], "-t");
	strv_clear(&sv);

	struct recv_opts ro = {
	    .target = "tank/my b", .force = 1, .unmounted = 1, .readonly_o = 1, .resumable = 1};
	zfs_argv_recv(&sv, &ro);
	const char *exp3[] = {"zfs", "receive", "-u", "-s", "-F", "-o", "readonly=on", "tank/my b"};
	CHECK_INT(sv.n, ARRAY_SIZE(exp3));
	for (size_t i = 0; i < sv.n && i < ARRAY_SIZE(exp3); i++)
		CHECK_STR(sv.v[i], exp3[i]);
	strv_clear(&sv);
}

TEST(get_argv)
{
	struct strv sv = STRV_INIT;
	char *ds[] = {"tank/a", NULL};
	zfs_argv_get(&sv, "zrep:sent,guid", "local", 1, ds);
	const char *exp[] = {"get",   "-Hp",
	                     "-o",    "name,property,value,source",
	                     "-s",    "local",
	                     "-r",    "-d",
	                     "1",     "zrep:sent,guid",
	                     "tank/a"};
	CHECK_INT(sv.n, ARRAY_SIZE(exp));
	for (size_t i = 0; i < sv.n && i < ARRAY_SIZE(exp); i++)
		CHECK_STR(sv.v[i], exp[i]);
	strv_clear(&sv);
}

TEST(parse_snaps_orders_and_filters)
{
	const char *text = "tank/a\tzrep:sent\t-\t-\n"
	                   "tank/a@zrep_0000ff\tzrep:sent\t100\tlocal\n"
	                   "tank/a@zrep_0000ff\tguid\t11\t-\n"
	                   "tank/a@zrep_1000000\tzrep:sent\t-\t-\n"
	                   "tank/a@zrep_1000000\tguid\t12\t-\n"
	                   "tank/a@zrep_00000a\tzrep:sent\t50\treceived\n"
	                   "tank/a@manual\tcreation\t5\t-\n"
	                   "tank/a@zrep_000100_unsent\tguid\t13\t-\n"
	                   "tank/a/child@zrep_ffffff\tzrep:sent\t1\tlocal\n"
	                   "tank/ab@zrep_ffffff\tzrep:sent\t1\tlocal\n";
	struct zprops rows;
	CHECK_INT(zfs_parse_get(text, &rows), 0);
	struct zsnaps s;
	zsnaps_parse(&rows, "tank/a", "zrep", &s);
	CHECK_INT(s.n, 5);
	CHECK_STR(s.v[0].snap, "manual");
	CHECK_STR(s.v[1].snap, "zrep_00000a");
	CHECK(s.v[1].sent == NULL); /* received, not local */
	CHECK_STR(s.v[2].snap, "zrep_0000ff");
	CHECK_STR(s.v[3].snap, "zrep_000100_unsent");
	CHECK_STR(s.v[4].snap, "zrep_1000000");
	const struct zsnap *ls = zsnaps_last_sent(&s);
	CHECK(ls && strcmp(ls->snap, "zrep_0000ff") == 0);
	const struct zsnap *nw = zsnaps_newest(&s, 1);
	CHECK(nw && strcmp(nw->snap, "zrep_1000000") == 0);
	CHECK_STR(zsnaps_find(&s, "zrep_0000ff")->guid, "11");
	zsnaps_free(&s);
	zprops_free(&rows);
}

#include "expire.h"

static void mk(struct zsnaps *s, const char *const *names, const int *sent, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->v = calloc(n, sizeof(*s->v));
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		s->v[i].name = xasprintf("t/a@%s", names[i]);
		s->v[i].snap = s->v[i].name + 4;
		s->v[i].is_zrep = snapname_parse(s->v[i].snap, "zrep", &s->v[i].sn) == 0;
		s->v[i].sent = sent[i] ? xstrdup("1") : NULL;
	}
}

TEST(expire_master_keeps_last_sent_and_newer)
{
	const char *names[] = {"zrep_000001", "zrep_000002",        "zrep_000003",
	                       "zrep_000004", "zrep_000005_unsent", "zrep_000006"};
	int sent[] = {1, 1, 1, 1, 0, 0};
	struct zsnaps s;
	mk(&s, names, sent, 6);
	size_t out[6];
	CHECK_INT(plan_expire(&s, 1, 2, out), 2); /* keep 000003 (savecount-1) + 000004 (last sent) + newer */
	CHECK_INT(out[0], 0);
	CHECK_INT(out[1], 1);
	CHECK_INT(plan_expire(&s, 1, 1, out), 3);
	CHECK_INT(plan_expire(&s, 1, 5, out), 0);
	zsnaps_free(&s);
}

TEST(expire_destination_keeps_newest)
{
	const char *names[] = {"manual", "zrep_000001", "zrep_000002", "zrep_000003", "zrep_1000000"};
	int sent[] = {0, 1, 1, 1, 1};
	struct zsnaps s;
	mk(&s, names, sent, 5);
	size_t out[5];
	CHECK_INT(plan_expire(&s, 0, 2, out), 2);
	CHECK_INT(out[0], 1);
	CHECK_INT(out[1], 2);
	CHECK_INT(plan_expire(&s, 0, 5, out), 0);
	zsnaps_free(&s);
}

TEST(expire_master_without_sent_refuses)
{
	const char *names[] = {"zrep_000001", "zrep_000002"};
	int sent[] = {0, 0};
	struct zsnaps s;
	mk(&s, names, sent, 2);
	size_t out[2];
	CHECK_INT(plan_expire(&s, 1, 1, out), -1);
	zsnaps_free(&s);
}

TEST(token_toname)
{
	const char *out = "resume token contents:\nnvlist version: 0\n\tobject = 0x6\n\toffset = 0x0\n"
	                  "\ttoguid = 0x3a\n\ttoname = pool/my fs@zrep_000003\nfull send of pool/my "
	                  "fs@zrep_000003 estimated size is 1M\n";
	char *n = zfs_parse_token_toname(out);
	CHECK_STR(n, "pool/my fs@zrep_000003");
	free(n);
	CHECK(zfs_parse_token_toname("nothing here") == NULL);
	char *g = zfs_parse_token_toguid(out);
	CHECK_STR(g, "58");
	free(g);
	CHECK(zfs_parse_token_toguid("toguid = zz") == NULL);
}

TEST(destroy_list_and_feature_cache_text)
{
	struct strv sv = STRV_INIT;
	char *snaps[] = {"t/a b@zrep_000001", "t/a b@zrep_000002", "t/a b@zrep_000003"};
	zfs_argv_destroy_list(&sv, snaps, 3, 0);
	CHECK_INT(sv.n, 2);
	CHECK_STR(sv.v[1], "t/a b@zrep_000001,zrep_000002,zrep_000003");
	strv_clear(&sv);
	zfs_argv_destroy_list(&sv, snaps, 1, 1);
	CHECK_INT(sv.n, 3);
	CHECK_STR(sv.v[1], "-r");
	CHECK_STR(sv.v[2], "t/a b@zrep_000001");
	strv_clear(&sv);

	struct zfs_features f = {0}, g;
	zfs_parse_usage(openzfs_usage, &f);
	char *text = featcache_format("h2", "", &f);
	CHECK_INT(featcache_parse(text, "h2", "", &g), 0);
	CHECK_INT(g.recv_s, 1);
	CHECK_INT(g.multi_set, 1);
	CHECK_INT(g.destroy_list, 1);
	CHECK_INT(g.probed, 1);
	/* another host's entry, another zfs binary, or a damaged file is not trusted */
	CHECK_INT(featcache_parse(text, "h3", "", &g), -1);
	CHECK_INT(featcache_parse(text, "h2", "123 456", &g), -1);
	text[strlen(text) - 2] = '7';
	CHECK_INT(featcache_parse(text, "h2", "", &g), -1);
	free(text);
}

/* zfs_start_together starts its commands at once and returns; zfs_wait_together collects each
 * one's outcome (a zfs in PATH that logs its words, fails for one dataset, and waits for a file
 * only the other command's run makes, so the two must run side by side). */
TEST(zfs_start_and_wait_together)
{
	char dir[] = "/tmp/zrep-unit-zfsbg.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *zfs = xasprintf("%s/zfs", dir);
	char *script = xasprintf("#!/bin/sh\n"
	                         "case $3 in\n"
	                         "bad) echo \"cannot set property for '$3'\" >&2; exit 1;;\n"
	                         "wait) i=0; while [ ! -e %s/made ]; do sleep 0.05; i=$((i+1)); "
	                         "[ $i -lt 100 ] || exit 9; done;;\n"
	                         "*) sleep 0.1; : > %s/made;;\n"
	                         "esac\n"
	                         "echo \"$@\" >> %s/log\n",
	                         dir, dir, dir);
	FILE *f = fopen(zfs, "w");
	CHECK(f != NULL);
	fputs(script, f);
	fclose(f);
	chmod(zfs, 0755);
	const char *old = getenv("PATH");
	char *oldpath = xstrdup(old ? old : "/usr/bin:/bin");
	char *path = xasprintf("%s:%s", dir, oldpath);
	setenv("PATH", path, 1);
	struct host h = {(char *)"localhost", 1};
	char *c1[] = {"set", "p=1", "wait", NULL};
	char *c2[] = {"set", "p=1", "makes", NULL};
	char *c3[] = {"set", "p=1", "bad", NULL};
	char **cmds[] = {c1, c2, c3};
	struct zfs_bg bg;
	zfs_start_together(&h, (char *const *const *)cmds, 3, &bg);
	struct zerr errs[3] = {{0}};
	CHECK_INT(zfs_wait_together(&bg, errs), 1);
	CHECK_INT(errs[0].status, 0);
	CHECK_INT(errs[1].status, 0);
	CHECK_INT(errs[2].status, 1);
	CHECK(errs[2].msg && strstr(errs[2].msg, "cannot set property") != NULL);
	CHECK(bg.n == 0 && bg.ps == NULL);
	for (int i = 0; i < 3; i++)
		zerr_clear(&errs[i]);
	setenv("PATH", oldpath, 1);
	char *rm = xasprintf("rm -rf %s", dir);
	CHECK_INT(system(rm), 0);
	free(rm);
	free(path);
	free(oldpath);
	free(script);
	free(zfs);
}
