/*
 * outbox.h - the delivery worker: sends due jobs of the outbox (the
 * deliveries table) with one libcurl multi handle, many in flight,
 * connections reused; records each outcome; retries with exponential
 * backoff and jitter; after the last attempt on a channel, queues the
 * organisation's next channel. Jobs left 'sending' by a crash are queued
 * again at start (at-least-once; receivers drop duplicates by the
 * Idempotency-Key).
 */
#ifndef INFRASHARE_OUTBOX_H
#define INFRASHARE_OUTBOX_H

#include "service/app.h"

struct outbox;

/* Starts the delivery thread. *out is the caller's until outbox_stop, which
 * joins the thread and frees it (NULL is ignored). a must outlive it. */
int outbox_start(struct app *a, struct outbox **out);
void outbox_stop(struct outbox *o);
/* Wakes the worker at once (jobs were queued); for app->wake_outbox. */
void outbox_wake(struct app *a);
/* Counters for /metrics. */
void outbox_counts(uint64_t *delivered, uint64_t *retried, uint64_t *failed);

#endif
