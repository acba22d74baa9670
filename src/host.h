/*
 * host: where a command runs. A host is local ("localhost", or our own
 * short name) or remote (reached through $SSH, which may hold extra words).
 * This is the only module that knows how a remote command line is built:
 * every word is quoted for the remote POSIX shell, so names with spaces,
 * quotes, $ or ; arrive as one intact word.
 */
#ifndef ZREP_HOST_H
#define ZREP_HOST_H

#include "exec.h"
#include "util.h"

struct host {
	char *name;
	int local;
};

/* Our short host name: ZREP_SRC_HOST if set, else uname -n up to the first dot. */
const char *host_local_name(void);
void host_set_local_name(const char *name);

/*
 * Validates and fills h. Refuses empty names, names starting with '-',
 * and names with blanks, control characters or shell metacharacters
 * (a host name has none). Returns 0 or -1 with a message.
 */
int host_init(struct host *h, const char *name);
void host_release(struct host *h);

/* Appends word quoted for a POSIX shell ('...' with '\'' for quotes). */
void sh_quote(struct strbuf *sb, const char *word);
/* Joins argv quoting each word. */
void sh_join(struct strbuf *sb, char *const *argv);

/* The $SSH command (default "ssh") split into words. */
void host_set_ssh(const char *ssh);

/*
 * Fills out with the argv that runs argv on h: argv itself when local;
 * else the ssh words, the host name and one quoted command string.
 */
void host_build_argv(const struct host *h, char *const *argv, struct strv *out);

/*
 * Fills out with the argv that runs a POSIX sh script on h with args as
 * its positional parameters ($1...). The script text is ours; user data
 * travels only in args, never inside the script text.
 */
void host_build_script(const struct host *h, const char *script, char *const *args, struct strv *out);

/* Status that ssh uses for its own failures (cannot connect, ...). */
#define SSH_FAILURE 255

#endif
