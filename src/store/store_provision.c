/*
 * store_provision.c - advisories, their relay hops and recipients, the
 * delivery outbox, acknowledgement links, drills.
 */
#include "store/store_internal.h"

#include <stddef.h>

#include "common/util.h"

static char *col_dup(db_stmt *st, int i)
{
    const unsigned char *s = db_column_text(st, i);
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

/* For updates that must change a row: none changed (NOTFOUND from
 * store_exec_changed) is a conflict, the row being in another state. */
static int conflict_if_unchanged(int rc)
{
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

int store_advisory_insert(struct store_conn *c, struct store_advisory *a)
{
    int rc =
        store_exec(c, ST_ADV_INSERT, "advisory insert", "nttItiittttittiiII",
                   a->id, a->author, (int64_t)a->author_user, a->kind,
                   (int)a->range, (int)a->severity, a->title_ja, a->title_en,
                   a->body_ja, a->body_en, (int)a->title_in_notice, a->audience,
                   a->refs ? a->refs : "[]", (int)a->hotline, (int)a->drill,
                   (int64_t)a->ack_deadline_s, (int64_t)a->created_at);
    if (!rc)
        a->seq = store_last_id(c);
    return rc;
}

/* Row mapper of ST_ADV_GET and ST_ADV_SCAN into a struct store_advisory
 * (ctx), which then owns its texts. */
static int map_adv(db_stmt *st, void *ctx)
{
    struct store_advisory *a = ctx;
    memset(a, 0, sizeof(*a));
    a->seq = db_column_int64(st, 0);
    store_col_copy(st, 1, a->id, sizeof(a->id));
    store_col_copy(st, 2, a->author, sizeof(a->author));
    a->author_user = db_column_int64(st, 3);
    store_col_copy(st, 4, a->kind, sizeof(a->kind));
    a->range = db_column_int(st, 5);
    a->severity = db_column_int(st, 6);
    a->title_ja = col_dup(st, 7);
    a->title_en = col_dup(st, 8);
    a->body_ja = col_dup(st, 9);
    a->body_en = col_dup(st, 10);
    a->title_in_notice = db_column_int(st, 11) != 0;
    a->audience = col_dup(st, 12);
    a->refs = col_dup(st, 13);
    a->hotline = db_column_int(st, 14) != 0;
    a->drill = db_column_int(st, 15) != 0;
    a->ack_deadline_s = db_column_int64(st, 16);
    a->created_at = db_column_int64(st, 17);
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
    return store_get_row(c, ST_ADV_GET, "advisory", map_adv, out, "t", id);
}

int store_advisory_set_range(struct store_conn *c, const char *id, int range,
                             int64_t now)
{
    return store_exec(c, ST_ADV_SET_RANGE, "advisory range", "tiI", id, range,
                      now);
}

int store_advisory_range_at(struct store_conn *c, const char *id, int64_t *at)
{
    *at = 0;
    return store_get_int64(c, ST_ADV_RANGE_AT, "advisory range_at", at, "t",
                           id);
}

struct scan_ctx {
    int (*fn)(void *ctx, struct store_advisory *a);
    void *ctx;
    bool stopped;
};

static int map_scanned(db_stmt *st, void *ctx)
{
    struct scan_ctx *x = ctx;
    struct store_advisory a;
    int rc = map_adv(st, &a);
    if (rc)
        return rc;
    x->stopped = x->fn(x->ctx, &a) != 0;
    store_advisory_release(&a);
    return x->stopped ? IS_ERR_LIMIT : IS_OK; /* IS_ERR_LIMIT: stop */
}

int store_advisories_scan(struct store_conn *c, int64_t before_seq,
                          int (*fn)(void *ctx, struct store_advisory *a),
                          void *ctx)
{
    struct scan_ctx x = {.fn = fn, .ctx = ctx};
    int rc = store_each(c, ST_ADV_SCAN, "advisories scan", map_scanned, &x, "I",
                        before_seq);
    return x.stopped ? IS_OK : rc;
}

int store_hop_insert(struct store_conn *c, const char *adv, const char *org,
                     int step, const char *parent, const char *state,
                     int64_t arrived_at, int64_t relayed_at, const char *how)
{
    return store_exec(c, ST_HOP_INSERT, "hop insert", "ttittNNt", adv, org,
                      (int)step, parent ? parent : "", state,
                      (int64_t)arrived_at, (int64_t)relayed_at, how ? how : "");
}

/* Row mapper of a hop, its last six columns: step, parent, state,
 * arrived, relayed, how (ST_HOP_GET: all of them). */
static int map_hop(db_stmt *st, void *ctx)
{
    struct store_hop *out = ctx;
    int b = db_column_count(st) - 6;
    memset(out, 0, sizeof(*out));
    out->step = db_column_int(st, b);
    store_col_copy(st, b + 1, out->parent, sizeof(out->parent));
    store_col_copy(st, b + 2, out->state, sizeof(out->state));
    out->arrived_at = db_column_int64(st, b + 3);
    out->relayed_at = db_column_int64(st, b + 4);
    store_col_copy(st, b + 5, out->how, sizeof(out->how));
    return IS_OK;
}

int store_hop_get(struct store_conn *c, const char *adv, const char *org,
                  struct store_hop *out)
{
    return store_get_row(c, ST_HOP_GET, "hop get", map_hop, out, "tt", adv,
                         org);
}

int store_hop_relay(struct store_conn *c, const char *adv, const char *org,
                    int64_t now, const char *how, const char *note_ja,
                    const char *note_en)
{
    return conflict_if_unchanged(store_exec_changed(
        c, ST_HOP_RELAY, "hop relay", "ttIttt", adv, org, (int64_t)now, how,
        note_ja ? note_ja : "", note_en ? note_en : ""));
}

int store_hop_arrive(struct store_conn *c, const char *adv, const char *org,
                     int64_t now)
{
    return store_exec(c, ST_HOP_ARRIVE, "hop arrive", "ttI", adv, org,
                      (int64_t)now);
}

/* Row mapper of rows made of ids only (struct store_id, store_adv_org,
 * store_ceptoar_hop: consecutive char[IDS_LEN] fields, one per column):
 * pushes one onto the struct store_rows ctx. */
static int map_ids(db_stmt *st, void *ctx)
{
    char *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    for (int i = 0; i < db_column_count(st); i++)
        store_col_copy(st, i, x + (size_t)i * IDS_LEN, IDS_LEN);
    return IS_OK;
}
_Static_assert(sizeof(struct store_adv_org) == 2 * IDS_LEN &&
                   offsetof(struct store_adv_org, org) == IDS_LEN,
               "store_adv_org: two ids");
_Static_assert(sizeof(struct store_ceptoar_hop) == 2 * IDS_LEN &&
                   offsetof(struct store_ceptoar_hop, ministry) == IDS_LEN,
               "store_ceptoar_hop: two ids");

/* ST_HOPS_ADV: org, note_ja, note_en, the hop (as ST_HOP_GET). */
static int map_hop_entry(db_stmt *st, void *ctx)
{
    struct store_hop_entry *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->org, sizeof(x->org));
    map_hop(st, &x->hop);
    x->note_ja = col_dup(st, 1);
    x->note_en = col_dup(st, 2);
    return x->note_ja && x->note_en ? IS_OK : IS_ERR_NOMEM;
}

void store_id_list_free(struct store_id_list *l)
{
    free(l->items);
    *l = (struct store_id_list){0};
}

void store_adv_org_list_free(struct store_adv_org_list *l)
{
    free(l->items);
    *l = (struct store_adv_org_list){0};
}

void store_ceptoar_hop_list_free(struct store_ceptoar_hop_list *l)
{
    free(l->items);
    *l = (struct store_ceptoar_hop_list){0};
}

void store_hop_list_free(struct store_hop_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].note_ja);
        free(l->items[i].note_en);
    }
    free(l->items);
    *l = (struct store_hop_list){0};
}

