/*
 * exec_pump: exec's private I/O loop. While a pipeline runs, one poll loop
 * feeds stdin data, drains captured output of every stage (so no child
 * blocks on a full pipe), relays the stream through a byte counter when
 * asked, and watches two clocks: the deadline of the whole run and the time
 * since the stream last moved (the stall limit).
 */
#ifndef ZREP_EXEC_PUMP_H
#define ZREP_EXEC_PUMP_H

#include <stddef.h>

#include "exec.h"
#include "util.h"

struct pump {
	int fd;
	struct strbuf *sb; /* reading into */
	int tee;           /* copy to our stderr */
	const char *data;  /* writing from */
	size_t left;
};

/* The relayed stream: read from src, written to dst (both closed here at the end). */
struct relay {
	int src, dst;
	struct exec_xfer *x;
};

enum pump_end { PUMP_DONE, PUMP_DEADLINE, PUMP_STALLED };

/* Seconds on the monotonic clock. */
double mono_now(void);

/*
 * Runs until every pump fd is closed (and the relay's source is at its
 * end), until deadline (mono_now() seconds, 0 = none) or until the relay
 * moved nothing for x->stall_secs. rl may be NULL.
 */
enum pump_end run_pumps(struct pump *pumps, size_t np, struct relay *rl, double deadline);

#endif
