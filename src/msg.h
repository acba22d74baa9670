/*
 * msg: every human-readable message goes through here. Errors and warnings
 * go to stderr with the "zrep: " prefix; progress notes go to stdout (or
 * stderr, see msg_notes_to_stderr); debug lines go to stderr only (never
 * into parsed output or a data stream).
 */
#ifndef ZREP_MSG_H
#define ZREP_MSG_H

extern int msg_debug; /* -D / DEBUG */

/* "zrep: <msg>" on stderr; returns -1 so library code can `return error(...)`. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "zrep: warning: <msg>" on stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress/information line on stdout. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Information line on stderr (for commands whose stdout is machine-read). */
void note_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "zrep: debug: <msg>" on stderr when debugging. */
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* When set, note() writes to stderr instead (keeps stdout machine-readable). */
extern int msg_notes_to_stderr;

#endif
