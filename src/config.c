/*
 * config: loads settings. The shell zrep sources /etc/default/zrep as shell
 * code; we read it as data so that a config file can never run commands.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "util.h"

struct config cfg;

/*
 * Every variable zrep reads from the environment or the config file; get()
 * refuses any other name, so this table is the one list (zrep-plumb
 * config-vars prints it; the man page test checks it).
 */
const char *const config_vars[] = {
    "ZREPTAG",
    "SSH",
    "ZREP_PATH",
    "ZREP_INC_FLAG",
    "ZREP_SEND_FLAGS",
    "ZREP_RECV_FLAGS",
    "ZREP_RESUME_FLAGS",
    "ZREP_OUTFILTER",
    "ZREP_INFILTER",
    "ZREP_SAVE_COUNT",
    "ZREP_DATEFORMAT",
    "ZREP_RUNDIR",
    "ZREP_CREATE_FLAGS",
    "ZREP_INIT_REMOTE_PROPERTIES",
    "ZREP_RENAME_UNSENT",
    "ZREP_SKIP_EXPIRE",
    "ZREP_R",
    "ZREP_FORCE",
    "ZREP_VERBOSE",
    "ZREP_RESUME",
    "ZREP_CHANGEDONLY",
    "Z_LOCK_RETRY",
    "ZREP_SRC_HOST",
    "DEBUG",
    "MBUFFER",
    "BBCP",
    "PERL_BIN",
    "ZREP_STALL_TIMEOUT",
    "ZREP_TIMEOUT",
    "ZREP_SYSLOG",
    "ZREP_PROMETHEUS_FILE",
    "ZREP_PRESNAP_HOOK",
    "ZREP_POSTSNAP_HOOK",
    "ZREP_PARALLEL",
    "ZREP_SSH_MUX",
};
const size_t config_nvars = ARRAY_SIZE(config_vars);

static char *file_vals[ARRAY_SIZE(config_vars)];

static int known_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_vars); i++)
		if (strcmp(config_vars[i], name) == 0)
			return (int)i;
	return -1;
}

int config_parse_line(const char *line, char **name, char **value)
{
	*name = *value = NULL;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#' || *line == '\n')
		return 0;
	if (strncmp(line, "export ", 7) == 0) {
		line += 7;
		while (*line == ' ')
			line++;
	}
	const char *p = line;
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return -1;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (*p != '=')
		return -1;
	size_t nlen = (size_t)(p - line);
	p++;
	struct strbuf v = STRBUF_INIT;
	sb_adds(&v, "");
	if (*p == '"' || *p == '\'') {
		char q = *p++;
		while (*p && *p != q) {
			/* Inside double quotes only \" \\ \$ \` are escapes; no expansion. */
			if (q == '"' && *p == '\\' && p[1] && strchr("\"\\$`", p[1]))
				p++;
			else if (q == '"' && (*p == '$' || *p == '`'))
				goto bad;
			sb_add(&v, p, 1);
			p++;
		}
		if (*p != q)
			goto bad;
		p++;
	} else {
		while (*p && *p != '\n' && *p != ' ' && *p != '\t' && *p != '#') {
			if (strchr("$`\"'\\;&|<>(){}", *p))
				goto bad;
			sb_add(&v, p, 1);
			p++;
		}
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#')
		p += strlen(p);
	if (*p && *p != '\n')
		goto bad;
	*name = xstrndup(line, nlen);
	*value = sb_detach(&v);
	return 1;
bad:
	sb_release(&v);
	return -1;
}

static void load_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			warn("cannot read %s: %s", path, strerror(errno));
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		char *name, *value;
		int r = config_parse_line(line, &name, &value);
		if (r == 0)
			continue;
		if (r < 0) {
			line[strcspn(line, "\n")] = '\0';
			warn("%s line %u ignored (only NAME=value lines are read): %s", path, lineno, line);
			continue;
		}
		int k = known_index(name);
		if (k < 0) {
			warn("%s line %u ignored: unknown variable %s", path, lineno, name);
		} else {
			free(file_vals[k]);
			file_vals[k] = value;
			value = NULL;
		}
		free(name);
		free(value);
	}
	free(line);
	fclose(f);
}

/* Environment first, then the file; NULL when neither has a non-empty value. */
static const char *get(const char *name)
{
	int k = known_index(name);
	if (k < 0) {
		fprintf(stderr, "zrep: internal error: %s is not in config_vars\n", name);
		abort();
	}
	const char *e = getenv(name);
	if (e && *e)
		return e;
	if (file_vals[k] && *file_vals[k])
		return file_vals[k];
	return NULL;
}

