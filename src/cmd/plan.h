/*
 * plan: the printer of dry-run plans (sync -n, init -n): text lines
 * "HOST: ACTION key=value ..." or, with json, one array of objects
 * {"host", "action", operands...}.
 */
#ifndef ZREP_CMD_PLAN_H
#define ZREP_CMD_PLAN_H

#include "../util.h"

struct plan {
	struct strbuf sb;
	int json, first;
};

void plan_init(struct plan *p, int json);
void plan_begin(struct plan *p, const char *host, const char *action);
void plan_str(struct plan *p, const char *key, const char *v); /* NULL: null / "-" */
void plan_bool(struct plan *p, const char *key, int v);
void plan_num(struct plan *p, const char *key, int known, unsigned long long v); /* unknown: null */
void plan_end(struct plan *p);
/* One step "set" (value) or "inherit" (value NULL) of prop on dataset ds of host. */
void plan_prop(struct plan *p, const char *host, const char *ds, const char *prop, const char *value);
/* Prints the plan on stdout and frees it. */
void plan_print(struct plan *p);

#endif
