/*
 * remote: every sh script zrep sends to a host, the positional parameters
 * each one takes, and the marker lines ("ZREP-NAME [ARG]") it answers with.
 * The scripts are fixed text (zrep's logic here, zfs's command lines from
 * zfs_sh.h); all user data travels as positional parameters, so batching
 * work into one connection never builds shell code from data.
 *
 * Building a call (remote_*_call, pure, unit-tested) is separate from
 * running it (remote_run / remote_start), which is the one place that
 * turns a call into a process on a host. Commands that are not scripts
 * (a plain remote `zrep failover`, one zfs command) go through remote_exec.
 */
#ifndef ZREP_REMOTE_H
#define ZREP_REMOTE_H

#include "exec.h"
#include "host.h"
#include "util.h"

struct remote_call {
	const char *name;   /* for debug output: "push", "expire", ... */
	const char *script; /* the script body (zfs_sh functions are put in front) */
	struct strv args;   /* $1 ... */
};

void remote_call_free(struct remote_call *c);

/*
 * The words that run zrep on the other host: ZREP_PATH's words, then -R in
 * recursive mode (first, as the shell zrep requires), -t TAG for a tag other
 * than "zrep", -D when debugging. Appended to sv.
 */
void remote_zrep_argv(struct strv *sv);

/*
 * push: run on the destination of a push, with zfs and sh alone (no zrep
 * there). The conversation:
 *   1. with kill_leftover, ends a receive into target left running by a
 *      zrep that gave up or died (KILLED N);
 *   2. with probe_usage, zfs's usage text between USAGE and USAGE-END;
 *   3. with list_props (receive_resume_token added where the usage shows
 *      resuming), "LIST PROPS", the rows of `zfs get` of PROPS on target
 *      and its snapshots (stderr with them), then "LIST-END STATUS"; else,
 *      with master_prop, the split-brain check itself (MASTER / NODEST
 *      TEXT); then READY;
 *   4. it reads the source's answer on stdin, line by line before the
 *      stream: "GO" or "GO-S" (receive with recv_cmd_s, the resumable
 *      receive), anything else ends it; then "T TIME" (the sent time), "A"
 *      (drop a partial receive first: ABORTED), "G" (report the received snapshot's guid), "R SNAP" (release
 *      hold_tag from SNAP after the hold moved), "X SNAP" / "XR SNAP"
 *      (destroy, -r) and "L FS@A,B" / "LR ..." (one destroy of a comma
 *      list, one by one if refused), "P" (no destroy is of an R snapshot:
 *      the destroys may run beside the mark and the hold), ending with ".";
 *   5. receives (RECV-FAILED STATUS or RECV-OK), applies set_after
 *      ("prop=value", or "@inherit=prop"; SETFAIL WORD), and when snap is
 *      set (with G) reports GUID G; then at once: it marks snap sent (SENT
 *      TIME); puts hold_tag on it (HELD) and then releases the R
 *      snapshots; with P, the destroys (EXPIRE-OK or EXPIRE-FAILED). Without
 *      P the destroys come after all that. (With P no destroy is of the last
 *      sent snapshot before this one, still held and marked: a run killed
 *      there leaves the base.)
 */
struct remote_push_params {
	const char *target;
	const char *master_prop; /* NULL: no split-brain check */
	const char *sent_prop;   /* NULL: do not mark */
	const char *snap;        /* the part after '@', or NULL */
	const char *recv_cmd;
	const char *recv_cmd_s; /* the same receive, resumable (-s); or NULL */
	const char *hold_tag;   /* NULL: no hold */
	const char *list_props; /* NULL: no listing */
	int kill_leftover;
	int probe_usage;
	char *const *set_after; /* or NULL */
};
void remote_push_call(struct remote_call *c, const struct remote_push_params *p);

/* finish: the destination's half of the syncs of a sync all that left it to one call (push with
 * "D"): marks every new snapshot sent and moves zrep's hold in one zfs set / hold / release each,
 * then the destroys. words: "S SNAP", "R SNAP", "X SNAP", "XR SNAP", "L FS@A,B", "LR ...". */
void remote_finish_call(struct remote_call *c, const char *sent_prop, long long sent_time,
                        const char *hold_tag, char *const *words);

/* destlist: the listing the push script makes, for several destination filesystems at once (sync
 * all reads every destination of a host in one call): optionally zfs's usage (USAGE ...
 * USAGE-END), then "LIST PROPS", the rows, "LIST-END STATUS". */
void remote_destlist_call(struct remote_call *c, const char *props, int probe_usage, char *const *datasets);

/*
 * expire: on a destination, refuse when destfs is master there (MASTER) or
 * unreadable (NODEST), else run expire_argv (EXPIRE-OK / EXPIRE-FAILED).
 */
void remote_expire_call(struct remote_call *c, const char *destfs, const char *master_prop,
                        char *const *expire_argv);

/* features: zfs's usage text, nothing else. */
void remote_features_call(struct remote_call *c);

/*
 * probe: zfs's usage text, the line PROBE-END, then EXISTS and TOKEN T (T
 * is "-" or empty for none) when ds exists, else ABSENT.
 */
void remote_probe_call(struct remote_call *c, const char *ds);

