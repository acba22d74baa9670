/*
 * clear [-f] FS: removes this tag's zrep state from FS on this host
 * (reference §1.13): its zrep snapshots (FS's own, TAG_<hex>[_unsent]
 * only; with -R / ZREP_R=-R destroyed with -r as upstream does) and its
 * zrep bookmarks (FS#TAG_<hex>, OpenZFS), then every
 * TAG: property set locally on FS. Without -f (or ZREP_FORCE) it warns and
 * waits 10 seconds first. It refuses while a live zrep holds FS's lock and
 * holds that lock itself meanwhile. The remote side, readonly and other
 * tags are not touched. Received TAG: properties (those a master's
 * `send -p` carried) are reported, not masked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bookmark.h"
#include "../cmd.h"
#include "../config.h"
#include "../lock.h"
#include "../msg.h"
#include "../props.h"
#include "../zfs.h"
#include "../zrepfs.h"
#include "../zrepsnap.h"

#define CLEAR_DELAY 10

static int is_lock_prop(const char *prop)
{
	return str_eq(prop, P.lock_pid) || str_eq(prop, P.lock_time) || str_eq(prop, P.lock_owner);
}

static int destroy_snapshots(const char *fs)
{
	struct zsnaps snaps;
	struct zerr e = {0};
	if (zrepfs_snaps(&local_host, fs, &snaps) < 0) {
		zerr_clear(&e);
		return -1;
	}
	/* zrep's holds first (other tags' holds stay, and keep their snapshots). */
	hold_release_all(&snaps);
	/* zrep's bookmarks (TAG_<hex> after the '#'); the user's stay. */
	int rc = bookmark_destroy_all(&snaps.bms), n = 0;
	for (size_t i = 0; i < snaps.n; i++) {
		if (!snaps.v[i].is_zrep)
			continue;
		note("destroying %s%s", snaps.v[i].name, cfg.recursive ? " (recursively)" : "");
		if (zfs_destroy(&local_host, snaps.v[i].name, cfg.recursive, &e) != 0)
			rc = error("cannot destroy %s: %s", snaps.v[i].name, zerr_text(&e));
		else
			n++;
		zerr_clear(&e);
	}
	if (n == 0 && rc == 0)
		note("no %s snapshots on %s", cfg.tag, fs);
	zsnaps_free(&snaps);
	return rc;
}

static int remove_properties(const char *fs)
{
	struct zprops rows;
	struct zerr e = {0};
	char *dsv[] = {(char *)fs, NULL};
	if (zfs_get_own_props(&local_host, "all", dsv, &rows, &e) != 0) {
		error("cannot read the properties of %s: %s", fs, zerr_text(&e));
		zerr_clear(&e);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < rows.n; i++) {
		const struct zprop *r = &rows.v[i];
		if (strcmp(r->name, fs) != 0 || !str_starts(r->prop, P.prefix) || is_lock_prop(r->prop))
			continue;
		/* zfs inherit also masks a received value (as the shell zrep does),
		 * so a cleared destination is no longer listed as a zrep fs. */
		if (r->src != ZSRC_LOCAL && r->src != ZSRC_RECEIVED)
			continue;
		note("removing %s from %s%s", r->prop, fs, r->src == ZSRC_RECEIVED ? " (received)" : "");
		if (zfs_inherit(&local_host, r->prop, fs, &e) != 0)
			rc = error("cannot remove %s from %s: %s", r->prop, fs, zerr_text(&e));
		zerr_clear(&e);
	}
	zprops_free(&rows);
	return rc;
}

int cmd_clear(int argc, char **argv)
{
	int force = cfg.force;
	struct cmd_opts op = CMD_OPTS_INIT;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "f")) > 0)
		force = 1;
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (i >= argc)
		return cmd_usage_error("clear", "clear needs a filesystem");
	if (argc - i > 1)
		return cmd_usage_error("clear", "clear takes one filesystem");
	const char *fs = argv[i];
	if (check_dsname(fs, 0) < 0)
		return EXIT_USAGE;
	struct fsinfo fi;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return EXIT_FAIL;
	fsinfo_free(&fi);

	int r = fslock_acquire(fs, 0);
	if (r != 0) {
		if (r > 0)
			error("not clearing %s while another zrep works on it", fs);
		return r > 0 ? EXIT_TEMPFAIL : EXIT_FAIL;
	}
	warn("removing all zrep configuration and snapshots (tag %s) from %s", cfg.tag, fs);
	if (!force) {
		note_err("continuing in %d seconds (interrupt to abort, or use clear -f)", CLEAR_DELAY);
		if (sleep_interruptible(CLEAR_DELAY) < 0) {
			fslock_release(fs);
			return EXIT_FAIL;
		}
	}
	int rc = EXIT_OK;
	if (destroy_snapshots(fs) < 0)
		rc = EXIT_FAIL;
	if (remove_properties(fs) < 0)
		rc = EXIT_FAIL;
	fslock_release(fs);
	if (rc == EXIT_OK)
		note("cleared %s", fs);
	return rc;
}
