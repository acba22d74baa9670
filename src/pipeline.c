/*
 * pipeline: see pipeline.h. The push script and its markers are remote.c's;
 * this file wires the stages, reads the markers and decides what failed.
 * ZREP_OUTFILTER / ZREP_INFILTER are the user's shell code, by design the
 * one place a user string reaches a shell.
 */
#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bookmark.h"
#include "config.h"
#include "exec_pump.h"
#include "exec.h"
#include "expire.h"
#include "msg.h"
#include "progress.h"
#include "props.h"
#include "zrepfs.h"

#define MAX_STAGES 4

int xfer_blame(const int *status, const char *const *err, const int *remote, size_t n)
{
	int b = pipeline_blame(status, err, n);
	if (b < 0 || (size_t)b == n - 1)
		return b;
	size_t r = n - 1;
	if (status[r] != 0 && err && err[r] && *err[r] &&
	    zfs_classify(status[b], err[b], remote ? remote[b] : 0) == ZE_OTHER)
		return (int)r;
	return b;
}

static void handle_marker(const char *l, struct push_result *res)
{
	const char *a;
	if (str_starts(l, "ZREP-"))
		res->reached = 1;
	if (remote_marker(l, "MASTER", NULL)) {
		res->dest_master = 1;
	} else if (remote_marker(l, "NODEST", &a)) {
		res->dest_missing = 1;
		free(res->detail);
		res->detail = xstrdup(a);
	} else if (remote_marker(l, "RECV-OK", NULL)) {
		res->recv_ok = 1;
	} else if (remote_marker(l, "RECV-FAILED", NULL)) {
		res->recv_failed = 1;
	} else if (remote_marker(l, "GUID", &a)) {
		free(res->guid);
		res->guid = xstrdup(a);
	} else if (remote_marker(l, "SENT", NULL)) {
		res->sent_marked = 1;
	} else if (remote_marker(l, "HELD", NULL)) {
		res->held = 1;
	} else if (remote_marker(l, "EXPIRE-OK", NULL)) {
		res->expire_ran = res->expire_ok = 1;
	} else if (remote_marker(l, "EXPIRE-FAILED", NULL)) {
		res->expire_ran = 1;
	} else if (remote_marker(l, "SNAP", &a)) {
		const char *tab = strrchr(a, '\t');
		if (tab && strchr(a, '@')) {
			strv_push_nodup(&res->remote_names, xstrndup(a, (size_t)(tab - a)));
			strv_push(&res->remote_guids, tab + 1);
		}
	} else if (remote_marker(l, "KILLED", &a)) {
		note("ended %s receive%s into the destination left running by an earlier run", a,
		     strcmp(a, "1") ? "s" : "");
	} else if (remote_marker(l, "ABORTED", NULL)) {
		res->aborted = 1;
	} else if (remote_marker(l, "SETFAIL", &a)) {
		warn("could not apply %s on the destination", a);
	}
}

void push_result_free(struct push_result *r)
{
	free(r->guid);
	free(r->detail);
	free(r->adopted_base);
	free(r->token);
	strv_clear(&r->remote_names);
	strv_clear(&r->remote_guids);
	zerr_clear(&r->err);
	memset(r, 0, sizeof(*r));
}

/* The base to send from: the newest of our zrep snapshots whose guid the
 * destination holds (under any name: zfs receive matches an incremental
 * source by guid), when that differs from o->base (recorded in
 * res->adopted_base): newer when an earlier transfer completed but was
 * never recorded here (even one renamed _unsent), older when the
 * destination lost (or never got) what we recorded as sent. */
static const char *common_base(const struct push_opts *o, struct push_result *res)
{
	const struct zsnap *best = zsnaps_common_base(o->local_snaps, res->remote_names.v,
	                                              res->remote_guids.v, res->remote_names.n, o->snap);
	const char *bm = bookmark_pick(o->local_snaps, res->remote_names.v, res->remote_guids.v,
	                               res->remote_names.n, best, o->snap);
	if (bm)
		return bm; /* the snapshot the destination holds is gone here (bookmark.h) */
	if (best && (!o->base || strcmp(best->name, o->base) != 0)) {
		res->adopted_base = xstrdup(best->name);
		return best->name;
	}
	return o->base;
}

