/*
 * plan: see plan.h.
 */
#include "plan.h"

#include <stdio.h>

#include "../statusdoc.h"

void plan_init(struct plan *p, int json)
{
	sb_init(&p->sb);
	p->json = json;
	p->first = 1;
	if (json)
		sb_adds(&p->sb, "[");
}

void plan_begin(struct plan *p, const char *host, const char *action)
{
	if (p->json) {
		sb_adds(&p->sb, p->first ? "\n  {\"host\": " : ",\n  {\"host\": ");
		json_quote(&p->sb, host);
		sb_adds(&p->sb, ", \"action\": ");
		json_quote(&p->sb, action);
	} else {
		sb_addf(&p->sb, "%s: %s", host, action);
	}
	p->first = 0;
}

void plan_str(struct plan *p, const char *key, const char *v)
{
	if (p->json) {
		sb_addf(&p->sb, ", \"%s\": ", key);
		if (v)
			json_quote(&p->sb, v);
		else
			sb_adds(&p->sb, "null");
	} else {
		sb_addf(&p->sb, " %s=%s", key, v ? v : "-");
	}
}

void plan_bool(struct plan *p, const char *key, int v)
{
	if (p->json)
		sb_addf(&p->sb, ", \"%s\": %s", key, v ? "true" : "false");
	else
		sb_addf(&p->sb, " %s=%s", key, v ? "yes" : "no");
}

void plan_num(struct plan *p, const char *key, int known, unsigned long long v)
{
	if (p->json) {
		if (known)
			sb_addf(&p->sb, ", \"%s\": %llu", key, v);
		else
			sb_addf(&p->sb, ", \"%s\": null", key);
	} else if (known) {
		sb_addf(&p->sb, " %s=%llu", key, v);
	} else {
		sb_addf(&p->sb, " %s=unknown", key);
	}
}

void plan_end(struct plan *p)
{
	sb_adds(&p->sb, p->json ? "}" : "\n");
}

void plan_print(struct plan *p)
{
	if (p->json)
		sb_adds(&p->sb, p->first ? "]\n" : "\n]\n");
	fputs(sb_str(&p->sb), stdout);
	fflush(stdout);
	sb_release(&p->sb);
}

void plan_prop(struct plan *p, const char *host, const char *ds, const char *prop, const char *value)
{
	plan_begin(p, host, value ? "set" : "inherit");
	plan_str(p, "dataset", ds);
	plan_str(p, "property", prop);
	if (value)
		plan_str(p, "value", value);
	plan_end(p);
}
