/*
 * ids.h - a small ordered set of registry ids (organisations), held by
 * value: a report's handling chain, the hops it has reached, the
 * originator's CEPTOARs. Pure: no I/O. The caller owns the struct; there
 * is nothing to release.
 */
#ifndef INFRASHARE_IDS_H
#define INFRASHARE_IDS_H

#include "common/common.h"

#define IDS_MAX 8  /* >= ACCESS_MAX_GROUPS and RANGE_MAX_CHAIN */
#define IDS_LEN 64 /* as struct access_org's ids, NUL included */

struct ids {
    int n;
    char id[IDS_MAX][IDS_LEN];
};

/* Is id one of l's? O(n). */
bool ids_has(const struct ids *l, const char *id);
/* Appends id unless it is already there or empty (both IS_OK).
 * IS_ERR_LIMIT when l is full or id does not fit IDS_LEN; l is then
 * unchanged. */
int ids_add(struct ids *l, const char *id);

#endif
