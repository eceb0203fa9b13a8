/*
 * demo_obs.c - the website observation part of the demo data set (see
 * service/demo.h, demo_obs_generate).
 */
#include "service/demo.h"

int demo_obs_generate(struct store_conn *c, int64_t now,
                      struct demo_stats *stats)
{
    (void)c;
    (void)now;
    (void)stats;
    return IS_OK;
}
