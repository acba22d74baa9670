/*
 * failover: the pure decisions behind moving the master role (failover,
 * takeover) and pulling (refresh): in which order a host's role
 * properties are rewritten so that an interrupted swap can always be
 * finished, how to put back a readonly setting, and what a re-run of
 * failover must do after an interruption. Which snapshot two hosts share
 * (by guid) and what a rollback destroys are in snaps.h. No I/O here
 * except the test crash hook.
 *
 * The planned failover protocol (zrep failover FS on the master A, to the
 * destination B) and why each step is safe:
 *
 *   0. Lock FS on A. Ask B (one ssh) for its TAG:master and its snapshots
 *      with guids. Unreachable, missing, master, or not holding A's last
 *      sent snapshot (by guid): refuse with nothing changed (a B that is
 *      master is reported as split brain with both hosts' last sent
 *      snapshot and guid). A is untouched, still the only master.
 *   1. "freeze": readonly=on set on A's dataset (the previous value and
 *      its source are remembered). Writers stop, so the final snapshot is
 *      A's complete state. A is still master.
 *   2. "final-sync": one sync (snapshot N+1, push with split-brain check,
 *      marked sent on B then on A). If it fails, A restores its previous
 *      readonly setting (inherit, or the old local value) and stays
 *      master; zrep says so. B is still a consistent destination.
 *   3. "promote": one ssh to B runs a fixed sh script: it compares the guid
 *      of B's copy of N+1 with A's (refusing on any difference, so the
 *      swap never happens against a copy that is not A's final state),
 *      then runs `zrep takeover -L FS_B` there (the call a shell zrep
 *      2.0.2 understands), then reports B's TAG:master. Only a B that
 *      reports master=yes counts as promoted. Both hosts are master for
 *      this instant, which is safe: A is frozen and locked, and every
 *      push refuses a master destination, so no data moves either way.
 *      If B refused, A is made writable again and stays master. If the
 *      connection broke so that B's state is unknown, A stays master and
 *      frozen (never unfrozen: B may be master) and zrep prints the
 *      command that finishes.
 *   4. "demote": A's role properties are rewritten (role_plan order) and
 *      TAG:master removed last, so A is master until B is known master.
 *      A stays read-only. The lock is released.
 *
 * FS@SNAP replaces step 2: SNAP must be on B with A's guid (checked in
 * step 0, with the snapshots both sides would lose listed, and -f needed
 * when one of them exists on one side only); A rolls back to SNAP, and the
 * step-3 script rolls B back to it after the guid check, before the
 * takeover. failover -L (B unreachable) freezes A, rolls it back to its
 * last sent snapshot (or SNAP), after printing what that discards, and
 * demotes it; B is not touched.
 *
 * The single recovery command for every interruption is a re-run of
 * `zrep failover FS` on A, which decides with fo_decide(): before the
 * promotion (B not master) it runs the protocol again; after it (B master,
 * A frozen, A's newest snapshot is its last sent and B holds it with the
 * same guid) it promotes again (idempotent) and demotes A; with A's
 * demotion begun it finishes the demotion. Anything else with both
 * masters is split brain and is refused, never resolved by destroying
 * data.
 */
#ifndef ZREP_FAILOVER_H
#define ZREP_FAILOVER_H

#include <stddef.h>

#include "snaps.h"
#include "zfs.h"

/* A filesystem's role properties as read (NULL = unset). */
struct role_props {
	const char *src_fs, *src_host, *dest_fs, *dest_host;
	int master;
};

/*
 * The partner (the other end of the pair) of local_fs on local_host, read
 * from role properties that may be half rewritten by an interrupted
 * role_plan towards to_master. Returns 0, or -1 when a needed value is
 * unset.
 */
int role_partner(const struct role_props *cur, const char *local_fs, const char *local_host, int to_master,
                 const char **pfs, const char **phost);

/* One property step of a role change: value NULL means zfs inherit. */
struct role_op {
	const char *prop;
	const char *value;
};

#define ROLE_MAX_OPS 5

/*
 * The steps still needed to make local_fs the master (to_master) or the
 * destination of the partner (pfs on phost), in this order: first the
 * pair that names this host is pointed at the partner, then the other
 * pair at this host, then TAG:master (set to yes, or inherited). At every
 * point of the sequence role_partner still finds the partner, and the
 * TAG:master flag changes last. ops needs room for ROLE_MAX_OPS. Returns
 * the count (0 = nothing to do). Uses the property names of props.h.
 */
size_t role_plan(const struct role_props *cur, const char *local_fs, const char *local_host, const char *pfs,
                 const char *phost, int to_master, struct role_op *ops);

/* readonly as read with its source: does it show the dataset frozen?
 * (zfs-fuse shows a local readonly=on of a mounted dataset as "off,
 * temporary", so temporary counts as frozen.) */
int ro_frozen(const char *value, enum zsrc src);

enum ro_restore { RO_INHERIT, RO_SET, RO_UNKNOWN };
/* How to put back a readonly setting read before freezing. */
enum ro_restore ro_restore_kind(const char *value, enum zsrc src);

enum fo_action {
	FO_NORMAL,        /* freeze, final sync, promote, demote */
	FO_RESUME,        /* an earlier run got past the final sync: promote (again) and demote */
	FO_FINISH_DEMOTE, /* an earlier run promoted B and began demoting A: finish */
	FO_SPLIT_BRAIN,   /* both master and A may hold data B lacks: refuse */
	FO_STUCK,         /* A half demoted, B not master and not proven current: refuse */
};

/*
 * The failover decision from B's TAG:master, whether A's demotion has
 * begun, and whether A provably holds nothing B lacks (see fo_proof).
 */
enum fo_action fo_decide(int peer_master, int demote_begun, int proof);

/*
 * A (frozen) holds nothing that B lacks: A's newest zrep snapshot,
 * _unsent ones included, is its last sent one, and B has it with the
 * same guid. Returns that snapshot, or NULL.
 */
const struct zsnap *fo_proof(const struct zsnaps *mine, const struct zsnaps *theirs, int frozen);

/*
 * Test hook: when the environment variable ZREP_TEST_CRASH_AFTER equals
 * step, the process kills itself with SIGKILL (as `kill -9` would), so
 * tests can interrupt a failover after each step. Steps: failover
 * "freeze", "final-sync", "rollback", "promote", "demote-partial" (after
 * the first property of the demotion), "demote"; takeover -L
 * "takeover-partial", "takeover-master"; refresh "refresh-received".
 */
void crash_point(const char *step);

#endif
