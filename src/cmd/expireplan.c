/*
 * expire -n [--json]: the plan of an expire, printed, with nothing changed
 * on either host (no lock is taken, nothing is destroyed). The same
 * decisions as the real run: on a master the destination's snapshots are
 * planned first as its own `zrep expire` would (its savecount, destination
 * rules; refused when it is master too: split brain), then this host's.
 * Text: one line "HOST: destroy SNAPSHOT" per step. --json: one document,
 * an array of steps {"host", "action": "destroy", "fs", "snapshot",
 * "recursive"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../config.h"
#include "../expire.h"
#include "../msg.h"
#include "../props.h"
#include "../statusdoc.h"
#include "../zrepfs.h"
#include "expireplan.h"

static void step(struct strbuf *sb, int json, int *first, const char *host, const char *fs, const char *snap)
{
	if (!json) {
		sb_addf(sb, "%s: destroy %s%s\n", host, snap, cfg.recursive ? " (recursively)" : "");
		return;
	}
	sb_adds(sb, *first ? "\n  {\"host\": " : ",\n  {\"host\": ");
	*first = 0;
	json_quote(sb, host);
	sb_adds(sb, ", \"action\": \"destroy\", \"fs\": ");
	json_quote(sb, fs);
	sb_adds(sb, ", \"snapshot\": ");
	json_quote(sb, snap);
	sb_addf(sb, ", \"recursive\": %s}", cfg.recursive ? "true" : "false");
}

/* Plans fi's snapshots on h as `zrep expire` there would. Returns 0, or -1 with a message. */
static int plan_host(const struct host *h, const struct fsinfo *fi, struct strbuf *sb, int json, int *first)
{
	long savecount;
	if (fsinfo_savecount(fi, &savecount) < 0)
		return -1;
	struct zsnaps s;
	if (zrepfs_snaps(h, fi->fs, &s) < 0)
		return -1;
	size_t *idx = xmalloc((s.n + 1) * sizeof(size_t));
	long n = plan_expire(&s, fsinfo_is_master(fi), savecount, idx);
	int rc = 0;
	const char *hn = h->local ? host_local_name() : h->name;
	if (n < 0)
		rc = error("%s%s%s: no snapshot is marked sent; not expiring anything", h->local ? "" : hn,
		           h->local ? "" : ":", fi->fs);
	for (long i = 0; i < n; i++)
		step(sb, json, first, hn, fi->fs, s.v[idx[i]].name);
	free(idx);
	zsnaps_free(&s);
	return rc;
}

static int plan_one(const char *fs, int local_only, struct strbuf *sb, int json, int *first)
{
	struct fsinfo fi;
	if (fsinfo_read_configured(fs, &fi) < 0)
		return -1;
	int rc = -1;
	if (fsinfo_is_master(&fi) && !local_only) {
		struct host dh;
		struct fsinfo rfi;
		if (!fi.dest_host || !fi.dest_fs || host_init(&dh, fi.dest_host) < 0 ||
		    check_dsname(fi.dest_fs, 0) < 0) {
			error("%s: cannot expire the remote side: %s/%s are not usable", fs, P.dest_host,
			      P.dest_fs);
			goto out;
		}
		if (fsinfo_read(&dh, fi.dest_fs, &rfi) < 0) {
			error("cannot plan the remote expire of %s:%s", dh.name, fi.dest_fs);
			host_release(&dh);
			goto out;
		}
		if (fsinfo_is_master(&rfi)) {
			error("split brain: %s:%s is also master; not expiring", dh.name, fi.dest_fs);
			fsinfo_free(&rfi);
			host_release(&dh);
			goto out;
		}
		if (plan_host(&dh, &rfi, sb, json, first) < 0)
			warn("remote expire on %s:%s would fail", dh.name, fi.dest_fs);
		fsinfo_free(&rfi);
		host_release(&dh);
	}
	rc = plan_host(&local_host, &fi, sb, json, first);
out:
	fsinfo_free(&fi);
	return rc;
}

int expire_dry_run(char *const *fss, size_t n, int local_only, int json)
{
	struct strbuf sb = STRBUF_INIT;
	int first = 1, failed = 0;
	if (json)
		sb_adds(&sb, "[");
	for (size_t k = 0; k < n; k++)
		if (plan_one(fss[k], local_only, &sb, json, &first) < 0)
			failed++;
	if (json)
		sb_adds(&sb, first ? "]\n" : "\n]\n");
	fputs(sb_str(&sb), stdout);
	fflush(stdout);
	sb_release(&sb);
	return failed ? EXIT_FAIL : EXIT_OK;
}