/* The org of the hop before org's (its parent; "" for the author's), or
 * NULL when org has no hop. */
static const char *hop_list_parent(const struct store_hop_list *l,
                                   const char *org)
{
    for (size_t k = 0; k < l->n; k++)
        if (strcmp(l->items[k].org, org) == 0)
            return l->items[k].hop.parent;
    return NULL;
}

bool store_hop_list_through(const struct store_hop_list *l, const char *from,
                            const char *up)
{
    for (size_t guard = 0; from && *from && guard <= l->n; guard++) {
        if (strcmp(from, up) == 0)
            return true;
        from = hop_list_parent(l, from);
    }
    return false;
}

/* Hands the rows r a list query collected to the typed list *out and
 * evaluates to rc, the query's result; on an error the rows are released
 * with free_fn (out zeroed). */
#define LIST_TAKE(rc, r, out, free_fn)                                         \
    ((out)->items = (r).items, (out)->n = (r).n,                               \
     (rc) ? (free_fn(out), (rc)) : IS_OK)

int store_hop_children(struct store_conn *c, const char *adv,
                       const char *parent, struct store_id_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_HOP_CHILDREN, "hop children", map_ids, &r, "tt",
                        adv, parent);
    return LIST_TAKE(rc, r, out, store_id_list_free);
}

