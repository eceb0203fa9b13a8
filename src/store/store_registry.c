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

/* Row mapper of ST_ORG_REL: id, kind, scope, sector, ministry, agreement
 * state. */
static int map_org_rel(db_stmt *st, void *ctx)
{
    struct access_org *out = ctx;
    store_col_copy(st, 0, out->id, sizeof(out->id));
    store_col_copy(st, 1, out->kind, sizeof(out->kind));
    store_col_copy(st, 2, out->scope_id, sizeof(out->scope_id));
    store_col_copy(st, 3, out->sector_id, sizeof(out->sector_id));
    store_col_copy(st, 4, out->ministry_id, sizeof(out->ministry_id));
    int ag = db_column_int(st, 5);
    out->agreement = ag == AGREEMENT_ACTIVE      ? AGREEMENT_ACTIVE
                     : ag == AGREEMENT_WITHDRAWN ? AGREEMENT_WITHDRAWN
                                                 : AGREEMENT_NONE;
    return IS_OK;
}

/* Row mapper of ST_ORG_GROUPS (id, kind): keeps the CEPTOARs. */
static int map_org_ceptoar(db_stmt *st, void *ctx)
{
    struct access_org *out = ctx;
    const char *kind = (const char *)db_column_text(st, 1);
    if (kind && strcmp(kind, "ceptoar") == 0 &&
        out->nceptoars < ACCESS_MAX_GROUPS)
        store_col_copy(st, 0, out->ceptoars[out->nceptoars++],
                       sizeof(out->ceptoars[0]));
    return IS_OK;
}

/* Row mapper of ST_DLIST_OWNERS_OF: keeps each owner (at most
 * ACCESS_MAX_GROUPS; lists.c refuses a member past that many owners). */
static int map_org_owner(db_stmt *st, void *ctx)
{
    struct access_org *out = ctx;
    if (out->nceptoars < ACCESS_MAX_GROUPS)
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
    rc = store_each(c, ST_ORG_GROUPS, "org groups", map_org_ceptoar, out, "t",
                    id);
    /* an external organisation's relays are the owners of its lists
     * (core/access.h, access_may_see_external) */
    if (!rc && strcmp(out->kind, "external") == 0)
        rc = store_each(c, ST_DLIST_OWNERS_OF, "list owners", map_org_owner,
                        out, "t", id);
    return rc;
}

/* Row mapper of ST_SECTORS_ALL: id, name_ja, name_en, ministry_id and
 * the ministry's name_ja, name_en. */
static int map_sector(db_stmt *st, void *ctx)
{
    struct store_sector_entry *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    char **const dst[] = {
        &s->id,          &s->name.ja,          &s->name.en,
        &s->ministry_id, &s->ministry_name.ja, &s->ministry_name.en};
    return store_col_strs(st, dst, 6, &s->mem);
}

/* Row mapper of ST_SCOPES_ALL: id, sector_id, name_ja, name_en, related
 * and the CEPTOAR's id, name_ja, name_en, attrs. */
static int map_scope(db_stmt *st, void *ctx)
{
    struct store_scope_entry *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    char **const dst[] = {&s->id,
                          &s->sector_id,
                          &s->name.ja,
                          &s->name.en,
                          &s->related,
                          &s->ceptoar_id,
                          &s->ceptoar_name.ja,
                          &s->ceptoar_name.en,
                          &s->ceptoar_attrs};
    return store_col_strs(st, dst, 9, &s->mem);
}

int store_sectors_list(struct store_conn *c, struct store_sectors *out)
{
    struct store_rows se = {.size = sizeof(*out->sectors)};
    struct store_rows sc = {.size = sizeof(*out->scopes)};
    int rc = store_list(c, ST_SECTORS_ALL, "sectors", map_sector, &se,
                        store_drop_first, "");
    if (!rc)
        rc = store_list(c, ST_SCOPES_ALL, "scopes", map_scope, &sc,
                        store_drop_first, "");
    *out = (struct store_sectors){.sectors = se.items,
                                  .nsectors = se.n,
                                  .scopes = sc.items,
                                  .nscopes = sc.n};
    if (rc)
        store_sectors_release(out);
    return rc;
}

void store_sectors_release(struct store_sectors *s)
{
    store_rows_free(s->sectors, s->nsectors, sizeof(*s->sectors),
                    store_drop_first);
    store_rows_free(s->scopes, s->nscopes, sizeof(*s->scopes),
                    store_drop_first);
    memset(s, 0, sizeof(*s));
}

/* Row mapper of ST_ORG_GET / ST_ORGS_LIST: id, kind, name_ja, name_en,
 * short_en, scope_id, observer, demo, attrs, sector_id. */
static int map_org(db_stmt *st, void *ctx)
{
    struct store_org_entry *o = store_rows_push(ctx);
    if (!o)
        return IS_ERR_NOMEM;
    o->observer = db_column_int(st, 6) != 0;
    o->demo = db_column_int(st, 7) != 0;
    char **const dst[] = {&o->id,       &o->kind,     &o->name.ja, &o->name.en,
                          &o->short_en, &o->scope_id, NULL,        NULL,
                          &o->attrs,    &o->sector_id};
    return store_col_strs(st, dst, 10, &o->mem);
}

