/* synconly: push the newest existing zrep snapshot (pair of snaponly). */
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../syncfs.h"

/* cmd/sync.c */
int sync_many(const char *cmdname, char **list, int n, const struct sync_opts *o);
void sync_opts_defaults(struct sync_opts *o, int make_snapshot);

int cmd_synconly(int argc, char **argv)
{
	struct sync_opts o;
	sync_opts_defaults(&o, 0);
	if (argc < 2)
		return cmd_usage_error("synconly", "no filesystem specified for synconly");
	if (argv[1][0] == '-')
		return cmd_usage_error("synconly", "synconly takes no options (use ZREP_FORCE, ZREP_VERBOSE)");
	return sync_many("synconly", argv + 1, argc - 1, &o);
}
