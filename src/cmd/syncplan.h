/* sync -n [--json]: see syncplan.c. */
#ifndef ZREP_CMD_SYNCPLAN_H
#define ZREP_CMD_SYNCPLAN_H

/* Prints the plan of syncing list (n words: FS... or "all"); changes nothing. Returns the exit status. */
int sync_dry_run(char **list, int n, int force, int json);

#endif
