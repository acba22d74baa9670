/*
 * allow: zfs delegation for running zrep as an unprivileged user.
 *
 *   allow --print [-u USER] SRCFS DESTHOST DESTFS
 *       prints the `zfs allow` commands for each host (the sets in
 *       allow.h); asks DESTHOST's zfs (one connection) whether it has
 *       receive:append.
 *   allow --check [-u USER] SRCFS DESTHOST DESTFS | allow --check [-u USER] FS
 *       reads `zfs allow` on both hosts (here, and one connection to the
 *       destination) and says, per host, what USER still lacks, with the
 *       command that grants it. FS: a master here, its destination from its
 *       properties. Exit 0 when nothing is missing, 1 otherwise.
 *
 * USER defaults to the user running zrep. Nothing is changed anywhere.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../allow.h"
#include "../cmd.h"
#include "../exec.h"
#include "../msg.h"
#include "../props.h"
#include "../remote.h"
#include "../zrepfs.h"

struct dest_answer {
	int has_append;
	char *target; /* dataset whose permissions were read */
	char *allow;  /* its `zfs allow` output */
	int allow_ok;
};

static int ask_dest(const struct host *dh, const char *destfs, int check, struct dest_answer *a)
{
	memset(a, 0, sizeof(*a));
	char *parent = allow_parent(destfs);
	struct remote_call c;
	remote_allow_call(&c, check ? destfs : NULL, parent ? parent : destfs);
	struct remote_reply r;
	int st = remote_run(dh, &c, EXEC_CAPTURE, &r);
	remote_call_free(&c);
	const char *out = sb_str(&r.out);
	const char *ue = strstr(out, "ZREP-USAGE-END\n");
	int rc = 0;
	if (!ue) {
		char b[64];
		rc = error("cannot reach %s: %s", dh->name,
		           *sb_str(&r.err) ? sb_str(&r.err) : exec_status_str(st, b, sizeof(b)));
	} else {
		char *usage = xstrndup(out, (size_t)(ue - out));
		a->has_append = allow_usage_has_append(usage);
		free(usage);
		const char *tg = strstr(ue, "ZREP-TARGET ");
		const char *ae = tg ? strstr(tg, "ZREP-ALLOW-END ") : NULL;
		if (check && tg && ae) {
			tg += strlen("ZREP-TARGET ");
			const char *nl = strchr(tg, '\n');
			a->target = xstrndup(tg, (size_t)(nl - tg));
			a->allow = xstrndup(nl + 1, (size_t)(ae - nl - 1));
			a->allow_ok = strncmp(ae, "ZREP-ALLOW-END 0", 16) == 0;
		} else if (check) {
			rc = error("no answer from %s about the permissions of %s", dh->name, destfs);
		}
	}
	free(parent);
	remote_reply_free(&r);
	return rc;
}

static void print_cmd(const char *user, const char *perms, const char *ds)
{
	struct strbuf sb = STRBUF_INIT;
	char *argv[] = {(char *)"zfs", (char *)"allow", (char *)"-u", (char *)user,
	                (char *)perms, (char *)ds,      NULL};
	sh_join(&sb, argv);
	printf("%s\n", sb_str(&sb));
	sb_release(&sb);
}

/* Checks one host's permissions: prints the verdict; returns 1 when something is missing. */
static int check_one(const char *hostname, const char *ds, const char *role, const char *text,
                     const char *user, const char *need)
{
	struct strv have = STRV_INIT, missing = STRV_INIT;
	allow_parse(text, ds, user, &have);
	allow_missing(need, &have, &missing);
	int bad = missing.n > 0;
	if (!bad) {
		printf("%s %s (%s): ok for %s\n", hostname, ds, role, user);
	} else {
		struct strbuf m = STRBUF_INIT;
		for (size_t i = 0; i < missing.n; i++)
			sb_addf(&m, "%s%s", i ? "," : "", missing.v[i]);
		printf("%s %s (%s): %s lacks %s; on %s run:\n  ", hostname, ds, role, user, sb_str(&m),
		       hostname);
		print_cmd(user, sb_str(&m), ds);
		sb_release(&m);
	}
	strv_clear(&have);
	strv_clear(&missing);
	return bad;
}

