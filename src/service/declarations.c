/*
 * declarations.c - see declarations.h. Large-scale outage declarations:
 * declare, end, list, read; the mode of a report's sector or an
 * advisory's recipients; the roll call a declaration starts.
 */
#include "service/declarations.h"

#include "core/mode.h"
#include "core/range.h"
#include "core/roles.h"
#include "common/log.h"
#include "common/util.h"
#include "service/provision.h"
#include "service/rollcall.h"
#include "service/reporting_internal.h"

#define DECL_LIST_MAX 200

const struct jv_field declaration_declare_spec[] = {
    {.name = "title_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "title_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "reason",
     .type = JV_STRING,
     .required = true,
     .max_len = 2000,
     .nonblank = true},
    {.name = "national", .type = JV_BOOL},
    {.name = "sectors",
     .type = JV_STRING_ARRAY,
     .max_len = STORE_DECL_MAX_SECTORS,
     .item_len = 63},
    {.name = NULL},
};

/* Who may declare and end: NISC analysts (NISC declares the
 * specified serious event). */
static bool may_declare(const struct auth_ctx *who)
{
    return strcmp(who->org.kind, "nisc") == 0 && (who->roles & ROLE_ANALYST);
}

/* ---- the mode ---- */

/* Decides the mode for the n sectors from the active declarations
 * (newest first): the first that covers one of them (mode_covers). */
static int mode_of(struct store_conn *c, const char *const *sectors, size_t n,
                   struct decl_mode *m)
{
    memset(m, 0, sizeof(*m));
    struct store_declaration *ds;
    size_t nd;
    int rc = store_declarations_list(c, true, DECL_LIST_MAX, &ds, &nd);
    if (rc)
        return rc;
    for (size_t i = 0; i < nd && !m->outage; i++) {
        const char *names[STORE_DECL_MAX_SECTORS];
        for (int k = 0; k < ds[i].nsectors; k++)
            names[k] = ds[i].sectors[k];
        for (size_t j = 0; j < n && !m->outage; j++)
            m->outage =
                mode_covers(ds[i].national, names, ds[i].nsectors, sectors[j]);
        if (m->outage) {
            util_xcopy(m->declaration, sizeof(m->declaration), ds[i].id);
            util_xcopy(m->event_id, sizeof(m->event_id), ds[i].event_id);
            util_xcopy(m->org, sizeof(m->org), ds[i].started_org);
        }
    }
    free(ds);
    return IS_OK;
}

int declaration_mode_sector(struct store_conn *c, const char *sector,
                            struct decl_mode *m)
{
    return mode_of(c, &sector, 1, m);
}

int declaration_mode_advisory(struct store_conn *c, const char *advisory_id,
                              struct decl_mode *m)
{
    struct store_id_list l = {0};
    memset(m, 0, sizeof(*m));
    int rc = store_advisory_sectors(c, advisory_id, &l);
    const char **names = calloc(l.n ? l.n : 1, sizeof(*names));
    if (!rc && !names)
        rc = IS_ERR_NOMEM;
    for (size_t i = 0; !rc && i < l.n; i++)
        names[i] = l.items[i].id;
    if (!rc)
        rc = mode_of(c, names, l.n, m);
    free(names);
    store_id_list_free(&l);
    return rc;
}

/* ---- JSON ---- */

/* Who declared or ended it: the organisation to every reader; the user's
 * id only to hub admins and to the users of that organisation, as users
 * are shown (docs/rules.md "Registry visibility"; found by an outside
 * review: every operator read the NISC user's id). */
static json_t *who_json(const struct auth_ctx *reader, int64_t user,
                        const char *org)
{
    bool may = !reader || (reader->roles & ROLE_ADMIN) ||
               strcmp(reader->org.id, org) == 0;
    return json_pack("{s:o,s:s}", "user",
                     may ? json_integer((json_int_t)user) : json_null(), "org",
                     org);
}

