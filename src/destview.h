/*
 * destview: the destinations' side of a sync of several filesystems read
 * ahead, one remote call per destination host (one zfs get there of every
 * destination filesystem and its snapshots), so that each push then lists
 * nothing (issue: at most two listings per host for a whole sync all).
 * The rows are checked against zfs's grid once; a host whose listing
 * fails (a destination missing, unreachable) is simply not read ahead and
 * its pushes list for themselves.
 */
#ifndef ZREP_DESTVIEW_H
#define ZREP_DESTVIEW_H

#include <stddef.h>

#include "zfs_parse.h"

/* Reads ahead the destinations of the local masters fss (their settings read ahead by
 * fsview_prefetch). */
void destview_prefetch(char *const *fss, size_t n);
/* The rows read ahead for destfs on host, or NULL. */
const struct zprops *destview_rows(const char *host, const char *destfs);

#endif
