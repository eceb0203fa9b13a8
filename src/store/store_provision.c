/*
 * store_provision.c - advisories, their relay hops and recipients, the
 * delivery outbox, acknowledgement links, drills.
 */
#include "store/store_internal.h"

#include "common/util.h"

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return strdup(s ? (const char *)s : "");
}

void store_advisory_release(struct store_advisory *a)
{
    free(a->title_ja);
    free(a->title_en);
    free(a->body_ja);
    free(a->body_en);
    free(a->audience);
    free(a->refs);
    a->title_ja = a->title_en = a->body_ja = a->body_en = NULL;
    a->audience = a->refs = NULL;
}

int store_advisory_insert(struct store_conn *c, struct store_advisory *a)
{
    sqlite3_stmt *st = store_stmt(c, ST_ADV_INSERT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 2, a->id);
    store_bind_text(st, 3, a->author);
    sqlite3_bind_int64(st, 4, a->author_user);
    store_bind_text(st, 5, a->kind);
    sqlite3_bind_int(st, 6, a->range);
    sqlite3_bind_int(st, 7, a->severity);
    store_bind_text(st, 8, a->title_ja);
    store_bind_text(st, 9, a->title_en);
    store_bind_text(st, 10, a->body_ja);
    store_bind_text(st, 11, a->body_en);
    sqlite3_bind_int(st, 12, a->title_in_notice);
    store_bind_text(st, 13, a->audience);
    store_bind_text(st, 14, a->refs ? a->refs : "[]");
    sqlite3_bind_int(st, 15, a->hotline);
    sqlite3_bind_int(st, 16, a->drill);
    sqlite3_bind_int64(st, 17, a->ack_deadline_s);
    sqlite3_bind_int64(st, 18, a->created_at);
    int rc = store_step_done(c, st, "advisory insert");
    if (!rc)
        a->seq = sqlite3_last_insert_rowid(c->db);
    return rc;
}

static int read_adv(sqlite3_stmt *st, struct store_advisory *a)
{
    memset(a, 0, sizeof(*a));
    a->seq = sqlite3_column_int64(st, 0);
    store_col_copy(st, 1, a->id, sizeof(a->id));
    store_col_copy(st, 2, a->author, sizeof(a->author));
    a->author_user = sqlite3_column_int64(st, 3);
    store_col_copy(st, 4, a->kind, sizeof(a->kind));
    a->range = sqlite3_column_int(st, 5);
    a->severity = sqlite3_column_int(st, 6);
    a->title_ja = col_dup(st, 7);
    a->title_en = col_dup(st, 8);
    a->body_ja = col_dup(st, 9);
    a->body_en = col_dup(st, 10);
    a->title_in_notice = sqlite3_column_int(st, 11) != 0;
    a->audience = col_dup(st, 12);
    a->refs = col_dup(st, 13);
    a->hotline = sqlite3_column_int(st, 14) != 0;
    a->drill = sqlite3_column_int(st, 15) != 0;
    a->ack_deadline_s = sqlite3_column_int64(st, 16);
    a->created_at = sqlite3_column_int64(st, 17);
    if (!a->title_ja || !a->title_en || !a->body_ja || !a->body_en ||
        !a->audience || !a->refs) {
        store_advisory_release(a);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

int store_advisory_get(struct store_conn *c, const char *id,
                       struct store_advisory *out)
{
    sqlite3_stmt *st = store_stmt(c, ST_ADV_GET);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = read_adv(st, out);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "advisory");
}

int store_advisory_set_range(struct store_conn *c, const char *id, int range)
{
    sqlite3_stmt *st = store_stmt(c, ST_ADV_SET_RANGE);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, range);
    return store_step_done(c, st, "advisory range");
}

int store_advisories_scan(struct store_conn *c, int64_t before_seq,
                          int (*fn)(void *ctx, struct store_advisory *a),
                          void *ctx)
{
    sqlite3_stmt *st = store_stmt(c, ST_ADV_SCAN);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, before_seq);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_advisory a;
        if (read_adv(st, &a))
            break;
        int stop = fn(ctx, &a);
        store_advisory_release(&a);
        if (stop) {
            sqlite3_reset(st);
            return IS_OK;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? IS_OK : store_fail(c, "advisories scan");
}

