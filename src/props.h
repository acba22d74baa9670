/*
 * props: the zrep:* property schema under the active tag (reference §2).
 * Names are built once per run from the tag.
 */
#ifndef ZREP_PROPS_H
#define ZREP_PROPS_H

struct propnames {
	char *master, *src_fs, *src_host, *dest_fs, *dest_host, *savecount, *sent, *lastsent, *lastsenttime,
	    *lock_pid, *lock_time, *lock_owner, *last_error;
	char *prefix; /* "TAG:" */
};

extern struct propnames P;

/* Builds the names for tag (validated by the caller). */
void props_init(const char *tag);

#endif