/*
 * promote (failover step 3, on B): answers NOSNAP TEXT when bsnap cannot be
 * read, GUID G when its guid is not want_guid; with rollback, rolls back to
 * bsnap (moving zrep's hold, named TAG, there) and sets sent_prop=sent_time
 * on it (ROLLBACK-FAILED); then
 * VERIFIED, runs takeover_argv (with ZREP_PARTNER_FAILOVER=1 in its
 * environment) and answers TAKEOVER STATUS MASTERVALUE, the local value of
 * master_prop on pfs afterwards.
 */
struct remote_promote_params {
	const char *bsnap;
	const char *want_guid;
	int rollback;
	const char *sent_prop;
	long long sent_time;
	const char *master_prop;
	const char *pfs;
	char *const *takeover_argv;
};
void remote_promote_call(struct remote_call *c, const struct remote_promote_params *p);

/*
 * snaplist (refresh step 1, on the source): runs snaponly_argv (NEWSNAP
 * NAME, or SNAPFAIL STATUS), then the line LIST followed by the `get -Hp`
 * rows of props for srcfs and its snapshots (LISTFAIL on failure).
 */
void remote_snaplist_call(struct remote_call *c, const char *props, const char *srcfs,
                          char *const *snaponly_argv);

/*
 * complete (refresh step 4, on the source): runs complete_argv (COMPLETE),
 * then expire_argv when given (EXPIRE-OK / EXPIRE-FAILED).
 */
void remote_complete_call(struct remote_call *c, char *const *complete_argv, char *const *expire_argv);

/* killrecv: continue and kill every `zfs receive` into target still running there (KILLED N). */
void remote_killrecv_call(struct remote_call *c, const char *target);

/*
 * status (status --json and friends, on a partner): the `get -Hp` rows of
 * props for datasets, STATUS-PROPS, their snapshots' guid rows,
 * STATUS-SNAPS, their written rows, STATUS-END; all read-only.
 */
void remote_status_call(struct remote_call *c, const char *props, char *const *datasets);

/*
 * allow (zrep allow): zfs allow's usage text, USAGE-END; with destfs, then
 * TARGET T (destfs when it exists, else parent), T's delegated
 * permissions, ALLOW-END STATUS.
 */
void remote_allow_call(struct remote_call *c, const char *destfs, const char *parent);

/* pullsend (refresh step 3, on the source): `send_argv | sh -c outfilter` (the stream on stdout). */
void remote_pullsend_call(struct remote_call *c, const char *outfilter, char *const *send_argv);

/* Pure: the argv that runs c on h (sh -c on the host, through ssh if remote). */
void remote_build(const struct host *h, const struct remote_call *c, struct strv *out);

struct remote_reply {
	int status;        /* exit status of the local sh or ssh process */
	struct strbuf out; /* stdout as received */
	struct strbuf err; /* stderr, when captured */
	struct strv lines; /* out, split into lines */
	int timed_out;     /* ended after ZREP_TIMEOUT (a message said so) */
};
void remote_reply_free(struct remote_reply *r);

/*
 * Pure: 1 when line is the marker "ZREP-<name>" or "ZREP-<name> ARG";
 * *arg (may be NULL) then points at ARG ("" when there is none).
 */
int remote_marker(const char *line, const char *name, const char **arg);
/* The ARG of the first line of r that is marker name, or NULL. */
const char *remote_find(const struct remote_reply *r, const char *name);
/* The raw output after the first line that is marker name, or NULL. */
const char *remote_after(const struct remote_reply *r, const char *name);

/*
 * Runs c on h and waits, at most ZREP_TIMEOUT seconds (then it is ended,
 * r->timed_out set and a message printed). err: EXEC_CAPTURE (into r->err)
 * or EXEC_INHERIT. Returns r->status.
 */
int remote_run(const struct host *h, const struct remote_call *c, int err, struct remote_reply *r);

/*
 * Starts c on h with its stdin and stdout as pipes (p->in_fd, p->out_fd;
 * the caller closes them) and stderr kept in a file, for a conversation.
 * argv receives the built words and must outlive p. Returns 0 or -1.
 */
int remote_start(const struct host *h, const struct remote_call *c, struct proc *p, struct strv *argv);
/* A buffered reader of a remote side's answer lines (one read per block, not per byte). */
struct line_reader {
	int fd;
	size_t start, end; /* the unread bytes: buf[start..end) */
	char buf[8192];
};
void line_reader_init(struct line_reader *rd, int fd);
/*
 * Reads one line (without its newline) from rd. Returns 1 with a line, 0 at
 * EOF, -1 when deadline (mono seconds, 0 = none) passed first.
 */
int remote_read_line(struct line_reader *rd, struct strbuf *line, double deadline);

/* Runs argv on h (through ssh when remote) with p's wiring, bounded by p->timeout; returns the status. */
int remote_exec(const struct host *h, char *const *argv, struct proc *p);
/* n commands on h at once (exec_together; a connection each on a remote host). Returns how many
 * did not exit 0. */
int remote_exec_together(const struct host *h, char *const *const *argvs, struct proc *ps, size_t n);
/* Starts argv on h with p's wiring (exec_start), not waiting; full keeps the words the process
 * runs (p->argv points into it) until the caller has waited for it and clears it. */
int remote_exec_start(const struct host *h, char *const *argv, struct proc *p, struct strv *full);

/* Counts a connection to h (when it is remote) for a stage built with remote_build or host_build_argv. */
void remote_count(const struct host *h);

/* Remote connections opened by this process (benchmarks, -D): counted here only. */
extern unsigned long remote_connections;

#endif
