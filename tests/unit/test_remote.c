/* The remote calls and pipelines zrep builds, pinned word by word (building is separate from running). */
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "exec_pump.h"
#include "harness.h"
#include "pipeline.h"
#include "props.h"
#include "remote.h"
#include "zfs_sh.h"

static void setup(void)
{
	cfg.tag = "zrep";
	cfg.zrep_path = "zrep";
	cfg.recursive = 0;
	cfg.infilter = NULL;
	cfg.outfilter = NULL;
	props_init("zrep");
}

static void check_args(const struct remote_call *c, const char *const *want, size_t n)
{
	CHECK_INT(c->args.n, n);
	for (size_t i = 0; i < n && i < c->args.n; i++)
		CHECK_STR(c->args.v[i], want[i]);
}

TEST(remote_push_params_pinned)
{
	setup();
	char *after[] = {"readonly=on", "@inherit=mountpoint", NULL};
	struct push_opts o = {
	    .base = "tank/a b@zrep_000001",
	    .snap = "tank/a b@zrep_000002",
	    .check_master = 1,
	    .recv = {.target = "back/a b", .force = 1},
	    .set_after = after,
	    .mark_sent = 1,
	    .hold = 1,
	    .remote_expire = 1,
	};
	struct remote_call c;
	push_call(&o, NULL, &c);
	/* features unknown: the usage is asked for; no listing without local_snaps */
	const char *want[] = {"back/a b",
	                      "zrep:master",
	                      "zrep:sent",
	                      "zrep_000002",
	                      "zfs receive -F 'back/a b'",
	                      "",
	                      "zrep",
	                      "",
	                      "",
	                      "1",
	                      "readonly=on",
	                      "@inherit=mountpoint"};
	check_args(&c, want, ARRAY_SIZE(want));
	remote_call_free(&c);

	/* A sync: listing (with the token where the destination resumes), -s variant, leftover
	 * receives ended, usage known. */
	struct zsnaps none = {0};
	struct zfs_features df = {.probed = 1, .recv_s = 1, .send_t = 1, .holds = 1};
	struct push_opts os = {
	    .base = "t/a@zrep_000001",
	    .snap = "t/a@zrep_000002",
	    .check_master = 1,
	    .recv = {.target = "b/a"},
	    .mark_sent = 1,
	    .hold = 1,
	    .remote_expire = 1,
	    .local_snaps = &none,
	    .resumable = 1,
	    .kill_leftover = 1,
	};
	push_call(&os, &df, &c);
	const char *wants[] = {
	    "b/a",
	    "zrep:master",
	    "zrep:sent",
	    "zrep_000002",
	    "zfs receive b/a",
	    "zfs receive -s b/a",
	    "zrep",
	    "zrep:master,zrep:savecount,zrep:sent,guid,creation,userrefs,receive_resume_token",
	    "1",
	    ""};
	check_args(&c, wants, ARRAY_SIZE(wants));
	remote_call_free(&c);

	/* No split-brain check, no marks, no expire; an infilter goes before the receive. */
	cfg.infilter = "gunzip -c";
	cfg.recursive = 1;
	struct push_opts o2 = {.snap = "t/x@zrep_000000", .recv = {.target = "b/x", .unmounted = 1}};
	push_call(&o2, &df, &c);
	const char *want2[] = {"b/x", "", "", "zrep_000000", "gunzip -c | zfs receive -u b/x", "", "",
	                       "",    "", ""};
	check_args(&c, want2, ARRAY_SIZE(want2));
	remote_call_free(&c);
	setup();
}

/* The answer written before the stream: the destination's expiry planned from its own listing
 * and savecount, zrep's hold moved, a comma list where the zfs takes one. */
