/*
 * cmd: the command table. Each subcommand lives in src/cmd/NAME.c and
 * exports int cmd_NAME(int argc, char **argv) where argv[0] is the word
 * the user typed. Only main.c and the cmd files decide the exit status.
 */
#ifndef ZREP_CMD_H
#define ZREP_CMD_H

#include <stdio.h>

/* Named exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,   /* the operation failed; messages say why */
	EXIT_USAGE = 2,  /* bad command line; nothing was changed */
	EXIT_PARTIAL = 3 /* several filesystems: some failed, the others were done */
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
