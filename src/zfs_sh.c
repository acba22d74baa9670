/*
 * zfs_sh: see zfs_sh.h. Keep each definition a one-liner ending in "; }".
 */
#include "zfs_sh.h"

const char zfs_sh_functions[] =
    "zrep_usage() { zfs 2>&1 </dev/null; }; "
    "zrep_exists() { zfs list -H -o name \"$1\" </dev/null >/dev/null 2>&1; }; "
    "zrep_token() { zfs get -H -o value receive_resume_token \"$1\" 2>/dev/null </dev/null; }; "
    "zrep_local() { zfs get -H -o value -s local \"$1\" \"$2\" </dev/null; }; "
    "zrep_value() { zfs get -H -p -o value \"$1\" \"$2\" </dev/null; }; "
    "zrep_guids() { zfs get -H -p -o name,value -r -d 1 guid \"$1\" </dev/null; }; "
    "zrep_snapinfo() { zfs get -H -p -o name,property,value -r -d 1 guid,userrefs \"$1\" </dev/null "
    "2>/dev/null || "
    "zfs get -H -p -o name,property,value -r -d 1 guid \"$1\" </dev/null; }; "
    "zrep_hold() { zfs hold \"$1\" \"$2\" </dev/null; }; "
    "zrep_release() { zfs release \"$1\" \"$2\" </dev/null; }; "
    "zrep_rows() { zfs get -Hp -o name,property,value,source -r -d 1 \"$1\" \"$2\" </dev/null; }; "
    "zrep_rows_all() { p=$1; shift; zfs get -Hp -o name,property,value,source -r -d 1 \"$p\" \"$@\" "
    "</dev/null; }; "
    "zrep_many() { v=$1; a=$2; shift 2; zfs \"$v\" \"$a\" \"$@\" </dev/null; }; "
    "zrep_set() { zfs set \"$1\" \"$2\" </dev/null; }; "
    "zrep_inherit() { zfs inherit \"$1\" \"$2\" </dev/null; }; "
    "zrep_destroy() { zfs destroy \"$1\" </dev/null; }; "
    "zrep_destroy_r() { zfs destroy -r \"$1\" </dev/null; }; "
    "zrep_abort() { zfs receive -A \"$1\" </dev/null; }; "
    "zrep_rollback() { zfs rollback -r \"$1\" </dev/null; }; "
    "zrep_getrows() { zfs get -Hp -o name,property,value,source \"$@\" </dev/null; }; "
    "zrep_snapguids() { zfs get -Hp -o name,property,value,source -r -d 1 guid \"$@\" </dev/null; }; "
    "zrep_allow_usage() { zfs allow 2>&1 </dev/null; }; "
    "zrep_allow() { zfs allow \"$1\" 2>&1 </dev/null; }; ";
