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
 * Time limits where the transport is OpenSSH (the first word of $SSH is
 * ssh): every connection (the control master included) gets -o
 * ConnectTimeout=min(ZREP_TIMEOUT, 30) (none when ZREP_TIMEOUT is 0) and -o
 * ServerAliveInterval=10 -o ServerAliveCountMax=3 (a dead peer ends the
 * session within ~30 s), each only when $SSH's words do not set that
 * option themselves. host_set_timeout (main, from ZREP_TIMEOUT) turns this
 * on; before it is called no option is added.
 */
#define HOST_CONNECT_TIMEOUT_MAX 30
void host_set_timeout(int secs);
/* Pure: the ConnectTimeout for a ZREP_TIMEOUT of timeout seconds (0: none). */
int host_connect_timeout(int timeout);
/* Pure: appends to out the options above that words ($SSH's words, maybe more) lack. */
void host_ssh_opts(char *const *words, int timeout, struct strv *out);

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

/*
 * Connection sharing (OpenSSH ControlMaster): one connection per
 * destination host per run. Pure parts first.
 */
/* 1 when the first word of $SSH names OpenSSH's client (its basename is "ssh"). */
int host_ssh_is_openssh(const char *first_word);
/*
 * Share connections? ZREP_SSH_MUX no/off/0/false: never; yes/on/1/true:
 * always; else (auto) when $SSH's words are OpenSSH's client without a
 * -S, ControlPath or ControlMaster of the user's own.
 */
int host_mux_wanted(char *const *words, const char *setting);
/* DIR/m-<64-bit hash of host>: the socket of host's master (malloc'd). */
char *host_mux_path(const char *dir, const char *host);
/* The ssh options that use (master 0) or start (master 1: -N -f, ControlPersist) the master at path. */
void host_mux_words(const char *path, int master, struct strv *out);
/* Sets sharing up from ZREP_SSH_MUX and ZREP_RUNDIR (main, after host_set_ssh). */
void host_set_mux(const char *setting, const char *rundir);
/*
 * Creates this run's socket directory (mkdtemp, 0700) if sharing is on;
 * returns 1 when sharing is on. Done lazily by the first remote command, and
 * by the parent before it forks workers so that they all share it.
 */
int host_mux_prepare(void);
/* No sharing for this run (when nothing was shared yet): one filesystem needs one connection. */
void host_mux_off(void);
/*
 * Selects which master of a host this process uses (0: the first). sshd
 * allows MaxSessions (default 10) sessions per connection, so workers share
 * a master in groups (workers.c); group g > 0 uses socket m-HASH-g.
 */
void host_mux_set_group(int group);
/* The socket directory, or NULL. */
const char *host_mux_dir(void);
/*
 * Stops every master of this run (ssh -O exit) and removes the directory.
 * Only the process that created it does anything (a forked worker does
 * not). Safe to call twice.
 */
void host_mux_shutdown(void);

/* Status that ssh uses for its own failures (cannot connect, ...). */
#define SSH_FAILURE 255

#endif
