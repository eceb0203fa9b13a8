/*
 * agreements.h - handling-rule agreements (取扱いルールへの同意; docs/rules.md
 * "Handling-rule agreements"; rules in core/agreement.h).
 *
 * An organisation's org_admin (or a hub admin) signs the CURRENT handling
 * rules for it and may withdraw that agreement; both are audited. Yellow
 * access follows the agreement from the next request on (the identity of
 * every request is read from the store: no cache keeps Yellow standing).
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s; on an error it is not set.
 */
#ifndef INFRASHARE_AGREEMENTS_H
#define INFRASHARE_AGREEMENTS_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "common/jv.h"
#include "store/store.h"

/* The body of a signing: {"rules_version": "..."}. */
extern const struct jv_field agreements_sign_spec[];

/* The current handling rules: {version, title_ja, title_en, effective_at}. */
int agreements_rules(struct store_conn *c, json_t **out, struct svc_error *e);
/* The organisation's agreement state and history (newest first). 404 when
 * org is not visible, 403 when the reader may not read it
 * (agreement_may_read). */
int agreements_list(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, json_t **out, struct svc_error *e);
/* Signs the current rules for org (body checked against
 * agreements_sign_spec). 403 without agreement_may_manage; 400 naming
 * rules_version when it is not the current version; 409 when org has an
 * active agreement already. */
int agreements_sign(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, const json_t *body, int64_t now,
                    json_t **out, struct svc_error *e);
/* Withdraws agreement aid (decimal text) of org. 404 when there is no
 * such agreement; 409 when it is withdrawn already. */
int agreements_withdraw(struct store_conn *c, const struct auth_ctx *who,
                        const char *org, const char *aid, int64_t now,
                        json_t **out, struct svc_error *e);
/* Records an agreement to the current rules for org by the system (demo
 * data); the caller holds a transaction. Not audited on its own: it is part
 * of the demo set, which `infrashare init --demo` audits as one "init"
 * entry. */
int agreements_record_system(struct store_conn *c, const char *org,
                             int64_t now);

#endif
