/*
 * list: the zrep filesystems of this host (reference §1.9).
 *
 *   list [FS...]     names of zrep filesystems (TAG:dest-fs set locally or
 *                    received: masters and destinations), one per line
 *   list -L [FS...]  local masters only (TAG:master set here and
 *                    TAG:src-host is this host)
 *   list -v [FS...]  per filesystem: "FS:", then "property<TAB>value" for
 *                    every property set locally or received, then
 *                    "last snapshot synced: SNAP" (and an empty line when
 *                    listing all)
 *   list -s [FS...]  `zfs list -r -t snapshot -o name,creation FS` (header
 *                    included) for each FS; default: the local masters
 *
 * Every FS argument must be an existing filesystem or volume; they are all
 * checked before anything is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../props.h"
#include "../zfs.h"
#include "../zrepfs.h"

static int in_list(const struct strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static int list_verbose(const char *fs, int all)
{
	struct zprops rows;
	struct zerr e = {0};
	char *dsv[] = {(char *)fs, NULL};
	if (zfs_get_own_props_display(&local_host, "all", dsv, &rows, &e) != 0) {
		error("cannot read the properties of %s: %s", fs, zerr_text(&e));
		zerr_clear(&e);
		return -1;
	}
	struct zsnaps snaps;
	if (zrepfs_snaps(&local_host, fs, &snaps) < 0) {
		zerr_clear(&e);
		zprops_free(&rows);
		return -1;
	}
	printf("%s:\n", fs);
	for (size_t i = 0; i < rows.n; i++)
		if (strcmp(rows.v[i].name, fs) == 0)
			printf("%s\t%s\n", rows.v[i].prop, rows.v[i].value);
	const struct zsnap *last = zsnaps_last_sent(&snaps);
	printf("last snapshot synced: %s\n", last ? last->name : "");
	if (all)
		putchar('\n');
	fflush(stdout);
	zsnaps_free(&snaps);
	zprops_free(&rows);
	return 0;
}

static int list_snaps(const char *fs)
{
	struct strbuf out = STRBUF_INIT;
	struct zerr e = {0};
	int rc = 0;
	if (zfs_snap_table(&local_host, fs, &out, &e) != 0)
		rc = error("cannot list the snapshots of %s: %s", fs, zerr_text(&e));
	else if (out.len == 0)
		note_err("zrep: %s has no snapshots", fs);
	else
		fputs(sb_str(&out), stdout);
	fflush(stdout);
	sb_release(&out);
	zerr_clear(&e);
	return rc;
}

int cmd_list(int argc, char **argv)
{
	char mode = 0;
	struct cmd_opts op = CMD_OPTS_INIT;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "vLs")) > 0) {
		if (mode)
			return cmd_usage_error("list",
			                       "use only one of -v, -L and -s, before the filesystems");
		mode = (char)c;
	}
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	for (int k = i; k < argc; k++) {
		const char *a = argv[k];
		if (strcmp(a, "-v") == 0 || strcmp(a, "-L") == 0 || strcmp(a, "-s") == 0)
			return cmd_usage_error("list",
			                       "use only one of -v, -L and -s, before the filesystems");
		if (check_dsname(a, 1) < 0)
			return EXIT_USAGE;
	}
	/* Every argument must be a filesystem or volume, before any output. */
	for (int k = i; k < argc; k++) {
		struct zerr e = {0};
		int r = zfs_exists_fs(&local_host, argv[k], &e);
		if (r != 1) {
			if (r < 0 && e.kind != ZE_OTHER)
				error("expecting filesystem, but got %s (%s)", argv[k], zerr_text(&e));
			else
				error("expecting filesystem, but got %s", argv[k]);
			zerr_clear(&e);
			return EXIT_FAIL;
		}
		zerr_clear(&e);
	}

	int all = i >= argc;
	int rc = EXIT_OK;
	struct strv known = STRV_INIT, todo = STRV_INIT;
	switch (mode) {
	case 0:
	case 'L':
		if (zrepfs_list(&known, mode == 'L') < 0) {
			rc = EXIT_FAIL;
			break;
		}
		if (all) {
			for (size_t k = 0; k < known.n; k++)
				printf("%s\n", known.v[k]);
		} else {
			for (int k = i; k < argc; k++)
				if (in_list(&known, argv[k]))
					printf("%s\n", argv[k]);
		}
		break;
	case 'v':
	case 's':
		if (!all)
			strv_pushv(&todo, argv + i);
		else if (zrepfs_list(&todo, mode == 's') < 0) {
			rc = EXIT_FAIL;
			break;
		}
		if (all && mode == 's' && todo.n == 0) {
			note_err("zrep: no zrep master filesystems found");
			break;
		}
		for (size_t k = 0; k < todo.n; k++) {
			int r = mode == 'v' ? list_verbose(todo.v[k], all) : list_snaps(todo.v[k]);
			if (r < 0)
				rc = EXIT_FAIL;
		}
		break;
	}
	fflush(stdout);
	strv_clear(&known);
	strv_clear(&todo);
	return rc;
}
