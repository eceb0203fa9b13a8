/*
 * survey.c - what the annual survey publishes (see core/survey.h).
 */
#include "core/survey.h"

#include <math.h>
#include <stdlib.h>

bool sv_group_ok(int64_t n, const int64_t *known, int nsec, int64_t min)
{
    if (n < min)
        return false;
    for (int s = 0; s < nsec; s++) {
        int64_t unknown = n - known[s];
        if (unknown > 0 && unknown < min)
            return false;
    }
    return true;
}

int64_t sv_publish(const int64_t *n, int k, const int64_t *known, int nsec,
                   int64_t min, bool *published, bool *other, bool *national)
{
    if (!known)
        nsec = 0;
    /* the pool's and the total's known respondents per secretariat */
    int64_t *pool = calloc((size_t)(nsec > 0 ? nsec : 1), sizeof(*pool));
    int64_t *all = calloc((size_t)(nsec > 0 ? nsec : 1), sizeof(*all));
    if (!pool || !all) { /* no memory: publish nothing */
        free(pool);
        free(all);
        for (int i = 0; i < k; i++)
            published[i] = false;
        *other = *national = false;
        return 0;
    }
    int64_t shown = 0, hidden = 0;
    for (int i = 0; i < k; i++) {
        const int64_t *kn = nsec ? known + (size_t)i * (size_t)nsec : NULL;
        published[i] = sv_group_ok(n[i], kn, nsec, min);
        for (int s = 0; s < nsec; s++)
            (published[i] ? all : pool)[s] += kn[s];
        if (published[i])
            shown += n[i];
        else
            hidden += n[i];
    }
    *other = sv_group_ok(hidden, pool, nsec, min);
    int64_t total = shown;
    if (*other) {
        total += hidden;
        for (int s = 0; s < nsec; s++)
            all[s] += pool[s];
    }
    *national = sv_group_ok(total, all, nsec, min);
    free(pool);
    free(all);
    return *national ? total : 0;
}

double sv_rate(int64_t adopted, int64_t partly, int64_t not_adopted)
{
    int64_t n = adopted + partly + not_adopted;
    return n > 0 ? round(1000.0 * (double)adopted / (double)n) / 10.0 : -1;
}
