/*
 * exec: fork/exec with pipes, a poll loop that feeds stdin data and drains
 * captured output of every stage at once (so no child blocks on a full
 * pipe), and a wait that collects every status. Our pipes are O_CLOEXEC so
 * children see only the three fds we give them.
 */

#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include "exec_pump.h"
#include "msg.h"

unsigned long exec_spawn_count;

#define MAX_LIVE 64
static volatile pid_t live_pids[MAX_LIVE];
static volatile sig_atomic_t got_signal;
static int cleanup_allowed;

void exec_forward_signal(int sig)
{
	got_signal = sig;
	for (int i = 0; i < MAX_LIVE; i++) {
		pid_t p = live_pids[i];
		if (p > 0)
			kill(-p, sig);
	}
}

int exec_allow_cleanup(int on)
{
	int prev = cleanup_allowed;
	cleanup_allowed = on;
	return prev;
}

int exec_interrupted(void)
{
	return got_signal;
}

static void live_add(pid_t p)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live_pids[i] == 0) {
			live_pids[i] = p;
			return;
		}
}

static void live_del(pid_t p)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live_pids[i] == p)
			live_pids[i] = 0;
}

void proc_init(struct proc *p, char **argv)
{
	memset(p, 0, sizeof(*p));
	p->argv = argv;
	p->in = EXEC_NULL;
	p->out = EXEC_CAPTURE;
	p->err = EXEC_CAPTURE;
	sb_init(&p->out_buf);
	sb_init(&p->err_buf);
	p->status = -1;
	p->in_fd = p->out_fd = p->err_file = p->pre_err = -1;
}

void proc_release(struct proc *p)
{
	sb_release(&p->out_buf);
	sb_release(&p->err_buf);
}

const char *exec_status_str(int status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "could not start");
	else if (status > 128 && status < 128 + 65)
		snprintf(buf, len, "signal %d (%s)", status - 128, strsignal(status - 128));
	else
		snprintf(buf, len, "exit %d", status);
	return buf;
}

static int is_secondary(int status, const char *err)
{
	if (status == 128 + SIGPIPE || status == 141)
		return 1;
	return err && (strstr(err, "Broken pipe") || strstr(err, "broken pipe"));
}

int pipeline_blame(const int *status, const char *const *errtext, size_t n)
{
	int last = -1;
	for (size_t i = 0; i < n; i++) {
		if (status[i] == 0)
			continue;
		if (!is_secondary(status[i], errtext ? errtext[i] : NULL))
			return (int)i;
		last = (int)i;
	}
	return last;
}

/* fds the child should end up with, or -1 for "leave as is". */
struct wiring {
	int fd[3];
};

static pid_t spawner; /* our pid, for the child's check that we still live */

static void child_exec(struct proc *p, const struct wiring *w, int errpipe)
{
	static const int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
	if (p->ignore_sigpipe)
		signal(SIGPIPE, SIG_IGN);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Its own process group, so that ending it (a time limit, a stall, a
	 * forwarded signal) ends what it started too (sh -c filters, ssh). */
	setpgid(0, 0);
#ifdef __linux__
	/* And it ends when zrep does, even by SIGKILL: an orphaned send or ssh
	 * would keep the destination busy for the next run. (Elsewhere the
	 * orphan ends when its pipe does.) */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != spawner)
		_exit(127);
#endif

	/* Move sources above 2 first so dup2 order cannot clobber them. */
	int src[3];
	for (int i = 0; i < 3; i++) {
		src[i] = w->fd[i];
		if (src[i] >= 0 && src[i] <= 2 && src[i] != i)
			src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3);
	}
	for (int i = 0; i < 3; i++) {
		if (src[i] < 0 || src[i] == i)
			continue;
		if (dup2(src[i], i) < 0)
			goto fail;
	}
	execvp(p->argv[0], p->argv);
fail:;
	int e = errno;
	ssize_t r = write(errpipe, &e, sizeof(e));
	(void)r;
	_exit(127);
}

