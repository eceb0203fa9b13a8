/*
 * store_audit.c - the append-only, hash-chained audit log.
 *
 * The head (last seq and hash) is also kept in meta.audit_head, written in
 * the same transaction as each entry, so that removing entries from the end
 * is detected too. An attacker able to rewrite the whole table and meta can
 * rebuild a consistent chain; 'infrashare audit verify' prints the head hash
 * so that it can be recorded outside the hub (an external anchor).
 *
 * Withheld actors (core/audit_chain.h) are stored only in audit_withheld
 * with the salt of their commitment; the audit row holds the commitment.
 * meta.audit_v1_entries exists when the log had entries before migration
 * 0005; meta.audit_bridge ("<seq>:<salt hex>") is the secret link from the
 * last of them to the first version-2 entry.
 */
#include "store/store_internal.h"

#include "core/audit_chain.h"
#include "common/util.h"

#include <sodium.h>

/* Parses "<seq>:<32-byte hex>"; false when malformed. */
static bool parse_seq_hex(char *s, int64_t *seq, unsigned char out[32])
{
    char *colon = strchr(s, ':');
    long v;
    if (!colon)
        return false;
    *colon = '\0';
    if (util_parse_long_simple(s, &v) || strlen(colon + 1) != 64 ||
        sodium_hex2bin(out, 32, colon + 1, 64, NULL, NULL, NULL) != 0)
        return false;
    *seq = v;
    return true;
}

/* The seq and hash the next entry chains from (its prev), and whether
 * the log had version-1 entries (meta.audit_v1_entries). */
struct chain_pos {
    int64_t seq;
    unsigned char prev[AUDIT_HASH_LEN];
    bool v1;
};

/* The link to chain the entry p->seq from p->prev: prev itself, or the
 * bridge when this is the first version-2 entry after version-1 entries
 * (made and recorded on first use). */
static int chain_link(struct store_conn *c, const struct chain_pos *p,
                      unsigned char link[AUDIT_HASH_LEN])
{
    memcpy(link, p->prev, AUDIT_HASH_LEN);
    if (!p->v1)
        return IS_OK;
    char v[96];
    int rc = store_meta_get(c, "audit_bridge", v, sizeof(v));
    if (rc != IS_ERR_NOTFOUND)
        return rc; /* made already (IS_OK) or an error */
    unsigned char salt[AUDIT_SALT_LEN];
    char hex[2 * AUDIT_SALT_LEN + 1];
    randombytes_buf(salt, sizeof(salt));
    audit_chain_bridge(salt, p->prev, link);
    util_hex(hex, salt, sizeof(salt));
    snprintf(v, sizeof(v), "%lld:%s", (long long)p->seq, hex);
    sodium_memzero(salt, sizeof(salt));
    return store_meta_set(c, "audit_bridge", v);
}

/* Row mapper of ST_AUDIT_HEAD (head, v1, last seq, last hash). Chains
 * from the recorded head, not from the last row: if entries were removed
 * from the end, the next entry still follows the removed one, so
 * verification keeps reporting the gap. With no head recorded (or an
 * unreadable one) it follows the last row, else starts from the genesis
 * hash; it never reuses a seq. */
static int map_head(db_stmt *st, void *ctx)
{
    struct chain_pos *p = ctx;
    p->seq = 1;
    memcpy(p->prev, audit_chain_genesis, AUDIT_HASH_LEN);
    if (db_column_type(st, 0) != DB_NULL) {
        char head[96];
        const char *t = (const char *)db_column_text(st, 0);
        int64_t hseq;
        /* a head too long for "<seq>:<hash hex>" is malformed too */
        if (!util_copy(head, sizeof(head), t ? t : "") &&
            parse_seq_hex(head, &hseq, p->prev))
            p->seq = hseq + 1;
        else
            memcpy(p->prev, audit_chain_genesis, AUDIT_HASH_LEN);
    }
    p->v1 = db_column_int64(st, 1) > 0;
    if (db_column_type(st, 2) == DB_NULL)
        return IS_OK; /* no entries */
    int64_t last = db_column_int64(st, 2);
    if (p->seq == 1) {
        p->seq = last + 1;
        const void *h = db_column_blob(st, 3);
        if (h && db_column_bytes(st, 3) == AUDIT_HASH_LEN)
            memcpy(p->prev, h, AUDIT_HASH_LEN);
    } else if (last >= p->seq) {
        p->seq = last + 1;
    }
    return IS_OK;
}