/* Row mapper of ST_ORG_GROUPS (id, kind): the group's id. */
static int map_group_id(db_stmt *st, void *ctx)
{
    char **id = store_rows_push(ctx);
    char **const dst[] = {id};
    return id ? store_col_strs(st, dst, 1, id) : IS_ERR_NOMEM;
}

static void drop_org(void *p)
{
    struct store_org_entry *o = p;
    free(o->mem);
    store_rows_free(o->member_of, o->nmember_of, sizeof(char *),
                    store_drop_first);
}

void store_orgs_free(struct store_org_entry *o, size_t n)
{
    store_rows_free(o, n, sizeof(*o), drop_org);
}

/* Finishes a listing of orgs into r whose result was rc: when IS_OK,
 * fills their member_of (the CEPTOARs of an operator, the councils of a
 * CEPTOAR); on any error frees r and leaves it empty. */
static int with_groups(struct store_conn *c, int rc, struct store_rows *r)
{
    struct store_org_entry *o = r->items;
    for (size_t i = 0; !rc && i < r->n; i++) {
        struct store_rows g = {.size = sizeof(char *)};
        rc = store_list(c, ST_ORG_GROUPS, "org groups", map_group_id, &g,
                        store_drop_first, "t", o[i].id);
        o[i].member_of = g.items;
        o[i].nmember_of = g.n;
    }
    if (rc) {
        store_orgs_free(r->items, r->n);
        *r = (struct store_rows){.size = r->size};
    }
    return rc;
}

int store_org_get(struct store_conn *c, const char *id,
                  struct store_org_entry **out)
{
    struct store_rows r = {.size = sizeof(**out)};
    int rc =
        store_list(c, ST_ORG_GET, "org get", map_org, &r, drop_org, "t", id);
    rc = with_groups(c, !rc && r.n == 0 ? IS_ERR_NOTFOUND : rc, &r);
    *out = r.items;
    return rc;
}

int store_orgs_list(struct store_conn *c, const struct store_org_filter *f,
                    struct store_org_entry **out, size_t *n, char **next)
{
    struct store_rows r = {.size = sizeof(**out)};
    *next = NULL;
    /* one row more than the page tells whether more follow */
    int rc = store_list(c, ST_ORGS_LIST, "orgs list", map_org, &r, drop_org,
                        "ttttiti", f->kind, f->scope, f->ceptoar,
                        f->after ? f->after : "", (int)f->view,
                        f->viewer_org ? f->viewer_org : "", f->limit + 1);
    struct store_org_entry *o = r.items;
    if (!rc && f->limit > 0 && r.n > (size_t)f->limit) {
        drop_org(&o[--r.n]); /* the cursor is the last id returned */
        if (!(*next = strdup(o[r.n - 1].id)))
            rc = IS_ERR_NOMEM;
    }
    if ((rc = with_groups(c, rc, &r))) {
        free(*next);
        *next = NULL;
    }
    *out = r.items;
    *n = r.n;
    return rc;
}

/* Row mapper of ST_ORG_COUNTS: kind, count. */
static int map_org_count(db_stmt *st, void *ctx)
{
    struct store_org_count *k = store_rows_push(ctx);
    if (!k)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, k->kind, sizeof(k->kind));
    k->n = db_column_int64(st, 1);
    return IS_OK;
}

int store_org_counts(struct store_conn *c, struct store_org_count **out,
                     size_t *n)
{
    struct store_rows r = {.size = sizeof(**out)};
    int rc =
        store_list(c, ST_ORG_COUNTS, "org counts", map_org_count, &r, NULL, "");
    *out = r.items;
    *n = r.n;
    return rc;
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
static int map_contact_listed(db_stmt *st, void *ctx)
{
    struct store_contact_entry *k = store_rows_push(ctx);
    if (!k)
        return IS_ERR_NOMEM;
    k->id = db_column_int64(st, 0);
    store_col_copy(st, 1, k->channel, sizeof(k->channel));
    const unsigned char *addr = db_column_text(st, 2);
    if (!(k->address = strdup(addr ? (const char *)addr : "")))
        return IS_ERR_NOMEM;
    k->priority = db_column_int(st, 3);
    k->emergency = db_column_int(st, 4) != 0;
    store_col_copy(st, 5, k->lang, sizeof(k->lang));
    return IS_OK;
}

static void drop_contact(void *p)
{
    free(((struct store_contact_entry *)p)->address);
}

int store_contacts_list(struct store_conn *c, const char *org_id,
                        struct store_contact_entry **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(**out)};
    int rc = store_list(c, ST_CONTACTS_ORG, "contacts", map_contact_listed, &r,
                        drop_contact, "t", org_id);
    *out = r.items;
    *n = r.n;
    return rc;
}

void store_contacts_free(struct store_contact_entry *k, size_t n)
{
    store_rows_free(k, n, sizeof(*k), drop_contact);
}

int store_org_set_scope(struct store_conn *c, const char *id,
                        const char *scope_id)
{
    return store_exec(c, ST_ORG_SET_SCOPE, "org set scope", "tt", id, scope_id);
}
