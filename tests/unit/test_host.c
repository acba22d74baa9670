#include <stdlib.h>

#include "harness.h"
#include "host.h"

static char *quoted(const char *w)
{
	struct strbuf sb = STRBUF_INIT;
	sh_quote(&sb, w);
	return sb_detach(&sb);
}

TEST(quote_plain_words_unchanged)
{
	char *q = quoted("tank/fs@zrep_000001");
	CHECK_STR(q, "tank/fs@zrep_000001");
	free(q);
}

TEST(quote_hostile_words)
{
	const char *cases[][2] = {
	    {"my fs", "'my fs'"},
	    {"a'b", "'a'\\''b'"},
	    {"$(touch /tmp/x)", "'$(touch /tmp/x)'"},
	    {"a;b", "'a;b'"},
	    {"back\\slash", "'back\\slash'"},
	    {"", "''"},
	    {"`id`", "'`id`'"},
	    {"=x", "'=x'"},
	    {"~root", "'~root'"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *q = quoted(cases[i][0]);
		CHECK_STR(q, cases[i][1]);
		free(q);
	}
}

TEST(host_refuses_bad_names)
{
	struct host h;
	CHECK_INT(host_init(&h, "-oProxyCommand=x"), -1);
	CHECK_INT(host_init(&h, "h2;touch /tmp/pwned"), -1);
	CHECK_INT(host_init(&h, ""), -1);
	CHECK_INT(host_init(&h, "a b"), -1);
	CHECK_INT(host_init(&h, "h2"), 0);
	host_release(&h);
	CHECK_INT(host_init(&h, "root@h2.example.com"), 0);
	host_release(&h);
}

TEST(host_local_detection)
{
	struct host h;
	host_set_local_name("myhost");
	host_init(&h, "localhost");
	CHECK_INT(h.local, 1);
	host_release(&h);
	host_init(&h, "myhost");
	CHECK_INT(h.local, 1);
	host_release(&h);
	host_init(&h, "other");
	CHECK_INT(h.local, 0);
	host_release(&h);
	host_set_local_name(NULL);
}

TEST(host_remote_argv_is_quoted)
{
	struct host h;
	host_set_local_name("me");
	host_set_ssh("ssh -o BatchMode=yes");
	host_init(&h, "h2");
	char *argv[] = {"zfs", "list", "tank/my fs'$x", NULL};
	struct strv out = STRV_INIT;
	host_build_argv(&h, argv, &out);
	CHECK_INT(out.n, 5);
	CHECK_STR(out.v[0], "ssh");
	CHECK_STR(out.v[1], "-o");
	CHECK_STR(out.v[2], "BatchMode=yes");
	CHECK_STR(out.v[3], "h2");
	/* the 5th word is the one command string */
	CHECK_STR(out.v[4], "zfs list 'tank/my fs'\\''$x'");
	strv_clear(&out);
	host_release(&h);
	host_set_ssh("ssh");
	host_set_local_name(NULL);
}

TEST(host_local_argv_is_unchanged)
{
	struct host h;
	host_set_local_name("me");
	host_init(&h, "localhost");
	char *argv[] = {"zfs", "list", "a b", NULL};
	struct strv out = STRV_INIT;
	host_build_argv(&h, argv, &out);
	CHECK_INT(out.n, 3);
	CHECK_STR(out.v[2], "a b");
	strv_clear(&out);
	host_release(&h);
	host_set_local_name(NULL);
}
