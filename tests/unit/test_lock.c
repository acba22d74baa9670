#include <stdlib.h>

#include "harness.h"
#include "lock.h"
#include "util.h"

static int alive_set[8];
static int fake_alive(long long pid)
{
	return pid > 0 && pid < 8 && alive_set[pid];
}
static char *fake_start(long long pid)
{
	return xasprintf("%lld00", pid); /* pid 3 started at "300" */
}

TEST(lock_liveness)
{
	struct lock_holder hd = { 0 };
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 0); /* no lock */
	hd.pid = 3;
	alive_set[3] = 0;
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 0); /* shell lock, dead */
	alive_set[3] = 1;
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 1); /* shell lock, alive */
	hd.owner = "h1:3:300";
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 1); /* ours, same process */
	hd.owner = "h1:3:999";
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 0); /* pid reused */
	hd.owner = "h2:3:300";
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 1); /* another host's */
	alive_set[3] = 0;
	hd.owner = "h1:3:300";
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 0); /* dead */
	hd.owner = "garbage";
	CHECK_INT(lock_is_live(&hd, "h1", fake_alive, fake_start), 1); /* unreadable: keep */
}
