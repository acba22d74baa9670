/*
 * progress: see progress.h. At most five refreshes a second; the line is
 * rewritten in place with a carriage return and cleared to its end.
 */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "exec_pump.h"

int progress_asked;

/* Transfers smaller than this show no line (most syncs of a cron minute). */
#define PROGRESS_MIN (4ULL * 1024 * 1024)

int progress_enabled(void)
{
	return progress_asked || isatty(STDERR_FILENO);
}

static void human(char *buf, size_t n, double v)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void progress_format(char *buf, size_t n, const char *what, unsigned long long bytes, double secs,
                     unsigned long long total, int done)
{
	char b[32], r[32];
	human(b, sizeof(b), (double)bytes);
	double rate = secs > 0 ? (double)bytes / secs : 0;
	human(r, sizeof(r), rate);
	int len = snprintf(buf, n, "%s  %s  %s/s", what ? what : "", b, r);
	if (len < 0 || (size_t)len >= n || !total)
		return;
	unsigned long long pct = bytes >= total ? 100 : bytes * 100 / total;
	if (pct > 99 && !done)
		pct = 99;
	if (done) {
		snprintf(buf + len, n - (size_t)len, "  %llu%%", pct);
		return;
	}
	long eta = rate > 0 && total > bytes ? (long)((double)(total - bytes) / rate + 0.5) : 0;
	snprintf(buf + len, n - (size_t)len, "  %llu%%  ETA %ld:%02ld", pct, eta / 60, eta % 60);
}

void progress_begin(struct progress *p, const char *what, unsigned long long estimate, int always)
{
	p->what = what;
	p->total = estimate;
	p->always = always;
	p->t0 = mono_now();
	p->last = 0;
	p->shown = 0;
}

static void show(struct progress *p, unsigned long long bytes, int done)
{
	char line[256];
	progress_format(line, sizeof(line), p->what, bytes, mono_now() - p->t0, p->total, done);
	fprintf(stderr, "\r%s\033[K%s", line, done ? "\n" : "");
	fflush(stderr);
	p->shown = 1;
}

void progress_update(unsigned long long bytes, void *ctx)
{
	struct progress *p = ctx;
	double now = mono_now();
	if (!p->always && bytes < PROGRESS_MIN)
		return;
	if (p->shown && now - p->last < 0.2)
		return;
	p->last = now;
	show(p, bytes, 0);
}

void progress_end(struct progress *p, unsigned long long bytes)
{
	if (p->shown || (p->always && bytes > 0))
		show(p, bytes, 1);
}
