/*
 * zfs: the only module that knows zfs command-line flags. It builds argv
 * for every zfs operation zrep uses (pure builders, unit-tested), runs them
 * on a host, parses `zfs get -Hp` output including the source column, sorts
 * zfs's stderr into typed errors, and detects per host which features the
 * zfs there has (once per host per run).
 */
#ifndef ZREP_ZFS_H
#define ZREP_ZFS_H

#include "host.h"
#include "snapname.h"
#include "util.h"

enum zsrc { ZSRC_NONE, ZSRC_LOCAL, ZSRC_RECEIVED, ZSRC_INHERITED, ZSRC_DEFAULT, ZSRC_TEMPORARY, ZSRC_OTHER };

struct zprop {
	char *name;  /* dataset */
	char *prop;
	char *value;
	enum zsrc src;
	char *inherited_from; /* for ZSRC_INHERITED */
};

struct zprops {
	struct zprop *v;
	size_t n;
};

/* Parses `zfs get -Hp -o name,property,value,source` output. Pure. */
int zfs_parse_get(const char *text, struct zprops *out);
enum zsrc zfs_parse_source(const char *s, char **inherited_from);
void zprops_free(struct zprops *p);
/* First row for (name, prop), or NULL. */
const struct zprop *zprops_find(const struct zprops *p, const char *name, const char *prop);

enum zerr_kind {
	ZE_OK = 0,
	ZE_NOENT,       /* dataset / snapshot / pool does not exist */
	ZE_MODIFIED,    /* destination modified since most recent snapshot */
	ZE_MISMATCH,    /* incremental stream does not match the destination */
	ZE_EXISTS,      /* destination exists (needs -F) */
	ZE_BUSY,        /* busy / held */
	ZE_RESUME,      /* partially received state (resume token) present */
	ZE_UNREACHABLE, /* ssh could not reach the host */
	ZE_NOTSUP,      /* option or property not supported by this zfs */
	ZE_OTHER,
};

struct zerr {
	enum zerr_kind kind;
	int status;
	char *msg; /* trimmed stderr, malloc'd, may be NULL */
};

/* Pure: classifies zfs (or ssh) stderr text and status. */
enum zerr_kind zfs_classify(int status, const char *errtext, int remote);
const char *zerr_kind_str(enum zerr_kind k);
void zerr_set(struct zerr *e, int status, const char *errtext, int remote);
void zerr_clear(struct zerr *e);
/* A one-line description for messages ("dataset does not exist", ...). */
const char *zerr_text(const struct zerr *e);

struct zfs_features {
	int probed;
	int recv_u, recv_o, recv_s, send_t, send_p, bookmarks, holds, depth, snapprops;
};

/* Pure: reads the usage text printed by `zfs` with no arguments. */
void zfs_parse_usage(const char *text, struct zfs_features *f);
/* Probes once per host name per run (one zfs call; on a remote host one ssh). */
const struct zfs_features *zfs_features(const struct host *h);
/* For tests and for hosts probed as part of a batched remote call. */
void zfs_features_set(const char *hostname, const struct zfs_features *f);

/*
 * Runs `zfs ARGS` on h with stdin from /dev/null, capturing stdout into out
 * (may be NULL) and stderr into err. Returns the exit status.
 */
int zfs_exec(const struct host *h, char *const *args, struct strbuf *out, struct zerr *err);

/* `zfs get -Hp -o name,property,value,source [-s SOURCES] [-r -d DEPTH] PROPS DS...` */
void zfs_argv_get(struct strv *sv, const char *props, const char *sources, int depth, char *const *datasets);
int zfs_get(const struct host *h, const char *props, const char *sources, int depth, char *const *datasets,
	    struct zprops *out, struct zerr *err);
/*
 * The same without -p: values as zfs shows them to people ("1G", not
 * bytes), for output that mirrors `zfs get -H` (list -v). No depth.
 */
void zfs_argv_get_display(struct strv *sv, const char *props, const char *sources, char *const *datasets);
int zfs_get_display(const struct host *h, const char *props, const char *sources, char *const *datasets,
		    struct zprops *out, struct zerr *err);
