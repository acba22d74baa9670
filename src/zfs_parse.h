/*
 * zfs_parse: the pure half of the zfs layer. Reads `zfs get -Hp -o
 * name,property,value,source` output including the source column, sorts
 * zfs's (or ssh's) stderr into typed errors, reads the usage text `zfs`
 * prints for the features it has, and the snapshot a resume token
 * continues. No I/O; unit-tested.
 */
#ifndef ZREP_ZFS_PARSE_H
#define ZREP_ZFS_PARSE_H

#include <stddef.h>

enum zsrc { ZSRC_NONE, ZSRC_LOCAL, ZSRC_RECEIVED, ZSRC_INHERITED, ZSRC_DEFAULT, ZSRC_TEMPORARY, ZSRC_OTHER };

struct zprop {
	char *name; /* dataset */
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

/*
 * Pure: 0 when rows are exactly what `zfs get [-r -d DEPTH] PROPS DATASETS`
 * (no source filter) prints: per dataset one contiguous group of one row per
 * property of the comma list props, in its order; with datasets (NULL: not
 * checked), group names that are those datasets in order (depth < 0) or,
 * with depth 1, those datasets, their snapshots and direct children. -1
 * otherwise. zfs prints values raw, so a value holding a newline and tabs
 * can forge whole rows; when the last property of props is one whose values
 * cannot hold a newline (a native one), any such forgery breaks this grid.
 */
int zfs_rows_check(const struct zprops *rows, const char *props, char *const *datasets, int depth);

/* Pure: 1 when s holds a control character (a byte below 0x20, or 0x7f). */
int has_control_char(const char *s);
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
	ZE_TIMEOUT,     /* ended after ZREP_TIMEOUT */
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
	int multi_set;    /* zfs set takes several property=value words at once */
	int destroy_list; /* zfs destroy takes fs@a,b,c */
	int written;      /* the written property (OpenZFS; implied by bookmarks) */
};

/* Pure: reads the usage text printed by `zfs` with no arguments. */
void zfs_parse_usage(const char *text, struct zfs_features *f);
/* Pure: the snapshot a resume token continues ("toname = ..." of `zfs send -nv -t`). */
char *zfs_parse_token_toname(const char *send_nv_output);
/* Pure: the guid of that snapshot ("toguid = 0x..."), in decimal as zfs get prints guids, or NULL. */
char *zfs_parse_token_toguid(const char *send_nv_output);
#endif
