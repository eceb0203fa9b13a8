/*
 * store.h - persistence. All SQL of infrashare lives behind this header.
 *
 * A struct store is a pool of SQLite connections to one database file in WAL
 * mode with synchronous=FULL: a write that returns IS_OK from store_commit is
 * on disk. Threads take a connection with store_acquire and give it back with
 * store_put; a connection is used by one thread at a time.
 *
 * Numbered migrations (src/store/migrations/NNNN_*.sql, embedded at build
 * time) are applied at open. A database whose schema is newer than this
 * build, or a file that is not SQLite, is refused with a message.
 *
 * Errors: IS_OK, IS_ERR_NOTFOUND, IS_ERR_CONFLICT (unique key), IS_ERR_STORE
 * (logged, counted in store_error_count()).
 *
 * Ownership: the store returns structs and lists of structs, never the
 * API's JSON (the service encodes it). On IS_OK a char ** or void ** holds
 * malloc'd memory the caller free()s, and a list is released by its type's
 * *_free; on an error the caller must not use them. A struct the
 * store fills (store_report, store_advisory) owns its pointers until its
 * *_release. Caller-sized buffers (char *out, size_t len) are filled and
 * NUL-terminated. Arguments are borrowed: nothing keeps a pointer to them
 * after the call. A struct store_conn belongs to the pool: give it back
 * with store_put, never free it.
 */
#ifndef INFRASHARE_STORE_H
#define INFRASHARE_STORE_H

#include <jansson.h>

#include "common/common.h"
#include "core/access.h"
#include "core/ids.h"

struct store;
struct store_conn;

#define STORE_CREATE 1 /* create the file if missing */
/* An exercise's world (store_ex_world_path): on PostgreSQL a schema of
 * the hub's database, whose write transactions take a writer lock of
 * their own (keyed by the schema), not the hub's; without STORE_CREATE
 * the schema must exist (IS_ERR_NOTFOUND). Nothing on SQLite. */
#define STORE_WORLD 2
/* The read-audit journal's own file (store_journal_attach's, not for
 * other callers). */
#define STORE_JOURNAL 4

/* Opens (and migrates) the database with a pool of nconn connections.
 * On failure returns an error and writes a sentence to errbuf. */
int store_open(const char *path, int flags, int nconn, struct store **out,
               char *errbuf, size_t errlen);
/* Names this process's node (infrashared --node-id; "" until set): the
 * outbox's claims carry it, so that a node starting takes back only its
 * own deliveries in flight (store_deliveries_reset). Call before the
 * first store_acquire. */
void store_set_node(struct store *s, const char *node);
/* The node id store_set_node gave s ("" when none). */
const char *store_node_of(const struct store *s);
/* issue 17: a node id names one running node. On PostgreSQL the node
 * holds, on a connection of its own, a session advisory lock keyed by its
 * id (store_set_node) for as long as it runs; the server lets it go when
 * the process or that connection ends, a crash included, so a node
 * restarted after kill -9 takes it at once. IS_ERR_CONFLICT (errbuf says
 * why): another running node of this database has this id. IS_OK on
 * SQLite (one process per file) and when no id is set. */
int store_node_claim(struct store *s, char *errbuf, size_t errlen);
/* Called now and then (the worker): a lost lock connection (a failover)
 * connects again and takes the id again. IS_ERR_CONFLICT: another node
 * took this id meanwhile (logged; store_node_in_use true until this node
 * holds it again); IS_ERR_STORE: no server reachable (tried next time). */
int store_node_check(struct store *s);
/* This node's id is held by another running node (store_node_check). */
bool store_node_in_use(struct store *s);
/* Runs that span several transactions and must be one at a time across
 * the nodes of a PostgreSQL hub, whichever node starts them (the TAXII
 * peers' runs: the duty holder's schedule and an administrator's "sync
 * now" on any node). */
enum store_run { STORE_RUN_TAXII_PEERS = 1 };
/* Waits for run's session advisory lock on c (the server lets it go if
 * c's connection ends); IS_OK, or IS_ERR_STORE. SQLite: IS_OK at once
 * (one process; its callers serialise in memory). */
int store_run_lock(struct store_conn *c, enum store_run run);
void store_run_unlock(struct store_conn *c, enum store_run run);
void store_close(struct store *s);
/* Blocks until a connection is free. Never NULL. */
struct store_conn *store_acquire(struct store *s);
void store_put(struct store *s, struct store_conn *c);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Transactions do not nest.
 * store_begin takes the process's writer lock, so what a caller reads
 * between store_begin and store_commit is the latest state and no other
 * writer can change it meanwhile: every read-modify-write reads inside
 * its transaction. store_rollback without an open transaction (e.g. after
 * store_commit) does nothing. */
int store_begin(struct store_conn *c);
/* store_begin, but IS_ERR_CONFLICT at once (nothing open) when another
 * thread of this process holds the writer lock: for a worker that has
 * other things to do than wait (the outbox: deliver/outbox.c). */
int store_try_begin(struct store_conn *c);
int store_commit(struct store_conn *c);
void store_rollback(struct store_conn *c);

/* A read transaction (BEGIN DEFERRED ... COMMIT): every read between
 * store_read_begin and store_read_end sees one snapshot of the database
 * (WAL: writers go on meanwhile). Not for writes; does not nest with
 * store_begin. store_read_end ends it whatever happened inside. */
int store_read_begin(struct store_conn *c);
/* Whether c holds a write transaction (store_begin) now. */
bool store_in_tx(const struct store_conn *c);
/* Whether any transaction is open on c (a read one or a write one). */
bool store_in_any_tx(struct store_conn *c);
void store_read_end(struct store_conn *c);

/* Group commit (store_group.c). run is called with the transaction open
 * on some thread's connection (perhaps not the caller's), inside a
 * savepoint of its own: it must not begin, commit or roll back, and must
 * not depend on thread-local state. A run that returns an error has its
 * writes undone and that error is returned to its caller; the batch's
 * other jobs go on. store_group_commit returns once the commit that held
 * the job is durable (IS_OK) or failed (the error; nothing of the job is
 * stored). The caller's connection is free for reads before and after. */
struct store_job {
    int (*run)(struct store_conn *c, void *arg);
    void *arg;
    /* the store's own, set by store_group_commit */
    const struct store *store;
    int rc;
    bool done;
    struct store_job *next;
};
int store_group_commit(struct store_conn *c, struct store_job *j);

int store_ping(struct store_conn *c);
/* Whether the database takes writes now (GET /readyz): BEGIN IMMEDIATE
 * then ROLLBACK on c, waiting at most timeout_ms (1 to 1000) for the
 * write lock, this process's writers' and other processes' (SQLite's busy
 * timeout, on c for this call only). A writer of this process inside its
 * write transaction proves it without waiting. IS_OK when writable;
 * IS_ERR_CONFLICT when the lock was not had in time (another writer,
 * e.g. a CLI transaction or a copy of the file, holds it), IS_ERR_STORE
 * when the database refuses the write (read-only, I/O error). Neither is
 * logged nor counted in store_error_count(): a probe that answers "not
 * ready" is not a failure of the store (a ROLLBACK that fails is, and is
 * logged). IS_ERR_INVALID when c holds a transaction or timeout_ms is out
 * of range. */
int store_writable(struct store_conn *c, int timeout_ms);
/* migrate-store (store/store_copy.c): every row of the SQLite store src,
 * read in one snapshot, into the PostgreSQL store dst (migrated, holding
 * no hub yet), written in one transaction, with each table's row count
 * compared before the commit. IS_OK, or an error with err saying why
 * (nothing is then written to dst). */
struct store_copy_report {
    int tables;
    int64_t rows;
};
int store_copy(struct store *src, struct store *dst,
               struct store_copy_report *rep, char *err, size_t errlen);

/* The database cannot be reached now: a PostgreSQL connection was lost
 * and no server (no primary) answered since. A failed request is then
 * answered 503 with Retry-After rather than 500. */
bool store_unavailable(void);
/* The database does not take writes now: on PostgreSQL a writer waited
 * for the writer lock past lock_timeout within the last
 * STORE_BUSY_WINDOW_S seconds (the writer holding it is stuck, e.g. its
 * COMMIT waits for a synchronous standby that is gone); on SQLite a call
 * gave up waiting for a lock another process holds (a long CLI
 * transaction, a backup tool) within that window. A failed request is
 * then answered 503 with Retry-After rather than 500. */
#define STORE_BUSY_WINDOW_S 15
bool store_writes_stalled(void);
/* How many writes the calling thread has begun, on any connection: write
 * transactions, group-commit jobs and, on PostgreSQL, statements sent
 * outside a transaction (each commits on its own). A request that began
 * none has changed nothing; with store_conn_lost it may be run again
 * (http/server.c). */
uint64_t store_thread_writes(void);
/* c is a PostgreSQL connection found lost (the server went away or the
 * primary moved) and not yet connected again: what ran on it since may
 * have failed. */
bool store_conn_lost(const struct store_conn *c);
/* Whether db (the --db setting) names a PostgreSQL database (a
 * postgresql:// or postgres:// URI) rather than an SQLite file. */
bool store_is_postgresql(const char *db);
/* Whether db is a PostgreSQL URI that carries a password (user:password@
 * or password=): visible to every local user in the process list; libpq
 * reads ~/.pgpass (PGPASSFILE) or PGPASSWORD instead. */
bool store_db_has_password(const char *db);
/* db as it may be shown in a log line or a message: a PostgreSQL URI
 * without its password (cut to outlen). */
void store_redact(const char *db, char *out, size_t outlen);

/* Online backup (sqlite3_backup_*) of the whole database to dest. */
int store_backup(struct store *s, const char *dest, char *errbuf,
                 size_t errlen);
