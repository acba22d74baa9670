/*
 * host: quoting and argv building for local and remote execution. The
 * builders are pure so unit tests can check the exact words sent.
 */
#include "host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"

static char *local_name;
static struct strv ssh_words;

const char *host_local_name(void)
{
	if (!local_name) {
		const char *env = getenv("ZREP_SRC_HOST");
		if (env && *env) {
			local_name = xstrdup(env);
		} else {
			struct utsname u;
			if (uname(&u) == 0) {
				char *dot = strchr(u.nodename, '.');
				if (dot)
					*dot = '\0';
				local_name = xstrdup(u.nodename);
			} else {
				local_name = xstrdup("localhost");
			}
		}
	}
	return local_name;
}

void host_set_local_name(const char *name)
{
	free(local_name);
	local_name = name ? xstrdup(name) : NULL;
}

void host_set_ssh(const char *ssh)
{
	strv_clear(&ssh_words);
	strv_split(&ssh_words, ssh && *ssh ? ssh : "ssh");
	if (ssh_words.n == 0)
		strv_push(&ssh_words, "ssh");
}

int host_init(struct host *h, const char *name)
{
	h->name = NULL;
	h->local = 0;
	if (!name || !*name || str_eq(name, "-"))
		return error("missing host name");
	if (name[0] == '-')
		return error("refusing host name starting with '-': %s", name);
	for (const char *s = name; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!(isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '@' || c == '[' ||
		      c == ']' || c == '%'))
			return error("invalid host name: %s", name);
	}
	h->name = xstrdup(name);
	h->local = str_eq(name, "localhost") || str_eq(name, host_local_name());
	return 0;
}

void host_release(struct host *h)
{
	free(h->name);
	h->name = NULL;
}

void sh_quote(struct strbuf *sb, const char *word)
{
	int plain = *word != '\0';
	for (const char *s = word; *s && plain; s++) {
		unsigned char c = (unsigned char)*s;
		if (!(isalnum(c) || strchr("/._-+=:,@%", c)))
			plain = 0;
	}
	/* '=' first would make a word look like an assignment to some shells. */
	if (plain && word[0] != '=' && word[0] != '~') {
		sb_adds(sb, word);
		return;
	}
	sb_adds(sb, "'");
	for (const char *s = word; *s; s++) {
		if (*s == '\'')
			sb_adds(sb, "'\\''");
		else
			sb_add(sb, s, 1);
	}
	sb_adds(sb, "'");
}

void sh_join(struct strbuf *sb, char *const *argv)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			sb_adds(sb, " ");
		sh_quote(sb, argv[i]);
	}
}

/* -1 until host_set_timeout: no options of ours (the pure builders' tests see $SSH alone). */
static int ssh_timeout = -1;

void host_set_timeout(int secs)
{
	ssh_timeout = secs < 0 ? -1 : secs; /* negative: off again (tests) */
}

int host_connect_timeout(int timeout)
{
	if (timeout <= 0)
		return 0;
	return timeout < HOST_CONNECT_TIMEOUT_MAX ? timeout : HOST_CONNECT_TIMEOUT_MAX;
}

/* Does one of words set the ssh option opt (-o Opt=v, -oOpt=v, -o "Opt v"; any case)? */
static int ssh_sets(char *const *words, const char *opt)
{
	for (size_t i = 1; words && words[i]; i++)
		if (strcasestr(words[i], opt))
			return 1;
	return 0;
}

void host_ssh_opts(char *const *words, int timeout, struct strv *out)
{
	if (!words || !host_ssh_is_openssh(words[0]))
		return;
	/* Look first: words may be out's own vector, which a push can move. */
	int ct = host_connect_timeout(timeout) > 0 && !ssh_sets(words, "ConnectTimeout");
	int alive = !ssh_sets(words, "ServerAlive");
	if (ct) {
		strv_push(out, "-o");
		strv_pushf(out, "ConnectTimeout=%d", host_connect_timeout(timeout));
	}
	if (alive) {
		strv_push(out, "-o");
		strv_push(out, "ServerAliveInterval=10");
		strv_push(out, "-o");
		strv_push(out, "ServerAliveCountMax=3");
	}
}

static const char *mux_path_for(const struct host *h);

