/*
 * store_agreements.c - handling-rule versions and agreements
 * (docs/rules.md "Handling-rule agreements").
 */
#include "store/store_internal.h"

/* Row mapper of ST_RULES_CURRENT: version, title_ja, title_en, effective. */
static int map_rules(db_stmt *st, void *ctx)
{
    struct store_rules *out = ctx;
    memset(out, 0, sizeof(*out));
    store_col_copy(st, 0, out->version, sizeof(out->version));
    store_col_copy(st, 1, out->title_ja, sizeof(out->title_ja));
    store_col_copy(st, 2, out->title_en, sizeof(out->title_en));
    out->effective_at = db_column_int64(st, 3);
    return IS_OK;
}

int store_rules_current(struct store_conn *c, struct store_rules *out)
{
    return store_get_row(c, ST_RULES_CURRENT, "rules current", map_rules, out,
                         "");
}

struct agreement_row {
    const char *org, *version;
    int64_t signed_by, now;
};

static int agreement_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct agreement_row *a = ctx;
    return store_exec_changed(c, ST_AGREEMENT_INSERT, "agreement insert",
                              "ttNII", a->org, a->version, a->signed_by, a->now,
                              v);
}

int store_agreement_insert(struct store_conn *c, const char *org,
                           const char *version, int64_t signed_by, int64_t now,
                           int64_t *id)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"),
     * above the organisation's own */
    struct agreement_row a = {org, version, signed_by, now};
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_AGREEMENT_MAX_ID, "agreement max id", &floor,
                             "t", org);
    if (!rc)
        rc = store_insert_fresh_id(c, now, floor, agreement_insert_as, &a, id);
    return rc;
}

int store_agreement_withdraw(struct store_conn *c, int64_t id, const char *org,
                             int64_t by, int64_t now)
{
    return store_exec_changed(c, ST_AGREEMENT_WITHDRAW, "agreement withdraw",
                              "ItNI", id, org, by, now);
}

/* Row mapper of AGREEMENT_COLS into one struct store_agreement. */
static int map_agreement(db_stmt *st, void *ctx)
{
    struct store_agreement *out = ctx;
    memset(out, 0, sizeof(*out));
    out->id = db_column_int64(st, 0);
    store_col_copy(st, 1, out->org_id, sizeof(out->org_id));
    store_col_copy(st, 2, out->rules_version, sizeof(out->rules_version));
    out->signed_by = db_column_int64(st, 3);
    store_col_copy(st, 4, out->signed_by_name, sizeof(out->signed_by_name));
    out->signed_at = db_column_int64(st, 5);
    out->withdrawn_by = db_column_int64(st, 6);
    store_col_copy(st, 7, out->withdrawn_by_name,
                   sizeof(out->withdrawn_by_name));
    out->withdrawn_at = db_column_int64(st, 8);
    return IS_OK;
}

static int push_agreement(db_stmt *st, void *ctx)
{
    struct store_agreement *a = store_rows_push(ctx);
    if (!a)
        return IS_ERR_NOMEM;
    return map_agreement(st, a);
}

int store_agreement_get(struct store_conn *c, int64_t id, const char *org,
                        struct store_agreement *out)
{
    return store_get_row(c, ST_AGREEMENT_GET, "agreement get", map_agreement,
                         out, "It", id, org);
}

int store_agreement_active(struct store_conn *c, const char *org,
                           struct store_agreement *out)
{
    return store_get_row(c, ST_AGREEMENT_ACTIVE, "agreement active",
                         map_agreement, out, "t", org);
}

int store_agreements_list(struct store_conn *c, const char *org,
                          struct store_agreement **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(**out)};
    int rc = store_list(c, ST_AGREEMENTS_ORG, "agreements", push_agreement, &r,
                        NULL, "t", org);
    *out = rc ? NULL : r.items;
    *n = rc ? 0 : r.n;
    return rc;
}
