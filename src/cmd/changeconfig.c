/*
 * changeconfig: rewrites the TAG: configuration of an existing filesystem
 * on this host (reference §1.14, §1.15), e.g. to adopt a replica made by
 * hand (then `sentsync`).
 *
 *   changeconfig [-f] SRCFS DESTHOST DESTFS      on the master side
 *   changeconfig [-f] -d DESTFS SRCHOST SRCFS    on the destination side
 *
 * Sets src-fs, src-host, dest-fs and dest-host on the local filesystem.
 * Upstream also reset TAG:savecount to ZREP_SAVE_COUNT; here an existing
 * savecount is kept and ZREP_SAVE_COUNT is written only when none is set.
 * Without -f the local filesystem must already have a zrep snapshot. It
 * never touches TAG:master, the remote side or snapshots. Every argument
 * is checked before anything is changed.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../host.h"
#include "../msg.h"
#include "../props.h"
#include "../zfs.h"
#include "../zrepfs.h"

int cmd_changeconfig(int argc, char **argv)
{
	int force = 0, dest_side = 0;
	struct cmd_opts op = CMD_OPTS_INIT;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "fd")) > 0) {
		if (c == 'f')
			force = 1;
		else
			dest_side = 1;
	}
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (argc - i != 3)
		return cmd_usage_error("changeconfig", "changeconfig needs %s",
		                       dest_side ? "DESTFS SRCHOST SRCFS" : "SRCFS DESTHOST DESTFS");
	const char *fs = argv[i], *hostname = argv[i + 1], *other = argv[i + 2];
	if (check_dsname(fs, 0) < 0 || check_dsname(other, 0) < 0)
		return EXIT_USAGE;
	struct host h;
	if (host_init(&h, hostname) < 0)
		return EXIT_USAGE;
	host_release(&h);

	struct fsinfo fi;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return EXIT_FAIL;
	int rc = EXIT_FAIL;
	struct zerr e = {0};
	if (!force) {
		struct zsnaps snaps;
		if (zrepfs_snaps(&local_host, fs, &snaps) < 0) {
			goto out;
		}
		int have = zsnaps_newest(&snaps, 0) != NULL;
		zsnaps_free(&snaps);
		if (!have) {
			error("%s has no %s snapshots, so it is not initialised for zrep: use zrep init "
			      "instead, "
			      "or changeconfig -f to adopt a replica made by hand",
			      fs, cfg.tag);
			goto out;
		}
	}
	long long sc = 0;
	if (!fi.savecount && (parse_ll(cfg.save_count, &sc) < 0 || sc < 1)) {
		error("ZREP_SAVE_COUNT must be a whole number >= 1, not: %s", cfg.save_count);
		goto out;
	}
	if (!dest_side && !strchr(other, '/'))
		warn("%s is a whole pool: syncs will replicate into its root dataset", other);

	const char *src_fs = dest_side ? other : fs;
	const char *src_host = dest_side ? hostname : host_local_name();
	const char *dest_fs = dest_side ? fs : other;
	const char *dest_host = dest_side ? host_local_name() : hostname;
	const char *props[][2] = {
	    {P.src_fs, src_fs},
	    {P.src_host, src_host},
	    {P.dest_fs, dest_fs},
	    {P.dest_host, dest_host},
	    {P.savecount, fi.savecount ? NULL : cfg.save_count},
	};
	note("setting zrep properties on %s", fs);
	for (size_t k = 0; k < ARRAY_SIZE(props); k++) {
		if (!props[k][1])
			continue;
		if (zfs_set(&local_host, fs, props[k][0], props[k][1], &e) != 0) {
			error("cannot set %s=%s on %s: %s", props[k][0], props[k][1], fs, zerr_text(&e));
			if (k > 0)
				error("the configuration of %s is now incomplete; run changeconfig again",
				      fs);
			goto out;
		}
		zerr_clear(&e);
	}
	if (fi.savecount)
		note("keeping %s=%s", P.savecount, fi.savecount);
	rc = EXIT_OK;
out:
	zerr_clear(&e);
	fsinfo_free(&fi);
	return rc;
}
