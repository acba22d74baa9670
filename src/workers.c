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

static void slot_finish(struct slot *s, char *const *items, size_t n, const char *failed_note,
                        struct worker_tally *t)
{
	int st = exec_wait_worker(s->pid);
	int r = st == WORKER_OK || st == WORKER_SKIPPED || st == WORKER_TEMPFAIL || st == WORKER_DEFERRED
	            ? st
	            : WORKER_FAILED;
	if (r == WORKER_DEFERRED)
		strv_push(&workers_deferred, items[s->item]);
	fflush(stdout);
	fflush(stderr);
	write_full(1, s->buf[0].buf ? s->buf[0].buf : "", s->buf[0].len);
	write_full(2, s->buf[1].buf ? s->buf[1].buf : "", s->buf[1].len);
	if (st > 128 && st < 128 + 65 && !exec_interrupted())
		error("the worker for %s died of signal %d", items[s->item], st - 128);
	if ((r == WORKER_FAILED || r == WORKER_TEMPFAIL) && failed_note && n > 1)
		error("%s of %s failed; continuing with the others", failed_note, items[s->item]);
	tally(t, r);
	/* the parent's hold of the flock: let go when the worker released the rest; kept (marked)
	 * for one that left its bookkeeping to the caller, who releases it then */
	if (r != WORKER_DEFERRED)
		fslock_forget(items[s->item]);
	sb_release(&s->buf[0]);
	sb_release(&s->buf[1]);
	s->pid = 0;
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

void workers_run(char *const *items, size_t n, int parallel, int (*job)(const char *item, void *arg),
                 void *arg, const char *failed_note, struct worker_tally *t)
{
	memset(t, 0, sizeof(*t));
	strv_clear(&workers_deferred);
	/* One filesystem makes one connection: a control master would only add its start and exit. */
	if (n <= 1)
		host_mux_off();
	if (parallel <= 1 || n <= 1) {
		for (size_t i = 0; i < n && !exec_interrupted(); i++) {
			int r = job(items[i], arg);
			if (r == WORKER_DEFERRED)
				strv_push(&workers_deferred, items[i]);
			if ((r == WORKER_FAILED || r == WORKER_TEMPFAIL) && failed_note && n > 1)
				error("%s of %s failed; continuing with the others", failed_note, items[i]);
			tally(t, r);
		}
		return;
	}
	if ((size_t)parallel > n)
		parallel = (int)n;
	/* The ssh control directory belongs to this process: make it before forking. */
	host_mux_prepare();
	struct slot *slots = xmalloc((size_t)parallel * sizeof(*slots));
	memset(slots, 0, (size_t)parallel * sizeof(*slots));
	size_t next = 0;
	int live = 0;
	for (;;) {
		while (live < parallel && next < n && !exec_interrupted()) {
			struct slot *s = NULL;
			int k;
			for (k = 0; k < parallel; k++)
				if (!slots[k].pid) {
					s = &slots[k];
					break;
				}
			int ofd, efd;
			pid_t pid = exec_fork_worker(&ofd, &efd);
			if (pid == 0)
				worker_main(k, items[next], job, arg);
			if (pid < 0) {
				/* cannot fork: do it here, as the sequential loop would */
				if (exec_interrupted())
					break;
				int r = job(items[next], arg);
				if (r == WORKER_DEFERRED)
					strv_push(&workers_deferred, items[next]);
				if ((r == WORKER_FAILED || r == WORKER_TEMPFAIL) && failed_note)
					error("%s of %s failed; continuing with the others", failed_note,
					      items[next]);
				tally(t, r);
				next++;
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
				slot_finish(&slots[k], items, n, failed_note, t);
				live--;
			}
	}
	free(slots);
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
