/* issue 16: STIX 2.1 (store_stix.c). Included by store/store_sql.h: no
 * include guard on purpose. */
ST(STIX_ORG_CREATED, "SELECT created_at FROM orgs WHERE id = ?1")