TEST(push_answer_plans_destination)
{
	setup();
	const char *text = "b/a\tzrep:savecount\t2\treceived\n"
	                   "b/a@zrep_000001\tzrep:savecount\t2\tinherited from b/a\n"
	                   "b/a@zrep_000002\tzrep:savecount\t2\tinherited from b/a\n"
	                   "b/a@zrep_000003\tzrep:savecount\t2\tinherited from b/a\n"
	                   "b/a@mine\tzrep:savecount\t2\tinherited from b/a\n"
	                   "b/a\tguid\t1\t-\n"
	                   "b/a@zrep_000001\tguid\t11\t-\n"
	                   "b/a@zrep_000002\tguid\t12\t-\n"
	                   "b/a@zrep_000003\tguid\t13\t-\n"
	                   "b/a@mine\tguid\t14\t-\n"
	                   "b/a\tuserrefs\t-\t-\n"
	                   "b/a@zrep_000001\tuserrefs\t0\t-\n"
	                   "b/a@zrep_000002\tuserrefs\t0\t-\n"
	                   "b/a@zrep_000003\tuserrefs\t1\t-\n"
	                   "b/a@mine\tuserrefs\t0\t-\n";
	struct zprops rows;
	CHECK_INT(zfs_parse_get(text, &rows), 0);
	struct push_opts o = {.snap = "t/a@zrep_000004",
	                      .recv = {.target = "b/a"},
	                      .mark_sent = 1,
	                      .hold = 1,
	                      .remote_expire = 1};
	struct strbuf sb = STRBUF_INIT;
	long planned = 0;
	push_answer(&o, &rows, NULL, 1, 1700000000, &sb, &planned);
	CHECK_STR(sb_str(&sb), "GO-S\nT 1700000000\nR b/a@zrep_000003\n"
	                       "X b/a@zrep_000001\nX b/a@zrep_000002\nP\n.\n");
	CHECK_INT(planned, 2);
	sb_release(&sb);
	struct zfs_features df = {.probed = 1, .destroy_list = 1};
	o.abort_token = 1;
	push_answer(&o, &rows, &df, 0, 5, &sb, &planned);
	CHECK_STR(sb_str(&sb), "GO\nT 5\nA\nR b/a@zrep_000003\nL b/a@zrep_000001,zrep_000002\nP\n.\n");
	sb_release(&sb);
	zprops_free(&rows);
	/* savecount 1: the snapshot whose hold is released is destroyed too, so after the release
	 * (no P) */
	struct strbuf t1 = STRBUF_INIT;
	sb_adds(&t1, text);
	for (char *q = t1.buf; (q = strstr(q, "savecount\t2")) != NULL; q++)
		q[10] = '1';
	CHECK_INT(zfs_parse_get(sb_str(&t1), &rows), 0);
	o.abort_token = 0;
	push_answer(&o, &rows, &df, 0, 5, &sb, &planned);
	CHECK_STR(sb_str(&sb), "GO\nT 5\nR b/a@zrep_000003\nL b/a@zrep_000001,zrep_000002,zrep_000003\n.\n");
	CHECK_INT(planned, 3);
	sb_release(&sb);
	sb_release(&t1);
	zprops_free(&rows);
	/* sync all: the destination only receives; its marks and expiry come in one call later */
	o.abort_token = 0;
	o.defer_dest = 1;
	push_answer(&o, &rows, &df, 0, 5, &sb, &planned);
	CHECK_STR(sb_str(&sb), "GO\nT 5\nD\n.\n");
	CHECK_INT(planned, 0);
	sb_release(&sb);
	o.defer_dest = 0;
	o.abort_token = 1;
	/* an unusable savecount there: nothing destroyed, and said */
	CHECK_INT(zfs_parse_get("b/a\tzrep:savecount\t0x5\tlocal\n", &rows), 0);
	push_answer(&o, &rows, &df, 0, 5, &sb, &planned);
	CHECK_INT(planned, -1);
	CHECK_STR(sb_str(&sb), "GO\nT 5\nA\n.\n");
	sb_release(&sb);
	zprops_free(&rows);
}

TEST(remote_expire_params_pinned)
{
	setup();
	cfg.tag = "bk";
	props_init("bk");
	struct strv ev = STRV_INIT;
	remote_zrep_argv(&ev);
	strv_push(&ev, "expire");
	strv_push(&ev, "b/x;y");
	struct remote_call c;
	remote_expire_call(&c, "b/x;y", "bk:master", ev.v);
	const char *want[] = {"b/x;y", "bk:master", "zrep", "-t", "bk", "expire", "b/x;y"};
	check_args(&c, want, ARRAY_SIZE(want));
	remote_call_free(&c);
	strv_clear(&ev);
	setup();
}

TEST(remote_zrep_argv_recursive_first)
{
	setup();
	cfg.zrep_path = "/opt/zrep/bin/zrep --x";
	cfg.recursive = 1;
	cfg.tag = "bk";
	struct strv w = STRV_INIT;
	remote_zrep_argv(&w);
	CHECK_INT(w.n, 5);
	if (w.n == 5) {
		CHECK_STR(w.v[0], "/opt/zrep/bin/zrep");
		CHECK_STR(w.v[1], "--x");
		CHECK_STR(w.v[2], "-R");
		CHECK_STR(w.v[3], "-t");
		CHECK_STR(w.v[4], "bk");
	}
	strv_clear(&w);
	setup();
}

