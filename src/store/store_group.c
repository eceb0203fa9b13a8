/*
 * store_group.c - group commit: write jobs that arrive together share one
 * write transaction and one durable commit.
 *
 * With synchronous=FULL the disk's flush is most of a small transaction's
 * time, and every other writer waits for it. A job queues here; the first
 * thread that finds no batch running for its store becomes the batch's
 * runner: it begins one transaction, runs every queued job of that store
 * (at most STORE_GROUP_MAX) each inside its own savepoint, commits once and
 * wakes the others. A job that fails is rolled back to its savepoint and
 * gets its own error; the others go on. Each caller learns the outcome of
 * the commit its job was in, so a 2xx is answered only for what is durable.
 */
#include "store/store_internal.h"

#include "store/db_pg.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define STORE_GROUP_MAX 64

static pthread_mutex_t group_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t group_done = PTHREAD_COND_INITIALIZER;
static struct store_job *queue; /* in arrival order, every store's */
/* stores with a batch running; few stores per process (the hub's and
 * one per running exercise) */
#define GROUP_RUNNING_MAX 64
static const struct store *running[GROUP_RUNNING_MAX];

static bool is_running(const struct store *s)
{
    for (int i = 0; i < GROUP_RUNNING_MAX; i++)
        if (running[i] == s)
            return true;
    return false;
}

static bool set_running(const struct store *s, bool on)
{
    for (int i = 0; i < GROUP_RUNNING_MAX; i++) {
        if (on ? running[i] == NULL : running[i] == s) {
            running[i] = on ? s : NULL;
            return true;
        }
    }
    return false;
}

static int savepoint(struct store_conn *c, enum store_stmt id)
{
    db_stmt *st = store_stmt(c, id);
    return st ? store_step_done(c, st, "group commit savepoint") : IS_ERR_STORE;
}

/* Runs batch (a list of jobs of c's store) in one transaction on c. */
static void run_batch(struct store_conn *c, struct store_job *batch)
{
    int rc = store_begin(c);
    bool any = false;
    for (struct store_job *j = batch; j; j = j->next) {
        if (rc) {
            j->rc = rc;
            continue;
        }
        j->rc = savepoint(c, ST_JOB_SAVEPOINT);
        if (j->rc)
            continue;
        j->rc = j->run(c, j->arg);
        if (j->rc) {
            /* this job's writes go; the transaction and the others stay */
            if (savepoint(c, ST_JOB_ROLLBACK_TO) ||
                savepoint(c, ST_JOB_RELEASE))
                rc = IS_ERR_STORE;
        } else if (savepoint(c, ST_JOB_RELEASE)) {
            j->rc = rc = IS_ERR_STORE;
        } else {
            any = true;
        }
    }
    if (!rc && any)
        rc = store_commit(c);
    else
        store_rollback(c);
    if (rc) /* nothing of the batch is stored */
        for (struct store_job *j = batch; j; j = j->next)
            if (!j->rc)
                j->rc = rc;
}

int store_group_commit(struct store_conn *c, struct store_job *me)
{
    const struct store *s = c->owner;
    store_thread_wrote();
    me->store = s;
    me->done = false;
    me->rc = IS_OK;
    me->next = NULL;
    if (c->in_tx || store_tx_open(c)) {
        /* a transaction of the caller's is open on c (a read one, or a
         * write one): the job would run outside it, and a batch run on c
         * would fail every other job of it. The caller's mistake fails
         * the caller alone, every time. */
        return store_fail(c, "group commit with a transaction open");
    }
    if (!s) { /* a connection of no pool: nothing to group with */
        run_batch(c, me);
        return me->rc;
    }
    /* on PostgreSQL a job waits for the running batch no longer than a
     * writer waits for the writer lock (store_begin): a batch stuck in
     * its COMMIT (a synchronous standby gone) fails the jobs queued
     * behind it, answered 503, rather than hang them. A job taken into a
     * batch waits for that batch's outcome, whatever it takes. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PG_LOCK_TIMEOUT_S;
    pthread_mutex_lock(&group_lock);
    struct store_job **end = &queue;
    while (*end)
        end = &(*end)->next;
    *end = me;
    bool taken = false; /* in a batch: its outcome is waited for */
    while (!me->done) {
        if (is_running(s) || !set_running(s, true)) {
            if (!c->pg || taken) {
                pthread_cond_wait(&group_done, &group_lock);
                continue;
            }
            if (pthread_cond_timedwait(&group_done, &group_lock, &until) !=
                    ETIMEDOUT ||
                me->done)
                continue;
            struct store_job **at = &queue;
            while (*at && *at != me)
                at = &(*at)->next;
            if (!*at) {
                /* (an expired deadline would return at once: no spin) */
                taken = true;
                continue;
            }
            /* the running batch may have ended at the deadline: this
             * job may run the next one rather than fail */
            if (!is_running(s))
                continue;
            *at = me->next;
            me->next = NULL;
            me->rc = IS_ERR_STORE;
            me->done = true;
            pgc_lock_timed_out();
            break;
        }
        /* this thread runs the next batch: the queued jobs of its store */
        struct store_job *batch = NULL, **bend = &batch, **at = &queue;
        int n = 0;
        while (*at && n < STORE_GROUP_MAX) {
            struct store_job *j = *at;
            if (j->store != s) {
                at = &j->next;
                continue;
            }
            *at = j->next;
            j->next = NULL;
            *bend = j;
            bend = &j->next;
            n++;
        }
        pthread_mutex_unlock(&group_lock);
        struct store_conn *w = store_group_conn(c->owner);
        run_batch(w ? w : c, batch);
        pthread_mutex_lock(&group_lock);
        /* j->next is read before done is set: a finished job's owner may
         * return and reuse its memory at once */
        for (struct store_job *j = batch, *next; j; j = next) {
            next = j->next;
            j->done = true;
        }
        set_running(s, false);
        pthread_cond_broadcast(&group_done);
    }
    pthread_mutex_unlock(&group_lock);
    return me->rc;
}
