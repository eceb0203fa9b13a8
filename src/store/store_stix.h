/*
 * store_stix.h - what STIX 2.1 exports read of the store (issue 16).
 */
#ifndef INFRASHARE_STORE_STIX_H
#define INFRASHARE_STORE_STIX_H

#include "store/store.h"

/* When organisation id entered the registry (its identity's "created"):
 * IS_ERR_NOTFOUND when there is none. */
int store_stix_org_created(struct store_conn *c, const char *id, int64_t *at);

#endif
