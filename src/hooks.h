/*
 * hooks: ZREP_PRESNAP_HOOK and ZREP_POSTSNAP_HOOK, user commands run here
 * (sh -c, like the filters) right before and right after zrep takes a
 * snapshot, e.g. to quiesce a database. Their environment holds ZREP_FS,
 * ZREP_SNAP (the full snapshot name) and ZREP_TAG; the post hook also gets
 * ZREP_SNAP_STATUS (ok or failed: it runs even when the snapshot failed, so
 * whatever the pre hook froze is thawed). Each runs under timeout(1) for at
 * most ZREP_TIMEOUT seconds (default 120) in a process group of its own,
 * which is killed on expiry (TERM, then KILL 5 s later). Their stdout goes
 * to our stderr: zrep's stdout stays what it was.
 */
#ifndef ZREP_HOOKS_H
#define ZREP_HOOKS_H

#include "util.h"

/* Pure: the argv that runs hook (env ... timeout -k 5 SECS sh -c HOOK zrep-hook). */
void hook_argv(struct strv *sv, const char *hook, const char *fs, const char *snap, const char *tag, int secs,
               const char *snap_status);

/*
 * Runs the hook named by what ("ZREP_PRESNAP_HOOK"); a NULL or empty hook
 * is not run. Returns 0, or -1 after a message saying how it failed.
 */
int hook_run(const char *what, const char *hook, const char *fs, const char *snap, const char *snap_status);

#endif
