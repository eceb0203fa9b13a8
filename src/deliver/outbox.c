#include "deliver/outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>

#include "common/log.h"
#include "deliver/message.h"
#include "common/util.h"

#define CLAIM_MAX 256
/* A claim waits until this many jobs (at most a quarter of
 * --max-inflight) have room, or CLAIM_WAIT_S has passed since the last
 * one: a fan-out is claimed, composed and recorded in batches, a few
 * transactions (and fsyncs) per hundred deliveries rather than one per
 * handful. */
#define CLAIM_BATCH 64
#define CLAIM_WAIT_S 0.02

/* [0] the hub's own deliveries, [1] exercises' (never counted as real) */
static atomic_uint_fast64_t n_delivered[2], n_retried[2], n_failed[2];

void outbox_counts(uint64_t *delivered, uint64_t *retried, uint64_t *failed)
{
    *delivered = atomic_load(&n_delivered[0]);
    *retried = atomic_load(&n_retried[0]);
    *failed = atomic_load(&n_failed[0]);
}

void outbox_exercise_counts(uint64_t *delivered, uint64_t *retried,
                            uint64_t *failed)
{
    *delivered = atomic_load(&n_delivered[1]);
    *retried = atomic_load(&n_retried[1]);
    *failed = atomic_load(&n_failed[1]);
}

/* The outbox's time: the exercise's for an exercise's outbox. */
static int64_t now_of(const struct deliver_settings *a)
{
    return a->now ? a->now(a->now_ctx) : util_now();
}

/* One job in flight. */
struct job {
    struct store_delivery d;
    CURL *h;
    struct curl_slist *hdrs, *rcpt;
    struct buf payload; /* request body / e-mail */
    size_t sent;        /* read position for SMTP uploads */
    char err[CURL_ERROR_SIZE];
    bool email;
    struct store_reminder rem; /* rem.id != 0: a deadline reminder */
    struct job *prev, *next;   /* the in-flight list */
};

struct outcome {
    struct store_delivery d;
    int64_t reminder_id; /* != 0: a reminder, not a delivery */
    int kind;            /* 0 delivered, 1 retry, 2 permanent */
    int64_t took_ms;     /* the transfer's whole time, as curl measured it */
    char error[200];
};

struct outbox {
    struct deliver_settings settings; /* a copy: see outbox_start */
    pthread_t thread;
    atomic_bool stop;
    CURLM *multi;
    int inflight;
    struct job *jobs; /* in flight, freed at stop */
    /* the writer lock was busy: since when (util_mono; 0 = it was not),
     * and whether this turn of the loop put a write off */
    double busy_since;
    bool deferred;
    double last_claim;    /* util_mono of the last claim (tried) */
    double pending_since; /* util_mono of the oldest outcome not written */
    /* easy handles of finished jobs, reset, for the next ones (curl's
     * connections live in the multi handle, not in these) */
    CURL **idle;
    int nidle;
};

/* How long the outbox puts its own writes off while another thread holds
 * the writer lock before it waits for the lock like any writer. */
#define OUTBOX_DEFER_S 0.025

/* Opens a write transaction without waiting behind another writer of the
 * process: a report's transaction that queues an upward alert wakes the
 * outbox at its commit, and the outbox must not then be inside its own
 * write (waiting for the lock, then its fsync) but free to send the alert
 * at once (bench/README.md, "Upward alert latency"). So it only TRIES the
 * lock; when it is busy the write waits for the next turn of the loop (a
 * short poll), up to OUTBOX_DEFER_S, after which it waits for the lock so
 * that a hub busy with writes still records its deliveries; wait: at once.
 * IS_ERR_CONFLICT: put off (o->deferred set). */
static int begin_write(struct outbox *o, struct store_conn *c, bool wait)
{
    if (wait) {
        o->busy_since = 0;
        return store_begin(c);
    }
    int rc = store_try_begin(c);
    if (rc != IS_ERR_CONFLICT) {
        if (!rc)
            o->busy_since = 0;
        return rc;
    }
    double now = util_mono();
    if (o->busy_since == 0)
        o->busy_since = now;
    if (now - o->busy_since < OUTBOX_DEFER_S) {
        o->deferred = true;
        return IS_ERR_CONFLICT;
    }
    o->busy_since = 0;
    return store_begin(c);
}

