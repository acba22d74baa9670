/*
 * oplog: what an operation on a filesystem leaves behind for operators.
 * One syslog line per filesystem and operation (ident "zrep", facility
 * daemon; ZREP_SYSLOG=no turns it off; never anything on stdout), and for a
 * failed sync or failover the zfs user property TAG:last-error =
 * "UNIXTIME MESSAGE" on the filesystem (control characters stripped),
 * which `status --json` reads here and from the partner, and which the
 * next successful sync removes.
 */
#ifndef ZREP_OPLOG_H
#define ZREP_OPLOG_H

enum { OPLOG_OK = 0, OPLOG_SKIPPED = 1, OPLOG_FAILED = -1 };

/*
 * Logs "OP FS: ok [(detail)]", "OP FS: skipped" or "OP FS: failed: REASON"
 * (REASON: the last error message of this run). With record, a failure is
 * also kept in TAG:last-error of fs (only when fs is a zrep filesystem
 * here) and a success removes a TAG:last-error that had_error says is set.
 */
void oplog_fs(const char *op, const char *fs, int outcome, const char *detail, int record, int had_error);

/* Pure: the syslog line (malloc'd, one line: control characters become spaces). */
char *oplog_line(const char *op, const char *fs, int outcome, const char *detail, const char *reason);

#endif
