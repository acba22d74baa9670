/*
 * featcache: what `zfs` on a host can do, remembered between runs in
 * $ZREP_RUNDIR (one small file per host), so that a sync run every minute
 * does not spend a zfs command, or on a remote host a round trip, asking
 * again. The local entry is trusted while the zfs binary found in PATH
 * keeps its size and mtime; a remote one for FEATCACHE_MAX_AGE seconds.
 * A file that is not ours (owner), not a regular file, or unreadable is
 * ignored; writes go to a temporary file (O_EXCL|O_NOFOLLOW) renamed into
 * place.
 */
#ifndef ZREP_FEATCACHE_H
#define ZREP_FEATCACHE_H

#include "zfs_parse.h"

#define FEATCACHE_MAX_AGE 3600

/* Pure: the file's text for host key (its first line) and f; and back (0, or -1 when it does not
 * parse or names another key or stamp). stamp identifies the zfs binary ("" for a remote host). */
char *featcache_format(const char *key, const char *stamp, const struct zfs_features *f);
int featcache_parse(const char *text, const char *key, const char *stamp, struct zfs_features *f);

/* Loads the entry of key ("" = this host) into f: 0, or -1 when there is none to trust. */
int featcache_load(const char *key, struct zfs_features *f);
/* Stores it (quietly does nothing when it cannot). */
void featcache_store(const char *key, const struct zfs_features *f);
/* Forgets the entry of key (a zfs command refused an option the entry promised). */
void featcache_forget(const char *key);

#endif