/* Spawns one process; returns 0 or -1 (message printed, status -1). */
static int spawn(struct proc *p, const struct wiring *w)
{
	int ep[2];
	if (got_signal && !cleanup_allowed) {
		p->status = -1;
		return -1;
	}
	if (pipe2(ep, O_CLOEXEC) < 0)
		return error("cannot create pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	spawner = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(ep[0]);
		close(ep[1]);
		p->status = -1;
		return error("cannot fork to run %s: %s", p->argv[0], strerror(errno));
	}
	if (pid == 0) {
		close(ep[0]);
		child_exec(p, w, ep[1]);
	}
	exec_spawn_count++;
	close(ep[1]);
	live_add(pid);
	int e = 0;
	ssize_t r;
	do
		r = read(ep[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(ep[0]);
	p->pid = pid;
	if (r == (ssize_t)sizeof(e)) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		live_del(pid);
		p->pid = 0;
		p->status = -1;
		return error("cannot run %s: %s", p->argv[0], strerror(e));
	}
	return 0;
}

static int open_null(int flags)
{
	return open("/dev/null", flags | O_CLOEXEC);
}

/* The parent's ends of the pipes made for one child (-1: none). */
struct ends {
	int in_w, out_r, err_r;
	int close_after[4]; /* the child's ends, closed in the parent once it runs */
	int nclose;
};

static void ends_close_child(struct ends *e)
{
	for (int k = 0; k < e->nclose; k++)
		if (e->close_after[k] >= 0)
			close(e->close_after[k]);
	e->nclose = 0;
}

static void ends_close_parent(struct ends *e)
{
	int *fds[] = {&e->in_w, &e->out_r, &e->err_r};
	for (size_t k = 0; k < ARRAY_SIZE(fds); k++)
		if (*fds[k] >= 0) {
			close(*fds[k]);
			*fds[k] = -1;
		}
}

/* A pipe whose child end (index child) the child gets as fd slot; the other end is the parent's. */
static int child_pipe(struct ends *e, int child, int *slot, int *parent)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	*slot = fds[child];
	e->close_after[e->nclose++] = fds[child];
	*parent = fds[1 - child];
	return 0;
}

static int child_null(struct ends *e, int flags, int *slot)
{
	*slot = open_null(flags);
	if (*slot < 0)
		return -1;
	e->close_after[e->nclose++] = *slot;
	return 0;
}

/*
 * The one place that decides a child's fds: fills w with what the child
 * gets and e with the parent's ends. upstream: the previous stage's stdout
 * (it becomes our stdin and is closed here once the child runs), or -1;
 * to_next: our stdout feeds the next stage (e->out_r is then its upstream).
 * Returns 0, or -1 (errno set) with nothing left open.
 */
static int wire(struct proc *p, int upstream, int to_next, struct wiring *w, struct ends *e)
{
	*e = (struct ends){-1, -1, -1, {-1, -1, -1, -1}, 0};
	w->fd[0] = w->fd[1] = w->fd[2] = -1;
	int rc = 0;
	if (upstream >= 0) {
		w->fd[0] = upstream;
		e->close_after[e->nclose++] = upstream;
	} else if (p->in_data || p->in == EXEC_PIPE) {
		rc = child_pipe(e, 0, &w->fd[0], &e->in_w);
	} else if (p->in == EXEC_NULL) {
		rc = child_null(e, O_RDONLY, &w->fd[0]);
	} else if (p->in >= 0) {
		w->fd[0] = p->in;
	}
	if (rc == 0) {
		if (to_next || p->out == EXEC_CAPTURE || p->out == EXEC_PIPE)
			rc = child_pipe(e, 1, &w->fd[1], &e->out_r);
		else if (p->out == EXEC_NULL)
			rc = child_null(e, O_WRONLY, &w->fd[1]);
		else if (p->out >= 0)
			w->fd[1] = p->out;
	}
	if (rc == 0) {
		if (p->err == EXEC_CAPTURE) {
			rc = child_pipe(e, 1, &w->fd[2], &e->err_r);
		} else if (p->err == EXEC_TMPFILE) {
			char tmpl[] = "/tmp/zrep.err.XXXXXX";
			p->err_file = mkostemp(tmpl, O_CLOEXEC);
			rc = p->err_file < 0 ? -1 : 0;
			if (rc == 0) {
				unlink(tmpl);
				w->fd[2] = p->err_file;
			}
		} else if (p->err == EXEC_NULL) {
			rc = child_null(e, O_WRONLY, &w->fd[2]);
		} else if (p->err >= 0) {
			w->fd[2] = p->err;
		}
	}
	if (rc < 0) {
		int saved = errno;
		ends_close_child(e);
		ends_close_parent(e);
		errno = saved;
	}
	return rc;
}

