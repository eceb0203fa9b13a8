/*
 * survey.h - what the annual survey publishes (issue 15; docs/rules.md
 * "What is published"): pure rules, unit-tested in tests/unit/test_survey.c.
 */
#ifndef INFRASHARE_CORE_SURVEY_H
#define INFRASHARE_CORE_SURVEY_H

#include <stdbool.h>
#include <stdint.h>

/* May a group of n respondents be published? At least min; and for each of
 * the nsec secretariats, known[s] of them share their answers with it, so
 * the respondents it does not know (n - known[s]) must be none or at least
 * min: otherwise it could subtract what it knows from the group's figures
 * and learn fewer than min operators' answers. */
bool sv_group_ok(int64_t n, const int64_t *known, int nsec, int64_t min);

/* Which groups are published, from each sector's respondents n[0..k) and,
 * per sector, the respondents known to each secretariat
 * (known[i * nsec + s]; NULL or nsec 0: none shared): a sector when
 * sv_group_ok; the others pooled as one group ("other") when the pool is
 * sv_group_ok, else in no figure; the national total (the published
 * sectors and the pool) when sv_group_ok. Fills published[0..k), *other,
 * *national; returns the national total's respondents (0 when not
 * published). */
int64_t sv_publish(const int64_t *n, int k, const int64_t *known, int nsec,
                   int64_t min, bool *published, bool *other, bool *national);

/* The adoption rate in percent with one decimal: adopted of the answers
 * that apply (adopted + partly + not; "not applicable" left out); -1 when
 * none applies. */
double sv_rate(int64_t adopted, int64_t partly, int64_t not_adopted);

#endif
