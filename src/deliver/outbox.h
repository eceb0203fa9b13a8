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

#include "deliver/message.h"

struct outbox;

/* Starts the delivery thread with a copy of *s. *out is the caller's
 * until outbox_stop, which joins the thread and frees it. */
int outbox_start(const struct deliver_settings *s, struct outbox **out);
/* Stops the worker and frees o (NULL: nothing). */
void outbox_stop(struct outbox *o);
/* Wakes the worker at once (jobs were queued); o NULL: nothing. */
void outbox_wake(struct outbox *o);
/* Counters for /metrics. */
void outbox_counts(uint64_t *delivered, uint64_t *retried, uint64_t *failed);
/* The same for every exercise's outbox together (issue 14). */
void outbox_exercise_counts(uint64_t *delivered, uint64_t *retried,
                            uint64_t *failed);

#endif
