/*
 * main: global flags (-t TAG, -D, -R, in any order before the subcommand),
 * configuration, signal handling, the command table and dispatch. Locks are
 * released here on every exit path, including SIGINT/SIGTERM/SIGHUP.
 */

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "exec.h"
#include "host.h"
#include "lock.h"
#include "msg.h"
#include "progress.h"
#include "props.h"
#include "remote.h"
#include "snapname.h"
#include "version.h"
#include "zrepfs.h"

static const struct cmd commands[] = {
    {"init", "-i", cmd_init, "init [-f] [-v] [-n [--json]] SRCFS DESTHOST DESTFS", 0},
    {"sync", "-S", cmd_sync,
     "sync [-f] [-v] [-r] [-c] [-q SECONDS] [-P N] (FS... | all)\n"
     "sync -n [--json] [-f] (FS... | all)   (the plan; nothing changed)\n"
     "sync FS@SNAP            (roll the destination back to SNAP)",
     0},
    {"synconly", NULL, cmd_synconly, "synconly [-P N] (FS... | all)", 0},
    {"snaponly", NULL, cmd_snaponly, "snaponly (FS... | all)", 0},
    {"sentsync", NULL, cmd_sentsync, "sentsync [-L] FS@SNAP", 0},
    {"refresh", NULL, cmd_refresh, "refresh [-f] [-v] [-r] DESTFS", 0},
    {"failover", NULL, cmd_failover, "failover [-f] [-L] [-n [--json]] FS[@SNAP] [REMOTEHOST]", 0},
    {"takeover", NULL, cmd_takeover, "takeover [-f] [-L] [-n [--json]] FS[@SNAP] [REMOTEHOST]", 0},
    {"status", "-s", cmd_status,
     "status [-v] [-a] [FS...]\n"
     "status -m [-c COUNT] [-t SECONDS] [FS...]   (monitoring; exit 1 when behind)\n"
     "status (--json | --nagios [-c SECONDS] | --prometheus FILE) [-w SECONDS] [--local] [FS...]",
     0},
    {"list", "-l", cmd_list, "list [-v | -L | -s] [FS...]", 0},
    {"getlastsent", "lastsent", cmd_getlastsent, "getlastsent FS", 0},
    {"expire", "-e", cmd_expire, "expire [-L] [-P N] [-n [--json]] (FS... | all)", 0},
    {"uptodate", NULL, cmd_uptodate, "uptodate FS", 0},
    {"clear", NULL, cmd_clear, "clear [-f] FS", 0},
    {"changeconfig", "-C", cmd_changeconfig,
     "changeconfig [-f] SRCFS DESTHOST DESTFS\n"
     "changeconfig [-f] -d DESTFS SRCHOST SRCFS",
     0},
    {"allow", NULL, cmd_allow,
     "allow (--print | --check) [-u USER] SRCFS DESTHOST DESTFS\n"
     "allow --check [-u USER] FS",
     0},
    {"version", NULL, cmd_version, "version", 0},
    {"setlastsent", NULL, cmd_setlastsent, "setlastsent", 1},
    {"_refreshpull", NULL, cmd_refreshpull, "_refreshpull SNAP [TOKEN]", 1},
    {"_refreshcomplete", NULL, cmd_refreshcomplete, "_refreshcomplete SNAP TAG:sent=VALUE", 1},
};

const struct cmd *cmd_lookup(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, word) == 0 ||
		    (commands[i].alias && strcmp(commands[i].alias, word) == 0))
			return &commands[i];
	return NULL;
}

static void print_synopsis(FILE *f, const char *syn)
{
	const char *s = syn;
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		fprintf(f, "  zrep %.*s\n", (int)n, s);
		s = e ? e + 1 : s + n;
	}
}

