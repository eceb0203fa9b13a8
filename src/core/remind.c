/*
 * remind.c - the acknowledgement board's reminders (core/remind.h).
 */
#include "core/remind.h"

bool remind_eligible(int64_t released_at, int64_t acked_at)
{
    return released_at != 0 && acked_at == 0;
}

int64_t remind_wait_s(int64_t last_at, int64_t now)
{
    if (last_at <= 0)
        return 0;
    if (last_at > now)
        last_at = now;
    int64_t since = now - last_at;
    return since >= REMIND_INTERVAL_S ? 0 : REMIND_INTERVAL_S - since;
}