/* Highest migration this build knows. */
int store_schema_version(void);
/* Count of IS_ERR_STORE failures since start (for /metrics). */
uint64_t store_error_count(void);
/* Count of write transactions committed since start (store_begin ...
 * store_commit): one more proves the database took a write (GET /readyz
 * ends a "not ready" verdict with it). */
uint64_t store_write_commit_count(void);

/* ---- meta ---- */
int store_meta_get(struct store_conn *c, const char *key, char *out,
                   size_t outlen);
int store_meta_set(struct store_conn *c, const char *key, const char *value);
/* Whether meta holds key: IS_OK (*has set) or IS_ERR_STORE. */
int store_meta_has(struct store_conn *c, const char *key, bool *has);

/* ---- registry ---- */
struct store_org {
    const char *id, *kind, *name_ja, *name_en, *short_en;
    const char *scope_id; /* NULL when none */
    bool observer, demo;
    const char *attrs; /* JSON object text, "{}" when none */
};
int store_sector_insert(struct store_conn *c, const char *id,
                        const char *name_ja, const char *name_en,
                        const char *ministry_id, int ord);
int store_scope_insert(struct store_conn *c, const char *id,
                       const char *sector_id, const char *name_ja,
                       const char *name_en, const char *related_json);
int store_org_insert(struct store_conn *c, const struct store_org *o,
                     int64_t now);
int store_org_set_scope(struct store_conn *c, const char *id,
                        const char *scope_id);
int store_membership_insert(struct store_conn *c, const char *org_id,
                            const char *group_id);

/* What access rules need to know about an organisation (core/access.h). */
int store_org_rel(struct store_conn *c, const char *id, struct access_org *out);

/* A name in both languages. */
struct store_name {
    char *ja, *en;
};
/* Registry rows as stored. A char * is NULL when the column is NULL;
 * the strings of a row live in its block mem, and go with the array's
 * *_free. */
struct store_sector_entry {
    char *mem;
    char *id;
    struct store_name name;
    char *ministry_id;
    struct store_name ministry_name; /* NULL when the ministry is absent */
};
struct store_scope_entry {
    char *mem;
    char *id, *sector_id;
    struct store_name name;
    char *related;    /* JSON array text of related scope ids */
    char *ceptoar_id; /* NULL: the scope has no CEPTOAR */
    struct store_name ceptoar_name;
    char *ceptoar_attrs; /* the CEPTOAR's registry attributes, JSON text */
};
struct store_sectors {
    struct store_sector_entry *sectors; /* by order, then id */
    size_t nsectors;
    struct store_scope_entry *scopes; /* in registry order */
    size_t nscopes;
};
/* Every sector (owning ministry) and every scope (its CEPTOAR; one entry
 * per CEPTOAR). On IS_OK out holds arrays for store_sectors_release; on an
 * error out is empty. */
int store_sectors_list(struct store_conn *c, struct store_sectors *out);
/* Frees what out holds and empties it. */
void store_sectors_release(struct store_sectors *s);

struct store_org_entry {
    char *mem;
    char *id, *kind;
    struct store_name name;
    char *short_en;
    char *scope_id, *sector_id; /* NULL when none */
    bool observer, demo;
    char *attrs;      /* registry attributes, JSON object text */
    char **member_of; /* groups (CEPTOARs, councils) in id order */
    size_t nmember_of;
};
/* One organisation into a malloc'd entry *out for store_orgs_free(*out,
 * 1). IS_ERR_NOTFOUND when there is none. */
int store_org_get(struct store_conn *c, const char *id,
                  struct store_org_entry **out);

struct store_org_filter {
    const char *kind, *scope, *ceptoar; /* NULL = any */
    const char *after;                  /* cursor: last id seen */
    int limit;
    /* viewer restriction on operators (core/access.h) */
    enum access_view view;
    const char *viewer_org;
};
/* Up to f->limit organisations in id order into a malloc'd array of *n
 * for store_orgs_free; *next is the last id returned (malloc'd, the
 * caller free()s it) when more follow, else NULL. */
int store_orgs_list(struct store_conn *c, const struct store_org_filter *f,
                    struct store_org_entry **out, size_t *n, char **next);
/* Frees the entries o[0..n) and the array o. NULL is fine. */
void store_orgs_free(struct store_org_entry *o, size_t n);

struct store_org_count {
    char kind[16];
    int64_t n;
};
/* Organisations by kind, in kind order, into a malloc'd array of *n the
 * caller free()s. */
int store_org_counts(struct store_conn *c, struct store_org_count **out,
                     size_t *n);

/* ---- contacts ---- */
struct store_contact {
    const char *org_id, *channel, *address, *secret, *lang;
    int priority;
    bool emergency;
};
int store_contact_insert(struct store_conn *c, const struct store_contact *k,
                         int64_t now);
/* A contact as listed (the secret is not read). address is malloc'd. */
struct store_contact_entry {
    int64_t id;
    char channel[16];
    char *address;
    int priority;
    bool emergency;
    char lang[8];
};
/* The org's contacts by priority, into a malloc'd array of *n the caller
 * gives to store_contacts_free. */
int store_contacts_list(struct store_conn *c, const char *org_id,
                        struct store_contact_entry **out, size_t *n);
/* Frees the addresses of k[0..n) and the array k. NULL is fine. */
void store_contacts_free(struct store_contact_entry *k, size_t n);

/* ---- users ---- */
struct store_user {
    int64_t id;
    char org_id[64];
    char username[65];
    char display_name[201];
    char pw_hash[160];
    unsigned roles;
    char lang[4];
    bool disabled;
    bool demo;
};
int store_user_insert(struct store_conn *c, const struct store_user *u,
                      int64_t now, int64_t *id);
int store_user_by_name(struct store_conn *c, const char *username,
                       struct store_user *out);
int store_user_by_id(struct store_conn *c, int64_t id, struct store_user *out);
int store_user_set_disabled(struct store_conn *c, int64_t id, bool disabled);
int store_user_set_password(struct store_conn *c, int64_t id,
                            const char *pw_hash);
int store_user_set_lang(struct store_conn *c, int64_t id, const char *lang);
/* Users of org_id (all when NULL), demo users left out unless with_demo,
 * by id, into a malloc'd array of *n (pw_hash left empty) the caller
 * free()s. */
int store_users_list(struct store_conn *c, const char *org_id, bool with_demo,
                     struct store_user **out, size_t *n);

/* ---- sessions ---- */
int store_session_insert(struct store_conn *c, const unsigned char hash[32],
                         int64_t user_id, const char *csrf, int64_t now,
                         int64_t expires);
/* IS_ERR_NOTFOUND when absent or expired. */
int store_session_get(struct store_conn *c, const unsigned char hash[32],
                      int64_t now, int64_t *user_id, char *csrf,
                      size_t csrflen);
int store_session_delete(struct store_conn *c, const unsigned char hash[32]);
int store_sessions_delete_user(struct store_conn *c, int64_t user_id);

/* ---- API tokens ---- */
/* parent: the token it was made with, or NULL */
int store_token_insert(struct store_conn *c, const char *id, int64_t user_id,
                       const char *name, const unsigned char hash[32],
                       int64_t now, int64_t expires, const char *parent);
/* When token id expires (0: never); IS_ERR_NOTFOUND when there is none
 * still valid at now (revoked or expired). */
int store_token_expiry(struct store_conn *c, const char *id, int64_t now,
                       int64_t *expires);
/* IS_ERR_NOTFOUND when absent, revoked or expired. */
int store_token_get(struct store_conn *c, const char *id, int64_t now,
                    int64_t *user_id, unsigned char hash[32]);
/* Owner of a token (for authorisation of revocation); NOTFOUND if none. */
int store_token_owner(struct store_conn *c, const char *id, int64_t *user_id,
                      bool *revoked);
/* Revokes token id and every token made with it (and with those);
 * IS_ERR_NOTFOUND when none was still valid. */
int store_token_revoke(struct store_conn *c, const char *id, int64_t now);
/* A token as listed: times are unix seconds, 0 when NULL (expires_at: it
 * does not expire; revoked_at: not revoked). name is malloc'd (NULL when
 * the token has none). */
struct store_token {
    char id[33];
    char *name;
    int64_t created_at;
    int64_t expires_at;
    int64_t revoked_at;
};
/* The user's tokens by creation, into a malloc'd array of *n the caller
 * gives to store_tokens_free. */
int store_tokens_list(struct store_conn *c, int64_t user_id,
                      struct store_token **out, size_t *n);
/* Frees the names of t[0..n) and the array t. NULL is fine. */
void store_tokens_free(struct store_token *t, size_t n);

/* ---- audit ---- */
struct store_audit_entry {
    int64_t at;
    int64_t actor_user;    /* 0 = none (system, anonymous caller) */
    const char *actor_org; /* NULL = none */
    const char *action;
    const char *target;
    const char *detail; /* JSON object text */
    /* The actor is withheld (an anonymous reporter acting on its report):
     * it enters the chain only as a hiding commitment, and the actor with
     * the commitment's salt goes to audit_withheld, which no view shows. */
    bool withhold;
};
/* Appends one chained (version 2) entry. Inside the caller's transaction
 * if one is open, else in its own. */
int store_audit_append(struct store_conn *c, const struct store_audit_entry *e);

/* The read-audit journal (docs/rules.md "Audit of reporting"). The entry
 * of an audited read that writes nothing else (a list page, an export)
 * is appended, durably, to a journal of its own: an SQLite file beside
 * the hub's (its path and STORE_JOURNAL_SUFFIX), with its own write lock
 * and log, so that the read neither waits for the hub's writers nor makes
 * every reader of the hub's database drop its page cache.
 * store_audit_settle moves the journal's entries into the chain, in their
 * order, exactly once: a mark in the hub's meta table (the journal's
 * identity and the last entry moved) is written in the same transaction.
 * Without a journal (PostgreSQL, whose nodes each write the chain; a
 * command-line process; an exercise's world) the entry goes straight into
 * the chain, as store_audit_append. */
