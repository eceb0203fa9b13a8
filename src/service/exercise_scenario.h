/*
 * exercise_scenario.h - a cross-sector exercise's scenario file (issue 14,
 * under way; docs/rules.md "Cross-sector exercises: the scenario format"):
 * the JSON read, every field checked (the first problem named by its
 * path, "injects[3].at_min"), then the timeline's rules of core/exercise.h
 * (order, identifiers, branching without cycles), and, given the
 * registry, that every organisation, sector and group it names exists.
 * The FY2015 scenario ships as data/exercises/fy2015.json.
 */
#ifndef INFRASHARE_EXERCISE_SCENARIO_H
#define INFRASHARE_EXERCISE_SCENARIO_H

#include <jansson.h>

#include "core/exercise.h"
#include "service/app.h"
#include "store/store.h"

#define EXERCISE_SCENARIO_FORMAT "infrashare-exercise-scenario/1"

/* Checks scenario j and fills *out (the caller's, may be large: heap).
 * c NULL: the registry is not consulted; else organisations ("from",
 * "to.orgs") and sectors ("to.sectors", groups' sectors) must exist
 * (unknown_participants). IS_OK, or IS_ERR_INVALID with e naming the
 * field and the problem (the codes of core/exercise.h, and
 * missing_field, invalid_type, unknown_field, unknown_participants,
 * unknown_group). Nothing is stored. */
int exercise_scenario_load(struct store_conn *c, const json_t *j,
                           struct ex_scenario *out, struct svc_error *e);
/* As exercise_scenario_load (no registry), for a scenario stored when it
 * was given: the rules added since that a stored one may not meet are not
 * applied (an inject with a condition that asks for a relay). */
int exercise_scenario_reload(const json_t *j, struct ex_scenario *out,
                             struct svc_error *e);

#endif