int store_hops_list(struct store_conn *c, const char *adv,
                    struct store_hop_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_HOPS_ADV, "hops", map_hop_entry, &r, "t", adv);
    return LIST_TAKE(rc, r, out, store_hop_list_free);
}

int store_hops_due(struct store_conn *c, int64_t now, int default_limit_min,
                   struct store_adv_org_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_HOPS_DUE, "hops due", map_ids, &r, "Ii", now,
                        default_limit_min);
    return LIST_TAKE(rc, r, out, store_adv_org_list_free);
}

int store_hops_ministries(struct store_conn *c, const char *adv,
                          struct store_id_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_HOPS_MINISTRIES, "hop ministries", map_ids, &r,
                        "t", adv);
    return LIST_TAKE(rc, r, out, store_id_list_free);
}

int store_hops_ceptoars(struct store_conn *c, const char *adv,
                        struct store_ceptoar_hop_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc =
        store_each(c, ST_HOPS_CEPTOARS, "hop ceptoars", map_ids, &r, "t", adv);
    return LIST_TAKE(rc, r, out, store_ceptoar_hop_list_free);
}

int store_recipients_add(struct store_conn *c, const char *adv,
                         const char *what, const char *id)
{
    enum store_stmt which = strcmp(what, "all") == 0       ? ST_RCPT_ALL
                            : strcmp(what, "sector") == 0  ? ST_RCPT_SECTOR
                            : strcmp(what, "scope") == 0   ? ST_RCPT_SCOPE
                            : strcmp(what, "ceptoar") == 0 ? ST_RCPT_CEPTOAR
                                                           : ST_RCPT_ORG;
    if (which == ST_RCPT_ALL)
        return store_exec(c, which, "recipients add", "t", adv);
    return store_exec(c, which, "recipients add", "tt", adv, id);
}

int store_recipients_set_via(struct store_conn *c, const char *adv)
{
    return store_exec(c, ST_RCPT_VIA, "recipients via", "t", adv);
}

int store_recipients_count(struct store_conn *c, const char *adv, int64_t *n)
{
    *n = 0;
    return store_get_int64(c, ST_RCPT_COUNT, "recipients count", n, "t", adv);
}

int store_recipients_dispatch(struct store_conn *c, const char *adv,
                              const char *via, bool hotline, int64_t now,
                              int *n)
{
    int rc = store_exec(c, ST_RCPT_RELEASE, "recipients release", "ttI", adv,
                        via, (int64_t)now);
    if (rc)
        return rc;
    *n = store_changes(c);
    if (*n == 0)
        return IS_OK;
    return store_exec(c, ST_DLV_QUEUE_FIRST, "deliveries queue", "ttIi", adv,
                      via, (int64_t)now, (int)hotline);
}

int store_queue_emergency(struct store_conn *c, const char *adv,
                          const char *org, int64_t now)
{
    return store_exec(c, ST_DLV_QUEUE_EMERGENCY, "emergency queue", "ttI", adv,
                      org, (int64_t)now);
}

