/*
 * config: the settings zrep takes from the environment and from
 * /etc/default/zrep (the reference's variables, section 5). The file is
 * read, never executed: simple NAME=value lines, optional quotes, optional
 * "export". The environment wins over the file.
 */
#ifndef ZREP_CONFIG_H
#define ZREP_CONFIG_H

#include <stddef.h>

struct config {
	const char *tag;               /* ZREPTAG */
	const char *ssh;               /* SSH */
	const char *zrep_path;         /* ZREP_PATH (remote zrep command, may hold words) */
	const char *inc_flag;          /* ZREP_INC_FLAG: -I or -i */
	const char *send_flags;        /* ZREP_SEND_FLAGS */
	const char *recv_flags;        /* ZREP_RECV_FLAGS */
	const char *resume_flags;      /* ZREP_RESUME_FLAGS */
	const char *outfilter;         /* ZREP_OUTFILTER */
	const char *infilter;          /* ZREP_INFILTER */
	const char *save_count;        /* ZREP_SAVE_COUNT */
	const char *dateformat;        /* ZREP_DATEFORMAT */
	const char *rundir;            /* ZREP_RUNDIR */
	const char *create_flags;      /* ZREP_CREATE_FLAGS */
	const char *init_remote_props; /* ZREP_INIT_REMOTE_PROPERTIES */
	const char *rename_unsent;     /* ZREP_RENAME_UNSENT */
	int skip_expire;               /* ZREP_SKIP_EXPIRE non-empty */
	int recursive;                 /* ZREP_R=-R or global -R */
	int force;                     /* ZREP_FORCE=-f or -f */
	int verbose;                   /* ZREP_VERBOSE or -v */
	int resume;                    /* ZREP_RESUME or -r */
	int changed_only;              /* ZREP_CHANGEDONLY or -c */
	int lock_retry;                /* Z_LOCK_RETRY */
	int stall_timeout; /* ZREP_STALL_TIMEOUT: seconds a transfer may move nothing (0 = no limit) */
	int timeout;       /* ZREP_TIMEOUT: seconds for each control step and hook (0 = no limit) */
	int syslog;        /* ZREP_SYSLOG is not "no" */
	const char *prometheus_file; /* ZREP_PROMETHEUS_FILE: rewritten at the end of sync all */
	const char *presnap_hook;    /* ZREP_PRESNAP_HOOK */
	const char *postsnap_hook;   /* ZREP_POSTSNAP_HOOK */
	const char *parallel;        /* ZREP_PARALLEL (checked by the commands that use it) */
	const char *ssh_mux;         /* ZREP_SSH_MUX: no (plain connections), yes, or auto */
};

extern struct config cfg;

/* The names of every variable zrep reads (environment or config file),
 * config_nvars of them; ZREP_CONFIG (the file's path) is read before. */
extern const char *const config_vars[];
extern const size_t config_nvars;

/*
 * Reads the config file (path from ZREP_CONFIG, default /etc/default/zrep;
 * a missing file is fine) and then the environment. Lines it cannot use are
 * reported as warnings with their line number. Returns 0.
 */
int config_load(void);

/* Parses one config line; pure. Returns 1 for NAME/value, 0 for blank or
 * comment, -1 for a line it cannot use. name/value are malloc'd. */
int config_parse_line(const char *line, char **name, char **value);

/* Applies the tag-dependent defaults (after -t was seen). */
void config_finish(void);

#endif