/* Value of prop on ds counting only the given source kinds ("local", NULL = any); *val NULL when unset. */
int zfs_get_one(const struct host *h, const char *prop, const char *ds, int local_only, char **val, struct zerr *err);

int zfs_set(const struct host *h, const char *ds, const char *prop, const char *value, struct zerr *err);
int zfs_inherit(const struct host *h, const char *prop, const char *ds, struct zerr *err);
int zfs_snapshot(const struct host *h, const char *snap, int recursive, struct zerr *err);
/* Destroys one dataset or snapshot (never -R); retries a few times while busy. */
int zfs_destroy(const struct host *h, const char *name, int recursive, struct zerr *err);
int zfs_rename(const struct host *h, const char *from, const char *to, int recursive, struct zerr *err);
int zfs_rollback(const struct host *h, const char *snap, int destroy_newer, struct zerr *err);
int zfs_hold(const struct host *h, const char *tag, const char *snap, struct zerr *err);
int zfs_release(const struct host *h, const char *tag, const char *snap, struct zerr *err);
int zfs_mount(const struct host *h, const char *ds, struct zerr *err);
/*
 * `zfs list -r -t snapshot -o name,creation FS`: the table (header
 * included) that `zrep list -s` prints, appended to out; nothing when FS
 * has no snapshots.
 */
void zfs_argv_snap_table(struct strv *sv, const char *fs);
int zfs_snap_table(const struct host *h, const char *fs, struct strbuf *out, struct zerr *err);
/* 1 exists, 0 does not, -1 error (err says why). type may be NULL. */
int zfs_exists(const struct host *h, const char *ds, const char *type, struct zerr *err);

struct send_opts {
	const char *from;    /* incremental base (full name or @snap), NULL for full */
	const char *inc_flag; /* "-I" or "-i" */
	const char *snap;    /* snapshot to send */
	const char *token;   /* resume token: send -t */
	int props;           /* -p */
	int recursive;       /* -R */
	int verbose;         /* -v */
	const char *extra;   /* user words (ZREP_SEND_FLAGS / ZREP_RESUME_FLAGS) */
};
void zfs_argv_send(struct strv *sv, const struct send_opts *o);

struct recv_opts {
	const char *target;
	int force;       /* -F */
	int unmounted;   /* -u */
	int resumable;   /* -s */
	int readonly_o;  /* -o readonly=on */
	const char *extra; /* ZREP_RECV_FLAGS */
};
void zfs_argv_recv(struct strv *sv, const struct recv_opts *o);



/*
 * Builders for zfs commands that run inside a remote sh script (failover's
 * verify-and-promote step, refresh): `zfs get -H -p -o value [-s local]
 * PROP DS`, `zfs rollback [-r] SNAP`, `zfs set PROP=VALUE DS`.
 */
void zfs_argv_get_value(struct strv *sv, const char *prop, const char *ds, int local_only);
void zfs_argv_rollback(struct strv *sv, const char *snap, int destroy_newer);
void zfs_argv_set(struct strv *sv, const char *ds, const char *prop, const char *value);

/*
 * One round trip to h: detects its zfs features (cached as zfs_features
 * would) and whether ds exists there. Returns 0, or -1 when h could not be
 * reached (err says why).
 */
int zfs_probe(const struct host *h, const char *ds, int *exists, struct zerr *err);
/* Same round trip, also returning ds's receive_resume_token (malloc'd, NULL if none). */
int zfs_probe_token(const struct host *h, const char *ds, int *exists, char **token, struct zerr *err);

/* Pure: the snapshot a resume token continues ("toname = ..." of `zfs send -nv -t`). */
char *zfs_parse_token_toname(const char *send_nv_output);
/* Runs `zfs send -nv -t TOKEN` on h and returns the full snapshot name, or NULL. */
char *zfs_token_toname(const struct host *h, const char *token, struct zerr *err);

/*
 * Whether fs changed since snap: `zfs diff -H snap fs`. Returns 1 changed,
 * 0 unchanged, -1 when zfs diff is not available or failed (err says why).
 */
int zfs_changed_since(const struct host *h, const char *snap, const char *fs, struct zerr *err);
#endif
