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

static char *joined_argv(const struct strv *sv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sb_adds(&sb, " ");
		sb_adds(&sb, sv->v[i]);
	}
	return sb_detach(&sb);
}

/* ConnectTimeout from ZREP_TIMEOUT (at most 30 s, none when 0) and ServerAlive, on OpenSSH only,
 * never over what the user's $SSH says. */
TEST(host_ssh_time_limits)
{
	CHECK_INT(host_connect_timeout(120), 30);
	CHECK_INT(host_connect_timeout(7), 7);
	CHECK_INT(host_connect_timeout(0), 0);
	struct strv out = STRV_INIT;
	char *plain[] = {"ssh", NULL};
	host_ssh_opts(plain, 120, &out);
	char *s = joined_argv(&out);
	CHECK_STR(s, "-o ConnectTimeout=30 -o ServerAliveInterval=10 -o ServerAliveCountMax=3");
	free(s);
	strv_clear(&out);
	char *path[] = {"/usr/bin/ssh", "-p", "2222", NULL};
	host_ssh_opts(path, 0, &out); /* ZREP_TIMEOUT=0: no connect limit, dead peers still detected */
	s = joined_argv(&out);
	CHECK_STR(s, "-o ServerAliveInterval=10 -o ServerAliveCountMax=3");
	free(s);
	strv_clear(&out);
	char *user[] = {"ssh", "-oconnecttimeout=5", "-o", "ServerAliveInterval=60", NULL};
	host_ssh_opts(user, 120, &out);
	CHECK_INT(out.n, 0);
	strv_clear(&out);
	char *other[] = {"rsh", "-l", "root", NULL};
	host_ssh_opts(other, 120, &out);
	CHECK_INT(out.n, 0);
	char *wrapper[] = {"/tmp/myssh.sh", NULL};
	host_ssh_opts(wrapper, 120, &out);
	CHECK_INT(out.n, 0);
	strv_clear(&out);
}

/* The remote argv once main set the limits (host_set_timeout): $SSH's words, ours, the host. */
TEST(host_remote_argv_has_time_limits)
{
	struct host h;
	host_set_local_name("me");
	host_set_mux("no", "/tmp");
	host_init(&h, "h2");
	char *argv[] = {"true", NULL};
	struct strv out = STRV_INIT;
	host_set_timeout(10);
	host_set_ssh("ssh -o BatchMode=yes");
	host_build_argv(&h, argv, &out);
	char *s = joined_argv(&out);
	CHECK_STR(s, "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=10 -o "
	             "ServerAliveCountMax=3 h2 true");
	free(s);
	strv_clear(&out);
	host_set_ssh("ssh -o ConnectTimeout=3 -o ServerAliveCountMax=9");
	host_build_argv(&h, argv, &out);
	s = joined_argv(&out);
	CHECK_STR(s, "ssh -o ConnectTimeout=3 -o ServerAliveCountMax=9 h2 true");
	free(s);
	strv_clear(&out);
	host_set_ssh("rsh -l root");
	host_build_argv(&h, argv, &out);
	s = joined_argv(&out);
	CHECK_STR(s, "rsh -l root h2 true");
	free(s);
	strv_clear(&out);
	host_set_timeout(-1); /* back to no options for the other tests */
	host_set_ssh("ssh");
	host_release(&h);
	host_set_local_name(NULL);
}
