/*
 * workers: see workers.h. The parent only forks, collects output and
 * counts; everything a job does happens in the worker, exactly as the
 * sequential loop does it.
 */
#include "workers.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "host.h"
#include "lock.h"
#include "msg.h"

void workers_dedupe(struct strv *items)
{
	size_t k = 0;
	for (size_t i = 0; i < items->n; i++) {
		int seen = 0;
		for (size_t j = 0; j < k && !seen; j++)
			seen = strcmp(items->v[j], items->v[i]) == 0;
		if (seen) {
			free(items->v[i]);
			continue;
		}
		items->v[k++] = items->v[i];
	}
	for (size_t i = k; i < items->n; i++)
		items->v[i] = NULL;
	items->n = k;
}

int workers_parse(const char *s)
{
	long long v;
	if (!s || parse_ll(s, &v) < 0 || v < 1 || v > WORKERS_MAX)
		return -1;
	return (int)v;
}

int workers_mux_group(int slot)
{
	return slot / WORKERS_PER_MASTER;
}

struct strv workers_deferred = STRV_INIT;

static void tally(struct worker_tally *t, int r)
{
	if (r == WORKER_OK || r == WORKER_DEFERRED)
		t->ok++;
	else if (r == WORKER_SKIPPED)
		t->skipped++;
	else if (r == WORKER_TEMPFAIL)
		t->tempfail++;
	else
		t->failed++;
}

struct slot {
	pid_t pid;
	size_t item;
	int fd[2]; /* stdout, stderr of the worker; -1 when at EOF */
	struct strbuf buf[2];
};

/* What a pool of forked children runs (one child per item, at most parallel at once). */
struct pool {
	/* forks the child of item i in slot 0..parallel-1 (no two live children share a slot;
	 * never returns in the child): its pid, or <0 when it could not fork (then the pool
	 * calls here(i)) */
	pid_t (*start)(size_t i, int slot, void *ctx, int *ofd, int *efd);
	void (*here)(size_t i, void *ctx);
	/* item i's child ended with status st (exec_wait_worker); out[0..1] its stdout, stderr */
	void (*done)(size_t i, int st, struct strbuf *out, void *ctx);
	void *ctx;
};

/* Runs items 0..n-1 in the pool's children, at most parallel at once; stops starting new ones
 * after a signal. */
static void pool_run(const struct pool *pl, size_t n, int parallel)
{
	if ((size_t)parallel > n)
		parallel = (int)n;
	if (parallel < 1)
		return;
	struct slot *slots = xmalloc((size_t)parallel * sizeof(*slots));
	memset(slots, 0, (size_t)parallel * sizeof(*slots));
	size_t next = 0;
	int live = 0;
	for (;;) {
		while (live < parallel && next < n && !exec_interrupted()) {
			int k = 0;
			while (slots[k].pid)
				k++; /* live < parallel: there is a free one */
			struct slot *s = &slots[k];
			int ofd, efd;
			pid_t pid = pl->start(next, k, pl->ctx, &ofd, &efd);
			if (pid < 0) {
				/* cannot fork: do it here, as the sequential loop would */
				if (exec_interrupted())
					break;
				pl->here(next++, pl->ctx);
				continue;
			}
			s->pid = pid;
			s->item = next++;
			s->fd[0] = ofd;
			s->fd[1] = efd;
			sb_init(&s->buf[0]);
			sb_init(&s->buf[1]);
			live++;
		}
		if (!live)
			break;
		struct pollfd pfd[2 * WORKERS_MAX] = {{0}};
		int map[2 * WORKERS_MAX];
		nfds_t np = 0;
		for (int k = 0; k < parallel; k++)
			for (int j = 0; j < 2; j++)
				if (slots[k].pid && slots[k].fd[j] >= 0) {
					pfd[np].fd = slots[k].fd[j];
					pfd[np].events = POLLIN;
					pfd[np].revents = 0;
					map[np++] = k * 2 + j;
				}
		if (np && poll(pfd, np, -1) < 0 && errno != EINTR)
			break;
		for (nfds_t i = 0; i < np; i++) {
			if (!pfd[i].revents)
				continue;
			struct slot *s = &slots[map[i] / 2];
			int j = map[i] % 2;
			char buf[8192];
			ssize_t r = read(s->fd[j], buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(s->fd[j]);
				s->fd[j] = -1;
			} else {
				sb_add(&s->buf[j], buf, (size_t)r);
			}
		}
		for (int k = 0; k < parallel; k++)
			if (slots[k].pid && slots[k].fd[0] < 0 && slots[k].fd[1] < 0) {
				struct slot *s = &slots[k];
				pl->done(s->item, exec_wait_worker(s->pid), s->buf, pl->ctx);
				sb_release(&s->buf[0]);
				sb_release(&s->buf[1]);
				s->pid = 0;
				live--;
			}
	}
	free(slots);
}

static void print_output(const struct strbuf *out)
{
	fflush(stdout);
	fflush(stderr);
	write_full(1, out[0].buf ? out[0].buf : "", out[0].len);
	write_full(2, out[1].buf ? out[1].buf : "", out[1].len);
}

