/*
 * store_registry.c - sectors, scopes, organisations, memberships, contacts.
 */
#include "store/store_internal.h"

int store_sector_insert(struct store_conn *c, const char *id,
                        const char *name_ja, const char *name_en,
                        const char *ministry_id, int ord)
{
    return store_exec(c, ST_SECTOR_INSERT, "sector insert", "tttti", id,
                      name_ja, name_en, ministry_id, ord);
}

int store_scope_insert(struct store_conn *c, const char *id,
                       const char *sector_id, const char *name_ja,
                       const char *name_en, const char *related_json)
{
    return store_exec(c, ST_SCOPE_INSERT, "scope insert", "ttttt", id,
                      sector_id, name_ja, name_en,
                      related_json ? related_json : "[]");
}

int store_org_insert(struct store_conn *c, const struct store_org *o,
                     int64_t now)
{
    return store_exec(
        c, ST_ORG_INSERT, "org insert", "ttttttiitI", o->id, o->kind,
        o->name_ja, o->name_en, o->short_en ? o->short_en : "", o->scope_id,
        (int)o->observer, (int)o->demo, o->attrs ? o->attrs : "{}", now);
}

int store_membership_insert(struct store_conn *c, const char *org_id,
                            const char *group_id)
{
    return store_exec(c, ST_MEMBERSHIP_INSERT, "membership insert", "tt",
                      org_id, group_id);
}

/* Row mapper of ST_ORG_REL: id, kind, scope, sector, ministry, observer. */
static int map_org_rel(sqlite3_stmt *st, void *ctx)
{
    struct access_org *out = ctx;
    store_col_copy(st, 0, out->id, sizeof(out->id));
    store_col_copy(st, 1, out->kind, sizeof(out->kind));
    store_col_copy(st, 2, out->scope_id, sizeof(out->scope_id));
    store_col_copy(st, 3, out->sector_id, sizeof(out->sector_id));
    store_col_copy(st, 4, out->ministry_id, sizeof(out->ministry_id));
    out->observer = sqlite3_column_int(st, 5) != 0;
    return IS_OK;
}

/* Row mapper of ST_ORG_GROUPS (id, kind): keeps the CEPTOARs. */
static int map_org_ceptoar(sqlite3_stmt *st, void *ctx)
{
    struct access_org *out = ctx;
    const char *kind = (const char *)sqlite3_column_text(st, 1);
    if (kind && strcmp(kind, "ceptoar") == 0 &&
        out->nceptoars < ACCESS_MAX_GROUPS)
        store_col_copy(st, 0, out->ceptoars[out->nceptoars++],
                       sizeof(out->ceptoars[0]));
    return IS_OK;
}

int store_org_rel(struct store_conn *c, const char *id, struct access_org *out)
{
    memset(out, 0, sizeof(*out));
    int rc = store_get_row(c, ST_ORG_REL, "org rel", map_org_rel, out, "t", id);
    if (rc)
        return rc;
    return store_each(c, ST_ORG_GROUPS, "org groups", map_org_ceptoar, out, "t",
                      id);
}

static json_t *name_pair(sqlite3_stmt *st, int ja, int en)
{
    return json_pack("{s:o,s:o}", "ja", store_col_json_str(st, ja), "en",
                     store_col_json_str(st, en));
}

int store_sectors_json(struct store_conn *c, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_SECTORS_ALL);
    if (!st)
        return IS_ERR_STORE;
    json_t *sectors = json_array();
    json_t *by_id = json_object();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *s = json_pack(
            "{s:o,s:o,s:{s:o,s:o},s:[]}", "id", store_col_json_str(st, 0),
            "name", name_pair(st, 1, 2), "ministry", "id",
            store_col_json_str(st, 3), "name", name_pair(st, 4, 5), "scopes");
        json_array_append_new(sectors, s);
        json_object_set(by_id, (const char *)sqlite3_column_text(st, 0), s);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    st = store_stmt(c, ST_SCOPES_ALL);
    if (!st)
        goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *related =
            json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
        json_t *ceptoar = json_null();
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            json_t *attrs =
                json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL);
            ceptoar = json_pack("{s:o,s:o,s:{s:O,s:O},s:O}", "id",
                                store_col_json_str(st, 5), "name",
                                name_pair(st, 6, 7), "secretariat", "ja",
                                json_object_get(attrs, "secretariat_ja"), "en",
                                json_object_get(attrs, "secretariat_en"),
                                "members", json_object_get(attrs, "members"));
            json_decref(attrs);
        }
        json_t *sc =
            json_pack("{s:o,s:o,s:o,s:o}", "id", store_col_json_str(st, 0),
                      "name", name_pair(st, 2, 3), "related_scopes",
                      related ? related : json_array(), "ceptoar",
                      ceptoar ? ceptoar : json_null());
        json_t *sector =
            json_object_get(by_id, (const char *)sqlite3_column_text(st, 1));
        if (sector)
            json_array_append_new(json_object_get(sector, "scopes"), sc);
        else
            json_decref(sc);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    json_decref(by_id);
    *out = sectors;
    return IS_OK;
