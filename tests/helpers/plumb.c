/*
 * zrep-plumb: a test helper that drives the exec, host and zfs layers
 * directly (no zrep command logic), for the plumbing integration test.
 *
 *   zrep-plumb snapsend SRCFS SNAP DESTHOST DESTFS
 *       zfs snapshot SRCFS@SNAP, then zfs send | (ssh DESTHOST) zfs receive
 *       DESTFS, built from argv by the zfs/host layers. On failure prints
 *       "blamed: STAGE: STDERR" for the stage the pipeline blames; exit 1.
 *   zrep-plumb features HOST     prints the detected zfs features.
 *   zrep-plumb config-vars       prints config_vars, the variables zrep
 *       reads (one a line), for the man page test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "exec.h"
#include "host.h"
#include "msg.h"
#include "zfs.h"

static int snapsend(const char *fs, const char *snap, const char *desthost, const char *destfs)
{
	struct host local, dest;
	host_init(&local, "localhost");
	if (host_init(&dest, desthost) < 0) {
		host_release(&local);
		return 2;
	}
	char *full = xasprintf("%s@%s", fs, snap);
	struct zerr e = {0};
	int rc = 0;
	if (zfs_snapshot(&local, full, 0, &e) != 0) {
		fprintf(stderr, "snapshot failed: %s\n", zerr_text(&e));
		zerr_clear(&e);
		free(full);
		host_release(&local);
		host_release(&dest);
		return 1;
	}
	struct strv send = STRV_INIT, recv = STRV_INIT, rrecv = STRV_INIT;
	struct send_opts so = {.snap = full};
	zfs_argv_send(&send, &so);
	struct recv_opts ro = {.target = destfs};
	zfs_argv_recv(&recv, &ro);
	host_build_argv(&dest, recv.v, &rrecv);
	struct proc st[2];
	proc_init(&st[0], send.v);
	proc_init(&st[1], rrecv.v);
	int blame = exec_pipeline(st, 2);
	if (blame >= 0) {
		struct zerr be = {0};
		zerr_set(&be, st[blame].status, sb_str(&st[blame].err_buf), blame == 1 && !dest.local);
		printf("blamed: %s: %s: %s\n", blame == 0 ? "send" : "receive", zerr_kind_str(be.kind),
		       zerr_text(&be));
		zerr_clear(&be);
		rc = 1;
	} else {
		printf("sent %s to %s:%s\n", full, desthost, destfs);
	}
	proc_release(&st[0]);
	proc_release(&st[1]);
	strv_clear(&send);
	strv_clear(&recv);
	strv_clear(&rrecv);
	free(full);
	host_release(&local);
	host_release(&dest);
	return rc;
}

int main(int argc, char **argv)
{
	host_set_ssh(getenv("SSH"));
	if (argc == 6 && strcmp(argv[1], "snapsend") == 0)
		return snapsend(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 3 && strcmp(argv[1], "features") == 0) {
		struct host h;
		if (host_init(&h, argv[2]) < 0)
			return 2;
		const struct zfs_features *f = zfs_features(&h);
		printf("recv_u=%d recv_o=%d resume=%d bookmarks=%d holds=%d depth=%d snapprops=%d\n",
		       f->recv_u, f->recv_o, f->recv_s, f->bookmarks, f->holds, f->depth, f->snapprops);
		host_release(&h);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "config-vars") == 0) {
		for (size_t i = 0; i < config_nvars; i++)
			puts(config_vars[i]);
		return 0;
	}
	fprintf(stderr,
	        "usage: zrep-plumb snapsend SRCFS SNAP DESTHOST DESTFS | features HOST | config-vars\n");
	return 2;
}
