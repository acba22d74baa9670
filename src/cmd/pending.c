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

PENDING(sentsync, "sentsync")
PENDING(refresh, "refresh")
PENDING(failover, "failover")
PENDING(takeover, "takeover")
PENDING(status, "status")
PENDING(list, "list")
PENDING(getlastsent, "getlastsent")
PENDING(uptodate, "uptodate")
PENDING(clear, "clear")
PENDING(changeconfig, "changeconfig")
PENDING(setlastsent, "setlastsent")
PENDING(refreshpull, "_refreshpull")
PENDING(refreshcomplete, "_refreshcomplete")