static int decode_wait(int wst)
{
	if (wst == -1)
		return -1;
	if (WIFEXITED(wst))
		return WEXITSTATUS(wst);
	if (WIFSIGNALED(wst))
		return 128 + WTERMSIG(wst);
	return -1;
}

/* Waits for pid until `until` (mono seconds, 0 = forever); -2 when it is still running then. */
static int reap_until(pid_t pid, double until);

/* Ends every started stage: SIGTERM to its group, SIGKILL after two seconds. */
static void end_stages(struct proc *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (st[i].pid > 0)
			kill(-st[i].pid, SIGTERM);
	double until = mono_now() + 2;
	for (size_t i = 0; i < n; i++) {
		if (st[i].pid <= 0)
			continue;
		int r = reap_until(st[i].pid, until);
		if (r == -2) {
			kill(-st[i].pid, SIGKILL);
			r = reap_until(st[i].pid, mono_now() + 5);
		}
		if (r == -2) {
			warn("%s (pid %d) does not end even when killed; left behind", st[i].argv[0],
			     (int)st[i].pid);
			live_del(st[i].pid);
			r = -1;
		}
		st[i].status = r;
		st[i].pid = 0;
	}
}

int exec_pipeline(struct proc *st, size_t n)
{
	return exec_pipeline_xfer(st, n, NULL);
}

/* Runs n stages at once, stage i's stdout feeding stage i+1's stdin when chained. */
static int run_stages(struct proc *st, size_t n, struct exec_xfer *x, int chained)
{
	if (n == 0 || n > MAX_LIVE)
		return error("internal error: bad pipeline length %zu", n);
	struct pump pumps[2 * MAX_LIVE + 1];
	size_t np = 0;
	int prev_read = -1; /* read end of the pipe from the previous stage */
	int failed_spawn = 0;
	struct relay rl = {-1, -1, x};
	void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
	double deadline = 0;
	for (size_t i = 0; i < n; i++) {
		st[i].timed_out = 0;
		if (st[i].timeout > 0 && (!deadline || mono_now() + st[i].timeout < deadline))
			deadline = mono_now() + st[i].timeout;
	}

	for (size_t i = 0; i < n; i++) {
		struct proc *p = &st[i];
		struct wiring w;
		struct ends e;
		sb_reset(&p->out_buf);
		sb_reset(&p->err_buf);
		p->status = -1;
		int up = prev_read;
		prev_read = -1;
		int relayed = x && (size_t)x->after == i;
		int to_next = chained && i + 1 < n;
		if (p->prestarted) {
			/* exec_prestart: already running, its ends ours */
			p->prestarted = 0;
			e = (struct ends){-1, p->out_fd, p->pre_err, {-1, -1, -1, -1}, 0};
			p->out_fd = p->pre_err = -1;
			if (!(to_next || relayed)) {
				close(e.out_r);
				e.out_r = -1;
			}
		} else if (wire(p, up, to_next || relayed, &w, &e) < 0) {
			error("cannot create pipe: %s", strerror(errno));
			if (up >= 0)
				close(up);
			failed_spawn = 1;
			break;
		} else {
			int rc = spawn(p, &w);
			ends_close_child(&e);
			if (rc < 0) {
				ends_close_parent(&e);
				failed_spawn = 1;
				break;
			}
		}
		if (e.in_w >= 0) {
			fcntl(e.in_w, F_SETFL, O_NONBLOCK);
			pumps[np++] = (struct pump){e.in_w, NULL, 0, p->in_data ? p->in_data : "", p->in_len};
		}
		if (e.out_r >= 0) {
			if (relayed) {
				int rp[2] = {-1, -1};
				rl.src = e.out_r;
				if (i + 1 == n) {
					rl.dst = x->to_fd;
				} else if (pipe2(rp, O_CLOEXEC) == 0) {
					rl.dst = rp[1];
					prev_read = rp[0];
				} else {
					error("cannot create pipe: %s", strerror(errno));
					failed_spawn = 1;
					break;
				}
			} else if (to_next) {
				prev_read = e.out_r;
			} else {
				pumps[np++] = (struct pump){e.out_r, &p->out_buf, 0, NULL, 0};
			}
		}
		if (e.err_r >= 0)
			pumps[np++] = (struct pump){e.err_r, &p->err_buf, p->err_tee, NULL, 0};
	}
	if (prev_read >= 0)
		close(prev_read);
	if (x && rl.dst != x->to_fd && x->to_fd >= 0 && (size_t)x->after + 1 == n)
		close(x->to_fd); /* the relay never started: its destination is still ours to close */

	enum pump_end end = PUMP_DONE;
	if (failed_spawn) {
		/* Stop what already runs: a half-built pipeline must not move data. */
		for (size_t i = 0; i < n; i++)
			if (st[i].pid > 0)
				kill(-st[i].pid, SIGTERM);
		if (rl.src >= 0)
			close(rl.src);
		if (rl.dst >= 0)
			close(rl.dst);
		run_pumps(pumps, np, NULL, 0);
	} else {
		end = run_pumps(pumps, np, rl.src >= 0 ? &rl : NULL, deadline);
	}
	if (end != PUMP_DONE) {
		for (size_t i = 0; i < np; i++)
			if (pumps[i].fd >= 0) {
				close(pumps[i].fd);
				pumps[i].fd = -1;
			}
		for (size_t i = 0; i < n; i++)
			if (st[i].pid > 0)
				st[i].timed_out = end == PUMP_DEADLINE;
		end_stages(st, n);
	}
	for (size_t i = 0; i < n; i++) {
		if (st[i].pid <= 0)
			continue;
		int r = reap_until(st[i].pid, deadline);
		if (r == -2) {
			for (size_t k = i; k < n; k++)
				if (st[k].pid > 0)
					st[k].timed_out = 1;
			end_stages(&st[i], n - i);
			break;
		}
		st[i].status = r;
		st[i].pid = 0;
	}
	signal(SIGPIPE, old_pipe);

	int status[MAX_LIVE];
	const char *errs[MAX_LIVE];
	for (size_t i = 0; i < n; i++) {
		status[i] = st[i].status;
		errs[i] = sb_str(&st[i].err_buf);
	}
	return chained ? pipeline_blame(status, errs, n) : 0;
}