static json_t *decl_json(const struct store_declaration *d,
                         const struct auth_ctx *who)
{
    json_t *sectors = json_array();
    for (int i = 0; i < d->nsectors; i++)
        json_array_append_new(sectors, json_string(d->sectors[i]));
    json_t *o = json_pack(
        "{s:s,s:{s:s,s:s},s:s,s:b,s:o,s:b,s:o,s:o,s:o,s:s,s:o}", "id", d->id,
        "title", "ja", d->title_ja, "en", d->title_en, "reason", d->reason,
        "national", d->national, "sectors", sectors, "active", !d->ended_at,
        "started_at", svc_time_json(d->started_at), "started_by",
        who_json(who, d->started_by, d->started_org), "ended_at",
        d->ended_at ? svc_time_json(d->ended_at) : json_null(), "event",
        d->event_id, "rollcall",
        d->rollcall_id[0] ? json_string(d->rollcall_id) : json_null());
    json_object_set_new(o, "ended_by",
                        d->ended_at ? who_json(who, d->ended_by, d->ended_org)
                                    : json_null());
    return o;
}

/* ---- declaring ---- */

/* Checks the body's coverage: national, or known sectors (no repeats). */
static int check_cover(struct store_conn *c, const json_t *body,
                       struct store_declaration *d, struct svc_error *e)
{
    const json_t *sectors = json_object_get(body, "sectors");
    d->national = jv_bool(body, "national", false);
    if (d->national && json_array_size(sectors))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "sectors",
                        "sectors: a national declaration names no sectors");
    if (!d->national && !json_array_size(sectors))
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "sectors",
                        "sectors: name the sectors, or national: true");
    size_t i;
    json_t *v;
    json_array_foreach (sectors, i, v) {
        const char *id = json_string_value(v);
        if (store_names(c, "sector", id, NULL, 0, NULL, 0))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "sectors",
                            "sectors: \"%s\" is not a sector of the registry",
                            id);
        for (int k = 0; k < d->nsectors; k++)
            if (strcmp(d->sectors[k], id) == 0)
                return svc_fail(e, IS_ERR_INVALID, "invalid_value", "sectors",
                                "sectors: \"%s\" named twice", id);
        util_xcopy(d->sectors[d->nsectors], sizeof(d->sectors[0]), id);
        d->nsectors++;
    }
    return IS_OK;
}

/* Code points of a UTF-8 string (validated by jv: no broken sequences). */
static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A roll-call title: prefix + the declaration's title when it fits the
 * advisory's 200 code points, else prefix + fallback. */
static void rollcall_title(char *out, size_t len, const char *prefix,
                           const char *title, const char *fallback)
{
    if (code_points(prefix) + code_points(title) <= 200)
        util_xsnprintf(out, len, "%s%s", prefix, title);
    else
        util_xsnprintf(out, len, "%s%s", prefix, fallback);
}

/* The body of the roll call of the covered sectors: a Green warning of
 * severity MODE_HOTLINE_SEVERITY (in outage mode: the hotline) to the
 * covered sectors (or all), with the standard roll-call form
 * (service/rollcall.h). NULL when out of memory. */
static json_t *rollcall_body(const struct store_declaration *d)
{
    char tja[1024], ten[1024];
    rollcall_title(tja, sizeof(tja), "【点呼】", d->title_ja,
                   "大規模IT障害の宣言");
    rollcall_title(ten, sizeof(ten), "[Roll call] ", d->title_en,
                   "large-scale outage declared");
    json_t *aud = json_object();
    if (d->national) {
        json_object_set_new(aud, "all", json_true());
    } else {
        json_t *s = json_array();
        for (int i = 0; i < d->nsectors; i++)
            json_array_append_new(s, json_string(d->sectors[i]));
        json_object_set_new(aud, "sectors", s);
    }
    return json_pack(
        "{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "kind", "warning", "range",
        "green", "severity", MODE_HOTLINE_SEVERITY, "title_ja", tja, "title_en",
        ten, "body_ja",
        "大規模IT障害の発生が宣言されました。各組織は、この点呼に回答して"
        "ください（被害の有無、サービスの状態、補足）。回答が受領確認になります"
        "。",
        "body_en",
        "A large-scale IT outage has been declared. Each organisation: answer "
        "this roll call (affected or not, the state of your service, a note). "
        "Your answer is your acknowledgement.",
        "audience", aud);
}

/* Starts the roll call of a declaration just committed: rollcall_issue
 * (service/rollcall.h) runs its own write transaction, so it is called
 * right after the declaration's commit, never inside it; the declaration
 * is then already active, so the roll call is in outage mode (the
 * hotline, the shorter deadline, linked to the declaration's event). Its
 * id is recorded in d and in the declaration. A roll call that cannot be
 * issued leaves the declaration standing without one: logged and audited
 * ("declaration.rollcall_failed"); NISC can issue one by hand. */
