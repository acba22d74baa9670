/*
 * host: quoting and argv building for local and remote execution. The
 * builders are pure so unit tests can check the exact words sent.
 */
#include "host.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

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

static void push_ssh(const struct host *h, struct strv *out)
{
	if (ssh_words.n == 0)
		host_set_ssh(getenv("SSH"));
	strv_pushv(out, ssh_words.v);
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
