/*
 * setlastsent: upstream's placeholder. Says where to look and fails.
 */
#include "../cmd.h"
#include "../msg.h"

int cmd_setlastsent(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("setlastsent does nothing; to mark a snapshot as the last sent one use: zrep sentsync [-L] "
	      "FS@SNAP");
	return EXIT_FAIL;
}
