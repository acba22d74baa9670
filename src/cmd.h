/*
 * cmd: the command table. Each subcommand lives in src/cmd/NAME.c and
 * exports int cmd_NAME(int argc, char **argv) where argv[0] is the word
 * the user typed. Only main.c and the cmd files decide the exit status.
 */
#ifndef ZREP_CMD_H
#define ZREP_CMD_H

#include <stdio.h>

#include "host.h"
#include "role.h"
#include "util.h"
#include "zrepfs.h"

/* Named exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* the operation failed; messages say why */
	EXIT_USAGE = 2,     /* bad command line; nothing was changed */
	EXIT_TEMPFAIL = 75, /* EX_TEMPFAIL: busy, stalled, timed out or partner unreachable; retry later */
};

struct cmd {
	const char *name;
	const char *alias;
	int (*fn)(int argc, char **argv);
	const char *synopsis; /* one or more lines for `zrep -h` */
	int hidden;
};

const struct cmd *cmd_lookup(const char *word);
void usage(FILE *f);
/* Prints "zrep: <msg>" and the command's synopsis to stderr; returns EXIT_USAGE. */
int cmd_usage_error(const char *cmdname, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Checks that argv holds exactly one valid filesystem name after the
 * command word. Returns 0, or the exit status after a one-line error.
 */
int cmd_one_fs(const char *cmdname, int argc, char **argv);

/* cmd/common.c: the command line pieces several commands share. */

/* cmd_one_fs, then the snapshots of that filesystem. Returns 0 (snaps filled), or the exit status. */
int cmd_one_fs_snaps(const char *cmdname, int argc, char **argv, struct zsnaps *snaps);

struct cmd_opts {
	int ind;          /* next word of argv; after the options: the first operand */
	const char *arg;  /* the value of an option that takes one */
	const char *next; /* internal: rest of a word of bundled letters */
	const char *const
	    *longs; /* long options ("json"; "prometheus=" takes a value), NULL-ended, or NULL */
};
#define CMD_OPTS_INIT                                                                                        \
	{                                                                                                    \
		0, NULL, NULL, NULL                                                                          \
	}
/* cmd_getopt's answer for --longs[k]. */
#define CMD_LONG(k) (256 + (k))

/*
 * getopt-style: the next option letter of argv (argv[0] is the command
 * word), from spec ("fvq:": a letter then ':' takes a value, in the same
 * word or the next), or a long option of st->longs ("--json"; a name
 * ending in '=' takes a value: "--prometheus=F" or "--prometheus F").
 * Options end at the first word that does not start with '-', at "-"
 * alone, or after "--". Returns the letter (CMD_LONG(k) for longs[k]), 0
 * at the end (st->ind is then the first operand), or -1 after a one-line
 * usage error (the caller returns EXIT_USAGE).
 */
int cmd_getopt(struct cmd_opts *st, int argc, char **argv, const char *spec);

/*
 * "FS... | all": fills fss with the names given (each checked) or, for
 * "all" alone, the zrep filesystems of this host (all_masters: masters
 * only, as zrepfs_list). No name at all is an error when empty_masters is
 * -1, else it lists them like "all" with masters_only = empty_masters.
 * Returns 0, or the exit status after a message.
 */
int cmd_fs_list(const char *cmdname, char **list, int n, int all_masters, int empty_masters,
                struct strv *fss);

/* "FS[@SNAP] [REMOTEHOST]" operands of failover and takeover. */
struct fs_target {
	const char *arg;       /* FS or FS@SNAP as given */
	char *fs;              /* FS */
	const char *snap;      /* after '@' (a zrep snapshot of the tag), or NULL */
	const char *rhost_arg; /* REMOTEHOST, or NULL */
};
/* Parses argv[ind..]. Returns 0, or EXIT_USAGE after a message. */
int cmd_fs_target(const char *cmdname, int argc, char **argv, int ind, struct fs_target *t);
void fs_target_free(struct fs_target *t);
/*
 * The partner of t->fs from fi's role properties (dest_side: we are the
 * destination side), REMOTEHOST overriding the host: fills rp, *pfs
 * (points into fi) and ph. Returns 0 or -1 after a message.
 */
int cmd_partner(const struct fs_target *t, const struct fsinfo *fi, int dest_side, struct role_props *rp,
                const char **pfs, struct host *ph);

#define DECLARE_CMD(n) int cmd_##n(int argc, char **argv)
DECLARE_CMD(init);
DECLARE_CMD(sync);
DECLARE_CMD(synconly);
DECLARE_CMD(snaponly);
DECLARE_CMD(sentsync);
DECLARE_CMD(refresh);
DECLARE_CMD(failover);
DECLARE_CMD(takeover);
DECLARE_CMD(status);
DECLARE_CMD(list);
DECLARE_CMD(getlastsent);
DECLARE_CMD(expire);
DECLARE_CMD(uptodate);
DECLARE_CMD(clear);
DECLARE_CMD(changeconfig);
DECLARE_CMD(version);
DECLARE_CMD(setlastsent);
DECLARE_CMD(refreshpull);
DECLARE_CMD(refreshcomplete);
DECLARE_CMD(allow);

#endif
