/*
 * store_notice.c - notices e-mailed through the outbox (see
 * store/store_notice.h).
 */
#include "store/store_internal.h"
#include "store/store_notice.h"

#include <stdlib.h>

struct notice_row {
    const char *org, *kind, *ref, *subject, *body;
    int64_t now;
};

static int notice_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct notice_row *n = ctx;
    return store_exec_changed(c, ST_NOTICE_ADD, "notice add", "tttttII",
                              n->kind, n->ref, n->org, n->subject, n->body,
                              n->now, v);
}

int store_notice_queue(struct store_conn *c, const char *org, const char *kind,
                       const char *ref, const char *subject, const char *body,
                       int64_t now, int64_t *notice_id, int *queued)
{
    *queued = 0;
    /* the id is in each message's key and header: one that counts
     * nothing (docs/rules.md "Ids that count nothing"); no order needed */
    struct notice_row n = {org, kind, ref, subject, body, now};
    int64_t id = 0;
    int rc = store_insert_fresh_id(c, now, 0, notice_insert_as, &n, &id);
    if (rc)
        return rc;
    if (notice_id)
        *notice_id = id;
    rc = store_exec(c, ST_NOTICE_QUEUE, "notice queue", "ItI", id, org, now);
    if (!rc)
        *queued = store_changes(c);
    return rc;
}

void store_notice_release(struct store_notice *n)
{
    if (!n)
        return;
    free(n->subject);
    free(n->body);
    n->subject = n->body = NULL;
}

static int map_notice(db_stmt *st, void *ctx)
{
    struct store_notice *n = ctx;
    memset(n, 0, sizeof(*n));
    n->id = db_column_int64(st, 0);
    store_col_copy(st, 1, n->kind, sizeof(n->kind));
    store_col_copy(st, 2, n->ref, sizeof(n->ref));
    store_col_copy(st, 3, n->org_id, sizeof(n->org_id));
    n->created_at = db_column_int64(st, 6);
    if (store_col_dup(st, 4, &n->subject) || store_col_dup(st, 5, &n->body)) {
        store_notice_release(n);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

int store_notice_get(struct store_conn *c, int64_t id, struct store_notice *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_NOTICE_GET, "notice", map_notice, out, "I", id);
}

int store_notice_count(struct store_conn *c, const char *kind, const char *ref,
                       const char *org, int64_t since, int64_t *n)
{
    return store_get_int64(c, ST_NOTICE_COUNT, "notice count", n, "tttI", kind,
                           ref, org, since);
}
