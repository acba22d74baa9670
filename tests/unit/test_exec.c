#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "harness.h"

TEST(exec_captures_and_status)
{
	char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	struct proc p;
	proc_init(&p, argv);
	CHECK_INT(exec_run(&p), 3);
	CHECK_STR(sb_str(&p.out_buf), "out\n");
	CHECK_STR(sb_str(&p.err_buf), "err\n");
	proc_release(&p);
}

TEST(exec_feeds_stdin)
{
	char *argv[] = {"cat", NULL};
	struct proc p;
	proc_init(&p, argv);
	p.in_data = "hello world";
	p.in_len = 11;
	CHECK_INT(exec_run(&p), 0);
	CHECK_STR(sb_str(&p.out_buf), "hello world");
	proc_release(&p);
}

TEST(exec_signal_status)
{
	char *argv[] = {"sh", "-c", "kill -TERM $$", NULL};
	struct proc p;
	proc_init(&p, argv);
	CHECK_INT(exec_run(&p), 128 + SIGTERM);
	proc_release(&p);
}

TEST(exec_missing_program)
{
	char *argv[] = {"/nonexistent/zrep-no-such-program", NULL};
	struct proc p;
	proc_init(&p, argv);
	CHECK_INT(exec_run(&p), -1);
	proc_release(&p);
}

TEST(exec_pipeline_blames_receiver)
{
	/* The sender writes forever; the receiver fails: the receiver is blamed. */
	char *a[] = {"sh", "-c", "yes data", NULL};
	char *b[] = {"sh", "-c", "head -c 10 >/dev/null; echo 'cannot receive: refused' >&2; exit 4", NULL};
	struct proc st[2];
	proc_init(&st[0], a);
	proc_init(&st[1], b);
	int blame = exec_pipeline(st, 2);
	CHECK_INT(blame, 1);
	CHECK_INT(st[1].status, 4);
	CHECK(st[0].status != 0);
	CHECK_STR(sb_str(&st[1].err_buf), "cannot receive: refused\n");
	proc_release(&st[0]);
	proc_release(&st[1]);
}

TEST(exec_pipeline_blames_sender_first)
{
	char *a[] = {"sh", "-c", "printf abc; echo 'cannot send: no such snapshot' >&2; exit 1", NULL};
	char *b[] = {"sh", "-c", "cat >/dev/null; echo 'truncated stream' >&2; exit 1", NULL};
	struct proc st[2];
	proc_init(&st[0], a);
	proc_init(&st[1], b);
	CHECK_INT(exec_pipeline(st, 2), 0);
	proc_release(&st[0]);
	proc_release(&st[1]);
}

TEST(exec_pipeline_passes_data)
{
	char *a[] = {"printf", "one\\ntwo\\nthree\\n", NULL};
	char *b[] = {"grep", "t", NULL};
	char *c[] = {"wc", "-l", NULL};
	struct proc st[3];
	for (int i = 0; i < 3; i++)
		proc_init(&st[i], i == 0 ? a : i == 1 ? b : c);
	CHECK_INT(exec_pipeline(st, 3), -1);
	CHECK_STR(sb_str(&st[2].out_buf), "2\n");
	for (int i = 0; i < 3; i++)
		proc_release(&st[i]);
}

TEST(pipeline_blame_rules)
{
	int s1[] = {141, 1};
	CHECK_INT(pipeline_blame(s1, NULL, 2), 1);
	int s2[] = {1, 1};
	const char *e2[] = {"warning: cannot send 'x': Broken pipe", "cannot receive: modified"};
	CHECK_INT(pipeline_blame(s2, e2, 2), 1);
	int s3[] = {0, 0, 0};
	CHECK_INT(pipeline_blame(s3, NULL, 3), -1);
	int s4[] = {141, 0};
	CHECK_INT(pipeline_blame(s4, NULL, 2), 0);
}

