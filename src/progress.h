/*
 * progress: the one refreshing line on stderr while a stream flows: bytes
 * sent, rate, and, against an estimate, percent and ETA. On a terminal, or
 * with --progress anywhere on the command line; never under cron (no
 * terminal) unless asked. It is fed by exec's byte-counting relay, the
 * same counter the stall limit watches.
 */
#ifndef ZREP_PROGRESS_H
#define ZREP_PROGRESS_H

#include <stddef.h>

/* Set by main when --progress was given. */
extern int progress_asked;

/* 1 when a progress line is to be shown: --progress, or stderr is a terminal. */
int progress_enabled(void);

struct progress {
	const char *what;         /* "tank/a@zrep_000002 to h2:tank/a", shown first */
	unsigned long long total; /* estimate in bytes, 0 = unknown */
	int always;               /* show from the start (init); else only past a few MB */
	double t0, last;
	int shown;
};

void progress_begin(struct progress *p, const char *what, unsigned long long estimate, int always);
/* The relay's callback (ctx is the struct progress). */
void progress_update(unsigned long long bytes, void *ctx);
/* The last line, and the newline, when a line was shown. */
void progress_end(struct progress *p, unsigned long long bytes);

/*
 * Pure: the line for bytes after secs, against total (0 = unknown):
 * "WHAT  12.0 MiB  3.0 MiB/s  40%  ETA 0:06" (no percent and ETA without an
 * estimate; a percent over 99 shows as 99 until the end).
 */
void progress_format(char *buf, size_t n, const char *what, unsigned long long bytes, double secs,
                     unsigned long long total, int done);

#endif
