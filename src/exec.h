/*
 * exec: the only module that forks. Runs one program or a pipeline of
 * programs with stdin/stdout/stderr wired to fds, /dev/null, data we feed,
 * or buffers we capture, and reports each one's status.
 *
 * Status contract (as git's run-command): 0..255 is the exit code, 128+N
 * means killed by signal N, -1 means the program could not be started (a
 * message has then been printed).
 */
#ifndef ZREP_EXEC_H
#define ZREP_EXEC_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

enum {
	EXEC_INHERIT = -1, /* share our fd */
	EXEC_NULL = -2,    /* /dev/null */
	EXEC_CAPTURE = -3, /* collect into out_buf / err_buf */
	EXEC_PIPE = -4,    /* exec_start only: parent gets in_fd / out_fd */
	EXEC_TMPFILE = -5, /* stderr only: kept in an unlinked file, read into
	                      err_buf when waited for (nobody needs to drain it) */
};

struct proc {
	char **argv;         /* NULL-terminated; argv[0] looked up in PATH */
	int in;              /* fd, EXEC_INHERIT or EXEC_NULL (default) */
	const char *in_data; /* if set, fed to stdin through a pipe */
	size_t in_len;
	int out;            /* fd, EXEC_INHERIT, EXEC_NULL, EXEC_CAPTURE (default) */
	int err;            /* same; default EXEC_CAPTURE */
	int err_tee;        /* while capturing stderr, copy it to ours too */
	int ignore_sigpipe; /* child starts with SIGPIPE ignored: a writer whose
	                       reader went away gets EPIPE and can clean up (zfs-fuse
	                       leaks a hold when its zfs send client dies of SIGPIPE) */
	struct strbuf out_buf;
	struct strbuf err_buf;
	int status; /* set by exec_run / exec_pipeline / exec_wait */
	pid_t pid;
	int in_fd;     /* EXEC_PIPE: our write end of the child's stdin */
	int out_fd;    /* EXEC_PIPE: our read end of the child's stdout */
	int err_file;  /* EXEC_TMPFILE: the file */
	int timeout;   /* seconds (0 = none): exec_run / exec_pipeline end it after that long */
	int timed_out; /* set when it was ended for its time limit */
	int pre_err;   /* exec_prestart: the read end of its stderr pipe */
	int prestarted;
};

/* Initialises p to run argv (not copied) with the defaults above. */
void proc_init(struct proc *p, char **argv);
void proc_release(struct proc *p);

/* Runs p to completion; returns p->status. */
int exec_run(struct proc *p);

/*
 * Starts p without waiting. in/out may be EXEC_PIPE (the parent then owns
 * p->in_fd / p->out_fd and must close them), err may be EXEC_TMPFILE or an
 * fd. EXEC_CAPTURE is not allowed here (nothing would drain it). Returns 0,
 * or -1 when it could not start (p->status is then -1).
 */
int exec_start(struct proc *p);
/* Waits for a started p, reads an EXEC_TMPFILE stderr; returns p->status. */
int exec_wait(struct proc *p);
/* The same, until the monotonic time until (0: no limit): past it p and its process group are
 * ended (exec_kill) and p->timed_out is set. */
int exec_wait_until(struct proc *p, double until);
/*
 * A pipeline's first stage started ahead of the rest (its stdout fills a pipe, at most a pipe's
 * worth, until the pipeline runs): exec_pipeline_xfer then takes it as it is, its output and
 * stderr included. exec_unstart abandons one the pipeline will not use: its stdout is closed (a
 * writer that ignores SIGPIPE then ends with EPIPE, which zfs-fuse's send survives without
 * leaking a hold), then it is reaped, killed after 5 s. Returns 0, or -1 (not started).
 */
int exec_prestart(struct proc *p);
void exec_unstart(struct proc *p);

/*
 * Runs n stages with stage i's stdout feeding stage i+1's stdin (their own
 * `out`/`in` settings are ignored on those ends). Waits for every stage.
 * Returns -1 if every stage exited 0, else the index of the stage whose
 * failure explains the run (see pipeline_blame).
 */
int exec_pipeline(struct proc *stages, size_t n);

/*
 * A stream relayed through zrep between two stages (or from the last stage
 * into to_fd), so that zrep counts its bytes and notices when it stops.
 */
struct exec_xfer {
	int after;      /* the stage whose stdout is relayed */
	int to_fd;      /* destination when `after` is the last stage (closed by the relay) */
	int stall_secs; /* end the run when no byte moved for this long (0 = never) */
	void (*progress)(unsigned long long bytes, void *ctx); /* or NULL */
	void *ctx;
	unsigned long long bytes; /* out: bytes relayed */
	int stalled;              /* out: ended for the stall limit */
	int write_failed;         /* out: the destination stopped reading */
};

/*
 * exec_pipeline with the stream after stage x->after relayed as above.
 * A stall or a stage's time limit ends every stage (their process groups:
 * SIGTERM, then SIGKILL two seconds later); a stage that cannot be reaped
 * even then (a zfs stuck in the kernel) is left behind, never waited for.
 */
int exec_pipeline_xfer(struct proc *stages, size_t n, struct exec_xfer *x);

/* Ends p, started by exec_start, and its process group (SIGTERM, then SIGKILL). */
void exec_kill(struct proc *p);

/*
 * Runs n programs at once, each with its own stdin/stdout/stderr settings (not chained), under
 * the shortest of their timeouts, and waits for all (each one's status in st[i].status). For
 * zfs commands that do not depend on each other: they share a transaction group. Returns how
 * many did not exit 0, or -1 when n is out of range (1..64).
 */
int exec_together(struct proc *st, size_t n);

/*
 * Pure: chooses the stage to blame. A stage that died of SIGPIPE, exited
 * 141, or complained of a broken pipe failed because a stage after it went
 * away, so it is secondary. The most upstream primary failure is blamed
 * (a sender that failed first truncates the stream and makes the receiver
 * fail too); if all failures are secondary, the last failing stage is.
 */
int pipeline_blame(const int *status, const char *const *errtext, size_t n);

/* Describes a status for messages: "exit 3", "signal 9 (Killed)". */
const char *exec_status_str(int status, char *buf, size_t len);

/*
 * Signal support: the handler (installed by main) calls exec_forward_signal
 * to pass SIGINT/SIGTERM/SIGHUP on to the running children. After that,
 * exec refuses to start new programs unless exec_allow_cleanup(1) was
 * called, so an interrupted run only does its cleanup.
 */
void exec_forward_signal(int sig);
/* Returns the previous setting. */
int exec_allow_cleanup(int on);
int exec_interrupted(void);

/*
 * Forks a worker: a copy of this process that does part of a command's
 * work (workers.c). In the worker it returns 0: its stdout and stderr are
 * pipes to the parent and it has no live children of its own yet. In the
 * parent it returns the worker's pid, with the read ends of those pipes in
 * *out_fd / *err_fd (the parent closes them); the worker counts as a live
 * child, so signals are forwarded to it. Returns -1 (message printed) when
 * it cannot fork, or without a message after a signal.
 */
pid_t exec_fork_worker(int *out_fd, int *err_fd);
/* Waits for a worker; returns its status (see the status contract). */
int exec_wait_worker(pid_t pid);

/* Counts programs started by this process (for benchmarks and -D). */
extern unsigned long exec_spawn_count;

#endif