TEST(remote_promote_params_pinned)
{
	setup();
	char *tk[] = {"zrep", "takeover", "-L", "b/x", NULL};
	struct remote_promote_params p = {
	    .bsnap = "b/x@zrep_00000a",
	    .want_guid = "123",
	    .rollback = 1,
	    .sent_prop = "zrep:sent",
	    .sent_time = 1700000000,
	    .master_prop = "zrep:master",
	    .pfs = "b/x",
	    .takeover_argv = tk,
	};
	struct remote_call c;
	remote_promote_call(&c, &p);
	const char *want[] = {
	    "b/x@zrep_00000a", "123", "1",  "zrep:sent", "1700000000", "zrep:master", "b/x", "zrep", "zrep",
	    "takeover",        "-L",  "b/x"};
	check_args(&c, want, ARRAY_SIZE(want));
	remote_call_free(&c);
	p.rollback = 0;
	remote_promote_call(&c, &p);
	CHECK_STR(c.args.v[2], "");
	remote_call_free(&c);
}

TEST(remote_script_is_fixed_text_data_in_args)
{
	setup();
	struct host h;
	host_init(&h, "h2");
	struct remote_call c;
	char *ev[] = {"zrep", "expire", "$(touch /tmp/pwned)", NULL};
	remote_expire_call(&c, "$(touch /tmp/pwned)", "zrep:master", ev);
	struct strv out = STRV_INIT;
	remote_build(&h, &c, &out);
	/* ssh h2 'sh -c SCRIPT zrep-sh ARGS...': the script text is ours, the name only in a quoted argument.
	 */
	CHECK_STR(out.v[0], "ssh");
	CHECK_STR(out.v[1], "h2");
	CHECK(strstr(out.v[2], zfs_sh_functions) != NULL);
	CHECK(strstr(out.v[2], "'$(touch /tmp/pwned)'") != NULL);
	CHECK(strchr(c.script, '!') == NULL);
	/* no script has a '!' (a csh login shell would expand it even inside quotes) */
	struct remote_call all[6];
	struct remote_push_params pp = {.target = "b/x", .recv_cmd = "zfs receive b/x"};
	remote_push_call(&all[0], &pp);
	remote_probe_call(&all[1], "b/x");
	remote_killrecv_call(&all[2], "b/x");
	remote_snaplist_call(&all[3], "zrep:sent", "b/x", ev);
	char *dests[] = {"b/x", "b/y", NULL};
	remote_destlist_call(&all[4], "zrep:master,guid", 1, dests);
	remote_finish_call(&all[5], "zrep:sent", 5, "zrep", dests);
	for (size_t i = 0; i < 6; i++) {
		CHECK(strchr(all[i].script, '!') == NULL);
		remote_call_free(&all[i]);
	}
	strv_clear(&out);
	remote_call_free(&c);
	host_release(&h);
}

TEST(remote_markers_parsed)
{
	const char *a = NULL;
	CHECK(remote_marker("ZREP-READY", "READY", &a));
	CHECK_STR(a, "");
	CHECK(remote_marker("ZREP-GUID 12345", "GUID", &a));
	CHECK_STR(a, "12345");
	CHECK(!remote_marker("ZREP-GUIDX 1", "GUID", &a));
	CHECK(!remote_marker("ZREP-EXPIRE-OK", "EXPIRE", &a));
	CHECK(!remote_marker("xZREP-READY", "READY", &a));
	CHECK(remote_marker("ZREP-NODEST cannot open 'x': dataset does not exist", "NODEST", &a));
	CHECK_STR(a, "cannot open 'x': dataset does not exist");

	struct remote_reply r = {0};
	sb_adds(&r.out, "ZREP-NEWSNAP t/x@zrep_000003\nZREP-LIST\nt/x\tguid\t1\t-\n");
	strv_lines(&r.lines, sb_str(&r.out));
	CHECK_STR(remote_find(&r, "NEWSNAP"), "t/x@zrep_000003");
	CHECK_STR(remote_after(&r, "LIST"), "t/x\tguid\t1\t-\n");
	CHECK(remote_find(&r, "LISTFAIL") == NULL);
	remote_reply_free(&r);
}

