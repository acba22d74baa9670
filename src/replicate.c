/*
 * replicate: see replicate.h. The script below is ours (never built from
 * user data); every user value travels as a positional parameter, and the
 * receive command line is built from quoted words (plus ZREP_INFILTER,
 * which is documented as shell code the user supplies).
 */
#include "replicate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "exec.h"
#include "hooks.h"
#include "lock.h"
#include "msg.h"
#include "props.h"

/* $1 target, $2 master prop ("" = no check), $3 sent prop, $4 snapshot
 * name after '@', $5 receive command line, $6 expire command line or "",
 * then "prop=value" words to set after the receive. One line, no '!', so
 * that any login shell passes it intact to sh. */
static const char push_script[] =
	"d=$1; mp=$2; sp=$3; sn=$4; rcv=$5; ex=$6; shift 6; "
	"if [ -n \"$mp\" ]; then "
	"m=$(zfs get -H -o value -s local \"$mp\" \"$d\" 2>&1 </dev/null) || { echo \"ZREP-NODEST $m\" | tr '\\n' ' '; echo; exit 0; }; "
	"if [ \"$m\" = yes ]; then echo ZREP-MASTER; exit 0; fi; "
	"zfs get -H -p -o name,value -r -d 1 guid \"$d\" </dev/null | sed 's/^/ZREP-SNAP /'; fi; "
	"echo ZREP-READY; "
	"eval \"$rcv\"; r=$?; "
	"if [ $r -ne 0 ]; then echo \"ZREP-RECV-FAILED $r\"; exit 0; fi; "
	"echo ZREP-RECV-OK; "
	"for pv in \"$@\"; do case $pv in "
	"@inherit=*) zfs inherit \"${pv#@inherit=}\" \"$d\" </dev/null || echo \"ZREP-SETFAIL $pv\";; "
	"*) zfs set \"$pv\" \"$d\" </dev/null || echo \"ZREP-SETFAIL $pv\";; esac; done; "
	"if [ -n \"$sn\" ]; then "
	"g=$(zfs get -H -p -o value guid \"$d@$sn\" </dev/null) && echo \"ZREP-GUID $g\"; "
	"if [ -n \"$sp\" ]; then t=$(date +%s); zfs set \"$sp=$t\" \"$d@$sn\" </dev/null && echo \"ZREP-SENT $t\"; fi; fi; "
	"if [ -n \"$ex\" ]; then if eval \"$ex\" >&2 </dev/null; then echo ZREP-EXPIRE-OK; else echo ZREP-EXPIRE-FAILED; fi; fi; "
	"exit 0";

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

/* Reads one line from fd (unbuffered, byte by byte: a handful of short
 * lines only). Returns 1 with a line, 0 at EOF. */
static int read_line(int fd, struct strbuf *line)
{
	sb_reset(line);
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return line->len > 0;
		if (c == '\n')
			return 1;
		sb_add(line, &c, 1);
	}
}

static void handle_marker(const char *l, struct push_result *res)
{
	if (str_starts(l, "ZREP-")) {
		res->reached = 1;
	}
	if (strcmp(l, "ZREP-MASTER") == 0)
		res->dest_master = 1;
	else if (str_starts(l, "ZREP-NODEST")) {
		res->dest_missing = 1;
		free(res->detail);
		res->detail = xstrdup(l + 11 + (l[11] == ' '));
	} else if (strcmp(l, "ZREP-RECV-OK") == 0)
		res->recv_ok = 1;
	else if (str_starts(l, "ZREP-GUID ")) {
		free(res->guid);
		res->guid = xstrdup(l + 10);
	} else if (str_starts(l, "ZREP-SENT "))
		res->sent_marked = 1;
	else if (strcmp(l, "ZREP-EXPIRE-OK") == 0)
		res->expire_ran = res->expire_ok = 1;
	else if (strcmp(l, "ZREP-EXPIRE-FAILED") == 0)
		res->expire_ran = 1;
	else if (str_starts(l, "ZREP-SNAP ")) {
		const char *tab = strrchr(l, '\t');
		if (tab && strchr(l, '@')) {
			strv_push_nodup(&res->remote_names, xstrndup(l + 10, (size_t)(tab - l - 10)));
			strv_push(&res->remote_guids, tab + 1);
		}
	} else if (str_starts(l, "ZREP-SETFAIL "))
		warn("could not apply %s on the destination", l + 13);
}

