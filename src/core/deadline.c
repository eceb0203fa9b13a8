#include "core/deadline.h"

int64_t deadline_ack_s(int severity, const int limits_s[3])
{
    if (severity >= 4)
        return limits_s[0];
    if (severity == 3)
        return limits_s[1];
    return limits_s[2];
}

struct report_deadlines deadline_report(int64_t detected_at,
                                        struct deadline_rule rule)
{
    return (struct report_deadlines){
        .first_due = detected_at + (int64_t)rule.first_h * 3600,
        .full_due = detected_at + (int64_t)rule.full_h * 3600,
        .final_due = detected_at + (int64_t)rule.final_d * 86400,
    };
}

bool deadline_report_overdue(bool open, int64_t full_at, int64_t full_due,
                             int64_t final_due, int64_t now)
{
    return open && ((!full_at && full_due < now) || final_due < now);
}

bool deadline_escalation_due(int64_t released_at, int64_t acked_at,
                             int64_t escalated_at, int64_t ack_deadline_s,
                             int64_t now)
{
    return released_at && !acked_at && !escalated_at &&
           released_at + ack_deadline_s <= now;
}

int64_t deadline_ack_due(int64_t released_at, int64_t ack_deadline_s)
{
    return released_at ? released_at + ack_deadline_s : 0;
}
