/*
 * deadline.h - the hub's deadlines, as pure rules (no I/O, no clock: the
 * caller passes "now").
 *
 *  - Acknowledgement of an advisory (DOMAIN.md §6; docs/rules.md,
 *    "Acknowledgement and escalation"): by severity, limits_s[0] for 4 and 5,
 *    limits_s[1] for 3, limits_s[2] for 0 to 2 (the daemon's
 *    --ack-deadlines, 15 min, 1 h and 1 day by default).
 *  - A report's deadlines (docs/rules.md, "Deadlines and reminders"): counted
 * from the detection time with the sector's hours and days
 *    (data/deadlines.json); the report is overdue while it is open and
 *    either the full report is missing past its due time or the final due
 *    time has passed.
 */
#ifndef INFRASHARE_DEADLINE_H
#define INFRASHARE_DEADLINE_H

#include <stdint.h>

#include "common/common.h"

/* Seconds an advisory of this severity gives a recipient to acknowledge. */
int64_t deadline_ack_s(int severity, const int limits_s[3]);

/* A sector's report deadlines: hours to the first notice and to the full
 * report, days to the final report. */
struct deadline_rule {
    int first_h;
    int full_h;
    int final_d;
};

struct report_deadlines {
    int64_t first_due;
    int64_t full_due;
    int64_t final_due;
};

/* The due times of a report detected at detected_at under rule. */
struct report_deadlines deadline_report(int64_t detected_at,
                                        struct deadline_rule rule);

/* Is a report overdue at now? open: its state is "open"; full_at: when the
 * full report came (0 = not yet). */
bool deadline_report_overdue(bool open, int64_t full_at, int64_t full_due,
                             int64_t final_due, int64_t now);

/* Is an advisory recipient due for escalation at now? Released to it
 * (released_at != 0), neither acknowledged nor escalated yet (0 = not),
 * and its acknowledgement deadline (ack_deadline_s after the release) has
 * come. The store's RCPT_DUE_ESCALATION statement selects the same
 * recipients (checked at the deadline's edge, before and after an
 * acknowledgement, by test_store.c::t_provision_recipient_lists). */
bool deadline_escalation_due(int64_t released_at, int64_t acked_at,
                             int64_t escalated_at, int64_t ack_deadline_s,
                             int64_t now);

/* The acknowledgement deadline of a recipient released at released_at:
 * released_at + ack_deadline_s, the time deadline_escalation_due turns
 * true; 0 when it was not released (released_at == 0). */
int64_t deadline_ack_due(int64_t released_at, int64_t ack_deadline_s);

#endif
