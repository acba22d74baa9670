/* init -n [--json]: see initplan.c. */
#ifndef ZREP_CMD_INITPLAN_H
#define ZREP_CMD_INITPLAN_H

#include "../host.h"
#include "../zfs.h"

/*
 * Prints the plan of `zrep init fs dh destfs` after init's own checks
 * passed (exists: destfs is there already; lf/rf: the features of both
 * zfs; mountpoint: fs's local mountpoint or NULL). Changes nothing.
 */
int init_dry_run(const char *fs, const struct host *dh, const char *destfs, int exists,
                 const struct zfs_features *lf, const struct zfs_features *rf, const char *mountpoint,
                 int json);

#endif