static void push_ssh(const struct host *h, struct strv *out)
{
	if (ssh_words.n == 0)
		host_set_ssh(getenv("SSH"));
	strv_pushv(out, ssh_words.v);
	if (ssh_timeout >= 0)
		host_ssh_opts(ssh_words.v, ssh_timeout, out);
	const char *ctl = mux_path_for(h);
	if (ctl)
		host_mux_words(ctl, 0, out);
	strv_push(out, h->name);
}

void host_build_argv(const struct host *h, char *const *argv, struct strv *out)
{
	if (h->local) {
		strv_pushv(out, argv);
		return;
	}
	push_ssh(h, out);
	struct strbuf cmd = STRBUF_INIT;
	sh_join(&cmd, argv);
	strv_push_nodup(out, sb_detach(&cmd));
}

void host_build_script(const struct host *h, const char *script, char *const *args, struct strv *out)
{
	struct strv words = STRV_INIT;
	strv_push(&words, "sh");
	strv_push(&words, "-c");
	strv_push(&words, script);
	strv_push(&words, "zrep-sh"); /* $0 */
	strv_pushv(&words, args);
	host_build_argv(h, words.v, out);
	strv_clear(&words);
}

/*
 * The private OpenSSH control master (one per destination host per run).
 * The socket directory is made with mkdtemp (mode 0700) under ZREP_RUNDIR
 * by the process that runs the command (before any worker is forked), so
 * every worker of one run shares it and no other zrep ever sees it. The
 * first process that needs a host starts its master (ssh -M -N -f) under an
 * flock of DIR/m-HASH.lock (which also records the host name for the
 * shutdown); the others wait for it and then reuse the socket. A master
 * that cannot start marks DIR/m-HASH.failed and that host is reached with
 * plain connections, as without multiplexing.
 */
static int mux_mode = -1; /* -1 not set up, 0 off, 1 on */
static int mux_group;     /* which of a host's masters this process uses (host_mux_set_group) */
static char *mux_rundir;
static char *mux_dir;
static pid_t mux_owner;

int host_ssh_is_openssh(const char *first_word)
{
	if (!first_word || !*first_word)
		return 0;
	const char *base = strrchr(first_word, '/');
	base = base ? base + 1 : first_word;
	return strcmp(base, "ssh") == 0;
}

int host_mux_wanted(char *const *words, const char *setting)
{
	if (setting && *setting) {
		if (str_eq(setting, "no") || str_eq(setting, "off") || str_eq(setting, "0") ||
		    str_eq(setting, "false"))
			return 0;
		if (str_eq(setting, "yes") || str_eq(setting, "on") || str_eq(setting, "1") ||
		    str_eq(setting, "true"))
			return 1;
	}
	if (!words || !host_ssh_is_openssh(words[0]))
		return 0;
	/* The user's $SSH manages its own connection sharing: leave it alone. */
	for (size_t i = 1; words[i]; i++)
		if (strncmp(words[i], "-S", 2) == 0 || strcasestr(words[i], "ControlPath") ||
		    strcasestr(words[i], "ControlMaster"))
			return 0;
	return 1;
}

char *host_mux_path(const char *dir, const char *host)
{
	uint64_t hsh = 1469598103934665603ULL; /* FNV-1a 64 */
	for (const char *s = host; *s; s++) {
		hsh ^= (unsigned char)*s;
		hsh *= 1099511628211ULL;
	}
	return xasprintf("%s/m-%016llx", dir, (unsigned long long)hsh);
}

void host_mux_words(const char *path, int master, struct strv *out)
{
	/* ssh expands %-tokens in ControlPath: a literal % is written %%. */
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "ControlPath=");
	for (const char *s = path; *s; s++)
		sb_adds(&sb, *s == '%' ? "%%" : (char[]){*s, 0});
	strv_push(out, "-o");
	strv_push_nodup(out, sb_detach(&sb));
	strv_push(out, "-o");
	strv_push(out, master ? "ControlMaster=yes" : "ControlMaster=no");
	if (master) {
		/* A master left behind by a zrep killed with SIGKILL ends by itself. */
		strv_push(out, "-o");
		strv_push(out, "ControlPersist=60");
		/* A dead peer (link cut) ends the master, and with it every session on
		 * it, within 30 s: new sessions then connect afresh, or fail, as
		 * they would without sharing, instead of waiting on a dead socket. */
		strv_push(out, "-o");
		strv_push(out, "ServerAliveInterval=10");
		strv_push(out, "-o");
		strv_push(out, "ServerAliveCountMax=3");
		strv_push(out, "-N");
		strv_push(out, "-f");
	}
}

