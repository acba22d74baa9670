/*
 * workers: runs one job per filesystem in up to N forked workers at once
 * (sync, synconly and expire of several filesystems, -P N / ZREP_PARALLEL).
 * Each worker's stdout and stderr are collected and printed whole, as one
 * block per filesystem, when it ends: the lines are exactly the ones the
 * sequential run prints, never interleaved with another filesystem's. A
 * worker takes and releases its own locks (they carry its own pid), and
 * releases whatever it still holds on its way out.
 */
#ifndef ZREP_WORKERS_H
#define ZREP_WORKERS_H

#include <stddef.h>

#include "util.h"

/* What a job reports (also a worker's exit status). WORKER_TEMPFAIL: it
 * failed but may work on the next run unchanged (busy, timed out...). */
/* WORKER_DEFERRED: done, and it left its local bookkeeping to the caller, who does it for all
 * such items at once (workers_deferred). */
enum { WORKER_OK = 0, WORKER_FAILED = 1, WORKER_SKIPPED = 3, WORKER_DEFERRED = 4, WORKER_TEMPFAIL = 75 };

/* The items whose job returned WORKER_DEFERRED in the last workers_run, in the order they ended. */
extern struct strv workers_deferred;

/* The default number of workers (bench/sync-all measured it; README). */
#define WORKERS_DEFAULT 8
#define WORKERS_MAX 64

/*
 * Workers per ssh control master: sshd's default MaxSessions is 10, and a
 * worker has one session open at a time (two at most), so 8 workers share
 * one master; -P 16 makes two connections per destination host.
 */
#define WORKERS_PER_MASTER 8
/* The master group of worker slot k (pure). */
int workers_mux_group(int slot);

struct worker_tally {
	int ok, skipped, failed, tempfail;
};

/* Removes repeated names, keeping the first of each (pure). */
void workers_dedupe(struct strv *items);

/*
 * Parses the -P value (or ZREP_PARALLEL): 1..WORKERS_MAX. Returns the
 * number, or -1 when s is not one.
 */
int workers_parse(const char *s);

/*
 * Runs job(item, arg) for every item, at most parallel at once; parallel 1
 * runs them one after another in this process. job returns WORKER_*.
 * failed_note, when set, is printed (with the item) after a failed job when
 * there are several items. Stops starting jobs after a signal. Fills t.
 */
void workers_run(char *const *items, size_t n, int parallel, int (*job)(const char *item, void *arg),
                 void *arg, const char *failed_note, struct worker_tally *t);

/*
 * Runs job(part, arg) for every part 0..k-1 (k <= WORKERS_MAX), all at once, each in a forked
 * child, whose output is printed whole when it ends (part k's output when it ends, not in
 * order). codes[part]: the job's return (0..127), 128+N when its child died of signal N, -1 when
 * it never ran (a signal came first). A part that cannot fork runs here. Used for work split
 * into slices that zfs applies faster side by side (sync_record_deferred).
 */
void workers_parts(int k, int (*job)(int part, void *arg), void *arg, int *codes);

/* How many slices n items make for work that zfs applies faster side by side: at least
 * WORKERS_SLICE_MIN items each (fewer make more commands than they save), at most parallel. */
#define WORKERS_SLICE_MIN 12
int workers_slices(size_t n, int parallel);

/* "CMD: N filesystems: synced N, skipped N, failed N" (verb for the first count). */
void workers_summary(const char *cmdname, const char *verb, size_t n, const struct worker_tally *t);

#endif
