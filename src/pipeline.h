/*
 * pipeline: the data path of a transfer, send | [filters] | [ssh] receive,
 * in both directions, with one rule for which stage explains a failure.
 *
 * push (sync, init, failover: send here, receive there) costs one remote
 * connection: remote.c's push script on the destination checks split brain,
 * lists its snapshots, says READY, receives, applies properties, marks the
 * snapshot sent, reports its guid and runs the remote expire, all in the
 * same session. pull (refresh: send there, receive here) runs the source's
 * sending command through ssh into a local receive.
 */
#ifndef ZREP_PIPELINE_H
#define ZREP_PIPELINE_H

#include "host.h"
#include "remote.h"
#include "snaps.h"
#include "zfs.h"

struct push_result;

struct push_opts {
	const char *base;      /* full name of the incremental base, NULL = full stream */
	const char *snap;      /* full name of the snapshot to send */
	const char *token;     /* resume token instead of base/snap */
	int check_master;      /* refuse when the destination is master (split brain) */
	int props;             /* send -p (init) */
	int verbose;           /* send -v, its progress shown on our stderr */
	struct recv_opts recv; /* target and flags of the receive */
	char **set_after;      /* "prop=value" (or "@inherit=prop") applied to the target after receiving */
	int mark_sent;         /* set TAG:sent on the received snapshot */
	int hold;              /* and move zrep's hold (named TAG) to it, where the destination has holds */
	int remote_expire;     /* expire the destination's snapshots afterwards (planned here from its
	                          listing and its own TAG:savecount; destroyed by the push script) */
	int resumable;         /* receive with -s where the destination has it */
	int kill_leftover;     /* end a receive into the target left by an earlier run first */
	int stop_on_token;     /* the destination holds a partial receive: stop before sending (res->token) */
	int abort_token;       /* the destination holds a partial receive: drop it (receive -A) first */
	int want_guid;         /* the destination reports the received snapshot's guid (res->guid) */
	int defer_dest;        /* the destination only receives: its marks, hold move and expiry are
	                          left to one call for all (sync_record_deferred), unless a base
	                          other than o->base is used (res->dest_deferred says) */
	/*
	 * When set, the destination lists its snapshots (name and guid) before
	 * data flows, and the base becomes the newest snapshot both sides hold
	 * with the same guid if that is newer than `base`: a previous run whose
	 * receive completed but which died before recording it is recovered.
	 */
	const struct zsnaps *local_snaps;
	/* Work that overlaps with the connection: called once the remote side is started, before its
	 * READY is read (a sync takes its snapshot there); < 0 stops the push (res->local_failed). */
	int (*before_ready)(void *ctx);
	/* Called as soon as the destination confirmed the receive and every stage here succeeded,
	 * while the destination goes on with its marks and expiry (a sync records it here then). */
	void (*on_received)(void *ctx, const struct push_result *res);
	void *ctx;
	/* The destination's listing, read ahead (destview): the push script lists nothing then. */
	const struct zprops *dest_rows;
};

struct push_result {
	int reached;       /* the destination answered */
	int dest_master;   /* destination is master: split brain */
	int dest_missing;  /* destination dataset missing */
	int started;       /* data started to flow */
	int recv_ok;       /* the destination said its receive succeeded */
	int recv_failed;   /* the destination said its receive failed: it does not hold the snapshot */
	int sender_failed; /* recv_ok, but a stage here failed: trust it only by guid */
	int sent_marked;
	int held;   /* the destination put its hold on the received snapshot */
	char *guid; /* guid of the received snapshot on the destination */
	int expire_ran, expire_ok;
	char *token;         /* the destination's resume token, when it holds a partial receive */
	int aborted;         /* the destination dropped its partial receive */
	int used_s;          /* the receive ran with -s */
	int partial;         /* and failed leaving a partial state there (resumable) */
	int dest_deferred;   /* the destination left its marks, hold move and expiry to the caller */
	int local_failed;    /* before_ready failed: nothing was sent */
	int received_called; /* on_received was called */
	int expire_unusable; /* the destination's savecount is not a usable number: not expired there */
	long long sent_time; /* the TAG:sent value given to the destination */
	struct strv remote_names, remote_guids; /* destination's snapshots (local_snaps mode) */
	char *adopted_base;                     /* newer common base found on the destination, or NULL */
	int stalled;              /* the stream moved nothing for ZREP_STALL_TIMEOUT: ended on both hosts */
	int timed_out;            /* the destination did not answer within ZREP_TIMEOUT: ended */
	unsigned long long bytes; /* stream bytes that reached the destination's connection */
	struct zerr err;          /* why it failed (receiver's error first) */
	char *detail;             /* remote's error text for "destination missing" */
};

/*
 * Pushes; returns 0 when every stage succeeded and the destination
 * confirmed the receive. Prints nothing itself (but a note when it ended a
 * leftover receive after a stall).
 */
int push(const struct host *dest, const struct push_opts *o, struct push_result *res);
void push_result_free(struct push_result *r);

/* Pure: the properties of the destination's listing in a sync (df: its features, or NULL). */
char *push_list_props(const struct zfs_features *df);

/* Pure: the remote push call of o, for a destination whose zfs features are df (NULL: not known;
 * the call asks for its usage text). */
void push_call(const struct push_opts *o, const struct zfs_features *df, struct remote_call *c);

/*
 * Pure: the answer the source writes to the push script before the stream
 * (remote.h): from the destination's listing rows of target (or NULL),
 * the releases of zrep's hold and the destroys the destination's expiry
 * needs (plan_expire with the destination's own savecount, the new
 * snapshot counted as sent and held). Appends to out; *planned is set to
 * the number of snapshots to destroy, or -1 when the savecount there is
 * unusable.
 */
void push_answer(const struct push_opts *o, const struct zprops *rows, const struct zfs_features *df,
                 int resumable, long long sent_time, struct strbuf *out, long *planned);

struct pull_opts {
	const struct host *src;
	char **send_argv;      /* the command that writes the stream on src (zrep _refreshpull ...) */
	struct recv_opts recv; /* the local receive */
	int verbose;           /* show the sender's stderr as it comes */
};

/*
 * Pure: the argv of each stage of a pull into sv[0..2]: the source's sending
 * command (through ssh, behind ZREP_OUTFILTER there), ZREP_INFILTER here,
 * the receive. Returns the number of stages.
 */
size_t pull_stages(const struct pull_opts *o, struct strv *sv);

/* Pulls; returns 0 when every stage succeeded, else -1 with err set. Prints nothing itself. */
int pull(const struct pull_opts *o, struct zerr *err);

/*
 * Pure: the one blame rule. Stages 0..n-1 run from sender to receiver (the
 * receiver last); remote[i] says stage i ran through ssh. Returns -1 when
 * every stage succeeded. Otherwise the stage pipeline_blame picks (the most
 * upstream failure that is not a mere broken pipe), except that a receiver
 * that failed and said why is blamed instead when that stage's error is one
 * zfs gives no name to (ZE_OTHER): zfs receive's complaint ("destination
 * has been modified") explains a run better than the sender's cut stream.
 */
int xfer_blame(const int *status, const char *const *err, const int *remote, size_t n);

#endif