static void rollcall_start(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who,
                           struct store_declaration *d, int64_t now)
{
    struct svc_error re = {0};
    json_t *body = rollcall_body(d), *adv = NULL;
    int rc =
        body ? rollcall_issue(a, c, who, body, now, &adv, &re) : IS_ERR_NOMEM;
    json_decref(body);
    const char *id = json_string_value(json_object_get(adv, "id"));
    if (!rc && id && strlen(id) < sizeof(d->rollcall_id)) {
        util_xcopy(d->rollcall_id, sizeof(d->rollcall_id), id);
        rc = store_begin(c);
        if (!rc)
            rc = store_declaration_set_rollcall(c, d->id, d->rollcall_id);
        if (!rc)
            rc = store_commit(c);
        if (rc)
            store_rollback(c);
    } else if (!rc) {
        rc = IS_ERR_INTERNAL;
    }
    json_decref(adv);
    if (rc) {
        d->rollcall_id[0] = '\0';
        log_event(LOG_ERROR, "roll call of a declaration not started",
                  "declaration", json_string(d->id), "error",
                  json_string(re.message[0] ? re.message : "store"), NULL);
        (void)audit_record(
            c, who, now, "declaration.rollcall_failed", d->id,
            json_pack("{s:s}", "code", re.code[0] ? re.code : "internal"));
    }
}

static int declare_write(struct app *a, struct store_conn *c,
                         const struct auth_ctx *who, const json_t *body,
                         struct store_declaration *d, int64_t now,
                         struct svc_error *e)
{
    int rc = check_cover(c, body, d, e);
    if (!rc)
        rc = store_event_insert(c, d->event_id, d->title_ja, d->title_en,
                                who->org.id, now);
    if (!rc)
        rc = store_declaration_insert(c, d);
    if (!rc)
        rc = audit_record(c, who, now, "event.create", d->event_id, NULL);
    json_t *sectors = json_array();
    for (int i = 0; !rc && i < d->nsectors; i++)
        json_array_append_new(sectors, json_string(d->sectors[i]));
    if (!rc)
        rc = audit_record(c, who, now, "declaration.declare", d->id,
                          json_pack("{s:b,s:O,s:s}", "national", d->national,
                                    "sectors", sectors, "event", d->event_id));
    json_decref(sectors);
    return rc;
}

int declaration_declare(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const json_t *body,
                        int64_t now, json_t **out, struct svc_error *e)
{
    if (!may_declare(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "a large-scale outage is declared by NISC analysts");
    struct store_declaration *d = calloc(1, sizeof(*d));
    if (!d)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                        "nothing was changed");
    char hex[17];
    util_random_hex(hex, 8);
    util_xsnprintf(d->id, sizeof(d->id), "D%s", hex);
    util_random_hex(hex, 8);
    util_xsnprintf(d->event_id, sizeof(d->event_id), "E%s", hex);
    util_xcopy(d->title_ja, sizeof(d->title_ja), jv_str(body, "title_ja"));
    util_xcopy(d->title_en, sizeof(d->title_en), jv_str(body, "title_en"));
    util_xcopy(d->reason, sizeof(d->reason), jv_str(body, "reason"));
    d->started_at = now;
    d->started_by = who->user_id;
    util_xcopy(d->started_org, sizeof(d->started_org), who->org.id);
    /* declaration, event and audit entries in one transaction; the roll
     * call right after the commit (rollcall_start) */
    int rc = store_begin(c);
    if (!rc)
        rc = declare_write(a, c, who, body, d, now, e);
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        free(d);
        if (!e->err)
            svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                     "nothing was changed");
        return rc;
    }
    rollcall_start(a, c, who, d, now);
    log_event(LOG_WARN, "large-scale outage declared", "declaration",
              json_string(d->id), "national", json_boolean(d->national), NULL);
    *out = decl_json(d, who);
    free(d);
    return IS_OK;
}

/* ---- ending ---- */

