/*
 * zfs: the only module that knows zfs command-line flags. It builds argv
 * for every zfs operation zrep uses (pure builders, unit-tested), runs them
 * on a host and detects per host which features the zfs there has (once
 * per host per run). Its pure half, reading zfs's output and typing its
 * errors, is zfs_parse.h. Other modules ask for what they mean
 * (zfs_get_own_props, zfs_get_written_since), never for a flag.
 */
#ifndef ZREP_ZFS_H
#define ZREP_ZFS_H

#include "host.h"
#include "util.h"
#include "zfs_parse.h"

/* Probes once per host name per run (one zfs call; on a remote host one ssh). */
const struct zfs_features *zfs_features(const struct host *h);
/* What is known of h without asking it (this run, or remembered by featcache), or NULL. */
const struct zfs_features *zfs_features_peek(const struct host *h);
/* Records h's features from its usage text, read as part of another remote call. */
void zfs_features_learned(const struct host *h, const char *usage);
/* For tests and for hosts probed as part of a batched remote call. */
void zfs_features_set(const char *hostname, const struct zfs_features *f);

/*
 * Runs `zfs ARGS` on h with stdin from /dev/null, capturing stdout into out
 * (may be NULL) and stderr into err. Returns the exit status.
 */
int zfs_exec(const struct host *h, char *const *args, struct strbuf *out, struct zerr *err);
/* n zfs commands (each its words after `zfs`) at once on h, each bounded by ZREP_TIMEOUT;
 * errs[i] tells how command i ended (cleared by the caller). Returns how many failed. */
int zfs_exec_together(const struct host *h, char *const *const *cmds, size_t n, struct zerr *errs);
/* The same in two halves, so that other work runs meanwhile: zfs_start_together starts them
 * (ZREP_TIMEOUT counts from now), zfs_wait_together waits for all of them and fills errs[i]
 * as above. Returns how many failed (a command that did not start counts). */
struct zfs_bg {
	const struct host *h;
	size_t n;
	struct proc *ps;
	struct strv *words; /* each command: "zfs" and its words */
	struct strv *full;  /* each command's argv as run on h (remote_exec_start) */
	double until;
};
void zfs_start_together(const struct host *h, char *const *const *cmds, size_t n, struct zfs_bg *bg);
int zfs_wait_together(struct zfs_bg *bg, struct zerr *errs);

/* `zfs get -Hp -o name,property,value,source [-s SOURCES] [-r -d DEPTH] PROPS DS...` */
void zfs_argv_get(struct strv *sv, const char *props, const char *sources, int depth, char *const *datasets);
int zfs_get(const struct host *h, const char *props, const char *sources, int depth, char *const *datasets,
            struct zprops *out, struct zerr *err);
/*
 * The same without -p: values as zfs shows them to people ("1G", not
 * bytes), for output that mirrors `zfs get -H` (list -v). No depth.
 */
void zfs_argv_get_display(struct strv *sv, const char *props, const char *sources, char *const *datasets);
/*
 * The properties (a list, or "all") set on the datasets themselves: source
 * local or received, so snapshots (which only inherit) are left out.
 * datasets NULL: every dataset. zfs_get_own_props_display: values as zfs
 * shows them to people (zfs_argv_get_display).
 */
int zfs_get_own_props(const struct host *h, const char *props, char *const *datasets, struct zprops *out,
                      struct zerr *err);
int zfs_get_own_props_display(const struct host *h, const char *props, char *const *datasets,
                              struct zprops *out, struct zerr *err);
/* Value of prop on ds counting only the given source kinds ("local", NULL = any); *val NULL when unset. */
/* `zpool sync` of ds's pool: what is written is on disk (and counted in written) after it. */
int zpool_sync(const struct host *h, const char *ds, struct zerr *err);
int zfs_get_one(const struct host *h, const char *prop, const char *ds, int local_only, char **val,
                struct zerr *err);
/* The bytes written to fs since its snapshot snap (`written@snap`), as text; *val NULL when unset. */
int zfs_get_written_since(const struct host *h, const char *fs, const char *snap, char **val,
                          struct zerr *err);