#define STORE_JOURNAL_SUFFIX ".audit-journal"
/* Opens s's journal, made when missing if create (the daemon); without
 * create only one that exists (a command that finds entries a stopped
 * daemon left), and moves the entries it holds into the chain
 * (store_audit_settle). IS_OK without a journal on PostgreSQL. */
int store_journal_attach(struct store *s, bool create, char *errbuf,
                         size_t errlen);
/* Appends e as store_audit_append does, through the journal when s has
 * one and no transaction is open on c (then it is in the chain after the
 * next store_audit_settle). Durable when it returns IS_OK. */
int store_audit_append_read(struct store_conn *c,
                            const struct store_audit_entry *e);
/* Moves every entry the journal holds into the chain (none: IS_OK at
 * once). c has no transaction open. Called by the worker, before every
 * view of the audit log, at the daemon's start and stop, and by a command
 * that opens the hub's database. *moved (may be NULL): how many. */
int store_audit_settle(struct store_conn *c, int64_t *moved);

struct store_audit_problem {
    int64_t seq;
    char kind[16]; /* changed, removed, reordered, truncated */
    char message[160];
};
struct store_audit_report {
    int64_t entries;
    int64_t withheld; /* commitments opened and checked */
    char head[65];    /* hex hash of the last entry ("" when empty) */
    int nproblems;
    struct store_audit_problem problems[32];
};
/* Verifies the whole chain, both entry versions, the v1 -> v2 bridge and
 * every commitment against its opening. */
int store_audit_verify(struct store_conn *c, struct store_audit_report *r);

struct store_audit_query {
    int64_t after;  /* entries with seq > after (0 = from the start) */
    int64_t before; /* and seq < before (0 = no bound); when set the
                     * page is the newest `limit` such entries */
    int limit;
    /* NULL: the whole log (withheld actors shown as null, hashes,
     * prev_hash and commitments of version-2 entries shown).
     * An organisation id: only entries whose actor belongs to it (withheld
     * ones included, with their actor: it is the reader's own); no hashes,
     * prev_hash or commitments; and the seq of its rows (and of after
     * and before) is the entry's place among the organisation's own
     * entries (1, 2, ...), not the chain's: the chain's would count the
     * entries of others in between. */
    const char *org;
    /* filters (NULL / 0 = any): the actor as the reader sees it (its
     * organisation, its user id), the action; and at >= from, at < to
     * (has_from / has_to false: no bound) */
    const char *actor_org, *action;
    int64_t actor_user, from, to;
    bool has_from, has_to;
};
/* One entry of a page of the log as the query's reader may see it. The
 * strings are malloc'd (NULL when the column is NULL). */
struct store_audit_row {
    int64_t seq; /* as the query numbers it (org: its own entries) */
    int64_t at, version;
    /* The actor. For a withheld entry of an organisation's query, the
     * withheld actor (the reader's own); of the whole log's, the entry's
     * own columns (none: no user, NULL org). The withheld actor of the
     * whole log is never read. */
    bool has_actor_user; /* false: actor_user is NULL */
    int64_t actor_user;
    char *actor_org;
    /* the actor's username and organisation names (NULL when none) */
    char *actor_name, *actor_org_ja, *actor_org_en;
    bool withheld; /* the entry has a commitment (any length) */
    char *action, *target;
    char *detail; /* JSON object text */
    /* the chain values; has_* false when the column is not 32 bytes */
    bool has_hash, has_prev_hash, has_commitment;
    unsigned char hash[32], prev_hash[32], commitment[32];
};
/* A page of entries, oldest first: *out a malloc'd array of *n (NULL when
 * none) the caller hands to store_audit_rows_free. */
int store_audit_page(struct store_conn *c, const struct store_audit_query *q,
                     struct store_audit_row **out, size_t *n);
/* Frees the strings of rows[0..n) and the array rows. NULL is fine. */
void store_audit_rows_free(struct store_audit_row *rows, size_t n);

/* ---- catalogues, policies, deadlines (store_reports.c) ---- */
int store_catalogue_insert(struct store_conn *c, const char *kind,
                           const char *id, const char *scopes_csv,
                           const char *name_ja, const char *name_en,
                           const char *doc);
/* IS_OK when the item exists and applies to scope. */
int store_catalogue_check(struct store_conn *c, const char *kind,
                          const char *id, const char *scope);
/* A catalogue item: an Annex 1 system class or an Annex 2 CI service. */
struct store_catalogue_item {
    char *doc;         /* the whole item, JSON object text (malloc'd) */
    bool system_class; /* else a CI service */
};
/* The items (those of scope only, when not NULL), kind then id order,
 * into a malloc'd array of *n for store_catalogue_free. */
int store_catalogue_list(struct store_conn *c, const char *scope,
                         struct store_catalogue_item **out, size_t *n);
/* Frees the items k[0..n) and the array k. NULL is fine. */
void store_catalogue_free(struct store_catalogue_item *k, size_t n);
/* Policy of an org; defaults (review, 30) when none is stored. */
int store_hop_policy(struct store_conn *c, const char *org_id, bool *review,
                     int *limit_min);
/* Whether each org of orgs reviews what arrives: review[i] for
 * orgs->id[i] (review has room for orgs->n), true unless its policy is
 * auto. One call for a report's whole chain. */
int store_hop_reviews(struct store_conn *c, const struct ids *orgs,
                      bool *review);
int store_hop_policy_set(struct store_conn *c, const char *org_id, bool review,
                         int limit_min, int64_t now);
int store_deadline_set(struct store_conn *c, const char *sector_id, int first_h,
                       int full_h, int final_d);
/* The sector's deadlines, else the '*' row, else 24 h / 72 h / 30 d. */
int store_deadline_get(struct store_conn *c, const char *sector_id,
                       int *first_h, int *full_h, int *final_d);

/* ---- reports ---- */
struct store_report {
    int64_t seq;
    char id[40];
    char originator[64];
    int64_t filed_by;
    char scope_id[64], sector_id[64], ministry_id[64];
    char routing_ceptoar[64], agency_id[64];
    int route, range;
    char kind[16], state[8];
    int severity;
    char severity_rule[48];
    bool exceeded;
    int declared; /* -1 = none */
    /* the handling chain in order, the hops reached so far, the
     * originator's CEPTOARs (stored as ",a,b," text; converted here) */
    struct ids chain, reached, community;
    char current_hop[64];
    int64_t hop_arrived_at, detected_at, created_at, updated_at;
    int64_t first_due, full_due, final_due, full_at, closed_at; /* 0=none */
    char *body; /* malloc'd JSON text; store_report_release */
    /* filled by store_reports_next only ("" otherwise): the title and the
     * names a list shows, read in the same query */
    char title[801]; /* 200 code points of up to 4 bytes */
    char originator_ja[256], originator_en[256];
    char scope_ja[256], scope_en[256];
    char ceptoar_ja[256], ceptoar_en[256];
};
void store_report_release(struct store_report *r);
int store_report_insert(struct store_conn *c, struct store_report *r);
int store_report_get(struct store_conn *c, const char *id,
                     struct store_report *out);
/* Writes back every mutable column (range ... body) of r by id; the
 * stored range never widens (the narrower of the two is kept). Callers
 * read r inside the same write transaction (docs/rules.md, "Concurrent
 * writes"). */
int store_report_save(struct store_conn *c, const struct store_report *r);

struct store_report_filter {
    int64_t before_seq;                /* cursor: 0 = from the newest */
    const char *viewer;                /* org id; NULL = the public */
    const struct ids *viewer_ceptoars; /* NULL = none */
    bool viewer_agreed; /* agreement_gives_yellow of the viewer (?10) */
    const char *sector, *scope, *kind, *state; /* NULL = any */
    int min_severity;                          /* -1 = any */
    bool has_max;     /* max_severity applies (zero-initialised: any) */
    int max_severity; /* effective severity at most this, when has_max */
    bool overdue;     /* only reports past a deadline */
    bool all;         /* the hub itself: no viewer pre-filter */
    int64_t now;
};
/* An open scan over candidate reports, newest first: a row iterator.
 * Candidates are a superset of what the viewer may read: the caller
 * decides with core/range. Use:
 *     struct store_report_rows it;
 *     store_reports_open(c, &f, &it);
 *     while (!(rc = store_reports_next(&it, &r))) { ...;
 *         store_report_release(&r); }
 *     store_reports_close(&it);
 * rc is IS_ERR_NOTFOUND at the end of the rows. One scan per connection
 * at a time; nothing else may use the connection until it is closed. */
struct store_report_rows {
    struct store_conn *c;
    void *st;     /* the engine's open statement (owned by c's cache) */
    bool names;   /* c's kept names are of the registry's current version */
    int64_t rows; /* rows returned so far */
    /* the scan reads in chunks of `chunk` rows (growing), each one the
     * rows before the previous chunk's last seq: PostgreSQL reads a whole
     * result at once, and a list must not read 1,000,000 rows for 50 */
    int64_t chunk, in_chunk, last_seq;
};
int store_reports_open(struct store_conn *c,
                       const struct store_report_filter *f,
                       struct store_report_rows *it);
/* The next row into *r (the caller store_report_release()s it): IS_OK;
 * IS_ERR_NOTFOUND after the last row; another error when the read fails. */
int store_reports_next(struct store_report_rows *it, struct store_report *r);
/* Ends the scan (also after an error or before the last row). */
void store_reports_close(struct store_report_rows *it);
/* Reports due to leave their hop at now: the hop's policy is auto, or the
 * computed severity is >= 3 and the hop's review limit has passed. At most
 * 256, oldest arrival first. */
int store_reports_waiting(struct store_conn *c, int64_t now,
                          int (*fn)(void *ctx, struct store_report *r),
                          void *ctx);

