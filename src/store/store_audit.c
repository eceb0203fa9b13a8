/*
 * store_audit.c - the append-only, hash-chained audit log.
 *
 * The head (last seq and hash) is also kept in meta.audit_head, written in
 * the same transaction as each entry, so that removing entries from the end
 * is detected too. An attacker able to rewrite the whole table and meta can
 * rebuild a consistent chain; 'infrashare audit verify' prints the head hash
 * so that it can be recorded outside the hub (an external anchor).
 */
#include "store_internal.h"

#include "../core/audit_chain.h"
#include "util.h"

#include <sodium.h>

int store_audit_append(struct store_conn *c,
                       const struct store_audit_entry *e)
{
    bool own_tx = !c->in_tx;
    int rc;
    if (own_tx && (rc = store_begin(c)))
        return rc;
    unsigned char prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
    int64_t seq = 1;
    memcpy(prev, audit_chain_genesis, AUDIT_HASH_LEN);
    /* Chain from the recorded head, not from the last row: if entries were
     * removed from the end, the next entry still follows the removed one,
     * so verification keeps reporting the gap. */
    char head[96];
    rc = store_meta_get(c, "audit_head", head, sizeof(head));
    if (rc == IS_OK) {
        char *colon = strchr(head, ':');
        long v;
        if (colon) {
            *colon = '\0';
            if (!util_parse_long_simple(head, &v) &&
                strlen(colon + 1) == 2 * AUDIT_HASH_LEN &&
                sodium_hex2bin(prev, AUDIT_HASH_LEN, colon + 1,
                               2 * AUDIT_HASH_LEN, NULL, NULL, NULL) == 0)
                seq = v + 1;
        }
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
    const char *detail = e->detail ? e->detail : "{}";
    const char *target = e->target ? e->target : "";
    audit_chain_hash(prev, e->at, e->actor_user, e->actor_org, e->action,
                     target, detail, hash);
    st = store_stmt(c, ST_AUDIT_INSERT);
    if (!st) {
        rc = IS_ERR_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, e->at);
    if (e->actor_user)
        sqlite3_bind_int64(st, 3, e->actor_user);
    else
        sqlite3_bind_null(st, 3);
    store_bind_text(st, 4, e->actor_org);
    store_bind_text(st, 5, e->action);
    store_bind_text(st, 6, target);
    store_bind_text(st, 7, detail);
    sqlite3_bind_blob(st, 8, prev, AUDIT_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, hash, AUDIT_HASH_LEN, SQLITE_STATIC);
    rc = store_step_done(c, st, "audit insert");
    if (rc)
        goto out;
    char hex[2 * AUDIT_HASH_LEN + 1];
    util_hex(hex, hash, AUDIT_HASH_LEN);
    snprintf(head, sizeof(head), "%lld:%s", (long long)seq, hex);
    rc = store_meta_set(c, "audit_head", head);
out:
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
    snprintf(p->kind, sizeof(p->kind), "%s", kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
}

int store_audit_verify(struct store_conn *c, struct store_audit_report *r)
{
    memset(r, 0, sizeof(*r));
    sqlite3_stmt *st = store_stmt(c, ST_AUDIT_ALL);
    if (!st)
        return IS_ERR_STORE;
    unsigned char last[AUDIT_HASH_LEN], calc[AUDIT_HASH_LEN];
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
        } else {
            audit_chain_hash(prev, sqlite3_column_int64(st, 1),
                             sqlite3_column_int64(st, 2),
                             (const char *)sqlite3_column_text(st, 3),
                             (const char *)sqlite3_column_text(st, 4),
                             (const char *)sqlite3_column_text(st, 5),
                             (const char *)sqlite3_column_text(st, 6), calc);
            if (!util_ct_equal(calc, hash, AUDIT_HASH_LEN))
                add_problem(r, seq, "changed",
                            "entry %lld was changed after it was written",
                            (long long)seq);
            else if (seq == expect &&
                     !util_ct_equal(prev, last, AUDIT_HASH_LEN))
                add_problem(r, seq, "reordered",
                            "entry %lld is intact but does not follow entry "
                            "%lld (reordered, or its predecessor was "
                            "changed and re-hashed)",
                            (long long)seq, (long long)seq - 1);
            memcpy(last, hash, AUDIT_HASH_LEN);
        }
        last_seq = seq;
        expect = seq + 1;
    }
    sqlite3_reset(st);
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

int store_audit_json(struct store_conn *c, int64_t after, int limit,
                     json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_AUDIT_PAGE);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, limit);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char ts[UTIL_TIME_LEN], hex[2 * AUDIT_HASH_LEN + 1] = "";
        util_time_rfc3339(sqlite3_column_int64(st, 1), ts);
        if (sqlite3_column_bytes(st, 7) == AUDIT_HASH_LEN)
            util_hex(hex, sqlite3_column_blob(st, 7), AUDIT_HASH_LEN);
        json_t *detail = json_loads((const char *)sqlite3_column_text(st, 6),
                                    0, NULL);
        json_t *actor = sqlite3_column_type(st, 2) == SQLITE_NULL
                            ? json_null()
                            : json_integer(sqlite3_column_int64(st, 2));
        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:s}", "seq",
                           (json_int_t)sqlite3_column_int64(st, 0), "at", ts,
                           "actor_user", actor, "actor_org",
                           store_col_json_str(st, 3), "action",
                           store_col_json_str(st, 4), "target",
                           store_col_json_str(st, 5), "detail",
                           detail ? detail : json_object(), "hash", hex));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, "audit list");
    }
    *out = arr;
    return IS_OK;
}