fail:
    json_decref(by_id);
    json_decref(sectors);
    return store_fail(c, "sectors");
}

/* Builds the JSON of the current row of an ORG_GET / ORGS_LIST statement. */
static json_t *org_row_json(struct store_conn *c, sqlite3_stmt *st)
{
    json_t *o =
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b}", "id",
                  store_col_json_str(st, 0), "kind", store_col_json_str(st, 1),
                  "name", name_pair(st, 2, 3), "short_en",
                  store_col_json_str(st, 4), "scope", store_col_json_str(st, 5),
                  "sector", store_col_json_str(st, 9), "observer",
                  sqlite3_column_int(st, 6), "demo", sqlite3_column_int(st, 7));
    json_t *attrs =
        json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL);
    if (json_is_object(attrs) && json_object_size(attrs))
        json_object_set(o, "registry", attrs);
    json_decref(attrs);
    /* memberships: CEPTOARs of an operator, councils of a CEPTOAR */
    sqlite3_stmt *g = store_stmt(c, ST_ORG_GROUPS);
    if (g) {
        json_t *groups = json_array();
        store_bind_text(g, 1, json_string_value(json_object_get(o, "id")));
        while (sqlite3_step(g) == SQLITE_ROW)
            json_array_append_new(groups, store_col_json_str(g, 0));
        sqlite3_reset(g);
        json_object_set_new(o, "member_of", groups);
    }
    return o;
}

int store_org_json(struct store_conn *c, const char *id, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_ORG_GET);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "org get");
    }
    /* ORG_GROUPS is another statement, so the row stays valid */
    *out = org_row_json(c, st);
    sqlite3_reset(st);
    return IS_OK;
}

int store_orgs_json(struct store_conn *c, const struct store_org_filter *f,
                    json_t **items, char **next)
{
    sqlite3_stmt *st = store_stmt(c, ST_ORGS_LIST);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, f->kind);
    store_bind_text(st, 2, f->scope);
    store_bind_text(st, 3, f->ceptoar);
    store_bind_text(st, 4, f->after ? f->after : "");
    sqlite3_bind_int(st, 5, (int)f->view);
    store_bind_text(st, 6, f->viewer_org ? f->viewer_org : "");
    sqlite3_bind_int(st, 7, f->limit + 1);
    json_t *arr = json_array();
    int rc, n = 0;
    *next = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == f->limit) {
            /* one more row exists: the cursor is the last id returned */
            json_t *last = json_array_get(arr, (size_t)n - 1);
            *next = strdup(json_string_value(json_object_get(last, "id")));
            break;
        }
        json_array_append_new(arr, org_row_json(c, st));
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        json_decref(arr);
        free(*next);
        *next = NULL;
        return store_fail(c, "orgs list");
    }
    *items = arr;
    return IS_OK;
}

int store_org_counts(struct store_conn *c, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_ORG_COUNTS);
    if (!st)
        return IS_ERR_STORE;
    json_t *o = json_object();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(o);
        return store_fail(c, "org counts");
    }
    *out = o;
    return IS_OK;
}

int store_contact_insert(struct store_conn *c, const struct store_contact *k,
                         int64_t now)
{
    return store_exec(c, ST_CONTACT_INSERT, "contact insert", "tttiittI",
                      k->org_id, k->channel, k->address, k->priority,
                      (int)k->emergency, k->secret, k->lang ? k->lang : "ja",
                      now);
}

/* Row mapper of ST_CONTACTS_ORG: id, channel, address, priority,
 * emergency, lang. */
static int map_contact_listed(sqlite3_stmt *st, void *ctx)
{
    struct store_contact_entry *k = store_rows_push(ctx);
    if (!k)
        return IS_ERR_NOMEM;
    k->id = sqlite3_column_int64(st, 0);
    store_col_copy(st, 1, k->channel, sizeof(k->channel));
    const unsigned char *addr = sqlite3_column_text(st, 2);
    if (!(k->address = strdup(addr ? (const char *)addr : "")))
        return IS_ERR_NOMEM;
    k->priority = sqlite3_column_int(st, 3);
    k->emergency = sqlite3_column_int(st, 4) != 0;
    store_col_copy(st, 5, k->lang, sizeof(k->lang));
    return IS_OK;
}

int store_contacts_list(struct store_conn *c, const char *org_id,
                        struct store_contact_entry **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_contact_entry)};
    int rc = store_each(c, ST_CONTACTS_ORG, "contacts", map_contact_listed, &r,
                        "t", org_id);
    if (rc) {
        store_contacts_free(r.items, r.n);
        return rc;
    }
    *out = r.items;
    *n = r.n;
    return IS_OK;
}

void store_contacts_free(struct store_contact_entry *k, size_t n)
{
    for (size_t i = 0; k && i < n; i++)
        free(k[i].address);
    free(k);
}

int store_org_set_scope(struct store_conn *c, const char *id,
                        const char *scope_id)
{
    return store_exec(c, ST_ORG_SET_SCOPE, "org set scope", "tt", id, scope_id);
}
