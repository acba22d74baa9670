/*
 * statusread: fills the status model (statusdoc.h) from zfs. Reads only:
 * no snapshot, no lock, no property written. Locally two zfs calls per
 * filesystem (its properties, its snapshots; a third for the unsent-bytes
 * estimate when it has unsent snapshots); for the partner side at most one
 * connection per partner host, whatever the number of filesystems (one sh
 * script running three zfs get over all of that host's datasets), and none
 * with local_only.
 */
#ifndef ZREP_STATUSREAD_H
#define ZREP_STATUSREAD_H

#include <stddef.h>

#include "statusdoc.h"

struct statusset {
	struct fsstatus *v;
	size_t n;
	size_t read_errors; /* filesystems that could not be read (a message was printed) */
};

/* Default limit over which a filesystem is "behind" (status -w). */
#define STATUS_BEHIND_DEFAULT 3600

/*
 * Collects the status of each of fss (n names; none: every zrep filesystem
 * of this host, as status -a). Returns 0, or -1 when the list itself could
 * not be read.
 */
int status_collect(char *const *fss, size_t n, int local_only, long long behind_secs, struct statusset *out);
void statusset_free(struct statusset *s);

/* Writes the Prometheus textfile atomically (temporary file + rename in the same directory). */
int status_write_prometheus(const char *file, const struct statusset *s);

/*
 * The whole `status --prometheus FILE` for ZREP_PROMETHEUS_FILE at the end
 * of `sync all`: every zrep filesystem, local facts only. Returns 0 or -1.
 */
int status_prometheus_refresh(const char *file);

/* status --json / --nagios / --prometheus / --local / -w (src/cmd/statusfmt.c). */
struct status_machine_opts {
	int json, nagios, local, have_w, have_c, bad; /* bad: the exit status of a usage error */
	const char *prometheus;
	long long warn, crit;
};
/* "-w"/"-c" SECONDS: 0, or the usage status after a message. */
int status_seconds_arg(const char *opt, const char *word, long long *out);
/* --nagios on the command line: usage errors exit 3 (UNKNOWN) and -c means seconds. */
int status_nagios_wanted(int argc, char **argv);
/* The rest of `status` with those options; c is -c's value or -1. Returns the exit status. */
int status_machine(const struct status_machine_opts *mo, int verbose, int monitor, int all, long long c,
                   int have_t, char **fss, size_t n);

#endif
