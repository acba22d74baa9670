/*
 * remote: see remote.h. Each script is one line without '!' (any login
 * shell passes it to sh intact), reads its user data from $1..., and
 * answers with ZREP-* marker lines on stdout; what its commands print for
 * people goes to stderr. zfs command lines come from zfs_sh.h.
 */
#include "remote.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "exec_pump.h"
#include "msg.h"
#include "zfs_sh.h"

unsigned long remote_connections;

/* zrep_killrecv DS: continues and kills every `zfs receive` into DS still running on this host
 * (it may be stopped) and prints how many. Only a zrep that holds the source's lock pushes to DS,
 * so any such receive is one a zrep gave up on or died in. ps and awk are POSIX. Where /proc
 * shows network namespaces, only this namespace's receives count (containers, test beds). */
#define KILLRECV_FN                                                                                          \
	"zrep_killrecv() { n=0; "                                                                            \
	"for p in $(ps -e -o pid= -o args= | awk -v d=\"$1\" '{ k = split($2, b, \"/\"); "                   \
	"if (b[k] == \"zfs\" && ($3 == \"receive\" || $3 == \"recv\") && "                                   \
	"substr($0, length($0) - length(d)) == \" \" d) print $1 }'); do "                                   \
	"[ -e /proc/$$/ns/net ] && { [ \"$(readlink /proc/$p/ns/net)\" = \"$(readlink /proc/$$/ns/net)\" ] " \
	"|| continue; }; "                                                                                   \
	"kill -CONT $p 2>/dev/null; kill -KILL $p 2>/dev/null && n=$((n + 1)); done; echo $n; }; "

/* zrep_destroys: the destroys listed in $xl ("X SNAP", "XR SNAP", "L FS@A,B", "LR ..." words
 * separated by $sep; $oi the usual IFS): a comma list in one destroy, one by one if refused.
 * Sets xf=1 when one could not be destroyed. Shared by push and finish. */
#define DESTROYS_FN                                                                                          \
	"zrep_destroys() { xf=0; IFS=$sep; for x in $xl; do IFS=$oi; case $x in "                            \
	"L*) v=${x#* }; dr=; case $x in LR*) dr=_r;; esac; "                                                 \
	"zrep_destroy$dr \"$v\" >/dev/null 2>&1 || { f=${v%%@*}; IFS=,; for y in ${v#*@}; do IFS=$oi; "      \
	"zrep_destroy$dr \"$f@$y\" >&2 || xf=1; done; IFS=$oi; };; "                                         \
	"\"XR \"*) zrep_destroy_r \"${x#XR }\" >&2 || xf=1;; "                                               \
	"*) zrep_destroy \"${x#X }\" >&2 || xf=1;; esac; IFS=$sep; done; IFS=$oi; }; "

/* $1 target, $2 master prop ("" = no check), $3 sent prop, $4 snapshot name after '@', $5 receive
 * command line, $6 its resumable form or "", $7 hold tag or "", $8 listing properties or "", $9 "1" to
 * end leftover receives, $10 "1" to print zfs's usage, then "prop=value" / "@inherit=prop" words to
 * apply after the receive. The source's answer comes on stdin before the stream (remote.h). Builtins
 * only but for zfs: read, printf, case, eval. */
