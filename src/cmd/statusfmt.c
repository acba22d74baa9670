/*
 * status --json | --nagios [-w SECONDS] [-c SECONDS] | --prometheus FILE,
 * with --local (no connection to the partners) and -w (the "behind"
 * limit, default 3600 s). The model and the renderers are in statusdoc.c,
 * the reading in statusread.c; this file is the options and exit codes.
 *
 *   --json         one JSON document on stdout; exit 0, or 1 when a named
 *                  filesystem could not be read (the document still lists
 *                  the others).
 *   --nagios       one plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL,
 *                  3 UNKNOWN (also for bad options, as plugins do).
 *   --prometheus   writes FILE atomically; nothing on stdout; exit 0 or 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../msg.h"
#include "../statusread.h"
#include "../zrepfs.h"

#define NAGIOS_WARN_DEFAULT 3600
#define NAGIOS_CRIT_DEFAULT 86400
#define NAGIOS_UNKNOWN 3

int status_seconds_arg(const char *opt, const char *word, long long *out)
{
	unsigned long long v;
	if (!word)
		return cmd_usage_error("status", "option %s needs a number of seconds", opt);
	if (parse_ull(word, &v) < 0 || v > 1000000000000ULL)
		return cmd_usage_error("status", "option %s needs a whole number of seconds, not: %s", opt,
		                       word);
	*out = (long long)v;
	return 0;
}

/* --nagios anywhere on the line: usage errors exit 3 (UNKNOWN) and -c means seconds. */
int status_nagios_wanted(int argc, char **argv)
{
	for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
		if (strcmp(argv[k], "--nagios") == 0)
			return 1;
	return 0;
}

int status_machine(const struct status_machine_opts *mo, int verbose, int monitor, int all, long long c,
                   int have_t, char **fss, size_t n)
{
	int bad = 0;
	int formats = (mo->json != 0) + (mo->nagios != 0) + (mo->prometheus != NULL);
	if (formats != 1)
		bad = cmd_usage_error("status",
		                      formats ? "--json, --nagios and --prometheus exclude each other"
		                              : "--local and -w go with --json, --nagios or --prometheus");
	else if (verbose || monitor || have_t)
		bad = cmd_usage_error("status",
		                      "-v, -m and -t do not go with --json, --nagios or --prometheus");
	else if (c >= 0 && !mo->nagios)
		bad = cmd_usage_error("status", "-c SECONDS goes with --nagios (or -c COUNT with -m)");
	else if (all && n)
		bad = cmd_usage_error("status", "-a and filesystem names exclude each other");
	long long warn = mo->have_w ? mo->warn : NAGIOS_WARN_DEFAULT;
	long long crit = mo->have_c ? mo->crit : c >= 0 ? c : NAGIOS_CRIT_DEFAULT;
	if (!bad && mo->nagios && warn > crit)
		bad = cmd_usage_error(
		    "status", "-w %lld is over -c %lld: the warning limit must not exceed the critical one",
		    warn, crit);
	for (size_t k = 0; !bad && k < n; k++)
		if (check_dsname(fss[k], 0) < 0)
			bad = EXIT_USAGE;
	if (bad)
		return mo->nagios ? NAGIOS_UNKNOWN : EXIT_USAGE;

	struct statusset s;
	if (status_collect(fss, n, mo->local, warn, &s) < 0) {
		if (mo->nagios) {
			printf("ZREP UNKNOWN - cannot list the zrep filesystems of this host\n");
			return NAGIOS_UNKNOWN;
		}
		return EXIT_FAIL;
	}
	struct strbuf out = STRBUF_INIT;
	int rc;
	if (mo->json) {
		statusdoc_json(&out, s.v, s.n);
		fputs(sb_str(&out), stdout);
		rc = s.read_errors ? EXIT_FAIL : EXIT_OK;
	} else if (mo->nagios) {
		rc = statusdoc_nagios(&out, s.v, s.n, s.read_errors, warn, crit);
		fputs(sb_str(&out), stdout);
	} else {
		rc = status_write_prometheus(mo->prometheus, &s) < 0 || s.read_errors ? EXIT_FAIL : EXIT_OK;
	}
	fflush(stdout);
	sb_release(&out);
	statusset_free(&s);
	return rc;
}