/* Appends sh -c WORDS to sv (a filter stage). */
static void filter_argv(struct strv *sv, const char *code)
{
	strv_push(sv, "sh");
	strv_push(sv, "-c");
	strv_push(sv, code);
}

/* The receive command line of o (resumable with -s), run by the remote sh through eval. */
static char *recv_line(const struct push_opts *o, int resumable)
{
	struct recv_opts ro = o->recv;
	if (resumable)
		ro.resumable = 1;
	struct strv rv = STRV_INIT;
	zfs_argv_recv(&rv, &ro);
	struct strbuf rcv = STRBUF_INIT;
	if (cfg.infilter) {
		sb_adds(&rcv, cfg.infilter);
		sb_adds(&rcv, " | ");
	}
	sh_join(&rcv, rv.v);
	strv_clear(&rv);
	return sb_detach(&rcv);
}

/* The destination's listing in sync mode: its split-brain property, its savecount and its snapshots
 * (userrefs where it has holds); the script adds receive_resume_token where it can resume. */
char *push_list_props(const struct zfs_features *df)
{
	int holds = !df || df->holds;
	return xasprintf("%s,%s,%s,guid,creation%s%s", P.master, P.savecount, P.sent,
	                 holds ? ",userrefs" : "", df && df->recv_s ? ",receive_resume_token" : "");
}

void push_call(const struct push_opts *o, const struct zfs_features *df, struct remote_call *c)
{
	char *rcv = recv_line(o, 0);
	char *rcvs = o->resumable && !o->recv.resumable && (!df || df->recv_s) ? recv_line(o, 1) : NULL;
	char *lp = o->check_master && o->local_snaps && !o->dest_rows ? push_list_props(df) : NULL;
	const char *at = o->snap ? strchr(o->snap, '@') : NULL;
	struct remote_push_params pp = {
	    .target = o->recv.target,
	    /* rows read ahead were checked here; a forced receive checks again right before it */
	    .master_prop = o->check_master && (!o->dest_rows || o->recv.force) ? P.master : NULL,
	    .sent_prop = o->mark_sent ? P.sent : NULL,
	    .snap = at ? at + 1 : NULL,
	    .recv_cmd = rcv,
	    .recv_cmd_s = rcvs,
	    .hold_tag = o->hold && o->mark_sent ? cfg.tag : NULL,
	    .list_props = lp,
	    .kill_leftover = o->kill_leftover,
	    .probe_usage = df == NULL,
	    .set_after = o->set_after,
	};
	remote_push_call(c, &pp);
	free(rcv);
	free(rcvs);
	free(lp);
}

