/*
 * audit.c - the audit log's API views (service/audit.h): the store's rows
 * encoded as the API's JSON, scoped to their reader.
 */
#include "service/audit.h"

#include <string.h>

#include "service/reporting.h"
#include "common/buf.h"
#include "common/csv.h"
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
    json_t *o = json_pack(
        "{s:I,s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "seq",
        (json_int_t)e->seq, "at", ts, "actor_user", user, "actor_org", org,
        "actor_withheld", hide, "action", str_or_null(e->action), "target",
        str_or_null(e->target), "detail", detail ? detail : json_object(),
        "version", (json_int_t)e->version, "hash",
        hex_or_null(chain && e->has_hash, e->hash), "prev_hash",
        hex_or_null(chain && e->has_prev_hash, e->prev_hash), "commitment",
        hex_or_null(chain && e->withheld && e->has_commitment, e->commitment));
    /* the actor's names, as the actor itself is shown */
    json_object_set_new(o, "actor_name",
                        hide ? json_null() : str_or_null(e->actor_name));
    json_object_set_new(
        o, "actor_org_name",
        hide || !e->actor_org_ja
            ? json_null()
            : json_pack("{s:s,s:s}", "ja", e->actor_org_ja, "en",
                        e->actor_org_en ? e->actor_org_en : e->actor_org_ja));
    return o;
}

/* The entries of q as audit_entries_json encodes them; *full: the store
 * returned q->limit entries (more may follow), *last_seq the last one's
 * seq (0: none), shown or not. */
static int entries_json(struct store_conn *c, const struct auth_ctx *who,
                        const struct store_audit_query *q, json_t **items,
                        bool *full, int64_t *last_seq)
{
    struct store_audit_row *rows;
    size_t n;
    /* every view first moves the read-audit journal's entries into the
     * chain: a view shows each read answered before it (store.h) */
    int rc = store_audit_settle(c, NULL);
    if (!rc)
        rc = store_audit_page(c, q, &rows, &n);
    if (rc)
        return rc;
    *full = n == (size_t)q->limit;
    *last_seq = n ? rows[n - 1].seq : 0;
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
    /* a withheld actor has no names either; with an actor filter such an
     * entry is left out (the filter would name its actor) */
    bool by_actor = q->actor_org || q->actor_user;
    for (size_t i = json_array_size(arr); i-- > 0;) {
        json_t *en = json_array_get(arr, i);
        if (!json_is_true(json_object_get(en, "actor_withheld")))
            continue;
        if (by_actor) {
            json_array_remove(arr, i);
            continue;
        }
        json_object_set_new(en, "actor_name", json_null());
        json_object_set_new(en, "actor_org_name", json_null());
    }
    *items = arr;
    return IS_OK;
}

int audit_entries_json(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_audit_query *q, json_t **items)
{
    bool full;
    int64_t last;
    return entries_json(c, who, q, items, &full, &last);
}

int audit_list(struct store_conn *c, const struct auth_ctx *who,
               const struct store_audit_query *filt, json_t **out)
{
    bool whole = audit_reads_whole(who);
    struct store_audit_query q = *filt;
    q.org = whole ? NULL : who->org.id;
    json_t *items;
    bool full;
    int64_t last;
    int rc = entries_json(c, who, &q, &items, &full, &last);
    if (rc)
        return rc;
    /* the cursor is the last entry the store returned, shown or not */
    *out = json_pack("{s:o,s:o,s:s}", "items", items, "next_after",
                     full && last ? json_integer(last) : json_null(), "scope",
                     whole ? "all" : "organisation");
    return *out ? IS_OK : IS_ERR_NOMEM;
}

/* Every action code the hub writes (audit_record's callers, the command
 * line's cli_audit). tests/integration/test_ui_lists.py checks that every
 * code in the sources is here and that web/i18n.js names each in Japanese
 * and English. */
