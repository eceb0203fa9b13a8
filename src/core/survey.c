/*
 * survey.c - what the annual survey publishes (see core/survey.h).
 */
#include "core/survey.h"

#include <math.h>

int64_t sv_publish(const int64_t *n, int k, int64_t min, bool *published,
                   bool *other, bool *national)
{
    int64_t shown = 0, hidden = 0;
    for (int i = 0; i < k; i++) {
        published[i] = n[i] >= min;
        if (published[i])
            shown += n[i];
        else
            hidden += n[i];
    }
    *other = hidden >= min;
    int64_t total = shown + (*other ? hidden : 0);
    *national = total >= min;
    return *national ? total : 0;
}

double sv_rate(int64_t adopted, int64_t partly, int64_t not_adopted)
{
    int64_t n = adopted + partly + not_adopted;
    return n > 0 ? round(1000.0 * (double)adopted / (double)n) / 10.0 : -1;
}