int store_queue_next(struct store_conn *c, const char *adv, const char *org,
                     const char *reason, bool all, int64_t now, int *queued)
{
    int rc = store_exec(c, ST_DLV_QUEUE_NEXT, "queue next", "ttIti", adv, org,
                        (int64_t)now, reason, (int)all);
    if (!rc && queued)
        *queued = store_changes(c);
    return rc;
}

/* Row mapper of a recipient, its last eight columns: via, named,
 * released, delivered, channel, acked, ack_via, escalated (ST_RCPT_GET:
 * all of them). */
static int map_recipient(db_stmt *st, void *ctx)
{
    struct store_recipient *out = ctx;
    int b = db_column_count(st) - 8;
    memset(out, 0, sizeof(*out));
    store_col_copy(st, b, out->via, sizeof(out->via));
    out->named = db_column_int(st, b + 1) != 0;
    out->released_at = db_column_int64(st, b + 2);
    out->delivered_at = db_column_int64(st, b + 3);
    store_col_copy(st, b + 4, out->channel, sizeof(out->channel));
    out->acked_at = db_column_int64(st, b + 5);
    store_col_copy(st, b + 6, out->ack_via, sizeof(out->ack_via));
    out->escalated_at = db_column_int64(st, b + 7);
    return IS_OK;
}

int store_recipient_get(struct store_conn *c, const char *adv, const char *org,
                        struct store_recipient *out)
{
    return store_get_row(c, ST_RCPT_GET, "recipient", map_recipient, out, "tt",
                         adv, org);
}

int store_recipient_ack(struct store_conn *c, const char *adv, const char *org,
                        int64_t now, int64_t user, const char *via)
{
    return conflict_if_unchanged(
        store_exec_changed(c, ST_RCPT_ACK, "ack", "ttINt", adv, org,
                           (int64_t)now, (int64_t)user, via));
}

/* ST_RCPT_SCAN: org, sector, name_ja, name_en, open and sending
 * deliveries, the recipient (as ST_RCPT_GET). */
static int map_recipient_entry(db_stmt *st, void *ctx)
{
    struct store_recipient_entry *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->org, sizeof(x->org));
    store_col_copy(st, 1, x->sector, sizeof(x->sector));
    x->name_ja = col_dup(st, 2);
    x->name_en = col_dup(st, 3);
    x->open = db_column_int64(st, 4);
    x->sending = db_column_int64(st, 5);
    map_recipient(st, &x->r);
    return x->name_ja && x->name_en ? IS_OK : IS_ERR_NOMEM;
}

void store_recipient_list_free(struct store_recipient_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name_ja);
        free(l->items[i].name_en);
    }
    free(l->items);
    *l = (struct store_recipient_list){0};
}

int store_recipients_list(struct store_conn *c, const char *adv,
                          struct store_recipient_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_RCPT_SCAN, "recipients", map_recipient_entry, &r,
                        "t", adv);
    return LIST_TAKE(rc, r, out, store_recipient_list_free);
}

int store_recipients_due_escalation(struct store_conn *c, int64_t now,
                                    struct store_adv_org_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_RCPT_DUE_ESCALATION, "escalation due", map_ids,
                        &r, "I", now);
    return LIST_TAKE(rc, r, out, store_adv_org_list_free);
}

int store_recipient_escalated(struct store_conn *c, const char *adv,
                              const char *org, int64_t now)
{
    return conflict_if_unchanged(store_exec_changed(
        c, ST_RCPT_ESCALATED, "escalated", "ttI", adv, org, (int64_t)now));
}

struct claim_ctx {
    struct store_delivery *out;
    int n, max;
    enum store_job_kind kind;
};

/* ST_DLV_CLAIM and ST_ALD_CLAIM: id, advisory (an alert's report), org,
 * contact, channel, address, attempts, idempotency key; ST_ALD_CLAIM also
 * round and purpose. Rows past max (none: the statement's LIMIT) are
 * left. */
