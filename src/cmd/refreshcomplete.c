/*
 * _refreshcomplete SNAP TAG:sent=VALUE: internal; the destination of a
 * `refresh` (pull) runs it over ssh on the source once the receive has
 * succeeded, to mark the source snapshot sent (reference §1.5, §8.2).
 *
 * Upstream set any property on any dataset for any caller (§9.2.13). This
 * accepts only the property TAG:sent with a decimal time, on a zrep
 * snapshot of a filesystem configured for this tag whose src-host is this
 * host; anything else is refused and nothing is changed.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../host.h"
#include "../msg.h"
#include "../props.h"
#include "../snapname.h"
#include "../zfs.h"
#include "../zrepfs.h"
#include "../zrepsnap.h"

int cmd_refreshcomplete(int argc, char **argv)
{
	if (argc != 3)
		return cmd_usage_error("_refreshcomplete", "_refreshcomplete needs a snapshot and %s=TIME",
		                       P.sent);
	const char *snap = argv[1], *assign = argv[2];
	if (check_dsname(snap, 1) < 0)
		return EXIT_FAIL;
	struct snapname sn;
	size_t fl;
	if (!strchr(snap, '@') || snapname_parse_full(snap, cfg.tag, &sn, &fl) < 0 || sn.unsent) {
		error("_refreshcomplete: not a sent-able zrep snapshot name: %s", snap);
		return EXIT_FAIL;
	}
	const char *eq = strchr(assign, '=');
	size_t pl = eq ? (size_t)(eq - assign) : 0;
	if (!eq || pl != strlen(P.sent) || strncmp(assign, P.sent, pl) != 0) {
		error("_refreshcomplete: only %s may be set, not: %s", P.sent, assign);
		return EXIT_FAIL;
	}
	unsigned long long t;
	if (parse_ull(eq + 1, &t) < 0) {
		error("_refreshcomplete: %s must be a decimal time, not: %s", P.sent, eq + 1);
		return EXIT_FAIL;
	}
	char *fs = xstrndup(snap, fl);
	struct fsinfo fi;
	int rc = EXIT_FAIL;
	if (fsinfo_read(&local_host, fs, &fi) < 0) {
		free(fs);
		return EXIT_FAIL;
	}
	if (!fsinfo_is_configured(&fi)) {
		error("_refreshcomplete: %s is not a zrep filesystem", fs);
	} else if (!str_eq(fi.src_host, host_local_name())) {
		error("_refreshcomplete: %s is not sourced from this host (%s is %s, this host is %s)", fs,
		      P.src_host, fi.src_host ? fi.src_host : "unset", host_local_name());
	} else {
		struct zerr e = {0};
		if (zfs_set(&local_host, snap, P.sent, eq + 1, &e) != 0) {
			error("cannot set %s on %s: %s", P.sent, snap, zerr_text(&e));
		} else {
			rc = EXIT_OK;
			/* zrep's hold moves to the snapshot the hub now holds too. */
			struct zsnaps s;
			if (zrepfs_list_snaps(&local_host, fs, cfg.tag, &s, &e) == 0) {
				hold_move(&s, snap);
				zsnaps_free(&s);
			}
		}
		zerr_clear(&e);
	}
	fsinfo_free(&fi);
	free(fs);
	return rc;
}
