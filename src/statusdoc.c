/*
 * statusdoc: see statusdoc.h. Pure: no I/O.
 */
#include "statusdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const char *fs_state_str(enum fs_state s)
{
	switch (s) {
	case FS_OK:
		return "ok";
	case FS_BEHIND:
		return "behind";
	case FS_FAILING:
		return "failing";
	case FS_LOCKED:
		return "locked";
	case FS_NEVER:
		return "never";
	case FS_SPLIT:
		return "split-brain";
	}
	return "failing";
}

void fsstatus_free(struct fsstatus *st)
{
	free(st->fs);
	free(st->tag);
	free(st->partner_host);
	free(st->partner_fs);
	free(st->last_sent);
	free(st->last_sent_guid);
	free(st->locked_by);
	free(st->error_msg);
	free(st->reason);
	memset(st, 0, sizeof(*st));
}

void partner_view_free(struct partner_view *pv)
{
	free(pv->unreachable);
	free(pv->error_msg);
	zsnaps_free(&pv->snaps);
	memset(pv, 0, sizeof(*pv));
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

/* The newest local zrep snapshot whose guid the partner holds, or NULL. */
static const struct zsnap *common_snap(const struct zsnaps *local, const struct zsnaps *remote)
{
	for (size_t i = local->n; i-- > 0;) {
		const struct zsnap *l = &local->v[i];
		if (!l->is_zrep || !l->guid)
			continue;
		for (size_t k = 0; k < remote->n; k++)
			if (remote->v[k].guid && strcmp(remote->v[k].guid, l->guid) == 0)
				return l;
	}
	return NULL;
}

static void set_reason(struct fsstatus *st, enum fs_state s, char *reason)
{
	st->state = s;
	free(st->reason);
	st->reason = reason;
}

void statusdoc_eval(struct fsstatus *st, const struct zsnaps *local, const struct partner_view *pv,
                    long long now, long long behind_secs)
{
	const struct zsnap *last = zsnaps_last_sent(local);
	long long t;
	free(st->last_sent);
	free(st->last_sent_guid);
	st->last_sent = last ? xstrdup(last->name) : NULL;
	st->last_sent_guid = last && last->guid ? xstrdup(last->guid) : NULL;
	st->has_time = last && report_sent_time(last, &t) == 0;
	st->last_sent_time = st->has_time ? t : 0;
	st->has_lag = st->has_time;
	st->lag_seconds = st->has_time ? (now > t ? now - t : 0) : 0;
	st->unsent_snapshots = report_unsent_count(local);

	/* last_error: the newer of ours and the partner's, unless a success came later. */
	if (pv && pv->has_error && (!st->has_error || pv->error_time > st->error_time)) {
		free(st->error_msg);
		st->error_msg = xstrdup(pv->error_msg ? pv->error_msg : "");
		st->error_time = pv->error_time;
		st->has_error = 1;
	}
	if (st->has_error && st->has_time && st->error_time < st->last_sent_time) {
		free(st->error_msg);
		st->error_msg = NULL;
		st->has_error = 0;
	}

	const char *ph = or_dash(st->partner_host), *pf = or_dash(st->partner_fs);
	const char *lastshort = last ? last->snap : NULL;
	if (pv && pv->checked && pv->reached && pv->exists && st->master && pv->master) {
		set_reason(
		    st, FS_SPLIT,
		    xasprintf("split brain: %s and %s:%s are both master; keep one side and make the other "
		              "a destination (zrep failover -L on it discards its changes)",
		              st->fs, ph, pf));
		return;
	}
	if (st->has_error) {
		set_reason(st, FS_FAILING,
		           xasprintf("the last attempt failed %llds ago: %s",
		                     now > st->error_time ? now - st->error_time : 0, st->error_msg));
		return;
	}
	if (pv && pv->checked) {
		if (!pv->reached) {
			set_reason(st, FS_FAILING,
			           xasprintf("cannot reach %s (%s); check ssh to it", ph,
			                     pv->unreachable ? pv->unreachable : "no answer"));
			return;
		}
		if (!pv->exists) {
			set_reason(st, FS_FAILING,
			           xasprintf("%s:%s does not exist; run zrep init again, or fix %s's %s", ph,
			                     pf, st->fs, st->master ? "dest-fs" : "src-fs"));
			return;
		}
		if (!st->master && !pv->master) {
			set_reason(
			    st, FS_FAILING,
			    xasprintf(
			        "neither %s nor %s:%s is master (an interrupted failover?); re-run zrep "
			        "failover on the old master",
			        st->fs, ph, pf));
			return;
		}
		if (st->master && last && !common_snap(local, &pv->snaps)) {
			set_reason(
			    st, FS_FAILING,
			    xasprintf("%s:%s holds no snapshot of %s by guid; the next sync cannot send "
			              "incrementally (zrep init again)",
			              ph, pf, st->fs));
			return;
		}
		if (st->master && last && pv->has_written && pv->written > 0) {
			const struct zsnap *c = common_snap(local, &pv->snaps);
			set_reason(
			    st, FS_FAILING,
			    xasprintf("destination %s:%s was modified since %s; zrep sync -f discards those "
			              "changes",
			              ph, pf, c ? c->snap : lastshort));
			return;
		}
	}
	if (st->locked_by) {
		set_reason(
		    st, FS_LOCKED,
		    xasprintf(
		        "%s is locked by %s (a zrep at work; if it is not running, its lock is stale and "
		        "the next sync takes it over)",
		        st->fs, st->locked_by));
		return;
	}
	if (!last) {
		set_reason(
		    st, FS_NEVER,
		    xasprintf("%s was never synced: no snapshot is marked sent (zrep init, or zrep sentsync)",
		              st->fs));
		return;
	}
	if (!st->has_time) {
		set_reason(st, FS_FAILING,
		           xasprintf("%s of %s is not a time; zrep sync %s marks the next one", "sent",
		                     last->name, st->fs));
		return;
	}
	if (st->lag_seconds > behind_secs) {
		if (st->master)
			set_reason(
			    st, FS_BEHIND,
			    xasprintf("last sync %llds ago (%s), over %llds; is zrep sync running from cron?",
			              st->lag_seconds, lastshort, behind_secs));
		else
			set_reason(
			    st, FS_BEHIND,
			    xasprintf("last received %llds ago (%s), over %llds; check the syncs on %s",
			              st->lag_seconds, lastshort, behind_secs, ph));
		return;
	}
	set_reason(st, FS_OK,
	           xasprintf("last sync %llds ago (%s), %lu unsent snapshot%s", st->lag_seconds, lastshort,
	                     st->unsent_snapshots, st->unsent_snapshots == 1 ? "" : "s"));
}

/* ---- JSON ---------------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned int cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void json_quote(struct strbuf *sb, const char *s)
{
	sb_adds(sb, "\"");
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			sb_add(sb, "\\", 1);
			sb_add(sb, p, 1);
			p++;
		} else if (c == '\n') {
			sb_adds(sb, "\\n");
			p++;
		} else if (c == '\t') {
			sb_adds(sb, "\\t");
			p++;
		} else if (c == '\r') {
			sb_adds(sb, "\\r");
			p++;
		} else if (c < 0x20) {
			sb_addf(sb, "\\u%04x", c);
			p++;
		} else {
			size_t n = utf8_len(p);
			if (n == 0) {
				sb_adds(sb, "\\ufffd");
				p++;
			} else {
				sb_add(sb, p, n);
				p += n;
			}
		}
	}
	sb_adds(sb, "\"");
}

static void json_key(struct strbuf *sb, const char *key, int first)
{
	sb_adds(sb, first ? "\n    " : ",\n    ");
	json_quote(sb, key);
	sb_adds(sb, ": ");
}

static void json_str_or_null(struct strbuf *sb, const char *key, const char *v)
{
	json_key(sb, key, 0);
	if (v)
		json_quote(sb, v);
	else
		sb_adds(sb, "null");
}

void statusdoc_json(struct strbuf *sb, const struct fsstatus *v, size_t n)
{
	sb_adds(sb, n ? "[" : "[]\n");
	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct fsstatus *s = &v[i];
		sb_adds(sb, i ? ",\n  {" : "\n  {");
		json_key(sb, "fs", 1);
		json_quote(sb, s->fs);
		json_str_or_null(sb, "tag", s->tag);
		json_str_or_null(sb, "role", s->master ? "master" : "destination");
		json_str_or_null(sb, "partner_host", s->partner_host);
		json_str_or_null(sb, "partner_fs", s->partner_fs);
		json_str_or_null(sb, "last_sent", s->last_sent);
		json_str_or_null(sb, "last_sent_guid", s->last_sent_guid);
		json_key(sb, "last_sent_time", 0);
		if (s->has_time)
			sb_addf(sb, "%lld", s->last_sent_time);
		else
			sb_adds(sb, "null");
		json_key(sb, "lag_seconds", 0);
		if (s->has_lag)
			sb_addf(sb, "%lld", s->lag_seconds);
		else
			sb_adds(sb, "null");
		json_key(sb, "unsent_snapshots", 0);
		sb_addf(sb, "%lu", s->unsent_snapshots);
		json_key(sb, "unsent_bytes", 0);
		if (s->has_bytes)
			sb_addf(sb, "%llu", s->unsent_bytes);
		else
			sb_adds(sb, "null");
		json_str_or_null(sb, "locked_by", s->locked_by);
		json_key(sb, "last_error", 0);
		if (s->has_error) {
			sb_addf(sb, "{\"time\": %lld, \"message\": ", s->error_time);
			json_quote(sb, s->error_msg ? s->error_msg : "");
			sb_adds(sb, "}");
		} else {
			sb_adds(sb, "null");
		}
		json_str_or_null(sb, "state", fs_state_str(s->state));
		json_str_or_null(sb, "reason", s->reason ? s->reason : "");
		sb_adds(sb, "\n  }");
	}
	sb_adds(sb, "\n]\n");
}

/* ---- Nagios -------------------------------------------------------------- */

static int fs_level(const struct fsstatus *s, long long warn, long long crit)
{
	if (s->state == FS_FAILING || s->state == FS_SPLIT || s->state == FS_NEVER)
		return 2;
	if (s->has_lag && s->lag_seconds > crit)
		return 2;
	if (s->has_lag && s->lag_seconds > warn)
		return 1;
	return 0;
}

int statusdoc_nagios(struct strbuf *sb, const struct fsstatus *v, size_t n, size_t read_errors,
                     long long warn, long long crit)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	int worst = 0;
	size_t counts[3] = {0, 0, 0};
	long long lag_max = -1;
	const struct fsstatus *maxfs = NULL;
	for (size_t i = 0; i < n; i++) {
		int l = fs_level(&v[i], warn, crit);
		counts[l]++;
		if (l > worst)
			worst = l;
		if (v[i].has_lag && v[i].lag_seconds > lag_max) {
			lag_max = v[i].lag_seconds;
			maxfs = &v[i];
		}
	}
	int code = worst;
	if (worst < 2 && (read_errors > 0 || n == 0))
		code = 3;
	sb_addf(sb, "ZREP %s - ", names[code]);
	if (n == 0 && read_errors == 0) {
		sb_adds(sb, "no zrep filesystems");
	} else {
		sb_addf(sb, "%zu filesystem%s", n + read_errors, n + read_errors == 1 ? "" : "s");
		if (read_errors)
			sb_addf(sb, ", %zu unreadable", read_errors);
		if (counts[2])
			sb_addf(sb, ", %zu critical", counts[2]);
		if (counts[1])
			sb_addf(sb, ", %zu warning", counts[1]);
		/* the worst filesystem (the first at the worst level) says why */
		for (size_t i = 0; i < n && worst > 0; i++) {
			if (fs_level(&v[i], warn, crit) != worst)
				continue;
			sb_addf(sb, ": %s %s", v[i].fs, fs_state_str(v[i].state));
			if (v[i].state != FS_OK && v[i].reason) {
				/* one line: the reason has no newline, but be sure */
				sb_adds(sb, " (");
				for (const char *c = v[i].reason; *c; c++)
					sb_add(sb, (*c == '\n' || *c == '|') ? " " : c, 1);
				sb_adds(sb, ")");
			} else if (v[i].has_lag) {
				sb_addf(sb, " (lag %llds)", v[i].lag_seconds);
			}
			break;
		}
		if (worst == 0 && maxfs)
			sb_addf(sb, ", max lag %llds (%s)", lag_max, maxfs->fs);
	}
	if (lag_max >= 0)
		sb_addf(sb, " | lag_max=%llds;%lld;%lld;0\n", lag_max, warn, crit);
	else
		sb_addf(sb, " | lag_max=U;%lld;%lld;0\n", warn, crit);
	return code;
}

