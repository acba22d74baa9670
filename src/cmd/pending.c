/*
 * pending: commands listed in the usage whose implementation has not landed
 * yet. Each says so and fails; nothing is changed.
 */
#include "../cmd.h"
#include "../msg.h"

#define PENDING(n, word)                                                        \
	int cmd_##n(int argc, char **argv)                                      \
	{                                                                       \
		(void)argc;                                                     \
		(void)argv;                                                     \
		error("%s is not implemented in this build yet", word);        \
		return EXIT_FAIL;                                               \
	}

PENDING(refresh, "refresh")
PENDING(failover, "failover")
PENDING(takeover, "takeover")
PENDING(refreshpull, "_refreshpull")