static int map_claimed(db_stmt *st, void *ctx)
{
    struct claim_ctx *x = ctx;
    if (x->n >= x->max)
        return IS_OK;
    struct store_delivery *d = &x->out[x->n++];
    memset(d, 0, sizeof(*d));
    d->kind = x->kind;
    d->id = db_column_int64(st, 0);
    store_col_copy(st, 1, d->advisory_id, sizeof(d->advisory_id));
    store_col_copy(st, 2, d->org_id, sizeof(d->org_id));
    d->contact_id = db_column_int64(st, 3);
    store_col_copy(st, 4, d->channel, sizeof(d->channel));
    store_col_copy(st, 5, d->address, sizeof(d->address));
    d->attempts = db_column_int(st, 6);
    store_col_copy(st, 7, d->idem_key, sizeof(d->idem_key));
    /* an alert's round and purpose; an advisory delivery's reason
     * ("reminder": a reminder of the acknowledgement board) */
    d->round = db_column_int(st, 8);
    store_col_copy(st, 9, d->purpose, sizeof(d->purpose));
    d->lease_until = db_column_int64(st, 10);
    return IS_OK;
}

int store_deliveries_claim(struct store_conn *c, int64_t now, int lease,
                           int max, struct store_delivery *out, int *n)
{
    struct claim_ctx x = {.out = out, .max = max, .kind = STORE_JOB_ALERT};
    int rc = store_each(c, ST_ALD_CLAIM, "claim alerts", map_claimed, &x,
                        "IIit", now, now + lease, max, store_node(c));
    if (!rc && x.n < max) {
        x.kind = STORE_JOB_OBS;
        rc = store_each(c, ST_OBS_OAD_CLAIM, "claim obs alerts", map_claimed,
                        &x, "IIi", now, now + lease, max - x.n);
    }
    if (!rc && x.n < max) {
        x.kind = STORE_JOB_ADVISORY;
        rc = store_each(c, ST_DLV_CLAIM, "claim", map_claimed, &x, "IIit", now,
                        now + lease, max - x.n, store_node(c));
    }
    /* notices (survey and review reminders) last: a reminder never waits
     * ahead of a warning */
    if (!rc && x.n < max) {
        x.kind = STORE_JOB_NOTICE;
        rc = store_each(c, ST_NOTICE_CLAIM, "claim notices", map_claimed, &x,
                        "IIi", now, now + lease, max - x.n);
    }
    *n = x.n;
    return rc;
}

int store_deliveries_fresh(struct store_conn *c, int max,
                           struct store_delivery *out, int *n)
{
    struct claim_ctx x = {.out = out, .max = max, .kind = STORE_JOB_ALERT};
    int rc = store_each(c, ST_ALD_FRESH, "fresh alerts", map_claimed, &x, "it",
                        max, store_node(c));
    *n = x.n;
    return rc;
}

static bool is_alert(const struct store_delivery *d)
{
    return d->kind == STORE_JOB_ALERT;
}

static bool is_obs(const struct store_delivery *d)
{
    return d->kind == STORE_JOB_OBS;
}

static bool is_notice(const struct store_delivery *d)
{
    return d->kind == STORE_JOB_NOTICE;
}

int store_delivery_done(struct store_conn *c, const struct store_delivery *d,
                        int64_t now)
{
    if (is_notice(d))
        return store_exec(c, ST_NOTICE_DONE, "notice delivered", "III",
                          (int64_t)d->id, (int64_t)now, d->lease_until);
    if (is_obs(d))
        return store_exec(c, ST_OBS_OAD_DONE, "obs delivery done", "III",
                          (int64_t)d->id, (int64_t)now, d->lease_until);
    int rc =
        store_exec(c, is_alert(d) ? ST_ALD_DONE : ST_DLV_DONE, "delivery done",
                   "III", (int64_t)d->id, (int64_t)now, d->lease_until);
    if (rc || is_alert(d))
        return rc;
    return store_exec(c, ST_DLV_RCPT_DELIVERED, "recipient delivered", "ttIt",
                      d->advisory_id, d->org_id, (int64_t)now, d->channel);
}

