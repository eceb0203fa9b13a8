/*
 * drill.c - rules of drill kinds and the drill programme (core/drill.h).
 */
#include "core/drill.h"

#include <string.h>

#define JST_OFFSET_S (9 * 3600)

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The civil year and month of a day count (the inverse of the above). */
static void civil_from_days(int64_t z, int64_t *y, int *m)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int drill_fiscal_year(int64_t t)
{
    int64_t y;
    int m;
    civil_from_days(floor_div(t + JST_OFFSET_S, 86400), &y, &m);
    return (int)(m >= 4 ? y : y - 1);
}

int64_t drill_fy_start(int fy)
{
    return days_from_civil(fy, 4, 1) * 86400 - JST_OFFSET_S;
}

bool drill_window_closed(int64_t started_at, int64_t now)
{
    return now - started_at >= DRILL_WINDOW_S;
}

bool drill_comparable(int64_t started_at, int64_t prev_started_at, int64_t now)
{
    return drill_window_closed(started_at, now) &&
           drill_window_closed(prev_started_at, now);
}

bool drill_channel_valid(const char *only)
{
    return only && (strcmp(only, "gateway") == 0 ||
                    strcmp(only, "email") == 0 || strcmp(only, "webhook") == 0);
}

bool drill_channel_matches(const char *only, const char *channel)
{
    if (!only || !*only)
        return true;
    if (!channel)
        return false;
    if (strcmp(only, "gateway") == 0)
        return strcmp(channel, "phone") == 0 || strcmp(channel, "sms") == 0;
    return strcmp(only, channel) == 0;
}

enum drill_contact_state drill_contact_state(int64_t confirmed_at,
                                             int64_t updated_at, int64_t now,
                                             int64_t max_age_s)
{
    if (confirmed_at)
        return DRILL_CONTACT_CONFIRMED;
    if (updated_at && now - updated_at <= max_age_s)
        return DRILL_CONTACT_RECENT;
    return DRILL_CONTACT_STALE;
}

const char *drill_contact_state_name(enum drill_contact_state s)
{
    switch (s) {
    case DRILL_CONTACT_CONFIRMED: return "confirmed";
    case DRILL_CONTACT_RECENT: return "recent";
    default: return "stale";
    }
}

int64_t drill_percentile(const int64_t *sorted, size_t n, int p)
{
    if (!n || p <= 0)
        return 0;
    if (p > 100)
        p = 100;
    size_t rank = ((size_t)p * n + 99) / 100; /* ceil(p * n / 100) */
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}