static const char push_script[] = KILLRECV_FN DESTROYS_FN
    "zrep_releases() { IFS=$sep; for s in $rl; do IFS=$oi; zrep_release \"$ht\" \"$s\" >/dev/null 2>&1; "
    "done; IFS=$oi; }; "
    "zrep_expired() { if [ -n \"$xl\" ]; then if [ $xf = 0 ]; then echo ZREP-EXPIRE-OK; else "
    "echo ZREP-EXPIRE-FAILED; fi; fi; }; "
    "d=$1; mp=$2; sp=$3; sn=$4; rcv=$5; rcvs=$6; ht=$7; lp=$8; kr=$9; shift 9; pu=$1; shift; "
    "sep=$(printf '\\001'); oi=$IFS; "
    "if [ -n \"$kr\" ]; then k=$(zrep_killrecv \"$d\"); "
    "if [ \"$k\" = 0 ]; then :; else echo \"ZREP-KILLED $k\"; sleep 2; fi; fi; "
    "if [ -n \"$pu\" ]; then u=$(zrep_usage); echo ZREP-USAGE; printf '%s\\n' \"$u\"; echo ZREP-USAGE-END; "
    "if [ -n \"$lp\" ]; then case $u in *receive_resume_token*) lp=$lp,receive_resume_token;; esac; fi; fi; "
    "if [ -n \"$lp\" ]; then echo \"ZREP-LIST $lp\"; zrep_rows \"$lp\" \"$d\" 2>&1; echo \"ZREP-LIST-END "
    "$?\"; "
    "elif [ -n \"$mp\" ]; then "
    "m=$(zrep_local \"$mp\" \"$d\" 2>&1) || { printf 'ZREP-NODEST %s\\n' \"$m\"; exit 0; }; "
    "if [ \"$m\" = yes ]; then echo ZREP-MASTER; exit 0; fi; fi; "
    "echo ZREP-READY; "
    "IFS= read -r h || exit 0; case $h in GO|GO-S) ;; *) exit 0;; esac; "
    "t=; ab=; rl=; xl=; gw=; dd=; pr=; "
    "while IFS= read -r l; do case $l in .) break;; \"T \"*) t=${l#T };; A) ab=1;; G) gw=1;; D) dd=1;; P) "
    "pr=1;; "
    "\"R \"*) rl=$rl${l#R }$sep;; \"X \"*|\"XR \"*|\"L \"*|\"LR \"*) xl=$xl$l$sep;; esac; done; "
    "if [ -n \"$ab\" ]; then if zrep_abort \"$d\" >&2; then echo ZREP-ABORTED; fi; fi; "
    "if [ \"$h\" = GO-S ]; then rcv=$rcvs; fi; "
    "eval \"$rcv\"; r=$?; "
    "if [ $r -ne 0 ]; then echo \"ZREP-RECV-FAILED $r\"; exit 0; fi; "
    "echo ZREP-RECV-OK; "
    "for pv in \"$@\"; do case $pv in "
    "@inherit=*) zrep_inherit \"${pv#@inherit=}\" \"$d\" || echo \"ZREP-SETFAIL $pv\";; "
    "*) zrep_set \"$pv\" \"$d\" || echo \"ZREP-SETFAIL $pv\";; esac; done; "
    "set -f; if [ -n \"$dd\" ]; then exit 0; fi; "
    "if [ -n \"$sn\" ]; then "
    "if [ -n \"$gw\" ]; then g=$(zrep_value guid \"$d@$sn\") && echo \"ZREP-GUID $g\"; fi; "
    "if [ -n \"$sp\" ]; then [ -n \"$t\" ] || t=$(date +%s); "
    "{ zrep_set \"$sp=$t\" \"$d@$sn\" && echo \"ZREP-SENT $t\"; } & fi; "
    "if [ -n \"$pr\" ] && [ -n \"$xl\" ]; then { zrep_destroys; zrep_expired; } & xl=; fi; "
    "if [ -n \"$ht\" ] && zrep_hold \"$ht\" \"$d@$sn\" >/dev/null 2>&1; then echo ZREP-HELD; zrep_releases; "
    "fi; "
    "wait; fi; "
    "zrep_destroys; zrep_expired; "
    "exit 0";

/* $1 properties, $2 "1" to print zfs's usage first, then datasets: (USAGE ... USAGE-END,) "LIST
 * PROPS", the rows of the datasets and their snapshots, "LIST-END STATUS". */
static const char destlist_script[] =
    "lp=$1; pu=$2; shift 2; "
    "if [ -n \"$pu\" ]; then u=$(zrep_usage); echo ZREP-USAGE; printf '%s\\n' \"$u\"; echo ZREP-USAGE-END; "
    "case $u in *receive_resume_token*) lp=$lp,receive_resume_token;; esac; fi; "
    "echo \"ZREP-LIST $lp\"; zrep_rows_all \"$lp\" \"$@\" 2>&1; echo \"ZREP-LIST-END $?\"";

/* $1 sent prop, $2 sent time, $3 hold tag or "", then words: "S SNAP" (mark sent, hold), "R SNAP"
 * (release the hold), "X SNAP" / "XR SNAP" / "L FS@A,B" / "LR ..." (destroy, as push). Answers
 * SENT-FAILED SNAP for a mark that failed, EXPIRE-FAILED when a destroy failed, then FINISH-END. */
