/*
 * roles.h - user roles (DOMAIN.md §2) as a bit set, and organisation kinds.
 */
#ifndef INFRASHARE_ROLES_H
#define INFRASHARE_ROLES_H

#include "common/common.h"

enum role {
    ROLE_READER = 1u << 0,    /* sees what its organisation may see */
    ROLE_REPORTER = 1u << 1,  /* files reports for its organisation */
    ROLE_LIAISON = 1u << 2,   /* acknowledges, relays, answers */
    ROLE_ANALYST = 1u << 3,   /* centre/ministry/secretariat/agency analysis */
    ROLE_ORG_ADMIN = 1u << 4, /* users and contacts of its own organisation */
    ROLE_AUDITOR = 1u << 5,   /* reads the audit log */
    ROLE_ADMIN = 1u << 6      /* hub-wide administration */
};
#define ROLE_ALL 0x7fu

/* "reader", ... for one bit; NULL for an unknown bit. */
const char *roles_name(unsigned bit);
/* Parses one role name; 0 when unknown. */
unsigned roles_parse_one(const char *name);
/* Parses "reader,liaison" (comma separated). IS_ERR_INVALID on an unknown
 * name or an empty list. */
int roles_parse_list(const char *list, unsigned *out);
/* Writes "reader,liaison" into out. */
void roles_format(unsigned roles, char *out, size_t outlen);

/* Organisation kinds of the registry. */
bool org_kind_valid(const char *kind);

#endif
