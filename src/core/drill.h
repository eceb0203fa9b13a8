/*
 * drill.h - the rules of drill kinds and the drill programme, pure (no
 * I/O, no clock: the caller passes "now"). docs/rules.md, "Drill kinds and
 * the drill programme".
 *
 *  - Fiscal year (年度): April to March in Japan time (UTC+9, no DST); the
 *    fiscal year of a time is the calendar year of the April that starts
 *    it (2026-03-31 23:59 JST is FY2025, 2026-04-01 00:00 JST FY2026).
 *  - A drill's 1-day window closes DRILL_WINDOW_S after it started; two
 *    drills are compared only when both windows are closed.
 *  - An outage drill uses one channel: "gateway" (phone and SMS
 *    gateways), "email" or "webhook".
 *  - A structure drill's member has current contacts when it confirmed
 *    them during the drill, or changed a contact within max_age_s before
 *    "now"; otherwise they are stale.
 */
#ifndef INFRASHARE_DRILL_H
#define INFRASHARE_DRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define DRILL_WINDOW_S 86400
/* contacts unchanged and unconfirmed for longer than this are stale */
#define DRILL_CONTACT_MAX_AGE_S (365 * 86400LL)

/* The fiscal year of unix time t (Japan time). */
int drill_fiscal_year(int64_t t);
/* The unix time of 1 April 00:00 JST of fiscal year fy (its start); the
 * year ends at drill_fy_start(fy + 1). */
int64_t drill_fy_start(int fy);

/* Is the 1-day window of a drill started at started_at closed at now? */
bool drill_window_closed(int64_t started_at, int64_t now);
/* May a drill be compared with a previous one at now (both windows
 * closed)? */
bool drill_comparable(int64_t started_at, int64_t prev_started_at, int64_t now);

/* Is only ("gateway", "email", "webhook"; "" or NULL = any) a channel an
 * outage drill may choose? */
bool drill_channel_valid(const char *only);
/* Does a contact of channel (email, webhook, phone, sms, fax) take part
 * in an advisory limited to only ("" or NULL = every channel)? */
bool drill_channel_matches(const char *only, const char *channel);

enum drill_contact_state {
    DRILL_CONTACT_CONFIRMED, /* confirmed during the drill */
    DRILL_CONTACT_RECENT,    /* not confirmed, changed within max_age_s */
    DRILL_CONTACT_STALE      /* neither (also: no contact at all) */
};
/* A structure drill member's contacts: confirmed_at 0 = not confirmed,
 * updated_at 0 = no contact. */
enum drill_contact_state drill_contact_state(int64_t confirmed_at,
                                             int64_t updated_at, int64_t now,
                                             int64_t max_age_s);
const char *drill_contact_state_name(enum drill_contact_state s);

/* The nearest-rank percentile p (0 < p <= 100) of n sorted values: the
 * value at index ceil(p/100 * n) - 1; 0 when n is 0. */
int64_t drill_percentile(const int64_t *sorted, size_t n, int p);

#endif
