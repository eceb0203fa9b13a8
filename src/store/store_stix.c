/*
 * store_stix.c - see store/store_stix.h.
 */
#include "store/store_internal.h"
#include "store/store_stix.h"

int store_stix_org_created(struct store_conn *c, const char *id, int64_t *at)
{
    *at = 0;
    return store_get_int64(c, ST_STIX_ORG_CREATED, "org created", at, "t", id);
}
