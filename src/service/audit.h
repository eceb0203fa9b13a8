/*
 * audit.h - the audit log as the API and the command line show it: pages
 * of entries scoped to their reader, and the chain's verification
 * (docs/rules.md "Audit and anonymity"). Entries are appended with
 * audit_record (service/auth.h).
 *
 * Ownership: on IS_OK a json_t ** out-parameter holds a new reference the
 * caller json_decref()s; on an error it is not set. Errors are the
 * store's (IS_ERR_STORE, IS_ERR_NOMEM).
 */
#ifndef INFRASHARE_AUDIT_H
#define INFRASHARE_AUDIT_H

#include <jansson.h>

#include "service/auth.h"
#include "store/store.h"

/* Whether who reads the whole log (NISC and hub admins); every other
 * auditor reads only the entries of its own organisation. */
bool audit_reads_whole(const struct auth_ctx *who);

/* A page of the log as who reads it (GET /api/v1/audit): {items,
 * next_after, scope}. q: after, before, limit and the filters as in
 * struct store_audit_query; its org is set from who. With an actor
 * filter, entries whose actor who may not see are left out (a filter
 * never tells a withheld actor). */
int audit_list(struct store_conn *c, const struct auth_ctx *who,
               const struct store_audit_query *q, json_t **out);

/* issue 11: lists */
/* Whether action is one of the codes the hub writes to the log (the
 * table audit_actions[]; web/i18n.js names each). */
bool audit_action_known(const char *action);
extern const char *const audit_actions[];
/* Every entry matching q's filters (after/before/limit ignored) as who
 * reads them, as CSV (oldest first; cells a spreadsheet would run as a
 * formula kept as text): *csv malloc'd, *len its length.
 * IS_ERR_TOO_LARGE past AUDIT_EXPORT_MAX entries. */
#define AUDIT_EXPORT_MAX 20000
int audit_export_csv(struct store_conn *c, const struct auth_ctx *who,
                     const struct store_audit_query *q, char **csv,
                     size_t *len);

/* The entries of q as a JSON array, oldest first. q->org NULL: the whole
 * log, as who (NULL: the hub's operator) reads it, withheld actors null
 * with actor_withheld, version-2 chain values shown, actors of version-1
 * entries about anonymous reports withheld (reporting_audit_redact).
 * q->org set: that organisation's entries, withheld actors its own, no
 * chain values. */
int audit_entries_json(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_audit_query *q, json_t **items);

/* The chain's verification (GET /api/v1/audit/verify): {ok, entries,
 * head, problems[{seq, kind, message}]}. */
int audit_verify_json(struct store_conn *c, json_t **out);

#endif