int store_hop_insert(struct store_conn *c, const char *adv, const char *org,
                     int step, const char *parent, const char *state,
                     int64_t arrived_at, int64_t relayed_at, const char *how)
{
    sqlite3_stmt *st = store_stmt(c, ST_HOP_INSERT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int(st, 3, step);
    store_bind_text(st, 4, parent ? parent : "");
    store_bind_text(st, 5, state);
    if (arrived_at)
        sqlite3_bind_int64(st, 6, arrived_at);
    else
        sqlite3_bind_null(st, 6);
    if (relayed_at)
        sqlite3_bind_int64(st, 7, relayed_at);
    else
        sqlite3_bind_null(st, 7);
    store_bind_text(st, 8, how ? how : "");
    return store_step_done(c, st, "hop insert");
}

int store_hop_get(struct store_conn *c, const char *adv, const char *org,
                  struct store_hop *out)
{
    sqlite3_stmt *st = store_stmt(c, ST_HOP_GET);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->step = sqlite3_column_int(st, 0);
        store_col_copy(st, 1, out->parent, sizeof(out->parent));
        store_col_copy(st, 2, out->state, sizeof(out->state));
        out->arrived_at = sqlite3_column_int64(st, 3);
        out->relayed_at = sqlite3_column_int64(st, 4);
        store_col_copy(st, 5, out->how, sizeof(out->how));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return IS_OK;
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "hop get");
}

int store_hop_relay(struct store_conn *c, const char *adv, const char *org,
                    int64_t now, const char *how, const char *note_ja,
                    const char *note_en)
{
    sqlite3_stmt *st = store_stmt(c, ST_HOP_RELAY);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int64(st, 3, now);
    store_bind_text(st, 4, how);
    store_bind_text(st, 5, note_ja ? note_ja : "");
    store_bind_text(st, 6, note_en ? note_en : "");
    int rc = store_step_done(c, st, "hop relay");
    if (!rc && sqlite3_changes(c->db) == 0)
        return IS_ERR_CONFLICT;
    return rc;
}

int store_hop_arrive(struct store_conn *c, const char *adv, const char *org,
                     int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_HOP_ARRIVE);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int64(st, 3, now);
    return store_step_done(c, st, "hop arrive");
}

/* Runs a statement with one or two text binds and collects rows of text
 * columns: a flat array for one column, arrays of arrays otherwise. */
static int collect(struct store_conn *c, enum store_stmt which,
                   const char *a, const char *b, int64_t n1, int64_t n2,
                   int ncols, json_t **out, const char *what)
{
    sqlite3_stmt *st = store_stmt(c, which);
    if (!st)
        return IS_ERR_STORE;
    if (a)
        store_bind_text(st, 1, a);
    else
        sqlite3_bind_int64(st, 1, n1);
    if (b)
        store_bind_text(st, 2, b);
    else if (n2 >= 0)
        sqlite3_bind_int64(st, 2, n2);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (ncols == 1) {
            json_array_append_new(arr, store_col_json_str(st, 0));
        } else {
            json_t *row = json_array();
            for (int i = 0; i < ncols; i++)
                json_array_append_new(row, store_col_json_str(st, i));
            json_array_append_new(arr, row);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, what);
    }
    *out = arr;
    return IS_OK;
}

int store_hop_children(struct store_conn *c, const char *adv,
                       const char *parent, json_t **out)
{
    return collect(c, ST_HOP_CHILDREN, adv, parent, 0, -1, 1, out,
                   "hop children");
}

int store_hops_json(struct store_conn *c, const char *adv, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_HOPS_ADV);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            arr, json_pack("{s:o,s:i,s:o,s:o,s:I,s:I,s:o,s:{s:o,s:o}}",
                           "org", store_col_json_str(st, 0), "step",
                           sqlite3_column_int(st, 1), "parent",
                           store_col_json_str(st, 2), "state",
                           store_col_json_str(st, 3), "arrived_at",
                           (json_int_t)sqlite3_column_int64(st, 4),
                           "relayed_at",
                           (json_int_t)sqlite3_column_int64(st, 5), "how",
                           store_col_json_str(st, 6), "note", "ja",
                           store_col_json_str(st, 7), "en",
                           store_col_json_str(st, 8)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, "hops");
    }
    *out = arr;
    return IS_OK;
}