/* Where the next entry goes (map_head). */
static int chain_head(struct store_conn *c, struct chain_pos *p)
{
    memset(p, 0, sizeof(*p));
    return store_get_row(c, ST_AUDIT_HEAD, "audit head", map_head, p, "");
}

/* Hashes e as entry seq chained from link (into hash) and inserts it; a
 * withheld actor enters as a commitment, its opening goes to
 * audit_withheld. */
static int insert_entry(struct store_conn *c, const struct store_audit_entry *e,
                        int64_t seq, const unsigned char link[AUDIT_HASH_LEN],
                        unsigned char hash[AUDIT_HASH_LEN])
{
    unsigned char commitment[AUDIT_HASH_LEN];
    unsigned char salt[AUDIT_SALT_LEN];
    const char *detail = e->detail ? e->detail : "{}";
    const char *target = e->target ? e->target : "";
    bool withhold = e->withhold && (e->actor_user || e->actor_org);
    if (withhold) {
        randombytes_buf(salt, sizeof(salt));
        audit_chain_commit(salt, e->actor_user, e->actor_org, commitment);
    }
    audit_chain_hash_v2(link, e->at, withhold ? 0 : e->actor_user,
                        withhold ? NULL : e->actor_org,
                        withhold ? commitment : NULL, e->action, target, detail,
                        hash);
    int rc = store_exec(c, ST_AUDIT_INSERT, "audit insert", "IINttttbbB", seq,
                        e->at, withhold ? (int64_t)0 : e->actor_user,
                        withhold ? NULL : e->actor_org, e->action, target,
                        detail, link, hash, withhold ? commitment : NULL);
    if (!rc && withhold)
        rc = store_exec(c, ST_AUDIT_WITHHELD_INSERT, "audit withheld insert",
                        "IbNt", seq, salt, e->actor_user, e->actor_org);
    sodium_memzero(salt, sizeof(salt));
    return rc;
}

/* Records entry seq with hash as the head ("<seq>:<hash hex>"). */
static int record_head(struct store_conn *c, int64_t seq,
                       const unsigned char hash[AUDIT_HASH_LEN])
{
    char hex[2 * AUDIT_HASH_LEN + 1], head[96];
    util_hex(hex, hash, AUDIT_HASH_LEN);
    snprintf(head, sizeof(head), "%lld:%s", (long long)seq, hex);
    return store_meta_set(c, "audit_head", head);
}

