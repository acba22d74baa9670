/*
 * common: what several commands share on their command line: one option
 * parser (getopt-style; each command owns its synopsis in main.c's table),
 * the "FS... | all" list, and "FS[@SNAP] [REMOTEHOST]" with the partner
 * lookup that failover and takeover both make.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../msg.h"
#include "../props.h"
#include "../snapname.h"

/* argv[st->ind] is "--NAME[=VALUE]". */
static int long_opt(struct cmd_opts *st, int argc, char **argv)
{
	const char *w = argv[st->ind++] + 2;
	const char *eq = strchr(w, '=');
	size_t n = eq ? (size_t)(eq - w) : strlen(w);
	for (size_t k = 0; st->longs && st->longs[k]; k++) {
		const char *l = st->longs[k];
		size_t ln = strcspn(l, "=");
		if (ln != n || strncmp(l, w, n) != 0)
			continue;
		int takes = l[ln] == '=';
		if (!takes && eq) {
			cmd_usage_error(argv[0], "%s: option --%.*s takes no value", argv[0], (int)n, w);
			return -1;
		}
		if (takes) {
			if (eq)
				st->arg = eq + 1;
			else if (st->ind < argc)
				st->arg = argv[st->ind++];
			if (!st->arg || !*st->arg) {
				cmd_usage_error(argv[0], "%s: option --%.*s needs a value", argv[0], (int)n,
				                w);
				return -1;
			}
		}
		return CMD_LONG((int)k);
	}
	cmd_usage_error(argv[0], "%s: unknown option --%.*s", argv[0], (int)n, w);
	return -1;
}

int cmd_getopt(struct cmd_opts *st, int argc, char **argv, const char *spec)
{
	if (st->ind == 0) {
		st->ind = 1;
		st->next = NULL;
	}
	st->arg = NULL;
	if (!st->next || !*st->next) {
		if (st->ind >= argc)
			return 0;
		const char *w = argv[st->ind];
		if (w[0] != '-' || w[1] == '\0')
			return 0;
		if (strcmp(w, "--") == 0) {
			st->ind++;
			return 0;
		}
		if (w[1] == '-')
			return long_opt(st, argc, argv);
		st->next = w + 1;
		st->ind++;
	}
	char c = *st->next++;
	const char *s = c != ':' ? strchr(spec, c) : NULL;
	if (!s || c == '-') {
		cmd_usage_error(argv[0], "%s: unknown option -%c", argv[0], c == '-' ? '-' : c);
		return -1;
	}
	if (s[1] == ':') {
		if (*st->next) {
			st->arg = st->next;
		} else if (st->ind < argc) {
			st->arg = argv[st->ind++];
		} else {
			cmd_usage_error(argv[0], "%s: option -%c needs a value", argv[0], c);
			return -1;
		}
		st->next = NULL;
	}
	return c;
}

int cmd_one_fs_snaps(const char *cmdname, int argc, char **argv, struct zsnaps *snaps)
{
	int bad = cmd_one_fs(cmdname, argc, argv);
	if (bad)
		return bad;
	return zrepfs_snaps(&local_host, argv[1], snaps) < 0 ? EXIT_FAIL : 0;
}

int cmd_fs_list(const char *cmdname, char **list, int n, int all_masters, int empty_masters, struct strv *fss)
{
	if (n == 0 && empty_masters >= 0)
		return zrepfs_list(fss, empty_masters) < 0 ? EXIT_FAIL : 0;
	if (n == 0)
		return cmd_usage_error(cmdname, "no filesystem specified for %s", cmdname);
	if (strcmp(list[0], "all") == 0) {
		if (n != 1)
			return cmd_usage_error(cmdname, "%s all takes no other arguments", cmdname);
		return zrepfs_list(fss, all_masters) < 0 ? EXIT_FAIL : 0;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i], "all") == 0)
			return cmd_usage_error(cmdname, "%s takes FS... or all", cmdname);
		if (check_dsname(list[i], 0) < 0)
			return EXIT_USAGE;
		strv_push(fss, list[i]);
	}
	return 0;
}

int cmd_fs_target(const char *cmdname, int argc, char **argv, int ind, struct fs_target *t)
{
	memset(t, 0, sizeof(*t));
	if (ind >= argc)
		return cmd_usage_error(cmdname, "%s needs a filesystem", cmdname);
	if (argc - ind > 2)
		return cmd_usage_error(cmdname,
		                       "%s takes FS[@SNAP] and an optional REMOTEHOST, not %d arguments",
		                       cmdname, argc - ind);
	t->arg = argv[ind];
	t->rhost_arg = ind + 1 < argc ? argv[ind + 1] : NULL;
	if (check_dsname(t->arg, 1) < 0)
		return EXIT_USAGE;
	const char *at = strchr(t->arg, '@');
	if (at) {
		struct snapname sn;
		t->snap = at + 1;
		if (snapname_parse(t->snap, cfg.tag, &sn) < 0 || sn.unsent) {
			error("%s is not a zrep snapshot of tag %s; nothing was changed", t->arg, cfg.tag);
			return EXIT_USAGE;
		}
	}
	if (t->rhost_arg) {
		struct host h;
		if (host_init(&h, t->rhost_arg) < 0)
			return EXIT_USAGE;
		host_release(&h);
	}
	t->fs = at ? xstrndup(t->arg, (size_t)(at - t->arg)) : xstrdup(t->arg);
	return 0;
}

void fs_target_free(struct fs_target *t)
{
	free(t->fs);
	t->fs = NULL;
}

int cmd_partner(const struct fs_target *t, const struct fsinfo *fi, int dest_side, struct role_props *rp,
                const char **pfs, struct host *ph)
{
	const char *phost;
	role_props_from(fi, rp);
	if (role_partner(rp, t->fs, host_local_name(), dest_side, pfs, &phost) < 0)
		return error("%s: cannot tell its partner from its %s properties", t->fs, P.prefix);
	if (t->rhost_arg)
		phost = t->rhost_arg;
	if (host_init(ph, phost) < 0 || check_dsname(*pfs, 0) < 0)
		return error("%s: refusing the partner %s:%s found in its properties", t->fs, phost, *pfs);
	return 0;
}