static const char finish_script[] = DESTROYS_FN
    "sp=$1; t=$2; ht=$3; shift 3; sep=$(printf '\\001'); oi=$IFS; sl=; rl=; xl=; "
    "for w in \"$@\"; do case $w in \"S \"*) sl=$sl${w#S }$sep;; \"R \"*) rl=$rl${w#R }$sep;; "
    "*) xl=$xl$w$sep;; esac; done; set -f; IFS=$sep; "
    "if zrep_many set \"$sp=$t\" $sl >&2; then :; else for s in $sl; do IFS=$oi; "
    "zrep_set \"$sp=$t\" \"$s\" >&2 || echo \"ZREP-SENT-FAILED $s\"; done; fi; IFS=$sep; "
    "if [ -n \"$ht\" ]; then "
    "zrep_many hold \"$ht\" $sl >/dev/null 2>&1 || for s in $sl; do IFS=$oi; "
    "zrep_hold \"$ht\" \"$s\" >/dev/null 2>&1; done; IFS=$sep; "
    "[ -z \"$rl\" ] || zrep_many release \"$ht\" $rl >/dev/null 2>&1 || for s in $rl; do IFS=$oi; "
    "zrep_release \"$ht\" \"$s\" >/dev/null 2>&1; done; IFS=$sep; fi; "
    "IFS=$oi; zrep_destroys; "
    "if [ $xf = 0 ]; then :; else echo ZREP-EXPIRE-FAILED; fi; echo ZREP-FINISH-END";

/* $1 destination fs, $2 master prop, then the expire command's words. */
static const char expire_script[] =
    "d=$1; mp=$2; shift 2; "
    "m=$(zrep_local \"$mp\" \"$d\" 2>&1) || { echo ZREP-NODEST; exit 0; }; "
    "if [ \"$m\" = yes ]; then echo ZREP-MASTER; exit 0; fi; "
    "if \"$@\" >&2 </dev/null; then echo ZREP-EXPIRE-OK; else echo ZREP-EXPIRE-FAILED; fi";

/* No parameters: `zfs` alone prints its usage (status 2). */
static const char features_script[] = "zrep_usage; exit 0";

/* $1 dataset. */
static const char probe_script[] = "zrep_usage; echo ZREP-PROBE-END; "
                                   "if zrep_exists \"$1\"; then echo ZREP-EXISTS; "
                                   "t=$(zrep_token \"$1\"); echo \"ZREP-TOKEN $t\"; "
                                   "else echo ZREP-ABSENT; fi";

/* $1 B's snapshot, $2 A's guid of it, $3 "1" to roll back to it, $4 sent prop,
 * $5 sent time, $6 master prop, $7 B's fs, $8 zrep's hold tag, then `zrep
 * takeover -L FS_B`. Before the rollback zrep's hold is released from B's
 * other snapshots (another tag's hold stays and makes it fail), and put on bs. */
static const char promote_script[] =
    "bs=$1; want=$2; rb=$3; sp=$4; st=$5; mp=$6; pf=$7; ht=$8; shift 8; "
    "g=$(zrep_value guid \"$bs\" 2>&1) || { echo \"ZREP-NOSNAP $g\" | tr '\\n' ' '; echo; exit 0; }; "
    "if [ \"$g\" = \"$want\" ]; then :; else echo \"ZREP-GUID $g\"; exit 0; fi; "
    "if [ -n \"$rb\" ]; then "
    "zrep_snapinfo \"$pf\" | sed -n 's/^\\(.*\\)\tuserrefs\t[1-9][0-9]*$/\\1/p' | "
    "while IFS= read -r s; do [ \"$s\" = \"$bs\" ] || zrep_release \"$ht\" \"$s\" >/dev/null 2>&1; done; "
    "zrep_rollback \"$bs\" >&2 || { echo ZREP-ROLLBACK-FAILED; exit 0; }; "
    "zrep_hold \"$ht\" \"$bs\" >/dev/null 2>&1; zrep_set \"$sp=$st\" \"$bs\" >&2; fi; "
    "echo ZREP-VERIFIED; "
    "ZREP_PARTNER_FAILOVER=1 \"$@\" </dev/null >&2; r=$?; "
    "m=$(zrep_local \"$mp\" \"$pf\" 2>/dev/null); "
    "echo \"ZREP-TAKEOVER $r $m\"";

/* $1 properties to list, $2 the source fs, then `zrep snaponly SRCFS`. */
static const char snaplist_script[] = "pr=$1; fs=$2; shift 2; n=$(\"$@\" </dev/null); r=$?; "
                                      "if [ $r -ne 0 ]; then echo \"ZREP-SNAPFAIL $r\"; exit 0; fi; "
                                      "echo \"ZREP-NEWSNAP $n\"; echo ZREP-LIST; "
                                      "zrep_rows \"$pr\" \"$fs\" || echo ZREP-LISTFAIL";