void host_set_mux(const char *setting, const char *rundir)
{
	if (ssh_words.n == 0)
		host_set_ssh(getenv("SSH"));
	mux_mode = host_mux_wanted(ssh_words.v, setting);
	free(mux_rundir);
	mux_rundir = xstrdup(rundir && *rundir ? rundir : "/tmp");
	if (!mux_mode)
		debug("ssh connection sharing off (SSH=%s, ZREP_SSH_MUX=%s)", ssh_words.v[0],
		      setting ? setting : "");
}

static void remove_dir(const char *dir, int stop_masters);

/*
 * Removes the socket directories of runs that died without cleaning up
 * (SIGKILL): their owner (DIR/pid) is gone. A directory without a pid file
 * is left alone for a minute (its run may be writing it right now).
 */
static void remove_stale_dirs(void)
{
	DIR *d = opendir(mux_rundir);
	if (!d)
		return;
	struct strv stale = STRV_INIT;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "zrep-ssh.", 9) != 0)
			continue;
		char *dir = xasprintf("%s/%s", mux_rundir, de->d_name);
		char *pidf = xasprintf("%s/pid", dir);
		struct stat st;
		FILE *f = fopen(pidf, "r");
		long long pid = 0;
		if (f) {
			if (fscanf(f, "%lld", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		int dead;
		if (pid > 0)
			dead = kill((pid_t)pid, 0) < 0 && errno == ESRCH;
		else
			dead = stat(dir, &st) == 0 && st.st_mtime + 60 < time(NULL);
		if (dead && !str_eq(dir, mux_dir))
			strv_push(&stale, dir);
		free(pidf);
		free(dir);
	}
	closedir(d);
	for (size_t i = 0; i < stale.n; i++) {
		debug("removing the ssh control directory %s of a run that is gone", stale.v[i]);
		remove_dir(stale.v[i], 1);
	}
	strv_clear(&stale);
}

void host_mux_off(void)
{
	if (!mux_dir)
		mux_mode = 0;
}

int host_mux_prepare(void)
{
	if (mux_mode != 1)
		return 0;
	if (mux_dir)
		return 1;
	char *tmpl = xasprintf("%s/zrep-ssh.XXXXXX", mux_rundir);
	if (!mkdtemp(tmpl)) {
		debug("cannot create an ssh control directory under %s (%s); not sharing connections",
		      mux_rundir, strerror(errno));
		free(tmpl);
		mux_mode = 0;
		return 0;
	}
	mux_dir = tmpl;
	mux_owner = getpid();
	char *pidf = xasprintf("%s/pid", mux_dir);
	FILE *f = fopen(pidf, "w");
	if (f) {
		fprintf(f, "%lld\n", (long long)mux_owner);
		fclose(f);
	}
	free(pidf);
	debug("ssh control directory %s", mux_dir);
	remove_stale_dirs();
	return 1;
}

const char *host_mux_dir(void)
{
	return mux_dir;
}

static int is_socket(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Starts the master for h at path; returns 0 when its socket is there. */
static int start_master(const struct host *h, const char *path)
{
	struct strv argv = STRV_INIT;
	strv_pushv(&argv, ssh_words.v);
	host_mux_words(path, 1, &argv);
	if (ssh_timeout >= 0)
		host_ssh_opts(argv.v, ssh_timeout, &argv); /* ConnectTimeout: its ServerAlive is there */
	strv_push(&argv, h->name);
	struct proc p;
	proc_init(&p, argv.v);
	p.in = EXEC_NULL;
	p.out = EXEC_NULL;
	p.err = EXEC_TMPFILE; /* the daemonised master keeps it: nobody has to drain it */
	int st = -1;
	if (exec_start(&p) == 0)
		st = exec_wait(&p);
	int ok = st == 0 && is_socket(path);
	if (!ok)
		debug("ssh control master for %s did not start (%d): %s", h->name, st, sb_str(&p.err_buf));
	else
		debug("ssh control master for %s at %s", h->name, path);
	proc_release(&p);
	strv_clear(&argv);
	return ok ? 0 : -1;
}

void host_mux_set_group(int group)
{
	mux_group = group > 0 ? group : 0;
}

/* The ControlPath to use for h, starting its master when needed; NULL: connect directly. */
static const char *mux_path_for(const struct host *h)
{
	static struct strv known_hosts, known_paths;
	if (h->local || mux_mode != 1 || !host_mux_prepare())
		return NULL;
	char *key = xasprintf("%d %s", mux_group, h->name);
	for (size_t i = 0; i < known_hosts.n; i++)
		if (str_eq(known_hosts.v[i], key)) {
			free(key);
			return known_paths.v[i][0] ? known_paths.v[i] : NULL;
		}
	char *path = host_mux_path(mux_dir, h->name);
	if (mux_group) {
		char *p = xasprintf("%s-%d", path, mux_group);
		free(path);
		path = p;
	}
	char *lockp = xasprintf("%s.lock", path);
	char *failp = xasprintf("%s.failed", path);
	int ok = 0;
	int fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int r;
		while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR && !exec_interrupted())
			;
		if (r == 0) {
			if (is_socket(path)) {
				ok = 1;
			} else if (!path_exists(failp) && !exec_interrupted()) {
				/* record the host name for host_mux_shutdown */
				if (ftruncate(fd, 0) == 0 && write(fd, h->name, strlen(h->name)) < 0)
					debug("cannot record %s in %s", h->name, lockp);
				ok = start_master(h, path) == 0;
				if (!ok)
					close(open(failp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
			}
			flock(fd, LOCK_UN);
		}
		close(fd);
	}
	strv_push_nodup(&known_hosts, key);
	strv_push(&known_paths, ok ? path : "");
	free(path);
	free(lockp);
	free(failp);
	return ok ? known_paths.v[known_paths.n - 1] : NULL;
}

/* Stops the masters in dir (stop_masters) and removes it with everything in it. */
static void remove_dir(const char *dir, int stop_masters)
{
	int prev = exec_allow_cleanup(1);
	DIR *d = opendir(dir);
	struct strv files = STRV_INIT;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				strv_push(&files, de->d_name);
		closedir(d);
	}
	for (size_t i = 0; i < files.n && stop_masters; i++) {
		const char *f = files.v[i];
		size_t n = strlen(f);
		if (n < 5 || strcmp(f + n - 5, ".lock") != 0)
			continue;
		char *sock = xasprintf("%s/%.*s", dir, (int)(n - 5), f);
		if (is_socket(sock)) {
			char *lockp = xasprintf("%s/%s", dir, f);
			char name[256] = "";
			int fd = open(lockp, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				ssize_t r = read(fd, name, sizeof(name) - 1);
				name[r > 0 ? r : 0] = '\0';
				close(fd);
			}
			struct strv argv = STRV_INIT;
			strv_pushv(&argv, ssh_words.v);
			host_mux_words(sock, 0, &argv);
			strv_push(&argv, "-O");
			strv_push(&argv, "exit");
			strv_push(&argv, name[0] ? name : "zrep-mux");
			struct proc p;
			proc_init(&p, argv.v);
			p.out = EXEC_NULL;
			exec_run(&p);
			if (p.status != 0)
				debug("ssh -O exit for %s: %s", name, sb_str(&p.err_buf));
			proc_release(&p);
			strv_clear(&argv);
			free(lockp);
		}
		free(sock);
	}
	/* whatever is left: lock and failure marks, the pid, a socket of a master that died */
	for (size_t i = 0; i < files.n; i++) {
		char *f = xasprintf("%s/%s", dir, files.v[i]);
		unlink(f);
		free(f);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		warn("cannot remove the ssh control directory %s: %s", dir, strerror(errno));
	strv_clear(&files);
	exec_allow_cleanup(prev);
}

void host_mux_shutdown(void)
{
	if (!mux_dir || getpid() != mux_owner)
		return;
	remove_dir(mux_dir, 1);
	free(mux_dir);
	mux_dir = NULL;
}