void usage(FILE *f)
{
	fprintf(f, "zrep %s: replicate a ZFS filesystem to another host, and fail over between them\n\n",
	        ZREP_VERSION);
	fprintf(f, "usage: zrep [-D] [-R] [-t TAG] COMMAND [ARGS] [--progress]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (commands[i].hidden)
			continue;
		print_synopsis(f, commands[i].synopsis);
	}
	fprintf(f,
	        "\naliases: -i init, -S sync, -s status, -l list, -e expire, -C changeconfig, lastsent "
	        "getlastsent\n"
	        "global options: -t TAG (or ZREPTAG) selects the property and snapshot prefix,\n"
	        "  -D (or DEBUG) prints debug output to stderr, -R (or ZREP_R=-R) replicates recursively.\n"
	        "A DESTHOST of \"localhost\" or this host's short name runs locally, without ssh.\n"
	        "Settings come from the environment and /etc/default/zrep (see zrep(8)).\n");
}

int cmd_usage_error(const char *cmdname, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fflush(stdout);
	fputs("zrep: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* One line: the error, then the command's synopsis forms after "usage:". */
	const struct cmd *c = cmdname ? cmd_lookup(cmdname) : NULL;
	if (c) {
		fputs(" (usage: zrep ", stderr);
		for (const char *s = c->synopsis; *s; s++) {
			if (*s == '\n')
				fputs(" | zrep ", stderr);
			else if (!(*s == ' ' && s[1] == ' '))
				fputc(*s, stderr);
		}
		fputc(')', stderr);
	}
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cmd_one_fs(const char *cmdname, int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error(cmdname, "%s needs a filesystem", argv[0]);
	if (argc > 2)
		return cmd_usage_error(cmdname, "%s takes one filesystem", argv[0]);
	return check_dsname(argv[1], 0) < 0 ? EXIT_USAGE : 0;
}

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
	exec_forward_signal(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int finish(int rc)
{
	exec_allow_cleanup(1);
	lock_release_all();
	host_mux_shutdown();
	if (caught) {
		fflush(stdout);
		fprintf(stderr, "zrep: interrupted by signal %d; locks released\n", (int)caught);
		return 128 + caught;
	}
	return rc;
}

int main(int argc, char **argv)
{
	/* --progress anywhere on the command line (it is nobody's operand). */
	int w = 1;
	for (int r = 1; r < argc; r++) {
		if (strcmp(argv[r], "--progress") == 0)
			progress_asked = 1;
		else
			argv[w++] = argv[r];
	}
	argc = w;
	argv[argc] = NULL;
	install_signals();
	config_load();

	int i = 1;
	while (i < argc) {
		if (strcmp(argv[i], "-D") == 0 || strcmp(argv[i], "--debug") == 0) {
			msg_debug = 1;
			i++;
		} else if (strcmp(argv[i], "-R") == 0) {
			cfg.recursive = 1;
			i++;
		} else if (strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "--tag") == 0) {
			if (i + 1 >= argc || !*argv[i + 1])
				return cmd_usage_error(NULL, "option -t needs a tag");
			cfg.tag = argv[i + 1];
			i += 2;
		} else {
			break;
		}
	}
	if (!tag_valid(cfg.tag))
		return cmd_usage_error(
		    NULL, "invalid tag: %s (use a lower-case letter, then letters, digits, '_', '-' or '.')",
		    cfg.tag);
	config_finish();
	props_init(cfg.tag);
	zrepfs_init();
	host_set_ssh(cfg.ssh);
	host_set_mux(cfg.ssh_mux, cfg.rundir);
	host_set_timeout(cfg.timeout);

	if (i >= argc) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	const struct cmd *c = cmd_lookup(argv[i]);
	if (!c) {
		fprintf(stderr, "zrep: unknown command: %s (zrep -h lists the commands)\n", argv[i]);
		return EXIT_USAGE;
	}
	int rc = c->fn(argc - i, argv + i);
	if (msg_debug)
		debug("spawned %lu processes, %lu remote connections", exec_spawn_count, remote_connections);
	return finish(rc);
}