void push_answer(const struct push_opts *o, const struct zprops *rows, const struct zfs_features *df,
                 int resumable, long long sent_time, struct strbuf *out, long *planned)
{
	*planned = 0;
	sb_adds(out, resumable ? "GO-S\n" : "GO\n");
	sb_addf(out, "T %lld\n", sent_time);
	if (o->abort_token)
		sb_adds(out, "A\n");
	if (o->want_guid || o->token)
		sb_adds(out, "G\n");
	if (o->defer_dest) {
		sb_adds(out, "D\n.\n"); /* receive only: the rest comes in one call for all */
		return;
	}
	const char *at = o->snap ? strchr(o->snap, '@') : NULL;
	if (rows && at) {
		const char *d = o->recv.target;
		struct zsnaps ds;
		zsnaps_parse(rows, d, cfg.tag, &ds);
		char *newname = xasprintf("%s%s", d, at);
		char *released = xmalloc(ds.n + 1); /* one more: the new one, added below */
		memset(released, 0, ds.n + 1);
		int nrel = 0, overlap = 0;
		/* zrep's hold moves to the new snapshot: released from every other held one */
		if (o->hold && o->mark_sent)
			for (size_t i = 0; i < ds.n; i++)
				if (ds.v[i].userrefs > 0 && strcmp(ds.v[i].name, newname) != 0) {
					sb_addf(out, "R %s\n", ds.v[i].name);
					ds.v[i].userrefs--; /* ours, released before the destroys */
					released[i] = 1;
					nrel++;
				}
		if (o->remote_expire) {
			const struct zprop *sc = zprops_find(rows, d, P.savecount);
			long long keep = 0;
			if (!sc || (sc->src == ZSRC_NONE && strcmp(sc->value, "-") == 0) ||
			    has_control_char(sc->value) || parse_ll(sc->value, &keep) < 0 || keep < 1 ||
			    keep > 1000000) {
				*planned = -1;
			} else {
				if (!zsnaps_find(&ds, at + 1))
					zsnaps_add(&ds, newname, cfg.tag);
				struct zsnap *nw = (struct zsnap *)zsnaps_find(&ds, at + 1);
				if (nw && o->hold && o->mark_sent && nw->userrefs <= 0)
					nw->userrefs = 1;
				size_t *idx = xmalloc((ds.n + 1) * sizeof(*idx));
				long n = plan_expire(&ds, 0, (long)keep, idx);
				if (n > 1 && df && df->destroy_list) {
					sb_adds(out, cfg.recursive ? "LR " : "L ");
					for (long i = 0; i < n; i++) {
						const char *nm = ds.v[idx[i]].name;
						sb_adds(out, i == 0 ? nm : strchr(nm, '@') + 1);
						sb_adds(out, i + 1 < n ? "," : "\n");
					}
				} else {
					for (long i = 0; i < n; i++)
						sb_addf(out, "%s %s\n", cfg.recursive ? "XR" : "X",
						        ds.v[idx[i]].name);
				}
				*planned = n > 0 ? n : 0;
				for (long i = 0; i < n; i++)
					overlap |= released[idx[i]];
				free(idx);
			}
		}
		if (nrel && !overlap)
			sb_adds(out, "P\n"); /* the releases may run beside the destroys */
		free(released);
		free(newname);
		zsnaps_free(&ds);
	}
	sb_adds(out, ".\n");
}

/* The sending stages of o from base (zfs send [| outfilter]) in st (n of them), not started. */
static void send_stages(const struct push_opts *o, const char *base, struct proc *st, size_t *n,
                        struct strv *sv, struct strv *fv)
{
	struct send_opts so = {
	    .from = base,
	    .inc_flag = cfg.inc_flag,
	    .snap = o->snap,
	    .token = o->token,
	    .props = o->props,
	    .recursive = cfg.recursive,
	    .verbose = o->verbose,
	    .extra = o->token ? cfg.resume_flags : cfg.send_flags,
	};
	zfs_argv_send(sv, &so);
	*n = 0;
	proc_init(&st[(*n)++], sv->v);
	if (cfg.outfilter) {
		filter_argv(fv, cfg.outfilter);
		proc_init(&st[(*n)++], fv->v);
	}
	st[0].err_tee = o->verbose;
	st[0].ignore_sigpipe = 1;
}

/* Runs the stages into fd (which it closes), relayed through x. */
static int run_send(int fd, struct proc *st, size_t n, struct exec_xfer *x)
{
	x->after = (int)n - 1;
	x->to_fd = fd;
	x->stall_secs = cfg.stall_timeout;
	return exec_pipeline_xfer(st, n, x);
}

/* What the send of o from base will move, for the progress line: written@BASE for an
 * incremental, referenced for a full send; 0 when the zfs cannot tell. */