int exec_pipeline_xfer(struct proc *st, size_t n, struct exec_xfer *x)
{
	return run_stages(st, n, x, 1);
}

int exec_together(struct proc *st, size_t n)
{
	if (n == 0 || n > MAX_LIVE)
		return error("internal error: %zu programs at once", n);
	run_stages(st, n, NULL, 0);
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += st[i].status != 0;
	return bad;
}

static int reap(pid_t pid)
{
	return reap_until(pid, 0);
}

static int reap_until(pid_t pid, double until)
{
	int wst;
	long nap = 1000 * 1000; /* 1 ms, then longer up to 10 ms: a killed program is gone soon */
	for (;;) {
		pid_t r = waitpid(pid, &wst, until ? WNOHANG : 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			wst = -1;
			break;
		}
		if (r == 0) {
			if (mono_now() >= until)
				return -2;
			struct timespec ts = {0, nap};
			nanosleep(&ts, NULL);
			nap = nap * 2 > 10 * 1000 * 1000 ? 10 * 1000 * 1000 : nap * 2;
		}
	}
	live_del(pid);
	return decode_wait(wst);
}

void exec_kill(struct proc *p)
{
	if (p->pid <= 0)
		return;
	kill(-p->pid, SIGTERM);
	int r = reap_until(p->pid, mono_now() + 2);
	if (r == -2) {
		kill(-p->pid, SIGKILL);
		r = reap_until(p->pid, mono_now() + 5);
	}
	if (r == -2) {
		warn("%s (pid %d) does not end even when killed; left behind", p->argv[0], (int)p->pid);
		live_del(p->pid);
		r = -1;
	}
	p->status = r;
	p->pid = 0;
}