/* A report id as a list of ids holds it. */
struct store_report_id {
    char id[40];
};
/* Ids of open reports past a deadline that have no reminder of that kind
 * yet; at most 256, oldest first: *out a malloc'd array of *n (NULL when
 * none) the caller free()s. */
int store_reports_to_remind(struct store_conn *c, int64_t now,
                            struct store_report_id **out, size_t *n);

int store_report_update_add(struct store_conn *c, const char *report_id,
                            int64_t at, int64_t user_id, const char *kind,
                            int range, const char *body, int64_t *id);
/* The ordinal (1-based, in order within the report) of update id of
 * report report_id: what a reader is shown instead of the hub-wide id. */
int store_report_update_ordinal(struct store_conn *c, const char *report_id,
                                int64_t id, int64_t *ordinal);
/* One update of a report as stored. Strings malloc'd (NULL when the
 * column is NULL); body is the update's JSON text. */
struct store_update {
    int64_t id; /* hub-wide row id */
    int64_t at;
    char *kind;
    int range;
    char *body;
};
/* Updates of a report, oldest first: *out a malloc'd array of *n (NULL
 * when none) the caller hands to store_updates_free. */
int store_updates_list(struct store_conn *c, const char *report_id,
                       struct store_update **out, int *n);
void store_updates_free(struct store_update *u, int n);
int store_timeline_add(struct store_conn *c, const char *report_id, int64_t at,
                       const char *org_id, int64_t user_id, const char *type,
                       const char *detail);
/* One timeline entry of a report as stored. Strings malloc'd (NULL when
 * the column is NULL); detail is JSON text; user_id 0 = none. */
struct store_timeline_entry {
    int64_t at;
    char *org;
    int64_t user_id;
    char *type;
    char *detail;
};
/* The timeline of a report, oldest first: *out a malloc'd array of *n
 * (NULL when none) the caller hands to store_timeline_free. */
int store_timeline_list(struct store_conn *c, const char *report_id,
                        struct store_timeline_entry **out, int *n);
void store_timeline_free(struct store_timeline_entry *t, int n);
int store_attachment_add(struct store_conn *c, const char *report_id,
                         int64_t update_id, const char *name, const char *mime,
                         const void *data, size_t len, const char *sha256,
                         int64_t *id);
/* One attachment of a report, as stored (its bytes apart). The strings
 * are malloc'd (NULL when the column is NULL); store_attachments_free. */
struct store_attachment {
    int64_t id; /* hub-wide row id */
    char *name, *mime;
    int64_t size;
    char *sha256;      /* hex */
    int64_t update_id; /* hub-wide row id of the update it came with */
};
/* The attachments of a report in upload order: *out is a malloc'd array
 * of *n rows (NULL when none) the caller hands to store_attachments_free. */
int store_attachments_list(struct store_conn *c, const char *report_id,
                           struct store_attachment **out, int *n);
void store_attachments_free(struct store_attachment *a, int n);
/* The bytes of one attachment of a report (malloc'd). */
int store_attachment_get(struct store_conn *c, const char *report_id,
                         int64_t id, char **name, char **mime, void **data,
                         size_t *len);

/* Names of a scope, organisation or sector ("scope", "org", "sector").
 * ja and en may be NULL (with 0 lengths) to ask only whether id exists. */
int store_names(struct store_conn *c, const char *what, const char *id,
                char *ja, size_t jalen, char *en, size_t enlen);

/* The id of the NISC organisation. */
int store_nisc_id(struct store_conn *c, char *out, size_t outlen);
/* *n: the operators of scope among the members of CEPTOAR ceptoar. */
int store_ceptoar_scope_crowd(struct store_conn *c, const char *ceptoar,
                              const char *scope, int64_t *n);

/* ---- events ---- */
int store_event_insert(struct store_conn *c, const char *id,
                       const char *title_ja, const char *title_en,
                       const char *org, int64_t now);
/* An event as stored (no pointers: an array of them is free()d). */
struct store_event {
    char id[41];
    char title_ja[801], title_en[801]; /* 200 code points of <= 4 bytes */
    char created_by[64];
    int64_t created_at;
};
int store_event_get(struct store_conn *c, const char *id,
                    struct store_event *out);
int store_event_link(struct store_conn *c, const char *event_id,
                     const char *report_id, const char *org, int64_t now);
/* Report ids of an event, in link order: *out a malloc'd array of *n
 * (NULL when none) the caller free()s. */
int store_event_reports(struct store_conn *c, const char *event_id,
                        struct store_report_id **out, size_t *n);
/* At most limit events, newest first: *out a malloc'd array of *n (NULL
 * when none) the caller free()s. */
int store_events_list(struct store_conn *c, int limit, struct store_event **out,
                      size_t *n);

/* ---- reminders ---- */
/* Inserts a due reminder unless one of that kind exists; *created says. */
int store_reminder_add(struct store_conn *c, const char *report_id,
                       const char *org_id, const char *kind, int64_t due,
                       int64_t now, bool *created);
/* One deadline reminder of a report as the report view shows it; kind
 * malloc'd (NULL when NULL); sent_at 0 = not sent. */
struct store_report_reminder {
    char *kind;
    int64_t due_at, created_at, sent_at;
};
/* The reminders of a report: *out a malloc'd array of *n (NULL when none)
 * the caller hands to store_report_reminders_free. */
int store_report_reminders(struct store_conn *c, const char *report_id,
                           struct store_report_reminder **out, int *n);
void store_report_reminders_free(struct store_report_reminder *r, int n);
struct store_reminder {
    int64_t id;
    char report_id[40], org_id[64], kind[16];
    int attempts;
};
/* Claims up to max unsent reminders that are due, for lease seconds. */
int store_reminders_claim(struct store_conn *c, int64_t now, int lease, int max,
                          struct store_reminder *out, int *n);
int store_reminder_sent(struct store_conn *c, int64_t id, int64_t now,
                        const char *channel);
/* next_at < 0 gives up (the reminder stays unsent, with the error). */
int store_reminder_retry(struct store_conn *c, int64_t id, int64_t next_at,
                         const char *error);
/* The organisation's first contact by priority; NOTFOUND when none. */
int store_contact_first(struct store_conn *c, const char *org,
                        int64_t *contact_id);

/* ---- provision (store_provision.c) ---- */
struct store_advisory {
    int64_t seq;
    char id[40];
    char author[64];
    int64_t author_user;
    char kind[16];
    int range, severity;
    char *title_ja, *title_en, *body_ja, *body_en; /* malloc'd */
    bool title_in_notice, hotline, drill;
    char *audience, *refs; /* JSON text, malloc'd */
    int64_t ack_deadline_s, created_at;
};
void store_advisory_release(struct store_advisory *a);
int store_advisory_insert(struct store_conn *c, struct store_advisory *a);
int store_advisory_get(struct store_conn *c, const char *id,
                       struct store_advisory *out);
/* Narrows the range (a wider one leaves it as it is); a narrower one
 * records now as when it was narrowed. */
int store_advisory_set_range(struct store_conn *c, const char *id, int range,
                             int64_t now);
/* When the advisory's range was last narrowed (0: never). */
int store_advisory_range_at(struct store_conn *c, const char *id, int64_t *at);
/* Newest first from before_seq (0 = newest); fn returns non-zero to stop. */
int store_advisories_scan(struct store_conn *c, int64_t before_seq,
                          int (*fn)(void *ctx, struct store_advisory *a),
                          void *ctx);
/* issue 11: lists (store_advlist.c). The acknowledged and total
 * recipients of adv a viewer sees: mode STORE_ACKS_ALL every one,
 * STORE_ACKS_VIA those org releases (a secretariat, a list owner),
 * STORE_ACKS_MINISTRY those of org's sectors. */
enum store_acks_mode { STORE_ACKS_ALL, STORE_ACKS_VIA, STORE_ACKS_MINISTRY };
int store_advisory_ack_counts(struct store_conn *c, const char *adv,
                              enum store_acks_mode mode, const char *org,
                              int64_t *acked, int64_t *total);
/* When org first opened adv after its release (*opened 0: not yet) and
 * whether it is released to org. IS_ERR_NOTFOUND: org is no recipient. */
int store_recipient_opened(struct store_conn *c, const char *adv,
                           const char *org, int64_t *opened, bool *released);
/* Records org's first opening of adv (released to it) at now; a later
 * one changes nothing. */
int store_recipient_open(struct store_conn *c, const char *adv, const char *org,
                         int64_t now);

/* Hops of an advisory's relay chain. */
int store_hop_insert(struct store_conn *c, const char *adv, const char *org,
                     int step, const char *parent, const char *state,
                     int64_t arrived_at, int64_t relayed_at, const char *how);
struct store_hop {
    int step;
    char parent[64], state[10], how[12];
    int64_t arrived_at, relayed_at;
};
int store_hop_get(struct store_conn *c, const char *adv, const char *org,
                  struct store_hop *out);
/* IS_ERR_CONFLICT when already relayed. */
int store_hop_relay(struct store_conn *c, const char *adv, const char *org,
                    int64_t now, const char *how, const char *note_ja,
                    const char *note_en);
int store_hop_arrive(struct store_conn *c, const char *adv, const char *org,
                     int64_t now);
/* Lists the provision queries return. A list owns items, a malloc'd
 * array of n rows (NULL when n is 0), until its type's *_free, which
 * takes a zeroed list too and leaves the list zeroed. On an error the
 * function returns the list zeroed. Ids hold what the registry admits
 * (IDS_LEN with the NUL). */
