/*
 * store_ackboard.c - the acknowledgement board's reminders (issue 11): the
 * rate limit's record and the re-queueing of a recipient's deliveries
 * (see store.h).
 */
#include "store/store_internal.h"

#include "common/util.h"

int store_remind_last(struct store_conn *c, const char *adv, const char *by_org,
                      int64_t *at)
{
    *at = 0;
    int rc = store_get_int64(c, ST_REMIND_LAST, "remind last", at, "tt", adv,
                             by_org);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

int store_remind_insert(struct store_conn *c, const char *adv,
                        const char *by_org, int64_t by_user, int orgs,
                        int queued, int64_t now)
{
    return store_exec(c, ST_REMIND_INSERT, "remind insert", "ttIiiI", adv,
                      by_org, by_user, orgs, queued, now);
}

int store_remind_queue(struct store_conn *c, const char *adv, const char *org,
                       int64_t now, int *queued, bool *in_flight)
{
    int64_t open = 0;
    *queued = 0;
    int rc = store_get_int64(c, ST_REMIND_OPEN, "remind open", &open, "tt", adv,
                             org);
    if (rc)
        return rc;
    *in_flight = open > 0;
    if (*in_flight) /* a message is on its way already */
        return IS_OK;
    char nonce[17];
    util_random_hex(nonce, 8);
    rc = store_exec(c, ST_REMIND_REQUEUE, "remind requeue", "ttIt", adv, org,
                    now, nonce);
    if (rc)
        return rc;
    *queued = store_changes(c);
    if (*queued == 0) /* never sent to a contact: the first usable one */
        rc = store_queue_next(c, adv, org, "reminder", false, now, queued);
    return rc;
}
