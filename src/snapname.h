/*
 * snapname: zrep snapshot names, "<fs>@<TAG>_<hex>[_unsent]". Pure code.
 * Numbers are parsed and compared numerically (so zrep_1000000 comes after
 * zrep_ffffff), patterns are anchored and the tag is compared literally.
 */
#ifndef ZREP_SNAPNAME_H
#define ZREP_SNAPNAME_H

#include <stddef.h>

struct snapname {
	unsigned long long seq;
	int unsent; /* ends in _unsent */
};

/*
 * Parses the part after '@'. Returns 0 if it is TAG_ followed by at least
 * six lower-case hex digits (at most 16) and optionally "_unsent", else -1.
 */
int snapname_parse(const char *snap, const char *tag, struct snapname *out);

/* Same for a full "fs@snap" name; fs_len receives the length of the fs part. */
int snapname_parse_full(const char *full, const char *tag, struct snapname *out, size_t *fs_len);

/* "<fs>@<tag>_<seq as %06llx>" (malloc'd). */
char *snapname_format(const char *fs, const char *tag, unsigned long long seq);

/* Orders by sequence number; for equal numbers the plain name before _unsent. */
int snapname_cmp(const struct snapname *a, const struct snapname *b);

/* A tag must be usable as a property prefix and inside snapshot names. */
int tag_valid(const char *tag);

#endif
