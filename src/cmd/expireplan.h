/* expire -n [--json]: see expireplan.c. */
#ifndef ZREP_CMD_EXPIREPLAN_H
#define ZREP_CMD_EXPIREPLAN_H

#include <stddef.h>

/* Prints the plan of expiring fss (n names); changes nothing. Returns the exit status. */
int expire_dry_run(char *const *fss, size_t n, int local_only, int json);

#endif