int store_hops_due(struct store_conn *c, int64_t now, int default_limit_min,
                   json_t **out)
{
    return collect(c, ST_HOPS_DUE, NULL, NULL, now, default_limit_min, 2,
                   out, "hops due");
}

int store_hops_ministries(struct store_conn *c, const char *adv,
                          json_t **out)
{
    return collect(c, ST_HOPS_MINISTRIES, adv, NULL, 0, -1, 1, out,
                   "hop ministries");
}

int store_hops_ceptoars(struct store_conn *c, const char *adv, json_t **out)
{
    return collect(c, ST_HOPS_CEPTOARS, adv, NULL, 0, -1, 2, out,
                   "hop ceptoars");
}

int store_recipients_add(struct store_conn *c, const char *adv,
                         const char *what, const char *id)
{
    enum store_stmt which = strcmp(what, "all") == 0       ? ST_RCPT_ALL
                            : strcmp(what, "sector") == 0  ? ST_RCPT_SECTOR
                            : strcmp(what, "scope") == 0   ? ST_RCPT_SCOPE
                            : strcmp(what, "ceptoar") == 0 ? ST_RCPT_CEPTOAR
                                                           : ST_RCPT_ORG;
    sqlite3_stmt *st = store_stmt(c, which);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    if (which != ST_RCPT_ALL)
        store_bind_text(st, 2, id);
    return store_step_done(c, st, "recipients add");
}

int store_recipients_set_via(struct store_conn *c, const char *adv)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_VIA);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    return store_step_done(c, st, "recipients via");
}

int store_recipients_count(struct store_conn *c, const char *adv,
                           int64_t *n)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_COUNT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? IS_OK : store_fail(c, "recipients count");
}

int store_recipients_dispatch(struct store_conn *c, const char *adv,
                             const char *via, bool hotline, int64_t now,
                             int *n)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_RELEASE);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, via);
    sqlite3_bind_int64(st, 3, now);
    int rc = store_step_done(c, st, "recipients release");
    if (rc)
        return rc;
    *n = sqlite3_changes(c->db);
    if (*n == 0)
        return IS_OK;
    st = store_stmt(c, ST_DLV_QUEUE_FIRST);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, via);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int(st, 4, hotline);
    return store_step_done(c, st, "deliveries queue");
}

int store_queue_emergency(struct store_conn *c, const char *adv,
                          const char *org, int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_QUEUE_EMERGENCY);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int64(st, 3, now);
    return store_step_done(c, st, "emergency queue");
}

int store_queue_next(struct store_conn *c, const char *adv, const char *org,
                     const char *reason, bool all, int64_t now, int *queued)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_QUEUE_NEXT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int64(st, 3, now);
    store_bind_text(st, 4, reason);
    sqlite3_bind_int(st, 5, all);
    int rc = store_step_done(c, st, "queue next");
    if (!rc && queued)
        *queued = sqlite3_changes(c->db);
    return rc;
}

int store_recipient_get(struct store_conn *c, const char *adv,
                        const char *org, struct store_recipient *out)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_GET);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        store_col_copy(st, 0, out->via, sizeof(out->via));
        out->named = sqlite3_column_int(st, 1) != 0;
        out->released_at = sqlite3_column_int64(st, 2);
        out->delivered_at = sqlite3_column_int64(st, 3);
        store_col_copy(st, 4, out->channel, sizeof(out->channel));
        out->acked_at = sqlite3_column_int64(st, 5);
        store_col_copy(st, 6, out->ack_via, sizeof(out->ack_via));
        out->escalated_at = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return IS_OK;
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "recipient");
}

int store_recipient_ack(struct store_conn *c, const char *adv,
                        const char *org, int64_t now, int64_t user,
                        const char *via)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_ACK);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int64(st, 3, now);
    if (user)
        sqlite3_bind_int64(st, 4, user);
    else
        sqlite3_bind_null(st, 4);
    store_bind_text(st, 5, via);
    int rc = store_step_done(c, st, "ack");
    if (!rc && sqlite3_changes(c->db) == 0)
        return IS_ERR_CONFLICT;
    return rc;
}

