/* synconly: push the newest existing zrep snapshot (pair of snaponly). */
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../syncfs.h"

int sync_many(const char *cmdname, char **list, int n, const struct sync_opts *o);

int cmd_synconly(int argc, char **argv)
{
	struct sync_opts o = { .make_snapshot = 0, .force = cfg.force };
	if (argc < 2)
		return cmd_usage_error("synconly", "no filesystem specified for synconly");
	if (argv[1][0] == '-')
		return cmd_usage_error("synconly", "synconly takes no options (use ZREP_FORCE, ZREP_VERBOSE)");
	if (strcmp(argv[1], "all") == 0 && argc != 2)
		return cmd_usage_error("synconly", "synconly all takes no other arguments");
	return sync_many("synconly", argv + 1, argc - 1, &o);
}
