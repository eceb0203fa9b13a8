/*
 * fuzz_scenario.c - fuzz target of a cross-sector exercise's scenario
 * file (service/exercise_scenario.c: exercise_scenario_load, then
 * core/exercise.c's checks), which controllers send in the body of POST
 * /api/v1/exercises — network input. An accepted scenario must pass
 * ex_scenario_check again, with its injects in time order and its counts
 * within the limits; a refused one must name a code, a field and a
 * sentence. Without the registry (c NULL): the store is never called.
 * libFuzzer entry point; fuzz/build.sh builds it.
 */
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

#include "core/exercise.h"
#include "service/exercise_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the registry is not consulted (c NULL): these are never reached */
int store_org_rel(struct store_conn *c, const char *id, struct access_org *out)
{
    (void)c, (void)id, (void)out;
    abort();
}

int store_names(struct store_conn *c, const char *what, const char *id,
                char *ja, size_t jalen, char *en, size_t enlen)
{
    (void)c, (void)what, (void)id, (void)ja, (void)jalen, (void)en, (void)enlen;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *j =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return 0;
    static struct ex_scenario s;
    struct svc_error e = {0};
    int rc = exercise_scenario_load(NULL, j, &s, &e);
    json_decref(j);
    if (rc) {
        if (!e.err || !e.code[0] || !e.message[0])
            abort(); /* refused without saying why */
        return 0;
    }
    struct ex_problem p;
    if (s.ninjects < 1 || s.ninjects > EX_MAX_INJECTS ||
        !ex_scenario_check(&s, &p))
        abort();
    for (int i = 0; i < s.ninjects; i++) {
        if (s.inject[i].at_min < 0 || s.inject[i].at_min > EX_MAX_MIN ||
            (i && s.inject[i].at_min < s.inject[i - 1].at_min) ||
            s.inject[i].nexpect < 0 || s.inject[i].nexpect > EX_MAX_EXPECT)
            abort();
        for (int k = 0; k < s.inject[i].nexpect; k++)
            if (ex_action_index(&s, s.inject[i].expect[k].id) < 0)
                abort();
    }
    return 0;
}