/* $1 `zrep _refreshcomplete ...`, $2 `zrep expire -L SRCFS` or "" (quoted command lines). */
static const char complete_script[] =
    "c=$1; e=$2; if eval \"$c\" </dev/null >&2; then echo ZREP-COMPLETE; fi; "
    "if [ -n \"$e\" ]; then if eval \"$e\" </dev/null >&2; then echo ZREP-EXPIRE-OK; "
    "else echo ZREP-EXPIRE-FAILED; fi; fi";

/* $1 the target of a receive that was given up on. */
static const char killrecv_script[] = KILLRECV_FN "echo \"ZREP-KILLED $(zrep_killrecv \"$1\")\"";

/* $1 properties, then datasets: their PROPS rows, STATUS-PROPS, their
 * snapshots' guid rows, STATUS-SNAPS, their written rows, STATUS-END (a
 * section is empty where zfs has no answer). */
static const char status_script[] =
    "p=$1; shift; zrep_getrows \"$p\" \"$@\" 2>/dev/null; echo ZREP-STATUS-PROPS; "
    "zrep_snapguids \"$@\" 2>/dev/null; echo ZREP-STATUS-SNAPS; "
    "zrep_getrows written \"$@\" 2>/dev/null; echo ZREP-STATUS-END";

/* $1 DESTFS ("" = usage only), $2 its parent: zfs allow's usage, USAGE-END, then
 * TARGET T (DESTFS if it exists, else the parent), T's permissions, ALLOW-END STATUS. */
static const char allow_script[] = "zrep_allow_usage; echo ZREP-USAGE-END; "
                                   "[ -n \"$1\" ] || exit 0; "
                                   "if zrep_exists \"$1\"; then t=$1; else t=$2; fi; "
                                   "echo \"ZREP-TARGET $t\"; zrep_allow \"$t\"; echo \"ZREP-ALLOW-END $?\"";

/* $1 ZREP_OUTFILTER (the user's shell code), then the sending command's words. */
static const char pullsend_script[] = "f=$1; shift; \"$@\" | eval \"$f\"";

static void call_init(struct remote_call *c, const char *name, const char *script)
{
	c->name = name;
	c->script = script;
	c->args = (struct strv)STRV_INIT;
}

void remote_call_free(struct remote_call *c)
{
	strv_clear(&c->args);
}

static char *joined(char *const *argv)
{
	struct strbuf sb = STRBUF_INIT;
	sh_join(&sb, argv);
	return sb_detach(&sb);
}

void remote_zrep_argv(struct strv *sv)
{
	strv_split(sv, cfg.zrep_path);
	/* -R first: the shell zrep only recognises it as the very first argument. */
	if (cfg.recursive)
		strv_push(sv, "-R");
	if (strcmp(cfg.tag, "zrep") != 0) {
		strv_push(sv, "-t");
		strv_push(sv, cfg.tag);
	}
	if (msg_debug)
		strv_push(sv, "-D");
}

void remote_push_call(struct remote_call *c, const struct remote_push_params *p)
{
	call_init(c, "push", push_script);
	strv_push(&c->args, p->target);
	strv_push(&c->args, p->master_prop ? p->master_prop : "");
	strv_push(&c->args, p->sent_prop ? p->sent_prop : "");
	strv_push(&c->args, p->snap ? p->snap : "");
	strv_push(&c->args, p->recv_cmd);
	strv_push(&c->args, p->recv_cmd_s ? p->recv_cmd_s : "");
	strv_push(&c->args, p->hold_tag ? p->hold_tag : "");
	strv_push(&c->args, p->list_props ? p->list_props : "");
	strv_push(&c->args, p->kill_leftover ? "1" : "");
	strv_push(&c->args, p->probe_usage ? "1" : "");
	strv_pushv(&c->args, p->set_after);
}

void remote_destlist_call(struct remote_call *c, const char *props, int probe_usage, char *const *datasets)
{
	call_init(c, "destlist", destlist_script);
	strv_push(&c->args, props);
	strv_push(&c->args, probe_usage ? "1" : "");
	strv_pushv(&c->args, datasets);
}

void remote_finish_call(struct remote_call *c, const char *sent_prop, long long sent_time,
                        const char *hold_tag, char *const *words)
{
	call_init(c, "finish", finish_script);
	strv_push(&c->args, sent_prop);
	strv_pushf(&c->args, "%lld", sent_time);
	strv_push(&c->args, hold_tag ? hold_tag : "");
	strv_pushv(&c->args, words);
}