static unsigned long long send_estimate(const struct push_opts *o, const char *base)
{
	if (!o->snap || o->token)
		return 0;
	const char *at = strchr(o->snap, '@');
	char *v = NULL;
	struct zerr e = {0};
	if (base && at && strchr(base, '@')) {
		char *fs = xstrndup(o->snap, (size_t)(at - o->snap));
		zfs_get_written_since(&local_host, fs, strchr(base, '@') + 1, &v, &e);
		free(fs);
	} else {
		zfs_get_one(&local_host, "referenced", o->snap, 0, &v, &e);
	}
	unsigned long long n = 0;
	if (!v || parse_ull(v, &n) < 0)
		n = 0;
	free(v);
	zerr_clear(&e);
	return n;
}

/* After giving up on a transfer: ends what is left of the receive into target on dest. */
static void kill_remote_receive(const struct host *dest, const char *target)
{
	struct remote_call c;
	remote_killrecv_call(&c, target);
	struct remote_reply r;
	remote_run(dest, &c, EXEC_CAPTURE, &r);
	const char *n = remote_find(&r, "KILLED");
	if (!n)
		warn("could not check %s for a leftover receive into %s", dest->name, target);
	else if (strcmp(n, "0") != 0)
		note("ended %s leftover receive%s into %s on %s", n, strcmp(n, "1") ? "s" : "", target,
		     dest->name);
	remote_reply_free(&r);
	remote_call_free(&c);
}

