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

/* The link to chain the entry seq from prev: prev itself, or the bridge
 * when this is the first version-2 entry after version-1 entries (made and
 * recorded on first use). */
static int chain_link(struct store_conn *c, int64_t seq,
                      const unsigned char prev[AUDIT_HASH_LEN],
                      unsigned char link[AUDIT_HASH_LEN])
{
    memcpy(link, prev, AUDIT_HASH_LEN);
    char v[96];
    int rc = store_meta_get(c, "audit_v1_entries", v, sizeof(v));
    if (rc == IS_ERR_NOTFOUND)
        return IS_OK;
    if (rc)
        return rc;
    rc = store_meta_get(c, "audit_bridge", v, sizeof(v));
    if (rc != IS_ERR_NOTFOUND)
        return rc; /* made already (IS_OK) or an error */
    unsigned char salt[AUDIT_SALT_LEN];
    char hex[2 * AUDIT_SALT_LEN + 1];
    randombytes_buf(salt, sizeof(salt));
    audit_chain_bridge(salt, prev, link);
    util_hex(hex, salt, sizeof(salt));
    snprintf(v, sizeof(v), "%lld:%s", (long long)seq, hex);
    sodium_memzero(salt, sizeof(salt));
    return store_meta_set(c, "audit_bridge", v);
}