struct store_id {
    char id[IDS_LEN];
};
struct store_id_list {
    struct store_id *items;
    size_t n;
};
void store_id_list_free(struct store_id_list *l);
/* An advisory and one of its organisations (a hop or a recipient). */
struct store_adv_org {
    char adv[IDS_LEN], org[IDS_LEN];
};
struct store_adv_org_list {
    struct store_adv_org *items;
    size_t n;
};
void store_adv_org_list_free(struct store_adv_org_list *l);
/* A CEPTOAR hop and the ministry of its scope's sector ("" when none). */
struct store_ceptoar_hop {
    char ceptoar[IDS_LEN], ministry[IDS_LEN];
};
struct store_ceptoar_hop_list {
    struct store_ceptoar_hop *items;
    size_t n;
};
void store_ceptoar_hop_list_free(struct store_ceptoar_hop_list *l);
/* One hop of an advisory's chain; the notes are malloc'd. */
struct store_hop_entry {
    char org[IDS_LEN];
    struct store_hop hop;
    char *note_ja, *note_en;
};
struct store_hop_list {
    struct store_hop_entry *items;
    size_t n;
};
void store_hop_list_free(struct store_hop_list *l);
/* Whether up is from, or a hop from came through: from's parent, its
 * parent's, ... up to the author (bounded by the number of hops, whatever
 * the parents say). */
bool store_hop_list_through(const struct store_hop_list *l, const char *from,
                            const char *up);

/* Pending children of a hop, by org id. */
int store_hop_children(struct store_conn *c, const char *adv,
                       const char *parent, struct store_id_list *out);
/* The chain, by step then org id. */
int store_hops_list(struct store_conn *c, const char *adv,
                    struct store_hop_list *out);
/* Waiting hops due to relay by themselves, the longest waiting first (at
 * most 512). */
int store_hops_due(struct store_conn *c, int64_t now, int default_limit_min,
                   struct store_adv_org_list *out);
/* The distinct ministries of the recipients' sectors, by id. */
int store_hops_ministries(struct store_conn *c, const char *adv,
                          struct store_id_list *out);
/* The distinct CEPTOARs of the recipients, by id. */
int store_hops_ceptoars(struct store_conn *c, const char *adv,
                        struct store_ceptoar_hop_list *out);

/* Recipients: what = "all" | "sector" | "scope" | "ceptoar" | "org". */
int store_recipients_add(struct store_conn *c, const char *adv,
                         const char *what, const char *id);
/* Sets each recipient's releasing hop (its CEPTOAR among the hops). */
int store_recipients_set_via(struct store_conn *c, const char *adv);
int store_recipients_count(struct store_conn *c, const char *adv, int64_t *n);
/* Releases the recipients waiting for hop via ("" = the author) and queues
 * their first deliveries (every contact when hotline). Returns how many
 * were released in *n. */
int store_recipients_dispatch(struct store_conn *c, const char *adv,
                              const char *via, bool hotline, int64_t now,
                              int *n);
/* Queues an organisation's emergency contacts (hotline). */
int store_queue_emergency(struct store_conn *c, const char *adv,
                          const char *org, int64_t now);
/* Queues the org's next unused contact (all remaining when all). */
int store_queue_next(struct store_conn *c, const char *adv, const char *org,
                     const char *reason, bool all, int64_t now, int *queued);

struct store_recipient {
    char via[64];
    bool named;
    int64_t released_at, delivered_at, acked_at, escalated_at;
    char channel[16], ack_via[8];
};
int store_recipient_get(struct store_conn *c, const char *adv, const char *org,
                        struct store_recipient *out);
/* IS_ERR_CONFLICT when already acknowledged (or not released). */
int store_recipient_ack(struct store_conn *c, const char *adv, const char *org,
                        int64_t now, int64_t user, const char *via);
/* Every recipient of an advisory, by org id (times 0 = none), with its
 * open deliveries (queued or sending) and of those sending; the names
 * are malloc'd. */
struct store_recipient_entry {
    char org[IDS_LEN], sector[IDS_LEN]; /* sector "" when none */
    struct store_recipient r;
    char *name_ja, *name_en;
    int64_t open, sending;
};
struct store_recipient_list {
    struct store_recipient_entry *items;
    size_t n;
};
void store_recipient_list_free(struct store_recipient_list *l);
int store_recipients_list(struct store_conn *c, const char *adv,
                          struct store_recipient_list *out);
/* Recipients past their acknowledgement deadline (at most 2048). */
int store_recipients_due_escalation(struct store_conn *c, int64_t now,
                                    struct store_adv_org_list *out);
/* IS_ERR_CONFLICT when acknowledged or escalated already. */
int store_recipient_escalated(struct store_conn *c, const char *adv,
                              const char *org, int64_t now);

/* ---- the outbox ---- */
/* A job of the outbox: an advisory's delivery (kind STORE_JOB_ADVISORY,
 * the deliveries table) or a report's upward alert (STORE_JOB_ALERT, the
 * alert_deliveries table: advisory_id holds the report's id, round and
 * purpose say which alert). The store_delivery_* functions below act on
 * the job's own table; the outbox treats both alike. */
enum store_job_kind {
    STORE_JOB_ADVISORY = 0,
    STORE_JOB_ALERT = 1,
    /* issue 12: an observation alert's e-mail (obs_alert_deliveries;
     * advisory_id holds the alert's id) */
    STORE_JOB_OBS = 2,
    /* issue 15: a notice's e-mail (notice_deliveries; advisory_id holds
     * the notice's id: store/store_notice.h) */
    STORE_JOB_NOTICE = 3
};
struct store_delivery {
    int64_t id;
    char advisory_id[40], org_id[64];
    int64_t contact_id;
    char channel[16];
    char address[512];
    int attempts;
    char idem_key[160];
    enum store_job_kind kind;
    int round;        /* an alert's round (1 at arrival) */
    char purpose[12]; /* an alert's: "alert" or "reminder" */
    /* the lease this holder's claim (or hand-off) set: an outcome is
     * written only while the row still carries it, so a node whose lease
     * ran out (and whose job another node claimed since) writes nothing
     * over the new holder's claim */
    int64_t lease_until;
};
/* Claims up to max due jobs of every kind (queued and due, or sending
 * with an expired lease) for lease seconds: alerts first (a report's
 * alert never waits behind an advisory's fan-out), observation alerts,
 * advisories' deliveries, then notices (reminders wait behind warnings). */
int store_deliveries_claim(struct store_conn *c, int64_t now, int lease,
                           int max, struct store_delivery *out, int *n);
/* Alert jobs written claimed and not yet taken (attempts 0), up to max,
 * into out (kind STORE_JOB_ALERT, attempts 0): read only. */
int store_deliveries_fresh(struct store_conn *c, int max,
                           struct store_delivery *out, int *n);
/* The counters of failed log-ins and refused links shared by the nodes
 * of one database (table login_limits), with the meaning of
 * service/ratelimit.h's: a window starts at its first failure and lasts
 * window seconds; kind is "addr", "name", "user" or "ack", key a digest.
 * STORE_LIMIT_TAKE: *ok false when the key has max failures in its
 * window, else one failure is counted (and *ok true); GIVE_BACK takes one
 * back (never below zero); CLEAR forgets the key. Counters whose window
 * is over are deleted as a TAKE passes. In the caller's write
 * transaction, which makes the check and the count one step across
 * nodes. */
enum store_limit_op {
    STORE_LIMIT_TAKE,
    STORE_LIMIT_GIVE_BACK,
    STORE_LIMIT_CLEAR
};
int store_limit(struct store_conn *c, enum store_limit_op op, const char *kind,
                const char *key, int64_t now, int64_t window, int max,
                bool *ok);
/* Takes or renews, for lease seconds, the lease of a duty one node
 * performs for all ("prober", "taxii"): held when no node holds it, when
 * this node (store_set_node) does, or when the holder's lease ran out
 * (now >= its end). *held says whether this node holds it now, *until its
 * lease's end. In the caller's write transaction. */
int store_duty_hold(struct store_conn *c, const char *duty, int64_t now,
                    int lease, bool *held, int64_t *until);
/* At start-up: jobs this node (store_set_node) left 'sending' when it
 * crashed are queued again (at-least-once; receivers drop duplicates by
 * Idempotency-Key). Other nodes' jobs keep their leases. */
int store_deliveries_reset(struct store_conn *c, int *n);
int store_delivery_done(struct store_conn *c, const struct store_delivery *d,
                        int64_t now);
int store_delivery_retry(struct store_conn *c, const struct store_delivery *d,
                         int64_t next_at, const char *error);
int store_delivery_failed(struct store_conn *c, const struct store_delivery *d,
                          const char *error);
/* After d's last attempt failed: queues the organisation's next unused
 * contact for the same advisory, or the same alert round and purpose. */
int store_delivery_next(struct store_conn *c, const struct store_delivery *d,
                        int64_t now, int *queued);
/* Is d's purpose met already (the advisory acknowledged, the alert round
 * opened), so that no retry is due? */
int store_delivery_settled(struct store_conn *c, const struct store_delivery *d,
                           bool *settled);
int store_deliveries_cancel(struct store_conn *c, const char *adv,
                            const char *org);
int store_deliveries_pending(struct store_conn *c, const char *adv,
                             const char *org, int64_t *n);
/* An advisory's deliveries per state (the states of the deliveries
 * table). */
struct store_delivery_counts {
    int64_t queued, sending, delivered, failed, cancelled;
};
int store_delivery_counts(struct store_conn *c, const char *adv,
                          struct store_delivery_counts *out);
/* A contact's channel, address, secret (hex or ""), language. */
int store_contact_get(struct store_conn *c, int64_t id, char *channel,
                      size_t chlen, char *address, size_t alen, char *secret,
                      size_t slen, char *lang, size_t llen);

/* ---- acknowledgement links ---- */
int store_ack_link_insert(struct store_conn *c, const unsigned char hash[32],
                          const char *adv, const char *org, int64_t expires);
/* Looks up a link: IS_ERR_NOTFOUND, else fills adv/org/expires/used. */
int store_ack_link_get(struct store_conn *c, const unsigned char hash[32],
                       char *adv, size_t alen, char *org, size_t olen,
                       int64_t *expires, int64_t *used);
/* Marks it used; IS_ERR_CONFLICT when it was used already. */
int store_ack_link_use(struct store_conn *c, const unsigned char hash[32],
                       int64_t now);