static void strip_trailing_newlines(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

/* What push needs from the destination's (checked) rows: split brain, a partial receive, its
 * snapshots. Returns 0 to go on, -1 to stop (res says why). */
static int analyse_rows(const struct push_opts *o, const struct zprops *rows, struct push_result *res)
{
	const struct zprop *m = zprops_find(rows, o->recv.target, P.master);
	if (m && m->src == ZSRC_LOCAL && strcmp(m->value, "yes") == 0) {
		res->dest_master = 1;
		return -1;
	}
	const struct zprop *t = zprops_find(rows, o->recv.target, "receive_resume_token");
	if (t && strcmp(t->value, "-") != 0 && *t->value) {
		res->token = xstrdup(t->value);
		if (o->stop_on_token)
			return -1;
	}
	struct zsnaps ds;
	zsnaps_parse(rows, o->recv.target, cfg.tag, &ds);
	for (size_t i = 0; i < ds.n; i++)
		if (ds.v[i].guid) {
			strv_push(&res->remote_names, ds.v[i].name);
			strv_push(&res->remote_guids, ds.v[i].guid);
		}
	zsnaps_free(&ds);
	return 0;
}

/* The destination's listing (text between LIST and LIST-END): checks it and reads what push needs.
 * Returns 0 to go on, -1 to stop (res says why). */
static int read_listing(const struct push_opts *o, const char *props, const char *text, int status,
                        struct zprops *rows, struct push_result *res)
{
	char *dsv[] = {(char *)o->recv.target, NULL};
	if (status != 0) {
		struct zerr e = {0};
		zerr_set(&e, status, text, 1);
		if (e.kind == ZE_NOENT) {
			res->dest_missing = 1;
			res->detail = xstrdup(*text ? text : "no such dataset");
			strip_trailing_newlines(res->detail);
		} else {
			zerr_set(&res->err, status, text, 1);
		}
		zerr_clear(&e);
		return -1;
	}
	if (zfs_parse_get(text, rows) < 0 || zfs_rows_check(rows, props, dsv, 1) < 0) {
		zprops_free(rows);
		zerr_set(&res->err, 1,
		         "the destination's listing does not check out (a property value holds a newline?); "
		         "refusing to act on it",
		         1);
		res->err.kind = ZE_OTHER;
		return -1;
	}
	return analyse_rows(o, rows, res);
}

int push(const struct host *dest, const struct push_opts *o, struct push_result *res)
{
	memset(res, 0, sizeof(*res));
	if (o->dest_rows && analyse_rows(o, o->dest_rows, res) < 0) {
		res->reached = 1; /* it answered, ahead of time */
		return -1;
	}
	const struct zfs_features *df = zfs_features_peek(dest);
	struct remote_call call;
	push_call(o, df, &call);
	struct strv full = STRV_INIT;
	struct proc rp;
	debug("push to %s:%s", dest->name, o->recv.target);
	int started = remote_start(dest, &call, &rp, &full);
	remote_call_free(&call);
	if (started < 0) {
		zerr_set(&res->err, -1, "could not start the remote side", !dest->local);
		strv_clear(&full);
		return -1;
	}

	struct strbuf line = STRBUF_INIT, block = STRBUF_INIT;
	struct line_reader *rd = xmalloc(sizeof(*rd));
	line_reader_init(rd, rp.out_fd);
	struct zprops rows = {0};
	int have_rows = 0;
	int ready = 0, rl, stop = 0;
	if (o->before_ready && o->before_ready(o->ctx) < 0)
		stop = res->local_failed = 1;
	/* The send from the expected base starts now and fills its pipe while the destination
	 * lists and answers, as `zfs send | ssh` does during the handshake; it is abandoned when
	 * the listing leads elsewhere. */
	struct proc st[MAX_STAGES];
	size_t nst = 0;
	struct strv sv = STRV_INIT, fv = STRV_INIT;
	int pre = 0;
	if (!stop && o->snap && o->base && !o->token) {
		send_stages(o, o->base, st, &nst, &sv, &fv);
		pre = exec_prestart(&st[0]) == 0;
		if (!pre) {
			strv_clear(&sv);
			strv_clear(&fv);
			nst = 0;
		}
	}
	char *lprops = NULL;
	enum { PLAIN, USAGE, LISTING } mode = PLAIN;
	double deadline = cfg.timeout ? mono_now() + cfg.timeout : 0;
	while (!ready && (rl = remote_read_line(rd, &line, deadline)) > 0) {
		const char *l = sb_str(&line);
		const char *a;
		if (mode != PLAIN) {
			/* A block's lines are data, never markers, up to its end marker (a forged end
			 * leaves a listing whose grid does not check out). */
			if (mode == USAGE && remote_marker(l, "USAGE-END", NULL)) {
				zfs_features_learned(dest, sb_str(&block));
				df = zfs_features_peek(dest);
			} else if (mode == LISTING && remote_marker(l, "LIST-END", &a)) {
				long long lst = 1;
				parse_ll(a, &lst);
				have_rows =
				    read_listing(o, lprops, sb_str(&block), (int)lst, &rows, res) == 0;
				stop = !have_rows;
			} else {
				sb_adds(&block, l);
				sb_adds(&block, "\n");
				continue;
			}
			sb_reset(&block);
			mode = PLAIN;
			continue;
		}
		debug("remote: %s", l);
		if (str_starts(l, "ZREP-"))
			res->reached = 1;
		if (remote_marker(l, "USAGE", NULL)) {
			mode = USAGE;
		} else if (remote_marker(l, "LIST", &a)) {
			free(lprops);
			lprops = xstrdup(a);
			mode = LISTING;
		} else {
			ready = remote_marker(l, "READY", NULL);
			handle_marker(l, res);
			if (res->dest_master || res->dest_missing)
				break;
		}
	}
	sb_release(&block);
	free(lprops);

	if (!ready && !res->dest_master && !res->dest_missing && rl < 0)
		res->timed_out = 1;
	if (stop)
		ready = 0;
	const char *base = o->base;
	if (ready && o->local_snaps)
		base = common_base(o, res);
	if (ready) {
		struct strbuf ans = STRBUF_INIT;
		long planned = 0;
		res->used_s = o->recv.resumable || (o->resumable && df && df->recv_s);
		res->sent_time = now_secs();
		struct push_opts oa = *o;
		oa.defer_dest = o->defer_dest && o->dest_rows && !res->adopted_base;
		res->dest_deferred = oa.defer_dest;
		push_answer(&oa, have_rows ? &rows : o->dest_rows, df, res->used_s && !o->recv.resumable,
		            res->sent_time, &ans, &planned);
		if (planned == 0)
			res->expire_ok = 1; /* nothing to destroy there */
		else if (planned < 0)
			res->expire_unusable = 1; /* not expired there; the caller says so */
		debug("answer to the destination: %s", sb_str(&ans));
		if (write_full(rp.in_fd, sb_str(&ans), ans.len) < 0)
			ready = 0;
		sb_release(&ans);
	} else if (rp.in_fd >= 0) {
		write_full(rp.in_fd, "STOP\n", 5);
	}
	zprops_free(&rows);

	if (pre && !(ready && base && str_eq(base, o->base))) {
		exec_unstart(&st[0]);
		if (st[0].status != 0 && st[0].status != -1)
			debug("send started ahead, not used: %s", sb_str(&st[0].err_buf));
		proc_release(&st[0]);
		if (nst > 1)
			proc_release(&st[1]);
		strv_clear(&sv);
		strv_clear(&fv);
		nst = 0;
		pre = 0;
	}
	struct exec_xfer x = {0};
	struct progress pg;
	char *what = NULL;
	if (ready && progress_enabled()) {
		what = xasprintf("%s to %s:%s", o->snap ? o->snap : "the resumed stream", dest->name,
		                 o->recv.target);
		progress_begin(&pg, what, send_estimate(o, base), !base && !o->token);
		x.progress = progress_update;
		x.ctx = &pg;
	}
	if (ready) {
		res->started = 1;
		if (!pre)
			send_stages(o, base, st, &nst, &sv, &fv);
		run_send(rp.in_fd, st, nst, &x);
		if (x.progress)
			progress_end(&pg, x.bytes);
		res->bytes = x.bytes;
		res->stalled = x.stalled;
	} else {
		close(rp.in_fd);
	}
	rp.in_fd = -1;
	if (!res->stalled && !res->timed_out) {
		/* The rest of the conversation: the receive's end, the marks, the expire. */
		deadline = cfg.timeout ? mono_now() + cfg.timeout : 0;
		int local_ok = res->started && !res->stalled;
		for (size_t i = 0; i < nst; i++)
			local_ok = local_ok && st[i].status == 0;
		while ((rl = remote_read_line(rd, &line, deadline)) > 0) {
			debug("remote: %s", sb_str(&line));
			handle_marker(sb_str(&line), res);
			if (res->recv_ok && local_ok && o->on_received && !res->received_called) {
				res->received_called = 1;
				o->on_received(o->ctx, res);
			}
		}
		if (rl < 0)
			res->timed_out = 1;
	}
	close(rp.out_fd);
	free(rd);
	if (res->stalled || res->timed_out) {
		exec_kill(&rp);
		if (res->started)
			kill_remote_receive(dest, o->recv.target);
	}
	int rst = exec_wait(&rp);
	const char *rerr = sb_str(&rp.err_buf);
	/* zfs receive -s says when it kept a partial state (OpenZFS: "Partially received snapshot
	 * is saved."): only then can the next sync resume */
	res->partial = res->used_s && res->recv_failed && strstr(rerr, "artially received") != NULL;
	if (*rerr)
		debug("remote stderr: %s", rerr);

	int ok = res->recv_ok;
	if (res->stalled || res->timed_out) {
		zerr_set(&res->err, 1, "", !dest->local);
		ok = 0;
	} else if (!res->reached) {
		zerr_set(&res->err, rst ? rst : 1, *rerr ? rerr : "no answer from the remote side",
		         !dest->local);
		if (res->err.kind == ZE_OTHER && rst == SSH_FAILURE)
			res->err.kind = ZE_UNREACHABLE;
	} else if (res->started) {
		/* The stages, the destination's receive last. */
		int status[MAX_STAGES + 1], remote[MAX_STAGES + 1] = {0};
		const char *errs[MAX_STAGES + 1];
		for (size_t i = 0; i < nst; i++) {
			status[i] = st[i].status;
			errs[i] = sb_str(&st[i].err_buf);
		}
		status[nst] = res->recv_ok ? 0 : 1;
		errs[nst] = rerr;
		remote[nst] = !dest->local;
		int b = xfer_blame(status, errs, remote, nst + 1);
		if ((size_t)b == nst)
			zerr_set(&res->err, 1, *rerr ? rerr : "receive failed", !dest->local);
		else if (b >= 0)
			zerr_set(&res->err, status[b], errs[b], 0);
		/* A receiver that is content while the sender failed: the caller
		 * decides by the received snapshot's guid. */
		if (b >= 0) {
			ok = 0;
			res->sender_failed = res->recv_ok;
		}
	}
	for (size_t i = 0; i < nst; i++) {
		st[i].argv = NULL;
		proc_release(&st[i]);
	}
	strv_clear(&sv);
	strv_clear(&fv);
	proc_release(&rp);
	sb_release(&line);
	strv_clear(&full);
	free(what);
	return ok ? 0 : -1;
}

size_t pull_stages(const struct pull_opts *o, struct strv *sv)
{
	size_t n = 0;
	if (cfg.outfilter) {
		struct remote_call c;
		remote_pullsend_call(&c, cfg.outfilter, o->send_argv);
		remote_build(o->src, &c, &sv[n++]);
		remote_call_free(&c);
	} else {
		host_build_argv(o->src, o->send_argv, &sv[n++]);
	}
	if (cfg.infilter)
		filter_argv(&sv[n++], cfg.infilter);
	zfs_argv_recv(&sv[n++], &o->recv);
	return n;
}

int pull(const struct pull_opts *o, struct zerr *err)
{
	struct strv sv[3] = {STRV_INIT, STRV_INIT, STRV_INIT};
	size_t n = pull_stages(o, sv);
	remote_count(o->src);
	struct proc st[MAX_STAGES];
	int remote[MAX_STAGES] = {0};
	remote[0] = !o->src->local;
	for (size_t i = 0; i < n; i++)
		proc_init(&st[i], sv[i].v);
	st[0].err_tee = o->verbose;
	/* The stream is relayed here after the source's stage: counted for the stall limit and
	 * the progress line. */
	struct exec_xfer x = {.after = 0, .to_fd = -1, .stall_secs = cfg.stall_timeout};
	struct progress pg;
	char *what = NULL;
	if (progress_enabled()) {
		what = xasprintf("from %s into %s", o->src->name, o->recv.target);
		progress_begin(&pg, what, 0, 0);
		x.progress = progress_update;
		x.ctx = &pg;
	}
	exec_pipeline_xfer(st, n, &x);
	if (x.progress)
		progress_end(&pg, x.bytes);
	free(what);
	int status[MAX_STAGES];
	const char *errs[MAX_STAGES];
	for (size_t i = 0; i < n; i++) {
		status[i] = st[i].status;
		errs[i] = sb_str(&st[i].err_buf);
	}
	int b = xfer_blame(status, errs, remote, n);
	for (size_t i = 0; b >= 0 && i < n; i++) {
		char sb[64];
		debug("pull stage %zu (%s): %s: %s", i, st[i].argv[0],
		      exec_status_str(status[i], sb, sizeof(sb)), errs[i]);
	}
	if (x.stalled) {
		char *m =
		    xasprintf("stalled: no data moved for %d seconds (ZREP_STALL_TIMEOUT) after %llu bytes",
		              cfg.stall_timeout, x.bytes);
		zerr_set(err, 1, m, 0);
		err->kind = ZE_TIMEOUT;
		free(m);
		b = b >= 0 ? b : 0;
	} else if (b >= 0) {
		zerr_set(err, status[b], errs[b], remote[b]);
	}
	for (size_t i = 0; i < n; i++) {
		st[i].argv = NULL;
		proc_release(&st[i]);
	}
	for (size_t i = 0; i < n; i++)
		strv_clear(&sv[i]);
	return b >= 0 ? -1 : 0;
}