/* Wires and starts p on its own (stdout to a pipe when to_pipe); e gets our ends. 0 or -1. */
static int start_alone(struct proc *p, int to_pipe, struct ends *e)
{
	struct wiring w;
	if (wire(p, -1, to_pipe, &w, e) < 0)
		return error("cannot set up a child process: %s", strerror(errno));
	int rc = spawn(p, &w);
	ends_close_child(e);
	if (rc < 0)
		ends_close_parent(e);
	return rc < 0 ? -1 : 0;
}

int exec_start(struct proc *p)
{
	p->status = -1;
	p->in_fd = p->out_fd = p->err_file = -1;
	if (p->out == EXEC_CAPTURE || p->err == EXEC_CAPTURE || p->in_data || p->err == EXEC_PIPE)
		return error("internal error: unsupported wiring for exec_start");
	struct ends e;
	if (start_alone(p, 0, &e) < 0) {
		if (p->err_file >= 0) {
			close(p->err_file);
			p->err_file = -1;
		}
		return -1;
	}
	p->in_fd = e.in_w;
	p->out_fd = e.out_r;
	return 0;
}

int exec_wait(struct proc *p)
{
	return exec_wait_until(p, 0);
}

int exec_wait_until(struct proc *p, double until)
{
	if (p->pid > 0) {
		int r = until ? reap_until(p->pid, until) : reap(p->pid);
		if (r == -2) {
			p->timed_out = 1;
			exec_kill(p); /* reaps it, or leaves one stuck in the kernel behind */
		} else {
			p->status = r;
			p->pid = 0;
		}
	}
	if (p->err_file >= 0) {
		char buf[8192];
		ssize_t r;
		lseek(p->err_file, 0, SEEK_SET);
		while ((r = read(p->err_file, buf, sizeof(buf))) > 0)
			sb_add(&p->err_buf, buf, (size_t)r);
		close(p->err_file);
		p->err_file = -1;
	}
	return p->status;
}

int exec_prestart(struct proc *p)
{
	p->status = -1;
	p->in_fd = p->out_fd = p->err_file = p->pre_err = -1;
	p->prestarted = 0;
	if (p->in_data || p->in == EXEC_PIPE || p->err != EXEC_CAPTURE)
		return error("internal error: unsupported wiring for exec_prestart");
	sb_reset(&p->out_buf);
	sb_reset(&p->err_buf);
	struct ends e;
	if (start_alone(p, 1, &e) < 0)
		return -1;
	p->out_fd = e.out_r;
	p->pre_err = e.err_r;
	p->prestarted = 1;
	return 0;
}

void exec_unstart(struct proc *p)
{
	if (!p->prestarted)
		return;
	p->prestarted = 0;
	close(p->out_fd);
	p->out_fd = -1;
	/* its stderr, while it ends (a full pipe must not keep it from ending) */
	struct pump pm = {p->pre_err, &p->err_buf, 0, NULL, 0};
	run_pumps(&pm, 1, NULL, mono_now() + 5);
	if (pm.fd >= 0)
		close(pm.fd);
	p->pre_err = -1;
	int r = reap_until(p->pid, mono_now() + 5);
	if (r == -2) {
		exec_kill(p);
		return;
	}
	p->status = r;
	p->pid = 0;
}

int exec_run(struct proc *p)
{
	exec_pipeline(p, 1);
	return p->status;
}

pid_t exec_fork_worker(int *out_fd, int *err_fd)
{
	int op[2], ep[2];
	if (got_signal)
		return -1;
	if (pipe2(op, O_CLOEXEC) < 0)
		return error("cannot create pipe: %s", strerror(errno));
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(op[0]);
		close(op[1]);
		return error("cannot create pipe: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(op[0]);
		close(op[1]);
		close(ep[0]);
		close(ep[1]);
		return error("cannot fork a worker: %s", strerror(e));
	}
	if (pid == 0) {
		/* The worker: its own children only; output to the parent. */
		for (int i = 0; i < MAX_LIVE; i++)
			live_pids[i] = 0;
		close(op[0]);
		close(ep[0]);
		if (dup2(op[1], 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(127);
		close(op[1]);
		close(ep[1]);
		return 0;
	}
	exec_spawn_count++;
	live_add(pid);
	close(op[1]);
	close(ep[1]);
	*out_fd = op[0];
	*err_fd = ep[0];
	return pid;
}

int exec_wait_worker(pid_t pid)
{
	return reap(pid);
}
