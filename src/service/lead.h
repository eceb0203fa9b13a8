/*
 * lead.h - duties one node of a hub performs for all nodes (issue 17,
 * docs/postgresql.md "Several nodes").
 *
 * Most background work is safe on every node at once: each due item is
 * claimed inside the one write transaction at a time (the outbox's
 * leased claims, the timers' guarded updates). Some work is not a list of
 * items to claim: the hub's own prober keeps its schedule in memory and
 * probes operators' websites, and the TAXII work (new advisories into the
 * collection, the peers' sync) compares what it read with what it
 * writes. Two nodes doing it would probe every site twice and push a
 * peer's batch twice. Such a duty is held by one node under a lease
 * (table node_duties, store_duty_hold): the holder renews it every
 * LEAD_RENEW_S; when it stops renewing (dead, or cut off from the
 * database), another node takes the duty over once LEAD_LEASE_S have
 * passed. A holder that cannot renew stops at its lease's end, so two
 * nodes never hold a duty at once while their clocks agree (the nodes'
 * clocks must be synchronised, as for every deadline of the hub).
 *
 * On one node (SQLite, or one infrashared on PostgreSQL) the node holds
 * every duty.
 */
#ifndef INFRASHARE_LEAD_H
#define INFRASHARE_LEAD_H

#include "common/common.h"

#define LEAD_LEASE_S 30
#define LEAD_RENEW_S 10

struct store;

/* Whether this node performs duty ("prober" or "taxii", node_duties'
 * check) at now. The node keeps one lease per duty, shared by every
 * thread that asks (the worker and the TAXII syncer both ask for
 * "taxii"): it is taken or renewed (a write transaction on a connection
 * of s) when LEAD_RENEW_S have passed since the last try, else the answer
 * comes from the lease held. When the database cannot be reached, the
 * lease this node holds counts until its end, and no longer. A change of
 * the answer is logged once. */
bool lead_holds(const char *duty, struct store *s, int64_t now);
/* Whether this node performed duty at its last look ("prober", "taxii";
 * the infrashare_duty_held metric). */
bool lead_duty_held(const char *duty);

#endif