int declaration_end(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id, int64_t now,
                    json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    if (!may_declare(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "a large-scale outage is ended by NISC analysts");
    struct store_declaration *d = calloc(1, sizeof(*d));
    if (!d)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                        "nothing was changed");
    /* read and ended under the writer lock: of two racing ends, one 409 */
    int rc = store_begin(c);
    if (!rc &&
        (strlen(id) >= sizeof(d->id) || store_declaration_get(c, id, d))) {
        rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                      "no such declaration");
    } else if (!rc && d->ended_at) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "already_ended", NULL,
                      "the declaration has already ended");
    }
    if (!rc)
        rc = store_declaration_end(c, d->id, who->user_id, who->org.id, now);
    if (!rc)
        rc = audit_record(
            c, who, now, "declaration.end", d->id,
            json_pack("{s:I}", "lasted_s", (json_int_t)(now - d->started_at)));
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        free(d);
        if (!e->err)
            svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                     "nothing was changed");
        return rc;
    }
    d->ended_at = now;
    d->ended_by = who->user_id;
    util_xcopy(d->ended_org, sizeof(d->ended_org), who->org.id);
    log_event(LOG_WARN, "large-scale outage ended", "declaration",
              json_string(d->id), NULL);
    *out = decl_json(d, who);
    free(d);
    return IS_OK;
}

/* ---- reading ---- */

int declaration_list(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, bool active_only, int64_t now,
                     json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    IS_UNUSED(now);
    struct store_declaration *ds;
    size_t n;
    if (store_declarations_list(c, active_only, DECL_LIST_MAX, &ds, &n))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "declarations");
    json_t *items = json_array();
    int active = 0;
    for (size_t i = 0; i < n; i++) {
        active += !ds[i].ended_at;
        json_array_append_new(items, decl_json(&ds[i], who));
    }
    free(ds);
    *out = json_pack("{s:s,s:i,s:o}", "mode", active ? "outage" : "normal",
                     "active", active, "items", items);
    return IS_OK;
}

/* The linked reports who may read, as report lists show them; the Red and
 * Amber ones shown are audited as a list page's are: one attributed
 * entry naming them (rp_page_note), never a withheld one beside it. */
static int linked_reports(struct store_conn *c, const struct auth_ctx *who,
                          const char *event, const char *decl, int64_t now,
                          json_t *items)
{
    struct store_report_id *ids;
    size_t n;
    json_t *shown = json_array();
    if (!shown)
        return IS_ERR_NOMEM;
    int rc = store_event_reports(c, event, &ids, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        struct store_report r;
        if (store_report_get(c, ids[i].id, &r))
            continue;
        struct range_decision d = rp_decide(who, &r);
        if (d.may_read) {
            rp_page_note(shown, who, &r);
            json_array_append_new(items, rp_summary(c, who, &r, d, now));
        }
        store_report_release(&r);
    }
    free(ids);
    if (!rc && who && json_array_size(shown))
        rc = audit_record_read(
            c, who, now, "declaration.read",
            json_pack("{s:s,s:O}", "declaration", decl, "reports", shown),
            false);
    json_decref(shown);
    return rc;
}

static int linked_advisories(struct store_conn *c, const struct auth_ctx *who,
                             const char *event, int64_t now, json_t *items)
{
    struct store_report_id *ids;
    size_t n;
    int rc = store_event_advisories(c, event, &ids, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *o;
        rc = advisory_summary_if_readable(c, who, ids[i].id, now, &o);
        if (!rc && o)
            json_array_append_new(items, o);
    }
    free(ids);
    return rc;
}

int declaration_read(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const char *id, int64_t now,
                     json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_declaration *d = calloc(1, sizeof(*d));
    if (!d)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "declaration");
    if (strlen(id) >= sizeof(d->id) || store_declaration_get(c, id, d)) {
        free(d);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such declaration");
    }
    json_t *reports = json_array(), *advisories = json_array();
    int rc = linked_reports(c, who, d->event_id, d->id, now, reports);
    if (!rc)
        rc = linked_advisories(c, who, d->event_id, now, advisories);
    if (rc) {
        json_decref(reports);
        json_decref(advisories);
        free(d);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the declaration's items could not be read");
    }
    json_t *o = decl_json(d, who);
    free(d);
    json_object_set_new(
        o, "counts",
        json_pack("{s:I,s:I}", "reports", (json_int_t)json_array_size(reports),
                  "advisories", (json_int_t)json_array_size(advisories)));
    json_object_set_new(o, "reports", reports);
    json_object_set_new(o, "advisories", advisories);
    *out = o;
    return IS_OK;
}