struct run_ctx {
	char *const *items;
	size_t n;
	int (*job)(const char *, void *);
	void *arg;
	const char *failed_note;
	struct worker_tally *t;
};

/* A job's outcome, where it ran (a worker or here). */
static void job_ended(struct run_ctx *c, size_t i, int r)
{
	if (r == WORKER_DEFERRED)
		strv_push(&workers_deferred, c->items[i]);
	if ((r == WORKER_FAILED || r == WORKER_TEMPFAIL) && c->failed_note && c->n > 1)
		error("%s of %s failed; continuing with the others", c->failed_note, c->items[i]);
	tally(c->t, r);
}

/* In the worker: does the job, releases its own locks, never returns. */
static void worker_main(int slot, const char *item, int (*job)(const char *, void *), void *arg)
{
	host_mux_set_group(workers_mux_group(slot));
	fslock_keep_only(item); /* the parent took the locks of every item: this one is the worker's */
	int r = job(item, arg);
	if (r == WORKER_DEFERRED)
		fslock_forget(item); /* its properties are the parent's to release, with the others' */
	lock_release_all();
	fflush(stdout);
	fflush(stderr);
	int sig = exec_interrupted();
	_exit(sig ? 128 + sig : r);
}

static pid_t run_start(size_t i, int slot, void *ctx, int *ofd, int *efd)
{
	struct run_ctx *c = ctx;
	pid_t pid = exec_fork_worker(ofd, efd);
	if (pid == 0)
		worker_main(slot, c->items[i], c->job, c->arg);
	return pid;
}

static void run_here(size_t i, void *ctx)
{
	struct run_ctx *c = ctx;
	job_ended(c, i, c->job(c->items[i], c->arg));
}

static void run_done(size_t i, int st, struct strbuf *out, void *ctx)
{
	struct run_ctx *c = ctx;
	int r = st == WORKER_OK || st == WORKER_SKIPPED || st == WORKER_TEMPFAIL || st == WORKER_DEFERRED
	            ? st
	            : WORKER_FAILED;
	print_output(out);
	if (st > 128 && st < 128 + 65 && !exec_interrupted())
		error("the worker for %s died of signal %d", c->items[i], st - 128);
	job_ended(c, i, r);
	/* the parent's hold of the flock: let go when the worker released the rest; kept (marked)
	 * for one that left its bookkeeping to the caller, who releases it then */
	if (r != WORKER_DEFERRED)
		fslock_forget(c->items[i]);
}

void workers_run(char *const *items, size_t n, int parallel, int (*job)(const char *item, void *arg),
                 void *arg, const char *failed_note, struct worker_tally *t)
{
	memset(t, 0, sizeof(*t));
	strv_clear(&workers_deferred);
	struct run_ctx c = {items, n, job, arg, failed_note, t};
	/* One filesystem makes one connection: a control master would only add its start and exit. */
	if (n <= 1)
		host_mux_off();
	if (parallel <= 1 || n <= 1) {
		for (size_t i = 0; i < n && !exec_interrupted(); i++)
			run_here(i, &c);
		return;
	}
	/* The ssh control directory belongs to this process: make it before forking. */
	host_mux_prepare();
	struct pool pl = {run_start, run_here, run_done, &c};
	pool_run(&pl, n, parallel);
}

struct parts_ctx {
	int (*job)(int part, void *arg);
	void *arg;
	int *codes;
};

static pid_t parts_start(size_t i, int slot, void *ctx, int *ofd, int *efd)
{
	(void)slot;
	struct parts_ctx *c = ctx;
	pid_t pid = exec_fork_worker(ofd, efd);
	if (pid == 0) {
		int r = c->job((int)i, c->arg);
		fflush(stdout);
		fflush(stderr);
		int sig = exec_interrupted();
		_exit(sig ? 128 + sig : r & 127);
	}
	return pid;
}

static void parts_here(size_t i, void *ctx)
{
	struct parts_ctx *c = ctx;
	c->codes[i] = c->job((int)i, c->arg) & 127;
}

static void parts_done(size_t i, int st, struct strbuf *out, void *ctx)
{
	struct parts_ctx *c = ctx;
	print_output(out);
	c->codes[i] = st;
}

int workers_slices(size_t n, int parallel)
{
	size_t k = (n + WORKERS_SLICE_MIN - 1) / WORKERS_SLICE_MIN;
	if (k > (size_t)parallel)
		k = (size_t)parallel;
	return k < 1 ? 1 : (int)k;
}

void workers_parts(int k, int (*job)(int part, void *arg), void *arg, int *codes)
{
	struct parts_ctx c = {job, arg, codes};
	for (int i = 0; i < k; i++)
		codes[i] = -1; /* not run (a signal came first) */
	struct pool pl = {parts_start, parts_here, parts_done, &c};
	pool_run(&pl, (size_t)k, k);
}

void workers_summary(const char *cmdname, const char *verb, size_t n, const struct worker_tally *t)
{
	if (n <= 1)
		return;
	fflush(stderr);
	printf("%s: %zu filesystems: %s %d, skipped %d, failed %d\n", cmdname, n, verb, t->ok, t->skipped,
	       t->failed + t->tempfail);
	fflush(stdout);
}
