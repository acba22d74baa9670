/*
 * snaponly: make the next zrep snapshot and print its name, one per line
 * (the reference printed names with no separator). Its stdout is parsed by
 * refresh on the other host, so every other message goes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../lock.h"
#include "../msg.h"
#include "../zrepsnap.h"

static int snap_one(const char *fs)
{
	struct fsinfo fi;
	struct zsnaps s = {0};
	struct zerr e = {0};
	int rc = -1;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return -1;
	if (!fsinfo_is_configured(&fi)) {
		error("%s is not a zrep filesystem", fs);
		fsinfo_free(&fi);
		return -1;
	}
	if (fslock_acquire(fs, 0) != 0) {
		error("snaponly failed for %s: cannot get lock", fs);
		fsinfo_free(&fi);
		return -1;
	}
	if (zrepfs_snaps(&local_host, fs, &s) < 0) {
	} else {
		char *name = makesnap(&fi, &s);
		if (name) {
			printf("%s\n", name);
			fflush(stdout);
			free(name);
			rc = 0;
		}
	}
	fslock_release(fs);
	zsnaps_free(&s);
	zerr_clear(&e);
	fsinfo_free(&fi);
	return rc;
}

int cmd_snaponly(int argc, char **argv)
{
	msg_notes_to_stderr = 1;
	struct strv fss = STRV_INIT;
	int bad = cmd_fs_list("snaponly", argv + 1, argc - 1, 1, -1, &fss);
	if (bad) {
		strv_clear(&fss);
		return bad;
	}
	int failed = 0;
	for (size_t i = 0; i < fss.n; i++)
		if (snap_one(fss.v[i]) < 0)
			failed++;
	strv_clear(&fss);
	return failed ? EXIT_FAIL : EXIT_OK;
}