void remote_expire_call(struct remote_call *c, const char *destfs, const char *master_prop,
                        char *const *expire_argv)
{
	call_init(c, "expire", expire_script);
	strv_push(&c->args, destfs);
	strv_push(&c->args, master_prop);
	strv_pushv(&c->args, expire_argv);
}

void remote_features_call(struct remote_call *c)
{
	call_init(c, "features", features_script);
}

void remote_probe_call(struct remote_call *c, const char *ds)
{
	call_init(c, "probe", probe_script);
	strv_push(&c->args, ds);
}

void remote_promote_call(struct remote_call *c, const struct remote_promote_params *p)
{
	call_init(c, "promote", promote_script);
	strv_push(&c->args, p->bsnap);
	strv_push(&c->args, p->want_guid);
	strv_push(&c->args, p->rollback ? "1" : "");
	strv_push(&c->args, p->sent_prop);
	strv_pushf(&c->args, "%lld", p->sent_time);
	strv_push(&c->args, p->master_prop);
	strv_push(&c->args, p->pfs);
	strv_push(&c->args, cfg.tag);
	strv_pushv(&c->args, p->takeover_argv);
}

void remote_snaplist_call(struct remote_call *c, const char *props, const char *srcfs,
                          char *const *snaponly_argv)
{
	call_init(c, "snaplist", snaplist_script);
	strv_push(&c->args, props);
	strv_push(&c->args, srcfs);
	strv_pushv(&c->args, snaponly_argv);
}

void remote_complete_call(struct remote_call *c, char *const *complete_argv, char *const *expire_argv)
{
	call_init(c, "complete", complete_script);
	strv_push_nodup(&c->args, joined(complete_argv));
	if (expire_argv)
		strv_push_nodup(&c->args, joined(expire_argv));
	else
		strv_push(&c->args, "");
}

void remote_killrecv_call(struct remote_call *c, const char *target)
{
	call_init(c, "killrecv", killrecv_script);
	strv_push(&c->args, target);
}

void remote_status_call(struct remote_call *c, const char *props, char *const *datasets)
{
	call_init(c, "status", status_script);
	strv_push(&c->args, props);
	strv_pushv(&c->args, datasets);
}

void remote_allow_call(struct remote_call *c, const char *destfs, const char *parent)
{
	call_init(c, "allow", allow_script);
	strv_push(&c->args, destfs ? destfs : "");
	strv_push(&c->args, parent);
}

void remote_pullsend_call(struct remote_call *c, const char *outfilter, char *const *send_argv)
{
	call_init(c, "pullsend", pullsend_script);
	strv_push(&c->args, outfilter);
	strv_pushv(&c->args, send_argv);
}

void remote_build(const struct host *h, const struct remote_call *c, struct strv *out)
{
	struct strbuf text = STRBUF_INIT;
	sb_adds(&text, zfs_sh_functions);
	sb_adds(&text, c->script);
	host_build_script(h, sb_str(&text), c->args.v, out);
	sb_release(&text);
}

/* Builds the argv that runs c (or argv) on h, counts a connection, and
 * shows the words when debugging. */
static void prepare(const struct host *h, const struct remote_call *c, char *const *argv, struct strv *out)
{
	if (c)
		remote_build(h, c, out);
	else
		host_build_argv(h, argv, out);
	remote_count(h);
	if (msg_debug) {
		if (c) {
			struct strbuf sb = STRBUF_INIT;
			sh_join(&sb, c->args.v);
			debug("run %s script on %s with: %s", c->name, h->name, sb_str(&sb));
			sb_release(&sb);
		} else {
			struct strbuf sb = STRBUF_INIT;
			sh_join(&sb, out->v);
			debug("run on %s: %s", h->name, sb_str(&sb));
			sb_release(&sb);
		}
	}
}

void remote_count(const struct host *h)
{
	if (!h->local)
		remote_connections++;
}

void remote_reply_free(struct remote_reply *r)
{
	sb_release(&r->out);
	sb_release(&r->err);
	strv_clear(&r->lines);
}

int remote_marker(const char *line, const char *name, const char **arg)
{
	if (!str_starts(line, "ZREP-"))
		return 0;
	const char *s = line + 5;
	size_t n = strlen(name);
	if (strncmp(s, name, n) != 0 || (s[n] != '\0' && s[n] != ' '))
		return 0;
	if (arg)
		*arg = s[n] ? s + n + 1 : s + n;
	return 1;
}