void push_result_free(struct push_result *r)
{
	free(r->guid);
	free(r->detail);
	free(r->adopted_base);
	strv_clear(&r->remote_names);
	strv_clear(&r->remote_guids);
	zerr_clear(&r->err);
	memset(r, 0, sizeof(*r));
}

/* The base to send from: the newest snapshot both sides hold with the same
 * guid, when that differs from o->base (recorded in res->adopted_base): newer
 * when an earlier transfer completed but was never recorded here, older when
 * the destination lost (or never got) what we recorded as sent. */
static const char *common_base(const struct push_opts *o, struct push_result *res)
{
	const struct zsnaps *ls = o->local_snaps;
	const struct zsnap *best = NULL;
	for (size_t i = 0; i < ls->n; i++) {
		const struct zsnap *s = &ls->v[i];
		if (!s->is_zrep || s->sn.unsent || !s->guid || (o->snap && strcmp(s->name, o->snap) == 0))
			continue;
		for (size_t k = 0; k < res->remote_names.n; k++) {
			const char *rn = strchr(res->remote_names.v[k], '@');
			if (rn && strcmp(rn + 1, s->snap) == 0 && strcmp(res->remote_guids.v[k], s->guid) == 0)
				best = s;
		}
	}
	if (best && (!o->base || strcmp(best->name, o->base) != 0)) {
		res->adopted_base = xstrdup(best->name);
		return best->name;
	}
	return o->base;
}

int push(const struct host *dest, const struct push_opts *o, struct push_result *res)
{
	memset(res, 0, sizeof(*res));

	/* The receive command line, run by the remote sh through eval. */
	struct strv rv = STRV_INIT;
	zfs_argv_recv(&rv, &o->recv);
	struct strbuf rcv = STRBUF_INIT;
	if (cfg.infilter) {
		sb_adds(&rcv, cfg.infilter);
		sb_adds(&rcv, " | ");
	}
	sh_join(&rcv, rv.v);
	strv_clear(&rv);

	struct strbuf exl = STRBUF_INIT;
	if (o->remote_expire) {
		struct strv ev = STRV_INIT;
		remote_zrep_argv(&ev);
		strv_push(&ev, "expire");
		strv_push(&ev, o->recv.target);
		sh_join(&exl, ev.v);
		strv_clear(&ev);
	}
	const char *at = o->snap ? strchr(o->snap, '@') : NULL;

	struct strv args = STRV_INIT;
	strv_push(&args, o->recv.target);
	strv_push(&args, o->check_master ? P.master : "");
	strv_push(&args, o->mark_sent ? P.sent : "");
	strv_push(&args, at ? at + 1 : "");
	strv_push(&args, sb_str(&rcv));
	strv_push(&args, sb_str(&exl));
	strv_pushv(&args, o->set_after);
	struct strv full = STRV_INIT;
	host_build_script(dest, push_script, args.v, &full);
	strv_clear(&args);
	sb_release(&rcv);
	sb_release(&exl);

	struct proc rp;
	proc_init(&rp, full.v);
	rp.in = EXEC_PIPE;
	rp.out = EXEC_PIPE;
	rp.err = EXEC_TMPFILE;
	if (!dest->local)
		host_ssh_count++;
	debug("push to %s:%s", dest->name, o->recv.target);
	if (exec_start(&rp) < 0) {
		zerr_set(&res->err, -1, "could not start the remote side", !dest->local);
		strv_clear(&full);
		return -1;
	}

	struct strbuf line = STRBUF_INIT;
	int ready = 0;
	while (!ready && read_line(rp.out_fd, &line)) {
		debug("remote: %s", sb_str(&line));
		if (strcmp(sb_str(&line), "ZREP-READY") == 0)
			ready = 1;
		handle_marker(sb_str(&line), res);
		if (res->dest_master || res->dest_missing)
			break;
	}

	const char *base = o->base;
	if (ready && o->local_snaps)
		base = common_base(o, res);

	int send_status = 0;
	struct proc st[2];
	size_t nst = 0;
	if (ready) {
		res->started = 1;
		struct strv sv = STRV_INIT, fv = STRV_INIT;
		struct send_opts so = {
			.from = base,
			.inc_flag = cfg.inc_flag,
			.snap = o->snap,
			.token = o->token,
			.props = o->props,
			.recursive = cfg.recursive,
			.verbose = cfg.verbose,
			.extra = o->token ? cfg.resume_flags : cfg.send_flags,
		};
		zfs_argv_send(&sv, &so);
		proc_init(&st[nst++], sv.v);
		if (cfg.outfilter) {
			strv_push(&fv, "sh");
			strv_push(&fv, "-c");
			strv_push(&fv, cfg.outfilter);
			proc_init(&st[nst++], fv.v);
		}
		st[nst - 1].out = rp.in_fd;
		st[0].err_tee = cfg.verbose;
		st[0].ignore_sigpipe = 1;
		int blame = exec_pipeline(st, nst);
		send_status = blame >= 0 ? st[blame].status : 0;
		close(rp.in_fd);
		rp.in_fd = -1;
		while (read_line(rp.out_fd, &line)) {
			debug("remote: %s", sb_str(&line));
			handle_marker(sb_str(&line), res);
		}
		if (!res->recv_ok && blame >= 0 && send_status != 0) {
			/* Keep the sender's error unless the receiver has one. */
			zerr_set(&res->err, send_status, sb_str(&st[blame].err_buf), 0);
		}
		for (size_t i = 0; i < nst; i++)
			st[i].argv = NULL;
		strv_clear(&sv);
		strv_clear(&fv);
	} else {
		close(rp.in_fd);
		rp.in_fd = -1;
		while (read_line(rp.out_fd, &line))
			handle_marker(sb_str(&line), res);
	}
	close(rp.out_fd);
	int rst = exec_wait(&rp);
	const char *rerr = sb_str(&rp.err_buf);
	if (*rerr)
		debug("remote stderr: %s", rerr);

	if (!res->reached) {
		zerr_set(&res->err, rst ? rst : 1, *rerr ? rerr : "no answer from the remote side", !dest->local);
		if (res->err.kind == ZE_OTHER && rst == SSH_FAILURE)
			res->err.kind = ZE_UNREACHABLE;
	} else if (res->started && !res->recv_ok) {
		/* The receiver's complaint explains a failed send better. */
		if (*rerr && (res->err.kind == ZE_OK || res->err.kind == ZE_OTHER || send_status == 0 ||
			      send_status == 141))
			zerr_set(&res->err, 1, rerr, !dest->local);
		else if (res->err.kind == ZE_OK)
			zerr_set(&res->err, 1, *rerr ? rerr : "receive failed", !dest->local);
	} else if (res->recv_ok && send_status != 0) {
		/* Receiver happy but sender failed: not trustworthy. */
		res->recv_ok = 0;
	}
	for (size_t i = 0; i < nst; i++)
		proc_release(&st[i]);
	proc_release(&rp);
	sb_release(&line);
	strv_clear(&full);
	return res->recv_ok ? 0 : -1;
}

