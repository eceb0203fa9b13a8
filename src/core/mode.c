#include "core/mode.h"

#include <string.h>

bool mode_covers(bool national, const char *const *sectors, int n,
                 const char *sector)
{
    if (national)
        return true;
    for (int i = 0; i < n; i++)
        if (strcmp(sectors[i], sector) == 0)
            return true;
    return false;
}

int64_t mode_shorten(bool outage, int64_t interval_s, int64_t floor_s)
{
    if (!outage || interval_s <= floor_s)
        return interval_s;
    int64_t half = interval_s / 2;
    return half < floor_s ? floor_s : half;
}

int64_t mode_ack_s(bool outage, int64_t normal_s)
{
    return mode_shorten(outage, normal_s, MODE_ACK_FLOOR_S);
}

struct report_deadlines mode_report_due(bool outage, int64_t detected_at,
                                        struct report_deadlines normal)
{
    return (struct report_deadlines){
        .first_due =
            detected_at + mode_shorten(outage, normal.first_due - detected_at,
                                       MODE_FIRST_FLOOR_S),
        .full_due =
            detected_at + mode_shorten(outage, normal.full_due - detected_at,
                                       MODE_FULL_FLOOR_S),
        .final_due =
            detected_at + mode_shorten(outage, normal.final_due - detected_at,
                                       MODE_FINAL_FLOOR_S),
    };
}

bool mode_report_skips_review(bool outage, int severity)
{
    return outage && severity >= MODE_HOTLINE_SEVERITY;
}
