/*
 * props: property names. lock-owner is ours (not in the shell version): it
 * records host, pid and process start time so that a reused PID or another
 * host's lock is never mistaken for ours or for a dead one.
 */
#include "props.h"

#include <stdlib.h>

#include "util.h"

struct propnames P;

void props_init(const char *tag)
{
	/* Once per run in zrep; the unit tests switch tags, so free the old names. */
	char **all[] = {&P.prefix,    &P.master,    &P.src_fs,     &P.src_host,  &P.dest_fs,
	                &P.dest_host, &P.savecount, &P.sent,       &P.lastsent,  &P.lastsenttime,
	                &P.lock_pid,  &P.lock_time, &P.lock_owner, &P.last_error};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
	P.prefix = xasprintf("%s:", tag);
	P.master = xasprintf("%s:master", tag);
	P.src_fs = xasprintf("%s:src-fs", tag);
	P.src_host = xasprintf("%s:src-host", tag);
	P.dest_fs = xasprintf("%s:dest-fs", tag);
	P.dest_host = xasprintf("%s:dest-host", tag);
	P.savecount = xasprintf("%s:savecount", tag);
	P.sent = xasprintf("%s:sent", tag);
	P.lastsent = xasprintf("%s:lastsent", tag);
	P.lastsenttime = xasprintf("%s:lastsenttime", tag);
	P.lock_pid = xasprintf("%s:lock-pid", tag);
	P.lock_time = xasprintf("%s:lock-time", tag);
	P.lock_owner = xasprintf("%s:lock-owner", tag);
	P.last_error = xasprintf("%s:last-error", tag);
}
