/*
 * replicate: the data path of a push (send here, receive there) and the
 * snapshot bookkeeping around it. A push costs one remote connection: a
 * small POSIX sh script on the destination checks the split-brain and
 * reachability conditions, says READY, receives, sets extra properties,
 * marks the snapshot sent, reports its guid and runs the remote expire, all
 * through the same ssh session. It needs only sh and zfs on the other side
 * (plus zrep for the expire), like the shell zrep does.
 */
#ifndef ZREP_REPLICATE_H
#define ZREP_REPLICATE_H

#include "host.h"
#include "zfs.h"
#include "zrepfs.h"

struct push_opts {
	const char *base;      /* full name of the incremental base, NULL = full stream */
	const char *snap;      /* full name of the snapshot to send */
	const char *token;     /* resume token instead of base/snap */
	int check_master;      /* refuse when the destination is master (split brain) */
	int props;             /* send -p (init) */
	struct recv_opts recv; /* target and flags of the receive */
	char **set_after;      /* "prop=value" (or "@inherit=prop") applied to the target after receiving */
	int mark_sent;         /* set TAG:sent on the received snapshot */
	int remote_expire;     /* run `zrep expire DESTFS` on the destination afterwards */
	/*
	 * When set, the destination lists its snapshots (name and guid) before
	 * data flows, and the base becomes the newest snapshot both sides hold
	 * with the same guid if that is newer than `base`: a previous run whose
	 * receive completed but which died before recording it is recovered.
	 */
	const struct zsnaps *local_snaps;
};

struct push_result {
	int reached;       /* the destination answered */
	int dest_master;   /* destination is master: split brain */
	int dest_missing;  /* destination dataset missing */
	int started;       /* data started to flow */
	int recv_ok;
	int sent_marked;
	char *guid;        /* guid of the received snapshot on the destination */
	int expire_ran, expire_ok;
	struct strv remote_names, remote_guids; /* destination's snapshots (local_snaps mode) */
	char *adopted_base; /* newer common base found on the destination, or NULL */
	struct zerr err;   /* why it failed (receiver's error first) */
	char *detail;      /* remote's error text for "destination missing" */
};

/* Pushes; returns 0 when the receive succeeded. Prints nothing itself. */
int push(const struct host *dest, const struct push_opts *o, struct push_result *res);
void push_result_free(struct push_result *r);

/* Words of the remote zrep command: ZREP_PATH words, -R (recursive mode), -t TAG (non-default
 * tag), -D. */
void remote_zrep_argv(struct strv *sv);

/*
 * Creates the next zrep snapshot of fs (numbered after the highest zrep
 * snapshot in snaps) after checking that fs's src-host is this host. The
 * caller holds the fs lock. Returns the new full name (malloc'd) or NULL.
 */
char *makesnap(const struct fsinfo *fi, const struct zsnaps *snaps);

/* Sets TAG:sent=now on a local snapshot. */
int mark_sent_local(const char *snap, long long ts);

#endif
