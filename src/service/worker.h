/*
 * worker.h - the daemon's background thread: every tick it runs the
 * periodic work of the services (reporting_tick: auto-forwarding and due
 * reminders). Ticks are counted for /metrics, so that tests can wait for
 * "at least one more tick" instead of sleeping.
 */
#ifndef INFRASHARE_WORKER_H
#define INFRASHARE_WORKER_H

#include "service/app.h"

struct worker;

/* Starts the thread; tick_ms between passes. *out is the caller's until
 * worker_stop, which joins the thread and frees it. a must outlive it. */
int worker_start(struct app *a, int tick_ms, struct worker **out);
/* Stops and joins the thread. */
void worker_stop(struct worker *w);
/* Completed passes since start. */
uint64_t worker_ticks(void);

#endif
