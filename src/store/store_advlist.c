/*
 * store_advlist.c - the advisory list's aggregates (store.h, "issue 11:
 * lists"): acknowledged / total recipients as a viewer of the deliveries
 * counts them, in one statement per advisory.
 */
#include "store/store_internal.h"

struct ack_counts {
    int64_t total, acked;
};

/* Row mapper of ST_ADV_ACK_COUNTS: count(*), count(acked_at). */
static int map_ack_counts(db_stmt *st, void *ctx)
{
    struct ack_counts *x = ctx;
    x->total = db_column_int64(st, 0);
    x->acked = db_column_int64(st, 1);
    return IS_OK;
}

int store_advisory_ack_counts(struct store_conn *c, const char *adv,
                              enum store_acks_mode mode, const char *org,
                              int64_t *acked, int64_t *total)
{
    struct ack_counts x = {0};
    int rc = store_get_row(c, ST_ADV_ACK_COUNTS, "advisory ack counts",
                           map_ack_counts, &x, "tit", adv, (int)mode,
                           org ? org : "");
    if (rc)
        return rc;
    *acked = x.acked;
    *total = x.total;
    return IS_OK;
}

struct opened {
    int64_t at;
    bool released;
};

/* Row mapper of ST_RCPT_OPENED_GET: opened_at (NULL: 0), released. */
static int map_opened(db_stmt *st, void *ctx)
{
    struct opened *x = ctx;
    x->at = db_column_int64(st, 0);
    x->released = db_column_int(st, 1) != 0;
    return IS_OK;
}

int store_recipient_opened(struct store_conn *c, const char *adv,
                           const char *org, int64_t *opened, bool *released)
{
    struct opened x = {0};
    int rc = store_get_row(c, ST_RCPT_OPENED_GET, "recipient opened",
                           map_opened, &x, "tt", adv, org);
    if (rc)
        return rc;
    *opened = x.at;
    *released = x.released;
    return IS_OK;
}

int store_recipient_open(struct store_conn *c, const char *adv, const char *org,
                         int64_t now)
{
    return store_exec(c, ST_RCPT_OPENED_SET, "recipient open", "ttI", adv, org,
                      now);
}
