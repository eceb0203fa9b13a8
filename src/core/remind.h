/*
 * remind.h - the acknowledgement board's reminders (issue 11) as pure
 * rules (docs/rules.md, "Acknowledgement board"). No I/O, no clock: the
 * caller passes what it read.
 *
 *  - A recipient may be reminded when it was released (sent to) and has
 *    not acknowledged (remind_eligible).
 *  - An organisation reminds the recipients of one advisory at most once
 *    within REMIND_INTERVAL_S (remind_wait_s: the seconds still to wait,
 *    0 = allowed now).
 */
#ifndef INFRASHARE_REMIND_H
#define INFRASHARE_REMIND_H

#include <stdint.h>

#include "common/common.h"

#define REMIND_INTERVAL_S 600 /* 10 minutes */

/* released_at, acked_at: 0 = not. */
bool remind_eligible(int64_t released_at, int64_t acked_at);

/* The seconds before the next reminder of one advisory by one
 * organisation is allowed: last_at 0 (never) or REMIND_INTERVAL_S or
 * more ago gives 0. A last_at in the future (a clock set back) counts
 * as now. */
int64_t remind_wait_s(int64_t last_at, int64_t now);

#endif
