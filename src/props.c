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