static void jobs_link(struct outbox *o, struct job *j)
{
    j->next = o->jobs;
    if (o->jobs)
        o->jobs->prev = j;
    o->jobs = j;
}

static void jobs_unlink(struct outbox *o, struct job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        o->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    IS_UNUSED(p);
    IS_UNUSED(ud);
    return s * n;
}

static size_t read_payload(char *dst, size_t s, size_t n, void *ud)
{
    struct job *j = ud;
    size_t left = j->payload.len - j->sent, want = s * n;
    size_t k = left < want ? left : want;
    memcpy(dst, buf_str(&j->payload) + j->sent, k);
    j->sent += k;
    return k;
}

/* Frees job j (out of the multi handle); its easy handle is kept, reset,
 * for a next job while there is room (o NULL: freed too). */
static void job_free(struct outbox *o, struct job *j)
{
    if (!j)
        return;
    if (j->h && o && o->idle && o->nidle < o->settings.max_inflight) {
        curl_easy_reset(j->h);
        o->idle[o->nidle++] = j->h;
    } else if (j->h)
        curl_easy_cleanup(j->h);
    curl_slist_free_all(j->hdrs);
    curl_slist_free_all(j->rcpt);
    buf_release(&j->payload);
    free(j);
}

/* Builds the easy handle of a job. */
static int job_prepare(struct outbox *o, struct store_conn *c,
                       struct message_cache *mc, struct job *j, int64_t now)
{
    const struct deliver_settings *a = &o->settings;
    struct message m;
    int rc = j->rem.id ? message_compose_reminder(a, c, &j->rem, &j->d, now, &m)
             : j->d.kind == STORE_JOB_ALERT
                 ? message_compose_alert(a, c, &j->d, now, &m)
             : j->d.kind == STORE_JOB_OBS
                 ? message_compose_obs(a, c, &j->d, now, &m)
             : j->d.kind == STORE_JOB_NOTICE
                 ? message_compose_notice(a, c, &j->d, now, &m)
                 : message_compose(a, c, mc, &j->d, now, &m);
    if (!rc && a->exercise_id[0])
        rc = message_mark_exercise(&m, a->exercise_id);
    if (rc) {
        message_release(&m);
        return rc;
    }
    j->h = o->nidle ? o->idle[--o->nidle] : curl_easy_init();
    if (!j->h) {
        message_release(&m);
        return IS_ERR_NOMEM;
    }
    buf_init(&j->payload, 4 * 1024 * 1024);
    curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
    curl_easy_setopt(j->h, CURLOPT_ERRORBUFFER, j->err);
    curl_easy_setopt(j->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(j->h, CURLOPT_TIMEOUT, (long)a->http_timeout_s);
    curl_easy_setopt(j->h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(j->h, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
    curl_easy_setopt(j->h, CURLOPT_REDIR_PROTOCOLS_STR, "");
    if (strcmp(m.channel, "email") == 0) {
        j->email = true;
        rc = message_email(a, &m, &j->d, now, &j->payload);
        char from[160], to[560];
        snprintf(from, sizeof(from), "<%s>", a->mail_from);
        snprintf(to, sizeof(to), "<%s>", m.address);
        j->rcpt = curl_slist_append(NULL, to);
        curl_easy_setopt(j->h, CURLOPT_URL, a->smtp_url);
        curl_easy_setopt(j->h, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(j->h, CURLOPT_MAIL_RCPT, j->rcpt);
        curl_easy_setopt(j->h, CURLOPT_READFUNCTION, read_payload);
        curl_easy_setopt(j->h, CURLOPT_READDATA, j);
        curl_easy_setopt(j->h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(j->h, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)j->payload.len);
    } else {
        buf_add(&j->payload, buf_str(&m.json), m.json.len);
        char sig[200], h1[260], h2[220], h3[64];
        message_signature(m.secret, now, buf_str(&j->payload), j->payload.len,
                          sig, sizeof(sig));
        snprintf(h1, sizeof(h1), "X-Infrashare-Signature: %s", sig);
        snprintf(h2, sizeof(h2), "Idempotency-Key: %s", j->d.idem_key);
        snprintf(h3, sizeof(h3), "X-Infrashare-Channel: %s", m.channel);
        j->hdrs = curl_slist_append(j->hdrs, "Content-Type: application/json");
        j->hdrs = curl_slist_append(j->hdrs, h1);
        j->hdrs = curl_slist_append(j->hdrs, h2);
        j->hdrs = curl_slist_append(j->hdrs, h3);
        j->hdrs = curl_slist_append(j->hdrs, "User-Agent: infrashare");
        j->hdrs = curl_slist_append(j->hdrs, "Expect:");
        curl_easy_setopt(j->h, CURLOPT_URL, m.address);
        curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->hdrs);
        curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, buf_str(&j->payload));
        curl_easy_setopt(j->h, CURLOPT_POSTFIELDSIZE, (long)j->payload.len);
    }
    message_release(&m);
    if (!rc) /* the payload whole, or no transfer at all (curl sends it
              * only once the handle is added, which a failure prevents) */
        rc = buf_error(&j->payload);
    return rc;
}

/* Classifies a finished transfer. */
static void classify(struct job *j, CURLcode cc, struct outcome *oc)
{
    long code = 0;
    curl_off_t took_us = 0;
    curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(j->h, CURLINFO_TOTAL_TIME_T, &took_us);
    oc->took_ms = (int64_t)(took_us / 1000);
    oc->d = j->d;
    oc->reminder_id = j->rem.id;
    if (j->email) {
        if (cc == CURLE_OK) {
            oc->kind = 0;
            return;
        }
        /* a 5xx SMTP reply (e.g. 550 recipient refused) is final */
        oc->kind = code >= 500 && code < 600 ? 2 : 1;
        /* a diagnostic: cut to fit on purpose (explicit precision) */
        snprintf(oc->error, sizeof(oc->error), "smtp %ld: %.*s", code,
                 (int)sizeof(oc->error) - 32,
                 j->err[0] ? j->err : curl_easy_strerror(cc));
        return;
    }
    if (cc == CURLE_OK && code >= 200 && code < 300) {
        oc->kind = 0;
        return;
    }
    if (cc == CURLE_OK)
        oc->kind = (code >= 400 && code < 500 && code != 408 && code != 429)
                       ? 2 /* 410 Gone and other refusals are final */
                       : 1;
    else
        oc->kind = 1;
    if (cc == CURLE_OK)
        snprintf(oc->error, sizeof(oc->error), "http %ld (%s)", code,
                 oc->kind == 2 ? "final" : "will retry");
    else
        snprintf(oc->error, sizeof(oc->error), "%.*s", /* cut on purpose */
                 (int)sizeof(oc->error) - 1,
                 j->err[0] ? j->err : curl_easy_strerror(cc));
}

/* A job kind's name in log lines (the ids are per kind). */
static const char *job_kind_name(enum store_job_kind k)
{
    return k == STORE_JOB_ALERT    ? "alert"
           : k == STORE_JOB_OBS    ? "observation"
           : k == STORE_JOB_NOTICE ? "notice"
                                   : "advisory";
}

static int64_t backoff(const struct deliver_settings *a, int attempts)
{
    int64_t d = a->retry_base_s;
    for (int i = 1; i < attempts && d < a->retry_cap_s; i++)
        d *= 2;
    if (d > a->retry_cap_s)
        d = a->retry_cap_s;
    /* jitter: 50 % to 150 % */
    int64_t j = d / 2 + (int64_t)randombytes_uniform((uint32_t)(d + 1));
    return j < 1 ? 1 : j;
}

/* Writes the outcomes ocs[n] in the open transaction; counts them into
 * cnt (delivered, retried, failed), added to the counters only once
 * committed. */
static int record_ops(struct outbox *o, struct store_conn *c,
                      struct outcome *ocs, int n, int64_t now, int cnt[3])
{
    const struct deliver_settings *a = &o->settings;
    int rc = IS_OK;
    for (int i = 0; i < n && !rc; i++) {
        struct outcome *oc = &ocs[i];
        if (oc->reminder_id) {
            if (oc->kind == 0)
                rc =
                    store_reminder_sent(c, oc->reminder_id, now, oc->d.channel);
            else
                rc = store_reminder_retry(
                    c, oc->reminder_id,
                    oc->kind == 1 && oc->d.attempts < a->max_attempts
                        ? now + backoff(a, oc->d.attempts)
                        : -1, /* give up: stays unsent, with the error */
                    oc->error);
            continue;
        }
        /* the same rule for both kinds of job (an advisory's delivery, a
         * report's alert); the store acts on the job's own table */
        bool settled = false;
        if (oc->kind != 0 && store_delivery_settled(c, &oc->d, &settled))
            settled = false;
        if (oc->kind == 0) {
            rc = store_delivery_done(c, &oc->d, now);
            cnt[0]++;
        } else if (settled) {
            /* acknowledged (opened) while this attempt was in flight */
            rc = store_delivery_failed(c, &oc->d,
                                       "stopped: acknowledged meanwhile");
        } else if (oc->kind == 1 && oc->d.attempts < a->max_attempts) {
            int64_t next_at = now + backoff(a, oc->d.attempts);
            rc = store_delivery_retry(c, &oc->d, next_at, oc->error);
            cnt[1]++;
            /* when it was put off, to the millisecond (wall clock), and how
             * long the failed attempt took (a timeout's cut); never
             * the report's or advisory's id: a log line must not link a
             * report to its reporter (tests/integration/test_probe_logs.py) */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            log_event(
                LOG_INFO, "delivery retry", "delivery", json_integer(oc->d.id),
                "job", json_string(job_kind_name(oc->d.kind)), "attempts",
                json_integer(oc->d.attempts), "next_at", json_integer(next_at),
                "at_ms",
                json_integer((json_int_t)ts.tv_sec * 1000 +
                             ts.tv_nsec / 1000000),
                "took_ms", json_integer(oc->took_ms), "error",
                json_string(oc->error), "exercise",
                a->exercise_id[0] ? json_string(a->exercise_id) : NULL, NULL);
        } else {
            rc = store_delivery_failed(c, &oc->d, oc->error);
            int q = 0;
            if (!rc)
                rc = store_delivery_next(c, &oc->d, now, &q);
            cnt[2]++;
            log_event(
                LOG_WARN, "delivery failed", "delivery", json_integer(oc->d.id),
                "org", json_string(oc->d.org_id), "channel",
                json_string(oc->d.channel), "error", json_string(oc->error),
                "next_channel_queued", json_integer(q), "exercise",
                a->exercise_id[0] ? json_string(a->exercise_id) : NULL, NULL);
        }
    }
    return rc;
}

/* Hands prepared job j to curl; it is in flight until collect_done. */
static void job_start(struct outbox *o, struct job *j)
{
    curl_multi_add_handle(o->multi, j->h);
    jobs_link(o, j);
    o->inflight++;
}

/* Is job d (its kind and id) in flight? */
static bool in_flight(const struct outbox *o, const struct store_delivery *d)
{
    for (const struct job *j = o->jobs; j; j = j->next)
        if (!j->rem.id && j->d.kind == d->kind && j->d.id == d->id)
            return true;
    return false;
}

/* A job claimed again while still in flight (see write_turn) holds the
 * new claim's lease: its outcome is written under that lease. */
static void renew_in_flight(struct outbox *o, const struct store_delivery *d)
{
    for (struct job *j = o->jobs; j; j = j->next)
        if (!j->rem.id && j->d.kind == d->kind && j->d.id == d->id)
            j->d.lease_until = d->lease_until;
}

/* How many jobs make a batch: CLAIM_BATCH, at most a quarter of
 * --max-inflight. */
static int batch_of(const struct outbox *o)
{
    int batch = o->settings.max_inflight / 4;
    return batch > CLAIM_BATCH ? CLAIM_BATCH : batch;
}

/* Is a claim of room jobs due: room for a batch, or CLAIM_WAIT_S since
 * the last claim? */
static bool claim_due(const struct outbox *o, int room)
{
    if (room <= 0)
        return false;
    return room >= batch_of(o) || util_mono() - o->last_claim >= CLAIM_WAIT_S;
}

/* Is there room for jobs, but less than a batch (claim_due waits)? */
static bool batch_waits(const struct outbox *o)
{
    int room = o->settings.max_inflight - o->inflight;
    return room > 0 && room < batch_of(o);
}

/* The write transaction of one turn of the loop: records the outcomes
 * ocs[*pending] when there are a batch of them (or they waited
 * CLAIM_WAIT_S, or a claim is due), and, when claim_due, claims up to room
 * due jobs (into claimed[CLAIM_MAX]) and composes them (their ack links
 * are written), all in one transaction: many outcomes and claims per
 * commit. The composed jobs start only once it committed; a job that
 * cannot be composed is left to its lease. *pending becomes 0 once the
 * outcomes are written, or given up (an error: rolled back, the leases
 * expire and the jobs are tried again); it stays when the write was put
 * off (begin_write). *claimed_tried: a claim was due. Returns how many
 * jobs were claimed. */
static int write_turn(struct outbox *o, struct store_conn *c,
                      struct outcome *ocs, int *pending,
                      struct store_delivery *claimed, int room, int64_t now,
                      bool *claim_tried)
{
    const struct deliver_settings *a = &o->settings;
    if (room > CLAIM_MAX)
        room = CLAIM_MAX;
    bool claim = claim_due(o, room);
    bool rec = *pending > 0 && (claim || *pending >= batch_of(o) ||
                                util_mono() - o->pending_since >= CLAIM_WAIT_S);
    *claim_tried = claim;
    if (!claim && !rec)
        return 0;
    int brc = begin_write(o, c, *pending > CLAIM_MAX * 2);
    if (brc == IS_ERR_CONFLICT)
        return 0; /* put off: the outcomes stay for the next turn */
    if (brc) {
        *pending = 0; /* leases expire: the jobs are tried again */
        return 0;
    }
    int cnt[3] = {0, 0, 0};
    int rc = rec ? record_ops(o, c, ocs, *pending, now, cnt) : IS_OK;
    int n = 0;
    /* composed, started once committed, in the order claimed (alerts
     * first: store_deliveries_claim) */
    struct job *ready = NULL, **ready_end = &ready;
    struct message_cache *mc = NULL;
    if (!rc && claim) {
        o->last_claim = util_mono();
        int lease = a->http_timeout_s * 2 + 30;
        rc = store_deliveries_claim(c, now, lease, room, claimed, &n);
        mc = n && !rc ? message_cache_new() : NULL;
    }
    for (int i = 0; !rc && i < n; i++) {
        /* claimed again while still in flight (its lease ran out on a
         * clock that jumped: an exercise's, advanced by hand): one
         * transfer at a time */
        if (in_flight(o, &claimed[i]))
            continue;
        struct job *j = calloc(1, sizeof(*j));
        if (!j)
            continue;
        j->d = claimed[i];
        if (job_prepare(o, c, mc, j, now)) {
            /* the lease expires; tried again. Said, so that a message
             * that can never be composed does not wait unseen */
            log_event(LOG_ERROR, "delivery not composed", "delivery",
                      json_integer(claimed[i].id), "channel",
                      json_string(claimed[i].channel), NULL);
            job_free(o, j);
            continue;
        }
        j->next = NULL;
        *ready_end = j;
        ready_end = &j->next;
    }
    message_cache_free(mc); /* read in this transaction only */
    if (rc || store_commit(c)) {
        store_rollback(c); /* leases expire: the jobs are tried again */
        n = 0;
        while (ready) { /* never sent: their claims were rolled back */
            struct job *j = ready;
            ready = j->next;
            job_free(o, j);
        }
    } else {
        atomic_fetch_add(&n_delivered[a->exercise_id[0] != 0], cnt[0]);
        atomic_fetch_add(&n_retried[a->exercise_id[0] != 0], cnt[1]);
        atomic_fetch_add(&n_failed[a->exercise_id[0] != 0], cnt[2]);
        for (int i = 0; i < n; i++)
            renew_in_flight(o, &claimed[i]);
    }
    while (ready) {
        struct job *j = ready;
        ready = j->next;
        j->next = NULL;
        job_start(o, j);
    }
    if (rec)
        *pending = 0;
    return n;
}

/* Takes up to room alert jobs that were written already claimed (the
 * services' hand-off, store_deliveries_fresh) and starts them: a read and
 * no write before sending (their links need none either), so an alert
 * leaves as soon as the outbox is woken after the commit that queued it.
 * Returns how many were started. */
/* Is d's outcome among the n collected and not yet written (its row
 * still reads as handed over)? */
static bool awaiting_record(const struct outcome *ocs, int n,
                            const struct store_delivery *d)
{
    for (int i = 0; i < n; i++)
        if (!ocs[i].reminder_id && ocs[i].d.kind == d->kind &&
            ocs[i].d.id == d->id)
            return true;
    return false;
}

/* Starts the alerts handed over by this node's requests (written
 * 'sending', attempts 0): none in flight, and none whose outcome is among
 * the pending ocs (a sent alert reads as handed over until its outcome is
 * written: it is not sent again meanwhile). */
static int start_fresh(struct outbox *o, struct store_conn *c,
                       struct store_delivery *fresh, int room, int64_t now,
                       const struct outcome *ocs, int pending)
{
    int n = 0, started = 0;
    if (room > CLAIM_MAX)
        room = CLAIM_MAX;
    if (room <= 0 || store_deliveries_fresh(c, room, fresh, &n))
        return 0;
    for (int i = 0; i < n; i++) {
        if (in_flight(o, &fresh[i]) || awaiting_record(ocs, pending, &fresh[i]))
            continue;
        struct job *j = calloc(1, sizeof(*j));
        if (!j)
            continue;
        j->d = fresh[i];
        j->d.attempts = 1; /* this attempt */
        if (job_prepare(o, c, NULL, j, now)) {
            job_free(o, j); /* its hand-off lease expires; claimed then */
            continue;
        }
        job_start(o, j);
        started++;
    }
    return started;
}

/* Starts the job of claimed reminder rem at its organisation's first
 * contact; without a contact, or when it cannot be composed, the reminder
 * is tried again later (or given up after max_attempts). */
static void start_reminder(struct outbox *o, struct store_conn *c,
                           const struct store_reminder *rem, int64_t now)
{
    const struct deliver_settings *a = &o->settings;
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return;
    j->rem = *rem;
    util_xcopy(j->d.org_id, sizeof(j->d.org_id), rem->org_id);
    /* the report and the deadline: one reminder each (UNIQUE (report_id,
     * kind)); never the row's id, a hub-wide count of others' missed
     * deadlines (docs/rules.md "Ids that count nothing") */
    snprintf(j->d.idem_key, sizeof(j->d.idem_key), "reminder.%s.%s",
             rem->report_id, rem->kind);
    j->d.attempts = rem->attempts;
    int64_t contact;
    if (store_contact_first(c, rem->org_id, &contact) ||
        (j->d.contact_id = contact,
         store_contact_get(c, contact, j->d.channel, sizeof(j->d.channel),
                           j->d.address, sizeof(j->d.address), NULL, 0, NULL,
                           0)) ||
        job_prepare(o, c, NULL, j, now)) {
        /* no contact, or not composable: tried again later */
        if (store_begin(c) == IS_OK) {
            if (store_reminder_retry(c, rem->id,
                                     rem->attempts < a->max_attempts
                                         ? now + backoff(a, rem->attempts)
                                         : -1,
                                     "no contact") ||
                store_commit(c))
                store_rollback(c);
        }
        job_free(o, j);
        return;
    }
    job_start(o, j);
}

/* Claims up to room (at most 16) deadline reminders (情報連絡) and starts
 * them; returns how many were claimed. */
static int start_reminders(struct outbox *o, struct store_conn *c, int room,
                           int64_t now)
{
    const struct deliver_settings *a = &o->settings;
    if (room > 16)
        room = 16;
    struct store_reminder rems[16];
    int nr = 0;
    if (room > 0 && begin_write(o, c, false) == IS_OK) {
        if (store_reminders_claim(c, now, a->http_timeout_s * 2 + 30, room,
                                  rems, &nr) ||
            store_commit(c)) {
            store_rollback(c);
            nr = 0;
        }
    }
    for (int i = 0; i < nr; i++)
        start_reminder(o, c, &rems[i], now);
    return nr;
}

/* Lets curl work, then takes the finished jobs out, their outcomes into
 * ocs[room]; returns how many outcomes. */
static int collect_done(struct outbox *o, struct outcome *ocs, int room)
{
    int running = 0;
    curl_multi_perform(o->multi, &running);
    int nocs = 0, left;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(o->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct job *j = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &j);
        if (nocs < room)
            classify(j, msg->data.result, &ocs[nocs++]);
        curl_multi_remove_handle(o->multi, j->h);
        jobs_unlink(o, j);
        job_free(o, j);
        o->inflight--;
    }
    return nocs;
}

static void *run(void *arg)
{
    struct outbox *o = arg;
    const struct deliver_settings *a = &o->settings;
    struct store_conn *c = store_acquire(a->store);
    struct store_delivery *claimed = calloc(CLAIM_MAX, sizeof(*claimed));
    struct outcome *ocs = calloc(CLAIM_MAX * 4, sizeof(*ocs));
    o->idle = calloc(a->max_inflight > 0 ? (size_t)a->max_inflight : 1,
                     sizeof(*o->idle)); /* NULL: no reuse */
    int reset = 0;
    store_deliveries_reset(c, &reset);
    if (reset)
        log_event(LOG_INFO, "outbox: deliveries queued again after restart",
                  "count", json_integer(reset), "exercise",
                  a->exercise_id[0] ? json_string(a->exercise_id) : NULL, NULL);
    int pending = 0; /* outcomes not recorded yet (batched, or put off) */
    while (!atomic_load(&o->stop) && claimed && ocs) {
        int64_t now = now_of(a);
        o->deferred = false;
        /* upward alerts handed over claimed first: nothing is written
         * before they leave */
        int n = start_fresh(o, c, claimed, a->max_inflight - o->inflight, now,
                            ocs, pending);
        /* room for every job in flight: none of their outcomes is lost
         * while records are put off (begin_write waits for the lock when
         * the room runs short). Alerts just started go on the wire here,
         * before the write below. */
        int nocs = collect_done(o, ocs + pending, CLAIM_MAX * 4 - pending);
        if (nocs && !pending)
            o->pending_since = util_mono();
        pending += nocs;
        /* outcomes recorded, and new jobs claimed and composed, in one
         * transaction per batch */
        bool claim_tried = false;
        n += write_turn(o, c, ocs, &pending, claimed,
                        a->max_inflight - o->inflight, now_of(a), &claim_tried);
        /* deadline reminders (情報連絡) share the worker, claimed as
         * often as deliveries are */
        int nr = claim_tried
                     ? start_reminders(o, c, a->max_inflight - o->inflight, now)
                     : 0;
        if (o->deferred) /* the writer lock is busy: look again soon */
            curl_multi_poll(o->multi, NULL, 0, 1, NULL);
        else if (!n && !nr && !nocs)
            /* outcomes, or a claim, waiting for their batch: at most
             * CLAIM_WAIT_S */
            curl_multi_poll(o->multi, NULL, 0,
                            pending || batch_waits(o)
                                ? (int)(CLAIM_WAIT_S * 1000)
                            : o->inflight ? 50
                                          : 200,
                            NULL);
    }
    /* stop: what has finished is recorded; what is in flight is
     * abandoned (queued again at start) */
    if (pending && claimed && ocs && store_begin(c) == IS_OK) {
        int cnt[3] = {0, 0, 0};
        if (record_ops(o, c, ocs, pending, now_of(a), cnt) || store_commit(c)) {
            store_rollback(c);
        } else {
            atomic_fetch_add(&n_delivered[a->exercise_id[0] != 0], cnt[0]);
            atomic_fetch_add(&n_retried[a->exercise_id[0] != 0], cnt[1]);
            atomic_fetch_add(&n_failed[a->exercise_id[0] != 0], cnt[2]);
        }
    }
    /* stop: abandon what is in flight (it is queued again at start) */
    while (o->jobs) {
        struct job *j = o->jobs;
        curl_multi_remove_handle(o->multi, j->h);
        jobs_unlink(o, j);
        job_free(o, j);
    }
    while (o->nidle)
        curl_easy_cleanup(o->idle[--o->nidle]);
    free(o->idle);
    o->idle = NULL;
    free(claimed);
    free(ocs);
    store_put(a->store, c);
    return NULL;
}

int outbox_start(const struct deliver_settings *s, struct outbox **out)
{
    struct outbox *o = calloc(1, sizeof(*o));
    if (!o)
        return IS_ERR_NOMEM;
    o->settings = *s;
    o->multi = curl_multi_init();
    if (!o->multi) {
        free(o);
        return IS_ERR_NOMEM;
    }
    curl_multi_setopt(o->multi, CURLMOPT_MAXCONNECTS, 512L);
    if (pthread_create(&o->thread, NULL, run, o) != 0) {
        curl_multi_cleanup(o->multi);
        free(o);
        return IS_ERR_INTERNAL;
    }
    *out = o;
    return IS_OK;
}

void outbox_wake(struct outbox *o)
{
    if (o)
        curl_multi_wakeup(o->multi);
}

void outbox_stop(struct outbox *o)
{
    if (!o)
        return;
    atomic_store(&o->stop, true);
    curl_multi_wakeup(o->multi);
    pthread_join(o->thread, NULL);
    curl_multi_cleanup(o->multi);
    free(o);
}
