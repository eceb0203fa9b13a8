/*
 * survey.h - what the annual survey publishes (issue 15; docs/rules.md
 * "What is published"): pure rules, unit-tested in tests/unit/test_survey.c.
 */
#ifndef INFRASHARE_CORE_SURVEY_H
#define INFRASHARE_CORE_SURVEY_H

#include <stdbool.h>
#include <stdint.h>

/* Which groups are published, from the respondents of each sector n[0..k):
 * a sector with at least min; the others pooled as one group ("other")
 * when together at least min, else in no figure; the national total (the
 * published sectors and the pooled group) when at least min. Fills
 * published[0..k), *other, *national; returns the national total's
 * respondents (0 when not published). */
int64_t sv_publish(const int64_t *n, int k, int64_t min, bool *published,
                   bool *other, bool *national);

/* The adoption rate in percent with one decimal: adopted of the answers
 * that apply (adopted + partly + not; "not applicable" left out); -1 when
 * none applies. */
double sv_rate(int64_t adopted, int64_t partly, int64_t not_adopted);

#endif