/* ---- drills ---- */
int store_drill_insert(struct store_conn *c, const char *id, const char *adv,
                       const char *target_kind, const char *target,
                       const char *by, int64_t now);
struct store_drill {
    char id[41];
    char advisory[40];
    char target_kind[16];
    char target[64];
    char created_by[64];
    int64_t created_at;
    int64_t seq;
};
int store_drill_get(struct store_conn *c, const char *id,
                    struct store_drill *out);
/* The previous drill of the same target, or NOTFOUND; fills only id and
 * advisory of out. */
int store_drill_prev(struct store_conn *c, const char *target_kind,
                     const char *target, int64_t seq, struct store_drill *out);

/* ---- handling-rule agreements (docs/rules.md) ---- */
struct store_rules {
    char version[32];
    char title_ja[256], title_en[256];
    int64_t effective_at;
};
/* The current handling rules (the latest effective_at). */
int store_rules_current(struct store_conn *c, struct store_rules *out);
struct store_agreement {
    int64_t id;
    char org_id[64];
    char rules_version[32];
    int64_t signed_by; /* users.id; 0 = the system */
    char signed_by_name[65];
    int64_t signed_at;
    int64_t withdrawn_by; /* 0 when not withdrawn or by the system */
    char withdrawn_by_name[65];
    int64_t withdrawn_at; /* 0 = active */
};
/* Records a signing (signed_by 0 = the system); *id its id.
 * IS_ERR_CONFLICT when org already has an active agreement. */
int store_agreement_insert(struct store_conn *c, const char *org,
                           const char *version, int64_t signed_by, int64_t now,
                           int64_t *id);
/* Withdraws agreement id of org. IS_ERR_NOTFOUND when there is no such
 * active agreement. */
int store_agreement_withdraw(struct store_conn *c, int64_t id, const char *org,
                             int64_t by, int64_t now);
int store_agreement_get(struct store_conn *c, int64_t id, const char *org,
                        struct store_agreement *out);
/* org's active agreement, or IS_ERR_NOTFOUND. */
int store_agreement_active(struct store_conn *c, const char *org,
                           struct store_agreement *out);
/* org's agreements, newest first, into a malloc'd *out (free()) of *n. */
int store_agreements_list(struct store_conn *c, const char *org,
                          struct store_agreement **out, size_t *n);
/* ---- upward alerts (store/store_alerts.c; core/alert.h) ---- */
/* Alert jobs are written already claimed for the outbox ('sending',
 * attempts 0, a hand-off lease of this many seconds): the outbox, woken
 * after the commit, takes them with a read (store_deliveries_fresh) and
 * sends them at once, with no write of its own before sending. Jobs it
 * does not take (no outbox running, a crash) are claimed again when the
 * lease ends, or queued again at start (store_deliveries_reset). */
#define STORE_ALERT_HANDOFF_S 300
/* A hop's alert round of a report, as stored (times 0 = not yet). */
struct store_alert {
    int round, severity;
    int64_t alerted_at, opened_at, escalated_at, reminded_at;
    char opened_via[8];
};
/* The report arrived at org: its alert row (round 1; nothing when one
 * exists) and the round's jobs (core alert_fanout: every contact, else
 * the first). *queued: how many jobs. */
int store_alert_arrive(struct store_conn *c, const char *report,
                       const char *org, int severity, bool every, int64_t now,
                       int *queued);
/* A raised severity: every hop of the report starts a new round (opened,
 * escalation and reminder cleared); *hops (malloc'd list) names them for
 * store_alert_queue. */
int store_alert_raise(struct store_conn *c, const char *report, int severity,
                      int64_t now, struct store_id_list *hops);
/* Queues the current round's jobs of purpose ("alert", "reminder") for
 * org: every contact when every, else the first. */
int store_alert_queue(struct store_conn *c, const char *report, const char *org,
                      const char *purpose, bool every, int64_t now,
                      int *queued);
/* Queues the remaining contacts of org's current round (escalation). */
int store_alert_queue_rest(struct store_conn *c, const char *report,
                           const char *org, int64_t now, int *queued);
int store_alert_get(struct store_conn *c, const char *report, const char *org,
                    struct store_alert *out);
/* Marks org's alert opened (round 0: whichever round is current, else
 * only that round) and cancels its queued jobs; IS_ERR_NOTFOUND when there
 * is no such unopened alert. */
int store_alert_open(struct store_conn *c, const char *report, const char *org,
                     int round, int64_t user, const char *via, int64_t now);
/* Severe rounds not opened, not reminded, past the hop's review limit
 * (default_limit_min when it has no policy): core alert_reminder_due. */
int store_alerts_due_remind(struct store_conn *c, int64_t now,
                            int default_limit_min,
                            struct store_adv_org_list *out);
/* Lesser rounds not opened, not escalated, past the acknowledgement
 * deadline of their severity (limit3_s for 3, limit_low_s below):
 * core alert_escalation_due. */
int store_alerts_due_escalate(struct store_conn *c, int64_t now,
                              int64_t limit3_s, int64_t limit_low_s,
                              struct store_adv_org_list *out);
/* IS_ERR_CONFLICT when opened, reminded or escalated meanwhile. */
int store_alert_reminded(struct store_conn *c, const char *report,
                         const char *org, int64_t now);
int store_alert_escalated(struct store_conn *c, const char *report,
                          const char *org, int64_t now);
/* An unopened severe alert of an open report (the NISC view). */
struct store_unopened {
    char report[IDS_LEN], org[IDS_LEN], org_kind[24];
    int round, severity;
    int64_t alerted_at, reminded_at;
    char *name_ja, *name_en; /* malloc'd */
};
struct store_unopened_list {
    struct store_unopened *items;
    size_t n;
};
void store_unopened_list_free(struct store_unopened_list *l);
int store_alerts_unopened(struct store_conn *c,
                          struct store_unopened_list *out);
/* An alert's signed link (the ack_links table, kind 'alert'). */
int store_alert_link_insert(struct store_conn *c, const unsigned char hash[32],
                            const char *report, const char *org, int round,
                            int64_t expires);
/* The kind ("advisory", "alert") and round of a stored link. */
int store_ack_link_kind(struct store_conn *c, const unsigned char hash[32],
                        char *kind, size_t klen, int *round);
/* ---- distribution lists and withholding (store/store_lists.c) ----
 * A list (配信先リスト) belongs to its owner; its members are external
 * organisations (docs/rules.md, "Distribution lists"). */
struct store_dlist {
    char id[24], owner[IDS_LEN];
    char name_ja[256], name_en[256];
    int64_t created_at, members;
};
struct store_dlist_list {
    struct store_dlist *items;
    size_t n;
};
void store_dlist_list_free(struct store_dlist_list *l);
/* A member: id, names, scope ("" when none). */
struct store_dlist_member {
    char id[IDS_LEN], scope[IDS_LEN];
    char name_ja[256], name_en[256];
};
struct store_dlist_member_list {
    struct store_dlist_member *items;
    size_t n;
};
void store_dlist_member_list_free(struct store_dlist_member_list *l);
/* IS_ERR_CONFLICT when the owner has a list of that English name. */
int store_dlist_insert(struct store_conn *c, const struct store_dlist *l);
int store_dlist_get(struct store_conn *c, const char *id,
                    struct store_dlist *out);
int store_dlists_owner(struct store_conn *c, const char *owner,
                       struct store_dlist_list *out);
/* IS_ERR_CONFLICT on a name the owner uses for another list. */
int store_dlist_rename(struct store_conn *c, const char *id,
                       const char *name_ja, const char *name_en);
int store_dlist_members_clear(struct store_conn *c, const char *id);
int store_dlist_delete(struct store_conn *c, const char *id);
/* IS_ERR_CONFLICT when org is on the list already. */
int store_dlist_member_add(struct store_conn *c, const char *id,
                           const char *org);
int store_dlist_members(struct store_conn *c, const char *id,
                        struct store_dlist_member_list *out);
/* The owners of the lists org is on (store_org_rel's relays of an
 * external organisation). */
int store_dlist_owners_of(struct store_conn *c, const char *org,
                          struct store_id_list *out);
/* The lists owned by organisations an advisory reaches (its recipients
 * and hops) other than its author: items[i].adv is the list id, .org its
 * owner. */
int store_dlists_reached(struct store_conn *c, const char *adv,
                         struct store_adv_org_list *out);
/* Makes a list's members recipients of adv released by hop via (those
 * that are recipients already keep their releasing hop). */
int store_dlist_recipients_add(struct store_conn *c, const char *adv,
                               const char *list, const char *via);
/* Withholds a waiting hop; IS_ERR_CONFLICT when it is not waiting. */
int store_hop_withhold(struct store_conn *c, const char *adv, const char *org,
                       int64_t now, const char *reason);
/* When and why a hop withheld adv; IS_ERR_NOTFOUND when it did not. The
 * reason is malloc'd (*reason, the caller frees). */
int store_hop_withheld(struct store_conn *c, const char *adv, const char *org,
                       int64_t *at, char **reason);
/* ---- large-scale outage declarations (store/store_declarations.c) ---- */
#define STORE_DECL_MAX_SECTORS 32
/* A declaration as stored (no pointers: an array of them is free()d).
 * ended_at 0: active. national: covers every sector (sectors empty). */
struct store_declaration {
    char id[41];
    char title_ja[801], title_en[801]; /* 200 code points of <= 4 bytes */
    char reason[8001];                 /* 2000 code points */
    bool national;
    char event_id[41];
    char rollcall_id[41];
    int64_t started_at, started_by;
    char started_org[64];
    int64_t ended_at, ended_by;
    char ended_org[64];
    int nsectors;
    char sectors[STORE_DECL_MAX_SECTORS][64];
};
/* Inserts d (its row and its sectors). */
int store_declaration_insert(struct store_conn *c,
                             const struct store_declaration *d);
