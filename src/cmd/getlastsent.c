/*
 * getlastsent FS: prints the full name of FS's last sent zrep snapshot
 * (the highest-numbered snapshot of FS itself carrying a local TAG:sent)
 * and a newline; an empty line when none was sent (reference §1.10).
 */
#include <stdio.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../zfs.h"
#include "../zrepfs.h"

int cmd_getlastsent(int argc, char **argv)
{
	struct zsnaps snaps;
	int bad = cmd_one_fs_snaps("getlastsent", argc, argv, &snaps);
	if (bad)
		return bad;
	const struct zsnap *last = zsnaps_last_sent(&snaps);
	printf("%s\n", last ? last->name : "");
	zsnaps_free(&snaps);
	return EXIT_OK;
}
