/*
 * uptodate FS: the exit status says whether FS holds data that was not
 * sent yet (reference §1.12). 0: nothing was written since the last *sent*
 * zrep snapshot; 1: something was, or nothing was ever sent; 2: cannot tell
 * (the zfs here has no `written` property, e.g. zfs-fuse). Upstream read
 * plain `written`, which counts from the newest snapshot of any kind; this
 * reads written@LASTSENT. Nothing is printed on stdout.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../zfs.h"
#include "../zrepfs.h"

/* Named for what it means here; it has the value of EXIT_USAGE. */
#define EXIT_CANNOT_TELL 2

int cmd_uptodate(int argc, char **argv)
{
	struct zsnaps snaps;
	int bad = cmd_one_fs_snaps("uptodate", argc, argv, &snaps);
	if (bad)
		return bad;
	const char *fs = argv[1];
	const struct zsnap *last = zsnaps_last_sent(&snaps);
	if (!last) {
		error("%s is not up to date: no snapshot of it was ever sent", fs);
		zsnaps_free(&snaps);
		return EXIT_FAIL;
	}
	char *snap = xstrdup(last->snap);
	char *prop = xasprintf("written@%s", snap);
	zsnaps_free(&snaps);
	char *val = NULL;
	int rc;
	struct zerr e = {0};
	if (zfs_get_written_since(&local_host, fs, snap, &val, &e) != 0) {
		if (e.kind == ZE_NOTSUP)
			error("cannot tell: the zfs on this host has no 'written' property");
		else
			error("cannot tell: cannot read %s of %s: %s", prop, fs, zerr_text(&e));
		rc = EXIT_CANNOT_TELL;
	} else {
		unsigned long long n;
		if (!val || parse_ull(val, &n) < 0) {
			error("cannot tell: %s of %s is %s", prop, fs, val ? val : "unset");
			rc = EXIT_CANNOT_TELL;
		} else {
			rc = n == 0 ? EXIT_OK : EXIT_FAIL;
		}
	}
	free(val);
	free(prop);
	free(snap);
	zerr_clear(&e);
	return rc;
}
