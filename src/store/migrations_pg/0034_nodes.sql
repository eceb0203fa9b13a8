-- PostgreSQL: the same change as src/store/migrations/0034_nodes.sql (SQLite's
-- INTEGER is BIGINT here, as in the baseline).
-- 0034: several hub nodes on one database (issue 17, docs/postgresql.md).
--
-- claimed_by: the node (infrashared --node-id) whose outbox holds a
-- delivery 'sending'. At start-up a node queues again only ITS OWN rows
-- left 'sending' (a crash of that node); another node's rows stay with
-- their lease, and are claimed when it runs out. An alert written
-- 'sending' by a request (handed over without waiting for a claim) is
-- sent by the outbox of the node that wrote it, and by no other.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE alert_deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

-- The log-in and link-refusal limits of a hub whose nodes share the
-- database (service/auth.c): one row per counted key and kind, so a
-- client or account limited on one node is limited on all. The key is a
-- digest of the client address, log-in name or account (never the name
-- itself); a row whose window is over is deleted by the next count.
CREATE TABLE login_limits (
    kind TEXT NOT NULL CHECK (kind IN ('addr', 'name', 'user', 'ack')),
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL CHECK (failures >= 0),
    PRIMARY KEY (kind, key)
);
CREATE INDEX login_limits_window ON login_limits(window_start);

-- Duties one node performs for all (service/lead.c): the hub's own
-- prober and the TAXII work (the collection's additions and the peers'
-- sync). The node that holds a duty's lease renews it; when its lease
-- runs out (the node died or lost the database), another node takes the
-- duty over.
CREATE TABLE node_duties (
    duty TEXT NOT NULL PRIMARY KEY CHECK (duty IN ('prober', 'taxii')),
    node TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