const char *const audit_actions[] = {
    "advisory.ack",
    "advisory.ack_link.refused",
    "advisory.auto_relay",
    "advisory.escalate",
    "advisory.issue",
    "advisory.read",
    "advisory.relay",
    "advisory.remind",
    "advisory.withhold",
    "agreement.sign",
    "agreement.withdraw",
    "bcp.update",
    "c4tap.campaign.merge",
    "c4tap.campaign.note",
    "c4tap.campaign.split",
    "c4tap.defaults",
    "c4tap.export",
    "c4tap.handler.add",
    "c4tap.handler.remove",
    "c4tap.join",
    "c4tap.original.read",
    "c4tap.ranges",
    "c4tap.submit",
    "c4tap.withdraw",
    "cascade.suggest",
    "contact.add",
    "declaration.declare",
    "declaration.end",
    "declaration.read",
    "declaration.rollcall_failed",
    "dependencies.edit",
    "drill.confirm",
    "drill.start",
    "event.create",
    "event.link",
    "exercise.answer",
    "exercise.bcp",
    "exercise.checklist",
    "exercise.control",
    "exercise.create",
    "exercise.note",
    "exercise.participants",
    "exercise.report",
    "init",
    "list.create",
    "list.delete",
    "list.update",
    "login",
    "login.failed",
    "login.rate_limited",
    "logout",
    "obs.participant.join",
    "obs.vantage.add",
    "observation.advisory",
    "org.add",
    "policy.set",
    "report.alert.escalate",
    "report.alert.open",
    "report.alert.raise",
    "report.alert.remind",
    "report.attachment.read",
    "report.auto_forward",
    "report.export",
    "report.file",
    "report.forward",
    "report.list",
    "report.note",
    "report.question",
    "report.read",
    "report.reveal",
    "report.update",
    "risk.create",
    "risk.scale",
    "risk.update",
    "rollcall.answer",
    "rollcall.answer.replace",
    "rollcall.export",
    "site.delete",
    "site.maintenance",
    "site.register",
    "site.update",
    "survey.attach",
    "survey.close",
    "survey.detach",
    "survey.open",
    "survey.remind",
    "survey.save",
    "survey.submit",
    "taxii.add",
    "taxii.peer.add",
    "taxii.peer.remove",
    "taxii.peer.sync",
    "taxii.read",
    "token.create",
    "token.revoke",
    "user.add",
    "user.disable",
    "user.enable",
    "user.passwd",
    NULL,
};

bool audit_action_known(const char *action)
{
    for (size_t i = 0; action && audit_actions[i]; i++)
        if (strcmp(audit_actions[i], action) == 0)
            return true;
    return false;
}

static void csv_entry(struct buf *b, json_t *en)
{
    char seq[24], user[24];
    snprintf(seq, sizeof(seq), "%lld",
             (long long)json_integer_value(json_object_get(en, "seq")));
    json_t *u = json_object_get(en, "actor_user");
    if (json_is_integer(u))
        snprintf(user, sizeof(user), "%lld", (long long)json_integer_value(u));
    else
        user[0] = '\0';
    json_t *nm = json_object_get(en, "actor_org_name");
    char *detail = json_dumps(json_object_get(en, "detail"),
                              JSON_COMPACT | JSON_SORT_KEYS);
    csv_cell(b, seq, false);
    csv_cell(b, jv_str(en, "at"), false);
    csv_cell(b, jv_str(en, "actor_org"), false);
    csv_cell(b, jv_str(nm, "ja"), false);
    csv_cell(b, jv_str(nm, "en"), false);
    csv_cell(b, user, false);
    csv_cell(b, jv_str(en, "actor_name"), false);
    csv_cell(b,
             json_is_true(json_object_get(en, "actor_withheld")) ? "true"
                                                                 : "false",
             false);
    csv_cell(b, jv_str(en, "action"), false);
    csv_cell(b, jv_str(en, "target"), false);
    csv_cell(b, detail ? detail : "{}", true);
    free(detail);
}

int audit_export_csv(struct store_conn *c, const struct auth_ctx *who,
                     const struct store_audit_query *filt, char **csv,
                     size_t *len)
{
    bool whole = audit_reads_whole(who);
    struct store_audit_query q = *filt;
    q.org = whole ? NULL : who->org.id;
    q.after = 0;
    q.before = 0;
    q.limit = 1000;
    struct buf b;
    buf_init(&b, 64u << 20);
    buf_adds(&b, "seq,at,actor_org,actor_org_name_ja,actor_org_name_en,"
                 "actor_user,actor_name,actor_withheld,action,target,"
                 "detail\r\n");
    size_t total = 0;
    int rc = IS_OK;
    for (;;) {
        json_t *items;
        bool full;
        int64_t last;
        rc = entries_json(c, who, &q, &items, &full, &last);
        if (rc)
            break;
        size_t i;
        json_t *en;
        json_array_foreach (items, i, en)
            csv_entry(&b, en);
        total += json_array_size(items);
        json_decref(items);
        if (total > AUDIT_EXPORT_MAX) {
            rc = IS_ERR_TOO_LARGE;
            break;
        }
        if (!full || !last)
            break;
        q.after = last;
    }
    if (rc) {
        buf_release(&b);
        return rc;
    }
    if (buf_error(&b)) {
        rc = buf_error(&b);
        buf_release(&b);
        return rc;
    }
    *len = b.len;
    *csv = buf_detach(&b);
    return *csv ? IS_OK : IS_ERR_NOMEM;
}

int audit_verify_json(struct store_conn *c, json_t **out)
{
    struct store_audit_report rep;
    int rc = store_audit_settle(c, NULL);
    if (!rc)
        rc = store_audit_verify(c, &rep);
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