TEST(pull_stages_pinned)
{
	setup();
	struct host h;
	host_init(&h, "src1");
	char *send[] = {"zrep", "_refreshpull", "t/x@zrep_000004", NULL};
	struct pull_opts o = {.src = &h, .send_argv = send, .recv = {.target = "b/x", .force = 1}};
	struct strv sv[3] = {STRV_INIT, STRV_INIT, STRV_INIT};
	size_t n = pull_stages(&o, sv);
	CHECK_INT(n, 2);
	CHECK_STR(sv[0].v[0], "ssh");
	CHECK_STR(sv[0].v[1], "src1");
	CHECK_STR(sv[0].v[2], "zrep _refreshpull t/x@zrep_000004");
	CHECK_STR(sv[1].v[0], "zfs");
	CHECK_STR(sv[1].v[1], "receive");
	CHECK_STR(sv[1].v[2], "-F");
	CHECK_STR(sv[1].v[3], "b/x");
	for (size_t i = 0; i < 3; i++)
		strv_clear(&sv[i]);

	cfg.outfilter = "gzip -1";
	cfg.infilter = "gunzip";
	n = pull_stages(&o, sv);
	CHECK_INT(n, 3);
	CHECK(strstr(sv[0].v[2], "'gzip -1' zrep _refreshpull t/x@zrep_000004") != NULL);
	CHECK_STR(sv[1].v[0], "sh");
	CHECK_STR(sv[1].v[2], "gunzip");
	for (size_t i = 0; i < 3; i++)
		strv_clear(&sv[i]);
	host_release(&h);
	setup();
}

TEST(xfer_blame_one_rule)
{
	/* sender cut by the receiver going away: the receiver */
	int st1[] = {141, 1};
	const char *e1[] = {"", "cannot receive: destination has been modified"};
	CHECK_INT(xfer_blame(st1, e1, NULL, 2), 1);
	/* sender failed with a reason zfs names: the sender */
	int st2[] = {1, 1};
	const char *e2[] = {"cannot open 't/x@zrep_000009': dataset does not exist",
	                    "failed to read from stream"};
	CHECK_INT(xfer_blame(st2, e2, NULL, 2), 0);
	/* sender failed for no named reason, receiver said why: the receiver */
	int st3[] = {1, 0, 1};
	const char *e3[] = {"internal error", "",
	                    "cannot receive incremental stream: most recent snapshot of b/x does not match"};
	CHECK_INT(xfer_blame(st3, e3, NULL, 3), 2);
	/* only a filter failed */
	int st4[] = {0, 2, 0};
	const char *e4[] = {"", "gzip: bad", ""};
	CHECK_INT(xfer_blame(st4, e4, NULL, 3), 1);
	int st5[] = {0, 0};
	CHECK_INT(xfer_blame(st5, NULL, NULL, 2), -1);
	/* ssh could not reach the source: that, not the receiver's empty stream */
	int st6[] = {255, 1};
	const char *e6[] = {"ssh: connect to host src1 port 22: Connection refused",
	                    "cannot receive: failed to read from stream"};
	int r6[] = {1, 0};
	CHECK_INT(xfer_blame(st6, e6, r6, 2), 0);
}

/* The answer reader: lines split across reads and several in one read, a last line without its
 * newline, EOF, and a deadline that passes with nothing to read. */
TEST(line_reader_lines)
{
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "ZREP-LIST x\nrow 1\nro", 20) == 20);
	struct line_reader rd;
	line_reader_init(&rd, p[0]);
	struct strbuf l = STRBUF_INIT;
	CHECK_INT(remote_read_line(&rd, &l, 0), 1);
	CHECK_STR(sb_str(&l), "ZREP-LIST x");
	CHECK_INT(remote_read_line(&rd, &l, 0), 1);
	CHECK_STR(sb_str(&l), "row 1");
	CHECK_INT(remote_read_line(&rd, &l, mono_now() + 0.05), -1); /* "ro" and no more yet */
	CHECK(write(p[1], "w 2\nlast", 8) == 8);
	close(p[1]);
	CHECK_INT(remote_read_line(&rd, &l, 0), 1);
	CHECK_STR(sb_str(&l), "row 2");
	CHECK_INT(remote_read_line(&rd, &l, 0), 1);
	CHECK_STR(sb_str(&l), "last");
	CHECK_INT(remote_read_line(&rd, &l, 0), 0);
	close(p[0]);
	sb_release(&l);
}