static const char *get_def(const char *name, const char *def)
{
	const char *v = get(name);
	return v ? v : def;
}

/* A number of seconds (0 = no limit); a value that is not one is named in a warning and ignored. */
static int secs_setting(const char *name, int def)
{
	const char *v = get(name);
	long long n;
	if (!v)
		return def;
	if (parse_ll(v, &n) < 0 || n < 0 || n > 86400 * 365) {
		warn("%s must be a number of seconds (0 = no limit), not '%s'; using %d", name, v, def);
		return def;
	}
	return (int)n;
}

int config_load(void)
{
	const char *path = getenv("ZREP_CONFIG");
	load_file(path && *path ? path : "/etc/default/zrep");

	cfg.tag = get_def("ZREPTAG", "zrep");
	cfg.ssh = get_def("SSH", "ssh");
	cfg.zrep_path = get_def("ZREP_PATH", "zrep");
	cfg.inc_flag = get("ZREP_INC_FLAG");
	cfg.send_flags = get("ZREP_SEND_FLAGS");
	cfg.recv_flags = get("ZREP_RECV_FLAGS");
	cfg.resume_flags = get("ZREP_RESUME_FLAGS");
	cfg.outfilter = get("ZREP_OUTFILTER");
	cfg.infilter = get("ZREP_INFILTER");
	cfg.save_count = get_def("ZREP_SAVE_COUNT", "5");
	cfg.dateformat = get_def("ZREP_DATEFORMAT", "%Y/%m/%d-%H:%M:%S");
	cfg.create_flags = get("ZREP_CREATE_FLAGS");
	cfg.init_remote_props = get("ZREP_INIT_REMOTE_PROPERTIES");
	cfg.rename_unsent = get_def("ZREP_RENAME_UNSENT", "yes");
	cfg.rundir = get_def("ZREP_RUNDIR", geteuid() == 0 ? "/var/run" : "/tmp");
	cfg.skip_expire = get("ZREP_SKIP_EXPIRE") != NULL;
	cfg.recursive = str_eq(get("ZREP_R"), "-R");
	cfg.force = get("ZREP_FORCE") != NULL;
	cfg.verbose = get("ZREP_VERBOSE") != NULL;
	cfg.resume = get("ZREP_RESUME") != NULL;
	cfg.changed_only = get("ZREP_CHANGEDONLY") != NULL;
	long long lr;
	cfg.lock_retry =
	    (get("Z_LOCK_RETRY") && parse_ll(get("Z_LOCK_RETRY"), &lr) == 0 && lr >= 0 && lr < 3600) ? (int)lr
	                                                                                             : 10;
	cfg.stall_timeout = secs_setting("ZREP_STALL_TIMEOUT", 300);
	cfg.timeout = secs_setting("ZREP_TIMEOUT", 120);
	cfg.ssh_mux = get("ZREP_SSH_MUX");
	cfg.parallel = get("ZREP_PARALLEL");
	if (get("DEBUG"))
		msg_debug = 1;
	cfg.syslog = !str_eq(get("ZREP_SYSLOG"), "no");
	cfg.prometheus_file = get("ZREP_PROMETHEUS_FILE");
	cfg.presnap_hook = get("ZREP_PRESNAP_HOOK");
	cfg.postsnap_hook = get("ZREP_POSTSNAP_HOOK");
	if (get("ZREP_SRC_HOST") && !getenv("ZREP_SRC_HOST"))
		setenv("ZREP_SRC_HOST", get("ZREP_SRC_HOST"), 1);
	const char *mb = get("MBUFFER");
	if (mb) {
		static char *out, *in;
		warn("MBUFFER is deprecated; use ZREP_OUTFILTER and ZREP_INFILTER");
		out = cfg.outfilter ? xasprintf("%s | %s", cfg.outfilter, mb) : xstrdup(mb);
		in = cfg.infilter ? xasprintf("%s | %s", mb, cfg.infilter) : xstrdup(mb);
		cfg.outfilter = out;
		cfg.infilter = in;
	}
	if (get("BBCP"))
		warn("BBCP is not supported by this zrep; using the ssh data path");
	return 0;
}

void config_finish(void)
{
	if (!cfg.inc_flag)
		cfg.inc_flag = str_eq(cfg.tag, "zrep") ? "-I" : "-i";
}