int store_recipients_json(struct store_conn *c, const char *adv,
                          json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_SCAN);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            arr,
            json_pack("{s:o,s:o,s:o,s:I,s:I,s:o,s:I,s:o,s:I,s:{s:o,s:o},"
                      "s:b}",
                      "org", store_col_json_str(st, 0), "via",
                      store_col_json_str(st, 1), "sector",
                      store_col_json_str(st, 2), "released_at",
                      (json_int_t)sqlite3_column_int64(st, 3),
                      "delivered_at",
                      (json_int_t)sqlite3_column_int64(st, 4), "channel",
                      store_col_json_str(st, 5), "acked_at",
                      (json_int_t)sqlite3_column_int64(st, 6), "ack_via",
                      store_col_json_str(st, 7), "escalated_at",
                      (json_int_t)sqlite3_column_int64(st, 8), "name", "ja",
                      store_col_json_str(st, 9), "en",
                      store_col_json_str(st, 10), "named",
                      sqlite3_column_int(st, 11)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, "recipients");
    }
    *out = arr;
    return IS_OK;
}

int store_recipients_due_escalation(struct store_conn *c, int64_t now,
                                    json_t **out)
{
    return collect(c, ST_RCPT_DUE_ESCALATION, NULL, NULL, now, -1, 2, out,
                   "escalation due");
}

int store_recipient_escalated(struct store_conn *c, const char *adv,
                              const char *org, int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_RCPT_ESCALATED);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    sqlite3_bind_int64(st, 3, now);
    int rc = store_step_done(c, st, "escalated");
    if (!rc && sqlite3_changes(c->db) == 0)
        return IS_ERR_CONFLICT;
    return rc;
}

int store_deliveries_claim(struct store_conn *c, int64_t now, int lease,
                           int max, struct store_delivery *out, int *n)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_CLAIM);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, now + lease);
    sqlite3_bind_int(st, 3, max);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        struct store_delivery *d = &out[(*n)++];
        memset(d, 0, sizeof(*d));
        d->id = sqlite3_column_int64(st, 0);
        store_col_copy(st, 1, d->advisory_id, sizeof(d->advisory_id));
        store_col_copy(st, 2, d->org_id, sizeof(d->org_id));
        d->contact_id = sqlite3_column_int64(st, 3);
        store_col_copy(st, 4, d->channel, sizeof(d->channel));
        store_col_copy(st, 5, d->address, sizeof(d->address));
        d->attempts = sqlite3_column_int(st, 6);
        store_col_copy(st, 7, d->idem_key, sizeof(d->idem_key));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? IS_OK
                                                 : store_fail(c, "claim");
}

int store_delivery_done(struct store_conn *c, const struct store_delivery *d,
                        int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_DONE);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, now);
    int rc = store_step_done(c, st, "delivery done");
    if (rc)
        return rc;
    st = store_stmt(c, ST_DLV_RCPT_DELIVERED);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, d->advisory_id);
    store_bind_text(st, 2, d->org_id);
    sqlite3_bind_int64(st, 3, now);
    store_bind_text(st, 4, d->channel);
    return store_step_done(c, st, "recipient delivered");
}

int store_delivery_retry(struct store_conn *c, int64_t id, int64_t next_at,
                         const char *error)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_RETRY);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, next_at);
    store_bind_text(st, 3, error);
    return store_step_done(c, st, "delivery retry");
}

int store_delivery_failed(struct store_conn *c, int64_t id,
                          const char *error)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_FAILED);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, error);
    return store_step_done(c, st, "delivery failed");
}

int store_deliveries_cancel(struct store_conn *c, const char *adv,
                            const char *org)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_CANCEL_ORG);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    return store_step_done(c, st, "deliveries cancel");
}

int store_deliveries_pending(struct store_conn *c, const char *adv,
                             const char *org, int64_t *n)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_PENDING_ORG);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    store_bind_text(st, 2, org);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? IS_OK : store_fail(c, "pending");
}