int store_delivery_retry(struct store_conn *c, const struct store_delivery *d,
                         int64_t next_at, const char *error)
{
    if (is_notice(d))
        return store_exec(c, ST_NOTICE_RETRY, "notice retry", "IItI",
                          (int64_t)d->id, (int64_t)next_at, error,
                          d->lease_until);
    if (is_obs(d))
        return store_exec(c, ST_OBS_OAD_RETRY, "obs delivery retry", "IItI",
                          (int64_t)d->id, (int64_t)next_at, error,
                          d->lease_until);
    if (is_alert(d)) /* attempts: a job taken fresh was not counted */
        return store_exec(c, ST_ALD_RETRY, "alert retry", "IItiI",
                          (int64_t)d->id, (int64_t)next_at, error, d->attempts,
                          d->lease_until);
    return store_exec(c, ST_DLV_RETRY, "delivery retry", "IItI", (int64_t)d->id,
                      (int64_t)next_at, error, d->lease_until);
}

int store_delivery_failed(struct store_conn *c, const struct store_delivery *d,
                          const char *error)
{
    if (is_notice(d))
        return store_exec(c, ST_NOTICE_FAILED, "notice failed", "ItI",
                          (int64_t)d->id, error, d->lease_until);
    if (is_obs(d))
        return store_exec(c, ST_OBS_OAD_FAILED, "obs delivery failed", "ItI",
                          (int64_t)d->id, error, d->lease_until);
    return store_exec(c, is_alert(d) ? ST_ALD_FAILED : ST_DLV_FAILED,
                      "delivery failed", "ItI", (int64_t)d->id, error,
                      d->lease_until);
}

int store_delivery_next(struct store_conn *c, const struct store_delivery *d,
                        int64_t now, int *queued)
{
    if (is_obs(d) || is_notice(d)) { /* every e-mail contact has its own
                                        job already */
        *queued = 0;
        return IS_OK;
    }
    if (!is_alert(d))
        return store_queue_next(c, d->advisory_id, d->org_id, "next", false,
                                now, queued);
    int rc = store_exec(c, ST_ALERT_QUEUE_NEXT, "alert next", "ttittIit",
                        d->advisory_id, d->org_id, d->round, d->purpose, "next",
                        (int64_t)now, 0, store_node(c));
    *queued = rc ? 0 : store_changes(c);
    return rc;
}

int store_delivery_settled(struct store_conn *c, const struct store_delivery *d,
                           bool *settled)
{
    *settled = false;
    if (is_obs(d) || is_notice(d))
        return IS_OK;
    if (is_alert(d)) {
        int64_t one = 0;
        int rc = store_get_int64(c, ST_ALERT_OPENED, "alert opened", &one,
                                 "tti", d->advisory_id, d->org_id, d->round);
        *settled = rc == IS_OK && one;
        return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
    }
    struct store_recipient r;
    int rc = store_recipient_get(c, d->advisory_id, d->org_id, &r);
    if (rc == IS_ERR_NOTFOUND)
        return IS_OK; /* an emergency contact's copy: no recipient */
    *settled = !rc && r.acked_at;
    return rc;
}

int store_deliveries_cancel(struct store_conn *c, const char *adv,
                            const char *org)
{
    return store_exec(c, ST_DLV_CANCEL_ORG, "deliveries cancel", "tt", adv,
                      org);
}

int store_deliveries_pending(struct store_conn *c, const char *adv,
                             const char *org, int64_t *n)
{
    *n = 0;
    return store_get_int64(c, ST_DLV_PENDING_ORG, "pending", n, "tt", adv, org);
}

/* Row mapper of ST_DLV_COUNTS: queued, sending, delivered, failed,
 * cancelled. */
static int map_dlv_counts(db_stmt *st, void *ctx)
{
    struct store_delivery_counts *o = ctx;
    o->queued = db_column_int64(st, 0);
    o->sending = db_column_int64(st, 1);
    o->delivered = db_column_int64(st, 2);
    o->failed = db_column_int64(st, 3);
    o->cancelled = db_column_int64(st, 4);
    return IS_OK;
}

int store_delivery_counts(struct store_conn *c, const char *adv,
                          struct store_delivery_counts *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_DLV_COUNTS, "delivery counts", map_dlv_counts,
                         out, "t", adv);
}

struct contact_out {
    char *channel, *address, *secret, *lang;
    size_t chlen, alen, slen, llen;
};

