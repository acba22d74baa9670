/*
 * oplog: see oplog.h.
 */
#include "oplog.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "msg.h"
#include "props.h"
#include "statusdoc.h"
#include "zrepfs.h"

static void add_clean(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++)
		sb_add(sb, ((unsigned char)*s < 0x20 || *s == 0x7f) ? " " : s, 1);
}

char *oplog_line(const char *op, const char *fs, int outcome, const char *detail, const char *reason)
{
	struct strbuf sb = STRBUF_INIT;
	add_clean(&sb, op);
	sb_adds(&sb, " ");
	add_clean(&sb, fs);
	if (outcome == OPLOG_OK) {
		sb_adds(&sb, ": ok");
		if (detail && *detail) {
			sb_adds(&sb, " (");
			add_clean(&sb, detail);
			sb_adds(&sb, ")");
		}
	} else if (outcome == OPLOG_SKIPPED) {
		sb_adds(&sb, ": skipped");
		if (detail && *detail) {
			sb_adds(&sb, " (");
			add_clean(&sb, detail);
			sb_adds(&sb, ")");
		}
	} else {
		sb_adds(&sb, ": failed: ");
		add_clean(&sb, reason && *reason ? reason : "unknown error");
	}
	return sb_detach(&sb);
}

static void record_error(const char *fs, const char *reason)
{
	struct zerr e = {0};
	char *dest = NULL;
	/* only on a zrep filesystem of this host (never tag a plain dataset) */
	if (zfs_get_one(&local_host, P.dest_fs, fs, 0, &dest, &e) != 0 || !dest || strcmp(dest, "-") == 0) {
		free(dest);
		zerr_clear(&e);
		return;
	}
	free(dest);
	char *v = lasterror_format(now_secs(), reason && *reason ? reason : "unknown error");
	if (zfs_set(&local_host, fs, P.last_error, v, &e) != 0)
		debug("cannot record %s on %s: %s", P.last_error, fs, zerr_text(&e));
	free(v);
	zerr_clear(&e);
}

void oplog_fs(const char *op, const char *fs, int outcome, const char *detail, int record, int had_error)
{
	const char *reason = msg_last_error();
	if (cfg.syslog) {
		static int opened;
		if (!opened) {
			openlog("zrep", LOG_PID, LOG_DAEMON);
			opened = 1;
		}
		char *line = oplog_line(op, fs, outcome, detail, reason);
		syslog(outcome == OPLOG_FAILED ? LOG_ERR : LOG_INFO, "%s", line);
		free(line);
	}
	if (!record)
		return;
	if (outcome == OPLOG_FAILED) {
		record_error(fs, reason);
	} else if (outcome == OPLOG_OK && had_error) {
		struct zerr e = {0};
		if (zfs_inherit(&local_host, P.last_error, fs, &e) != 0)
			debug("cannot clear %s on %s: %s", P.last_error, fs, zerr_text(&e));
		zerr_clear(&e);
	}
}
