/* Unit test runner: runs every registered test, prints a summary line. */
#include <stdlib.h>

#include "harness.h"

int harness_failed_checks;

struct entry {
	const char *name;
	test_fn fn;
};
static struct entry tests[512];
static int ntests;

void harness_register(const char *name, test_fn fn)
{
	if (ntests < 512)
		tests[ntests++] = (struct entry){name, fn};
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		int before = harness_failed_checks;
		tests[i].fn();
		if (harness_failed_checks == before) {
			passed++;
			printf("ok - %s\n", tests[i].name);
		} else {
			failed++;
			printf("not ok - %s\n", tests[i].name);
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
