/*
 * init -n [--json] SRCFS DESTHOST DESTFS: the plan of an init after all of
 * init's checks (they only read), printed; nothing is changed. The steps
 * are those of cmd_init in the same order (keep the two in step): the
 * TAG:* properties here, the optional create there (ZREP_CREATE_FLAGS), the
 * snapshot @TAG_000000, the full send (estimated from `referenced`), the
 * receive (unmounted, read-only where the destination's zfs can), the
 * properties set there after it, the sent marks, TAG:master=yes last.
 */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../props.h"
#include "../snapname.h"
#include "../zrepfs.h"
#include "initplan.h"
#include "plan.h"

int init_dry_run(const char *fs, const struct host *dh, const char *destfs, int exists,
                 const struct zfs_features *lf, const struct zfs_features *rf, const char *mountpoint,
                 int json)
{
	struct plan p;
	plan_init(&p, json);
	const char *me = host_local_name();
	const char *vals[][2] = {{P.src_fs, fs},
	                         {P.src_host, me},
	                         {P.dest_fs, destfs},
	                         {P.dest_host, dh->name},
	                         {P.savecount, cfg.save_count}};
	for (size_t k = 0; k < ARRAY_SIZE(vals); k++)
		plan_prop(&p, me, fs, vals[k][0], vals[k][1]);
	if (cfg.create_flags) {
		plan_begin(&p, dh->name, "create");
		plan_str(&p, "dataset", destfs);
		plan_str(&p, "flags", cfg.create_flags);
		plan_end(&p);
	}
	char *snap = snapname_format(fs, cfg.tag, 0);
	plan_begin(&p, me, "snapshot");
	plan_str(&p, "snapshot", snap);
	plan_end(&p);
	char *ref = NULL;
	struct zerr e = {0};
	unsigned long long bytes = 0;
	int known = zfs_get_one(&local_host, "referenced", fs, 0, &ref, &e) == 0 && ref &&
	            parse_ull(ref, &bytes) == 0;
	free(ref);
	zerr_clear(&e);
	plan_begin(&p, me, "send");
	plan_str(&p, "from", NULL);
	plan_str(&p, "to", snap);
	plan_str(&p, "dest_host", dh->name);
	plan_str(&p, "dest_fs", destfs);
	plan_num(&p, "estimated_bytes", known, bytes);
	plan_end(&p);
	int ro_by_recv = rf->recv_o && !cfg.create_flags;
	char *rsnap = xasprintf("%s@%s", destfs, strchr(snap, '@') + 1);
	plan_begin(&p, dh->name, "receive");
	plan_str(&p, "snapshot", rsnap);
	plan_bool(&p, "force", exists || cfg.create_flags);
	plan_bool(&p, "unmounted", rf->recv_u);
	plan_bool(&p, "readonly", ro_by_recv);
	plan_end(&p);
	if (!ro_by_recv)
		plan_prop(&p, dh->name, destfs, "readonly", "on");
	if (!(lf->send_p && rf->recv_u) || cfg.create_flags)
		for (size_t k = 0; k < ARRAY_SIZE(vals); k++)
			plan_prop(&p, dh->name, destfs, vals[k][0], vals[k][1]);
	struct strv extra = STRV_INIT;
	strv_split(&extra, cfg.init_remote_props);
	for (size_t k = 0; k < extra.n; k++) {
		char *eq = strchr(extra.v[k], '=');
		if (!eq)
			continue;
		*eq = '\0';
		plan_prop(&p, dh->name, destfs, extra.v[k], eq + 1);
	}
	strv_clear(&extra);
	if (mountpoint)
		plan_prop(&p, dh->name, destfs, "mountpoint", NULL);
	plan_prop(&p, dh->name, rsnap, P.sent, "(time of the transfer)");
	plan_prop(&p, me, snap, P.sent, "(time of the transfer)");
	plan_prop(&p, me, fs, P.master, "yes");
	plan_print(&p);
	free(snap);
	free(rsnap);
	return EXIT_OK;
}
