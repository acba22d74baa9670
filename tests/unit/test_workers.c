/* workers.c (pool, dedupe, -P parsing) and host.c's connection-sharing decisions. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "host.h"
#include "workers.h"

TEST(ssh_is_openssh_by_basename)
{
	CHECK(host_ssh_is_openssh("ssh"));
	CHECK(host_ssh_is_openssh("/usr/bin/ssh"));
	CHECK(!host_ssh_is_openssh("rsh"));
	CHECK(!host_ssh_is_openssh("/usr/bin/dbclient"));
	CHECK(!host_ssh_is_openssh("sshpass"));
	CHECK(!host_ssh_is_openssh("/opt/ssh/bin/myssh"));
	CHECK(!host_ssh_is_openssh(""));
	CHECK(!host_ssh_is_openssh(NULL));
}

static int wanted(const char *ssh, const char *setting)
{
	struct strv sv = STRV_INIT;
	strv_split(&sv, ssh);
	int r = host_mux_wanted(sv.v, setting);
	strv_clear(&sv);
	return r;
}

TEST(mux_wanted_setting_wins)
{
	CHECK(wanted("ssh", NULL));
	CHECK(wanted("ssh", ""));
	CHECK(wanted("ssh -o ServerAliveInterval=30 -p 2222", NULL));
	CHECK(!wanted("ssh", "no"));
	CHECK(!wanted("ssh", "off"));
	CHECK(!wanted("ssh", "0"));
	CHECK(!wanted("rsh", NULL));
	CHECK(!wanted("rsh -l root", NULL));
	CHECK(wanted("/usr/local/bin/wrapped-ssh", "yes"));
	CHECK(!wanted("rsh", "maybe"));
	CHECK(wanted("ssh", "maybe"));
	/* the user's own sharing is left alone */
	CHECK(!wanted("ssh -S /tmp/sock", NULL));
	CHECK(!wanted("ssh -o ControlPath=/tmp/%C", NULL));
	CHECK(!wanted("ssh -o controlmaster=auto", NULL));
	CHECK(wanted("ssh -o ControlPath=/tmp/%C", "yes"));
}

TEST(mux_path_per_host)
{
	char *a = host_mux_path("/var/run/zrep-ssh.AbCdEf", "h2");
	char *b = host_mux_path("/var/run/zrep-ssh.AbCdEf", "h3");
	char *a2 = host_mux_path("/var/run/zrep-ssh.AbCdEf", "h2");
	CHECK(strncmp(a, "/var/run/zrep-ssh.AbCdEf/m-", 27) == 0);
	CHECK(strlen(a) == 27 + 16);
	CHECK(strcmp(a, b) != 0);
	CHECK_STR(a, a2);
	/* no ssh %-token can come from a host name */
	char *c = host_mux_path("/r", "fe80::1%eth0");
	CHECK(strchr(c, '%') == NULL);
	free(a);
	free(b);
	free(a2);
	free(c);
}

static char *joined(struct strv *sv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			sb_adds(&sb, " ");
		sb_adds(&sb, sv->v[i]);
	}
	return sb_detach(&sb);
}

TEST(mux_words_client_and_master)
{
	struct strv sv = STRV_INIT;
	host_mux_words("/var/run/zrep-ssh.x/m-1", 0, &sv);
	char *s = joined(&sv);
	CHECK_STR(s, "-o ControlPath=/var/run/zrep-ssh.x/m-1 -o ControlMaster=no");
	free(s);
	strv_clear(&sv);
	host_mux_words("/run/50%/m-1", 1, &sv);
	s = joined(&sv);
	CHECK_STR(s, "-o ControlPath=/run/50%%/m-1 -o ControlMaster=yes -o ControlPersist=60 -o "
	             "ServerAliveInterval=10 "
	             "-o ServerAliveCountMax=3 -N -f");
	free(s);
	strv_clear(&sv);
}

TEST(mux_off_means_plain_argv)
{
	struct host h = {(char *)"h2", 0};
	host_set_ssh("rsh -l root");
	host_set_mux(NULL, "/tmp");
	struct strv sv = STRV_INIT;
	char *argv[] = {(char *)"true", NULL};
	host_build_argv(&h, argv, &sv);
	char *s = joined(&sv);
	CHECK_STR(s, "rsh -l root h2 true");
	CHECK(host_mux_dir() == NULL);
	free(s);
	strv_clear(&sv);
	host_set_ssh("ssh -o Foo=bar");
	host_set_mux("no", "/tmp");
	host_build_argv(&h, argv, &sv);
	s = joined(&sv);
	CHECK_STR(s, "ssh -o Foo=bar h2 true");
	free(s);
	strv_clear(&sv);
	host_set_ssh(NULL);
}

TEST(workers_dedupe_keeps_first)
{
	struct strv sv = STRV_INIT;
	const char *in[] = {"a", "b", "a", "c", "b", "a"};
	for (size_t i = 0; i < ARRAY_SIZE(in); i++)
		strv_push(&sv, in[i]);
	workers_dedupe(&sv);
	char *s = joined(&sv);
	CHECK_STR(s, "a b c");
	CHECK(sv.v[sv.n] == NULL);
	free(s);
	strv_clear(&sv);
}

TEST(workers_mux_groups_of_eight)
{
	CHECK(workers_mux_group(0) == 0);
	CHECK(workers_mux_group(7) == 0);
	CHECK(workers_mux_group(8) == 1);
	CHECK(workers_mux_group(15) == 1);
	CHECK(workers_mux_group(63) == 7);
}

TEST(workers_parse_range)
{
	CHECK(workers_parse("1") == 1);
	CHECK(workers_parse("64") == 64);
	CHECK(workers_parse("0") == -1);
	CHECK(workers_parse("65") == -1);
	CHECK(workers_parse("-2") == -1);
	CHECK(workers_parse("4x") == -1);
	CHECK(workers_parse("") == -1);
	CHECK(workers_parse(NULL) == -1);
}

/* A job: sleeps 200 ms in its own process, reports by its name. */
static int job(const char *item, void *arg)
{
	pid_t *parent = arg;
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	if (getpid() == *parent && strcmp(item, "seq") != 0)
		return WORKER_FAILED; /* parallel jobs must not run in the parent */
	if (item[0] == 'f')
		return WORKER_FAILED;
	if (item[0] == 's' && item[1] == 'k')
		return WORKER_SKIPPED;
	return WORKER_OK;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(workers_run_bounded_and_tallied)
{
	pid_t me = getpid();
	char *items[] = {
	    (char *)"ok1", (char *)"skip", (char *)"fail", (char *)"ok2", (char *)"ok3", (char *)"ok4", NULL};
	struct worker_tally t;
	double t0 = now();
	workers_run(items, 6, 3, job, &me, NULL, &t);
	double dt = now() - t0;
	CHECK(t.ok == 4);
	CHECK(t.skipped == 1);
	CHECK(t.failed == 1);
	/* 6 jobs of 0.2 s, 3 at once: two rounds, not one, not six */
	CHECK(dt >= 0.39);
	CHECK(dt < 1.0);

	char *one[] = {(char *)"seq", (char *)"seq", NULL};
	t0 = now();
	workers_run(one, 2, 1, job, &me, NULL, &t);
	CHECK(t.ok == 2);
	CHECK(now() - t0 >= 0.39);
}
