/*
 * failover: see failover.h. Pure code (plus the crash hook).
 *
 * How role_partner reads a half-rewritten fs. Call X the property pair
 * (fs, host) that names this host before the change (dest-* on a
 * destination becoming master, src-* on a master becoming destination)
 * and Y the pair naming the partner. role_plan writes, in order:
 *   s1 X.fs := partner fs, s2 X.host := partner host,
 *   s3 Y.fs := local fs,   s4 Y.host := local host.
 * Partner fs: X.fs once it differs from the local fs (s1 on), else Y.fs.
 * Partner host: Y.host until s4; s3 is visible as Y.fs == local fs while
 * X.fs != local fs, and from s3 on X.host holds the partner. When both
 * fs names equal the local one (same name on two hosts) the fs fields
 * cannot tell: then Y.host equal to the local host means s4 happened.
 */
#include "failover.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "props.h"
#include "util.h"

int role_partner(const struct role_props *cur, const char *local_fs, const char *local_host, int to_master,
                 const char **pfs, const char **phost)
{
	const char *xf = to_master ? cur->dest_fs : cur->src_fs;
	const char *xh = to_master ? cur->dest_host : cur->src_host;
	const char *yf = to_master ? cur->src_fs : cur->dest_fs;
	const char *yh = to_master ? cur->src_host : cur->dest_host;
	*pfs = *phost = NULL;
	if (!xf || !xh || !yf || !yh)
		return -1;
	*pfs = !str_eq(xf, local_fs) ? xf : yf;
	if (!str_eq(xf, local_fs) || !str_eq(yf, local_fs))
		*phost = (str_eq(yf, local_fs) && !str_eq(xf, local_fs)) ? xh : yh;
	else
		*phost = str_eq(yh, local_host) ? xh : yh;
	return 0;
}

size_t role_plan(const struct role_props *cur, const char *local_fs, const char *local_host, const char *pfs,
                 const char *phost, int to_master, struct role_op *ops)
{
	struct {
		const char *prop, *now, *want;
	} steps[4] = {
	    {to_master ? P.dest_fs : P.src_fs, to_master ? cur->dest_fs : cur->src_fs, pfs},
	    {to_master ? P.dest_host : P.src_host, to_master ? cur->dest_host : cur->src_host, phost},
	    {to_master ? P.src_fs : P.dest_fs, to_master ? cur->src_fs : cur->dest_fs, local_fs},
	    {to_master ? P.src_host : P.dest_host, to_master ? cur->src_host : cur->dest_host, local_host},
	};
	size_t n = 0;
	for (size_t i = 0; i < 4; i++)
		if (!str_eq(steps[i].now, steps[i].want))
			ops[n++] = (struct role_op){steps[i].prop, steps[i].want};
	if (to_master && !cur->master)
		ops[n++] = (struct role_op){P.master, "yes"};
	else if (!to_master && cur->master)
		ops[n++] = (struct role_op){P.master, NULL};
	return n;
}

int ro_frozen(const char *value, enum zsrc src)
{
	return str_eq(value, "on") || src == ZSRC_TEMPORARY;
}

enum ro_restore ro_restore_kind(const char *value, enum zsrc src)
{
	switch (src) {
	case ZSRC_LOCAL:
	case ZSRC_RECEIVED:
		return value ? RO_SET : RO_UNKNOWN;
	case ZSRC_INHERITED:
	case ZSRC_DEFAULT:
	case ZSRC_NONE:
		return RO_INHERIT;
	default:
		return RO_UNKNOWN;
	}
}

enum fo_action fo_decide(int peer_master, int demote_begun, int proof)
{
	if (!peer_master && !demote_begun)
		return FO_NORMAL;
	if (peer_master && demote_begun)
		return FO_FINISH_DEMOTE;
	if (proof)
		return FO_RESUME;
	return peer_master ? FO_SPLIT_BRAIN : FO_STUCK;
}

const struct zsnap *fo_proof(const struct zsnaps *mine, const struct zsnaps *theirs, int frozen)
{
	if (!frozen)
		return NULL;
	const struct zsnap *newest = zsnaps_newest(mine, 0);
	const struct zsnap *last = zsnaps_last_sent(mine);
	if (!newest || newest != last)
		return NULL;
	return zsnaps_same(theirs, last) ? last : NULL;
}

void crash_point(const char *step)
{
	const char *w = getenv("ZREP_TEST_CRASH_AFTER");
	if (w && strcmp(w, step) == 0) {
		fflush(stdout);
		fflush(stderr);
		raise(SIGKILL);
	}
}
