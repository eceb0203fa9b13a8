/*
 * alert.h - upward alerts (DOMAIN.md §6a; docs/rules.md "Upward alerts"),
 * as pure rules (no I/O, no clock: the caller passes "now").
 *
 * A report arriving at a hop alerts the hop's contacts. A severe report
 * (severity >= ALERT_SEVERE) alerts every contact at once plus the hop's
 * emergency contacts; a lesser one the first contact, the next ones on
 * escalation (the advisory acknowledgement deadline of its severity, like
 * advisories). A hop that has not opened a severe report within its review
 * limit is reminded once. An update that raises the severity starts a new
 * alert round at every hop the report reached.
 */
#ifndef INFRASHARE_ALERT_H
#define INFRASHARE_ALERT_H

#include <stdint.h>

#include "common/common.h"

/* The lowest severity that alerts every contact and the emergency
 * contacts, and that is reminded when not opened. */
#define ALERT_SEVERE 4

/* Which contacts an alert round goes to first. */
enum alert_fanout {
    ALERT_FIRST_CONTACT = 0, /* the first contact by priority */
    ALERT_EVERY_CONTACT = 1, /* every contact and the emergency contacts */
};

enum alert_fanout alert_fanout(int severity);

/* Does an update from severity old to severity new start a new round? */
bool alert_new_round(int old_severity, int new_severity);

/* An alert round at one hop, as stored (times 0 = not yet). */
struct alert_round {
    int severity;
    int64_t alerted_at;
    int64_t opened_at;
    int64_t escalated_at;
    int64_t reminded_at;
};

/* Is the hop due for its one reminder at now? A severe round, not opened,
 * not reminded yet, and review_limit_s since the round began. The store's
 * ALERTS_DUE_REMIND statement selects the same rounds
 * (test_store.c::t_alerts_due_matches_core). */
bool alert_reminder_due(const struct alert_round *r, int64_t review_limit_s,
                        int64_t now);

/* Is the hop due for escalation to its remaining contacts at now? A round
 * below ALERT_SEVERE, not opened, not escalated yet, and ack_deadline_s
 * (deadline_ack_s of its severity) since the round began. The store's
 * ALERTS_DUE_ESCALATE statement selects the same rounds. */
bool alert_escalation_due(const struct alert_round *r, int64_t ack_deadline_s,
                          int64_t now);

/* May a reader of organisation kind reader_kind and id reader_id see, in
 * the list of unopened severe alerts, a row of a report whose sector's
 * ministry is report_ministry? NISC sees every row, a ministry the rows
 * of its own sectors' reports, nobody else any (the list is then 403).
 * Each row is also decided by the range rule (range_report_decide). */
bool alert_may_list(const char *reader_kind, const char *reader_id,
                    const char *report_ministry);
/* May a reader of this kind ask for the list at all? */
bool alert_may_view_unopened(const char *reader_kind);

#endif
