#include <stdlib.h>

#include "harness.h"
#include "lock.h"
#include "util.h"

static int alive_set[8];
static int fake_alive(long long pid)
{
	return pid > 0 && pid < 8 && alive_set[pid];
}
TEST(lock_props_busy_decision)
{
	struct lock_holder hd = {0};
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 0); /* no lock */
	hd.pid = 3;
	alive_set[3] = 0;
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 0); /* shell lock, dead */
	alive_set[3] = 1;
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 1); /* shell lock, alive */
	hd.owner = "h1:3:300";
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 0); /* ours, flock free: gone (pid reused or not) */
	hd.owner = "h2:3:300";
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 1); /* another host's */
	hd.owner = "h1x:3:300";
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 1); /* a host name that only starts like ours */
	hd.owner = "h1:4:300";
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 1); /* lock-pid rewritten by a live shell zrep */
	alive_set[3] = 0;
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 0); /* ... that died */
	hd.owner = "garbage";
	CHECK_INT(lock_props_busy(&hd, "h1", fake_alive), 1); /* unreadable: keep */
}