int zfs_set(const struct host *h, const char *ds, const char *prop, const char *value, struct zerr *err);
int zfs_inherit(const struct host *h, const char *prop, const char *ds, struct zerr *err);
/* `zfs VERB ARG DS...` for the verbs that take several datasets with one argument: set
 * (prop=value), inherit (prop), hold and release (tag). */
int zfs_many(const struct host *h, const char *verb, const char *arg, char *const *datasets,
             struct zerr *err);
/* Sets the "prop=value" words pv (NULL-ended) on ds: one zfs set where the zfs takes several, else
 * one each (stopping at the first failure). */
int zfs_set_props(const struct host *h, const char *ds, char *const *pv, struct zerr *err);
/* `destroy [-r] FS@A,B,C` of snapshots of one filesystem (full names). */
/* The words after `zfs` that make prop of ds inherited (zfs_exec_together). */
void zfs_argv_inherit(struct strv *sv, const char *prop, const char *ds);
void zfs_argv_destroy_list(struct strv *sv, char *const *snaps, size_t n, int recursive);
/* Destroys snapshots of one filesystem: in one command where the zfs takes a comma list (all or
 * nothing there), else, or when that fails, one by one, calling failed() for each that stays.
 * Returns how many stayed. */
int zfs_destroy_snaps(const struct host *h, char *const *snaps, size_t n, int recursive,
                      void (*failed)(const char *snap, const struct zerr *e, void *ctx), void *ctx);
int zfs_snapshot(const struct host *h, const char *snap, int recursive, struct zerr *err);
/* Destroys one dataset or snapshot (never -R); retries a few times while busy. */
int zfs_destroy(const struct host *h, const char *name, int recursive, struct zerr *err);
int zfs_rename(const struct host *h, const char *from, const char *to, int recursive, struct zerr *err);
int zfs_rollback(const struct host *h, const char *snap, int destroy_newer, struct zerr *err);
int zfs_hold(const struct host *h, const char *tag, const char *snap, struct zerr *err);
int zfs_release(const struct host *h, const char *tag, const char *snap, struct zerr *err);
/* `zfs bookmark SNAP FS#BM` (OpenZFS). */
int zfs_bookmark(const struct host *h, const char *snap, const char *bookmark, struct zerr *err);
int zfs_mount(const struct host *h, const char *ds, struct zerr *err);
/*
 * `zfs list -r -t snapshot -o name,creation FS`: the table (header
 * included) that `zrep list -s` prints, appended to out; nothing when FS
 * has no snapshots.
 */
void zfs_argv_snap_table(struct strv *sv, const char *fs);
int zfs_snap_table(const struct host *h, const char *fs, struct strbuf *out, struct zerr *err);
/* 1 exists, 0 does not, -1 error (err says why). */
int zfs_exists(const struct host *h, const char *ds, struct zerr *err);
/* The same for a filesystem or volume (a snapshot does not count). */
int zfs_exists_fs(const struct host *h, const char *ds, struct zerr *err);

struct send_opts {
	const char *from;     /* incremental base (full name, @snap, a bookmark fs#bm), NULL for full */
	const char *inc_flag; /* "-I" or "-i" */
	const char *snap;     /* snapshot to send */
	const char *token;    /* resume token: send -t */
	int props;            /* -p */
	int recursive;        /* -R */
	int verbose;          /* -v */
	const char *extra;    /* user words (ZREP_SEND_FLAGS / ZREP_RESUME_FLAGS) */
};
void zfs_argv_send(struct strv *sv, const struct send_opts *o);

struct recv_opts {
	const char *target;
	int force;         /* -F */
	int unmounted;     /* -u */
	int resumable;     /* -s */
	int readonly_o;    /* -o readonly=on */
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

/* Runs `zfs send -nv -t TOKEN` on h and returns the full snapshot name, or NULL. */
char *zfs_token_toname(const struct host *h, const char *token, struct zerr *err);
/* The same dry run: the token's snapshot name and guid (decimal). Returns 0, or -1 (err says why). */
int zfs_token_info(const struct host *h, const char *token, char **toname, char **toguid, struct zerr *err);

/*
 * Whether fs changed since snap: `zfs diff -H snap fs`. Returns 1 changed,
 * 0 unchanged, -1 when zfs diff is not available or failed (err says why).
 */
int zfs_changed_since(const struct host *h, const char *snap, const char *fs, struct zerr *err);
#endif