char *makesnap(const struct fsinfo *fi, const struct zsnaps *snaps)
{
	if (!str_eq(fi->src_host, host_local_name())) {
		error("%s: not the master host for this filesystem (src-host is %s, we are %s)", fi->fs,
		      fi->src_host ? fi->src_host : "unset", host_local_name());
		return NULL;
	}
	if (!fslock_held(fi->fs)) {
		error("internal error: makesnap without the lock on %s", fi->fs);
		return NULL;
	}
	unsigned long long next = 0;
	int any = 0;
	for (size_t i = 0; i < snaps->n; i++) {
		if (!snaps->v[i].is_zrep)
			continue;
		if (!any || snaps->v[i].sn.seq >= next)
			next = snaps->v[i].sn.seq + 1;
		any = 1;
	}
	char *name = snapname_format(fi->fs, cfg.tag, next);
	struct zerr e = { 0 };
	if (hook_run("ZREP_PRESNAP_HOOK", cfg.presnap_hook, fi->fs, name, NULL) < 0) {
		error("not snapshotting %s: its ZREP_PRESNAP_HOOK failed", fi->fs);
		free(name);
		return NULL;
	}
	if (zfs_snapshot(&local_host, name, cfg.recursive, &e) != 0) {
		error("cannot create snapshot %s: %s", name, zerr_text(&e));
		zerr_clear(&e);
		hook_run("ZREP_POSTSNAP_HOOK", cfg.postsnap_hook, fi->fs, name, "failed");
		free(name);
		return NULL;
	}
	if (hook_run("ZREP_POSTSNAP_HOOK", cfg.postsnap_hook, fi->fs, name, "ok") < 0)
		warn("%s was taken; its ZREP_POSTSNAP_HOOK failed (see above)", name);
	return name;
}

int mark_sent_local(const char *snap, long long ts)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", ts);
	struct zerr e = { 0 };
	int rc = zfs_set(&local_host, snap, P.sent, buf, &e);
	if (rc != 0)
		error("cannot mark %s as sent: %s", snap, zerr_text(&e));
	zerr_clear(&e);
	return rc ? -1 : 0;
}
