/*
 * statusdoc: the per-filesystem status model behind `status --json`,
 * `status --nagios` and `status --prometheus` (issue 12), and its three
 * renderers. Pure: statusread.c fills the model from zfs; nothing here does
 * I/O, so every decision (state, reason, nagios verdict) and every escaping
 * rule is unit-tested.
 *
 * States, in order of precedence (the first that applies):
 *   split-brain  this host is master and so is the partner;
 *   failing      the last sync or failover failed after the last success
 *                (last_error), or the partner cannot take the next sync
 *                (unreachable, dataset missing, no common snapshot,
 *                destination modified, neither side master);
 *   locked       a live zrep holds the filesystem's lock;
 *   never        no snapshot was ever marked sent;
 *   behind       lag_seconds is over the behind limit (status -w,
 *                default 3600 s);
 *   ok           none of the above.
 */
#ifndef ZREP_STATUSDOC_H
#define ZREP_STATUSDOC_H

#include "util.h"
#include "snaps.h"
#include "zfs.h"

enum fs_state { FS_OK, FS_BEHIND, FS_FAILING, FS_LOCKED, FS_NEVER, FS_SPLIT };

const char *fs_state_str(enum fs_state s);

struct fsstatus {
	char *fs, *tag;
	int master;                       /* role: 1 master, 0 destination */
	char *partner_host, *partner_fs;  /* NULL when not recorded */
	char *last_sent, *last_sent_guid; /* full snapshot name; NULL when none */
	int has_time;
	long long last_sent_time;
	int has_lag;
	long long lag_seconds;
	unsigned long unsent_snapshots;
	int has_bytes;
	unsigned long long unsent_bytes;
	char *locked_by; /* "host:pid" or NULL */
	int has_error;
	long long error_time;
	char *error_msg;
	enum fs_state state;
	char *reason; /* one sentence */
};

void fsstatus_free(struct fsstatus *st);

/* What the partner host said about the partner filesystem (one ssh per host). */
struct partner_view {
	int checked;         /* 0: --local, or nothing to ask */
	int reached;         /* the query ran there */
	char *unreachable;   /* why not, when !reached */
	int exists;          /* the partner dataset exists */
	int master;          /* its TAG:master is yes (local) */
	struct zsnaps snaps; /* its snapshots with guids */
	int has_written;
	unsigned long long written; /* its `written` (bytes since its newest snapshot) */
	int has_error;              /* its TAG:last-error */
	long long error_time;
	char *error_msg;
};

void partner_view_free(struct partner_view *pv);

/*
 * Fills the derived fields of st (last_sent*, lag, unsent count, merged
 * last_error, state, reason) from the local snapshots, the partner view
 * (may be NULL), now and the behind limit. st->fs, tag, master,
 * partner_host/fs, locked_by and the local error must be set already.
 * An error older than the last successful sync is dropped (a later success
 * cleared it, possibly on the other host).
 */
void statusdoc_eval(struct fsstatus *st, const struct zsnaps *local, const struct partner_view *pv,
                    long long now, long long behind_secs);

/* JSON string literal of s (quotes included); invalid UTF-8 becomes U+FFFD. */
void json_quote(struct strbuf *sb, const char *s);

/* The JSON document: an array of one object per status, then a newline. */
void statusdoc_json(struct strbuf *sb, const struct fsstatus *v, size_t n);

/*
 * The Nagios/Icinga plugin line (with its newline) and its exit code:
 * 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. read_errors counts filesystems
 * that could not be read at all (they make it UNKNOWN unless another one is
 * CRITICAL). Critical: failing, split-brain, never, or lag over crit;
 * warning: lag over warn.
 */
int statusdoc_nagios(struct strbuf *sb, const struct fsstatus *v, size_t n, size_t read_errors,
                     long long warn, long long crit);

/* A label value escaped for the Prometheus text format (\\, \", \n). */
void prom_label_escape(struct strbuf *sb, const char *s);

/* node_exporter textfile content: # HELP/# TYPE and the samples. */
void statusdoc_prometheus(struct strbuf *sb, const struct fsstatus *v, size_t n, long long now);

/*
 * TAG:last-error values, "UNIXTIME MESSAGE": format strips control
 * characters (the value stays one line) and caps the message at 512
 * bytes; parse returns 0 and a malloc'd message, or -1.
 */
char *lasterror_format(long long t, const char *msg);
int lasterror_parse(const char *value, long long *t, char **msg);

/* "host:pid" from a lock-owner "host:pid:start" (or host + lock-pid), malloc'd, or NULL. */
char *lock_owner_short(const char *owner, long long pid, const char *myhost);

#endif
