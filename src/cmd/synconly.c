/* synconly: push the newest existing zrep snapshot (pair of snaponly). */
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../syncfs.h"

/* cmd/sync.c */
int sync_many(const char *cmdname, char **list, int n, const struct sync_opts *o, int parallel);
int sync_parallel(const char *cmdname, const char *arg);
void sync_opts_defaults(struct sync_opts *o, int make_snapshot);

int cmd_synconly(int argc, char **argv)
{
	struct sync_opts o;
	sync_opts_defaults(&o, 0);
	struct cmd_opts op = CMD_OPTS_INIT;
	const char *parg = NULL;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "P:")) > 0)
		parg = op.arg;
	if (c < 0)
		return EXIT_USAGE;
	if (op.ind >= argc)
		return cmd_usage_error("synconly", "no filesystem specified for synconly");
	int parallel = sync_parallel("synconly", parg);
	if (parallel < 0)
		return EXIT_USAGE;
	return sync_many("synconly", argv + op.ind, argc - op.ind, &o, parallel);
}