TEST(exec_start_pipes)
{
	char *argv[] = {"sh", "-c", "read x; echo got:$x; echo e >&2", NULL};
	struct proc p;
	proc_init(&p, argv);
	p.in = EXEC_PIPE;
	p.out = EXEC_PIPE;
	p.err = EXEC_TMPFILE;
	CHECK_INT(exec_start(&p), 0);
	CHECK(write(p.in_fd, "hi\n", 3) == 3);
	close(p.in_fd);
	char buf[64] = "";
	ssize_t n = read(p.out_fd, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = 0;
	CHECK_STR(buf, "got:hi\n");
	close(p.out_fd);
	CHECK_INT(exec_wait(&p), 0);
	CHECK_STR(sb_str(&p.err_buf), "e\n");
	proc_release(&p);
}

/* A first stage started ahead: its output waits in the pipe, and the pipeline run later takes
 * it as it is (stdout to the next stage, its stderr and status its own). */
TEST(exec_prestart_then_pipeline)
{
	char *a0[] = {"sh", "-c", "printf 'early '; echo warn >&2; exit 0", NULL};
	char *a1[] = {"sh", "-c", "cat; echo late", NULL};
	struct proc st[2];
	proc_init(&st[0], a0);
	proc_init(&st[1], a1);
	CHECK_INT(exec_prestart(&st[0]), 0);
	usleep(100000); /* it has written by now, and waits for nobody */
	CHECK_INT(exec_pipeline(st, 2), -1);
	CHECK_INT(st[0].status, 0);
	CHECK_STR(sb_str(&st[0].err_buf), "warn\n");
	CHECK_STR(sb_str(&st[1].out_buf), "early late\n");
	proc_release(&st[0]);
	proc_release(&st[1]);
}

/* One the pipeline will not use ends as soon as its stdout is closed (EPIPE with SIGPIPE ignored,
 * the way zrep runs zfs send), long before it would have finished writing. */
TEST(exec_unstart_ends_the_writer)
{
	char *argv[] = {"sh", "-c", "i=0; while [ $i -lt 200000 ]; do echo line || exit 7; i=$((i+1)); done",
	                NULL};
	struct proc p;
	proc_init(&p, argv);
	p.ignore_sigpipe = 1;
	CHECK_INT(exec_prestart(&p), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	exec_unstart(&p);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(secs < 2);
	CHECK_INT(p.status, 7);
	CHECK(p.pid == 0);
	CHECK_INT(p.prestarted, 0);
	proc_release(&p);
}

/* exec_together runs its programs at once: the first waits for a file only the second makes
 * (run one after another, it would give up); each one's output and status are its own. */
TEST(exec_together_runs_at_once)
{
	char f[] = "/tmp/zrep-unit-together.XXXXXX";
	int fd = mkstemp(f);
	CHECK(fd >= 0);
	close(fd);
	unlink(f);
	char *waits =
	    xasprintf("i=0; while [ ! -e %s ]; do sleep 0.05; i=$((i+1)); [ $i -lt 100 ] || exit 9; "
	              "done; echo a",
	              f);
	char *makes = xasprintf("sleep 0.1; : > %s; echo b; echo e >&2; exit 4", f);
	char *a1[] = {"sh", "-c", waits, NULL};
	char *a2[] = {"sh", "-c", makes, NULL};
	struct proc p[2];
	proc_init(&p[0], a1);
	proc_init(&p[1], a2);
	CHECK_INT(exec_together(p, 2), 1);
	CHECK_INT(p[0].status, 0);
	CHECK_INT(p[1].status, 4);
	CHECK_STR(sb_str(&p[0].out_buf), "a\n");
	CHECK_STR(sb_str(&p[1].out_buf), "b\n");
	CHECK_STR(sb_str(&p[1].err_buf), "e\n");
	proc_release(&p[0]);
	proc_release(&p[1]);
	unlink(f);
	free(waits);
	free(makes);
}

/* exec_wait_until ends a started program that outlives its deadline (and its process group),
 * and says so; one that ends in time keeps its own status. */
TEST(exec_wait_until_ends_a_late_one)
{
	char *slow[] = {"sh", "-c", "sleep 30", NULL};
	char *quick[] = {"sh", "-c", "exit 3", NULL};
	struct proc p, q;
	proc_init(&p, slow);
	proc_init(&q, quick);
	p.out = q.out = EXEC_NULL;
	p.err = q.err = EXEC_TMPFILE;
	CHECK_INT(exec_start(&p), 0);
	CHECK_INT(exec_start(&q), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double until = (double)t0.tv_sec + (double)t0.tv_nsec / 1e9 + 0.3;
	CHECK_INT(exec_wait_until(&q, until), 3);
	CHECK_INT(q.timed_out, 0);
	CHECK(exec_wait_until(&p, until) != 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK_INT(p.timed_out, 1);
	CHECK(p.pid == 0);
	CHECK(secs < 3);
	proc_release(&p);
	proc_release(&q);
}
