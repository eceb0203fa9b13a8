#include "core/alert.h"

#include <string.h>

enum alert_fanout alert_fanout(int severity)
{
    return severity >= ALERT_SEVERE ? ALERT_EVERY_CONTACT : ALERT_FIRST_CONTACT;
}

bool alert_new_round(int old_severity, int new_severity)
{
    return new_severity > old_severity;
}

bool alert_reminder_due(const struct alert_round *r, int64_t review_limit_s,
                        int64_t now)
{
    return r->severity >= ALERT_SEVERE && r->opened_at == 0 &&
           r->reminded_at == 0 && r->alerted_at + review_limit_s <= now;
}

bool alert_escalation_due(const struct alert_round *r, int64_t ack_deadline_s,
                          int64_t now)
{
    return r->severity < ALERT_SEVERE && r->opened_at == 0 &&
           r->escalated_at == 0 && r->alerted_at + ack_deadline_s <= now;
}

bool alert_may_view_unopened(const char *reader_kind)
{
    return strcmp(reader_kind, "nisc") == 0 ||
           strcmp(reader_kind, "ministry") == 0;
}

bool alert_may_list(const char *reader_kind, const char *reader_id,
                    const char *report_ministry)
{
    if (strcmp(reader_kind, "nisc") == 0)
        return true;
    return strcmp(reader_kind, "ministry") == 0 && reader_id[0] &&
           strcmp(reader_id, report_ministry) == 0;
}