/* Appends e inside the open write transaction. */
static int append_in_tx(struct store_conn *c, void *arg)
{
    const struct store_audit_entry *e = arg;
    struct chain_pos p;
    unsigned char link[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
    int rc = chain_head(c, &p);
    if (!rc)
        rc = chain_link(c, &p, link);
    if (!rc)
        rc = insert_entry(c, e, p.seq, link, hash);
    if (!rc)
        rc = record_head(c, p.seq, hash);
    return rc;
}

int store_audit_append(struct store_conn *c, const struct store_audit_entry *e)
{
    if (c->in_tx)
        return append_in_tx(c, (void *)e);
    /* an entry of its own (an audited read): appends that arrive together
     * share one durable commit (store_group.c) */
    struct store_job j = {.run = append_in_tx, .arg = (void *)e};
    return store_group_commit(c, &j);
}

/* ---- the read-audit journal (store.h) ---- */

/* Inserts e into the journal, inside the journal's open transaction. */
static int journal_insert(struct store_conn *jc, void *arg)
{
    const struct store_audit_entry *e = arg;
    return store_exec(jc, ST_JOURNAL_INSERT, "audit journal insert", "IItttti",
                      e->at, e->actor_user, e->actor_org, e->action,
                      e->target ? e->target : "", e->detail ? e->detail : "{}",
                      e->withhold ? 1 : 0);
}

int store_audit_append_read(struct store_conn *c,
                            const struct store_audit_entry *e)
{
    struct store *j = store_journal_of(c);
    if (!j || c->in_tx)
        return store_audit_append(c, e);
    /* entries that arrive together share the journal's durable commit */
    struct store_conn *jc = store_acquire(j);
    struct store_job job = {.run = journal_insert, .arg = (void *)e};
    int rc = store_group_commit(jc, &job);
    store_put(j, jc);
    return rc;
}

/* One journal entry as store_audit_settle moves it. */
struct journal_row {
    int64_t id;
    struct store_audit_entry e;
    char *mem; /* actor_org, action, target, detail */
};

static void journal_row_drop(void *item)
{
    free(((struct journal_row *)item)->mem);
}

static int map_journal_row(db_stmt *st, void *ctx)
{
    struct journal_row *r = store_rows_push(ctx);
    if (!r)
        return IS_ERR_NOMEM;
    r->id = db_column_int64(st, 0);
    r->e.at = db_column_int64(st, 1);
    r->e.actor_user = db_column_int64(st, 2);
    char *org, *action, *target, *detail;
    /* columns 3..6 */
    char **const cols[] = {NULL, NULL, NULL, &org, &action, &target, &detail};
    int rc = store_col_strs(st, cols, 7, &r->mem);
    if (rc)
        return rc;
    r->e.actor_org = org;
    r->e.action = action ? action : "";
    r->e.target = target ? target : "";
    r->e.detail = detail ? detail : "{}";
    r->e.withhold = db_column_int64(st, 7) != 0;
    return IS_OK;
}

/* The journal entries to move (rows[0..n), in id order). */
struct settle_batch {
    const char *journal_id;
    struct journal_row *rows;
    size_t n;
    int64_t moved, last; /* entries appended; the last id now moved */
};

/* The last entry of journal_id already in the chain (meta
 * audit_journal "<journal id>:<last id>"; 0 when none, or when the mark
 * is another journal's). */
static int journal_mark(struct store_conn *c, const char *journal_id,
                        int64_t *last)
{
    char v[96];
    *last = 0;
    int rc = store_meta_get(c, "audit_journal", v, sizeof(v));
    if (rc == IS_ERR_NOTFOUND)
        return IS_OK;
    if (rc)
        return rc;
    char *colon = strchr(v, ':');
    long n;
    if (!colon)
        return IS_OK;
    *colon = '\0';
    if (strcmp(v, journal_id) == 0 && !util_parse_long_simple(colon + 1, &n))
        *last = n;
    return IS_OK;
}

/* Appends the batch's entries the chain does not hold yet, and the mark,
 * inside the hub's open write transaction. */
static int settle_in_tx(struct store_conn *c, void *arg)
{
    struct settle_batch *b = arg;
    int64_t last;
    int rc = journal_mark(c, b->journal_id, &last);
    b->moved = 0;
    for (size_t i = 0; !rc && i < b->n; i++) {
        if (b->rows[i].id <= last)
            continue; /* moved by another mover first */
        rc = append_in_tx(c, &b->rows[i].e);
        if (!rc) {
            last = b->rows[i].id;
            b->moved++;
        }
    }
    b->last = last;
    char v[96];
    snprintf(v, sizeof(v), "%s:%lld", b->journal_id, (long long)last);
    return rc ? rc : store_meta_set(c, "audit_journal", v);
}

static int journal_delete(struct store_conn *jc, void *arg)
{
    return store_exec(jc, ST_JOURNAL_DELETE, "audit journal delete", "I",
                      *(const int64_t *)arg);
}

/* Entries moved per transaction of the hub's database. */
#define SETTLE_BATCH 1000

int store_audit_settle(struct store_conn *c, int64_t *moved)
{
    if (moved)
        *moved = 0;
    struct store *j = store_journal_of(c);
    if (!j || c->in_tx)
        return IS_OK;
    struct store_conn *jc = store_acquire(j);
    const char *jid = store_journal_id(c->owner);
    int rc = IS_OK;
    for (;;) {
        /* the oldest entries; those at or below the chain's mark (moved
         * by a settle that stopped before its clean-up) are skipped in
         * settle_in_tx and deleted below */
        struct store_rows rows = {.size = sizeof(struct journal_row)};
        rc = store_list(jc, ST_JOURNAL_PAGE, "audit journal page",
                        map_journal_row, &rows, journal_row_drop, "i",
                        SETTLE_BATCH);
        if (rc || rows.n == 0) {
            store_rows_free(rows.items, rows.n, rows.size, journal_row_drop);
            break;
        }
        struct settle_batch b = {
            .journal_id = jid, .rows = rows.items, .n = rows.n};
        struct store_job job = {.run = settle_in_tx, .arg = &b};
        rc = store_group_commit(c, &job);
        size_t n = rows.n;
        store_rows_free(rows.items, rows.n, rows.size, journal_row_drop);
        if (rc)
            break;
        if (moved)
            *moved += b.moved;
        /* in the chain now: out of the journal (a crash before this
         * leaves them to the next settle, which skips them by the mark) */
        int64_t last = b.last;
        struct store_job del = {.run = journal_delete, .arg = &last};
        rc = store_group_commit(jc, &del);
        if (rc || n < SETTLE_BATCH)
            break;
    }
    store_put(j, jc);
    return rc;
}

static void add_problem(struct store_audit_report *r, int64_t seq,
                        const char *kind, const char *fmt, ...)
{
    if (r->nproblems >= (int)IS_ARRAY_LEN(r->problems))
        return;
    struct store_audit_problem *p = &r->problems[r->nproblems++];
    p->seq = seq;
    util_xcopy(p->kind, sizeof(p->kind), kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
}

/* Recomputes the hash of the current AUDIT_ALL row into calc; false when
 * the row cannot be hashed (damaged version or commitment). Checks the
 * commitment of a withheld actor against its opening. */
static bool row_hash(db_stmt *st, struct store_audit_report *r, int64_t seq,
                     unsigned char calc[AUDIT_HASH_LEN])
{
    const unsigned char *prev = db_column_blob(st, 7);
    int64_t version = db_column_int64(st, 9);
    int64_t at = db_column_int64(st, 1);
    int64_t user = db_column_int64(st, 2);
    const char *org = (const char *)db_column_text(st, 3);
    const char *action = (const char *)db_column_text(st, 4);
    const char *target = (const char *)db_column_text(st, 5);
    const char *detail = (const char *)db_column_text(st, 6);
    if (version == 1) {
        audit_chain_hash(prev, at, user, org, action, target, detail, calc);
        return true;
    }
    if (version != 2) {
        add_problem(r, seq, "changed", "entry %lld has an unknown version",
                    (long long)seq);
        return false;
    }
    int clen = db_column_bytes(st, 10);
    const unsigned char *cm = db_column_blob(st, 10);
    if (clen != 0 && clen != AUDIT_HASH_LEN) {
        add_problem(r, seq, "changed", "entry %lld has a damaged commitment",
                    (long long)seq);
        return false;
    }
    if (clen) {
        unsigned char open[AUDIT_HASH_LEN];
        r->withheld++;
        if (db_column_bytes(st, 11) != AUDIT_SALT_LEN) {
            add_problem(r, seq, "changed",
                        "the withheld actor of entry %lld is missing",
                        (long long)seq);
        } else {
            audit_chain_commit(db_column_blob(st, 11), db_column_int64(st, 12),
                               (const char *)db_column_text(st, 13), open);
            if (!util_ct_equal(open, cm, AUDIT_HASH_LEN))
                add_problem(r, seq, "changed",
                            "the withheld actor of entry %lld does not "
                            "match its commitment",
                            (long long)seq);
        }
    }
    audit_chain_hash_v2(prev, at, user, org, clen ? cm : NULL, action, target,
                        detail, calc);
    return true;
}

/* The state of a walk over the chain (ST_AUDIT_ALL, in seq order). */
struct verify_walk {
    struct store_audit_report *r;
    int64_t bridge_seq; /* the first version-2 entry after v1 ones; -1 */
    unsigned char bridge_salt[AUDIT_SALT_LEN];
    unsigned char last[AUDIT_HASH_LEN]; /* hash of the previous entry */
    int64_t expect, last_seq;
};

/* Checks that the entry seq, intact (its hash recomputes to calc), follows
 * the previous one: its prev_hash is the previous hash (through the secret
 * link for the bridge entry). */
static void check_link(struct verify_walk *w, int64_t seq,
                       const unsigned char *prev, const unsigned char *hash,
                       const unsigned char calc[AUDIT_HASH_LEN])
{
    unsigned char want[AUDIT_HASH_LEN];
    if (seq == w->bridge_seq)
        audit_chain_bridge(w->bridge_salt, w->last, want);
    else
        memcpy(want, w->last, AUDIT_HASH_LEN);
    if (!util_ct_equal(calc, hash, AUDIT_HASH_LEN))
        add_problem(w->r, seq, "changed",
                    "entry %lld was changed after it was written",
                    (long long)seq);
    else if (seq == w->expect && !util_ct_equal(prev, want, AUDIT_HASH_LEN))
        add_problem(w->r, seq, "reordered",
                    "entry %lld is intact but does not follow entry "
                    "%lld (reordered, or its predecessor was "
                    "changed and re-hashed)",
                    (long long)seq, (long long)seq - 1);
}

/* Row mapper of ST_AUDIT_ALL: checks one entry against the walk so far. */
static int verify_row(db_stmt *st, void *ctx)
{
    struct verify_walk *w = ctx;
    struct store_audit_report *r = w->r;
    unsigned char calc[AUDIT_HASH_LEN];
    int64_t seq = db_column_int64(st, 0);
    const unsigned char *prev = db_column_blob(st, 7);
    const unsigned char *hash = db_column_blob(st, 8);
    bool sizes_ok = db_column_bytes(st, 7) == AUDIT_HASH_LEN &&
                    db_column_bytes(st, 8) == AUDIT_HASH_LEN;
    r->entries++;
    if (seq != w->expect)
        add_problem(r, w->expect, "removed",
                    "entries %lld to %lld are missing (removed)",
                    (long long)w->expect, (long long)seq - 1);
    if (!sizes_ok) {
        add_problem(r, seq, "changed", "entry %lld has a damaged hash",
                    (long long)seq);
    } else {
        if (row_hash(st, r, seq, calc))
            check_link(w, seq, prev, hash, calc);
        memcpy(w->last, hash, AUDIT_HASH_LEN);
    }
    w->last_seq = seq;
    w->expect = seq + 1;
    return IS_OK;
}

/* Compares the end of the walk (last_seq, r->head) with the recorded
 * head: entries removed from the end, or a last entry not the recorded
 * one. */
static void check_head(struct store_conn *c, struct store_audit_report *r,
                       int64_t last_seq)
{
    char head[96];
    if (store_meta_get(c, "audit_head", head, sizeof(head)) != IS_OK)
        return;
    long long hseq = 0;
    char *colon = strchr(head, ':');
    if (colon) {
        *colon = '\0';
        long v;
        if (!util_parse_long_simple(head, &v))
            hseq = v;
    }
    if (hseq > last_seq)
        add_problem(r, last_seq + 1, "truncated",
                    "entries %lld to %lld were removed from the end",
                    (long long)last_seq + 1, hseq);
    else if (hseq == last_seq && colon && r->entries &&
             strcmp(colon + 1, r->head) != 0)
        add_problem(r, last_seq, "changed",
                    "the last entry does not match the recorded head");
}

int store_audit_verify(struct store_conn *c, struct store_audit_report *r)
{
    memset(r, 0, sizeof(*r));
    struct verify_walk w = {.r = r, .bridge_seq = -1, .expect = 1};
    memcpy(w.last, audit_chain_genesis, AUDIT_HASH_LEN);
    /* the secret link from the version-1 entries, if any */
    char meta[160];
    if (store_meta_get(c, "audit_bridge", meta, sizeof(meta)) == IS_OK &&
        !parse_seq_hex(meta, &w.bridge_seq, w.bridge_salt))
        w.bridge_seq = -1;
    int rc = store_each(c, ST_AUDIT_ALL, "audit verify", verify_row, &w, "");
    sodium_memzero(w.bridge_salt, sizeof(w.bridge_salt));
    if (rc)
        return rc;
    if (r->entries)
        util_hex(r->head, w.last, AUDIT_HASH_LEN);
    check_head(c, r, w.last_seq);
    return IS_OK;
}

/* Copies a 32-byte chain value of column col into out; false (out
 * zeroed) when the column is not 32 bytes. */
static bool chain_col(db_stmt *st, int col, unsigned char out[AUDIT_HASH_LEN])
{
    memset(out, 0, AUDIT_HASH_LEN);
    if (db_column_bytes(st, col) != AUDIT_HASH_LEN)
        return false;
    memcpy(out, db_column_blob(st, col), AUDIT_HASH_LEN);
    return true;
}

struct page_walk {
    struct store_rows rows;
    bool own; /* an organisation's query: withheld actors are its own */
};

/* Row mapper of ST_AUDIT_PAGE*: seq, at, actor_user, actor_org, action,
 * target, detail, hash, version, commitment, prev_hash, and the withheld
 * actor (user, org). */
static int map_audit_row(db_stmt *st, void *ctx)
{
    struct page_walk *w = ctx;
    struct store_audit_row *e = store_rows_push(&w->rows);
    if (!e)
        return IS_ERR_NOMEM;
    e->seq = db_column_int64(st, 0);
    e->at = db_column_int64(st, 1);
    e->version = db_column_int64(st, 8);
    e->withheld = db_column_bytes(st, 9) > 0;
    /* the withheld actor is read for its own organisation only */
    int user = e->withheld && w->own ? 11 : 2;
    e->has_actor_user = db_column_type(st, user) != DB_NULL;
    e->actor_user = db_column_int64(st, user);
    e->has_hash = chain_col(st, 7, e->hash);
    e->has_commitment = chain_col(st, 9, e->commitment);
    e->has_prev_hash = chain_col(st, 10, e->prev_hash);
    int rc = store_col_dup(st, user + 1, &e->actor_org);
    /* the names of the same actor: 13 / 14 username, 15-16 / 17-18 org */
    bool wcol = user == 11;
    if (!rc)
        rc = store_col_dup(st, wcol ? 14 : 13, &e->actor_name);
    if (!rc)
        rc = store_col_dup(st, wcol ? 17 : 15, &e->actor_org_ja);
    if (!rc)
        rc = store_col_dup(st, wcol ? 18 : 16, &e->actor_org_en);
    if (!rc)
        rc = store_col_dup(st, 4, &e->action);
    if (!rc)
        rc = store_col_dup(st, 5, &e->target);
    return rc ? rc : store_col_dup(st, 6, &e->detail);
}

static void audit_rows_free(void *items, size_t n)
{
    store_audit_rows_free(items, n);
}

/* An organisation's page without filters: the span of its numbers the
 * page covers, read by offset (ST_AUDIT_ORG_SPAN) instead of numbering
 * every entry it has (ST_AUDIT_ORG_PAGE). Rows oldest first. */
static int org_span(struct store_conn *c, const struct store_audit_query *q,
                    struct page_walk *w)
{
    int64_t total = 0;
    int rc = store_get_int64(c, ST_AUDIT_ORG_COUNT, "audit count", &total, "t",
                             q->org);
    if (rc)
        return rc;
    int64_t after = q->after > 0 ? q->after : 0, lo = after, hi;
    if (q->before > 0) { /* the newest limit below before, above after */
        hi = q->before - 1 < total ? q->before - 1 : total;
        if (hi - q->limit > lo)
            lo = hi - q->limit;
    } else { /* (after may be any int64: no sum that could overflow) */
        hi = after >= total             ? after
             : q->limit < total - after ? after + q->limit
                                        : total;
    }
    if (hi <= lo)
        return IS_OK;
    return store_each(c, ST_AUDIT_ORG_SPAN, "audit list", map_audit_row, w,
                      "tII", q->org, lo, hi - lo);
}

int store_audit_page(struct store_conn *c, const struct store_audit_query *q,
                     struct store_audit_row **out, size_t *n)
{
    struct page_walk w = {.rows = {.size = sizeof(struct store_audit_row)},
                          .own = q->org != NULL};
    if (q->org && !q->actor_org && !q->actor_user && !q->action &&
        !q->has_from && !q->has_to) {
        int rc = store_rows_end(org_span(c, q, &w), &w.rows, audit_rows_free);
        *out = w.rows.items;
        *n = w.rows.n;
        return rc;
    }
    bool newest = q->before > 0;
    /* an organisation's view is numbered by its own entries (1, 2, ...) */
    enum store_stmt id =
        q->org ? (newest ? ST_AUDIT_ORG_PAGE_DESC : ST_AUDIT_ORG_PAGE)
               : (newest ? ST_AUDIT_PAGE_DESC : ST_AUDIT_PAGE);
    int rc = store_each(c, id, "audit list", map_audit_row, &w, "IItitNtII",
                        q->after, newest ? q->before : (int64_t)INT64_MAX,
                        q->org, q->limit, q->actor_org, q->actor_user,
                        q->action, q->has_from ? q->from : INT64_MIN,
                        q->has_to ? q->to : INT64_MAX);
    rc = store_rows_end(rc, &w.rows, audit_rows_free);
    struct store_audit_row *rows = w.rows.items;
    for (size_t i = 0; newest && i < w.rows.n / 2; i++) { /* oldest first */
        struct store_audit_row t = rows[i];
        rows[i] = rows[w.rows.n - 1 - i];
        rows[w.rows.n - 1 - i] = t;
    }
    *out = rows;
    *n = w.rows.n;
    return rc;
}

void store_audit_rows_free(struct store_audit_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].actor_org);
        free(rows[i].actor_name);
        free(rows[i].actor_org_ja);
        free(rows[i].actor_org_en);
        free(rows[i].action);
        free(rows[i].target);
        free(rows[i].detail);
    }
    free(rows);
}