int store_declaration_get(struct store_conn *c, const char *id,
                          struct store_declaration *out);
/* At most limit declarations, newest first (active_only: those not
 * ended), each with its sectors: *out a malloc'd array of *n (NULL when
 * none) the caller free()s. */
int store_declarations_list(struct store_conn *c, bool active_only, int limit,
                            struct store_declaration **out, size_t *n);
/* Ends an active declaration: IS_ERR_NOTFOUND when none with that id is
 * active. */
int store_declaration_end(struct store_conn *c, const char *id, int64_t user_id,
                          const char *org, int64_t now);
int store_declaration_set_rollcall(struct store_conn *c, const char *id,
                                   const char *rollcall_id);
/* Links an advisory to an event (again: nothing). */
int store_event_advisory_link(struct store_conn *c, const char *event_id,
                              const char *advisory_id, const char *org,
                              int64_t now);
/* Advisory ids of an event, in link order: *out a malloc'd array of *n
 * (NULL when none) the caller free()s. */
int store_event_advisories(struct store_conn *c, const char *event_id,
                           struct store_report_id **out, size_t *n);
/* The sectors of an advisory's recipients (their main scope's sector). */
int store_advisory_sectors(struct store_conn *c, const char *advisory_id,
                           struct store_id_list *out);
/* Reports waiting at a hop that large-scale outage mode moves on at once:
 * severity >= MODE_HOTLINE_SEVERITY in a sector an active declaration
 * covers (store/store_reports.c). At most 256, oldest arrival first. */
int store_reports_waiting_outage(struct store_conn *c,
                                 int (*fn)(void *ctx, struct store_report *r),
                                 void *ctx);
/* Sets an advisory's hotline flag and acknowledgement deadline (the
 * mode's, decided before its recipients are released). */
int store_advisory_set_mode(struct store_conn *c, const char *advisory_id,
                            bool hotline, int64_t ack_deadline_s);
/* ---- roll calls and survey requests (store/store_rollcall.c) ---- */

/* The form attached to advisory adv (form: normalised JSON text). */
int store_rollcall_form_insert(struct store_conn *c, const char *adv,
                               const char *name, const char *form, int64_t now);
/* IS_ERR_NOTFOUND when adv carries no form; *form malloc'd (may be NULL
 * when the caller wants the name only). */
int store_rollcall_form_get(struct store_conn *c, const char *adv, char *name,
                            size_t name_len, char **form);
/* The board version of adv (0 before the first change): bumped by the
 * triggers of migration 0017 on every change a board shows. */
int store_rollcall_version(struct store_conn *c, const char *adv,
                           int64_t *version);
/* Writes the board's recipient counters of adv (after its recipients and
 * their hops are written). */
int store_rollcall_counts_init(struct store_conn *c, const char *adv);
/* Adds delta to the counter (question, value) of org's bucket (its hop and
 * sector). */
int store_rollcall_count_add(struct store_conn *c, const char *adv,
                             const char *org, const char *question,
                             const char *value, int delta);
struct store_rollcall_count {
    char via[IDS_LEN], sector[IDS_LEN], question[40], value[40];
    int64_t n;
};
struct store_rollcall_count_list {
    struct store_rollcall_count *items;
    size_t n;
};
void store_rollcall_count_list_free(struct store_rollcall_count_list *l);
/* The counters a viewer sees: via (a secretariat: its members' buckets)
 * or ministry (its sectors' buckets); "" = no filter. */
int store_rollcall_counts(struct store_conn *c, const char *adv,
                          const char *via, const char *ministry,
                          struct store_rollcall_count_list *out);
struct store_rollcall_answer {
    char *answers; /* JSON text, malloc'd */
    int64_t answered_at, answered_by, revision;
    char how[8];
};
/* IS_ERR_NOTFOUND when org has not answered. */
int store_rollcall_answer_get(struct store_conn *c, const char *adv,
                              const char *org,
                              struct store_rollcall_answer *out);
/* Writes org's answer (replacing one there: revision + 1). */
int store_rollcall_answer_put(struct store_conn *c, const char *adv,
                              const char *org, const char *answers, int64_t now,
                              int64_t by, const char *how);
struct store_rollcall_row {
    char org[IDS_LEN], sector[IDS_LEN], via[IDS_LEN];
    char *name_ja, *name_en, *answers; /* answers NULL: not answered */
    int64_t released_at, escalated_at, answered_at, answered_by, revision;
    char how[8];
};
struct store_rollcall_row_list {
    struct store_rollcall_row *items;
    size_t n;
};
void store_rollcall_row_list_free(struct store_rollcall_row_list *l);
/* One page of the board's rows (by org id, after `after`): state 0 every
 * recipient, 1 answered, 2 not answered; via / ministry filter as
 * store_rollcall_counts. */
int store_rollcall_board_page(struct store_conn *c, const char *adv,
                              const char *via, const char *ministry,
                              const char *after, int state, int limit,
                              struct store_rollcall_row_list *out);
/* ---- drill kinds, the drill programme, sub-groups (store_drills.c) ---- */
int store_subgroup_insert(struct store_conn *c, const char *id,
                          const char *ceptoar, const char *name_ja,
                          const char *name_en, int ord);
int store_subgroup_member_add(struct store_conn *c, const char *subgroup,
                              const char *org);
/* The CEPTOAR of a sub-group (out: IDS_LEN); IS_ERR_NOTFOUND when none. */
int store_subgroup_ceptoar(struct store_conn *c, const char *subgroup,
                           char *out, size_t len);
struct store_subgroup {
    char id[IDS_LEN], ceptoar[IDS_LEN];
    char *name_ja, *name_en; /* malloc'd */
    int64_t members;
};
struct store_subgroup_list {
    struct store_subgroup *items;
    size_t n;
};
void store_subgroup_list_free(struct store_subgroup_list *l);
/* Sub-groups of ceptoar (NULL = every CEPTOAR), by CEPTOAR and order. */
int store_subgroups_list(struct store_conn *c, const char *ceptoar,
                         struct store_subgroup_list *out);
/* (sub-group, org) pairs of an advisory's recipients (store_adv_org:
 * adv holds the sub-group id). */
int store_subgroups_of_recipients(struct store_conn *c, const char *adv,
                                  struct store_adv_org_list *out);
/* Adds the operator members of a sub-group as recipients. */
int store_recipients_add_subgroup(struct store_conn *c, const char *adv,
                                  const char *subgroup);
/* Limits an advisory's deliveries to one channel (gateway, email,
 * webhook). */
int store_advisory_channel_set(struct store_conn *c, const char *adv,
                               const char *channel);
/* The recipients of adv with no contact of channel (as an outage drill
 * limits it), by org id. */
int store_recipients_lacking_channel(struct store_conn *c, const char *adv,
                                     const char *channel,
                                     struct store_id_list *out);
struct store_drill_info {
    int64_t seq;
    char id[IDS_LEN], advisory[IDS_LEN], target_kind[16], target[IDS_LEN];
    char created_by[IDS_LEN], kind[16], channel[16];
    int64_t created_at;
    int fy;
    char ceptoars[1024]; /* the CEPTOARs it went through, comma-separated */
};
int store_drill_add(struct store_conn *c, const struct store_drill_info *d);
/* Records the CEPTOARs the drill's advisory went through (after its
 * recipients are set). */
int store_drill_ceptoars_fill(struct store_conn *c, const char *drill,
                              const char *adv);
int store_drill_info_get(struct store_conn *c, const char *id,
                         struct store_drill_info *out);
/* The previous drill of the same kind and target; IS_ERR_NOTFOUND. */
int store_drill_previous(struct store_conn *c, const struct store_drill_info *d,
                         struct store_drill_info *out);
struct store_drill_info_list {
    struct store_drill_info *items;
    size_t n;
};
void store_drill_info_list_free(struct store_drill_info_list *l);
/* Up to limit drills, newest first, with seq below before_seq (0 = from
 * the newest), of fiscal year fy (0 = any) through ceptoar (NULL =
 * any). */
int store_drills_list(struct store_conn *c, int fy, const char *ceptoar,
                      int64_t before_seq, int limit,
                      struct store_drill_info_list *out);
/* A member confirms its contacts (the first confirmation stays);
 * *confirmed_at is the time recorded, *fresh whether this call made it. */
int store_drill_confirm(struct store_conn *c, const char *drill,
                        const char *org, int64_t user, const char *via,
                        int64_t now, int64_t *confirmed_at, bool *fresh);
struct store_drill_contact {
    char org[IDS_LEN];
    char *name_ja, *name_en; /* malloc'd */
    int64_t confirmed_at, updated_at, ncontacts;
};
struct store_drill_contact_list {
    struct store_drill_contact *items;
    size_t n;
};
void store_drill_contact_list_free(struct store_drill_contact_list *l);
/* A structure drill's recipients with their confirmation (0 = none) and
 * the last change or earlier confirmation of their contacts (0 = none). */
int store_drill_contacts(struct store_conn *c, const char *drill,
                         const char *adv, struct store_drill_contact_list *out);

/* issue 11: the dashboard's aggregates (store_dashboard.c). Each report
 * count applies f exactly as store_reports_open does (REPORTS_WHERE_SQL):
 * what it counts is what the list of the same filter returns. */
struct store_dash_cell {
    char sector[64];
    int severity; /* effective: max(computed, declared) */
    int64_t n;
};
/* The reports f selects by sector and effective severity (the higher of
 * computed and declared): *out malloc'd (NULL when none), the caller
 * free()s it; *overdue: how many of them are open past a deadline (the
 * list's overdue filter). */
int store_dash_report_cells(struct store_conn *c,
                            const struct store_report_filter *f,
                            struct store_dash_cell **out, size_t *n,
                            int64_t *overdue);
