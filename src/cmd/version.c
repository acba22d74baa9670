/* version: prints "zrep VERSION" and the project URL. */
#include <stdio.h>

#include "../cmd.h"
#include "../version.h"

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cmd_usage_error("version", "version takes no arguments");
	printf("zrep %s\n%s\n", ZREP_VERSION, ZREP_URL);
	return EXIT_OK;
}