int store_delivery_counts(struct store_conn *c, const char *adv,
                          json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_COUNTS);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    json_t *o = json_pack("{s:i,s:i,s:i,s:i,s:i}", "queued", 0, "sending", 0,
                          "delivered", 0, "failed", 0, "cancelled", 0);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(o);
        return store_fail(c, "delivery counts");
    }
    *out = o;
    return IS_OK;
}

int store_contact_get(struct store_conn *c, int64_t id, char *channel,
                      size_t chlen, char *address, size_t alen, char *secret,
                      size_t slen, char *lang, size_t llen)
{
    sqlite3_stmt *st = store_stmt(c, ST_CONTACT_GET);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_col_copy(st, 0, channel, chlen);
        store_col_copy(st, 1, address, alen);
        store_col_copy(st, 2, secret, slen);
        store_col_copy(st, 3, lang, llen);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return IS_OK;
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "contact");
}

int store_ack_link_insert(struct store_conn *c, const unsigned char hash[32],
                          const char *adv, const char *org, int64_t expires)
{
    sqlite3_stmt *st = store_stmt(c, ST_ACK_LINK_INSERT);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    store_bind_text(st, 2, adv);
    store_bind_text(st, 3, org);
    sqlite3_bind_int64(st, 4, expires);
    return store_step_done(c, st, "ack link insert");
}

int store_ack_link_get(struct store_conn *c, const unsigned char hash[32],
                       char *adv, size_t alen, char *org, size_t olen,
                       int64_t *expires, int64_t *used)
{
    sqlite3_stmt *st = store_stmt(c, ST_ACK_LINK_GET);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_col_copy(st, 0, adv, alen);
        store_col_copy(st, 1, org, olen);
        *expires = sqlite3_column_int64(st, 2);
        *used = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return IS_OK;
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "ack link");
}

int store_ack_link_use(struct store_conn *c, const unsigned char hash[32],
                       int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_ACK_LINK_USE);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    int rc = store_step_done(c, st, "ack link use");
    if (!rc && sqlite3_changes(c->db) == 0)
        return IS_ERR_CONFLICT;
    return rc;
}

int store_drill_insert(struct store_conn *c, const char *id,
                       const char *adv, const char *target_kind,
                       const char *target, const char *by, int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_DRILL_INSERT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    store_bind_text(st, 2, adv);
    store_bind_text(st, 3, target_kind);
    store_bind_text(st, 4, target);
    store_bind_text(st, 5, by);
    sqlite3_bind_int64(st, 6, now);
    return store_step_done(c, st, "drill insert");
}

int store_drill_get(struct store_conn *c, const char *id, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_DRILL_GET);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:I}", "id",
                         store_col_json_str(st, 0), "advisory",
                         store_col_json_str(st, 1), "target_kind",
                         store_col_json_str(st, 2), "target",
                         store_col_json_str(st, 3), "created_by",
                         store_col_json_str(st, 4), "created_at",
                         (json_int_t)sqlite3_column_int64(st, 5), "seq",
                         (json_int_t)sqlite3_column_int64(st, 6));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return IS_OK;
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "drill");
}

int store_drill_prev(struct store_conn *c, const char *target_kind,
                     const char *target, int64_t seq, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_DRILL_PREV);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, target_kind);
    store_bind_text(st, 2, target);
    sqlite3_bind_int64(st, 3, seq);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = json_pack("{s:o,s:o}", "id", store_col_json_str(st, 0),
                         "advisory", store_col_json_str(st, 1));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return IS_OK;
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "drill prev");
}

int store_deliveries_by_org(struct store_conn *c, const char *adv,
                            json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_PENDING_BY_ORG);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, adv);
    json_t *o = json_object();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
                            json_pack("[I,I]",
                                      (json_int_t)sqlite3_column_int64(st, 1),
                                      (json_int_t)sqlite3_column_int64(st, 2)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(o);
        return store_fail(c, "deliveries by org");
    }
    *out = o;
    return IS_OK;
}

int store_deliveries_reset(struct store_conn *c, int *n)
{
    sqlite3_stmt *st = store_stmt(c, ST_DLV_RESET);
    if (!st)
        return IS_ERR_STORE;
    int rc = store_step_done(c, st, "deliveries reset");
    *n = rc ? 0 : sqlite3_changes(c->db);
    return rc;
}
