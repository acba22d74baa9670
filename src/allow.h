/*
 * allow: the zfs permissions zrep needs to run as an unprivileged user
 * (zfs allow delegation), and the pure parts of `zrep allow --print` and
 * `--check`: the permission sets per side, and the parser of `zfs allow FS`
 * output. See src/cmd/allow.c.
 *
 * Source (master) filesystem, for init, sync, snaponly, expire:
 *   snapshot, send, userprop (the TAG:* properties and sent marks),
 *   destroy + mount (expire; zfs destroy also needs mount), rename (a failed
 *   sync renames its snapshot _unsent), diff (sync -c).
 * Destination, granted on the parent of DESTFS (init receives DESTFS as a
 * new dataset there; permissions apply to descendants):
 *   receive:append where the zfs has it (a receive that cannot roll back or
 *   destroy), else receive; create + mount (the new dataset), userprop
 *   (received TAG:* properties, sent marks), readonly (init sets
 *   readonly=on), destroy (the remote expire).
 * sync -f, sync FS@SNAP, failover and takeover (each side becomes the other)
 * also need, on both: receive (with -F), rollback, readonly, and the other
 * side's set.
 */
#ifndef ZREP_ALLOW_H
#define ZREP_ALLOW_H

#include "util.h"

#define ALLOW_SOURCE "bookmark,destroy,diff,hold,mount,release,rename,send,snapshot,userprop"
#define ALLOW_DEST_BASE "create,destroy,hold,mount,readonly,release,userprop"
#define ALLOW_SWAP                                                                                           \
	"bookmark,create,destroy,diff,hold,mount,readonly,receive,release,rename,rollback,send,snapshot,"    \
	"userprop"

/* The destination's set: ALLOW_DEST_BASE plus receive:append (has_append) or receive, sorted. */
char *allow_dest_perms(int has_append);

/* The parent of a dataset name (malloc'd), or NULL for a pool. */
char *allow_parent(const char *ds);

/*
 * Pure: the permissions `zfs allow DS` output grants on target to user
 * (user entries, and everyone): sections "---- Permissions on D ----" with
 * "Local permissions:" (only when D is target), "Descendent permissions:"
 * (only when D is an ancestor), "Local+Descendent permissions:" (both).
 * Pushes each permission once into out. Permission sets (@name) are pushed
 * as they are.
 */
void allow_parse(const char *text, const char *target, const char *user, struct strv *out);

/* Pure: the permissions of the comma list need that have is missing, pushed into missing. */
void allow_missing(const char *need, const struct strv *have, struct strv *missing);

/* Pure: whether `zfs allow` usage text (no arguments) lists receive:append. */
int allow_usage_has_append(const char *text);

#endif