const char *remote_find(const struct remote_reply *r, const char *name)
{
	const char *arg;
	for (size_t i = 0; i < r->lines.n; i++)
		if (remote_marker(r->lines.v[i], name, &arg))
			return arg;
	return NULL;
}

const char *remote_after(const struct remote_reply *r, const char *name)
{
	const char *s = sb_str(&r->out);
	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *next = s[n] ? s + n + 1 : s + n;
		char *line = xstrndup(s, n);
		int hit = remote_marker(line, name, NULL);
		free(line);
		if (hit)
			return next;
		s = next;
	}
	return NULL;
}

int remote_run(const struct host *h, const struct remote_call *c, int err, struct remote_reply *r)
{
	struct strv argv = STRV_INIT;
	prepare(h, c, NULL, &argv);
	struct proc p;
	proc_init(&p, argv.v);
	p.err = err;
	p.timeout = cfg.timeout;
	r->status = exec_run(&p);
	r->timed_out = p.timed_out;
	if (p.timed_out)
		error("%s on %s took more than ZREP_TIMEOUT=%d seconds; ended", c->name, h->name,
		      cfg.timeout);
	sb_init(&r->out);
	sb_init(&r->err);
	r->lines = (struct strv)STRV_INIT;
	sb_adds(&r->out, sb_str(&p.out_buf));
	sb_adds(&r->err, sb_str(&p.err_buf));
	strv_lines(&r->lines, sb_str(&r->out));
	proc_release(&p);
	strv_clear(&argv);
	return r->status;
}

int remote_start(const struct host *h, const struct remote_call *c, struct proc *p, struct strv *argv)
{
	prepare(h, c, NULL, argv);
	proc_init(p, argv->v);
	p->in = EXEC_PIPE;
	p->out = EXEC_PIPE;
	p->err = EXEC_TMPFILE;
	return exec_start(p);
}

void line_reader_init(struct line_reader *rd, int fd)
{
	rd->fd = fd;
	rd->start = rd->end = 0;
}

int remote_read_line(struct line_reader *rd, struct strbuf *line, double deadline)
{
	sb_reset(line);
	for (;;) {
		char *b = rd->buf + rd->start;
		size_t have = rd->end - rd->start;
		char *nl = have ? memchr(b, '\n', have) : NULL;
		if (nl) {
			sb_add(line, b, (size_t)(nl - b));
			rd->start += (size_t)(nl - b) + 1;
			return 1;
		}
		/* a part of a line: kept in the buffer (at its start) until its newline comes */
		if (have == sizeof(rd->buf)) {
			sb_add(line, rd->buf, have); /* a longer line: taken in pieces */
			have = 0;
		} else if (rd->start > 0) {
			memmove(rd->buf, b, have);
		}
		rd->start = 0;
		rd->end = have;
		if (deadline) {
			struct pollfd pfd = {rd->fd, POLLIN, 0};
			double left = deadline - mono_now();
			int pr = left > 0 ? poll(&pfd, 1, (int)(left * 1000) + 1) : 0;
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr == 0)
				return -1;
		}
		ssize_t r = read(rd->fd, rd->buf + rd->end, sizeof(rd->buf) - rd->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			sb_add(line, rd->buf, rd->end);
			rd->end = 0;
			return line->len > 0;
		}
		rd->end += (size_t)r;
	}
}

int remote_exec_together(const struct host *h, char *const *const *argvs, struct proc *ps, size_t n)
{
	struct strv *full = xmalloc((n ? n : 1) * sizeof(*full));
	for (size_t i = 0; i < n; i++) {
		full[i] = (struct strv)STRV_INIT;
		prepare(h, NULL, argvs[i], &full[i]);
		ps[i].argv = full[i].v;
	}
	int bad = exec_together(ps, n);
	for (size_t i = 0; i < n; i++) {
		ps[i].argv = NULL;
		strv_clear(&full[i]);
	}
	free(full);
	return bad;
}

int remote_exec_start(const struct host *h, char *const *argv, struct proc *p, struct strv *full)
{
	prepare(h, NULL, argv, full);
	p->argv = full->v;
	return exec_start(p);
}

int remote_exec(const struct host *h, char *const *argv, struct proc *p)
{
	struct strv full = STRV_INIT;
	prepare(h, NULL, argv, &full);
	p->argv = full.v;
	int st = exec_run(p);
	p->argv = NULL;
	strv_clear(&full);
	return st;
}