/* Reports f selects filed since since, per JST day: days[k] for the JST
 * day number first_day + k (day number = (t + 9 h) / 1 d), k < ndays. */
int store_dash_report_days(struct store_conn *c,
                           const struct store_report_filter *f, int64_t since,
                           int64_t first_day, int64_t *days, int ndays);
/* Events with at least one report f selects. */
int store_dash_events(struct store_conn *c, const struct store_report_filter *f,
                      int64_t *n);
/* An advisory's recipients and how many acknowledged, per relaying
 * CEPTOAR (via; "" = direct): mode 0 every recipient, 1 those released
 * via org, 2 those of org's sectors (org a ministry). */
struct store_dash_ack {
    char via[64];
    char name_ja[256], name_en[256];
    int64_t total, acked;
};
int store_dash_adv_acks(struct store_conn *c, const char *adv, int mode,
                        const char *org, struct store_dash_ack **out,
                        size_t *n);
/* The dashboard's version (bumped by the triggers of migration 0021 on
 * every change to what it aggregates); *v 0 when the table is missing. */
int store_dash_version(struct store_conn *c, int64_t *v);
/* The earliest deadline of an open report at or after now (a report
 * becomes overdue just after it); *t 0 when there is none. */
int store_dash_next_due(struct store_conn *c, int64_t now, int64_t *t);
/* Advisory hops waiting for org's relay. */
int store_dash_waiting_relay(struct store_conn *c, const char *org, int64_t *n);

/* Ids of advisories released to org and not acknowledged by it (at most
 * 1,000): out->items malloc'd, store_id_list_free() it. */
int store_dash_inbox(struct store_conn *c, const char *org,
                     struct store_id_list *out);
/* ---- issue 11: the acknowledgement board's reminders ---- */
/* When by_org last reminded the recipients of adv (*at 0 = never). */
int store_remind_last(struct store_conn *c, const char *adv, const char *by_org,
                      int64_t *at);
/* Records a reminder: by whom, how many organisations and messages. */
int store_remind_insert(struct store_conn *c, const char *adv,
                        const char *by_org, int64_t by_user, int orgs,
                        int queued, int64_t now);
/* Queues a reminder to recipient org of adv: its earlier deliveries (the
 * same contacts and channels, at the contacts' current address, a new
 * idempotency key, reason "reminder"), or its first usable contact when it
 * had none. Nothing when a delivery of it is queued or sending
 * (*in_flight). *queued: the messages queued. */
int store_remind_queue(struct store_conn *c, const char *adv, const char *org,
                       int64_t now, int *queued, bool *in_flight);

/* ---- website response observation: registration (issue 12,
 * store/store_sites.c; the schema: migrations/0018_observation.sql) ---- */

/* A registered site as read, with what the list shows beside it: its
 * organisation's names and sector, its first CEPTOAR, its current state
 * (obs_states; "paused" when paused, "learning" before any result). */
struct store_site {
    int64_t id;
    char org_id[64];
    char url[2049];
    char host[256];
    char label[801]; /* 200 code points */
    int expected_status;
    char content_match[257];
    int interval_s;
    bool notify, paused, demo;
    char hosting[801];
    char dns_provider[256];
    int64_t registered_by;
    char via_org[64];
    int64_t version, created_at, updated_at, deleted_at;
    /* joined */
    char org_name_ja[512], org_name_en[512];
    char sector_id[64], ceptoar_id[64];
    char state[16];
    int64_t state_since;
    char reason_ja[1024], reason_en[1024];
    int64_t last_at; /* 0: no result yet */
    double last_total;
    char last_outcome[16];
};

/* Who reads (core/access.h access_site_scope as the parameters of
 * OBS_SITE_VISIBLE_SQL). */
struct store_site_viewer {
    int scope; /* enum access_site_scope */
    const char *org;
};

/* The filter of a site list (NULL / 0: any). */
struct store_site_filter {
    const char *org, *sector, *state, *q;
    int limit, offset;
};

/* Inserts s (id, version, times set by the caller but id); *id the new
 * row. IS_ERR_CONFLICT: the organisation has the same URL already. */
int store_site_insert(struct store_conn *c, const struct store_site *s,
                      int64_t *id);
/* The site id (not deleted). IS_ERR_NOTFOUND when none. */
int store_site_get(struct store_conn *c, int64_t id, struct store_site *out);
/* Writes the changeable fields of s (label, expected_status,
 * content_match, interval_s, notify, paused, hosting) if its stored version
 * is expect: IS_ERR_NOTFOUND when no such site, IS_ERR_CONFLICT when the
 * version differs. Bumps version and updated_at. */
int store_site_update(struct store_conn *c, const struct store_site *s,
                      int64_t expect, int64_t now);
/* Marks the site deleted (it keeps its rows for history). */
int store_site_delete(struct store_conn *c, int64_t id, int64_t now);
/* The visible sites matching f (by id) into a malloc'd array of *n the
 * caller free()s, and *total: how many match in all. */
int store_sites_list(struct store_conn *c, const struct store_site_viewer *v,
                     const struct store_site_filter *f, struct store_site **out,
                     size_t *n, int64_t *total);
/* Does organisation org belong to a participating CEPTOAR? */
int store_site_org_participates(struct store_conn *c, const char *org,
                                bool *yes);
/* A maintenance window of site_id, declared at now; *id an id that counts
 * nothing (docs/rules.md "Ids that count nothing"), above the site's own. */
int store_site_maintenance_add(struct store_conn *c, int64_t site_id,
                               int64_t starts, int64_t ends, const char *note,
                               int64_t now, int64_t *id);
struct store_site_window {
    int64_t id, starts, ends;
    char note[801];
};
/* The site's maintenance windows that end after since, by start. */
int store_site_maintenance_list(struct store_conn *c, int64_t site_id,
                                int64_t since, struct store_site_window **out,
                                size_t *n);

/* Programme participation per CEPTOAR. */
struct store_obs_participant {
    char ceptoar_id[64];
    char name_ja[512], name_en[512];
    int64_t joined_at, by_user;
    int64_t sites; /* registered (not deleted) sites of its members */
    int64_t seen;  /* how many of them the reader may see */
};
/* IS_ERR_CONFLICT when it participates already. */
int store_obs_participant_add(struct store_conn *c, const char *ceptoar,
                              int64_t by_user, int64_t now);
/* The participating CEPTOARs as reader org (its enum
 * access_site_scope scope) reads them. */
int store_obs_participants(struct store_conn *c, const char *org, int scope,
                           struct store_obs_participant **out, size_t *n);

/* Vantage points. */
struct store_obs_vantage {
    char id[33];
    char name_ja[801], name_en[801];
    char public_key[64];
    int64_t last_seq;
    bool active;
    int64_t created_at;
    int64_t user_id; /* its account (0: none, e.g. 'hub') */
};
/* IS_ERR_CONFLICT when the id exists. */
int store_obs_vantage_add(struct store_conn *c,
                          const struct store_obs_vantage *v);
int store_obs_vantages(struct store_conn *c, struct store_obs_vantage **out,
                       size_t *n);
/* The vantage point whose account is user_id. IS_ERR_NOTFOUND: none. */
int store_obs_vantage_by_user(struct store_conn *c, int64_t user_id,
                              struct store_obs_vantage *out);
/* What a vantage point probes: sites not paused, not deleted, of an
 * organisation whose CEPTOAR participates; demo sites only when
 * with_demo. By id after the id after; fn is called with each (a
 * borrowed row) and may stop the walk with an error. */
struct store_obs_assignment {
    int64_t id;
    const char *url, *content_match, *host;
    int expected_status, interval_s;
};
int store_obs_assignments(struct store_conn *c, bool with_demo, int64_t after,
                          int (*fn)(const struct store_obs_assignment *a,
                                    void *ctx),
                          void *ctx);

/* ---- the website observation demo (store_sites.c; service/demo_obs.c)
 * ---- */
/* Every CEPTOAR participates, the demo operators' sites and their
 * states (DEMO_OBS_* in store/store_sql.h); *sites: how many. */
int store_demo_obs_sites(struct store_conn *c, int64_t now, int *sites);
/* Up to limit demo site ids of scope, by id, into ids; *n how many. */
int store_demo_obs_scope_sites(struct store_conn *c, const char *scope,
                               int64_t *ids, int limit, int *n);
struct store_demo_rollup {
    int64_t site_id, bucket;
    int n, errors;
    double p50, p90, p99, dns, connect, tls, ttfb;
    const unsigned char *sketch;
    size_t sketch_len;
};
int store_demo_obs_rollup(struct store_conn *c,
                          const struct store_demo_rollup *r);
/* n rollups, STORE_DEMO_ROLLUPS to a statement (the rest one by one). */
#define STORE_DEMO_ROLLUPS 5
int store_demo_obs_rollups(struct store_conn *c,
                           const struct store_demo_rollup *r, size_t n);
int store_demo_obs_baseline(struct store_conn *c, int64_t site_id, int how,
                            double median, double mad, int n, int64_t now);
/* A site's baselines of the hours of the week 0 to nhow - 1 (median[how],
 * mad[how]), STORE_DEMO_BASELINES to a statement. */
#define STORE_DEMO_BASELINES 8
int store_demo_obs_baselines(struct store_conn *c, int64_t site_id,
                             const double *median, const double *mad, int nhow,
                             int n, int64_t now);
int store_demo_obs_state(struct store_conn *c, int64_t site_id,
                         const char *state, int64_t since, int64_t window,
                         int window_n, int64_t last_at, double last_total,
                         double score, const char *reason_ja,
                         const char *reason_en, const char *phase);
/* An open sector alert with its sites (all since since); *id the new
 * alert. */
int store_demo_obs_alert(struct store_conn *c, const char *sector,
                         const char *phase, int64_t since, int64_t raised,
                         const int64_t *sites, int nsites,
                         const char *reason_ja, const char *reason_en,
                         const char *evidence, int64_t *id);

#endif
