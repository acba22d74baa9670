/*
 * zfs_sh: the zfs layer's half of the scripts zrep sends to a host. The
 * scripts themselves live in remote.c and know zrep only; every zfs
 * command line they run is one of the sh functions defined here, so zfs
 * flags stay in the zfs layer. The text is fixed (no user data) and fits
 * on one line without '!', so any login shell hands it to sh intact.
 */
#ifndef ZREP_ZFS_SH_H
#define ZREP_ZFS_SH_H

/*
 * Function definitions, each reading stdin from /dev/null:
 *   zrep_usage               zfs's usage text (features), on stdout
 *   zrep_exists DS           status 0 when DS exists
 *   zrep_token DS            DS's receive_resume_token ("-" for none)
 *   zrep_local PROP DS       PROP's value when set locally on DS
 *   zrep_value PROP DS       PROP's parsable value on DS
 *   zrep_guids DS            "name<TAB>guid" of DS and its snapshots
 *   zrep_snapinfo DS         "name<TAB>guid<TAB>G" and "name<TAB>userrefs<TAB>N" rows of DS
 *                            and its snapshots (guid rows alone on a zfs without holds)
 *   zrep_hold TAG SNAP       put hold TAG on SNAP
 *   zrep_release TAG SNAP    release hold TAG from SNAP
 *   zrep_rows PROPS DS       `get -Hp` rows (name, property, value, source)
 *                            of DS and its children at depth 1
 *   zrep_set PROP=VALUE DS   set a property
 *   zrep_inherit PROP DS     inherit (clear) a property
 *   zrep_rollback SNAP       roll back to SNAP, destroying newer snapshots
 *   zrep_getrows PROPS DS... `get -Hp` rows of PROPS for the datasets
 *   zrep_snapguids DS...     `get -Hp` guid rows of the datasets and their snapshots
 *   zrep_allow_usage         `zfs allow`'s usage text (which permissions it knows)
 *   zrep_allow DS            the permissions delegated on DS
 */
extern const char zfs_sh_functions[];

#endif
