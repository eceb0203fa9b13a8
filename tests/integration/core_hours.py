"""The hour of the week of core/obs_baseline.h (obs_hour_of_week): JST,
Monday 00:00 = 0 ... Sunday 23:00 = 167. The Unix epoch was a Thursday
09:00 JST."""


def hour_of_week(t):
    h = (int(t) + 9 * 3600) // 3600
    return (h + 72) % 168
