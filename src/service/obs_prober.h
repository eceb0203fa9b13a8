/*
 * obs_prober.h - the hub's own prober (vantage point 'hub', issue 12): a
 * thread of infrashared that runs the probe engine (probe/engine.h) on
 * the sites assigned to the vantage points (registered, not paused, not
 * demo, their CEPTOAR participating), refreshes that list every 30 s, and
 * hands its results to the same ingest as a pushed batch (obs_ingest; no
 * signature: the results never leave the process). infrashared --probe
 * (the default) starts it; --no-probe does not.
 */
#ifndef INFRASHARE_OBS_PROBER_H
#define INFRASHARE_OBS_PROBER_H

#include "service/app.h"

struct obs_prober;

/* resolver: "ADDR:PORT" of the DNS resolver, NULL for resolv.conf's
 * first. IS_OK with *out running, else an error (logged). */
int obs_prober_start(struct app *a, const char *resolver,
                     struct obs_prober **out);
/* Stops the thread (its probes in flight are dropped) and frees p. */
void obs_prober_stop(struct obs_prober *p);

#endif