/* ---- Prometheus ---------------------------------------------------------- */

void prom_label_escape(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			sb_adds(sb, "\\\\");
		else if (*s == '"')
			sb_adds(sb, "\\\"");
		else if (*s == '\n')
			sb_adds(sb, "\\n");
		else
			sb_add(sb, s, 1);
	}
}

static void prom_labels(struct strbuf *sb, const struct fsstatus *s)
{
	sb_adds(sb, "{fs=\"");
	prom_label_escape(sb, s->fs);
	sb_adds(sb, "\",tag=\"");
	prom_label_escape(sb, s->tag);
	sb_adds(sb, "\",partner_host=\"");
	prom_label_escape(sb, s->partner_host ? s->partner_host : "");
	sb_adds(sb, "\"}");
}

void statusdoc_prometheus(struct strbuf *sb, const struct fsstatus *v, size_t n, long long now)
{
	static const struct {
		const char *name, *help, *type;
	} m[] = {
	    {"zrep_lag_seconds", "Seconds since the last sent snapshot was sent (absent when never).",
	     "gauge"},
	    {"zrep_last_sent_timestamp_seconds", "When the last sent snapshot was sent (unix time).",
	     "gauge"},
	    {"zrep_unsent_snapshots", "zrep snapshots newer than the last sent one.", "gauge"},
	    {"zrep_unsent_bytes", "Estimated bytes of the unsent snapshots (where the zfs can tell).",
	     "gauge"},
	    {"zrep_sync_failing", "1 when the filesystem's state is failing or split-brain.", "gauge"},
	    {"zrep_master", "1 when this host is the master of the filesystem.", "gauge"},
	};
	for (size_t k = 0; k < ARRAY_SIZE(m); k++) {
		sb_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name, m[k].type);
		for (size_t i = 0; i < n; i++) {
			const struct fsstatus *s = &v[i];
			char val[64];
			switch (k) {
			case 0:
				if (!s->has_lag)
					continue;
				snprintf(val, sizeof(val), "%lld", s->lag_seconds);
				break;
			case 1:
				if (!s->has_time)
					continue;
				snprintf(val, sizeof(val), "%lld", s->last_sent_time);
				break;
			case 2:
				snprintf(val, sizeof(val), "%lu", s->unsent_snapshots);
				break;
			case 3:
				if (!s->has_bytes)
					continue;
				snprintf(val, sizeof(val), "%llu", s->unsent_bytes);
				break;
			case 4:
				snprintf(val, sizeof(val), "%d",
				         s->state == FS_FAILING || s->state == FS_SPLIT);
				break;
			default:
				snprintf(val, sizeof(val), "%d", s->master);
				break;
			}
			sb_adds(sb, m[k].name);
			prom_labels(sb, s);
			sb_addf(sb, " %s\n", val);
		}
	}
	sb_addf(sb,
	        "# HELP zrep_status_timestamp_seconds When zrep wrote this file (unix time).\n"
	        "# TYPE zrep_status_timestamp_seconds gauge\nzrep_status_timestamp_seconds %lld\n",
	        now);
}