static int map_contact(db_stmt *st, void *ctx)
{
    struct contact_out *o = ctx;
    store_col_copy(st, 0, o->channel, o->chlen);
    store_col_copy(st, 1, o->address, o->alen);
    store_col_copy(st, 2, o->secret, o->slen);
    store_col_copy(st, 3, o->lang, o->llen);
    return IS_OK;
}

int store_contact_get(struct store_conn *c, int64_t id, char *channel,
                      size_t chlen, char *address, size_t alen, char *secret,
                      size_t slen, char *lang, size_t llen)
{
    struct contact_out o = {channel, address, secret, lang,
                            chlen,   alen,    slen,   llen};
    return store_get_row(c, ST_CONTACT_GET, "contact", map_contact, &o, "I",
                         id);
}

int store_ack_link_insert(struct store_conn *c, const unsigned char hash[32],
                          const char *adv, const char *org, int64_t expires)
{
    return store_exec(c, ST_ACK_LINK_INSERT, "ack link insert", "bttI", hash,
                      adv, org, (int64_t)expires);
}

struct ack_link_out {
    char *adv, *org;
    size_t alen, olen;
    int64_t *expires, *used;
};

static int map_ack_link(db_stmt *st, void *ctx)
{
    struct ack_link_out *o = ctx;
    store_col_copy(st, 0, o->adv, o->alen);
    store_col_copy(st, 1, o->org, o->olen);
    *o->expires = db_column_int64(st, 2);
    *o->used = db_column_int64(st, 3);
    return IS_OK;
}

int store_ack_link_get(struct store_conn *c, const unsigned char hash[32],
                       char *adv, size_t alen, char *org, size_t olen,
                       int64_t *expires, int64_t *used)
{
    struct ack_link_out o = {adv, org, alen, olen, expires, used};
    return store_get_row(c, ST_ACK_LINK_GET, "ack link", map_ack_link, &o, "b",
                         hash);
}

int store_ack_link_use(struct store_conn *c, const unsigned char hash[32],
                       int64_t now)
{
    return conflict_if_unchanged(store_exec_changed(
        c, ST_ACK_LINK_USE, "ack link use", "bI", hash, (int64_t)now));
}

int store_drill_insert(struct store_conn *c, const char *id, const char *adv,
                       const char *target_kind, const char *target,
                       const char *by, int64_t now)
{
    return store_exec(c, ST_DRILL_INSERT, "drill insert", "tttttI", id, adv,
                      target_kind, target, by, (int64_t)now);
}

/* Row mapper of ST_DRILL_GET: id, advisory, target_kind, target,
 * created_by, created_at, seq (ST_DRILL_PREV: the first two). */
static int map_drill(db_stmt *st, void *ctx)
{
    struct store_drill *d = ctx;
    memset(d, 0, sizeof(*d));
    store_col_copy(st, 0, d->id, sizeof(d->id));
    store_col_copy(st, 1, d->advisory, sizeof(d->advisory));
    if (db_column_count(st) < 7)
        return IS_OK;
    store_col_copy(st, 2, d->target_kind, sizeof(d->target_kind));
    store_col_copy(st, 3, d->target, sizeof(d->target));
    store_col_copy(st, 4, d->created_by, sizeof(d->created_by));
    d->created_at = db_column_int64(st, 5);
    d->seq = db_column_int64(st, 6);
    return IS_OK;
}

int store_drill_get(struct store_conn *c, const char *id,
                    struct store_drill *out)
{
    return store_get_row(c, ST_DRILL_GET, "drill", map_drill, out, "t", id);
}

int store_drill_prev(struct store_conn *c, const char *target_kind,
                     const char *target, int64_t seq, struct store_drill *out)
{
    return store_get_row(c, ST_DRILL_PREV, "drill prev", map_drill, out, "ttI",
                         target_kind, target, seq);
}

int store_deliveries_reset(struct store_conn *c, int *n)
{
    int rc =
        store_exec(c, ST_DLV_RESET, "deliveries reset", "t", store_node(c));
    *n = rc ? 0 : store_changes(c);
    if (!rc) {
        rc = store_exec(c, ST_ALD_RESET, "alert deliveries reset", "t",
                        store_node(c));
        *n += rc ? 0 : store_changes(c);
    }
    return rc;
}