int store_audit_append(struct store_conn *c, const struct store_audit_entry *e)
{
    bool own_tx = !c->in_tx;
    int rc;
    if (own_tx && (rc = store_begin(c)))
        return rc;
    unsigned char prev[AUDIT_HASH_LEN], link[AUDIT_HASH_LEN];
    unsigned char hash[AUDIT_HASH_LEN], commitment[AUDIT_HASH_LEN];
    unsigned char salt[AUDIT_SALT_LEN];
    int64_t seq = 1;
    memcpy(prev, audit_chain_genesis, AUDIT_HASH_LEN);
    /* Chain from the recorded head, not from the last row: if entries were
     * removed from the end, the next entry still follows the removed one,
     * so verification keeps reporting the gap. */
    char head[96];
    rc = store_meta_get(c, "audit_head", head, sizeof(head));
    if (rc == IS_OK) {
        int64_t hseq;
        if (parse_seq_hex(head, &hseq, prev))
            seq = hseq + 1;
        else
            memcpy(prev, audit_chain_genesis, AUDIT_HASH_LEN);
    } else if (rc != IS_ERR_NOTFOUND) {
        goto out;
    }
    sqlite3_stmt *st = store_stmt(c, ST_AUDIT_LAST);
    if (!st) {
        rc = IS_ERR_STORE;
        goto out;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        /* no head recorded (or unreadable): follow the last row */
        if (seq == 1) {
            seq = sqlite3_column_int64(st, 0) + 1;
            if (sqlite3_column_bytes(st, 1) == AUDIT_HASH_LEN)
                memcpy(prev, sqlite3_column_blob(st, 1), AUDIT_HASH_LEN);
        } else if (sqlite3_column_int64(st, 0) >= seq) {
            seq = sqlite3_column_int64(st, 0) + 1; /* never reuse a seq */
        }
    } else if (rc != SQLITE_DONE) {
        sqlite3_reset(st);
        rc = store_fail(c, "audit last");
        goto out;
    }
    sqlite3_reset(st);
    if ((rc = chain_link(c, seq, prev, link)))
        goto out;
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
    rc = store_exec(c, ST_AUDIT_INSERT, "audit insert", "IINttttbbB", seq,
                    e->at, withhold ? (int64_t)0 : e->actor_user,
                    withhold ? NULL : e->actor_org, e->action, target, detail,
                    link, hash, withhold ? commitment : NULL);
    if (!rc && withhold)
        rc = store_exec(c, ST_AUDIT_WITHHELD_INSERT, "audit withheld insert",
                        "IbNt", seq, salt, e->actor_user, e->actor_org);
    if (rc)
        goto out;
    char hex[2 * AUDIT_HASH_LEN + 1];
    util_hex(hex, hash, AUDIT_HASH_LEN);
    snprintf(head, sizeof(head), "%lld:%s", (long long)seq, hex);
    rc = store_meta_set(c, "audit_head", head);
out:
    sodium_memzero(salt, sizeof(salt));
    if (own_tx) {
        if (rc)
            store_rollback(c);
        else
            rc = store_commit(c);
    }
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
static bool row_hash(sqlite3_stmt *st, struct store_audit_report *r,
                     int64_t seq, unsigned char calc[AUDIT_HASH_LEN])
{
    const unsigned char *prev = sqlite3_column_blob(st, 7);
    int64_t version = sqlite3_column_int64(st, 9);
    int64_t at = sqlite3_column_int64(st, 1);
    int64_t user = sqlite3_column_int64(st, 2);
    const char *org = (const char *)sqlite3_column_text(st, 3);
    const char *action = (const char *)sqlite3_column_text(st, 4);
    const char *target = (const char *)sqlite3_column_text(st, 5);
    const char *detail = (const char *)sqlite3_column_text(st, 6);
    if (version == 1) {
        audit_chain_hash(prev, at, user, org, action, target, detail, calc);
        return true;
    }
    if (version != 2) {
        add_problem(r, seq, "changed", "entry %lld has an unknown version",
                    (long long)seq);
        return false;
    }
    int clen = sqlite3_column_bytes(st, 10);
    const unsigned char *cm = sqlite3_column_blob(st, 10);
    if (clen != 0 && clen != AUDIT_HASH_LEN) {
        add_problem(r, seq, "changed", "entry %lld has a damaged commitment",
                    (long long)seq);
        return false;
    }
    if (clen) {
        unsigned char open[AUDIT_HASH_LEN];
        r->withheld++;
        if (sqlite3_column_bytes(st, 11) != AUDIT_SALT_LEN) {
            add_problem(r, seq, "changed",
                        "the withheld actor of entry %lld is missing",
                        (long long)seq);
        } else {
            audit_chain_commit(sqlite3_column_blob(st, 11),
                               sqlite3_column_int64(st, 12),
                               (const char *)sqlite3_column_text(st, 13), open);
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

int store_audit_verify(struct store_conn *c, struct store_audit_report *r)
{
    memset(r, 0, sizeof(*r));
    /* the secret link from the version-1 entries, if any */
    int64_t bridge_seq = -1;
    unsigned char bridge_salt[AUDIT_SALT_LEN];
    char meta[160];
    if (store_meta_get(c, "audit_bridge", meta, sizeof(meta)) == IS_OK &&
        !parse_seq_hex(meta, &bridge_seq, bridge_salt))
        bridge_seq = -1;
    sqlite3_stmt *st = store_stmt(c, ST_AUDIT_ALL);
    if (!st)
        return IS_ERR_STORE;
    unsigned char last[AUDIT_HASH_LEN], calc[AUDIT_HASH_LEN];
    unsigned char want[AUDIT_HASH_LEN];
    memcpy(last, audit_chain_genesis, AUDIT_HASH_LEN);
    int64_t expect = 1, last_seq = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const unsigned char *prev = sqlite3_column_blob(st, 7);
        const unsigned char *hash = sqlite3_column_blob(st, 8);
        bool sizes_ok = sqlite3_column_bytes(st, 7) == AUDIT_HASH_LEN &&
                        sqlite3_column_bytes(st, 8) == AUDIT_HASH_LEN;
        r->entries++;
        if (seq != expect)
            add_problem(r, expect, "removed",
                        "entries %lld to %lld are missing (removed)",
                        (long long)expect, (long long)seq - 1);
        if (!sizes_ok) {
            add_problem(r, seq, "changed", "entry %lld has a damaged hash",
                        (long long)seq);
        } else if (row_hash(st, r, seq, calc)) {
            if (seq == bridge_seq)
                audit_chain_bridge(bridge_salt, last, want);
            else
                memcpy(want, last, AUDIT_HASH_LEN);
            if (!util_ct_equal(calc, hash, AUDIT_HASH_LEN))
                add_problem(r, seq, "changed",
                            "entry %lld was changed after it was written",
                            (long long)seq);
            else if (seq == expect &&
                     !util_ct_equal(prev, want, AUDIT_HASH_LEN))
                add_problem(r, seq, "reordered",
                            "entry %lld is intact but does not follow entry "
                            "%lld (reordered, or its predecessor was "
                            "changed and re-hashed)",
                            (long long)seq, (long long)seq - 1);
            memcpy(last, hash, AUDIT_HASH_LEN);
        } else {
            memcpy(last, hash, AUDIT_HASH_LEN);
        }
        last_seq = seq;
        expect = seq + 1;
    }
    sqlite3_reset(st);
    sodium_memzero(bridge_salt, sizeof(bridge_salt));
    if (rc != SQLITE_DONE)
        return store_fail(c, "audit verify");
    if (r->entries)
        util_hex(r->head, last, AUDIT_HASH_LEN);
    char head[96];
    if (store_meta_get(c, "audit_head", head, sizeof(head)) == IS_OK) {
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
    return IS_OK;
}

static json_t *hex_or_null(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_bytes(st, col) != AUDIT_HASH_LEN)
        return json_null();
    char hex[2 * AUDIT_HASH_LEN + 1];
    util_hex(hex, sqlite3_column_blob(st, col), AUDIT_HASH_LEN);
    return json_string(hex);
}

static json_t *int_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_integer(sqlite3_column_int64(st, col));
}

static json_t *page_entry(sqlite3_stmt *st, bool whole)
{
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(sqlite3_column_int64(st, 1), ts);
    json_t *detail =
        json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
    int64_t version = sqlite3_column_int64(st, 8);
    bool withheld = sqlite3_column_bytes(st, 9) > 0;
    json_t *user, *org;
    if (!withheld) {
        user = int_or_null(st, 2);
        org = store_col_json_str(st, 3);
    } else if (!whole) {
        /* an organisation's own view: the withheld actor is its own */
        user = int_or_null(st, 11);
        org = store_col_json_str(st, 12);
    } else {
        user = json_null();
        org = json_null();
    }
    bool chain = whole && version == 2;
    return json_pack(
        "{s:I,s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "seq",
        (json_int_t)sqlite3_column_int64(st, 0), "at", ts, "actor_user", user,
        "actor_org", org, "actor_withheld", withheld && whole, "action",
        store_col_json_str(st, 4), "target", store_col_json_str(st, 5),
        "detail", detail ? detail : json_object(), "version",
        (json_int_t)version, "hash", chain ? hex_or_null(st, 7) : json_null(),
        "prev_hash", chain ? hex_or_null(st, 10) : json_null(), "commitment",
        chain && withheld ? hex_or_null(st, 9) : json_null());
}

int store_audit_json(struct store_conn *c, const struct store_audit_query *q,
                     json_t **out)
{
    sqlite3_stmt *st =
        store_stmt(c, q->before > 0 ? ST_AUDIT_PAGE_DESC : ST_AUDIT_PAGE);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, q->after);
    sqlite3_bind_int64(st, 2, q->before > 0 ? q->before : INT64_MAX);
    store_bind_text(st, 3, q->org);
    sqlite3_bind_int(st, 4, q->limit);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *en = page_entry(st, q->org == NULL);
        if (q->before > 0)
            json_array_insert_new(arr, 0, en); /* oldest first */
        else
            json_array_append_new(arr, en);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, "audit list");
    }
    *out = arr;
    return IS_OK;
}
