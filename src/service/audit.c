/*
 * audit.c - the audit log's API views (service/audit.h): the store's rows
 * encoded as the API's JSON, scoped to their reader.
 */
#include "service/audit.h"

#include "service/reporting.h"
#include "common/util.h"

bool audit_reads_whole(const struct auth_ctx *who)
{
    return access_org_view(&who->org, who->roles) == ACCESS_VIEW_ALL;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *hex_or_null(bool has, const unsigned char h[32])
{
    if (!has)
        return json_null();
    char hex[65];
    util_hex(hex, h, 32);
    return json_string(hex);
}

/* One entry: seq, at, actor_user, actor_org, actor_withheld, action,
 * target, detail, version, hash, prev_hash, commitment. The whole log
 * shows withheld actors as null and the chain values of version-2
 * entries; an organisation's view shows its own withheld actors and no
 * chain values. */
static json_t *entry_json(const struct store_audit_row *e, bool whole)
{
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(e->at, ts);
    json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
    bool hide = e->withheld && whole;
    json_t *user =
        !hide && e->has_actor_user ? json_integer(e->actor_user) : json_null();
    json_t *org = hide ? json_null() : str_or_null(e->actor_org);
    bool chain = whole && e->version == 2;
    return json_pack(
        "{s:I,s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "seq",
        (json_int_t)e->seq, "at", ts, "actor_user", user, "actor_org", org,
        "actor_withheld", hide, "action", str_or_null(e->action), "target",
        str_or_null(e->target), "detail", detail ? detail : json_object(),
        "version", (json_int_t)e->version, "hash",
        hex_or_null(chain && e->has_hash, e->hash), "prev_hash",
        hex_or_null(chain && e->has_prev_hash, e->prev_hash), "commitment",
        hex_or_null(chain && e->withheld && e->has_commitment, e->commitment));
}

int audit_entries_json(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_audit_query *q, json_t **items)
{
    struct store_audit_row *rows;
    size_t n;
    int rc = store_audit_page(c, q, &rows, &n);
    if (rc)
        return rc;
    bool whole = q->org == NULL;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, entry_json(&rows[i], whole))) {
            json_decref(arr);
            arr = NULL;
        }
    store_audit_rows_free(rows, n);
    if (!arr)
        return IS_ERR_NOMEM;
    if (whole)
        reporting_audit_redact(c, who, arr);
    *items = arr;
    return IS_OK;
}

int audit_list(struct store_conn *c, const struct auth_ctx *who, int64_t after,
               int64_t before, int limit, json_t **out)
{
    bool whole = audit_reads_whole(who);
    struct store_audit_query q = {.after = after,
                                  .before = before,
                                  .limit = limit,
                                  .org = whole ? NULL : who->org.id};
    json_t *items;
    int rc = audit_entries_json(c, who, &q, &items);
    if (rc)
        return rc;
    size_t n = json_array_size(items);
    json_t *last = json_array_get(items, n - 1);
    *out = json_pack("{s:o,s:O,s:s}", "items", items, "next_after",
                     n == (size_t)limit ? json_object_get(last, "seq")
                                        : json_null(),
                     "scope", whole ? "all" : "organisation");
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int audit_verify_json(struct store_conn *c, json_t **out)
{
    struct store_audit_report rep;
    int rc = store_audit_verify(c, &rep);
    if (rc)
        return rc;
    json_t *probs = json_array();
    for (int i = 0; i < rep.nproblems; i++)
        json_array_append_new(probs,
                              json_pack("{s:I,s:s,s:s}", "seq",
                                        (json_int_t)rep.problems[i].seq, "kind",
                                        rep.problems[i].kind, "message",
                                        rep.problems[i].message));
    *out =
        json_pack("{s:b,s:I,s:s,s:o}", "ok", rep.nproblems == 0, "entries",
                  (json_int_t)rep.entries, "head", rep.head, "problems", probs);
    return *out ? IS_OK : IS_ERR_NOMEM;
}
