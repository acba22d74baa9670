/*
 * _refreshpull SNAP [TOKEN]: internal; the source side of `refresh`, run
 * over ssh by the destination (reference §1.5). Its stdout IS the zfs
 * stream, so every message goes to stderr and it refuses a terminal.
 *
 * Under the fs lock: this host must be the master (TAG:master=yes, src-host
 * this host); SNAP must be the newest zrep snapshot of the fs (the one
 * `snaponly` just made); the stream is incremental from the last snapshot
 * marked sent. With TOKEN, the partial receive it names is resumed
 * instead. Nothing is marked sent here: the destination asks for that
 * with `_refreshcomplete` once its receive has succeeded.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cmd.h"
#include "../config.h"
#include "../lock.h"
#include "../msg.h"
#include "../props.h"
#include "../zfs.h"
#include "../zrepfs.h"

static int pull_send(const char *fs, const char *snap, const char *token)
{
	struct fsinfo fi;
	struct zsnaps s = {0};
	struct zerr e = {0};
	int rc = EXIT_FAIL;
	if (fsinfo_read(&local_host, fs, &fi) < 0)
		return EXIT_FAIL;
	if (!fsinfo_is_master(&fi) || !str_eq(fi.src_host, host_local_name())) {
		error("_refreshpull: %s is not master on this host (%s); refusing to send", fs,
		      host_local_name());
		goto out;
	}
	if (fslock_acquire(fs, 0) != 0) {
		error("_refreshpull: cannot lock %s", fs);
		goto out;
	}
	struct send_opts so = {.inc_flag = cfg.inc_flag, .recursive = cfg.recursive, .verbose = cfg.verbose};
	if (token) {
		/* The token must continue SNAP itself: by name and by guid (the send follows its guid). */
		char *tn = NULL, *tg = NULL, *g = NULL;
		int ok = zfs_token_info(&local_host, token, &tn, &tg, &e) == 0 &&
		         zfs_get_one(&local_host, "guid", snap, 0, &g, &e) == 0 && str_eq(tn, snap) &&
		         str_eq(tg, g);
		if (!ok)
			error("_refreshpull: the resume token is for %s (guid %s), not %s (guid %s); "
			      "refusing to send",
			      tn ? tn : "an unreadable snapshot", tg ? tg : "?", snap, g ? g : "?");
		free(tn);
		free(tg);
		free(g);
		if (!ok)
			goto unlock;
		so.token = token;
		so.extra = cfg.resume_flags;
	} else {
		if (zrepfs_snaps(&local_host, fs, &s) < 0) {
			goto unlock;
		}
		const struct zsnap *base = zsnaps_last_sent(&s);
		const struct zsnap *newest = zsnaps_newest(&s, 1);
		if (!base) {
			error("_refreshpull: %s has no snapshot marked sent to send from", fs);
			goto unlock;
		}
		if (!newest || strcmp(newest->name, snap) != 0) {
			error("_refreshpull: %s is not the newest zrep snapshot of %s (that is %s)", snap, fs,
			      newest ? newest->name : "none");
			goto unlock;
		}
		if (strcmp(base->name, snap) == 0) {
			error("_refreshpull: %s is already marked sent", snap);
			goto unlock;
		}
		so.from = base->name;
		so.snap = snap;
		so.extra = cfg.send_flags;
	}
	struct strv sv = STRV_INIT;
	zfs_argv_send(&sv, &so);
	struct proc p;
	proc_init(&p, sv.v);
	p.out = EXEC_INHERIT; /* the stream */
	p.err = EXEC_INHERIT;
	int st = exec_run(&p);
	if (st != 0) {
		char b[64];
		error("_refreshpull: zfs send of %s failed (%s)", snap, exec_status_str(st, b, sizeof(b)));
	} else {
		rc = EXIT_OK;
	}
	proc_release(&p);
	strv_clear(&sv);
unlock:
	fslock_release(fs);
out:
	zsnaps_free(&s);
	zerr_clear(&e);
	fsinfo_free(&fi);
	return rc;
}

int cmd_refreshpull(int argc, char **argv)
{
	msg_notes_to_stderr = 1;
	if (argc < 2 || argc > 3)
		return cmd_usage_error("_refreshpull",
		                       "_refreshpull needs a snapshot and an optional resume token");
	const char *snap = argv[1];
	const char *token = argc == 3 && *argv[2] ? argv[2] : NULL;
	struct snapname sn;
	size_t fl;
	if (check_dsname(snap, 1) < 0)
		return EXIT_USAGE;
	if (!strchr(snap, '@') || snapname_parse_full(snap, cfg.tag, &sn, &fl) < 0 || sn.unsent) {
		error("_refreshpull: not a zrep snapshot of tag %s: %s", cfg.tag, snap);
		return EXIT_USAGE;
	}
	if (isatty(STDOUT_FILENO)) {
		error("_refreshpull writes a zfs stream; refusing to write it to a terminal");
		return EXIT_FAIL;
	}
	char *fs = xstrndup(snap, fl);
	int rc = pull_send(fs, snap, token);
	free(fs);
	return rc;
}