/* ---- last-error and lock owner values ------------------------------------ */

#define LASTERROR_MAX 512

char *lasterror_format(long long t, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%lld ", t);
	size_t start = sb.len;
	int space = 0;
	for (const unsigned char *p = (const unsigned char *)(msg ? msg : "");
	     *p && sb.len - start < LASTERROR_MAX; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			space = 1; /* a run of blanks and control characters becomes one space */
			continue;
		}
		if (space && sb.len > start)
			sb_add(&sb, " ", 1);
		space = 0;
		sb_add(&sb, p, 1);
	}
	return sb_detach(&sb);
}

int lasterror_parse(const char *value, long long *t, char **msg)
{
	if (!value)
		return -1;
	const char *sp = strchr(value, ' ');
	char *num = sp ? xstrndup(value, (size_t)(sp - value)) : xstrdup(value);
	int ok = parse_ll(num, t) == 0 && *t >= 0;
	free(num);
	if (!ok)
		return -1;
	*msg = xstrdup(sp ? sp + 1 : "");
	return 0;
}

char *lock_owner_short(const char *owner, long long pid, const char *myhost)
{
	if (owner && *owner) {
		const char *c2 = strrchr(owner, ':');
		if (c2 && c2 != owner && memchr(owner, ':', (size_t)(c2 - owner)))
			return xstrndup(owner, (size_t)(c2 - owner));
		return xstrdup(owner);
	}
	if (pid > 0)
		return xasprintf("%s:%lld", myhost, pid);
	return NULL;
}
