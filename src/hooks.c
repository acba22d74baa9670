/*
 * hooks: see hooks.h.
 */
#include "hooks.h"

#include <unistd.h>

#include "config.h"
#include "exec.h"
#include "msg.h"

#define HOOK_KILL_AFTER "5"
#define TIMEOUT_STATUS 124 /* timeout(1): the command timed out */

void hook_argv(struct strv *sv, const char *hook, const char *fs, const char *snap, const char *tag, int secs,
               const char *snap_status)
{
	strv_push(sv, "env");
	strv_pushf(sv, "ZREP_FS=%s", fs);
	strv_pushf(sv, "ZREP_SNAP=%s", snap);
	strv_pushf(sv, "ZREP_TAG=%s", tag);
	if (snap_status)
		strv_pushf(sv, "ZREP_SNAP_STATUS=%s", snap_status);
	strv_push(sv, "timeout");
	strv_push(sv, "-k");
	strv_push(sv, HOOK_KILL_AFTER);
	strv_pushf(sv, "%d", secs);
	strv_push(sv, "sh");
	strv_push(sv, "-c");
	strv_push(sv, hook);
	strv_push(sv, "zrep-hook"); /* $0 */
}

int hook_run(const char *what, const char *hook, const char *fs, const char *snap, const char *snap_status)
{
	if (!hook || !*hook)
		return 0;
	struct strv sv = STRV_INIT;
	hook_argv(&sv, hook, fs, snap, cfg.tag, cfg.timeout, snap_status);
	struct proc p;
	proc_init(&p, sv.v);
	p.in = EXEC_NULL;
	p.out = STDERR_FILENO;
	p.err = EXEC_INHERIT;
	debug("running %s for %s", what, snap);
	int st = exec_run(&p);
	int rc = 0;
	if (st == TIMEOUT_STATUS || st == 128 + 9) {
		rc = error("%s for %s did not finish within %d s (ZREP_TIMEOUT); it was killed", what, snap,
		           cfg.timeout);
	} else if (st != 0) {
		char b[64];
		rc = error("%s for %s failed (%s)", what, snap, exec_status_str(st, b, sizeof(b)));
	}
	proc_release(&p);
	strv_clear(&sv);
	return rc;
}