int cmd_allow(int argc, char **argv)
{
	int print = 0, check = 0;
	const char *user = NULL;
	static const char *const longs[] = {"print", "check", NULL};
	struct cmd_opts op = CMD_OPTS_INIT;
	op.longs = longs;
	int c;
	while ((c = cmd_getopt(&op, argc, argv, "u:")) > 0) {
		if (c == CMD_LONG(0)) {
			print = 1;
		} else if (c == CMD_LONG(1)) {
			check = 1;
		} else {
			if (!*op.arg || op.arg[0] == '-' || strpbrk(op.arg, " \t,"))
				return cmd_usage_error("allow", "option -u needs a user name");
			user = op.arg;
		}
	}
	if (c < 0)
		return EXIT_USAGE;
	int i = op.ind;
	if (print + check != 1)
		return cmd_usage_error("allow", "give one of --print and --check");
	int nargs = argc - i;
	if (!(nargs == 3 || (check && nargs == 1)))
		return cmd_usage_error("allow", "allow needs SRCFS DESTHOST DESTFS%s",
		                       check ? " (or one FS)" : "");
	char *srcfs = NULL, *destfs = NULL, *desthost = NULL;
	struct fsinfo fi = {0};
	int have_fi = 0, rc = EXIT_FAIL;
	if (nargs == 3) {
		if (check_dsname(argv[i], 0) < 0 || check_dsname(argv[i + 2], 0) < 0)
			return EXIT_USAGE;
		srcfs = xstrdup(argv[i]);
		desthost = xstrdup(argv[i + 1]);
		destfs = xstrdup(argv[i + 2]);
	} else {
		if (check_dsname(argv[i], 0) < 0)
			return EXIT_USAGE;
		if (fsinfo_read(&local_host, argv[i], &fi) < 0)
			return EXIT_FAIL;
		have_fi = 1;
		if (!fsinfo_is_master(&fi) || !fi.dest_host || !fi.dest_fs) {
			error("%s is not a zrep master here; give SRCFS DESTHOST DESTFS", argv[i]);
			goto out;
		}
		srcfs = xstrdup(argv[i]);
		desthost = xstrdup(fi.dest_host);
		destfs = xstrdup(fi.dest_fs);
	}
	struct host dh;
	if (host_init(&dh, desthost) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (!user) {
		struct passwd *pw = getpwuid(geteuid());
		user = pw ? pw->pw_name : "root";
	}
	struct dest_answer a;
	if (ask_dest(&dh, destfs, check, &a) < 0) {
		host_release(&dh);
		goto out;
	}
	char *dperms = allow_dest_perms(a.has_append);
	char *parent = allow_parent(destfs);
	const char *me = host_local_name();
	if (print) {
		printf("# zfs permissions for %s to run zrep for %s -> %s:%s\n", user, srcfs, dh.name,
		       destfs);
		printf("# on %s (source %s):\n", me, srcfs);
		print_cmd(user, ALLOW_SOURCE, srcfs);
		printf("# on %s (destination %s; granted on %s, which zrep init receives it into)%s:\n",
		       dh.name, destfs, parent ? parent : destfs,
		       a.has_append ? "" : " (this zfs has no receive:append)");
		print_cmd(user, dperms, parent ? parent : destfs);
		printf("# sync -f, sync FS@SNAP, failover and takeover also need, on both hosts:\n");
		printf("#   ");
		print_cmd(user, ALLOW_SWAP, srcfs);
		printf("#   ");
		print_cmd(user, ALLOW_SWAP, parent ? parent : destfs);
		printf("# (Linux: an unprivileged user cannot mount; the replica stays unmounted, as zrep "
		       "init leaves it)\n");
		rc = EXIT_OK;
	} else {
		struct strbuf so = STRBUF_INIT;
		struct zerr e = {0};
		char *sargs[] = {(char *)"allow", srcfs, NULL};
		int bad = 0;
		if (zfs_exec(&local_host, sargs, &so, &e) != 0) {
			error("cannot read the permissions of %s here: %s", srcfs,
			      e.msg ? e.msg : zerr_text(&e));
			bad = 1;
		} else {
			bad |= check_one(me, srcfs, "source", sb_str(&so), user, ALLOW_SOURCE);
		}
		if (!a.allow_ok) {
			struct strbuf t = STRBUF_INIT;
			sb_adds(&t, a.allow ? a.allow : "");
			sb_rtrim(&t);
			error("cannot read the permissions of %s on %s: %s", a.target ? a.target : destfs,
			      dh.name, *sb_str(&t) ? sb_str(&t) : "no answer");
			sb_release(&t);
			bad = 1;
		} else {
			bad |= check_one(dh.name, a.target, "destination", a.allow, user, dperms);
		}
		zerr_clear(&e);
		sb_release(&so);
		rc = bad ? EXIT_FAIL : EXIT_OK;
	}
	fflush(stdout);
	free(dperms);
	free(parent);
	free(a.target);
	free(a.allow);
	host_release(&dh);
out:
	free(srcfs);
	free(desthost);
	free(destfs);
	if (have_fi)
		fsinfo_free(&fi);
	return rc;
}
